import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { InputError } from '../../src/errors.js';
import { findMetric } from '../../src/query/metrics.js';
import { findParam } from '../../src/query/params.js';

describe('names of grid parameters and metrics', () => {
  test("a parameter is found by the experiment's name or the column's", () => {
    assert.equal(findParam('learningRate').column, 'learning_rate');
    assert.equal(findParam('learning_rate').name, 'learningRate');
    assert.equal(findParam('batchsize').column, 'batch_size');
  });

  test('an unknown parameter is bad input that lists the valid ones', () => {
    assert.throws(
      () => findParam('lr'),
      (error: unknown) =>
        error instanceof InputError &&
        /unknown grid parameter "lr"; expected one of learningRate \(learning_rate\), imageSize/.test(
          error.message,
        ),
    );
  });

  test('a metric is found by either spelling, and an unknown one is refused', () => {
    assert.equal(findMetric('finalValAcc').name, 'final_val_acc');
    assert.equal(findMetric('min_val_loss').higherIsBetter, false);
    assert.throws(() => findMetric('accuracy'), /--metric: expected one of best_val_acc/);
  });
});
