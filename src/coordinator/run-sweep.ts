/**
 * The coordinator: turns a prepared sweep into finished trials. It decodes
 * each image size once, hands trials to a piscina pool one per worker
 * thread, and is the only writer of the sweep database. After every epoch
 * it records the metrics, asks the stopping rules, and answers the worker
 * with a verdict: go on, save a checkpoint, or stop.
 *
 * What survives what:
 * - a trial that finished (done, diverged, stopped) is never trained again;
 * - Ctrl-C (the stop signal) lets each running trial finish its epoch, saves
 *   a checkpoint there and puts the trial back to pending;
 * - kill -9 or a power cut leaves trials running: the next run rewinds each
 *   to its last checkpoint (or to nothing) in one transaction and goes on;
 * - a worker thread that dies fails its attempt only; the trial is tried
 *   again from its checkpoint, up to the experiment's `retries`.
 */
import os from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';

import { Piscina } from 'piscina';

import type { PreparedData } from '../data/types.js';
import { RuntimeError } from '../errors.js';
import { hashId } from '../experiment/canonical.js';
import type { StoppingPolicy } from '../experiment/schema.js';
import type { Trial } from '../experiment/trial.js';
import { silentLogger, type Logger } from '../log.js';
import { judgeEpoch, type Decision, type EpochPoint } from '../stopping/rules.js';
import { CheckpointFiles } from '../store/checkpoint-files.js';
import {
  FINAL_STATUSES,
  SweepStore,
  type AttemptStatus,
  type StatusCounts,
  type SweepStatus,
  type TrialStatus,
} from '../store/sweep-store.js';
import { describeEnvironment, isTfjsNodeInstalled } from './environment.js';
import type { PlannedTrial, SweepEvent } from './events.js';
import type { PreparedSweep } from './prepare.js';
import type {
  BackendChoice,
  BackendName,
  CoordinatorMessage,
  EpochVerdict,
  TrainTask,
  TrainTaskResult,
  WorkerMessage,
} from './protocol.js';

export type { PlannedTrial, SweepEvent };

export interface RunOptions {
  /** SQLite file to write; checkpoints go in a folder beside it. */
  db: string;
  /** Worker threads; default the experiment's `workers`, else the cores. */
  workers?: number;
  backend?: BackendChoice;
  logger?: Logger;
  onEvent?: (event: SweepEvent) => void;
  /** Where decoded images are cached between runs. */
  cacheDir?: string;
  /** When aborted: start no trial, pause running ones after their epoch. */
  stop?: AbortSignal;
  /** When aborted: end every worker now; trials resume from checkpoints. */
  abort?: AbortSignal;
}

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
  const sweepId = hashId({
    name: sweep.experiment.name,
    dataset: sweep.dataset.fingerprint,
  });

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
    const planned = planRun(store, files, sweepId, sweep.trials, logger);
    const workers = workerCount(options, sweep, planned.length, logger);
    store.beginRun(sweepId, workers);
    emit({ type: 'sweep-started', sweepId, total: sweep.trials.length, planned, workers });

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
        : await trainAll(sweep, planned, context);
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

/**
 * The trials this run trains. Finished trials are skipped and their
 * leftover checkpoints removed. Every other trial (pending, failed, or left
 * running by a process that died) is rewound to its last checkpoint if it
 * has a sound one, and otherwise reset to nothing; either way the epochs
 * after that point go in the same transaction.
 */
