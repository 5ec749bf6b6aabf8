import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { stoppingSchema } from '../../src/experiment/schema.js';
import {
  ashaRungs,
  judgeEpoch,
  quantile,
  type EpochPoint,
  type PeerScores,
} from '../../src/stopping/rules.js';

const policy = (input: object) => stoppingSchema.parse(input);

/** A trial whose validation accuracy follows `accs`, loss 1.0 throughout. */
function history(accs: number[], valLoss = (i: number) => 1 - i * 0.01): EpochPoint[] {
  return accs.map((valAcc, i) => ({ epoch: i + 1, loss: 1, valLoss: valLoss(i), valAcc }));
}

const trial = (accs: number[], maxEpochs = 100) => ({
  epochs: history(accs),
  maxEpochs,
  classes: 10,
});
const noPeers: PeerScores = () => [];
const peersWith = (scores: number[]): PeerScores => () => scores;

describe('divergence', () => {
  test('a loss above lossFactor x ln(classes) diverges, one just below does not', () => {
    const limit = 3 * Math.log(10);
    const at = (loss: number) =>
      judgeEpoch(policy({}), { epochs: [{ epoch: 1, loss, valLoss: 1, valAcc: 0.1 }], maxEpochs: 10, classes: 10 }, noPeers);
    assert.deepEqual(at(limit - 1e-9), []);
    const [decision] = at(limit + 0.01);
    assert.equal(decision!.rule, 'divergence');
    assert.equal(decision!.status, 'diverged');
    assert.equal(decision!.threshold, limit);
    assert.match(decision!.reason, /training loss 6\.918 is above 3 × ln\(10\) = 6\.908/);
  });

  test('NaN and infinite losses diverge', () => {
    for (const loss of [Number.NaN, Infinity]) {
      const [decision] = judgeEpoch(
        policy({}),
        { epochs: [{ epoch: 3, loss, valLoss: 1, valAcc: 0.1 }], maxEpochs: 10, classes: 2 },
        noPeers,
      );
      assert.equal(decision!.status, 'diverged');
      assert.equal(decision!.value, null);
    }
  });

  test('the factor is the file’s', () => {
    const decisions = judgeEpoch(
      policy({ lossFactor: 10 }),
      { epochs: [{ epoch: 1, loss: 20, valLoss: 1, valAcc: 0.1 }], maxEpochs: 10, classes: 10 },
      noPeers,
    );
    assert.deepEqual(decisions, []);
  });
});

describe('patience', () => {
  test('stops after `epochs` epochs without a lower validation loss', () => {
    const flat = (n: number) => ({
      epochs: history(Array(n).fill(0.5), (i) => (i < 3 ? 1 - i * 0.1 : 0.85)),
      maxEpochs: 100,
      classes: 10,
    });
    const rule = policy({ patience: { epochs: 4 } });
    // Best val loss 0.8 at epoch 3; epochs 4.. are 0.85.
    assert.deepEqual(judgeEpoch(rule, flat(6), noPeers), []);
    const [decision] = judgeEpoch(rule, flat(7), noPeers);
    assert.equal(decision!.rule, 'patience');
    assert.equal(decision!.status, 'stopped');
    assert.match(decision!.reason, /not gone below 0\.8000 \(epoch 3\) in 4 epochs/);
  });

  test('minDelta: improvements smaller than it do not count', () => {
    const slow = { epochs: history(Array(5).fill(0.5), (i) => 1 - i * 0.001), maxEpochs: 100, classes: 10 };
    assert.equal(judgeEpoch(policy({ patience: { epochs: 4, minDelta: 0.01 } }), slow, noPeers).length, 1);
    assert.equal(judgeEpoch(policy({ patience: { epochs: 4 } }), slow, noPeers).length, 0);
  });
});

describe('median stopping', () => {
  const rule = policy({ median: { grace: 3, minTrials: 3 } });

  test('stops a trial whose best is below the median of the others at that epoch', () => {
    const [decision] = judgeEpoch(rule, trial([0.2, 0.3, 0.35]), peersWith([0.3, 0.5, 0.6, 0.7]));
    assert.equal(decision!.rule, 'median');
    assert.equal(decision!.value, 0.35);
    assert.equal(decision!.threshold, 0.55);
    assert.equal(decision!.peers, 4);
  });

  test('keeps a trial at or above the median', () => {
    assert.deepEqual(judgeEpoch(rule, trial([0.2, 0.6, 0.5]), peersWith([0.3, 0.5, 0.6, 0.7])), []);
  });

  test('waits for the grace period and for enough other trials', () => {
    assert.deepEqual(judgeEpoch(rule, trial([0.1, 0.1]), peersWith([0.9, 0.9, 0.9])), []);
    assert.deepEqual(judgeEpoch(rule, trial([0.1, 0.1, 0.1]), peersWith([0.9, 0.9])), []);
  });

  test('never stops a trial at its last epoch', () => {
    assert.deepEqual(judgeEpoch(rule, trial([0.1, 0.1, 0.1], 3), peersWith([0.9, 0.9, 0.9])), []);
  });
});

describe('ASHA', () => {
  const rule = policy({ asha: { minEpochs: 2, reduction: 3 } });

  test('rungs sit at minEpochs x reduction^k below the last epoch', () => {
    assert.deepEqual(ashaRungs(rule.asha!, 100), [2, 6, 18, 54]);
    assert.deepEqual(ashaRungs(rule.asha!, 18), [2, 6]);
  });

  test('at a rung, only the top 1/reduction go on', () => {
    const peers = peersWith([0.2, 0.4, 0.6, 0.8, 0.9]);
    // Six trials at rung 2 with this one: cutoff is the 2/3 quantile.
    const [low] = judgeEpoch(rule, trial([0.5, 0.5]), peers);
    assert.equal(low!.action, 'stop');
    // Sorted 0.2 0.4 0.5 0.6 0.8 0.9; position 5 x 2/3 = 3.33: 0.6 + 0.33 x 0.2.
    assert.ok(Math.abs(low!.threshold! - (0.6 + 0.2 / 3)) < 1e-12, String(low!.threshold));
    const [high] = judgeEpoch(rule, trial([0.5, 0.85]), peers);
    assert.equal(high!.action, 'continue');
    assert.match(high!.reason, /top 1\/3 of 6 trials at rung 2/);
  });

  test('the first trial to reach a rung goes on; off-rung epochs are not judged', () => {
    assert.equal(judgeEpoch(rule, trial([0.1, 0.1]), noPeers)[0]!.action, 'continue');
    assert.deepEqual(judgeEpoch(rule, trial([0.1, 0.1, 0.1]), peersWith([0.9])), []);
  });
});

describe('quantile', () => {
  test('interpolates linearly, as numpy does by default', () => {
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantile([5], 0.9), 5);
    assert.ok(Math.abs(quantile([0, 10], 2 / 3) - 20 / 3) < 1e-12);
  });
});
