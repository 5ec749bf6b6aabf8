import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';

import Database from 'better-sqlite3';

import { InputError } from '../../src/errors.js';
import { migrate, openDatabase, schemaVersion } from '../../src/store/database.js';
import { SCHEMA_VERSION } from '../../src/store/migrations.js';
import { tempDir } from '../helpers/files.js';

/** A file as gridsweep's first schema left it, with one finished trial. */
function databaseAtVersion1(file: string): void {
  const db = new Database(file);
  migrate(db, 1);
  db.prepare(
    `INSERT INTO sweeps (id, name, experiment_json, created_at, status)
     VALUES ('s1', 'old', '{"dataset":{"kind":"synthetic","classes":4}}',
             '2026-01-01T00:00:00.000Z', 'done')`,
  ).run();
  db.prepare(
    `INSERT INTO trials (id, sweep_id, trial_index, status, learning_rate,
       image_size, filters, architecture, dropout, epochs, batch_size,
       optimizer, decay, repeat, seed, attempts, started_at, finished_at,
       best_val_acc, best_epoch, final_val_acc, epochs_done)
     VALUES ('t1', 's1', 0, 'done', 0.001, 32, 16, 'seed', 0.5, 2, 8,
       'rmsprop', 0.000001, 0, 42, 1, '2026-01-01T00:00:00.000Z',
       '2026-01-01T00:00:10.000Z', 0.6, 1, 0.5, 2)`,
  ).run();
  const epoch = db.prepare(
    `INSERT INTO epochs (trial_id, epoch, loss, acc, val_loss, val_acc, seconds)
     VALUES ('t1', ?, 1.0, 0.5, ?, ?, 5.0)`,
  );
  epoch.run(1, 0.9, 0.6);
  epoch.run(2, 0.8, 0.5);
  db.close();
}

describe('upgrading from schema 1', () => {
  test('a version 1 file opens, upgrades to the current schema and keeps its rows', (t) => {
    const file = path.join(tempDir(t), 'old.sqlite');
    databaseAtVersion1(file);

    const db = openDatabase(file);
    assert.equal(schemaVersion(db), SCHEMA_VERSION);
    assert.deepEqual(db.prepare('SELECT count(*) AS n FROM epochs').get(), { n: 2 });
    db.close();
  });

  test('the views work on an upgraded file, with chance from the experiment', (t) => {
    const file = path.join(tempDir(t), 'old.sqlite');
    databaseAtVersion1(file);
    openDatabase(file).close();

    const db = openDatabase(file, { readonly: true });
    const trial = db
      .prepare(
        `SELECT best_val_acc, best_epoch, final_val_acc, min_val_loss,
           duration_s, chance FROM trial_summary`,
      )
      .get();
    assert.deepEqual(trial, {
      best_val_acc: 0.6,
      best_epoch: 1,
      final_val_acc: 0.5,
      min_val_loss: 0.8,
      duration_s: 10,
      chance: 0.25,
    });
    const cell = db.prepare('SELECT rank, n, mean_best_val_acc FROM best_cells').get();
    assert.deepEqual(cell, { rank: 1, n: 1, mean_best_val_acc: 0.6 });
    const effect = db
      .prepare(
        `SELECT n, mean, sd FROM param_effects
         WHERE param = 'image_size' AND metric = 'final_val_acc'`,
      )
      .get();
    assert.deepEqual(effect, { n: 1, mean: 0.5, sd: null });
    db.close();
  });

  test('a version 1 file opened read-only is refused with a hint to upgrade it', (t) => {
    const file = path.join(tempDir(t), 'old.sqlite');
    databaseAtVersion1(file);
    assert.throws(
      () => openDatabase(file, { readonly: true }),
      (error: unknown) =>
        error instanceof InputError && /schema 1 and needs upgrading/.test(error.message),
    );
  });
});
