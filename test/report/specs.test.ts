import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { findMetric } from '../../src/query/metrics.js';
import { GRID_PARAMS, findParam } from '../../src/query/params.js';
import type { SweepInfo } from '../../src/query/sweep-choice.js';
import type { EffectData, ReportEpoch, ReportTrial } from '../../src/report/data.js';
import { facetLayout } from '../../src/report/facets.js';
import { fontFiles } from '../../src/report/render.js';
import { learningCurvesSpec, type CurvesInput } from '../../src/report/specs/curves.js';
import { effectSpec } from '../../src/report/specs/effect.js';
import { readAdvanceWidths, textWidth } from '../../src/report/text-width.js';

const SWEEP: SweepInfo = {
  id: 'abcdef0123456789',
  name: 'logo-grid',
  status: 'done',
  createdAt: '2026-05-04T21:07:09.123Z',
  chance: 0.25,
  trials: 8,
  finished: 8,
  running: 0,
  failed: 0,
  others: 0,
};

const VARYING = ['learningRate', 'imageSize', 'filters'].map(findParam);

/** A trial of the post's grid; the other parameters at one level each. */
function trial(
  id: string,
  learningRate: number,
  imageSize: number,
  filters: number,
  extra: Partial<ReportTrial> = {},
): ReportTrial {
  const params = Object.fromEntries(GRID_PARAMS.map((param) => [param.name, 0]));
  return {
    id,
    status: 'done',
    repeat: 0,
    params: { ...params, learningRate, imageSize, filters },
    epochsDone: 3,
    error: null,
    ...extra,
  };
}

function epochs(trialId: string, valAccs: number[]): ReportEpoch[] {
  return valAccs.map((valAcc, i) => ({
    trialId,
    epoch: i + 1,
    acc: valAcc + 0.1,
    valAcc,
    loss: 2 - valAcc,
    valLoss: 2.1 - valAcc,
  }));
}

/** Finds the first object in a spec that has `key`, depth first. */
function find(value: unknown, key: string): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Object.hasOwn(value, key)) return value as Record<string, unknown>;
  for (const child of Object.values(value)) {
    const found = find(child, key);
    if (found) return found;
  }
  return undefined;
}

function layers(spec: object): Record<string, unknown>[] {
  return (find(spec, 'layer')!.layer as Record<string, unknown>[]);
}

function rowsOf(spec: object): Record<string, unknown>[] {
  return (find(spec, 'values')!.values as Record<string, unknown>[]);
}

describe('panels of the learning curves', () => {
  test('learning rates go down the rows, the other parameters across, in order', () => {
    const trials = [
      trial('a', 0.001, 64, 32),
      trial('b', 0.0001, 32, 16),
      trial('c', 0.02, 64, 16),
      trial('d', 0.001, 32, 32),
    ];
    const layout = facetLayout(VARYING, trials);
    assert.deepEqual(layout.row!.labels, ['lr 0.0001', 'lr 0.001', 'lr 0.02']);
    assert.deepEqual(layout.column!.labels, [
      '32 px, 16 filters',
      '32 px, 32 filters',
      '64 px, 16 filters',
      '64 px, 32 filters',
    ]);
    assert.equal(layout.column!.title, 'image size × filters');
    assert.equal(layout.rowOf(trials[0]!), 'lr 0.001');
    assert.equal(layout.columnOf(trials[0]!), '64 px, 32 filters');
  });

  test('one varying parameter wraps its panels; none gives a single panel', () => {
    const trials = [trial('a', 0.001, 32, 16), trial('b', 0.01, 32, 16)];
    const one = facetLayout([findParam('learningRate')], trials);
    assert.equal(one.row, undefined);
    assert.deepEqual(one.column!.labels, ['lr 0.001', 'lr 0.01']);
    const none = facetLayout([], trials);
    assert.equal(none.column, undefined);
  });
});

