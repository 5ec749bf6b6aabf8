import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

const WASM = 'src/model/kernels/wasm/kernels.wasm';

/** What the test uses of the WebAssembly API (@types/node 20 lacks it). */
interface WebAssemblyApi {
  Module: {
    new (bytes: Uint8Array): object;
    imports(module: object): { module: string; name: string; kind: string }[];
    exports(module: object): { name: string; kind: string }[];
  };
}
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: WebAssemblyApi };

/** The ids of a WebAssembly binary's sections, in order. */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  for (let at = 8; at < bytes.length; ) {
    ids.push(bytes[at]!);
    at += 1;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at]!;
      at += 1;
      size |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    at += size;
  }
  return ids;
}

describe('the committed SIMD kernels module', () => {
  const bytes = new Uint8Array(readFileSync(WASM));

  test('imports only the backend memory and exports the kernels', () => {
    const module = new wasm.Module(bytes);
    assert.deepEqual(wasm.Module.imports(module), [
      { module: 'env', name: 'memory', kind: 'memory' },
    ]);
    assert.deepEqual(
      wasm.Module.exports(module).map((e) => e.name).sort(),
      [
        '__stack_pointer', 'add_bias', 'conv2d', 'conv2d_backprop_filter',
        'max_pool_grad', 'relu_grad', 'rmsprop_step', 'sum_leading', 'turn_filter',
      ],
    );
  });

  test('has no data segment, which would overwrite the backend memory', () => {
    const DATA = 11;
    const DATA_COUNT = 12;
    const ids = sectionIds(bytes);
    assert.ok(ids.includes(10), 'a code section was found');
    assert.ok(!ids.includes(DATA) && !ids.includes(DATA_COUNT), `sections ${ids.join(', ')}`);
  });
});
