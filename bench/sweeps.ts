/**
 * Benchmarks of whole sweeps through runSweep, the code `gridsweep run`
 * uses, on the synthetic logo set generated in a temporary folder:
 *
 * - orchestration: what a sweep costs beyond training, per trial (pool,
 *   worker messages, model building, SQLite) and per epoch row (SweepStore
 *   .recordEpoch in a tight loop on a file on disk);
 * - workers: trials per hour with 1 worker and with 2, interleaved.
 *
 *   node dist/bench/sweeps.js
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { median } from '../src/bench/train-speed.js';
import { prepareSweep } from '../src/coordinator/prepare.js';
import { runSweep, type SweepEvent } from '../src/coordinator/run-sweep.js';
import { hashId } from '../src/experiment/canonical.js';
import { SweepStore } from '../src/store/sweep-store.js';

export interface OrchestrationResult {
  trials: number;
  epochsPerTrial: number;
  /** runSweep's wall time, minus decoding the images. */
  sweepSeconds: number;
  /** Sum of the epochs' own wall times, as the worker measured them. */
  trainingSeconds: number;
  /** (sweepSeconds - trainingSeconds) / trials, 1 worker. */
  msPerTrial: number;
  /** Median over trials of the coordinator's trial time minus its epochs. */
  medianMsPerTrialInPool: number;
  recordEpochRows: number;
  msPerEpochRow: number;
}

export interface WorkersResult {
  trials: number;
  epochsPerTrial: number;
  network: string;
  /** Each run, in the order run (1, 2, 1, 2, ...). */
  runs: { workers: number; trialsPerHour: number; meanEpochSeconds: number }[];
  oneWorkerTrialsPerHour: number;
  twoWorkersTrialsPerHour: number;
  /** Two workers' median over one worker's median. */
  speedup: number;
  /**
   * 2 x one worker's epoch time over two workers' (median): the speed-up of
   * a sweep long enough that starting the workers does not count.
   */
  steadySpeedup: number;
}

interface SweepSpec {
  name: string;
  dataset: string;
  grid: string;
  training: string;
  repeats: number;
}

/** Sweep overhead: many 1-epoch trials of a tiny network, one worker. */
export async function benchOrchestration(options: { trials?: number } = {}) {
  const trials = options.trials ?? 40;
  return withTempDir(async (dir) => {
    const spec: SweepSpec = {
      name: 'overhead',
      dataset: '{kind: synthetic, classes: 3, perClass: 8, size: 32, seed: 3}',
      grid: '{learningRate: [0.001], imageSize: [24], filters: [4]}',
      training: '{epochs: 1, batchSize: 8}',
      repeats: trials,
    };
    // A first run generates and decodes the images; the timed one reuses them.
    await timeSweep(dir, spec, 1, 'warm-up.sqlite');
    const run = await timeSweep(dir, spec, 1, 'timed.sqlite');
    const rows = benchRecordEpoch(path.join(dir, 'rows.sqlite'), 5000);

    const result: OrchestrationResult = {
      trials,
      epochsPerTrial: 1,
      sweepSeconds: run.seconds,
      trainingSeconds: run.trainingSeconds,
      msPerTrial: ((run.seconds - run.trainingSeconds) * 1000) / trials,
      medianMsPerTrialInPool: median(run.trialOverheads) * 1000,
      recordEpochRows: rows.rows,
      msPerEpochRow: rows.msPerRow,
    };
    return result;
  });
}

const EPOCHS = 8;

/** Trials per hour with 1 and 2 workers, alternated `rounds` times. */
export async function benchWorkers(
  options: { rounds?: number; trials?: number } = {},
): Promise<WorkersResult> {
  const rounds = options.rounds ?? 2;
  // Enough work per run that each worker's start-up (loading TensorFlow.js
  // and compiling wasm, about 0.3 s) does not decide the ratio.
  const trials = options.trials ?? 8;
  return withTempDir(async (dir) => {
    const spec: SweepSpec = {
      name: 'workers',
      dataset: '{kind: synthetic, classes: 10, perClass: 32, size: 64, seed: 3}',
      grid: '{learningRate: [0.001], imageSize: [32], filters: [16]}',
      training: `{epochs: ${EPOCHS}, batchSize: 32}`,
      repeats: trials,
    };
    await timeSweep(dir, { ...spec, repeats: 1 }, 1, 'warm-up.sqlite');

    const runs: WorkersResult['runs'] = [];
    for (let round = 0; round < rounds; round += 1) {
      for (const workers of [1, 2]) {
        const run = await timeSweep(dir, spec, workers, `r${round}-w${workers}.sqlite`);
        runs.push({
          workers,
          trialsPerHour: (trials * 3600) / run.seconds,
          meanEpochSeconds: run.trainingSeconds / (trials * EPOCHS),
        });
      }
    }
    const of = (workers: number, key: 'trialsPerHour' | 'meanEpochSeconds') =>
      median(runs.filter((r) => r.workers === workers).map((r) => r[key]));
    return {
      trials,
      epochsPerTrial: EPOCHS,
      network: 'seed, 32 px, 16 filters, batch 32, 240 training / 80 validation images',
      runs,
      oneWorkerTrialsPerHour: of(1, 'trialsPerHour'),
      twoWorkersTrialsPerHour: of(2, 'trialsPerHour'),
      speedup: of(2, 'trialsPerHour') / of(1, 'trialsPerHour'),
      steadySpeedup: (2 * of(1, 'meanEpochSeconds')) / of(2, 'meanEpochSeconds'),
    };
  });
}

