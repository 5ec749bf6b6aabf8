import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { loadBackend, type Tf } from '../../src/model/backend.js';
import { assertClose, assertNoLeaksOnWasm, values } from './conv-cases.js';

type PoolCase = {
  x: [number, number, number, number];
  size: number;
  stride: number;
  pad: 'same' | 'valid';
};

const CASES: PoolCase[] = [
  { x: [2, 8, 8, 4], size: 2, stride: 2, pad: 'valid' },
  { x: [3, 9, 7, 5], size: 2, stride: 2, pad: 'valid' },
  { x: [2, 7, 9, 3], size: 3, stride: 1, pad: 'same' },
  { x: [2, 10, 11, 8], size: 3, stride: 2, pad: 'same' },
  { x: [1, 6, 6, 1], size: 2, stride: 1, pad: 'valid' },
  { x: [4, 31, 31, 16], size: 2, stride: 2, pad: 'valid' },
];

/**
 * The gradient of sum(maxPool(relu(x)) * dy): after the ReLU about half
 * the inputs are 0, so many windows hold several equal maxima.
 */
function poolGradient(tf: Tf, c: PoolCase): Float32Array {
  return tf.tidy(() => {
    const x = tf.relu(tf.tensor4d(values(c.x.reduce((a, b) => a * b), 4), c.x));
    const pool = (t: typeof x) => tf.maxPool(t, c.size, c.stride, c.pad);
    const dy = tf.tensor(values(pool(x).size, 5), pool(x).shape);
    const dx = tf.grad((t) => pool(t as typeof x))(x, dy);
    return dx.dataSync() as Float32Array;
  });
}

describe('the wasm MaxPoolGrad kernel', () => {
  let tf: Tf;
  before(async () => {
    ({ tf } = await loadBackend('wasm'));
  });

  for (const c of CASES) {
    const label = `x ${c.x.join('x')}, pool ${c.size}, stride ${c.stride}, ${c.pad}`;
    test(`matches cpu, ties included, for ${label}`, async () => {
      await tf.setBackend('cpu');
      const expected = poolGradient(tf, c);
      await tf.setBackend('wasm');
      assertClose(poolGradient(tf, c), expected);
    });
  }

  test('matches cpu on windows with NaN, -Infinity, -0 and ties', async () => {
    const windows = [
      [NaN, 1, 1, 0], [-Infinity, -Infinity, -Infinity, -Infinity], [-0, 0, 0, -0],
      [NaN, NaN, NaN, NaN], [2, NaN, 2, 3], [-1, -Infinity, -1, NaN],
      [5, 5, 5, 5], [0, 0, 0, 7],
    ];
    // Two 2x2 windows side by side, four channels: [1, 2, 4, 4].
    const x = new Float32Array(32);
    windows.forEach((w, i) => {
      const [channel, window] = [i % 4, Math.floor(i / 4)];
      w.forEach((v, k) => {
        const [row, col] = [Math.floor(k / 2), (k % 2) + 2 * window];
        x[(row * 4 + col) * 4 + channel] = v;
      });
    });
    const gradient = () =>
      tf.tidy(() => {
        const input = tf.tensor4d(x, [1, 2, 4, 4]);
        const dy = tf.tensor4d(Float32Array.from({ length: 8 }, (_, i) => i + 1), [1, 1, 2, 4]);
        const grad = tf.grad((t) => tf.maxPool(t as typeof input, 2, 2, 'valid'))(input, dy);
        return Array.from(grad.dataSync());
      });
    await tf.setBackend('cpu');
    const expected = gradient();
    await tf.setBackend('wasm');
    assert.deepEqual(gradient(), expected);
  });

  test('leaves no tensors or backend buffers behind', async () => {
    await assertNoLeaksOnWasm(tf, () => poolGradient(tf, CASES[0]!));
  });
});
