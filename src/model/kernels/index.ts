/**
 * gridsweep's wasm kernels: one wasm lacks for training, and faster ones
 * in place of some wasm ships. Each is tested against the cpu backend.
 */
import type { Tf } from '../backend.js';
import { registerWasmBatchMatMul } from './batch-mat-mul.js';
import { registerWasmBiasAdd } from './bias-add.js';
import { registerWasmConv2D } from './conv2d.js';
import { registerWasmConv2DBackpropFilter } from './conv2d-backprop-filter.js';
import { registerWasmConv2DBackpropInput } from './conv2d-backprop-input.js';
import { registerWasmIdentity } from './identity.js';
import { registerWasmMaxPoolGrad } from './max-pool-grad.js';
import { registerWasmReluGrad } from './relu-grad.js';
import { registerWasmRmspropStep } from './rmsprop.js';
import { registerWasmSum } from './sum.js';

/** Call before the wasm backend starts; calling again changes nothing. */
export function registerWasmKernels(tf: Tf): void {
  registerWasmConv2DBackpropFilter(tf);
  registerWasmConv2DBackpropInput(tf);
  registerWasmMaxPoolGrad(tf);
  registerWasmSum(tf);
  registerWasmIdentity(tf);
  registerWasmBatchMatMul(tf);
  registerWasmBiasAdd(tf);
  registerWasmRmspropStep(tf);
  registerWasmConv2D(tf);
  registerWasmReluGrad(tf);
}
