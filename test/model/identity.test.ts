import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { loadBackend, type Tf } from '../../src/model/backend.js';

describe('Identity and same-dtype Cast on wasm', () => {
  let tf: Tf;
  before(async () => {
    ({ tf } = await loadBackend('wasm'));
    await tf.setBackend('wasm');
  });

  test('a clone keeps its values after the original is disposed', () => {
    const x = tf.tensor([1, 2, 3]);
    const copy = x.clone();
    const same = tf.cast(x, 'float32');
    x.dispose();
    assert.deepEqual(Array.from(copy.dataSync()), [1, 2, 3]);
    assert.deepEqual(Array.from(same.dataSync()), [1, 2, 3]);
    tf.dispose([copy, same]);
  });

  test('memory is freed once the last sharer is disposed', () => {
    const buffers = tf.backend().numDataIds();
    const x = tf.tensor([1, 2, 3]);
    const copy = x.clone();
    assert.equal(tf.backend().numDataIds(), buffers + 1, 'one buffer for both');
    x.dispose();
    copy.dispose();
    assert.equal(tf.backend().numDataIds(), buffers);
  });

  test('a cast to another dtype still converts', () => {
    const x = tf.tensor([1.7, -2.2, 3]);
    const ints = tf.cast(x, 'int32');
    assert.equal(ints.dtype, 'int32');
    assert.deepEqual(Array.from(ints.dataSync()), [1, -2, 3]);
    tf.dispose([x, ints]);
  });
});
