/**
 * The coordinator: turns a prepared sweep into finished trials. It decodes
 * each image size once, hands trials to a piscina pool one per worker
 * thread, and is the only writer of the sweep database, one transaction per
 * epoch event. It reports what happens as events; it prints nothing.
 */
import os from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';

import { Piscina } from 'piscina';

import type { PreparedData } from '../data/types.js';
import { hashId } from '../experiment/canonical.js';
import type { Trial } from '../experiment/trial.js';
import { silentLogger, type Logger } from '../log.js';
import {
  FINAL_STATUSES,
  SweepStore,
  type StatusCounts,
  type SweepStatus,
  type TrialStatus,
} from '../store/sweep-store.js';
import { describeEnvironment, isTfjsNodeInstalled } from './environment.js';
import type { PreparedSweep } from './prepare.js';
import type {
  BackendChoice,
  BackendName,
  EpochMetrics,
  TrainTask,
  TrainTaskResult,
  WorkerMessage,
} from './protocol.js';

export interface RunOptions {
  /** SQLite file to write. */
  db: string;
  /** Worker threads; default the experiment's `workers`, else the cores. */
  workers?: number;
  backend?: BackendChoice;
  logger?: Logger;
  onEvent?: (event: SweepEvent) => void;
  /** Where decoded images are cached between runs. */
  cacheDir?: string;
}

export type SweepEvent =
  | {
      type: 'sweep-started';
      sweepId: string;
      total: number;
      toRun: number;
      workers: number;
    }
  | { type: 'data-ready'; imageSize: number; images: number; seconds: number }
  | { type: 'trial-started'; trial: Trial; backend: BackendName }
  | { type: 'epoch'; trial: Trial; metrics: EpochMetrics }
  | {
      type: 'trial-finished';
      trial: Trial;
      status: TrialStatus;
      error?: string;
      seconds: number;
    }
  | { type: 'sweep-finished'; status: SweepStatus; counts: StatusCounts };

export interface RunSummary {
  sweepId: string;
  status: SweepStatus;
  counts: StatusCounts;
  /** Trials trained by this run (the rest were already finished). */
  ran: number;
  backend: BackendName | null;
}

export async function runSweep(
  sweep: PreparedSweep,
  options: RunOptions,
): Promise<RunSummary> {
  const logger = options.logger ?? silentLogger;
  const emit = options.onEvent ?? (() => {});
  const store = new SweepStore(options.db);
  const sweepId = hashId({
    name: sweep.experiment.name,
    dataset: sweep.dataset.fingerprint,
  });

  try {
    store.beginSweep({
      id: sweepId,
      name: sweep.experiment.name,
      experimentJson: JSON.stringify(sweep.experiment),
      classes: sweep.dataset.classes.length,
      envJson: JSON.stringify(describeEnvironment(sweep.baseDir)),
    });
    const toRun = trialsToRun(store, sweepId, sweep.trials);
    const workers = workerCount(options, sweep, toRun.length, logger);
    emit({
      type: 'sweep-started',
      sweepId,
      total: sweep.trials.length,
      toRun: toRun.length,
      workers,
    });

    const backend =
      toRun.length === 0
        ? null
        : await trainAll(sweep, toRun, { ...options, workers, sweepId, store, emit, logger });

    const counts = store.countStatuses(sweep.trials.map((trial) => trial.id));
    const status: SweepStatus = (counts.failed ?? 0) > 0 ? 'failed' : 'done';
    store.finishSweep(sweepId, status);
    emit({ type: 'sweep-finished', status, counts });
    return { sweepId, status, counts, ran: toRun.length, backend };
  } finally {
    store.close();
  }
}

/**
 * Trials whose result stands are skipped. A trial left `running` (its
 * process died) or `failed` starts again from scratch: its partial epochs
 * are discarded in the same transaction that resets it.
 */
function trialsToRun(
  store: SweepStore,
  sweepId: string,
  trials: readonly Trial[],
): Trial[] {
  const statuses = store.syncTrials(sweepId, trials);
  return trials.filter((trial) => {
    const status = statuses.get(trial.id)!;
    if (FINAL_STATUSES.includes(status)) return false;
    if (status !== 'pending') store.resetTrial(trial.id);
    return true;
  });
}

function workerCount(
  options: RunOptions,
  sweep: PreparedSweep,
  trials: number,
  logger: Logger,
): number {
  const requested =
    options.workers ?? sweep.experiment.workers ?? os.availableParallelism();
  const choice = options.backend ?? 'auto';
  const nodeBackend =
    choice === 'node' || (choice === 'auto' && isTfjsNodeInstalled());
  if (nodeBackend && requested > 1) {
    // tfjs-node is not safe in several worker threads at once
    // (tensorflow/tfjs#2079, #3463, #8388); its own thread pool uses the
    // cores instead.
    logger.info('tfjs-node trains one trial at a time; using 1 worker');
    return 1;
  }
  return Math.max(1, Math.min(requested, trials));
}

