import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { loadBackend, type Tf } from '../../src/model/backend.js';
import { assertClose, convCases, convLabel, values, type ConvCase } from './conv-cases.js';

/** The filter gradient of sum(conv2d(x, f) * dy), on the current backend. */
function filterGradient(tf: Tf, c: ConvCase): Float32Array {
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

  for (const c of convCases()) {
    test(`matches cpu for ${convLabel(c)}`, async () => {
      await tf.setBackend('cpu');
      const expected = filterGradient(tf, c);
      await tf.setBackend('wasm');
      assertClose(filterGradient(tf, c), expected);
    });
  }

  test('leaves no tensors or backend buffers behind', async () => {
    await tf.setBackend('wasm');
    const c = convCases()[3]!;
    filterGradient(tf, c);
    const before = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    filterGradient(tf, c);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(tf.backend().numDataIds(), buffers);
  });
});
