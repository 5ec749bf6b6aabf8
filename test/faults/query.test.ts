/**
 * `gridsweep query` against a real sweep database: every kind of writing
 * statement is refused before it runs and leaves the file byte for byte as
 * it was; a query that never ends is stopped; a syntax error says where.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { createTempDir, removeDir, writeFile } from '../helpers/files.js';
import { checks, cli, sha256File, tinyExperiment } from './harness.js';

const WRITES: [string, string][] = [
  ['INSERT', "INSERT INTO sweeps (id, name, experiment_json, created_at, status) VALUES ('x', 'x', '{}', 'now', 'done')"],
  ['UPDATE', "UPDATE trials SET status = 'done'"],
  ['DELETE', 'DELETE FROM epochs'],
  ['REPLACE', "REPLACE INTO runs (id, sweep_id, host, pid, workers, started_at, heartbeat_at, status) VALUES (1, 'x', 'h', 1, 1, 'n', 'n', 'done')"],
  ['UPSERT', 'INSERT INTO epochs SELECT * FROM epochs WHERE true ON CONFLICT DO NOTHING'],
  ['CREATE TABLE', 'CREATE TABLE notes (text TEXT)'],
  ['CREATE TEMP TABLE', 'CREATE TEMP TABLE scratch AS SELECT * FROM trials'],
  ['CREATE INDEX', 'CREATE INDEX epochs_by_acc ON epochs (val_acc)'],
  ['CREATE VIEW', 'CREATE VIEW mine AS SELECT 1'],
  ['CREATE TRIGGER', "CREATE TRIGGER t AFTER INSERT ON epochs BEGIN DELETE FROM epochs; END"],
  ['DROP TABLE', 'DROP TABLE epochs'],
  ['DROP VIEW', 'DROP VIEW best_cells'],
  ['ALTER TABLE', 'ALTER TABLE trials ADD COLUMN note TEXT'],
  ['ATTACH', "ATTACH DATABASE ':memory:' AS other"],
  ['DETACH', 'DETACH DATABASE main'],
  ['VACUUM', 'VACUUM'],
  ['VACUUM INTO', "VACUUM INTO '/tmp/gridsweep-copy.sqlite'"],
  ['REINDEX', 'REINDEX'],
  ['ANALYZE', 'ANALYZE'],
  ['PRAGMA that writes', 'PRAGMA user_version = 7'],
  ['PRAGMA journal_mode', 'PRAGMA journal_mode = DELETE'],
  ['BEGIN', 'BEGIN IMMEDIATE'],
  ['SAVEPOINT', 'SAVEPOINT s1'],
  ['two statements', 'SELECT 1; DELETE FROM epochs'],
  ['a write behind a WITH', 'WITH x AS (SELECT 1) DELETE FROM epochs'],
];

describe('faults: gridsweep query', () => {
  let dir: string;
  let db: string;

  before(() => {
    dir = createTempDir();
    const file = writeFile(dir, 'experiment.yaml', tinyExperiment('query', ['training: {epochs: 1, batchSize: 4}']));
    db = path.join(dir, 'query.sqlite');
    const result = cli(dir, ['run', file, '--db', db, '--backend', 'wasm']);
    assert.equal(result.status, 0, result.stderr);
  });
  after(() => removeDir(dir));

  for (const [kind, sql] of WRITES) {
    test(`${kind} is refused`, (t) => {
      const before = sha256File(db);
      const result = cli(dir, ['query', sql, '--db', db]);
      assert.equal(result.status, 2, `${result.status}: ${result.stderr}`);
      assert.match(result.stderr, /gridsweep: .*(read-only|writ|one statement|refus|not allowed)/i);
      assert.equal(sha256File(db), before);
      checks(t, 'exit 2 with the reason; the file byte for byte unchanged');
    });
  }

  test('a query that never ends is stopped at the timeout', (t) => {
    const started = performance.now();
    const result = cli(dir, [
      'query',
      'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n',
      '--db',
      db,
      '--timeout',
      '1',
    ]);
    const seconds = (performance.now() - started) / 1000;
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /1 s|timeout|timed out|longer than/i);
    assert.ok(seconds < 20, `took ${seconds} s`);
    checks(t, `a non-zero exit with the timeout named, after ${seconds.toFixed(1)} s`);
  });

  test('a syntax error shows where', (t) => {
    const result = cli(dir, ['query', 'SELECT * FORM trials', '--db', db]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /near "FORM"/);
    checks(t, 'exit 2 and the message points at "FORM"');
  });
});
