/**
 * Processes that die: the coordinator killed with SIGKILL at random moments
 * (starting up, decoding, training, writing a checkpoint), a worker thread
 * that crashes on every attempt, a worker that hangs. After each, the file
 * must be sound, and the sweep, run again, must end where an uninterrupted
 * run ends, epoch for epoch.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startCli } from '../helpers/cli.js';
import { CURVE_SQL, query } from '../helpers/db.js';
import { createTempDir, removeDir, writeFile } from '../helpers/files.js';
import { createRandom } from '../../src/random.js';
import { LONG, assertSound, checks, cli, tinyExperiment } from './harness.js';

/** Long enough that most kills land mid-sweep; longer for the long variant. */
const EXPERIMENT = tinyExperiment('killed', [
  `training: {epochs: ${LONG ? 400 : 100}, batchSize: 4}`,
  'checkpointEvery: 2',
]);

describe('faults: processes', () => {
  let dir: string;
  let env: Record<string, string>;
  let file: string;
  let reference: string;

  before(() => {
    dir = createTempDir();
    env = { GRIDSWEEP_CACHE: path.join(dir, '.cache') };
    file = writeFile(dir, 'experiment.yaml', EXPERIMENT);
    reference = path.join(dir, 'reference.sqlite');
    const result = cli(dir, ['run', file, '--db', reference, '--backend', 'wasm']);
    assert.equal(result.status, 0, result.stderr);
  });
  after(() => removeDir(dir));

  const kills = LONG ? 25 : 4;
  test(`SIGKILL of the coordinator at ${kills} random moments`, async (t) => {
    const seed = Number(process.env.GRIDSWEEP_FAULTS_SEED ?? Date.now() % 100_000);
    const random = createRandom(seed);
    const db = path.join(dir, 'killed.sqlite');
    const seen: string[] = [];

    for (let kill = 0; kill < kills; kill++) {
      const run = startCli(['run', file, '--db', db, '--backend', 'wasm'], { cwd: dir, env });
      const delay = random.range(200, 2500);
      await new Promise((resolve) => setTimeout(resolve, delay));
      run.child.kill('SIGKILL');
      const result = await run.done;
      if (result.status === 0) {
        seen.push(`kill ${kill + 1} at ${delay.toFixed(0)} ms came after the sweep finished`);
        break;
      }
      if (!hasSchema(db)) {
        seen.push(`${delay.toFixed(0)} ms: before the schema existed`);
        continue;
      }
      const problems = assertSound(db);
      assert.deepEqual(problems, [], `after kill ${kill + 1} at ${delay.toFixed(0)} ms (seed ${seed})`);
      const [{ n } = { n: 0 }] = safeQuery<{ n: number }>(db, 'SELECT count(*) AS n FROM epochs');
      seen.push(`${delay.toFixed(0)} ms: ${n} epochs`);
    }

    const final = cli(dir, ['run', file, '--db', db, '--backend', 'wasm']);
    assert.equal(final.status, 0, final.stderr);
    assert.deepEqual(assertSound(db), []);
    assert.deepEqual(query(db, CURVE_SQL), query(reference, CURVE_SQL), `curves differ (seed ${seed})`);
    checks(
      t,
      `seed ${seed}; after each kill (${seen.join('; ')}) integrity ok and epochs match ` +
        'epochs_done; the resumed sweep equals an uninterrupted one epoch for epoch',
    );
  });

  test('a worker that crashes on every attempt: retried, then failed, then resumed', (t) => {
    const db = path.join(dir, 'crashing.sqlite');
    const crashing = cli(dir, ['run', file, '--db', db, '--backend', 'wasm'], {
      ...env,
      GRIDSWEEP_FAILPOINTS: 'exit,epoch=5,trial=0',
    });
    assert.equal(crashing.status, 1, crashing.stderr);
    assert.equal((crashing.stderr.match(/trying again/g) ?? []).length, 2);
    const attempts = query<{ status: string; resumed_from: number }>(
      db,
      `SELECT a.status, a.resumed_from FROM attempts a JOIN trials t ON t.id = a.trial_id
       WHERE t.trial_index = 0 ORDER BY a.attempt`,
    );
    assert.deepEqual(attempts, [
      { status: 'failed', resumed_from: 0 },
      { status: 'failed', resumed_from: 4 },
      { status: 'failed', resumed_from: 4 },
    ]);

    const again = cli(dir, ['run', file, '--db', db, '--backend', 'wasm']);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(query(db, CURVE_SQL), query(reference, CURVE_SQL));
    checks(t, '3 attempts (retries: 2) each from the epoch-4 checkpoint, exit 1; the next run finishes it identically');
  });

  test('a worker that hangs is stopped after epochTimeout', (t) => {
    const hanging = writeFile(
      dir,
      'hanging.yaml',
      tinyExperiment('hang', ['training: {epochs: 4, batchSize: 4}', 'epochTimeout: 2', 'retries: 0']),
    );
    const db = path.join(dir, 'hang.sqlite');
    const started = performance.now();
    const result = cli(dir, ['run', hanging, '--db', db, '--backend', 'wasm'], {
      ...env,
      GRIDSWEEP_FAILPOINTS: 'hang,epoch=2,trial=1',
    });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(result.status, 1, result.stderr);
    assert.deepEqual(query(db, 'SELECT trial_index, status, error FROM trials ORDER BY 1'), [
      { trial_index: 0, status: 'done', error: null },
      {
        trial_index: 1,
        status: 'failed',
        error: 'worker hung: nothing from it in 2 s (epochTimeout); stopped it',
      },
    ]);
    checks(t, `the hung trial failed with the reason after ${seconds.toFixed(1)} s; the other finished`);
  });
});

/** A query that tolerates a file the killed run never got to create. */
function safeQuery<T>(db: string, sql: string): T[] {
  try {
    return query<T>(db, sql);
  } catch {
    return [];
  }
}

/** Killed early, a run may not have created the file or its tables yet. */
function hasSchema(db: string): boolean {
  if (!fs.existsSync(db)) return false;
  return safeQuery(db, "SELECT name FROM sqlite_master WHERE name = 'trials'").length > 0;
}
