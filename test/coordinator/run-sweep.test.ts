import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';

import Database from 'better-sqlite3';

import { prepareSweep, type PreparedSweep } from '../../src/coordinator/prepare.js';
import { runSweep } from '../../src/coordinator/run-sweep.js';
import { trialId } from '../../src/experiment/plan.js';
import { CURVE_SQL, query } from '../helpers/db.js';
import { createTempDir, removeDir, tempDir, writeFile } from '../helpers/files.js';

/** A sweep small enough to train in seconds: 3 brands, 16 px, 2 epochs. */
function experimentYaml(grid: string, training = 'epochs: 2, batchSize: 4'): string {
  return [
    'name: tiny',
    'dataset: {kind: synthetic, classes: 3, perClass: 6, size: 32, seed: 3}',
    'model: {architecture: cifar10}',
    `training: {${training}}`,
    `grid: {${grid}}`,
    'workers: 2',
  ].join('\n');
}

interface Fixture {
  dir: string;
  cache: string;
  db: string;
}

function fixture(t: TestContext): Fixture {
  const dir = tempDir(t);
  return { dir, cache: path.join(dir, 'cache'), db: path.join(dir, 'tiny.sqlite') };
}

async function prepare(f: Fixture, yaml: string): Promise<PreparedSweep> {
  const file = writeFile(f.dir, 'tiny.yaml', yaml);
  return prepareSweep(file, { cacheDir: f.cache });
}

function run(f: Fixture, sweep: PreparedSweep) {
  return runSweep(sweep, { db: f.db, cacheDir: f.cache, backend: 'wasm' });
}

const GRID = 'learningRate: [0.01, 0.001], imageSize: [16], filters: [4]';

describe('running a sweep', () => {
  let f: Fixture;
  let sweep: PreparedSweep;

  before(async () => {
    const dir = createTempDir();
    f = { dir, cache: path.join(dir, 'cache'), db: path.join(dir, 'tiny.sqlite') };
    sweep = await prepare(f, experimentYaml(GRID));
  });
  // Registered here, not inside before(): there it would run right after it.
  after(() => removeDir(f.dir));

  test('trains every trial and records every epoch', async () => {
    const summary = await run(f, sweep);
    assert.equal(summary.status, 'done');
    assert.deepEqual(summary.counts, { done: 2 });
    assert.equal(summary.backend, 'wasm');
    assert.deepEqual(query(f.db, 'SELECT count(*) AS n FROM epochs'), [{ n: 4 }]);
    assert.deepEqual(
      query(f.db, 'SELECT status, epochs_done, attempts, backend FROM trials'),
      [
        { status: 'done', epochs_done: 2, attempts: 1, backend: 'wasm' },
        { status: 'done', epochs_done: 2, attempts: 1, backend: 'wasm' },
      ],
    );
    const [trial] = query(f.db, 'SELECT best_val_acc, best_epoch, final_val_acc FROM trials') as {
      best_val_acc: number;
      best_epoch: number;
    }[];
    assert.ok(trial!.best_val_acc >= 0 && trial!.best_val_acc <= 1);
    assert.ok([1, 2].includes(trial!.best_epoch));
    assert.deepEqual(query(f.db, 'SELECT status, backend, classes FROM sweeps'), [
      { status: 'done', backend: 'wasm', classes: 3 },
    ]);
    assert.deepEqual(query(f.db, 'PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
  });

  test('running it again trains nothing and changes no trial or epoch', async () => {
    const before = query(f.db, 'SELECT * FROM trials ORDER BY id');
    const epochs = query(f.db, 'SELECT * FROM epochs ORDER BY trial_id, epoch');
    const summary = await run(f, sweep);
    assert.equal(summary.ran, 0);
    assert.deepEqual(query(f.db, 'SELECT * FROM trials ORDER BY id'), before);
    assert.deepEqual(query(f.db, 'SELECT * FROM epochs ORDER BY trial_id, epoch'), epochs);
  });

  test('a trial left running by a dead process trains again from scratch', async () => {
    const id = sweep.trials[0]!.id;
    const conn = new Database(f.db);
    conn.prepare("UPDATE trials SET status = 'running' WHERE id = ?").run(id);
    conn.prepare('DELETE FROM epochs WHERE trial_id = ? AND epoch = 2').run(id);
    conn.close();

    const summary = await run(f, sweep);
    assert.equal(summary.ran, 1);
    assert.deepEqual(
      query(f.db, `SELECT status, epochs_done, attempts FROM trials WHERE id = '${id}'`),
      [{ status: 'done', epochs_done: 2, attempts: 2 }],
    );
    assert.deepEqual(query(f.db, 'SELECT count(*) AS n FROM epochs'), [{ n: 4 }]);
  });

  test('adding a value to the grid trains only the new cells', async () => {
    const wider = await prepare(
      f,
      experimentYaml('learningRate: [0.01, 0.001, 0.003], imageSize: [16], filters: [4]'),
    );
    const summary = await run(f, wider);
    assert.equal(summary.ran, 1);
    assert.deepEqual(summary.counts, { done: 3 });
    assert.deepEqual(query(f.db, 'SELECT count(*) AS n FROM epochs'), [{ n: 6 }]);
  });
});

describe('trials that go wrong', () => {
  test('a trial whose worker throws fails alone and the sweep carries on', async (t) => {
    const f = fixture(t);
    const sweep = await prepare(f, experimentYaml(GRID));
    // Below the network's minimum size: the rules refuse it in a file, so
    // build it here to make the worker itself throw.
    const params = { ...sweep.trials[0]!.params, imageSize: 8 };
    const broken = { id: trialId(params, 'broken'), index: 2, params };
    const summary = await run(f, { ...sweep, trials: [...sweep.trials, broken] });

    assert.equal(summary.status, 'failed');
    assert.deepEqual(summary.counts, { done: 2, failed: 1 });
    const [failed] = query(
      f.db,
      `SELECT status, error, attempts FROM trials WHERE id = '${broken.id}'`,
    ) as { status: string; error: string; attempts: number }[];
    assert.equal(failed!.status, 'failed');
    assert.match(failed!.error, /imageSize 8 is too small for the cifar10 network/);
    assert.equal(failed!.attempts, 1);
  });

  test('a NaN loss ends the trial as diverged with the reason', async (t) => {
    const f = fixture(t);
    const sweep = await prepare(
      f,
      experimentYaml(
        'learningRate: [1.0e+30], imageSize: [16], filters: [4]',
        'epochs: 3, batchSize: 4, optimizer: sgd',
      ),
    );
    const summary = await run(f, sweep);
    assert.equal(summary.status, 'done');
    assert.deepEqual(summary.counts, { diverged: 1 });
    const [trial] = query(f.db, 'SELECT status, error, epochs_done FROM trials') as {
      error: string;
      epochs_done: number;
    }[];
    assert.match(trial!.error, /loss was (NaN|Infinity)/);
    assert.ok(trial!.epochs_done < 3);
  });

  test('the same trial trains to the same curve in two databases', async (t) => {
    const f = fixture(t);
    const sweep = await prepare(f, experimentYaml(GRID));
    const other = { ...f, db: path.join(f.dir, 'again.sqlite') };
    await run(f, sweep);
    await run(other, sweep);
    assert.deepEqual(query(other.db, CURVE_SQL), query(f.db, CURVE_SQL));
  });
});
