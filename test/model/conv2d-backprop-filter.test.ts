import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { loadBackend, type Tf } from '../../src/model/backend.js';
import { createRandom } from '../../src/random.js';

type Case = {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
};

function cases(): Case[] {
  const shapes: Pick<Case, 'x' | 'filter'>[] = [
    { x: [2, 7, 9, 3], filter: [3, 3, 3, 4] },
    { x: [3, 8, 8, 5], filter: [3, 3, 5, 6] },
    { x: [1, 10, 6, 4], filter: [2, 3, 4, 2] },
    { x: [4, 11, 13, 8], filter: [3, 3, 8, 16] },
  ];
  return shapes.flatMap((shape) =>
    [1, 2].flatMap((stride) =>
      (['same', 'valid'] as const).map((pad) => ({ ...shape, stride, pad })),
    ),
  );
}

function values(length: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length }, () => random.range(-1, 1));
}

/** The filter gradient of sum(conv2d(x, f) * dy), on the current backend. */
function filterGradient(tf: Tf, c: Case): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(values(c.x.reduce((a, b) => a * b), 1), c.x);
    const f = tf.tensor4d(values(c.filter.reduce((a, b) => a * b), 2), c.filter);
    const out = tf.conv2d(x, f, c.stride, c.pad);
    const dy = tf.tensor(values(out.size, 3), out.shape);
    const [, df] = tf.grads((a, b) => tf.conv2d(a as typeof x, b as typeof f, c.stride, c.pad))(
      [x, f],
      dy,
    );
    return df!.dataSync() as Float32Array;
  });
}

describe('the wasm Conv2DBackpropFilter kernel', () => {
  let tf: Tf;
  before(async () => {
    ({ tf } = await loadBackend('wasm'));
  });

  for (const c of cases()) {
    const label = `x ${c.x.join('x')}, filter ${c.filter.join('x')}`;
    test(`matches cpu for ${label}, stride ${c.stride}, ${c.pad}`, async () => {
      await tf.setBackend('cpu');
      const expected = filterGradient(tf, c);
      await tf.setBackend('wasm');
      const actual = filterGradient(tf, c);

      assert.equal(actual.length, expected.length);
      const scale = Math.max(...expected.map(Math.abs));
      const worst = Math.max(...actual.map((v, i) => Math.abs(v - expected[i]!)));
      assert.ok(worst <= 1e-5 * Math.max(1, scale), `max difference ${worst}, scale ${scale}`);
    });
  }

  test('leaves no tensors or backend buffers behind', async () => {
    await tf.setBackend('wasm');
    const c = cases()[3]!;
    filterGradient(tf, c);
    const before = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    filterGradient(tf, c);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(tf.backend().numDataIds(), buffers);
  });
});
