/**
 * Add of a bias vector to every row of a tensor ([..., C] + [C]) for wasm,
 * in one SIMD pass (wasm/bias.c). Layers add a convolution's bias this
 * way while training (tfjs fuses bias and activation only for inference),
 * and wasm's broadcasting Add took 4.6 ms for the seed network's first
 * layer at 64 px, batch 32, twice what reading and writing it costs.
 * Every other Add still goes to wasm's own kernel.
 */
import type { KernelBackend, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

import type { Tf } from '../backend.js';
import { replaceWasmKernel } from './runner.js';
import { simdKernels } from './simd.js';

/** Replaces wasm's Add (idempotent). */
export function registerWasmBiasAdd(tf: Tf): void {
  replaceWasmKernel(tf, 'Add', (original) => createKernelFunc(tf, original));
}

function createKernelFunc(tf: Tf, original: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as NamedTensorInfoMap;
    if (a === undefined || b === undefined) throw new Error('Add: expected inputs a and b');
    const pair = isBias(a, b) ? [a, b] : isBias(b, a) ? [b, a] : undefined;
    if (pair === undefined) return original(args);

    // Addition commutes exactly in floating point, so the order is free.
    const [x, bias] = pair as [TensorInfo, TensorInfo];
    const cols = bias.shape[0]!;
    const simd = simdKernels(args.backend as KernelBackend);
    const out = simd.output(x.shape);
    const rows = tf.util.sizeFromShape(x.shape) / cols;
    simd.addBias(simd.offset(x), simd.offset(bias), simd.offset(out), rows, cols);
    return out;
  };
}

function isBias(x: TensorInfo, bias: TensorInfo): boolean {
  return (
    x.dtype === 'float32' &&
    bias.dtype === 'float32' &&
    x.shape.length >= 2 &&
    bias.shape.length === 1 &&
    bias.shape[0] === x.shape.at(-1) &&
    bias.shape[0]! > 0
  );
}