interface TrainContext extends RunOptions {
  workers: number;
  sweepId: string;
  store: SweepStore;
  emit: (event: SweepEvent) => void;
  logger: Logger;
}

async function trainAll(
  sweep: PreparedSweep,
  trials: Trial[],
  context: TrainContext,
): Promise<BackendName | null> {
  const data = await decodeSizes(sweep, trials, context);
  const pool = new Piscina({
    filename: new URL('../../workers/train.js', import.meta.url).href,
    name: 'train',
    minThreads: context.workers,
    maxThreads: context.workers,
    idleTimeout: 60_000,
  });
  let backend: BackendName | null = null;
  const queue = [...trials];

  const slot = async () => {
    for (let trial = queue.shift(); trial; trial = queue.shift()) {
      const used = await trainOne(pool, trial, data.get(trial.params.imageSize)!, {
        ...context,
        numClasses: sweep.dataset.classes.length,
      });
      if (used && backend === null) {
        backend = used;
        context.store.setSweepBackend(context.sweepId, used);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: context.workers }, slot));
  } finally {
    await pool.destroy();
  }
  return backend;
}

async function decodeSizes(
  sweep: PreparedSweep,
  trials: Trial[],
  context: TrainContext,
): Promise<Map<number, PreparedData>> {
  const { decodeDataset } = await import('../data/index.js');
  const sizes = [...new Set(trials.map((trial) => trial.params.imageSize))];
  const data = new Map<number, PreparedData>();
  for (const size of sizes.sort((a, b) => a - b)) {
    const started = performance.now();
    const prepared = await decodeDataset(
      sweep.experiment.dataset,
      sweep.dataset,
      size,
      {
        logger: context.logger,
        baseDir: sweep.baseDir,
        ...(context.cacheDir ? { cacheDir: context.cacheDir } : {}),
      },
    );
    data.set(size, prepared);
    context.emit({
      type: 'data-ready',
      imageSize: size,
      images: prepared.train.count + prepared.validation.count,
      seconds: (performance.now() - started) / 1000,
    });
  }
  return data;
}

/**
 * Runs one trial to its end and records it. A worker that throws or dies
 * fails this trial only; the error is kept with the trial's row.
 */
async function trainOne(
  pool: Piscina,
  trial: Trial,
  data: PreparedData,
  context: TrainContext & { numClasses: number },
): Promise<BackendName | null> {
  const { store, emit } = context;
  const started = performance.now();
  const channel = new MessageChannel();
  const receiver = receiveEpochs(channel.port1, trial, context);

  const task: TrainTask = {
    trial,
    numClasses: context.numClasses,
    train: data.train,
    validation: data.validation,
    backend: context.backend ?? 'auto',
    port: channel.port2,
  };

  let status: TrialStatus;
  let error: string | undefined;
  try {
    const result = (await pool.run(task, {
      transferList: [channel.port2 as never],
    })) as TrainTaskResult;
    await receiver.drained(result.epochsRun);
    status = result.status === 'aborted' ? 'failed' : result.status;
    error = result.reason;
  } catch (thrown) {
    await receiver.drained(0);
    status = 'failed';
    error = thrown instanceof Error ? thrown.message : String(thrown);
    if (!receiver.started()) store.startTrial(trial.id);
  } finally {
    channel.port1.close();
  }

  store.finishTrial(trial.id, status, error);
  emit({
    type: 'trial-finished',
    trial,
    status,
    seconds: (performance.now() - started) / 1000,
    ...(error === undefined ? {} : { error }),
  });
  return receiver.backend();
}

/**
 * Listens to a worker's port: marks the trial running when it starts and
 * writes each epoch as it arrives. `drained(n)` resolves once n epochs have
 * been written or the port has closed, since the task's result and the
 * port's messages travel on different channels.
 */
function receiveEpochs(
  port: MessagePort,
  trial: Trial,
  context: TrainContext,
) {
  let received = 0;
  let backend: BackendName | null = null;
  let closed = false;
  let wake: (() => void) | undefined;

  port.on('message', (message: WorkerMessage) => {
    if (message.type === 'started') {
      backend = message.backend;
      context.store.startTrial(trial.id);
      context.store.setTrialBackend(trial.id, message.backend);
      context.emit({ type: 'trial-started', trial, backend: message.backend });
    } else {
      context.store.recordEpoch(trial.id, message.metrics);
      received++;
      context.emit({ type: 'epoch', trial, metrics: message.metrics });
    }
    wake?.();
  });
  port.on('close', () => {
    closed = true;
    wake?.();
  });

  return {
    started: () => backend !== null,
    backend: () => backend,
    drained: (expected: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (received >= expected || closed) resolve();
        };
        wake = check;
        check();
      }),
  };
}
