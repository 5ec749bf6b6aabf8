/**
 * Trials trained on this machine: a piscina pool with one trial per worker
 * thread, each attempt a task whose MessagePort carries the conversation.
 * A thread that dies fails its attempt only; the trial goes again from its
 * checkpoint, up to the experiment's `retries`.
 */
import { MessageChannel } from 'node:worker_threads';

import { Piscina } from 'piscina';

import type { PreparedData } from '../data/types.js';
import type { Trial } from '../experiment/trial.js';
import {
  endAttempt,
  outcomeOfTask,
  settleTrial,
  type AttemptOutcome,
} from './attempt-outcome.js';
import {
  checkpointToResume,
  isInterrupted,
  rewindToCheckpoint,
  type RunContext,
} from './context.js';
import { openConversation } from './conversation.js';
import type { PlannedTrial } from './events.js';
import type { PreparedSweep } from './prepare.js';
import type { BackendName, TrainTask, TrainTaskResult, WorkerMessage } from './protocol.js';

export const TRAIN_WORKER = new URL('../../workers/train.js', import.meta.url).href;

export async function trainLocally(
  sweep: PreparedSweep,
  planned: PlannedTrial[],
  context: RunContext,
): Promise<BackendName | null> {
  const data = await decodeSizes(sweep, planned, context);
  const pool = new Piscina({
    filename: TRAIN_WORKER,
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
      const size = next.trial.params.imageSize;
      const used = await trainTrialToEnd(pool, next, data.get(size)!, context);
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
  const started = performance.now();
  let resumeFrom = planned.resumeFrom;
  let retriesLeft = context.retries;

  for (;;) {
    const outcome = await attemptTrial(pool, trial, resumeFrom, data, context);
    if (context.fatal !== undefined) return outcome.backend;
    if (outcome.kind === 'crashed' && retriesLeft > 0 && !isInterrupted(context)) {
      retriesLeft--;
      resumeFrom = rewindToCheckpoint(trial, context);
      context.emit({
        type: 'trial-retrying',
        trial,
        attempt: outcome.attempt + 1,
        error: outcome.reason,
        resumeFrom,
      });
      continue;
    }
    settleTrial(trial, outcome, (performance.now() - started) / 1000, context);
    return outcome.backend;
  }
}

/** One attempt: a task on the pool, and its port's conversation. */
async function attemptTrial(
  pool: Piscina,
  trial: Trial,
  from: number,
  data: PreparedData,
  context: RunContext,
): Promise<AttemptOutcome> {
  const { resumeFrom, checkpoint } = checkpointToResume(trial, from, context);
  const attempt = context.store.startTrial(trial.id, resumeFrom);
  const channel = new MessageChannel();
  const port = channel.port1;
  const conversation = openConversation(
    { trial, attempt, resumeFrom, reply: (m) => port.postMessage(m), onFatal: () => port.close() },
    context,
  );
  port.on('message', (message: WorkerMessage) => conversation.handle(message));
  // 'end' is the worker's last message; 'close' covers a port that goes
  // away without it.
  port.on('close', () => conversation.hangUp());

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

  // A worker that sends nothing for epochTimeout seconds is stuck (a hung
  // kernel, a deadlock): aborting its task ends its thread.
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
    const base = { attempt, backend: conversation.backend() };
    return isInterrupted(context) || context.fatal !== undefined
      ? endAttempt(trial, 'interrupted', { ...base, kind: 'paused', epoch: conversation.lastEpoch() }, context)
      : endAttempt(trial, 'failed', { ...base, kind: 'crashed', reason }, context);
  } finally {
    clearInterval(watchdog);
    port.close();
  }
  return outcomeOfTask(result, conversation, trial, attempt, context);
}
