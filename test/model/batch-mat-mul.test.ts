import { before, describe, test } from 'node:test';

import { loadBackend, type Tf } from '../../src/model/backend.js';
import { assertClose, assertNoLeaksOnWasm, values } from './conv-cases.js';

type MatMulCase = { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean };

const CASES: MatMulCase[] = [
  { a: [32, 2304], b: [32, 64], transposeA: true, transposeB: false },
  { a: [32, 64], b: [2304, 64], transposeA: false, transposeB: true },
  { a: [7, 5], b: [3, 7], transposeA: true, transposeB: true },
  { a: [2, 4, 3], b: [2, 4, 5], transposeA: true, transposeB: false },
  { a: [6, 5], b: [5, 4], transposeA: false, transposeB: false },
];

function product(tf: Tf, c: MatMulCase): Float32Array {
  return tf.tidy(() => {
    const a = tf.tensor(values(c.a.reduce((x, y) => x * y), 7), c.a);
    const b = tf.tensor(values(c.b.reduce((x, y) => x * y), 8), c.b);
    return tf.matMul(a, b, c.transposeA, c.transposeB).dataSync() as Float32Array;
  });
}

describe('the wasm BatchMatMul kernel', () => {
  let tf: Tf;
  before(async () => {
    ({ tf } = await loadBackend('wasm'));
  });

  for (const c of CASES) {
    const label =
      `[${c.a.join(', ')}]${c.transposeA ? 'ᵀ' : ''} by ` +
      `[${c.b.join(', ')}]${c.transposeB ? 'ᵀ' : ''}`;
    test(`matches cpu for ${label}`, async () => {
      await tf.setBackend('cpu');
      const expected = product(tf, c);
      await tf.setBackend('wasm');
      assertClose(product(tf, c), expected);
    });
  }

  test('leaves no tensors or backend buffers behind', async () => {
    await assertNoLeaksOnWasm(tf, () => product(tf, CASES[2]!));
  });
});
