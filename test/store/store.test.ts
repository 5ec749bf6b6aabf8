import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';

import Database from 'better-sqlite3';

import { InputError } from '../../src/errors.js';
import { validateExperiment } from '../../src/experiment/load.js';
import { expandTrials } from '../../src/experiment/plan.js';
import { openDatabase, schemaVersion } from '../../src/store/database.js';
import { SCHEMA_VERSION } from '../../src/store/migrations.js';
import { SweepStore } from '../../src/store/sweep-store.js';
import { tempDir, writeFile } from '../helpers/files.js';

const trials = expandTrials(
  validateExperiment(
    {
      name: 'store',
      dataset: { kind: 'synthetic' },
      grid: { learningRate: [0.01, 0.001], imageSize: [32], filters: [8] },
    },
    'test.yaml',
  ).experiment,
  'fingerprint',
);

function openStore(dir: string): SweepStore {
  const store = new SweepStore(path.join(dir, 'sweep.sqlite'));
  store.beginSweep({ id: 's1', name: 'store', experimentJson: '{}' });
  store.syncTrials('s1', trials);
  return store;
}

const epoch = (n: number, valAcc: number) => ({
  epoch: n,
  loss: 1 / n,
  acc: 0.5,
  valLoss: 1,
  valAcc,
  seconds: 0.1,
});

describe('sweep database', () => {
  test('a new file gets the whole schema, in WAL mode', (t) => {
    const store = openStore(tempDir(t));
    assert.equal(schemaVersion(store.db), SCHEMA_VERSION);
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    const tables = store.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    assert.deepEqual(tables, [
      'attempts',
      'checkpoints',
      'decisions',
      'epochs',
      'runs',
      'sweeps',
      'trials',
    ]);
    store.close();
  });

  test('syncing trials adds new ones as pending and keeps known ones', (t) => {
    const store = openStore(tempDir(t));
    store.startTrial(trials[0]!.id);
    const statuses = store.syncTrials('s1', trials);
    assert.deepEqual([...statuses.values()], ['running', 'pending']);
    store.close();
  });

  test('each epoch updates the trial summary: best, its epoch, final, count', (t) => {
    const store = openStore(tempDir(t));
    const id = trials[0]!.id;
    store.startTrial(id);
    store.recordEpoch(id, epoch(1, 0.3));
    store.recordEpoch(id, epoch(2, 0.6));
    store.recordEpoch(id, epoch(3, 0.6));
    store.recordEpoch(id, epoch(4, 0.5));
    const row = store.db
      .prepare('SELECT best_val_acc, best_epoch, final_val_acc, epochs_done, attempts FROM trials WHERE id = ?')
      .get(id);
    assert.deepEqual(row, {
      best_val_acc: 0.6,
      best_epoch: 2,
      final_val_acc: 0.5,
      epochs_done: 4,
      attempts: 1,
    });
    store.close();
  });

  test('a non-finite loss is stored as NULL, not as a number', (t) => {
    const store = openStore(tempDir(t));
    const id = trials[0]!.id;
    store.recordEpoch(id, { ...epoch(1, 0.1), loss: Number.NaN });
    const loss = store.db.prepare('SELECT loss FROM epochs WHERE trial_id = ?').pluck().get(id);
    assert.equal(loss, null);
    store.close();
  });

  test('an epoch recorded twice is refused, keeping the first', (t) => {
    const store = openStore(tempDir(t));
    const id = trials[0]!.id;
    store.recordEpoch(id, epoch(1, 0.3));
    assert.throws(() => store.recordEpoch(id, epoch(1, 0.9)), /UNIQUE constraint/);
    const row = store.db.prepare('SELECT best_val_acc FROM trials WHERE id = ?').pluck().get(id);
    assert.equal(row, 0.3);
    store.close();
  });

  test('resetting a trial discards its epochs and summary together', (t) => {
    const store = openStore(tempDir(t));
    const id = trials[0]!.id;
    store.startTrial(id);
    store.recordEpoch(id, epoch(1, 0.3));
    store.resetTrial(id);
    const count = store.db.prepare('SELECT count(*) FROM epochs').pluck().get();
    const row = store.db
      .prepare('SELECT status, best_val_acc, epochs_done, attempts FROM trials WHERE id = ?')
      .get(id);
    assert.equal(count, 0);
    assert.deepEqual(row, { status: 'pending', best_val_acc: null, epochs_done: 0, attempts: 1 });
    store.close();
  });

  test('rewinding to a checkpoint keeps earlier epochs and recomputes the summary', (t) => {
    const store = openStore(tempDir(t));
    const id = trials[0]!.id;
    store.startTrial(id);
    for (const [n, acc] of [[1, 0.3], [2, 0.6], [3, 0.9], [4, 0.2]] as const) {
      store.recordEpoch(id, epoch(n, acc));
    }
    store.recordDecision(id, 4, {
      rule: 'median', action: 'stop', status: 'stopped', metric: 'best_val_acc',
      value: 0.9, threshold: 0.95, peers: 3, reason: 'test',
    });
    store.rewindTrial(id, 2);
    const row = store.db
      .prepare('SELECT status, best_val_acc, best_epoch, final_val_acc, epochs_done FROM trials WHERE id = ?')
      .get(id);
    assert.deepEqual(row, {
      status: 'pending', best_val_acc: 0.6, best_epoch: 2, final_val_acc: 0.6, epochs_done: 2,
    });
    assert.equal(store.db.prepare('SELECT count(*) FROM epochs').pluck().get(), 2);
    assert.equal(store.db.prepare('SELECT count(*) FROM decisions').pluck().get(), 0);
    store.close();
  });

  test('each start opens a numbered attempt; a later run closes dead ones as lost', (t) => {
    const store = openStore(tempDir(t));
    const id = trials[0]!.id;
    store.beginRun('s1', 2);
    assert.equal(store.startTrial(id), 1);
    store.finishAttempt(id, 1, 'failed', 'worker died');
    assert.equal(store.startTrial(id, 3), 2);
    assert.equal(store.closeLostAttempts('s1'), 1);
    const attempts = store.db
      .prepare('SELECT attempt, status, resumed_from, error FROM attempts ORDER BY attempt')
      .all();
    assert.deepEqual(attempts, [
      { attempt: 1, status: 'failed', resumed_from: 0, error: 'worker died' },
      { attempt: 2, status: 'lost', resumed_from: 3, error: null },
    ]);
    store.close();
  });

  test('counts trials by status', (t) => {
    const store = openStore(tempDir(t));
    store.finishTrial(trials[0]!.id, 'done');
    assert.deepEqual(store.countStatuses(trials.map((x) => x.id)), { done: 1, pending: 1 });
    store.close();
  });
});

