/**
 * Identity, and Cast to the same dtype, without copying on wasm: the
 * output shares the input's memory, counted by reference, as tfjs' cpu
 * backend does. wasm's own kernels copy, and tfjs clones every tensor it
 * saves for the backward pass through Identity: three full copies of the
 * first layer's activations per training step (seed network, 64 px, batch
 * 32: 8 MB each, about 1 ms each), and a Cast of the ReLU mask that changes
 * nothing. Sharing is safe because no kernel writes into its inputs.
 */
import type {
  CastAttrs,
  KernelBackend,
  KernelFunc,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs';

import type { Tf } from '../backend.js';
import { replaceWasmKernel } from './runner.js';

/** Replaces wasm's Identity and Cast (idempotent). */
export function registerWasmIdentity(tf: Tf): void {
  replaceWasmKernel(tf, 'Identity', (original) => (args) => {
    const { x } = args.inputs as NamedTensorInfoMap;
    if (x === undefined || x.dtype === 'string') return original(args);
    return share(args.backend as KernelBackend, x);
  });
  replaceWasmKernel(tf, 'Cast', (original): KernelFunc => (args) => {
    const { x } = args.inputs as NamedTensorInfoMap;
    const { dtype } = args.attrs as unknown as CastAttrs;
    if (x === undefined || x.dtype !== dtype || dtype === 'string') return original(args);
    return share(args.backend as KernelBackend, x);
  });
}

function share(backend: KernelBackend, x: TensorInfo): TensorInfo {
  (backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
