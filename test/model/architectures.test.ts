import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { ARCHITECTURES } from '../../src/experiment/schema.js';
import {
  buildModel,
  countParameters,
  minImageSize,
} from '../../src/model/architectures.js';
import { loadBackend, type Tf } from '../../src/model/backend.js';
import { trialParams } from './params.js';

describe('architectures', () => {
  let tf: Tf;
  before(async () => {
    ({ tf } = await loadBackend('wasm'));
  });

  test('the smallest usable inputs are 22 px for seed and 10 px for cifar10', () => {
    assert.equal(minImageSize('seed'), 22);
    assert.equal(minImageSize('cifar10'), 10);
  });

  for (const architecture of ARCHITECTURES) {
    test(`${architecture} builds for every size from its minimum, with C outputs`, () => {
      const min = minImageSize(architecture);
      for (const imageSize of [min, min + 1, min + 2, min + 3, 33, 64]) {
        const params = trialParams({ architecture, imageSize, filters: 4 });
        const model = buildModel(tf, params, 5);
        assert.deepEqual(model.inputs[0]?.shape, [null, imageSize, imageSize, 3]);
        assert.deepEqual(model.outputs[0]?.shape, [null, 5], `${imageSize} px`);
        assert.equal(model.countParams(), countParameters(architecture, imageSize, 4, 5));
        model.dispose();
      }
    });

    test(`${architecture} predicts probabilities for a batch`, () => {
      const model = buildModel(tf, trialParams({ architecture, imageSize: 24 }), 3);
      const probs = tf.tidy(() => {
        const out = model.predict(tf.zeros([2, 24, 24, 3])) as ReturnType<typeof tf.zeros>;
        return Array.from(tf.sum(out, 1).dataSync());
      });
      model.dispose();
      for (const total of probs) assert.ok(Math.abs(total - 1) < 1e-5);
    });

    test(`${architecture} is refused below its minimum size, naming the minimum`, () => {
      const min = minImageSize(architecture);
      const params = trialParams({ architecture, imageSize: min - 1 });
      assert.throws(() => buildModel(tf, params, 3), new RegExp(`minimum ${min}\\)`));
    });
  }

  test('initial weights depend only on the seed', () => {
    const weights = (seed: number) => {
      const model = buildModel(tf, trialParams({ seed }), 3);
      const values = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return values;
    };
    assert.deepEqual(weights(7), weights(7));
    assert.notDeepEqual(weights(7), weights(8));
  });

  test('the seed network matches the blog post at 32 px, 16 filters, 27 classes', () => {
    // Three convs, then 2 x 2 x 64 features into dense 64, then 27 classes.
    assert.equal(countParameters('seed', 32, 16, 27), 448 + 4640 + 18496 + 16448 + 1755);
  });
});
