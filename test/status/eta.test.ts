import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { EpochPace, estimateEta, mayStopEarly } from '../../src/status/eta.js';

const small = { imageSize: 16, filters: 8, architecture: 'cifar10' } as const;
const large = { imageSize: 64, filters: 8, architecture: 'cifar10' } as const;

describe('estimateEta', () => {
  test('is null before any epoch has been timed', () => {
    assert.equal(estimateEta(new EpochPace(), [{ shape: small, epochs: 5 }], 2, false), null);
  });

  test('prices each trial at the pace of its own shape, shared among the workers', () => {
    const pace = new EpochPace();
    pace.add(small, 1);
    pace.add(large, 12, 3);
    const eta = estimateEta(
      pace,
      [
        { shape: small, epochs: 10 },
        { shape: large, epochs: 2 },
        { shape: small, epochs: 10 },
        { shape: large, epochs: 0 },
      ],
      2,
      false,
    );
    assert.deepEqual(eta, { seconds: 14, upperBound: false, guessed: 0, epochs: 22, trials: 3 });
  });

  test('is never shorter than the longest trial, which one worker trains alone', () => {
    const pace = new EpochPace();
    pace.add(small, 2);
    const eta = estimateEta(pace, [{ shape: small, epochs: 50 }], 8, true);
    assert.equal(eta?.seconds, 100);
    assert.equal(eta?.upperBound, true);
  });

  test('counts the trials whose shape it had to guess at the mean pace', () => {
    const pace = new EpochPace();
    pace.add(small, 3);
    const eta = estimateEta(pace, [{ shape: large, epochs: 4 }], 1, false);
    assert.deepEqual([eta?.seconds, eta?.guessed], [12, 1]);
  });
});

describe('mayStopEarly', () => {
  test('is true for patience, median or ASHA, not for divergence alone', () => {
    assert.equal(mayStopEarly({}), false);
    assert.equal(mayStopEarly(undefined), false);
    assert.equal(mayStopEarly({ patience: { epochs: 3 } }), true);
    assert.equal(mayStopEarly({ median: {} }), true);
    assert.equal(mayStopEarly({ asha: {} }), true);
  });
});
