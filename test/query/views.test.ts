import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import Database from 'better-sqlite3';

import { makeSweepFixture } from './sweep-fixture.js';

type Row = Record<string, number | string | null>;

let db: Database.Database;

function rows(sql: string, ...params: unknown[]): Row[] {
  return db.prepare(sql).all(...params) as Row[];
}

/** Sample mean and standard deviation, the way the views should compute them. */
function meanSd(values: number[]): { mean: number; sd: number | null } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return { mean, sd: null };
  const squares = values.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(squares / (values.length - 1)) };
}

function close(actual: unknown, expected: number | null, what: string): void {
  if (expected === null) return assert.equal(actual, null, what);
  assert.ok(Math.abs((actual as number) - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);
}

describe('views over a database written by a real sweep', () => {
  before(async () => {
    const fixture = await makeSweepFixture();
    db = new Database(fixture.db, { readonly: true });
  });

  test('sweep_summary has one row with the chance level and the trial counts', () => {
    const [sweep] = rows('SELECT * FROM sweep_summary');
    assert.equal(sweep!.name, 'tiny');
    assert.equal(sweep!.status, 'done');
    assert.equal(sweep!.classes, 3);
    close(sweep!.chance, 1 / 3, 'chance');
    assert.deepEqual(
      [sweep!.trials, sweep!.finished, sweep!.running, sweep!.pending, sweep!.failed],
      [8, 8, 0, 0, 0],
    );
  });

  test('trial_summary has one row per trial with its parameters and summary', () => {
    const trials = rows('SELECT * FROM trial_summary ORDER BY trial_index');
    assert.equal(trials.length, 8);
    for (const trial of trials) {
      assert.equal(trial.status, 'done');
      assert.ok([0.001, 0.0001].includes(trial.learning_rate as number));
      assert.ok([16, 20].includes(trial.image_size as number));
      assert.equal(trial.epochs_done, 2);
      assert.ok((trial.best_val_acc as number) >= (trial.final_val_acc as number));
      assert.ok([1, 2].includes(trial.best_epoch as number));
      assert.ok((trial.duration_s as number) > 0 && (trial.duration_s as number) < 600);
      assert.equal(trial.attempts, 1);
      assert.equal(trial.error, null);
      close(trial.chance, 1 / 3, 'chance');
    }
    const [loss] = rows(
      `SELECT min(val_loss) AS v FROM epochs WHERE trial_id = ?`,
      trials[0]!.trial_id,
    );
    close(trials[0]!.min_val_loss, loss!.v as number, 'min_val_loss');
  });

  test('trial_metrics holds five metrics for every trial with a result', () => {
    const counts = rows('SELECT metric, count(*) AS n FROM trial_metrics GROUP BY metric');
    assert.deepEqual(
      counts.map((row) => [row.metric, row.n]).sort(),
      [
        ['best_epoch', 8],
        ['best_val_acc', 8],
        ['duration_s', 8],
        ['final_val_acc', 8],
        ['min_val_loss', 8],
      ],
    );
  });

  test('trial_params_long holds every grid parameter of every trial', () => {
    const [count] = rows('SELECT count(*) AS n, count(DISTINCT param) AS params FROM trial_params_long');
    assert.deepEqual(count, { n: 72, params: 9 });
    const sizes = rows(
      `SELECT DISTINCT value FROM trial_params_long WHERE param = 'image_size' ORDER BY value`,
    );
    assert.deepEqual(sizes, [{ value: 16 }, { value: 20 }]);
  });

  test('param_effects gives the mean, sample sd and n of each level', () => {
    for (const lr of [0.001, 0.0001]) {
      const values = rows(
        'SELECT best_val_acc AS v FROM trials WHERE learning_rate = ?',
        lr,
      ).map((row) => row.v as number);
      const expected = meanSd(values);
      const [level] = rows(
        `SELECT * FROM param_effects
         WHERE param = 'learning_rate' AND value = ? AND metric = 'best_val_acc'`,
        lr,
      );
      assert.equal(level!.n, 4);
      close(level!.mean, expected.mean, `mean at lr ${lr}`);
      close(level!.sd, expected.sd, `sd at lr ${lr}`);
      assert.equal(level!.max, Math.max(...values));
    }
  });

  test('pair_effects gives a cell per pair of levels, in both orders', () => {
    const cells = rows(
      `SELECT * FROM pair_effects WHERE param_a = 'learning_rate'
       AND param_b = 'image_size' AND metric = 'final_val_acc'`,
    );
    assert.equal(cells.length, 4);
    for (const cell of cells) {
      const values = rows(
        'SELECT final_val_acc AS v FROM trials WHERE learning_rate = ? AND image_size = ?',
        cell.value_a,
        cell.value_b,
      ).map((row) => row.v as number);
      const expected = meanSd(values);
      assert.equal(cell.n, 2);
      close(cell.mean, expected.mean, 'cell mean');
      close(cell.sd, expected.sd, 'cell sd');
    }
    const [swapped] = rows(
      `SELECT count(*) AS n FROM pair_effects WHERE param_a = 'image_size'
       AND param_b = 'learning_rate' AND metric = 'final_val_acc'`,
    );
    assert.equal(swapped!.n, 4);
  });

  test('cell_metrics summarises each cell over its repeats', () => {
    const cells = rows(`SELECT * FROM cell_metrics WHERE metric = 'best_val_acc'`);
    assert.equal(cells.length, 4);
    assert.ok(cells.every((cell) => cell.n === 2));
  });

  test('best_cells ranks the four cells by mean best accuracy', () => {
    const cells = rows('SELECT * FROM best_cells ORDER BY rank, learning_rate');
    assert.equal(cells.length, 4);
    assert.equal(cells[0]!.rank, 1);
    const means = cells.map((cell) => cell.mean_best_val_acc as number);
    assert.deepEqual(means, [...means].sort((a, b) => b - a));
    assert.ok(cells.every((cell) => cell.n === 2));
    close(cells[0]!.chance, 1 / 3, 'chance');
    const [top] = rows(
      `SELECT avg(best_val_acc) AS v FROM trials
       WHERE learning_rate = ? AND image_size = ?`,
      cells[0]!.learning_rate,
      cells[0]!.image_size,
    );
    close(cells[0]!.mean_best_val_acc, top!.v as number, 'top cell mean');
  });
});
