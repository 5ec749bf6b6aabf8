/**
 * Conv2DBackpropInput for wasm as a forward convolution. wasm's own kernel
 * is a plain loop nest and was the largest cost of a training step (seed
 * network, 64 px, batch 32: 141 of 313 ms; as a convolution, 16).
 *
 * For stride 1 and no dilation, the input gradient is the "full"
 * correlation of dy with the filter turned 180 degrees and its in and out
 * channels swapped: dx[n, i, j, ci] = sum over a, b, co of
 * dyPad[n, i + a, j + b, co] * f[KH-1-a, KW-1-b, ci, co], where dy is
 * padded by KH-1-top rows above and KH-1-bottom below (likewise for
 * columns). That convolution is our direct kernel (./conv2d.ts), or
 * XNNPACK for channel counts it does not take. Strided or dilated
 * convolutions, which gridsweep's networks do not have, still go to wasm's
 * own kernel.
 */
import type {
  Conv2DBackpropInputAttrs,
  KernelBackend,
  KernelFunc,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs';

import type { Tf } from '../backend.js';
import { kernelRunner, replaceWasmKernel } from './runner.js';
import { simdKernels } from './simd.js';

const KERNEL = 'Conv2DBackpropInput';

/** Replaces wasm's own kernel (idempotent). */
export function registerWasmConv2DBackpropInput(tf: Tf): void {
  replaceWasmKernel(tf, KERNEL, (original) => createKernelFunc(tf, original));
}

function createKernelFunc(tf: Tf, original: KernelFunc): KernelFunc {
  return (args) => {
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    const { dy, filter } = args.inputs as NamedTensorInfoMap;
    if (dy === undefined || filter === undefined) {
      throw new Error(`${KERNEL}: expected inputs dy and filter`);
    }
    const strides = typeof attrs.strides === 'number' ? [attrs.strides] : attrs.strides;
    if (attrs.dataFormat === 'NCHW' || strides.some((s) => s !== 1)) {
      return original(args);
    }
    return asForwardConv(tf, args.backend as KernelBackend, dy, filter, attrs);
  };
}

function asForwardConv(
  tf: Tf,
  backend: KernelBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: Conv2DBackpropInputAttrs,
): TensorInfo {
  const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    1,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { top, bottom, left, right } = info.padInfo;
  const run = kernelRunner(tf, backend);

  const simd = simdKernels(backend);
  const turned = simd.output([kh, kw, cout, cin]);
  simd.turnFilter(simd.offset(filter), simd.offset(turned), kh, kw, cin, cout);

  const dx = run.one('Conv2D', { x: dy, filter: turned }, {
    strides: [1, 1],
    pad: [[0, 0], [kh - 1 - top, kh - 1 - bottom], [kw - 1 - left, kw - 1 - right], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [1, 1],
  });
  run.free(turned);
  return dx;
}
