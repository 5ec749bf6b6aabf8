import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { PairCell, PairTable } from '../../src/query/effects.js';
import { describeInteraction } from '../../src/query/interaction.js';
import { findMetric } from '../../src/query/metrics.js';
import { findParam } from '../../src/query/params.js';

/** A two-way table of learningRate (rows) by imageSize (columns). */
function table(
  means: Record<string, Record<number, number>>,
  options: { n?: number; sd?: number | null; metric?: string } = {},
): PairTable {
  const cells: PairCell[] = [];
  for (const [lr, row] of Object.entries(means)) {
    for (const [size, mean] of Object.entries(row)) {
      cells.push({
        a: Number(lr),
        b: Number(size),
        n: options.n ?? 2,
        mean,
        sd: options.sd === undefined ? 0.02 : options.sd,
        min: mean,
        max: mean,
      });
    }
  }
  const levels = (pick: (cell: PairCell) => number) =>
    [...new Set(cells.map(pick))].sort((x, y) => x - y);
  return {
    a: findParam('learningRate'),
    b: findParam('imageSize'),
    metric: findMetric(options.metric ?? 'best_val_acc'),
    levelsA: levels((cell) => cell.a as number),
    levelsB: levels((cell) => cell.b as number),
    cells,
  };
}

describe('the interaction between two grid parameters', () => {
  test("the post's case: lr 0.001 wins at 32 px and loses at 64 px", () => {
    const result = describeInteraction(
      table({ 0.001: { 32: 0.8, 64: 0.1 }, 0.0001: { 32: 0.6, 64: 0.7 } }),
    );
    assert.equal(
      result.sentence,
      'the best learningRate depends on imageSize: 0.001 at 32 px, 0.0001 at 64 px',
    );
    assert.equal(result.bestChanges, true);
    assert.ok(result.contrast);
    // (0.0001 - 0.001) at 32 px is -0.2, at 64 px +0.6: the contrast is -0.8.
    assert.deepEqual(result.contrast.effects.map((e) => Number(e.toFixed(6))), [-0.2, 0.6]);
    assert.equal(Number(result.contrast.value.toFixed(6)), -0.8);
    assert.match(result.notes.join('\n'), /larger than the noise: the effect of learningRate changes/);
  });

  test('parallel effects: the same ranking everywhere is no interaction', () => {
    const result = describeInteraction(
      table({ 0.001: { 32: 0.8, 64: 0.7 }, 0.0001: { 32: 0.6, 64: 0.5 } }),
    );
    assert.equal(
      result.sentence,
      'no interaction in the ranking: the ranking of learningRate is the same ' +
        'at every imageSize (best 0.001)',
    );
    assert.ok(Math.abs(result.contrast!.value) < 1e-9);
    assert.match(result.notes.join('\n'), /within the noise/);
  });

  test('with three levels the best may hold while the order of the rest changes', () => {
    const result = describeInteraction(
      table({
        0.02: { 32: 0.1, 64: 0.5 },
        0.001: { 32: 0.9, 64: 0.8 },
        0.0001: { 32: 0.6, 64: 0.2 },
      }),
    );
    assert.equal(result.contrast, null, 'the classic contrast is for 2 x 2 tables');
    assert.equal(result.bestChanges, false);
    assert.equal(result.rankingChanges, true);
    assert.equal(
      result.sentence,
      'the best learningRate is 0.001 at every imageSize, but the order of its ' +
        'other levels changes with imageSize',
    );
  });

  test('equal means tie, and a tie shared at every level is not a change', () => {
    const result = describeInteraction(
      table({ 0.001: { 32: 1 / 3, 64: 0.5 }, 0.0001: { 32: 1 / 3, 64: 0.4 } }),
    );
    assert.deepEqual(result.byLevel[0]!.ranking, [[0.0001, 0.001]]);
    assert.equal(result.bestChanges, false);
  });

  test('for a loss, lower is better', () => {
    const result = describeInteraction(
      table({ 0.001: { 32: 0.5, 64: 2.0 }, 0.0001: { 32: 0.9, 64: 0.8 } }, { metric: 'min_val_loss' }),
    );
    assert.match(result.sentence, /0\.001 at 32 px, 0\.0001 at 64 px$/);
  });

  test('without repeats the noise is unknown, and says so', () => {
    const result = describeInteraction(
      table({ 0.001: { 32: 0.8, 64: 0.1 }, 0.0001: { 32: 0.6, 64: 0.7 } }, { n: 1, sd: null }),
    );
    assert.equal(result.noise, null);
    assert.equal(result.contrast!.standardError, null);
    assert.match(result.notes.join('\n'), /each cell holds one trial/);
  });

  test('a level with a missing cell is left out of the comparison and named', () => {
    const result = describeInteraction(
      table({ 0.001: { 32: 0.8, 64: 0.1 }, 0.0001: { 32: 0.6, 64: 0.7 }, 0.02: { 32: 0.2 } }),
    );
    assert.match(result.notes[0]!, /left out of the comparison.*: 0\.02$/);
    assert.ok(result.contrast, 'the two complete levels still give a 2 x 2 contrast');
  });
});
