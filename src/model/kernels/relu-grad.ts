/**
 * ReLU's gradient on wasm as one kernel. tfjs computes it as
 * dy * cast(step(x)): a Step and a Multiply, two passes over the largest
 * activations of the network (the seed network's first layer at 64 px,
 * batch 32: 8 MB each). The kernel (wasm/relu_grad.c) does the same float32
 * multiplication in one pass.
 *
 * Gradients are registered per kernel name, not per backend, so ReLU's
 * gradient is replaced for every backend, and on any other backend than
 * wasm it runs tfjs' own gradient function unchanged.
 */
import type { GradConfig, KernelBackend, NamedTensorInfoMap, Tensor } from '@tensorflow/tfjs';

import type { Tf } from '../backend.js';
import { BACKEND, hasKernel } from './runner.js';
import { simdKernels } from './simd.js';

const KERNEL = 'GridsweepReluGrad';

let replaced: GradConfig | undefined;

/** Registers the kernel and ReLU's gradient (idempotent). */
export function registerWasmReluGrad(tf: Tf): void {
  if (!hasKernel(tf, KERNEL)) {
    tf.registerKernel({
      kernelName: KERNEL,
      backendName: BACKEND,
      kernelFunc: ({ inputs, backend }) => {
        const { dy, x } = inputs as NamedTensorInfoMap;
        if (dy === undefined || x === undefined) {
          throw new Error(`${KERNEL}: expected inputs dy and x`);
        }
        const simd = simdKernels(backend as KernelBackend);
        const out = simd.output(x.shape);
        const size = tf.util.sizeFromShape(x.shape);
        simd.reluGrad(simd.offset(dy), simd.offset(x), simd.offset(out), size);
        return out;
      },
    });
  }

  const current = tf.getGradient('Relu');
  if (current === replaced) return;
  const original = current;
  replaced = {
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const wasm = tf.getBackend() === BACKEND && x!.dtype === 'float32';
      if (!wasm) return original.gradFunc(dy, saved, attrs);
      return {
        x: () => tf.engine().runKernel(KERNEL, { dy: dy as Tensor, x: x! }) as Tensor,
      };
    },
  };
  tf.registerGradient(replaced);
}
