/**
 * gridsweep's WebAssembly SIMD kernels (wasm/*.c), instantiated on
 * the tfjs wasm backend's own memory so that they work on tensors in
 * place: no copies in or out. The compiled module is committed next to its
 * source; `npm run build:wasm` rebuilds it, and nobody installing gridsweep
 * needs a compiler.
 */
import { readFileSync } from 'node:fs';

import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs';

/** The parts of tfjs' BackendWasm these kernels use; not in its types. */
interface WasmBackend {
  wasm: {
    asm: { memory: unknown };
    _malloc(bytes: number): number;
    _free(pointer: number): void;
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

export interface SimdKernels {
  maxPoolGrad(...args: number[]): void;
  sumLeading(...args: number[]): void;
  conv2dBackpropFilter(...args: number[]): void;
  addBias(...args: number[]): void;
  rmspropStep(...args: number[]): void;
  conv2d(...args: number[]): void;
  turnFilter(...args: number[]): void;
  reluGrad(...args: number[]): void;
  /** Byte offset of a tensor's data in the shared memory. */
  offset(info: TensorInfo): number;
  /** A new float32 tensor on the backend, its data uninitialised. */
  output(shape: number[]): TensorInfo;
  /** Scratch memory from the backend's allocator, freed after `work`. */
  withScratch<T>(bytes: number, work: (pointer: number) => T): T;
}

/** What the C convolutions need to know of a convolution's shape. */
export interface ConvGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padInfo: { top: number; left: number };
}

/** The shape arguments of conv2d and conv2d_backprop_filter, in C order. */
export function convGeometry(info: ConvGeometry): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

/** The WebAssembly API used here (@types/node 20 does not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
}
const { WebAssembly: wasmApi } = globalThis as unknown as { WebAssembly: WebAssemblyApi };

const MODULE_URL = new URL('../../../../src/model/kernels/wasm/kernels.wasm', import.meta.url);
const STACK_BYTES = 64 * 1024;

let compiled: object | undefined;
const instances = new WeakMap<object, SimdKernels>();

/** The kernels for one backend instance, created on first use. */
export function simdKernels(backend: KernelBackend): SimdKernels {
  let kernels = instances.get(backend);
  if (kernels === undefined) {
    kernels = instantiate(backend as unknown as WasmBackend);
    instances.set(backend, kernels);
  }
  return kernels;
}

function instantiate(backend: WasmBackend): SimdKernels {
  compiled ??= new wasmApi.Module(readFileSync(MODULE_URL));
  const instance = new wasmApi.Instance(compiled, {
    env: { memory: backend.wasm.asm.memory },
  });
  const { exports } = instance;

  // The module has no stack in its own layout: give it one the backend's
  // allocator will never hand out (the stack grows down from its top).
  const stack = backend.wasm._malloc(STACK_BYTES);
  (exports.__stack_pointer as { value: number }).value = stack + STACK_BYTES;

  const call = (name: string) => exports[name] as (...args: number[]) => void;
  return {
    maxPoolGrad: call('max_pool_grad'),
    sumLeading: call('sum_leading'),
    conv2dBackpropFilter: call('conv2d_backprop_filter'),
    addBias: call('add_bias'),
    rmspropStep: call('rmsprop_step'),
    conv2d: call('conv2d'),
    turnFilter: call('turn_filter'),
    reluGrad: call('relu_grad'),
    offset(info) {
      const data = backend.dataIdMap.get(info.dataId);
      if (data === undefined) throw new Error('tensor data is not on the wasm backend');
      return data.memoryOffset;
    },
    output: (shape) => backend.makeOutput(shape, 'float32'),
    withScratch(bytes, work) {
      const pointer = backend.wasm._malloc(bytes);
      try {
        return work(pointer);
      } finally {
        backend.wasm._free(pointer);
      }
    },
  };
}
