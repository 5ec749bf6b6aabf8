import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';

import { fixtureDir, makeSweepFixture, type SweepFixture } from '../query/sweep-fixture.js';
import { runCli } from '../helpers/cli.js';

let fixture: SweepFixture;

function query(sql: string, ...args: string[]) {
  return runCli(['query', sql, '--db', fixture.db, ...args]);
}

describe('gridsweep query', () => {
  before(async () => {
    fixture = await makeSweepFixture();
  });

  test('prints a table of the rows, NULL shown as NULL, with a row count', () => {
    const { status, stdout, stderr } = query(
      'SELECT image_size, count(*) AS trials, NULL AS empty FROM trial_summary ' +
        'GROUP BY image_size ORDER BY image_size',
    );
    assert.equal(status, 0, stderr);
    assert.equal(
      stdout,
      [
        'image_size  trials  empty',
        '----------  ------  -----',
        '        16       4  NULL',
        '        20       4  NULL',
        '(2 rows)',
        '',
      ].join('\n'),
    );
  });

  test('prints CSV with a header and empty fields for NULL', () => {
    const { status, stdout } = query(
      'SELECT learning_rate, error FROM trials ORDER BY learning_rate LIMIT 1',
      '--format',
      'csv',
    );
    assert.equal(status, 0);
    assert.equal(stdout, 'learning_rate,error\r\n0.0001,\n');
  });

  test('prints JSON, an array of row objects', () => {
    const { status, stdout } = query(
      'SELECT rank, n, learning_rate, image_size FROM best_cells ORDER BY rank',
      '--format',
      'json',
    );
    assert.equal(status, 0);
    const rows = JSON.parse(stdout) as { n: number; rank: number }[];
    assert.equal(rows.length, 4);
    assert.deepEqual(Object.keys(rows[0]!), ['rank', 'n', 'learning_rate', 'image_size']);
    assert.ok(rows.every((row) => row.n === 2));
  });

  test('refuses a write with a clear message and exit code 2', () => {
    const { status, stdout, stderr } = query('UPDATE trials SET status = \'failed\'');
    assert.equal(status, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /gridsweep: query: refused UPDATE: it writes to the database/);
    assert.match(stderr, /hint: gridsweep query only reads/);
  });

  test('refuses ATTACH and a pragma that sets a value, exit code 2', () => {
    assert.equal(query("ATTACH 'x.sqlite' AS x").status, 2);
    const pragma = query('PRAGMA journal_mode = DELETE');
    assert.equal(pragma.status, 2);
    assert.match(pragma.stderr, /refused PRAGMA journal_mode = DELETE: it sets a value/);
  });

  test("shows SQLite's syntax error, exit code 2", () => {
    const { status, stderr } = query('SELECT * FORM trials');
    assert.equal(status, 2);
    assert.match(stderr, /query: SQL error: near "FORM": syntax error/);
  });

  test('stops a runaway query after --timeout seconds, exit code 1', () => {
    const { status, stderr } = query(
      'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c',
      '--timeout',
      '0.5',
    );
    assert.equal(status, 1);
    assert.match(stderr, /query: stopped after 0.5 s without finishing/);
  });

  test('without --db reads the only results/*.sqlite of the working folder', () => {
    const dir = fixtureDir();
    mkdirSync(path.join(dir, 'results'));
    copyFileSync(fixture.db, path.join(dir, 'results', 'tiny.sqlite'));
    const one = runCli(['query', 'SELECT count(*) AS n FROM trials'], { cwd: dir });
    assert.equal(one.status, 0, one.stderr);
    assert.equal(one.stdout, 'n\n-\n8\n(1 row)\n');

    copyFileSync(fixture.db, path.join(dir, 'results', 'other.sqlite'));
    const two = runCli(['query', 'SELECT 1'], { cwd: dir });
    assert.equal(two.status, 2);
    assert.match(two.stderr, /--db: 2 sweep databases in .*\(other\.sqlite, tiny\.sqlite\); name one/);
  });

  test('a missing database is bad input, exit code 2', () => {
    const { status, stderr } = runCli(['query', 'SELECT 1', '--db', '/nonexistent/x.sqlite']);
    assert.equal(status, 2);
    assert.match(stderr, /no database at \/nonexistent\/x\.sqlite/);
  });
});
