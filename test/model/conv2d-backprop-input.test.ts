import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { loadBackend, type Tf } from '../../src/model/backend.js';
import { assertClose, convCases, convLabel, values, type ConvCase } from './conv-cases.js';

/** The input gradient of sum(conv2d(x, f) * dy), on the current backend. */
function inputGradient(tf: Tf, c: ConvCase): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(values(c.x.reduce((a, b) => a * b), 1), c.x);
    const f = tf.tensor4d(values(c.filter.reduce((a, b) => a * b), 2), c.filter);
    const out = tf.conv2d(x, f, c.stride, c.pad);
    const dy = tf.tensor(values(out.size, 3), out.shape);
    const [dx] = tf.grads((a, b) => tf.conv2d(a as typeof x, b as typeof f, c.stride, c.pad))(
      [x, f],
      dy,
    );
    return dx!.dataSync() as Float32Array;
  });
}

describe('the wasm Conv2DBackpropInput kernel', () => {
  let tf: Tf;
  before(async () => {
    ({ tf } = await loadBackend('wasm'));
  });

  for (const c of convCases()) {
    test(`matches cpu for ${convLabel(c)}`, async () => {
      await tf.setBackend('cpu');
      const expected = inputGradient(tf, c);
      await tf.setBackend('wasm');
      assertClose(inputGradient(tf, c), expected);
    });
  }

  test('matches cpu on the seed network\'s second layer at 64 px', async () => {
    const c: ConvCase = { x: [4, 31, 31, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'valid' };
    await tf.setBackend('cpu');
    const expected = inputGradient(tf, c);
    await tf.setBackend('wasm');
    assertClose(inputGradient(tf, c), expected);
  });

  test('matches cpu with 8 and 64 channels on a 4 px map (the direct kernel)', async () => {
    for (const c of [
      { x: [2, 6, 6, 8], filter: [3, 3, 8, 16], stride: 1, pad: 'valid' },
      { x: [3, 5, 7, 64], filter: [3, 3, 64, 8], stride: 1, pad: 'same' },
    ] as ConvCase[]) {
      await tf.setBackend('cpu');
      const expected = inputGradient(tf, c);
      await tf.setBackend('wasm');
      assertClose(inputGradient(tf, c), expected);
    }
  });

  test('loading the backend again leaves one kernel in place', async () => {
    const kernel = tf.getKernel('Conv2DBackpropInput', 'wasm');
    await loadBackend('wasm');
    assert.equal(tf.getKernel('Conv2DBackpropInput', 'wasm'), kernel);
  });

  test('leaves no tensors or backend buffers behind', async () => {
    await tf.setBackend('wasm');
    const c = convCases()[0]!;
    inputGradient(tf, c);
    const before = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    inputGradient(tf, c);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(tf.backend().numDataIds(), buffers);
  });
});