describe('the learning-curves spec', () => {
  const input: CurvesInput = {
    sweep: SWEEP,
    backend: 'wasm',
    varying: VARYING.slice(0, 2),
    trials: [
      trial('t-done', 0.001, 32, 16),
      trial('t-stopped', 0.001, 64, 16, { status: 'stopped', epochsDone: 2 }),
      trial('t-diverged', 0.0001, 32, 16, { status: 'diverged', epochsDone: 1 }),
      trial('t-pending', 0.0001, 64, 16, { status: 'pending', epochsDone: 0 }),
    ],
    epochs: [
      ...epochs('t-done', [0.3, 0.5, 0.6]),
      ...epochs('t-stopped', [0.2, 0.25]),
      ...epochs('t-diverged', [0.1]),
    ],
  };

  test('reads at a glance: titled by sweep and date, epochs against accuracy 0 to 1', () => {
    const spec = learningCurvesSpec(input, { measure: 'accuracy', train: false });
    const title = spec.title as { text: string; subtitle: string[] };
    assert.equal(title.text, 'logo-grid: validation accuracy per epoch');
    assert.equal(
      title.subtitle[0],
      'sweep abcdef0123456789, started 2026-05-04 21:07 UTC on wasm; ' +
        'finished: 8 of 8 trials have a result',
    );
    assert.match(title.subtitle[1]!, /dotted: chance accuracy 0.25/);

    const line = layers(spec)[0]!.encoding as Record<string, Record<string, unknown>>;
    assert.equal(line.x!.title, 'epoch');
    assert.equal(line.y!.title, 'validation accuracy');
    assert.deepEqual(line.y!.scale, { domain: [0, 1] });
    assert.deepEqual(line.stroke, { value: '#4c78a8' }, 'one repeat: no repeat legend');
  });

  test('stopped and diverged trials are marked at their last epoch', () => {
    const spec = learningCurvesSpec(input, { measure: 'accuracy', train: false });
    const marked = rowsOf(spec).filter((row) => row.marker);
    assert.deepEqual(
      marked.map((row) => [row.trial, row.epoch, row.marker]),
      [
        ['t-stopped', 2, 'stopped early'],
        ['t-diverged', 1, 'diverged (loss NaN)'],
      ],
    );
    const shapes = find(layers(spec)[2], 'shape')!.shape as { scale: { domain: string[] } };
    assert.deepEqual(shapes.scale.domain, ['stopped early', 'diverged (loss NaN)']);
  });

  test('a panel without a curve says why instead of staying blank', () => {
    const spec = learningCurvesSpec(input, { measure: 'accuracy', train: false });
    const notes = rowsOf(spec).filter((row) => row.note);
    assert.deepEqual(notes, [
      { row: 'lr 0.0001', column: '64 px', note: 'no epoch yet (pending)', chance: 0.25 },
    ]);
  });

  test('repeats are told apart by colour, and training curves by dashes', () => {
    const repeated = {
      ...input,
      trials: [...input.trials, trial('t-again', 0.001, 32, 16, { repeat: 1 })],
      epochs: [...input.epochs, ...epochs('t-again', [0.35, 0.45, 0.55])],
    };
    const spec = learningCurvesSpec(repeated, { measure: 'accuracy', train: true });
    const line = layers(spec)[0]!.encoding as Record<string, Record<string, unknown>>;
    assert.equal(line.stroke!.field, 'repeat');
    assert.equal(line.strokeDash!.field, 'series');
    assert.equal(line.y!.title, 'accuracy');
    const series = new Set(rowsOf(spec).map((row) => row.series));
    assert.deepEqual([...series].filter(Boolean), ['validation', 'training']);
  });

  test('the loss chart has no fixed 0 to 1 axis and no chance line', () => {
    const spec = learningCurvesSpec(input, { measure: 'loss', train: false });
    const line = layers(spec)[0]!.encoding as Record<string, Record<string, unknown>>;
    assert.equal(line.y!.title, 'validation loss');
    assert.deepEqual(line.y!.scale, { zero: true });
    assert.ok(!layers(spec).some((layer) => (layer.mark as { type: string }).type === 'rule'));
  });
});

describe('the interaction spec', () => {
  const effect: EffectData = {
    metric: findMetric('best_val_acc'),
    x: findParam('learningRate'),
    lines: findParam('imageSize'),
    cells: [
      { x: 0.001, line: 64, n: 2, mean: 0.1, sd: 0.02, min: 0.08, max: 0.12 },
      { x: 0.0001, line: 32, n: 2, mean: 0.6, sd: 0.05, min: 0.55, max: 0.65 },
      { x: 0.001, line: 32, n: 2, mean: 0.8, sd: null, min: 0.8, max: 0.8 },
      { x: 0.0001, line: 64, n: 2, mean: 0.7, sd: 0.9, min: 0.1, max: 1 },
    ],
    trials: [{ trialId: 'a', x: 0.0001, line: 32, value: 0.55 }],
    interaction: null,
  };

  test('levels sit in order along x, labelled as written in the grid', () => {
    const spec = effectSpec({ sweep: SWEEP, backend: null, effect });
    const x = find(spec, 'labelExpr')!;
    assert.equal(x.labelExpr, '["0.0001","0.001"][datum.value]');
    assert.deepEqual(x.values, [0, 1]);
    const colour = find(layers(spec)[0], 'color')!.color as { scale: { domain: string[] } };
    assert.deepEqual(colour.scale.domain, ['32 px', '64 px']);
    assert.equal(
      (spec.title as { text: string }).text,
      'logo-grid: best validation accuracy by learning rate and image size',
    );
  });

  test('bars span ± 1 sd, cut at the 0 to 1 axis, and a cell of one value has none', () => {
    const spec = effectSpec({ sweep: SWEEP, backend: null, effect });
    const bars = (layers(spec)[1]!.data as { values: { low: number; high: number }[] }).values;
    assert.equal(bars.length, 3);
    const wide = bars.find((bar) => bar.high === 1)!;
    assert.ok(Math.abs(wide.low - 0) < 1e-12, 'mean 0.7 - sd 0.9 is cut at 0');
  });
});

describe('text widths from the font', () => {
  test('DejaVu Sans advance widths: narrow i, wide W, equal digits', () => {
    const widths = readAdvanceWidths(fontFiles()[0]!);
    const em = (text: string) => textWidth(widths, text, 1);
    assert.ok(em('i') < 0.3 && em('W') > 0.95, `i ${em('i')}, W ${em('W')}`);
    assert.equal(em('0'), em('8'));
    assert.ok(Math.abs(em('validation accuracy') / 19 - 0.55) < 0.1);
  });
});
