import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { loadBackend, type Tf } from '../../src/model/backend.js';
import { assertNoLeaksOnWasm, values } from './conv-cases.js';

/** The gradient of sum(relu(x) * dy), with NaN, infinities and zeros in x. */
function reluGradient(tf: Tf, size: number): number[] {
  return tf.tidy(() => {
    const raw = values(size, 13);
    raw.set([NaN, -0, 0, Infinity, -Infinity, 1e-45, -1e-45], 0);
    const x = tf.tensor1d(raw);
    const dy = tf.tensor1d(values(size, 14).map((v, i) => (i === 1 ? -v : v)));
    return Array.from(tf.grad((t) => tf.relu(t))(x, dy).dataSync());
  });
}

describe('the wasm ReLU gradient', () => {
  let tf: Tf;
  before(async () => {
    ({ tf } = await loadBackend('wasm'));
  });

  test('equals dy * step(x) on cpu exactly, NaN and signed zeros included', async () => {
    for (const size of [7, 8, 1001]) {
      await tf.setBackend('cpu');
      const expected = reluGradient(tf, size);
      await tf.setBackend('wasm');
      assert.deepEqual(reluGradient(tf, size), expected);
    }
  });

  test('leaves no tensors or backend buffers behind', async () => {
    await assertNoLeaksOnWasm(tf, () => reluGradient(tf, 9));
  });
});
