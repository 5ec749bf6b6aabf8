/**
 * One RMSprop step for a variable as a single wasm kernel (wasm/rmsprop.c)
 * instead of nine tensor operations and three scalar uploads. Over the
 * seed network's ten variables that is about a hundred kernel calls per
 * training step fewer, which matters most for small images, where a step
 * is a few milliseconds. The arithmetic is the optimizer's own, in the
 * same float32 operations and order.
 *
 * The optimizer uses this kernel where the backend has it (wasm) and its
 * tensor operations elsewhere.
 */
import type {
  KernelBackend,
  NamedTensorInfoMap,
  Tensor,
  TensorInfo,
} from '@tensorflow/tfjs';

import type { Tf } from '../backend.js';
import { BACKEND, hasKernel } from './runner.js';
import { simdKernels } from './simd.js';

export const RMSPROP_STEP = 'GridsweepRMSPropStep';

export interface RmspropStepAttrs {
  learningRate: number;
  rho: number;
  epsilon: number;
}

/** Registers the kernel for wasm (idempotent). */
export function registerWasmRmspropStep(tf: Tf): void {
  if (hasKernel(tf, RMSPROP_STEP)) return;
  tf.registerKernel({
    kernelName: RMSPROP_STEP,
    backendName: BACKEND,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { value, grad, meanSquare } = inputs as NamedTensorInfoMap;
      return step(
        backend as KernelBackend,
        [value, grad, meanSquare],
        attrs as unknown as RmspropStepAttrs,
      );
    },
  });
}

/** Whether the current backend has the kernel. */
export function canStepRmsprop(tf: Tf): boolean {
  return tf.getBackend() === BACKEND && hasKernel(tf, RMSPROP_STEP);
}

/** [new value, new mean square] of one variable; the caller disposes them. */
export function rmspropStep(
  tf: Tf,
  inputs: { value: Tensor; grad: Tensor; meanSquare: Tensor },
  attrs: RmspropStepAttrs,
): [Tensor, Tensor] {
  return tf.engine().runKernel(RMSPROP_STEP, inputs, { ...attrs }) as unknown as [
    Tensor,
    Tensor,
  ];
}

function step(
  backend: KernelBackend,
  [value, grad, meanSquare]: (TensorInfo | undefined)[],
  { learningRate, rho, epsilon }: RmspropStepAttrs,
): TensorInfo[] {
  if (value === undefined || grad === undefined || meanSquare === undefined) {
    throw new Error(`${RMSPROP_STEP}: expected inputs value, grad and meanSquare`);
  }
  const simd = simdKernels(backend);
  const newValue = simd.output(value.shape);
  const newMeanSquare = simd.output(value.shape);
  simd.rmspropStep(
    simd.offset(value),
    simd.offset(grad),
    simd.offset(meanSquare),
    simd.offset(newValue),
    simd.offset(newMeanSquare),
    value.shape.reduce((a, b) => a * b, 1),
    learningRate,
    rho,
    // As the tensor version computes it: in double, then stored as float32.
    1 - rho,
    epsilon,
  );
  return [newValue, newMeanSquare];
}
