/**
 * What an overnight sweep survives, on real runs of the CLI as a separate
 * process: SIGKILL mid-epoch, Ctrl-C, a worker thread that dies, a loss
 * that explodes, and early stopping. Every interrupted run is resumed and
 * compared, epoch by epoch, with the same sweep run without interruption:
 * training is deterministic, so a correct resume gives identical curves.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { runCli, startCli, waitUntil } from '../helpers/cli.js';
import { CURVE_SQL, query } from '../helpers/db.js';
import { createTempDir, removeDir, writeFile } from '../helpers/files.js';

interface Options {
  epochs?: number;
  grid?: string;
  extra?: string[];
  training?: string;
}

/** 3 brands at 16 px on the small cifar10 net: epochs take tens of ms. */
function experimentYaml(name: string, options: Options = {}): string {
  const epochs = options.epochs ?? 12;
  return [
    `name: ${name}`,
    'dataset: {kind: synthetic, classes: 3, perClass: 16, size: 32, seed: 3}',
    'model: {architecture: cifar10}',
    `training: {epochs: ${epochs}, batchSize: 4${options.training ?? ''}}`,
    `grid: {${options.grid ?? 'learningRate: [0.003, 0.001], imageSize: [16], filters: [4]'}}`,
    'workers: 2',
    ...(options.extra ?? []),
  ].join('\n');
}

function count(db: string, sql: string): number {
  if (!fs.existsSync(db)) return 0;
  try {
    return (query<{ n: number }>(db, sql)[0]?.n ?? 0) as number;
  } catch {
    return 0; // the run has not created its tables yet
  }
}

