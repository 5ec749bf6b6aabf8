/**
 * A sweep across machines, played on one: a real redis-server on loopback,
 * the coordinator and two `gridsweep worker` processes as separate CLI
 * processes, each worker with its own cache (its own copy of the data).
 * Training is deterministic, so every queued run must record exactly the
 * curves of the same sweep run locally, whatever happened on the way.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { runCli, startCli, waitUntil, type StartedCli } from '../helpers/cli.js';
import { CURVE_SQL, query } from '../helpers/db.js';
import { createTempDir, removeDir, writeFile } from '../helpers/files.js';
import { REDIS_MISSING, REDIS_PASSWORD, startRedis, type RedisServer } from '../helpers/redis.js';

const EPOCHS = 20;

/** 4 trials of the small cifar10 net at 16 px: an epoch takes tens of ms. */
const EXPERIMENT = [
  'name: spread',
  'dataset: {kind: synthetic, classes: 3, perClass: 16, size: 32, seed: 3}',
  'model: {architecture: cifar10}',
  `training: {epochs: ${EPOCHS}, batchSize: 4}`,
  'grid: {learningRate: [0.003, 0.001], imageSize: [16], filters: [4, 6]}',
  'checkpointEvery: 2',
  'workers: 2',
].join('\n');

/** Like query, but [] while the coordinator has not made its tables. */
function peek<T>(db: string, sql: string): T[] {
  if (!fs.existsSync(db)) return [];
  try {
    return query<T>(db, sql);
  } catch {
    return [];
  }
}

