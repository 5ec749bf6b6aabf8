/**
 * Conv2DBackpropFilter for the wasm backend, which ships without it (tfjs
 * 4.22): without this kernel no convolution can be trained on wasm.
 *
 * The filter gradient is itself a convolution. With x padded as the forward
 * pass padded it, dW[i, j, c, o] = sum over n, y, x of
 * xPad[n, y*s + i, x*s + j, c] * dy[n, y, x, o], which is a convolution of
 * xPad seen as [Cin, H, W, N] (batch Cin, channels N) with dy seen as the
 * filter [OH, OW, N, Cout], dilated by the forward stride. Its output is
 * [Cin, KH', KW', Cout] with KH' >= KH (a strided forward pass may not reach
 * the last rows), so it is sliced and transposed back to [KH, KW, Cin, Cout].
 *
 * Measured on the seed network's three layers (64 px, batch 32, 2-core
 * machine): this formulation takes 18 + 15 + 9 ms per step; im2col (nine
 * strided slices, a concat and one BatchMatMul with transposeA) takes
 * 151 + 121 + 72 ms, and wasm's own Conv3DBackpropFilterV2 with depth 1
 * takes 147 + 688 + 157 ms and is wrong for stride 2. Both slower ones were
 * dropped. Errors against the cpu backend are float32 summation noise.
 */
import type {
  Conv2DBackpropFilterAttrs,
  KernelBackend,
  KernelConfig,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs';

import type { Tf } from '../backend.js';
import { BACKEND, hasKernel, kernelRunner } from './runner.js';

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
  const [kh, kw, cin, cout] = attrs.filterShape;
  const { top, bottom, left, right } = info.padInfo;
  const run = kernelRunner(tf, backend);

  const padded = run.one('PadV2', { x }, {
    paddings: [[0, 0], [top, bottom], [left, right], [0, 0]],
    constantValue: 0,
  });
  const xT = run.one('Transpose', { x: padded }, { perm: [3, 1, 2, 0] });
  run.free(padded);
  const dyT = run.one('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });

  const full = run.one('Conv2D', { x: xT, filter: dyT }, {
    strides: [1, 1],
    pad: 'valid',
    dataFormat: 'NHWC',
    dilations: [info.strideHeight, info.strideWidth],
  });
  run.free(xT);
  run.free(dyT);

  const cut = run.one('Slice', { x: full }, {
    begin: [0, 0, 0, 0],
    size: [cin, kh, kw, cout],
  });
  run.free(full);
  const dw = run.one('Transpose', { x: cut }, { perm: [1, 2, 0, 3] });
  run.free(cut);
  return dw;
}
