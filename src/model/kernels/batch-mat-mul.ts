/**
 * BatchMatMul with a transposed operand, for wasm: the operand is
 * transposed first and wasm's own kernel multiplies without transposes,
 * its fast path (XNNPACK). With transposeA or transposeB wasm takes a slow
 * loop: the dense layer's two gradients (seed network, 64 px: [32, 2304]
 * by [32, 64], and [32, 64] by [2304, 64]) took 5 ms each against 1.5 ms
 * for the forward product of the same size.
 */
import type {
  BatchMatMulAttrs,
  KernelBackend,
  KernelFunc,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs';

import type { Tf } from '../backend.js';
import { kernelRunner, replaceWasmKernel } from './runner.js';

const KERNEL = 'BatchMatMul';

/** Replaces wasm's own kernel (idempotent). */
export function registerWasmBatchMatMul(tf: Tf): void {
  replaceWasmKernel(tf, KERNEL, (original) => createKernelFunc(tf, original));
}

function createKernelFunc(tf: Tf, original: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as NamedTensorInfoMap;
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    if (a === undefined || b === undefined) {
      throw new Error(`${KERNEL}: expected inputs a and b`);
    }
    if (!transposeA && !transposeB) return original(args);

    const run = kernelRunner(tf, args.backend as KernelBackend);
    const owned: TensorInfo[] = [];
    const upright = (t: TensorInfo, transposed: boolean) => {
      if (!transposed) return t;
      const perm = t.shape.map((_, i) => i);
      perm.push(...perm.splice(-2).reverse());
      const out = run.one('Transpose', { x: t }, { perm });
      owned.push(out);
      return out;
    };
    try {
      return original({
        ...args,
        inputs: { a: upright(a, transposeA), b: upright(b, transposeB) },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of owned) run.free(t);
    }
  };
}