describe('opening databases safely', () => {
  test('a database from a newer gridsweep is refused and left untouched', (t) => {
    const file = path.join(tempDir(t), 'new.sqlite');
    openDatabase(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    assert.throws(
      () => openDatabase(file),
      (error: InputError) =>
        error.code === 'E_DATABASE' && /written by a newer gridsweep/.test(error.message),
    );
    const again = new Database(file);
    assert.equal(again.pragma('user_version', { simple: true }), SCHEMA_VERSION + 1);
    again.close();
  });

  test('a file that is not SQLite is refused with its name', (t) => {
    const file = writeFile(tempDir(t), 'notes.sqlite', 'these are my notes, not a database\n'.repeat(200));
    assert.throws(() => openDatabase(file), /notes\.sqlite is not an SQLite database/);
  });

  test("another program's SQLite file is refused and not migrated", (t) => {
    const file = path.join(tempDir(t), 'other.sqlite');
    const other = new Database(file);
    other.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    other.close();
    assert.throws(() => openDatabase(file), /is an SQLite database, but not one gridsweep wrote/);
    const check = new Database(file);
    const tables = check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    check.close();
    assert.deepEqual(tables, ['customers']);
  });

  test('a read-only open of a missing file says so instead of creating it', (t) => {
    const file = path.join(tempDir(t), 'missing.sqlite');
    assert.throws(() => openDatabase(file, { readonly: true }), /no database at .*missing\.sqlite/);
  });
});
