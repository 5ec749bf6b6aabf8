import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import type { TrialParams } from '../../src/experiment/trial.js';
import { loadBackend, type Tf } from '../../src/model/backend.js';
import { decodeState, encodeState } from '../../src/train/checkpoint.js';
import { trainTrial, type EpochMetrics, type TrainInput } from '../../src/train/loop.js';
import { trialParams } from '../model/params.js';
import { colourImages } from './colour-images.js';

const CLASSES = 3;
const curve = (epochs: EpochMetrics[]) => epochs.map(({ seconds: _, ...rest }) => rest);

function input(params: TrialParams): TrainInput {
  return {
    params,
    numClasses: CLASSES,
    trialId: 'trial-a',
    train: colourImages(params.imageSize, 12, CLASSES, 1),
    validation: colourImages(params.imageSize, 4, CLASSES, 2),
  };
}

/** Trains straight through, and again paused at `at` and resumed. */
async function straightAndResumed(tf: Tf, params: TrialParams, at: number) {
  const straight: EpochMetrics[] = [];
  await trainTrial(tf, { ...input(params), onEpoch: (m) => void straight.push(m) });

  const resumed: EpochMetrics[] = [];
  let saved: Uint8Array | undefined;
  const first = await trainTrial(tf, {
    ...input(params),
    onEpoch: (m) => {
      resumed.push(m);
      return m.epoch === at
        ? { checkpoint: true, stop: { status: 'paused', reason: 'test' } }
        : {};
    },
    onCheckpoint: (_epoch, bytes) => void (saved = bytes),
  });
  assert.deepEqual(first, { status: 'paused', epochsRun: at, reason: 'test' });
  const second = await trainTrial(tf, {
    ...input(params),
    resume: decodeState(saved!, 'trial-a'),
    onEpoch: (m) => void resumed.push(m),
  });
  assert.deepEqual(second, { status: 'done', epochsRun: params.epochs });
  return { straight, resumed };
}

describe('checkpoints', () => {
  let tf: Tf;
  before(async () => {
    ({ tf } = await loadBackend('wasm'));
  });

  for (const optimizer of ['rmsprop', 'adam', 'sgd'] as const) {
    test(`a ${optimizer} trial resumed from epoch 2 trains the same curve`, async () => {
      const params = trialParams({ epochs: 4, optimizer, decay: 0.01, dropout: 0.5 });
      const { straight, resumed } = await straightAndResumed(tf, params, 2);
      assert.deepEqual(resumed.map((m) => m.epoch), [1, 2, 3, 4]);
      assert.deepEqual(curve(resumed), curve(straight));
    });
  }

  test('the file round-trips and refuses another trial or a damaged copy', async () => {
    const params = trialParams({ epochs: 3 });
    let saved: Uint8Array | undefined;
    await trainTrial(tf, {
      ...input(params),
      onEpoch: (m) => (m.epoch === 1 ? { checkpoint: true } : {}),
      onCheckpoint: (_epoch, bytes) => void (saved = bytes),
    });
    const state = decodeState(saved!, 'trial-a');
    assert.equal(state.epoch, 1);
    assert.deepEqual(encodeState(state), saved);

    assert.throws(() => decodeState(saved!, 'trial-b'), /belongs to trial trial-a, not trial-b/);
    assert.throws(() => decodeState(saved!.subarray(0, saved!.length - 4), 'trial-a'), /holds \d+ bytes/);
    assert.throws(() => decodeState(new Uint8Array(64), 'trial-a'), /not a gridsweep checkpoint/);
  });

  test('a checkpoint of another network is refused with the shapes', async () => {
    const small = trialParams({ epochs: 3, filters: 4 });
    let saved: Uint8Array | undefined;
    await trainTrial(tf, {
      ...input(small),
      onEpoch: (m) => (m.epoch === 1 ? { checkpoint: true, stop: { status: 'paused', reason: '' } } : {}),
      onCheckpoint: (_epoch, bytes) => void (saved = bytes),
    });
    await assert.rejects(
      trainTrial(tf, {
        ...input(trialParams({ epochs: 3, filters: 8 })),
        resume: decodeState(saved!, 'trial-a'),
      }),
      /checkpoint weight 0 has shape \[3,3,3,4\], the network's is \[3,3,3,8\]/,
    );
  });
});
