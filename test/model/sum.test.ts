import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { loadBackend, type Tf } from '../../src/model/backend.js';
import { assertClose, values } from './conv-cases.js';

type SumCase = { shape: number[]; axis: number[]; keepDims: boolean };

const CASES: SumCase[] = [
  { shape: [32, 62, 62, 16], axis: [0, 1, 2], keepDims: false },
  { shape: [4, 5, 6, 7], axis: [2, 0, 1], keepDims: true },
  { shape: [9, 3], axis: [0], keepDims: false },
  { shape: [9, 10], axis: [-2], keepDims: false },
  { shape: [5, 6, 7], axis: [0, 1], keepDims: false },
  // Not leading axes, and all axes: wasm's own kernel.
  { shape: [4, 5, 6], axis: [1, 2], keepDims: false },
  { shape: [4, 5, 6], axis: [0, 1, 2], keepDims: false },
];

function sum(tf: Tf, c: SumCase): { data: Float32Array; shape: number[] } {
  return tf.tidy(() => {
    const x = tf.tensor(values(c.shape.reduce((a, b) => a * b), 6), c.shape);
    const out = tf.sum(x, c.axis, c.keepDims);
    return { data: out.dataSync() as Float32Array, shape: out.shape };
  });
}

describe('the wasm Sum kernel', () => {
  let tf: Tf;
  before(async () => {
    ({ tf } = await loadBackend('wasm'));
  });

  for (const c of CASES) {
    const label = `[${c.shape.join(', ')}] over [${c.axis.join(', ')}]`;
    test(`matches cpu for ${label}${c.keepDims ? ', dims kept' : ''}`, async () => {
      await tf.setBackend('cpu');
      const expected = sum(tf, c);
      await tf.setBackend('wasm');
      const actual = sum(tf, c);
      assert.deepEqual(actual.shape, expected.shape);
      assertClose(actual.data, expected.data);
    });
  }

  test('integers still sum exactly', async () => {
    await tf.setBackend('wasm');
    const total = tf.tidy(() => tf.sum(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), 0));
    assert.equal(total.dtype, 'int32');
    assert.deepEqual(Array.from(total.dataSync()), [4, 6]);
    total.dispose();
  });
});