describe('a sweep spread over worker processes', { skip: REDIS_MISSING }, () => {
  let dir: string;
  let redis: RedisServer;
  let experiment: string;
  let reference: string;

  before(async () => {
    dir = createTempDir();
    redis = await startRedis(dir);
    experiment = writeFile(dir, 'spread.yaml', EXPERIMENT);
    reference = path.join(dir, 'reference.sqlite');
    const local = runCli(['run', experiment, '--db', reference, '--backend', 'wasm'], {
      env: { GRIDSWEEP_CACHE: path.join(dir, 'cache-local') },
    });
    assert.equal(local.status, 0, local.stderr);
  });
  after(async () => {
    await redis?.stop();
    removeDir(dir);
  });

  function startWorker(name: string): StartedCli {
    const args = ['worker', '--queue', redis.url, '--workers', '1', '--stall-seconds', '3'];
    return startCli(args, { env: { GRIDSWEEP_CACHE: path.join(dir, `cache-${name}`) } });
  }

  function coordinate(db: string): StartedCli {
    const args = ['run', experiment, '--db', db, '--queue', redis.url, '--workers', '0'];
    return startCli([...args, '--backend', 'wasm'], {
      env: { GRIDSWEEP_CACHE: path.join(dir, 'cache-coordinator') },
    });
  }

  async function stopWorkers(...workers: StartedCli[]) {
    const ends = [];
    for (const worker of workers) {
      worker.child.kill('SIGTERM');
      ends.push(await worker.done);
    }
    return ends;
  }

  function checkComplete(db: string): void {
    assert.deepEqual(query(db, 'SELECT status, count(*) AS n FROM trials GROUP BY 1'), [
      { status: 'done', n: 4 },
    ]);
    const done = query<{ n: number }>(
      db,
      "SELECT count(*) AS n FROM attempts WHERE status = 'done' GROUP BY trial_id",
    );
    assert.deepEqual(done.map((row) => row.n), [1, 1, 1, 1], 'each trial done exactly once');
    assert.deepEqual(query(db, 'SELECT count(*) AS n FROM epochs'), [{ n: 4 * EPOCHS }]);
    assert.deepEqual(query(db, CURVE_SQL), query(reference, CURVE_SQL));
    assert.deepEqual(query(db, 'PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
  }

  test('two workers train every trial once, to the curves of a local run', async (t) => {
    const db = path.join(dir, 'queued.sqlite');
    const workers = [startWorker('a'), startWorker('b')];
    const started = performance.now();
    const run = await coordinate(db).done;
    const seconds = (performance.now() - started) / 1000;
    const [a, b] = await stopWorkers(...workers);

    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /through the queue at redis:\/\/:\*\*\*@127\.0\.0\.1/);
    for (const output of [run.stderr, a!.stderr, b!.stderr]) {
      assert.doesNotMatch(output, new RegExp(REDIS_PASSWORD), 'the password is never printed');
    }
    assert.equal(a!.status, 0, a!.stderr);
    assert.equal(b!.status, 0, b!.stderr);
    checkComplete(db);

    const byWorker = query<{ worker: string }>(db, 'SELECT DISTINCT worker FROM attempts');
    assert.equal(byWorker.length, 2, `both workers trained: ${JSON.stringify(byWorker)}`);
    assert.equal(query(db, 'SELECT workers FROM runs')[0]!.workers, 0);
    t.diagnostic(`4 trials on 2 worker processes: ${seconds.toFixed(1)} s`);
  });

  test('a worker killed mid-trial loses its attempt; another finishes the trial from its checkpoint', async () => {
    const db = path.join(dir, 'killed.sqlite');
    const workers = [startWorker('c'), startWorker('d')];
    const pids = workers.map((worker) => worker.child.pid!);
    const coordinator = coordinate(db);

    // The first trial of a worker of ours that has saved a checkpoint.
    let victim: { trial_id: string; worker: string } | undefined;
    await waitUntil(() => {
      [victim] = peek<{ trial_id: string; worker: string }>(
        db,
        `SELECT a.trial_id, a.worker FROM attempts a
         JOIN checkpoints c ON c.trial_id = a.trial_id
         WHERE a.status = 'running'`,
      );
      return victim !== undefined;
    }, 'a running trial with a checkpoint');
    const pid = Number(victim!.worker.split(':').at(-1));
    const killed = workers[pids.indexOf(pid)]!;
    killed.child.kill('SIGKILL');

    const run = await coordinator.done;
    const survivor = workers.find((worker) => worker !== killed)!;
    const [left] = await stopWorkers(survivor);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(left!.status, 0, left!.stderr);
    assert.equal((await killed.done).signal, 'SIGKILL');

    const attempts = query<{ attempt: number; status: string; worker: string; resumed_from: number }>(
      db,
      `SELECT attempt, status, worker, resumed_from FROM attempts
       WHERE trial_id = '${victim!.trial_id}' ORDER BY attempt`,
    );
    const [lost, ...later] = attempts;
    assert.equal(lost!.status, 'lost', JSON.stringify(attempts));
    assert.equal(lost!.worker, victim!.worker);
    const finished = later.find((attempt) => attempt.status === 'done')!;
    assert.notEqual(finished.worker, victim!.worker, 'finished on the other worker');
    assert.ok(finished.resumed_from > 0, `resumed from its checkpoint: ${JSON.stringify(attempts)}`);
    assert.match(run.stderr, /stopped; its trial went back to the queue|was handed to/);
    checkComplete(db);
  });

  test('a Redis that crashes and comes back empty mid-sweep costs no trial', async () => {
    const db = path.join(dir, 'redis-lost.sqlite');
    const workers = [startWorker('e'), startWorker('f')];
    const coordinator = coordinate(db);
    await waitUntil(
      () => (peek<{ n: number }>(db, 'SELECT count(*) AS n FROM epochs')[0]?.n ?? 0) >= 4,
      'the first epochs',
    );
    await redis.crashAndRestart(1000);

    const run = await coordinator.done;
    const ends = await stopWorkers(...workers);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /lost the queue \(.*\); reconnecting/);
    assert.match(run.stderr, /queue reachable again/);
    for (const end of ends) assert.equal(end.status, 0, end.stderr);
    checkComplete(db);
  });
});