interface TimedSweep {
  /** Wall time of runSweep minus the time spent decoding images. */
  seconds: number;
  trainingSeconds: number;
  /** Per trial: the coordinator's time for it minus its epochs' time. */
  trialOverheads: number[];
}

async function timeSweep(
  dir: string,
  spec: SweepSpec,
  workers: number,
  dbName: string,
): Promise<TimedSweep> {
  const file = path.join(dir, `${spec.name}.yaml`);
  await writeFile(file, experimentYaml(spec));
  const cacheDir = path.join(dir, 'cache');
  const sweep = await prepareSweep(file, { cacheDir });

  let decodeSeconds = 0;
  let trainingSeconds = 0;
  const epochSeconds = new Map<string, number>();
  const trialOverheads: number[] = [];
  const onEvent = (event: SweepEvent) => {
    if (event.type === 'data-ready') decodeSeconds += event.seconds;
    if (event.type === 'epoch') {
      trainingSeconds += event.metrics.seconds;
      const id = event.trial.id;
      epochSeconds.set(id, (epochSeconds.get(id) ?? 0) + event.metrics.seconds);
    }
    if (event.type === 'trial-finished') {
      trialOverheads.push(event.seconds - (epochSeconds.get(event.trial.id) ?? 0));
    }
  };

  const started = performance.now();
  const summary = await runSweep(sweep, {
    db: path.join(dir, dbName),
    workers,
    backend: 'wasm',
    cacheDir,
    onEvent,
  });
  const seconds = (performance.now() - started) / 1000 - decodeSeconds;
  if (summary.status !== 'done') throw new Error(`bench sweep ${spec.name}: ${summary.status}`);
  return { seconds, trainingSeconds, trialOverheads };
}

/** SweepStore.recordEpoch, one transaction per row, as a sweep writes. */
function benchRecordEpoch(file: string, rows: number): { rows: number; msPerRow: number } {
  const store = new SweepStore(file);
  try {
    const sweepId = hashId({ bench: 'rows' });
    store.beginSweep({ id: sweepId, name: 'rows', experimentJson: '{}' });
    const params = {
      learningRate: 1e-3, imageSize: 24, filters: 4, architecture: 'seed' as const,
      dropout: 0.5, epochs: rows, batchSize: 8, optimizer: 'rmsprop' as const,
      decay: 1e-6, repeat: 0, seed: 1,
    };
    const trial = { id: hashId({ bench: 'trial' }), index: 0, params };
    store.syncTrials(sweepId, [trial]);
    store.startTrial(trial.id);

    const started = performance.now();
    for (let epoch = 1; epoch <= rows; epoch += 1) {
      const acc = (epoch % 97) / 97;
      store.recordEpoch(trial.id, {
        epoch, loss: 1 / epoch, acc, valLoss: 1 / epoch, valAcc: acc, seconds: 0.5,
      });
    }
    return { rows, msPerRow: (performance.now() - started) / rows };
  } finally {
    store.close();
  }
}

function experimentYaml(spec: SweepSpec): string {
  return [
    `name: ${spec.name}`,
    `dataset: ${spec.dataset}`,
    'model: {architecture: seed}',
    `training: ${spec.training}`,
    `grid: ${spec.grid}`,
    `repeats: ${spec.repeats}`,
  ].join('\n');
}

async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  // The row cost is only real on a disk: os.tmpdir() is one on the bench
  // machines (checked with df), but a tmpfs elsewhere would flatter it.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gridsweep-bench-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(await benchOrchestration(), null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(await benchWorkers(), null, 2)}\n`);
}
