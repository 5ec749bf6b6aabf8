/**
 * The coordinator: turns a prepared sweep into finished trials, and is the
 * only writer of the sweep database. It plans the run (what is finished,
 * what resumes from where), then hands the trials to the local pool or,
 * with `queue`, to `gridsweep worker` processes through Redis. Either way
 * every attempt's conversation (epochs, verdicts, checkpoints) goes through
 * the same code, in conversation.ts.
 *
 * What survives what:
 * - a trial that finished (done, diverged, stopped) is never trained again;
 * - Ctrl-C (the stop signal) lets each running trial finish its epoch, saves
 *   a checkpoint there and puts the trial back to pending;
 * - kill -9 or a power cut leaves trials running: the next run rewinds each
 *   to its last checkpoint (or to nothing) in one transaction and goes on;
 * - a worker that dies fails its attempt only; the trial is tried again
 *   from its checkpoint, up to the experiment's `retries`.
 */
import os from 'node:os';

import { hashId } from '../experiment/canonical.js';
import type { Trial } from '../experiment/trial.js';
import { silentLogger, type Logger } from '../log.js';
import { CheckpointFiles } from '../store/checkpoint-files.js';
import {
  FINAL_STATUSES,
  SweepStore,
  type StatusCounts,
  type SweepStatus,
} from '../store/sweep-store.js';
import { parseQueueUrl } from '../queue/connection.js';
import { isInterrupted, type RunContext, type RunOptions } from './context.js';
import { isWriteError, recordingFailed } from './recording-error.js';
import { describeEnvironment, isTfjsNodeInstalled } from './environment.js';
import type { PlannedTrial, SweepEvent } from './events.js';
import { trainLocally } from './local-pool.js';
import type { PreparedSweep } from './prepare.js';
import type { BackendName } from './protocol.js';

export type { PlannedTrial, RunOptions, SweepEvent };

export interface RunSummary {
  sweepId: string;
  status: SweepStatus;
  counts: StatusCounts;
  /** Trials this run worked on (the rest were already finished). */
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
  const files = new CheckpointFiles(options.db);
  const sweepId = sweepIdOf(sweep);
  let context: RunContext | undefined;

  try {
    store.beginSweep({
      id: sweepId,
      name: sweep.experiment.name,
      experimentJson: JSON.stringify(sweep.experiment),
      classes: sweep.dataset.classes.length,
      envJson: JSON.stringify(describeEnvironment(sweep.baseDir)),
    });
    const lost = store.closeLostAttempts(sweepId);
    if (lost > 0) logger.info(`${lost} trial(s) were left running by a run that died`);
    const planned = planRun(store, files, sweepId, sweep.trials);
    const workers = workerCount(options, sweep, planned.length, logger);
    store.beginRun(sweepId, workers);
    emit({
      type: 'sweep-started',
      sweepId,
      total: sweep.trials.length,
      planned,
      workers,
      ...(options.queue === undefined ? {} : { queue: parseQueueUrl(options.queue).display }),
    });

    context = {
      ...options,
      workers,
      sweepId,
      store,
      files,
      emit,
      logger,
      policy: sweep.experiment.stopping,
      checkpointEvery: sweep.experiment.checkpointEvery,
      retries: sweep.experiment.retries,
      epochTimeout: sweep.experiment.epochTimeout,
      numClasses: sweep.dataset.classes.length,
      fatal: undefined,
      stopWorkers: () => {},
    };
    const backend =
      planned.length === 0 || options.stop?.aborted
        ? null
        : await train(sweep, planned, context);
    if (context.fatal !== undefined) throw context.fatal;

    const counts = store.countStatuses(sweep.trials.map((trial) => trial.id));
    const unfinished = sweep.trials.length - finishedCount(counts);
    const status: SweepStatus =
      (counts.failed ?? 0) > 0
        ? 'failed'
        : unfinished > 0 && isInterrupted(options)
          ? 'interrupted'
          : 'done';
    store.finishSweep(sweepId, status);
    store.finishRun(status);
    files.removeDirIfEmpty();
    emit({ type: 'sweep-finished', status, counts });
    return { sweepId, status, counts, ran: planned.length, backend };
  } catch (error) {
    try {
      store.finishSweep(sweepId, 'failed');
      store.finishRun('failed');
    } catch {
      // The database is what failed; the error below says so.
    }
    if (context?.fatal !== undefined) throw context.fatal;
    throw isWriteError(error) ? recordingFailed(error, null, options.db) : error;
  } finally {
    store.close();
  }
}

/** The same on every machine: the experiment's name and its data. */
export function sweepIdOf(sweep: PreparedSweep): string {
  return hashId({ name: sweep.experiment.name, dataset: sweep.dataset.fingerprint });
}

async function train(
  sweep: PreparedSweep,
  planned: PlannedTrial[],
  context: RunContext,
): Promise<BackendName | null> {
  if (context.queue === undefined) return trainLocally(sweep, planned, context);
  // BullMQ and ioredis load only for a run that uses them.
  const { trainOnQueue } = await import('../queue/coordinator.js');
  return trainOnQueue(sweep, planned, context);
}

/**
 * The trials this run trains. Finished trials are skipped and their
 * leftover checkpoints removed. Every other trial (pending, failed, or left
 * running by a process that died) is rewound to its last checkpoint if it
 * has one, and otherwise reset to nothing; either way the epochs after that
 * point go in the same transaction.
 */
function planRun(
  store: SweepStore,
  files: CheckpointFiles,
  sweepId: string,
  trials: readonly Trial[],
): PlannedTrial[] {
  const statuses = store.syncTrials(sweepId, trials);
  const planned: PlannedTrial[] = [];
  for (const trial of trials) {
    const status = statuses.get(trial.id)!;
    const record = store.checkpointOf(trial.id);
    if (FINAL_STATUSES.includes(status)) {
      if (record) {
        store.dropCheckpoint(trial.id);
        files.remove(trial.id);
      }
      continue;
    }
    // The file itself is read and checked when the trial is dispatched
    // (checkpointToResume), which starts it over if the file is unusable.
    if (record && record.epoch < trial.params.epochs) {
      store.rewindTrial(trial.id, record.epoch);
      planned.push({ trial, resumeFrom: record.epoch });
      continue;
    }
    store.resetTrial(trial.id);
    files.remove(trial.id);
    planned.push({ trial, resumeFrom: 0 });
  }
  return planned;
}

function workerCount(
  options: RunOptions,
  sweep: PreparedSweep,
  trials: number,
  logger: Logger,
): number {
  const requested =
    options.workers ?? sweep.experiment.workers ?? os.availableParallelism();
  // With a queue, 0 is allowed: the workers are elsewhere.
  if (requested === 0 && options.queue !== undefined) return 0;
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

function finishedCount(counts: StatusCounts): number {
  return FINAL_STATUSES.reduce((sum, status) => sum + (counts[status] ?? 0), 0);
}
