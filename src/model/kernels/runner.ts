/**
 * What gridsweep's wasm kernels share: calling other wasm kernels on
 * TensorInfos, and putting a kernel in place of one wasm ships.
 */
import type {
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs';

import type { Tf } from '../backend.js';

export const BACKEND = 'wasm';

export interface KernelRunner {
  one(name: string, inputs: NamedTensorInfoMap, attrs: object): TensorInfo;
  free(info: TensorInfo): void;
}

/**
 * Calls other wasm kernels directly on TensorInfos: no engine tensors, no
 * tape, so intermediates are freed by hand.
 */
export function kernelRunner(tf: Tf, backend: KernelBackend): KernelRunner {
  return {
    one(name, inputs, attrs) {
      const out = tf.getKernel(name, BACKEND).kernelFunc({
        inputs,
        backend,
        attrs: attrs as NamedAttrMap,
      });
      if (Array.isArray(out)) throw new Error(`${name}: expected one output`);
      return out;
    },
    free(info) {
      backend.disposeData(info.dataId);
    },
  };
}

export function hasKernel(tf: Tf, kernelName: string): boolean {
  // getKernel returns undefined for a missing kernel despite its type.
  return (
    (tf.getKernel(kernelName, BACKEND) as KernelConfig | undefined) !== undefined
  );
}

/** Our replacements, by kernel name: replacing twice must change nothing. */
const replacements = new Map<string, KernelConfig>();

/**
 * Puts `make(original)` in place of wasm's own kernel, keeping the
 * original's setup (run when the backend starts) so that the replacement
 * can fall back to it for the cases it does not handle. Idempotent.
 */
export function replaceWasmKernel(
  tf: Tf,
  kernelName: string,
  make: (original: KernelFunc) => KernelFunc,
): void {
  const current = tf.getKernel(kernelName, BACKEND) as KernelConfig | undefined;
  if (current === undefined) {
    throw new Error(`wasm has no ${kernelName} kernel to replace`);
  }
  if (current === replacements.get(kernelName)) return;

  const config: KernelConfig = {
    kernelName,
    backendName: BACKEND,
    kernelFunc: make(current.kernelFunc),
    ...(current.setupFunc ? { setupFunc: current.setupFunc } : {}),
    ...(current.disposeFunc ? { disposeFunc: current.disposeFunc } : {}),
  };
  tf.unregisterKernel(kernelName, BACKEND);
  tf.registerKernel(config);
  replacements.set(kernelName, config);
}
