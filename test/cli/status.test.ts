import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';

import { validateExperiment } from '../../src/experiment/load.js';
import { expandTrials } from '../../src/experiment/plan.js';
import type { Trial } from '../../src/experiment/trial.js';
import type { SweepStatusReport } from '../../src/status/read-status.js';
import { SweepStore } from '../../src/store/sweep-store.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';

const { experiment } = validateExperiment(
  {
    name: 'watched',
    dataset: { kind: 'synthetic', classes: 4 },
    model: { architecture: 'cifar10' },
    training: { epochs: 5 },
    grid: { learningRate: [0.1, 0.01, 0.001], imageSize: [16, 32], filters: [8] },
    stopping: { median: { grace: 2, minTrials: 1 } },
  },
  'watched.yaml',
);
const trials = expandTrials(experiment, 'fingerprint');
const SWEEP = 'feedc0ffee000001';

const epoch = (n: number, valAcc: number, loss = 1) => ({
  epoch: n,
  loss,
  acc: 0.5,
  valLoss: 1,
  valAcc,
  seconds: 2,
});

function train(store: SweepStore, trial: Trial, accuracies: number[]): void {
  store.startTrial(trial.id);
  accuracies.forEach((valAcc, i) => store.recordEpoch(trial.id, epoch(i + 1, valAcc)));
}

/**
 * A sweep mid-run, written by the real SweepStore, with a trial in every
 * status. Every epoch took 2 s; 2 workers. Returns the open store: the run
 * it records is this test process, which is alive.
 */
function buildSweep(t: TestContext): { store: SweepStore; file: string } {
  const file = path.join(tempDir(t), 'watched.sqlite');
  const store = new SweepStore(file);
  t.after(() => store.close());
  store.beginSweep({
    id: SWEEP,
    name: 'watched',
    experimentJson: JSON.stringify(experiment),
    classes: 4,
  });
  store.beginRun(SWEEP, 2);
  store.syncTrials(SWEEP, trials);
  const [done, stopped, diverged, failed, running] = trials as [Trial, Trial, Trial, Trial, Trial];

  train(store, done, [0.4, 0.6, 0.8, 0.9, 0.85]);
  store.finishTrial(done.id, 'done');

  train(store, stopped, [0.3, 0.3, 0.35]);
  store.recordDecision(stopped.id, 3, {
    rule: 'median',
    action: 'stop',
    status: 'stopped',
    metric: 'best_val_acc',
    value: 0.35,
    threshold: 0.8,
    peers: 1,
    reason: 'best val acc 0.35 below the median 0.8 of 1 trial',
  });
  store.finishTrial(stopped.id, 'stopped');

  train(store, diverged, [0.25]);
  store.recordDecision(diverged.id, 1, {
    rule: 'divergence',
    action: 'stop',
    status: 'diverged',
    metric: 'loss',
    value: 16.1,
    threshold: 4.2,
    peers: null,
    reason: 'loss 16.1 above 3 × ln(4)',
  });
  store.finishTrial(diverged.id, 'diverged', 'loss 16.1 above 3 × ln(4)');

  store.startTrial(failed.id);
  store.finishTrial(failed.id, 'failed', 'worker died: out of memory');

  train(store, running, [0.3, 0.5]);
  return { store, file };
}

function statusJson(file: string, ...args: string[]): SweepStatusReport {
  const result = runCli(['status', '--db', file, '--json', ...args]);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as SweepStatusReport;
}

