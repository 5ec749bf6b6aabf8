import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { loadBackend, type Tf } from '../../src/model/backend.js';
import { values } from './conv-cases.js';

type AddCase = { a: number[]; b: number[] };

const CASES: AddCase[] = [
  { a: [32, 30, 30, 16], b: [16] },
  { a: [2, 3, 5], b: [5] },
  { a: [3], b: [4, 3] },
  { a: [7, 6], b: [6] },
  // Not a bias: wasm's own kernel.
  { a: [4, 3], b: [4, 3] },
  { a: [4, 1], b: [3] },
];

function sum(tf: Tf, c: AddCase): { data: Float32Array; shape: number[] } {
  return tf.tidy(() => {
    const a = tf.tensor(values(c.a.reduce((x, y) => x * y), 9), c.a);
    const b = tf.tensor(values(c.b.reduce((x, y) => x * y), 10), c.b);
    const out = tf.add(a, b);
    return { data: out.dataSync() as Float32Array, shape: out.shape };
  });
}

describe('the wasm bias Add kernel', () => {
  let tf: Tf;
  before(async () => {
    ({ tf } = await loadBackend('wasm'));
  });

  for (const c of CASES) {
    test(`equals cpu exactly for [${c.a.join(', ')}] + [${c.b.join(', ')}]`, async () => {
      await tf.setBackend('cpu');
      const expected = sum(tf, c);
      await tf.setBackend('wasm');
      const actual = sum(tf, c);
      assert.deepEqual(actual.shape, expected.shape);
      assert.deepEqual(actual.data, expected.data);
    });
  }
});
