import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import type { TrialParams } from '../../src/experiment/trial.js';
import { loadBackend, type Tf } from '../../src/model/backend.js';
import { trainTrial, type EpochMetrics, type TrainInput } from '../../src/train/loop.js';
import { trialParams } from '../model/params.js';
import { colourImages } from './colour-images.js';

const CLASSES = 3;

function input(overrides: Partial<TrialParams> = {}): TrainInput & { epochs: EpochMetrics[] } {
  const params = trialParams(overrides);
  const epochs: EpochMetrics[] = [];
  return {
    params,
    numClasses: CLASSES,
    train: colourImages(params.imageSize, 12, CLASSES, 1),
    validation: colourImages(params.imageSize, 4, CLASSES, 2),
    onEpoch: (metrics) => void epochs.push(metrics),
    epochs,
  };
}

/** Everything but the wall time, which differs run to run. */
const curve = (epochs: EpochMetrics[]) => epochs.map(({ seconds: _, ...rest }) => rest);

describe('trainTrial on wasm', () => {
  let tf: Tf;
  before(async () => {
    ({ tf } = await loadBackend('wasm'));
  });

  test('cifar10 at 16 px learns separable colours well above chance', async () => {
    const run = input({ epochs: 4 });
    const result = await trainTrial(tf, run);

    assert.deepEqual(result, { status: 'done', epochsRun: 4 });
    assert.deepEqual(run.epochs.map((m) => m.epoch), [1, 2, 3, 4]);
    assert.deepEqual(Object.keys(run.epochs[0]!).sort(), [
      'acc', 'epoch', 'loss', 'seconds', 'valAcc', 'valLoss',
    ]);
    const [first, last] = [run.epochs[0]!, run.epochs.at(-1)!];
    assert.ok(last.loss < first.loss, `loss ${first.loss} -> ${last.loss}`);
    assert.ok(last.valAcc > 0.8, `validation accuracy ${last.valAcc}`);
    assert.ok(run.epochs.every((m) => m.seconds > 0));
  });

  test('the seed network at 24 px learns too', async () => {
    const run = input({ architecture: 'seed', imageSize: 24, epochs: 5, filters: 8 });
    await trainTrial(tf, run);
    const last = run.epochs.at(-1)!;
    assert.ok(last.acc > 0.5 && last.valAcc > 0.5, `acc ${last.acc}, val ${last.valAcc}`);
  });

  test('the same trial twice gives the same curve, another seed another', async () => {
    const [a, b, c] = [input(), input(), input({ seed: 43 })];
    for (const run of [a, b, c]) await trainTrial(tf, run);
    assert.deepEqual(curve(a.epochs), curve(b.epochs));
    assert.notDeepEqual(curve(a.epochs), curve(c.epochs));
  });

  test('frees every tensor it made, run after run', async () => {
    const before = tf.memory().numTensors;
    await trainTrial(tf, input({ epochs: 1 }));
    assert.equal(tf.memory().numTensors, before);
    await trainTrial(tf, input({ epochs: 1, optimizer: 'adam' }));
    assert.equal(tf.memory().numTensors, before);
  });

  test('an error from onEpoch propagates and still frees every tensor', async () => {
    const before = tf.memory().numTensors;
    const run = input();
    run.onEpoch = () => {
      throw new Error('store is full');
    };
    await assert.rejects(trainTrial(tf, run), /store is full/);
    assert.equal(tf.memory().numTensors, before);
  });

  test('a huge learning rate ends the trial as diverged, naming epoch and loss', async () => {
    const before = tf.memory().numTensors;
    const run = input({ optimizer: 'sgd', learningRate: 1e30, epochs: 5 });
    const result = await trainTrial(tf, run);

    assert.deepEqual(result, {
      status: 'diverged',
      epochsRun: 0,
      reason: 'epoch 1, batch 2: training loss was NaN',
    });
    assert.equal(run.epochs.length, 0);
    assert.equal(tf.memory().numTensors, before);
  });

  test('divergence in a later epoch still reports the epochs before it', async () => {
    // 36 images in batches of 8 are 5 steps an epoch. A decay of -1/6 makes
    // lr / (1 + decay * 6) infinite at the 7th step (epoch 2, batch 2), so
    // the loss of the 8th step is NaN.
    const run = input({ optimizer: 'sgd', learningRate: 0.01, decay: -1 / 6 });
    const result = await trainTrial(tf, run);

    assert.deepEqual(result, {
      status: 'diverged',
      epochsRun: 1,
      reason: 'epoch 2, batch 3: training loss was NaN',
    });
    assert.deepEqual(run.epochs.map((m) => m.epoch), [1]);
  });

  test('an abort between batches ends the trial as aborted after the epochs done', async () => {
    const controller = new AbortController();
    const run = input({ epochs: 5 });
    run.signal = controller.signal;
    run.onEpoch = (metrics) => {
      run.epochs.push(metrics);
      if (metrics.epoch === 2) controller.abort(new Error('sweep stopped'));
    };
    const result = await trainTrial(tf, run);
    assert.deepEqual(result, { status: 'aborted', epochsRun: 2, reason: 'aborted: sweep stopped' });
    assert.equal(run.epochs.length, 2);
  });

  test('images of another size than the trial expects are refused', async () => {
    const run = input({ imageSize: 20 });
    run.train = colourImages(16, 2, CLASSES, 1);
    await assert.rejects(trainTrial(tf, run), /training images are 16 px, but .* imageSize is 20/);
  });
});