describe('an overnight sweep', () => {
  let dir: string;
  let env: Record<string, string>;
  let reference: string;

  before(() => {
    dir = createTempDir();
    env = { GRIDSWEEP_CACHE: path.join(dir, 'cache') };
    // The same sweep, never interrupted: what every resumed run must equal.
    const file = writeFile(dir, 'reference.yaml', experimentYaml('night'));
    reference = path.join(dir, 'reference.sqlite');
    const result = runCli(['run', file, '--db', reference, '--backend', 'wasm'], { env });
    assert.equal(result.status, 0, result.stderr);
  });
  after(() => removeDir(dir));

  test('killed with SIGKILL mid-epoch, resumes from checkpoints to the same curves', async () => {
    const file = writeFile(dir, 'killed.yaml', [experimentYaml('night'), 'checkpointEvery: 3'].join('\n'));
    const db = path.join(dir, 'killed.sqlite');
    const run = startCli(['run', file, '--db', db, '--backend', 'wasm'], { env });
    await waitUntil(() => count(db, 'SELECT count(*) AS n FROM checkpoints') >= 2, 'checkpoints');
    run.child.kill('SIGKILL');
    const killed = await run.done;
    assert.equal(killed.signal, 'SIGKILL');

    const left = query<{ status: string; epochs_done: number; epoch: number | null }>(
      db,
      `SELECT t.status, t.epochs_done, c.epoch FROM trials t
       LEFT JOIN checkpoints c ON c.trial_id = t.id ORDER BY t.id`,
    );
    assert.ok(left.some((t) => t.status === 'running'), JSON.stringify(left));

    const again = runCli(['run', file, '--db', db, '--backend', 'wasm'], { env });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /resumed from checkpoints/);
    for (const trial of left.filter((t) => t.epoch !== null && t.status === 'running')) {
      assert.match(again.stderr, new RegExp(`resumed at epoch ${trial.epoch! + 1}`));
    }

    assert.deepEqual(query(db, 'SELECT status, count(*) AS n FROM trials GROUP BY 1'), [
      { status: 'done', n: 2 },
    ]);
    assert.deepEqual(query(db, CURVE_SQL), query(reference, CURVE_SQL));
    assert.deepEqual(query(db, 'PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
    const attempts = query<{ status: string; resumed_from: number }>(
      db,
      'SELECT status, resumed_from FROM attempts ORDER BY trial_id, attempt',
    );
    assert.ok(attempts.some((a) => a.status === 'lost'), JSON.stringify(attempts));
    assert.ok(attempts.some((a) => a.resumed_from > 0), JSON.stringify(attempts));
    assert.deepEqual(query(db, 'SELECT count(*) AS n FROM checkpoints'), [{ n: 0 }]);
    assert.equal(fs.existsSync(path.join(dir, 'killed.checkpoints')), false);
  });

  test('Ctrl-C pauses every trial after its epoch, exits 130, and resumes exactly', async () => {
    const file = writeFile(dir, 'paused.yaml', experimentYaml('night'));
    const db = path.join(dir, 'paused.sqlite');
    const run = startCli(['run', file, '--db', db, '--backend', 'wasm'], { env });
    await waitUntil(() => count(db, 'SELECT count(*) AS n FROM epochs') >= 3, 'epochs');
    run.child.kill('SIGINT');
    const stopped = await run.done;
    assert.equal(stopped.status, 130, stopped.stderr);
    assert.match(stopped.stderr, /stopping after the epochs in flight/);
    assert.match(stopped.stderr, /paused after epoch \d+; run again to resume/);
    assert.match(stopped.stderr, /hint: resume with: gridsweep run/);
    assert.doesNotMatch(stopped.stderr, /epoch \d+: loss/, 'no per-epoch lines off a terminal');

    assert.deepEqual(query(db, 'SELECT status FROM sweeps'), [{ status: 'interrupted' }]);
    assert.deepEqual(query(db, 'SELECT status FROM runs'), [{ status: 'interrupted' }]);
    const paused = query<{ status: string; epochs_done: number; epoch: number }>(
      db,
      `SELECT t.status, t.epochs_done, c.epoch FROM trials t
       JOIN checkpoints c ON c.trial_id = t.id`,
    );
    assert.ok(paused.length >= 1);
    for (const trial of paused) {
      assert.equal(trial.status, 'pending');
      assert.equal(trial.epoch, trial.epochs_done, 'the checkpoint is at the last epoch');
    }

    const again = runCli(['run', file, '--db', db, '--backend', 'wasm'], { env });
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(query(db, CURVE_SQL), query(reference, CURVE_SQL));
    assert.deepEqual(query(db, 'SELECT status FROM runs ORDER BY id'), [
      { status: 'interrupted' },
      { status: 'done' },
    ]);
  });

  test('a damaged checkpoint makes its trial start over, with a warning', async () => {
    const file = writeFile(dir, 'damaged.yaml', experimentYaml('night'));
    const db = path.join(dir, 'damaged.sqlite');
    const run = startCli(['run', file, '--db', db, '--backend', 'wasm'], { env });
    await waitUntil(() => count(db, 'SELECT count(*) AS n FROM epochs') >= 3, 'epochs');
    run.child.kill('SIGINT');
    assert.equal((await run.done).status, 130);
    const [saved] = query<{ file: string }>(db, 'SELECT file FROM checkpoints LIMIT 1');
    const damaged = path.join(dir, saved!.file);
    const bytes = fs.readFileSync(damaged);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    fs.writeFileSync(damaged, bytes);

    const again = runCli(['run', file, '--db', db, '--backend', 'wasm'], { env });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /starting over: .* does not match its recorded size and SHA-256/);
    assert.deepEqual(query(db, CURVE_SQL), query(reference, CURVE_SQL));
  });

  test('a worker thread that dies is retried from its checkpoint', () => {
    const file = writeFile(dir, 'crash.yaml', [experimentYaml('night'), 'checkpointEvery: 2'].join('\n'));
    const db = path.join(dir, 'crash.sqlite');
    const result = runCli(['run', file, '--db', db, '--backend', 'wasm'], {
      env: { ...env, GRIDSWEEP_FAILPOINTS: 'exit,epoch=5,attempt=1,trial=0' },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /worker died: .*; trying again \(attempt 2\) from epoch 4/);

    const attempts = query(
      db,
      `SELECT a.attempt, a.status, a.resumed_from FROM attempts a
       JOIN trials t ON t.id = a.trial_id WHERE t.trial_index = 0 ORDER BY a.attempt`,
    );
    assert.deepEqual(attempts, [
      { attempt: 1, status: 'failed', resumed_from: 0 },
      { attempt: 2, status: 'done', resumed_from: 4 },
    ]);
    assert.deepEqual(query(db, CURVE_SQL), query(reference, CURVE_SQL));
  });

  test('an error inside training is not retried: it would fail again', () => {
    const file = writeFile(dir, 'throw.yaml', experimentYaml('night', { epochs: 3 }));
    const db = path.join(dir, 'throw.sqlite');
    const result = runCli(['run', file, '--db', db, '--backend', 'wasm'], {
      env: { ...env, GRIDSWEEP_FAILPOINTS: 'throw,epoch=2,trial=1' },
    });
    assert.equal(result.status, 1, result.stderr);
    assert.deepEqual(
      query(db, 'SELECT trial_index, status, attempts FROM trials ORDER BY trial_index'),
      [
        { trial_index: 0, status: 'done', attempts: 1 },
        { trial_index: 1, status: 'failed', attempts: 1 },
      ],
    );
  });
});

describe('stopping early', () => {
  let dir: string;
  let env: Record<string, string>;

  before(() => {
    dir = createTempDir();
    env = { GRIDSWEEP_CACHE: path.join(dir, 'cache') };
  });
  after(() => removeDir(dir));

  test('an exploding loss ends the trial as diverged in its first epoch', () => {
    const file = writeFile(
      dir,
      'explode.yaml',
      experimentYaml('explode', { epochs: 20, grid: 'learningRate: [0.5], imageSize: [16], filters: [8]' }),
    );
    const db = path.join(dir, 'explode.sqlite');
    const result = runCli(['run', file, '--db', db, '--backend', 'wasm'], { env });
    assert.equal(result.status, 0, result.stderr);
    const [trial] = query<{ status: string; epochs_done: number; error: string }>(
      db,
      'SELECT status, epochs_done, error FROM trials',
    );
    assert.equal(trial!.status, 'diverged');
    assert.ok(trial!.epochs_done <= 2, `stopped at epoch ${trial!.epochs_done}`);
    const [decision] = query<{ rule: string; value: number; threshold: number }>(
      db,
      'SELECT rule, value, threshold FROM decisions',
    );
    assert.equal(decision!.rule, 'divergence');
    assert.ok(decision!.value > decision!.threshold);
    assert.ok(Math.abs(decision!.threshold - 3 * Math.log(3)) < 1e-9);
  });

  test('ASHA and patience stop trials, record why, and keep their curves', () => {
    const file = writeFile(
      dir,
      'asha.yaml',
      experimentYaml('asha', {
        epochs: 8,
        grid: 'learningRate: [0.003, 0.00001, 0.001, 0.000001], imageSize: [16], filters: [4]',
        extra: ['workers: 1', 'stopping: {asha: {minEpochs: 2, reduction: 2}, patience: {epochs: 6}}'],
      }).replace('workers: 2\n', ''),
    );
    const db = path.join(dir, 'asha.sqlite');
    const result = runCli(['run', file, '--db', db, '--backend', 'wasm'], { env });
    assert.equal(result.status, 0, result.stderr);

    const stopped = query<{ id: string; epochs_done: number; epochs: number }>(
      db,
      "SELECT id, epochs_done, (SELECT count(*) FROM epochs WHERE trial_id = t.id) AS epochs FROM trials t WHERE status = 'stopped'",
    );
    assert.ok(stopped.length >= 1, 'some trial was stopped');
    for (const trial of stopped) {
      const decisions = query<{ epoch: number; rule: string; value: number; threshold: number }>(
        db,
        `SELECT epoch, rule, value, threshold FROM decisions
         WHERE trial_id = '${trial.id}' AND action = 'stop'`,
      );
      assert.equal(decisions.length, 1);
      const [decision] = decisions;
      assert.equal(decision!.epoch, trial.epochs_done, 'stopped at the epoch decided');
      assert.equal(trial.epochs, trial.epochs_done, 'its curve is kept');
      if (decision!.rule === 'asha') assert.ok(decision!.value < decision!.threshold);
    }
    assert.match(result.stderr, /stopped in .*: epoch \d+: /);
    // The early-stopped trials count in trial_metrics, not in the
    // completed_trial_metrics view.
    const [withStopped] = query<{ n: number }>(
      db,
      "SELECT count(DISTINCT trial_id) AS n FROM trial_metrics",
    );
    const [withoutStopped] = query<{ n: number }>(
      db,
      'SELECT count(DISTINCT trial_id) AS n FROM completed_trial_metrics',
    );
    assert.equal(withStopped!.n - withoutStopped!.n, stopped.length);
  });
});