function planRun(
  store: SweepStore,
  files: CheckpointFiles,
  sweepId: string,
  trials: readonly Trial[],
  logger: Logger,
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
    const usable = record && record.epoch < trial.params.epochs ? files.read(record) : null;
    if (record && usable && 'bytes' in usable) {
      store.rewindTrial(trial.id, record.epoch);
      planned.push({ trial, resumeFrom: record.epoch });
      continue;
    }
    if (usable && 'problem' in usable) {
      logger.warn(`trial ${trial.id}: checkpoint unusable, starting over: ${usable.problem}`);
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

interface RunContext extends RunOptions {
  workers: number;
  sweepId: string;
  store: SweepStore;
  files: CheckpointFiles;
  emit: (event: SweepEvent) => void;
  logger: Logger;
  policy: StoppingPolicy;
  checkpointEvery: number;
  retries: number;
  /** Seconds without a message from a worker before it counts as hung. */
  epochTimeout: number;
  numClasses: number;
  /** An error that must end the run (the database cannot be written). */
  fatal: unknown;
  /** Ends every worker now (set while the pool runs). */
  stopWorkers: () => void;
}

async function trainAll(
  sweep: PreparedSweep,
  planned: PlannedTrial[],
  context: RunContext,
): Promise<BackendName | null> {
  const data = await decodeSizes(sweep, planned, context);
  const pool = new Piscina({
    filename: new URL('../../workers/train.js', import.meta.url).href,
    name: 'train',
    minThreads: context.workers,
    maxThreads: context.workers,
    idleTimeout: 60_000,
  });
  let backend: BackendName | null = null;
  const queue = [...planned];

  const stopNow = () => {
    context.emit({ type: 'interrupting', immediate: true });
    void pool.destroy();
  };
  context.stopWorkers = stopNow;
  const stopAfterEpoch = () => context.emit({ type: 'interrupting', immediate: false });
  context.abort?.addEventListener('abort', stopNow, { once: true });
  context.stop?.addEventListener('abort', stopAfterEpoch, { once: true });

  const slot = async () => {
    while (queue.length > 0 && !isInterrupted(context) && context.fatal === undefined) {
      const next = queue.shift()!;
      const used = await trainTrialToEnd(pool, next, data.get(next.trial.params.imageSize)!, context);
      if (used && backend === null) {
        backend = used;
        context.store.setSweepBackend(context.sweepId, used);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: context.workers }, slot));
  } finally {
    context.abort?.removeEventListener('abort', stopNow);
    context.stop?.removeEventListener('abort', stopAfterEpoch);
    await pool.destroy();
  }
  return backend;
}

async function decodeSizes(
  sweep: PreparedSweep,
  planned: PlannedTrial[],
  context: RunContext,
): Promise<Map<number, PreparedData>> {
  const { decodeDataset } = await import('../data/index.js');
  const sizes = [...new Set(planned.map(({ trial }) => trial.params.imageSize))];
  const data = new Map<number, PreparedData>();
  for (const size of sizes.sort((a, b) => a - b)) {
    if (isInterrupted(context)) break;
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
 * Trains one trial until it has a result, retrying from its checkpoint
 * when its worker dies, and records how it ended.
 */
async function trainTrialToEnd(
  pool: Piscina,
  planned: PlannedTrial,
  data: PreparedData,
  context: RunContext,
): Promise<BackendName | null> {
  const { trial } = planned;
  const { store, files, emit } = context;
  const started = performance.now();
  let resumeFrom = planned.resumeFrom;
  let retriesLeft = context.retries;

  for (;;) {
    const outcome = await attemptTrial(pool, trial, resumeFrom, data, context);
    if (context.fatal !== undefined) return outcome.backend;
    if (outcome.kind === 'crashed' && retriesLeft > 0 && !isInterrupted(context)) {
      retriesLeft--;
      resumeFrom = rewindToCheckpoint(trial, context);
      emit({
        type: 'trial-retrying',
        trial,
        attempt: outcome.attempt + 1,
        error: outcome.reason,
        resumeFrom,
      });
      continue;
    }

    if (outcome.kind === 'paused') {
      store.pauseTrial(trial.id);
      emit({ type: 'trial-paused', trial, epoch: outcome.epoch });
      return outcome.backend;
    }
    const status: TrialStatus = outcome.kind === 'crashed' ? 'failed' : outcome.kind;
    store.finishTrial(trial.id, status, status === 'stopped' ? undefined : outcome.reason);
    if (status !== 'failed') {
      store.dropCheckpoint(trial.id);
      files.remove(trial.id);
    }
    emit({
      type: 'trial-finished',
      trial,
      status,
      seconds: (performance.now() - started) / 1000,
      ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
    });
    return outcome.backend;
  }
}

/** Puts a trial back to its checkpoint (or to nothing); returns the epoch. */
function rewindToCheckpoint(trial: Trial, context: RunContext): number {
  const record = context.store.checkpointOf(trial.id);
  if (record && 'bytes' in context.files.read(record)) {
    context.store.rewindTrial(trial.id, record.epoch);
    return record.epoch;
  }
  context.store.resetTrial(trial.id);
  context.files.remove(trial.id);
  return 0;
}

type AttemptOutcome = {
  attempt: number;
  backend: BackendName | null;
  reason?: string;
} & (
  | { kind: 'done' | 'diverged' | 'stopped' | 'failed' }
  /** The worker died: worth another attempt. */
  | { kind: 'crashed'; reason: string }
  | { kind: 'paused'; epoch: number }
);

/** One attempt: a task on the pool, and its port's conversation. */
async function attemptTrial(
  pool: Piscina,
  trial: Trial,
  resumeFrom: number,
  data: PreparedData,
  context: RunContext,
): Promise<AttemptOutcome> {
  const { store } = context;
  let checkpoint: Uint8Array | undefined;
  if (resumeFrom > 0) {
    const record = store.checkpointOf(trial.id);
    const read = record ? context.files.read(record) : { problem: 'its record is gone' };
    if ('bytes' in read) {
      checkpoint = read.bytes;
    } else {
      context.logger.warn(`trial ${trial.id}: starting over: ${read.problem}`);
      store.resetTrial(trial.id);
      resumeFrom = 0;
    }
  }

  const attempt = store.startTrial(trial.id, resumeFrom);
  const channel = new MessageChannel();
  const conversation = converse(channel.port1, trial, attempt, resumeFrom, context);
  const task: TrainTask = {
    trial,
    attempt,
    numClasses: context.numClasses,
    train: data.train,
    validation: data.validation,
    backend: context.backend ?? 'auto',
    port: channel.port2,
    ...(checkpoint === undefined ? {} : { checkpoint }),
  };

  const end = (status: AttemptStatus, outcome: AttemptOutcome): AttemptOutcome => {
    // After a failed write, the database is left as it was: the next run
    // sees this attempt as lost and resumes the trial.
    if (context.fatal !== undefined) return outcome;
    store.finishAttempt(trial.id, attempt, status, outcome.reason);
    return outcome;
  };
  const base = { attempt, backend: conversation.backend() };

  // A worker that sends nothing for epochTimeout seconds is stuck (a hung
  // kernel, a deadlock): aborting the task ends its thread.
  const hung = new AbortController();
  const watchdog = setInterval(() => {
    if (performance.now() - conversation.lastHeard() > context.epochTimeout * 1000) {
      hung.abort();
    }
  }, Math.min(1000, context.epochTimeout * 250));

  let result: TrainTaskResult;
  try {
    result = (await pool.run(task, {
      transferList: [channel.port2 as never],
      signal: hung.signal,
    })) as TrainTaskResult;
    await conversation.closed();
  } catch (thrown) {
    const reason = hung.signal.aborted
      ? `worker hung: nothing from it in ${context.epochTimeout} s (epochTimeout); stopped it`
      : `worker died: ${thrown instanceof Error ? thrown.message : String(thrown)}`;
    const lastEpoch = conversation.lastEpoch();
    return isInterrupted(context) || context.fatal !== undefined
      ? end('interrupted', { ...base, backend: conversation.backend(), kind: 'paused', epoch: lastEpoch })
      : end('failed', { ...base, backend: conversation.backend(), kind: 'crashed', reason });
  } finally {
    clearInterval(watchdog);
    channel.port1.close();
  }

  const backend = conversation.backend() ?? result.backend;
  const reason = result.reason;
  const withReason = reason === undefined ? {} : { reason };
  switch (result.status) {
    case 'done':
    case 'stopped':
      return end(result.status, { ...base, backend, ...withReason, kind: result.status });
    case 'diverged':
      if (!conversation.decided()) {
        // NaN mid-epoch: the loop stopped it before any verdict could.
        recordDecision(context, trial, result.epochsRun + 1, {
          rule: 'divergence',
          action: 'stop',
          status: 'diverged',
          metric: 'loss',
          value: null,
          threshold: null,
          peers: null,
          reason: reason ?? 'the training loss was not finite',
        });
      }
      return end('diverged', { ...base, backend, ...withReason, kind: 'diverged' });
    case 'paused':
      return end('interrupted', { ...base, backend, kind: 'paused', epoch: result.epochsRun });
    case 'aborted':
    case 'failed':
      return end('failed', {
        ...base,
        backend,
        kind: 'failed',
        reason: reason ?? 'the trial ended without a reason',
      });
  }
}

/**
 * The coordinator's side of a worker's port: records each epoch, judges
 * it, answers with a verdict, and stores checkpoints. Database errors end
 * the whole run (context.fatal), since nothing more could be recorded.
 */
function converse(
  port: MessagePort,
  trial: Trial,
  attempt: number,
  resumeFrom: number,
  context: RunContext,
) {
  const { store, files, emit } = context;
  const history: EpochPoint[] = resumeFrom > 0 ? store.epochHistory(trial.id) : [];
  let backend: BackendName | null = null;
  let lastEpoch = resumeFrom;
  let decided = false;
  let lastHeard = performance.now();
  let closed = false;
  let onClose: (() => void) | undefined;

  const handle = (message: WorkerMessage) => {
    switch (message.type) {
      case 'started':
        backend = message.backend;
        store.setTrialBackend(trial.id, message.backend, attempt);
        emit({ type: 'trial-started', trial, backend: message.backend, attempt, resumeFrom });
        break;
      case 'epoch': {
        const { metrics } = message;
        store.recordEpoch(trial.id, metrics);
        lastEpoch = metrics.epoch;
        emit({ type: 'epoch', trial, metrics });
        history.push(metrics);
        const verdict = judge(trial, history, context);
        decided ||= verdict.stop !== undefined;
        const reply: CoordinatorMessage = { type: 'verdict', epoch: metrics.epoch, verdict };
        port.postMessage(reply);
        break;
      }
      case 'checkpoint': {
        const record = files.write(trial.id, message.epoch, message.bytes);
        store.saveCheckpoint(trial.id, record);
        emit({ type: 'checkpoint', trial, epoch: message.epoch, bytes: record.bytes });
        break;
      }
      case 'end':
        finish();
        break;
    }
  };

  port.on('message', (message: WorkerMessage) => {
    lastHeard = performance.now();
    if (context.fatal !== undefined) return;
    try {
      handle(message);
    } catch (error) {
      context.fatal = recordingFailed(error, trial, context.db);
      port.close();
      context.stopWorkers();
    }
  });
  // 'end' is the worker's last message; 'close' covers a port that goes
  // away without it.
  const finish = () => {
    closed = true;
    onClose?.();
  };
  port.on('close', finish);

  return {
    backend: () => backend,
    lastEpoch: () => lastEpoch,
    lastHeard: () => lastHeard,
    decided: () => decided,
    /** Resolves once the worker's last message is in. */
    closed: () =>
      new Promise<void>((resolve) => {
        if (closed) resolve();
        else onClose = resolve;
      }),
  };
}

/** The stopping rules' verdict on the trial's latest epoch, recorded. */
function judge(trial: Trial, history: EpochPoint[], context: RunContext): EpochVerdict {
  const { policy, store, sweepId, checkpointEvery } = context;
  const { epochs: maxEpochs } = trial.params;
  const epoch = history.at(-1)!.epoch;
  const decisions = judgeEpoch(
    policy,
    { epochs: history, maxEpochs, classes: context.numClasses },
    (at) => store.peerScores(sweepId, trial.id, at),
  );
  for (const decision of decisions) recordDecision(context, trial, epoch, decision);

  const stop = decisions.find((decision) => decision.action === 'stop');
  if (stop) return { stop: { status: stop.status, reason: stop.reason } };
  if (epoch >= maxEpochs) return {};
  if (context.stop?.aborted) {
    return { checkpoint: true, stop: { status: 'paused', reason: 'interrupted' } };
  }
  return checkpointEvery > 0 && epoch % checkpointEvery === 0 ? { checkpoint: true } : {};
}

function recordDecision(
  context: RunContext,
  trial: Trial,
  epoch: number,
  decision: Decision,
): void {
  context.store.recordDecision(trial.id, epoch, decision);
  context.emit({ type: 'decision', trial, epoch, decision });
}

function isInterrupted(options: RunOptions): boolean {
  return Boolean(options.stop?.aborted || options.abort?.aborted);
}

function finishedCount(counts: StatusCounts): number {
  return FINAL_STATUSES.reduce((sum, status) => sum + (counts[status] ?? 0), 0);
}

/**
 * The error that ends a run when the database or the checkpoint folder
 * cannot be written: says what could not be recorded, and that nothing
 * recorded before it is lost (every write is a transaction).
 */
function recordingFailed(error: unknown, trial: Trial | null, db: string): RuntimeError {
  const detail = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const full = code === 'SQLITE_FULL' || code === 'ENOSPC';
  const what = trial ? `trial ${trial.id}` : 'the sweep';
  const why = full
    ? 'the disk is full'
    : code === 'SQLITE_BUSY'
      ? 'another process holds a write lock on it'
      : detail;
  return new RuntimeError(
    'E_DATABASE',
    `cannot record ${what} in ${db}: ${why}`,
    {
      cause: error,
      hint:
        (full ? 'free some space, then ' : '') +
        'run the same command again: everything recorded before this is intact, ' +
        'and the run resumes from it',
    },
  );
}

/** A failed write to the database or the checkpoint folder. */
function isWriteError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    (code.startsWith('SQLITE_') || ['ENOSPC', 'EROFS', 'EACCES', 'EDQUOT', 'EIO'].includes(code))
  );
}
