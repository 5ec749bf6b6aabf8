import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';

import Database from 'better-sqlite3';

import { InputError, RuntimeError } from '../../src/errors.js';
import { prepareReadOnly } from '../../src/query/read-only.js';
import { runQuery } from '../../src/query/run-query.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { fixtureDir, makeSweepFixture, runFixtureSweep, type SweepFixture } from './sweep-fixture.js';

/** Every kind of statement that changes a file or the connection's state. */
const REFUSED: [string, RegExp][] = [
  ["INSERT INTO sweeps (id) VALUES ('x')", /refused INSERT: it writes/],
  ['UPDATE trials SET status = \'failed\'', /refused UPDATE: it writes/],
  ['DELETE FROM epochs', /refused DELETE: it writes/],
  ["REPLACE INTO sweeps (id) VALUES ('x')", /refused REPLACE: it writes/],
  ['WITH x AS (SELECT 1) DELETE FROM epochs', /refused WITH: it writes/],
  ['CREATE TABLE t (a)', /refused CREATE: it writes/],
  ['CREATE TEMP TABLE t (a)', /refused CREATE: it writes/],
  ['CREATE VIEW v AS SELECT 1', /refused CREATE: it writes/],
  ['DROP VIEW best_cells', /refused DROP: it writes/],
  ['ALTER TABLE trials ADD COLUMN x', /refused ALTER: it writes/],
  ['VACUUM', /refused VACUUM: it writes/],
  ["VACUUM INTO '/tmp/gridsweep-copy.sqlite'", /refused VACUUM: it writes/],
  ['ANALYZE', /refused ANALYZE: it writes/],
  ['REINDEX', /refused REINDEX: it writes/],
  ["ATTACH 'other.sqlite' AS other", /refused ATTACH: it changes which files/],
  ['DETACH other', /refused DETACH: it changes which files/],
  ['PRAGMA user_version = 3', /refused PRAGMA user_version = 3: it sets a value/],
  ['PRAGMA user_version(3)', /refused PRAGMA user_version\(3\): it sets a value/],
  ['PRAGMA journal_mode = DELETE', /refused PRAGMA journal_mode = DELETE: it sets/],
  ['PRAGMA cache_size = 10', /refused PRAGMA cache_size: it is not one of/],
  ['PRAGMA query_only = 0', /refused PRAGMA query_only: it is not one of/],
  ['PRAGMA main.writable_schema = 1', /refused PRAGMA writable_schema: it is not/],
  ['BEGIN IMMEDIATE', /refused BEGIN: it writes/],
  ['BEGIN DEFERRED', /refused BEGIN: it returns no rows/],
  ['SAVEPOINT s', /refused SAVEPOINT: it returns no rows/],
  ['SELECT 1; DELETE FROM epochs', /more than one statement/],
];

const ALLOWED = [
  'SELECT * FROM best_cells',
  'WITH t AS (SELECT * FROM trials) SELECT count(*) FROM t',
  '-- the sizes\nSELECT DISTINCT image_size FROM trials;',
  '/* a */ SELECT 1; -- trailing comment',
  "SELECT '-- not a comment; DELETE' AS text",
  'EXPLAIN QUERY PLAN SELECT * FROM trials',
  'PRAGMA table_info(trials)',
  'PRAGMA main.table_info(epochs)',
  'PRAGMA user_version',
  'PRAGMA integrity_check',
  "SELECT * FROM pragma_table_info('trials')",
];

let fixture: SweepFixture;
let db: Db;

describe('read-only queries', () => {
  before(async () => {
    fixture = await makeSweepFixture();
    db = openDatabase(fixture.db, { readonly: true });
  });

  for (const [sql, message] of REFUSED) {
    test(`refuses ${JSON.stringify(sql)} with a message saying why`, () => {
      assert.throws(
        () => prepareReadOnly(db, sql),
        (error: unknown) => error instanceof InputError && message.test(error.message),
      );
    });
  }

  for (const sql of ALLOWED) {
    test(`allows ${JSON.stringify(sql)}`, () => {
      assert.equal(prepareReadOnly(db, sql).reader, true);
    });
  }

  test("a syntax error shows SQLite's message, naming the token", () => {
    assert.throws(
      () => prepareReadOnly(db, 'SELEC * FROM trials'),
      /query: SQL error: near "SELEC": syntax error/,
    );
  });

  test('empty SQL is refused', () => {
    assert.throws(() => prepareReadOnly(db, '  -- nothing\n'), /the SQL is empty/);
  });

  test('runQuery returns the column names and the rows as arrays', async () => {
    const result = await runQuery(
      fixture.db,
      'SELECT image_size, count(*) AS n FROM trials GROUP BY image_size ORDER BY 1',
    );
    assert.deepEqual(result, {
      columns: ['image_size', 'n'],
      rows: [
        [16, 4],
        [20, 4],
      ],
    });
  });

  test('runQuery refuses a write as bad input and leaves the file as it was', async () => {
    await assert.rejects(runQuery(fixture.db, 'DELETE FROM epochs'), InputError);
    const result = await runQuery(fixture.db, 'SELECT count(*) FROM epochs');
    assert.deepEqual(result.rows, [[16]]);
  });

  test('a query that runs past its time limit is stopped', async () => {
    const started = performance.now();
    await assert.rejects(
      runQuery(
        fixture.db,
        'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) ' +
          'SELECT count(*) FROM c',
        { timeoutMs: 500 },
      ),
      (error: unknown) =>
        error instanceof RuntimeError && /stopped after 0.5 s/.test(error.message),
    );
    assert.ok(performance.now() - started < 5000);
  });

  test('a query answers while another connection holds a write transaction', async () => {
    const copy = path.join(fixtureDir(), 'copy.sqlite');
    copyFileSync(fixture.db, copy);
    const writer = new Database(copy);
    writer.pragma('journal_mode = WAL');
    writer.exec('BEGIN IMMEDIATE');
    writer.exec('DELETE FROM epochs');
    try {
      const result = await runQuery(copy, 'SELECT count(*) FROM epochs', { timeoutMs: 5000 });
      assert.deepEqual(result.rows, [[16]], 'sees the last committed state');
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
  });

  test('queries answer while a sweep is running and writing', async () => {
    const dir = fixtureDir();
    const file = path.join(dir, 'running.sqlite');
    const sweep = runFixtureSweep(dir, file);
    let finished = false;
    void sweep.then(() => (finished = true));

    const seenWhileRunning: number[] = [];
    while (!finished) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const result = await runQuery(
        file,
        "SELECT status, (SELECT count(*) FROM epochs) FROM sweeps",
        { timeoutMs: 5000 },
      ).catch(() => undefined); // the file may not exist yet
      if (result?.rows[0]?.[0] === 'running') {
        seenWhileRunning.push(result.rows[0][1] as number);
      }
    }
    await sweep;

    assert.ok(seenWhileRunning.length > 0, 'some query ran while the sweep was running');
    const final = await runQuery(file, 'SELECT count(*) FROM epochs');
    assert.deepEqual(final.rows, [[16]]);
    assert.ok(seenWhileRunning.every((epochs) => epochs <= 16));
  });
});
