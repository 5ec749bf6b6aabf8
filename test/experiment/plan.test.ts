import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { canonicalJson, hashId } from '../../src/experiment/canonical.js';
import { validateExperiment } from '../../src/experiment/load.js';
import { expandTrials, varyingAxes } from '../../src/experiment/plan.js';

function experimentOf(raw: Record<string, unknown>) {
  return validateExperiment(
    {
      name: 'grid',
      dataset: { kind: 'synthetic' },
      grid: { learningRate: [0.02, 0.001, 0.0001], imageSize: [32, 64], filters: [16, 32] },
      ...raw,
    },
    'test.yaml',
  ).experiment;
}

describe('grid expansion', () => {
  test("the post's grid expands to 12 trials with distinct ids", () => {
    const trials = expandTrials(experimentOf({}), 'fingerprint-a');
    assert.equal(trials.length, 12);
    assert.equal(new Set(trials.map((t) => t.id)).size, 12);
    assert.deepEqual(
      trials.map((t) => t.index),
      Array.from({ length: 12 }, (_, i) => i),
    );
  });

  test('the order is stable: axes in order, the last one varying fastest', () => {
    const trials = expandTrials(experimentOf({}), 'f');
    const cells = trials.map((t) => [t.params.learningRate, t.params.imageSize, t.params.filters]);
    assert.deepEqual(cells.slice(0, 5), [
      [0.02, 32, 16],
      [0.02, 32, 32],
      [0.02, 64, 16],
      [0.02, 64, 32],
      [0.001, 32, 16],
    ]);
  });

  test('ids are a pinned function of the config and dataset', () => {
    const [first] = expandTrials(experimentOf({}), 'fingerprint-a');
    // Pinned: if this changes, every existing database would rerun its trials.
    assert.equal(first!.id, hashId({ version: 1, params: first!.params, dataset: 'fingerprint-a' }));
    assert.match(first!.id, /^[0-9a-f]{16}$/);
  });

  test('ids change with the dataset fingerprint and not with key order', () => {
    const a = expandTrials(experimentOf({}), 'one');
    const b = expandTrials(experimentOf({}), 'two');
    assert.notEqual(a[0]!.id, b[0]!.id);
    const reordered = validateExperiment(
      {
        grid: { filters: [16, 32], imageSize: [32, 64], learningRate: [0.02, 0.001, 0.0001] },
        dataset: { kind: 'synthetic' },
        name: 'grid',
      },
      'test.yaml',
    ).experiment;
    assert.deepEqual(
      expandTrials(reordered, 'one').map((t) => t.id),
      a.map((t) => t.id),
    );
  });

  test('adding a value to the grid keeps the ids of the existing cells', () => {
    const before = expandTrials(experimentOf({}), 'f').map((t) => t.id);
    const after = expandTrials(
      experimentOf({
        grid: { learningRate: [0.02, 0.001, 0.0001], imageSize: [32, 64], filters: [16, 32, 64] },
      }),
      'f',
    ).map((t) => t.id);
    assert.equal(after.length, 18);
    for (const id of before) assert.ok(after.includes(id));
  });

  test('repeats give each cell seeds seed, seed + 1, ...', () => {
    const trials = expandTrials(experimentOf({ repeats: 3, seed: 10 }), 'f');
    assert.equal(trials.length, 36);
    assert.deepEqual(
      trials.slice(0, 3).map((t) => [t.params.repeat, t.params.seed]),
      [[0, 10], [1, 11], [2, 12]],
    );
  });

  test('a list in training is an axis; single values are not', () => {
    const experiment = experimentOf({ training: { batchSize: [8, 32], epochs: 5 } });
    assert.deepEqual(varyingAxes(experiment), ['learningRate', 'imageSize', 'filters', 'batchSize']);
    const trials = expandTrials(experiment, 'f');
    assert.equal(trials.length, 24);
    assert.ok(trials.every((t) => t.params.epochs === 5));
  });
});

describe('canonical JSON', () => {
  test('sorts keys at every depth and normalises -0', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: -0, c: [2, 1] } }), '{"a":{"c":[2,1],"d":0},"b":1}');
  });

  test('refuses non-finite numbers instead of hashing them as null', () => {
    assert.throws(() => canonicalJson({ lr: Number.NaN }), /\$\.lr: cannot hash the non-finite number NaN/);
  });
});