/** A pid that existed a moment ago and exists no more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

describe('gridsweep status', () => {
  test('counts trials in every status and lists the running ones', (t) => {
    const { file } = buildSweep(t);
    const report = statusJson(file);

    assert.equal(report.sweep.name, 'watched');
    assert.equal(report.state, 'running');
    assert.deepEqual(report.counts, {
      pending: 1,
      running: 1,
      done: 1,
      stopped: 1,
      diverged: 1,
      failed: 1,
    });
    assert.deepEqual(report.varying, ['learningRate', 'imageSize']);
    assert.equal(report.running.length, 1);
    const [running] = report.running;
    assert.equal(running!.id, trials[4]!.id);
    assert.deepEqual(
      [running!.epoch, running!.epochs, running!.bestValAcc, running!.lastValAcc],
      [2, 5, 0.5, 0.5],
    );
    assert.equal(running!.params.learningRate, 0.001);
  });

  test('says the run on this host is alive, and estimates the time left', (t) => {
    const { file } = buildSweep(t);
    const report = statusJson(file);

    assert.equal(report.run?.pid, process.pid);
    assert.equal(report.run?.workers, 2);
    assert.deepEqual(report.run?.liveness, { state: 'alive', by: 'pid' });
    assert.ok(report.run!.heartbeatAgeSeconds < 60);
    // 3 epochs left of the running trial and 5 of the pending one, at 2 s:
    // 16 s over 2 workers, but the pending trial alone takes 10 s.
    assert.deepEqual(report.eta, {
      seconds: 10,
      upperBound: true,
      guessed: 0,
      epochs: 8,
      trials: 2,
    });
  });

  test('reports the best cell so far and the latest early stops', (t) => {
    const { file } = buildSweep(t);
    const report = statusJson(file);

    assert.equal(report.best?.meanBestValAcc, 0.9);
    assert.equal(report.best?.n, 1);
    assert.deepEqual(
      [report.best?.params.learningRate, report.best?.params.imageSize],
      [trials[0]!.params.learningRate, trials[0]!.params.imageSize],
    );
    assert.equal(report.best?.chance, 0.25);
    assert.deepEqual(
      report.stops.map((stop) => [stop.trialId, stop.rule, stop.epoch]).sort(),
      [
        [trials[1]!.id, 'median', 3],
        [trials[2]!.id, 'divergence', 1],
      ].sort(),
    );
  });

  test('the --json object has every documented field', (t) => {
    const { file } = buildSweep(t);
    const report = statusJson(file);
    assert.deepEqual(Object.keys(report), [
      'sweep', 'state', 'counts', 'varying', 'running', 'run', 'eta', 'best', 'stops',
    ]);
    assert.deepEqual(Object.keys(report.sweep), [
      'id', 'name', 'status', 'createdAt', 'finishedAt', 'trials',
    ]);
    assert.deepEqual(Object.keys(report.run!).sort(), [
      'finishedAt', 'heartbeatAgeSeconds', 'heartbeatAt', 'host', 'id', 'liveness',
      'pid', 'runs', 'startedAt', 'status', 'workers',
    ]);
    const help = runCli(['status', '--help']).stdout.replace(/\s+/g, ' ');
    for (const field of ['heartbeatAgeSeconds', 'silenceLimit', 'upperBound', 'decidedAt']) {
      assert.ok(help.includes(field), `--help documents ${field}`);
    }
  });

  test('prints the same as text for a person', (t) => {
    const { file } = buildSweep(t);
    const { status, stdout, stderr } = runCli(['status', '--db', file]);
    assert.equal(status, 0, stderr);
    assert.match(stdout, /^watched \(sweep feedc0ff\): running; 3 of 6 trials have a result\n/);
    assert.match(stdout, /\ntrials {2}1 pending, 1 running, 1 done, 1 stopped, 1 diverged, 1 failed\n/);
    assert.match(stdout, new RegExp(`\\nrun {5}alive: process ${process.pid} on \\S+, 2 workers, started \\ds ago, last epoch written \\ds ago\\n`));
    assert.match(stdout, /\nETA {5}≤ 10s for 8 epochs of 2 trials on 2 workers/);
    assert.match(stdout, /\nbest {4}learningRate 0\.1, imageSize 16 px: best val acc 0\.900 \(mean of 1; chance 0\.250\)/);
    assert.match(stdout, /\n {2}\[5\/6\] [0-9a-f]{8} +2\/5 +0\.500 +0\.500 +0\.001 +16 px\n/);
    assert.match(stdout, /stopped early \(latest first\)\n.*by (median|divergence): /);
  });

  test('a run whose pid is gone on this host is stale, with how to resume', (t) => {
    const { store, file } = buildSweep(t);
    store.db.prepare('UPDATE runs SET pid = ?').run(deadPid());

    const report = statusJson(file);
    assert.equal(report.state, 'stale');
    assert.deepEqual(report.run?.liveness, { state: 'stale', by: 'pid' });
    assert.equal(report.eta, null, 'no ETA for a run that is not running');

    const text = runCli(['status', '--db', file]).stdout;
    assert.match(
      text,
      /stale: the run stopped without finishing; `gridsweep run FILE --db .*watched\.sqlite` resumes it/,
    );
    assert.match(text, /\nrun {5}STALE, no such process: process \d+ on /);
  });

  test('a run on another host is judged by its heartbeat', (t) => {
    const { store, file } = buildSweep(t);
    store.db.prepare("UPDATE runs SET host = 'elsewhere'").run();
    assert.deepEqual(statusJson(file).run?.liveness, {
      state: 'alive',
      by: 'heartbeat',
      silenceLimit: 300,
    });

    store.db
      .prepare("UPDATE runs SET heartbeat_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour')")
      .run();
    const report = statusJson(file);
    assert.equal(report.state, 'stale');
    assert.equal(report.run?.liveness.by, 'heartbeat');
  });

  test('only reads: the database and its log are unchanged', (t) => {
    const { file } = buildSweep(t);
    const before = snapshot(file);
    statusJson(file);
    assert.equal(runCli(['status', '--db', file]).status, 0);
    assert.deepEqual(snapshot(file), before);
  });

  test('--watch stops by itself once the sweep is no longer running', (t) => {
    const { store, file } = buildSweep(t);
    store.finishSweep(SWEEP, 'failed');
    store.finishRun('failed');

    const result = runCli(['status', '--db', file, '--watch', '1']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^watched \(sweep feedc0ff\): failed; 3 of 6 trials have a result; `gridsweep run FILE --db .*` tries the failed trials again/);
    assert.match(result.stdout, /\nrun {5}ended failed: process \d+ on \S+, 2 workers, started \ds ago\n/);
    assert.doesNotMatch(result.stdout, /\nETA/);

    const bad = runCli(['status', '--db', file, '--watch', 'soon']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--watch: expected seconds >= 0\.5, received "soon"/);
  });

  test('a missing database is bad input, exit code 2, naming the path', (t) => {
    const file = path.join(tempDir(t), 'nowhere.sqlite');
    const result = runCli(['status', '--db', file]);
    assert.equal(result.status, 2);
    assert.ok(result.stderr.includes(`no database at ${file}`), result.stderr);
    assert.equal(existsSync(file), false, 'status creates no file');
  });
});

/** The bytes and times of a database file and its write-ahead log. */
function snapshot(file: string) {
  return [file, `${file}-wal`].map((name) =>
    existsSync(name)
      ? { name, mtime: statSync(name).mtimeMs, bytes: readFileSync(name).toString('base64') }
      : { name, absent: true },
  );
}
