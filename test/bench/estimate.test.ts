import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { estimateSweep, makespan, networkKey } from '../../src/bench/estimate.js';
import type { Trial } from '../../src/experiment/trial.js';
import { trialParams } from '../model/params.js';

function trial(index: number, overrides: Parameters<typeof trialParams>[0]): Trial {
  return { id: `t${index}`, index, params: trialParams(overrides) };
}

describe('makespan', () => {
  test('one worker takes the sum of the trials', () => {
    assert.equal(makespan([3, 1, 2], 1), 6);
  });

  test('each free worker takes the next trial in order', () => {
    // w1: 4, then 1 (free at 4) -> 5; w2: 2, then 3 (free at 2) -> 5.
    assert.equal(makespan([4, 2, 3, 1], 2), 5);
  });

  test('more workers than trials is the longest trial', () => {
    assert.equal(makespan([4, 2], 8), 4);
  });
});

describe('estimateSweep', () => {
  test('scales each trial by its epochs and shares trials among workers', () => {
    const trials = [
      trial(0, { imageSize: 32, filters: 16, epochs: 10 }),
      trial(1, { imageSize: 32, filters: 16, epochs: 20 }),
      trial(2, { imageSize: 64, filters: 16, epochs: 10 }),
    ];
    const times = new Map([
      [networkKey(trials[0]!.params), 0.5],
      [networkKey(trials[2]!.params), 2],
    ]);
    const estimate = estimateSweep(trials, times, { backend: 'wasm', workers: 2 });
    assert.deepEqual(estimate.trialSeconds, [5, 10, 20]);
    assert.equal(estimate.workers, 2);
    assert.equal(estimate.totalSeconds, 25);
  });

  test('networks differing only in learning rate share one timing', () => {
    const a = trialParams({ learningRate: 0.1 });
    const b = trialParams({ learningRate: 0.001 });
    assert.equal(networkKey(a), networkKey(b));
    assert.notEqual(networkKey(a), networkKey({ ...a, batchSize: a.batchSize * 2 }));
  });
});
