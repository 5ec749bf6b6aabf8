import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { loadBackend, type Tf } from '../../src/model/backend.js';
import { checkImageSet, makeBatch } from '../../src/train/batches.js';

describe('makeBatch', () => {
  let tf: Tf;
  before(async () => {
    ({ tf } = await loadBackend('wasm'));
  });

  const set = {
    size: 1,
    count: 3,
    pixels: Uint8Array.from([0, 0, 0, 255, 255, 255, 51, 102, 204]),
    labels: Int32Array.from([2, 0, 1]),
  };

  test('scales the chosen rows to [0, 1] and one-hot encodes their labels', () => {
    const { x, y } = makeBatch(tf, set, [2, 1], 3);
    assert.deepEqual(x.shape, [2, 1, 1, 3]);
    assert.deepEqual(Array.from(x.dataSync()), [0.2, 0.4, 0.8, 1, 1, 1].map(Math.fround));
    assert.deepEqual(Array.from(y.dataSync()), [0, 1, 0, 1, 0, 0]);
    tf.dispose([x, y]);
  });

  test('a label outside the classes is refused, naming the image', () => {
    assert.throws(
      () => checkImageSet(set, 1, 2, 'training'),
      /training images: label 2 of image 0 is outside 0\.\.1/,
    );
  });
});
