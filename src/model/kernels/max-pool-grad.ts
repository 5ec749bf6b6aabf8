/**
 * MaxPoolGrad for wasm with SIMD over channels (wasm/max_pool_grad.c). wasm's
 * own kernel took 32 ms for the seed network's first pool at 64 px, batch
 * 32 (a quarter of a training step once the convolutions were fast).
 *
 * Ties go to the first maximal position in the window, as on tfjs' cpu
 * backend: after a ReLU whole windows are zero, and the gradient must go to
 * one of them only.
 */
import type {
  KernelBackend,
  KernelFunc,
  MaxPoolGradAttrs,
  NamedTensorInfoMap,
} from '@tensorflow/tfjs';

import type { Tf } from '../backend.js';
import { replaceWasmKernel } from './runner.js';
import { simdKernels } from './simd.js';

const KERNEL = 'MaxPoolGrad';

/** Replaces wasm's own kernel (idempotent). */
export function registerWasmMaxPoolGrad(tf: Tf): void {
  replaceWasmKernel(tf, KERNEL, (original) => createKernelFunc(tf, original));
}

function createKernelFunc(tf: Tf, original: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, input } = args.inputs as NamedTensorInfoMap;
    if (dy === undefined || input === undefined) {
      throw new Error(`${KERNEL}: expected inputs dy and input`);
    }
    if (input.dtype !== 'float32' || dy.dtype !== 'float32') return original(args);

    const attrs = args.attrs as unknown as MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const simd = simdKernels(args.backend as KernelBackend);
    const dx = simd.output(input.shape);
    simd.maxPoolGrad(
      simd.offset(input),
      simd.offset(dy),
      simd.offset(dx),
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
      info.filterHeight,
      info.filterWidth,
      info.strideHeight,
      info.strideWidth,
      info.padInfo.top,
      info.padInfo.left,
    );
    return dx;
  };
}
