/**
 * Conv2DBackpropFilter for the wasm backend, which ships without it (tfjs
 * 4.22): without this kernel no convolution can be trained on wasm.
 *
 * dW[i, j, c, o] = sum over n, y, x of
 * x[n, y*s + i - padTop, x*s + j - padLeft, c] * dy[n, y, x, o], computed
 * by a SIMD kernel (wasm/conv2d_backprop_filter.c) reading x and dy in
 * place, 4 input by 8 output channels at a time in registers, image by
 * image, the images' sums added in double.
 *
 * Measured on the seed network's three layers (64 px, batch 32, 2-core
 * machine), in ms per step: this kernel 3.1 + 6.9 + 5.1. Before it, the
 * gradient was a convolution of x seen as [Cin, H, W, N] with dy seen as
 * the filter [OH, OW, N, Cout] (XNNPACK): 21.7 + 18.0 + 11.2, most of it
 * transposing and packing that huge filter on every call. Earlier still,
 * im2col with a BatchMatMul took 151 + 121 + 72 and wasm's
 * Conv3DBackpropFilterV2 147 + 688 + 157 (and was wrong for stride 2).
 */
import type {
  Conv2DBackpropFilterAttrs,
  KernelBackend,
  KernelConfig,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs';

import type { Tf } from '../backend.js';
import { BACKEND, hasKernel } from './runner.js';
import { convGeometry, simdKernels } from './simd.js';

const KERNEL = 'Conv2DBackpropFilter';

/** Registers the kernel for wasm unless it is there already (idempotent). */
export function registerWasmConv2DBackpropFilter(tf: Tf): void {
  if (hasKernel(tf, KERNEL)) return;
  tf.registerKernel(createConv2DBackpropFilterKernel(tf));
}

/** The kernel's config, exported for tests that compare it with cpu. */
export function createConv2DBackpropFilterKernel(tf: Tf): KernelConfig {
  return {
    kernelName: KERNEL,
    backendName: BACKEND,
    kernelFunc: ({ inputs, backend, attrs }) =>
      conv2DBackpropFilter(
        tf,
        inputs as NamedTensorInfoMap,
        backend as KernelBackend,
        attrs as unknown as Conv2DBackpropFilterAttrs,
      ),
  };
}

function conv2DBackpropFilter(
  tf: Tf,
  inputs: NamedTensorInfoMap,
  backend: KernelBackend,
  attrs: Conv2DBackpropFilterAttrs,
): TensorInfo {
  const { x, dy } = inputs;
  if (x === undefined || dy === undefined) {
    throw new Error(`${KERNEL}: expected inputs x and dy`);
  }
  if (attrs.dataFormat === 'NCHW') {
    // Layers always convolves NHWC on this path; NCHW would need two
    // more transposes and nothing in gridsweep produces it.
    throw new Error(`${KERNEL} on wasm: dataFormat NCHW is not supported`);
  }

  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const simd = simdKernels(backend);
  const dw = simd.output(attrs.filterShape);
  const doubles = tf.util.sizeFromShape(attrs.filterShape);

  simd.withScratch(doubles * 8, (totals) =>
    simd.conv2dBackpropFilter(
      simd.offset(x),
      simd.offset(dy),
      simd.offset(dw),
      totals,
      ...convGeometry(info),
    ),
  );
  return dw;
}
