/**
 * The database under stress: a folder that cannot be written, a file that
 * is not ours, one from a newer gridsweep, a disk that fills up mid-sweep,
 * another process holding the write lock. Nothing recorded may be lost,
 * and every refusal names the file.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';

const require = createRequire(import.meta.url);

import Database from 'better-sqlite3';

import { startCli, waitUntil } from '../helpers/cli.js';
import { query } from '../helpers/db.js';
import { tempDir, writeFile } from '../helpers/files.js';
import {
  assertSound,
  checks,
  cli,
  sha256File,
  tinyExperiment,
  tmpfs,
} from './harness.js';

/** Long enough to be caught mid-sweep: 12 epochs of two trials. */
const longer = (name: string) => tinyExperiment(name, ['training: {epochs: 12, batchSize: 4}']);

function epochCount(db: string): number {
  try {
    return (query<{ n: number }>(db, 'SELECT count(*) AS n FROM epochs')[0]?.n ?? 0) as number;
  } catch {
    return 0;
  }
}

describe('faults: the database', () => {
  test('a database in a read-only folder', (t) => {
    const dir = tempDir(t);
    const readonly = tmpfs(t, 'ro,size=1m');
    if (readonly === null) {
      t.skip('cannot mount a read-only tmpfs here (needs root)');
      return;
    }
    const file = writeFile(dir, 'experiment.yaml', tinyExperiment('ro'));
    const result = cli(dir, ['run', file, '--db', path.join(readonly, 'ro.sqlite')]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /cannot write database .*ro\.sqlite: .* is read-only/);
    checks(t, 'exit 2 naming the file and its read-only folder');
  });

  test('a file that is not SQLite is refused and left untouched', (t) => {
    const dir = tempDir(t);
    const db = writeFile(dir, 'notes.sqlite', 'these are my notes, not a database\n'.repeat(200));
    const before = sha256File(db);
    const file = writeFile(dir, 'experiment.yaml', tinyExperiment('notdb'));
    const result = cli(dir, ['run', file, '--db', db]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /notes\.sqlite is not an SQLite database/);
    assert.equal(sha256File(db), before);
    checks(t, 'exit 2 naming the file; its bytes unchanged');
  });

  test('a database from a newer gridsweep is refused and left untouched', (t) => {
    const dir = tempDir(t);
    const file = writeFile(dir, 'experiment.yaml', tinyExperiment('newer', ['training: {epochs: 1, batchSize: 4}']));
    const db = path.join(dir, 'newer.sqlite');
    assert.equal(cli(dir, ['run', file, '--db', db, '--backend', 'wasm']).status, 0);
    const raw = new Database(db);
    raw.pragma('user_version = 99');
    raw.close();
    const before = sha256File(db);
    const result = cli(dir, ['run', file, '--db', db]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /newer\.sqlite was written by a newer gridsweep \(schema 99/);
    assert.equal(sha256File(db), before);
    checks(t, 'exit 2 saying a newer gridsweep wrote it; bytes unchanged');
  });

  test('the disk fills up mid-sweep: exit 1, nothing lost, resumes after', (t) => {
    const dir = tempDir(t);
    const small = tmpfs(t, 'size=1m');
    if (small === null) {
      t.skip('cannot mount a tmpfs here (needs root)');
      return;
    }
    // Leave about 300 KB: room for the schema and some epochs, not for all.
    fs.writeFileSync(path.join(small, 'filler'), Buffer.alloc(700 * 1024));
    const file = writeFile(dir, 'experiment.yaml', longer('full'));
    const db = path.join(small, 'full.sqlite');
    const result = cli(dir, ['run', file, '--db', db, '--backend', 'wasm']);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /cannot record .* in .*full\.sqlite: the disk is full/);
    assert.match(result.stderr, /free some space, then run the same command again/);
    assert.deepEqual(assertSound(db), []);
    const recorded = epochCount(db);

    // "Free some space": move everything to a roomy folder and resume.
    const roomy = path.join(dir, 'roomy');
    fs.mkdirSync(roomy);
    for (const name of fs.readdirSync(small).filter((n) => n.startsWith('full'))) {
      fs.cpSync(path.join(small, name), path.join(roomy, name), { recursive: true });
    }
    const moved = path.join(roomy, 'full.sqlite');
    const again = cli(dir, ['run', file, '--db', moved, '--backend', 'wasm']);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(query(moved, 'SELECT DISTINCT status FROM trials'), [{ status: 'done' }]);
    assert.deepEqual(assertSound(moved), []);
    assert.equal(epochCount(moved), 24);
    checks(
      t,
      `exit 1 "the disk is full" with ${recorded} epochs kept sound; resumed to 24 epochs, integrity ok`,
    );
  });

  test('another process holds the write lock mid-sweep: exit 1, resumes after', async (t) => {
    const dir = tempDir(t);
    const file = writeFile(dir, 'experiment.yaml', longer('locked'));
    const db = path.join(dir, 'locked.sqlite');
    const run = startCli(['run', file, '--db', db, '--backend', 'wasm'], {
      cwd: dir,
      env: { GRIDSWEEP_CACHE: path.join(dir, '.cache') },
    });
    await waitUntil(() => epochCount(db) >= 2, 'the first epochs');
    const holder = holdWriteLock(t, db, 8000);
    await holder.locked;
    const result = await run.done;
    await holder.released;

    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /another process holds a write lock on it/);
    assert.deepEqual(assertSound(db), []);
    const again = cli(dir, ['run', file, '--db', db, '--backend', 'wasm']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(epochCount(db), 24);
    checks(t, 'exit 1 naming the lock after the 5 s busy timeout; integrity ok; resumed to 24 epochs');
  });

  test('a lock released within the busy timeout only delays the run', async (t) => {
    const dir = tempDir(t);
    const file = writeFile(dir, 'experiment.yaml', tinyExperiment('brief'));
    const db = path.join(dir, 'brief.sqlite');
    assert.equal(cli(dir, ['run', file, '--db', db, '--backend', 'wasm']).status, 0);
    const holder = holdWriteLock(t, db, 1500);
    await holder.locked;
    const wider = writeFile(
      dir,
      'experiment.yaml',
      tinyExperiment('brief', ['grid: {learningRate: [0.003, 0.001, 0.002], imageSize: [16], filters: [4]}']),
    );
    const result = cli(dir, ['run', wider, '--db', db, '--backend', 'wasm']);
    await holder.released;
    assert.equal(result.status, 0, result.stderr);
    assert.equal(epochCount(db), 6);
    checks(t, 'exit 0 after waiting for a 1.5 s lock; all epochs recorded');
  });
});

/** A separate process that takes the database's write lock for `ms`. */
function holdWriteLock(t: TestContext, db: string, ms: number) {
  const script = `
    const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
    const db = new Database(${JSON.stringify(db)}, { timeout: 20000 });
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${ms});
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill());
  const locked = new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  const released = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { locked, released };
}
