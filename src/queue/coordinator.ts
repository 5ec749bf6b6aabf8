/**
 * The coordinator's side of a queued sweep. Every trial still to train
 * becomes a BullMQ job (job id = trial id); `gridsweep worker` processes
 * anywhere take them, and this process answers their handshakes, records
 * their epochs and judges them through the same conversation as local
 * threads, and stays the only writer of the database.
 *
 * Faults, and what happens:
 * - a worker dies mid-trial: its job's lock expires, BullMQ hands the job
 *   to another worker, and its hello (or the job back in `wait`) closes the
 *   dead attempt as `lost`; the trial rewinds to its checkpoint and goes on
 *   there, which counts against `retries` like a local thread that died;
 * - Redis restarts: both sides reconnect; messages lost on the way are
 *   repeated by the worker; jobs lost with an unpersisted Redis are queued
 *   again by the check below, except a trial whose worker is still heard;
 * - this process restarts: the run plans from SQLite as a local run does,
 *   jobs still queued stay queued, and workers still training for the old
 *   process are told to abandon and their trials are queued again.
 */
import type { Queue } from 'bullmq';

import {
  endAttempt,
  outcomeOfTask,
  settleTrial,
  type AttemptOutcome,
} from '../coordinator/attempt-outcome.js';
import {
  checkpointToResume,
  isInterrupted,
  rewindToCheckpoint,
  type RunContext,
} from '../coordinator/context.js';
import { openConversation, type Conversation } from '../coordinator/conversation.js';
import { gridsweepVersion } from '../coordinator/environment.js';
import type { PlannedTrial } from '../coordinator/events.js';
import type { PreparedSweep } from '../coordinator/prepare.js';
import type { BackendName, WorkerMessage } from '../coordinator/protocol.js';
import type { Trial } from '../experiment/trial.js';
import { openRedis, parseQueueUrl, type QueueAddress, type RedisClient } from './connection.js';
import { latestMessageId, readMessages, sendReply } from './mailbox.js';
import {
  BEAT_SECONDS,
  KEY_PREFIX,
  QUEUE_NAME,
  type RemoteMessage,
  type RemoteReply,
  type TrialJob,
  type WireWorkerMessage,
} from './protocol.js';

/** How often job states are checked against what the coordinator expects. */
const CHECK_MS = 1000;
const FULL_CHECK_EVERY = 10;
/**
 * A trial whose job vanished (Redis lost its data) but whose worker is
 * still heard is left to finish; one unheard for this long is given up.
 */
const SILENCE_MS = 6 * BEAT_SECONDS * 1000;

interface LiveAttempt {
  token: string;
  attempt: number;
  worker: string;
  conversation: Conversation;
  /** The last reply sent, sent again when the worker repeats itself. */
  lastReply: RemoteReply;
  heardAt: number;
}

interface TrialState {
  trial: Trial;
  resumeFrom: number;
  retriesLeft: number;
  /** When its first attempt of this run began (performance.now()). */
  startedAt: number | null;
  /** No more attempts in this run: finished, failed, paused or withdrawn. */
  settled: boolean;
  live?: LiveAttempt;
}

export async function trainOnQueue(
  sweep: PreparedSweep,
  planned: PlannedTrial[],
  context: RunContext,
): Promise<BackendName | null> {
  const address = parseQueueUrl(context.queue!);
  const coordinator = new QueueCoordinator(sweep, planned, context, address);
  return coordinator.run();
}

class QueueCoordinator {
  private readonly states = new Map<string, TrialState>();
  /** Tokens of attempts that ended: their repeated result gets this ack. */
  private readonly ended = new Map<string, RemoteReply>();
  /** Refusals already reported, by worker and reason. */
  private readonly refusals = new Set<string>();
  private backend: BackendName | null = null;
  private checks = 0;
  private withdrawn = false;
  private connected = true;

  constructor(
    private readonly sweep: PreparedSweep,
    planned: PlannedTrial[],
    private readonly context: RunContext,
    private readonly address: QueueAddress,
  ) {
    for (const { trial, resumeFrom } of planned) {
      this.states.set(trial.id, {
        trial,
        resumeFrom,
        retriesLeft: context.retries,
        startedAt: null,
        settled: false,
      });
    }
  }

  async run(): Promise<BackendName | null> {
    const { context } = this;
    const { Queue } = await import('bullmq');
    const commands = await openRedis(this.address, 'gridsweep-coordinator');
    const reader = await openRedis(this.address, 'gridsweep-coordinator-reader');
    this.watchConnection(reader);
    commands.on('error', () => {});
    const queue = new Queue(QUEUE_NAME, { connection: this.address.options, prefix: KEY_PREFIX });
    queue.on('error', () => {});
    const local = await this.startLocalWorker();

    const stopAfterEpoch = () => context.emit({ type: 'interrupting', immediate: false });
    const stopNow = () => context.emit({ type: 'interrupting', immediate: true });
    context.stop?.addEventListener('abort', stopAfterEpoch, { once: true });
    context.abort?.addEventListener('abort', stopNow, { once: true });
    try {
      let after = await latestMessageId(reader, context.sweepId);
      await this.enqueue(queue, this.open());
      let checkedAt = 0;
      while (this.open().length > 0 && context.fatal === undefined) {
        if (context.abort?.aborted) {
          this.abandonAll(commands, queue);
          break;
        }
        if (context.stop?.aborted && !this.withdrawn) {
          await untilAborted(this.withdraw(queue), context.abort, undefined);
        }

        // While Redis is away the read waits for it; a second Ctrl-C must not.
        const batch = await untilAborted(
          readMessages(reader, context.sweepId, after, CHECK_MS),
          context.abort,
          [],
        );
        for (const { id, message } of batch) {
          after = id;
          await this.handle(message, commands);
        }
        if (Date.now() - checkedAt >= CHECK_MS) {
          await untilAborted(this.check(queue, commands), context.abort, undefined);
          checkedAt = Date.now();
        }
      }
    } finally {
      context.stop?.removeEventListener('abort', stopAfterEpoch);
      context.abort?.removeEventListener('abort', stopNow);
      const aborted = Boolean(context.abort?.aborted);
      const closing = Promise.all([local?.close(aborted), queue.close()]);
      // After a second Ctrl-C, Redis may be gone: do not wait for it.
      await (aborted ? Promise.race([closing, delay(2000)]) : closing);
      if (aborted) await queue.disconnect();
      commands.disconnect();
      reader.disconnect();
    }
    return this.backend;
  }

  /** Trials that still need something from this run. */
  private open(): TrialState[] {
    return [...this.states.values()].filter((state) => !state.settled);
  }

  /** `--workers N` with a queue: this process is one of the workers too. */
  private async startLocalWorker() {
    if (this.context.workers === 0) return undefined;
    const { startWorker } = await import('./worker.js');
    return startWorker({
      queue: this.context.queue!,
      threads: this.context.workers,
      logger: this.context.logger,
      quiet: true,
      ...(this.context.cacheDir ? { cacheDir: this.context.cacheDir } : {}),
    });
  }

  private async enqueue(queue: Queue, states: TrialState[]): Promise<void> {
    if (states.length === 0 || isInterrupted(this.context)) return;
    const version = gridsweepVersion();
    const job = (trial: Trial): TrialJob => ({
      gridsweep: version,
      sweepId: this.context.sweepId,
      sweepName: this.sweep.experiment.name,
      trial,
      numClasses: this.context.numClasses,
      experiment: this.sweep.experiment,
      baseDir: this.sweep.baseDir,
      fingerprint: this.sweep.dataset.fingerprint,
      backend: this.context.backend ?? 'auto',
    });
    // A job id already in the queue is left as it is: never queued twice.
    await queue.addBulk(
      states.map(({ trial }) => ({
        name: trial.id,
        data: job(trial),
        opts: { jobId: trial.id, removeOnComplete: true, removeOnFail: true },
      })),
    );
  }

  private async handle(message: RemoteMessage, commands: RedisClient): Promise<void> {
    const reply = (token: string, answer: RemoteReply) => this.send(commands, token, answer);
    const state = this.states.get(message.trialId);
    const live = state?.live?.token === message.token ? state.live : undefined;
    if (live) live.heardAt = Date.now();

    switch (message.type) {
      case 'hello':
        return this.hello(state, message, reply, commands);
      case 'refused':
        return this.refused(message);
      case 'beat':
        if (!live) return this.abandon(commands, message.token, 'this attempt was given up');
        return;
      case 'train':
        if (!live) return this.abandon(commands, message.token, 'this attempt was given up');
        if (message.repeat && isAnswered(message.message, live)) {
          return reply(live.token, live.lastReply);
        }
        live.conversation.handle(fromWire(message.message));
        return;
      case 'result': {
        const ack = this.ended.get(message.token);
        if (ack) return reply(message.token, ack);
        if (!live || !state) return this.abandon(commands, message.token, 'this attempt was given up');
        return this.result(state, live, message, reply);
      }
    }
  }

  private hello(
    state: TrialState | undefined,
    message: Extract<RemoteMessage, { type: 'hello' }>,
    reply: (token: string, answer: RemoteReply) => void,
    commands: RedisClient,
  ): void {
    const { token, worker } = message;
    if (state?.live?.token === token) return reply(token, state.live.lastReply);
    if (!state) return reply(token, { type: 'skip', reason: 'not a trial of the running sweep' });
    if (state.settled || isInterrupted(this.context)) {
      return reply(token, { type: 'skip', reason: 'no more attempts in this run' });
    }
    if (state.live) {
      const why = `worker ${state.live.worker} stopped; the trial was handed to ${worker}`;
      this.lose(state, why, commands);
      if (state.settled) return reply(token, { type: 'skip', reason: 'out of retries' });
    }

    const { trial } = state;
    const { context } = this;
    const { resumeFrom, checkpoint } = checkpointToResume(trial, state.resumeFrom, context);
    const attempt = context.store.startTrial(trial.id, resumeFrom, worker);
    state.startedAt ??= performance.now();
    const go: RemoteReply = {
      type: 'go',
      attempt,
      resumeFrom,
      ...(checkpoint === undefined ? {} : { checkpoint: Buffer.from(checkpoint).toString('base64') }),
    };
    const live: LiveAttempt = {
      token,
      attempt,
      worker,
      lastReply: go,
      heardAt: Date.now(),
      conversation: openConversation(
        {
          trial,
          attempt,
          resumeFrom,
          worker,
          reply: (answer) => {
            live.lastReply = answer;
            reply(token, answer);
          },
        },
        context,
      ),
    };
    state.live = live;
    reply(token, go);
  }

  private result(
    state: TrialState,
    live: LiveAttempt,
    message: Extract<RemoteMessage, { type: 'result' }>,
    reply: (token: string, answer: RemoteReply) => void,
  ): void {
    const { trial } = state;
    const { context } = this;
    state.live = undefined;
    live.conversation.hangUp();
    const outcome =
      message.result === undefined
        ? endAttempt(trial, 'failed', {
            attempt: live.attempt,
            backend: live.conversation.backend(),
            kind: 'crashed',
            reason: `worker ${live.worker}: its training thread died: ${message.crashed ?? 'no reason given'}`,
          }, context)
        : outcomeOfTask(message.result, live.conversation, trial, live.attempt, context);
    this.noteBackend(outcome.backend);
    const again = outcome.kind === 'crashed' ? this.retry(state, outcome) : (this.settle(state, outcome), false);
    const ack: RemoteReply = { type: 'ack', again };
    this.ended.set(live.token, ack);
    reply(live.token, ack);
  }

  /** The live attempt's worker is gone: close it as lost, and retry. */
  private lose(state: TrialState, reason: string, commands: RedisClient): void {
    const live = state.live!;
    state.live = undefined;
    live.conversation.hangUp();
    // In case it is not dead after all: it must stop training this trial.
    this.abandon(commands, live.token, 'the trial was given to another attempt');
    const outcome = endAttempt(state.trial, 'lost', {
      attempt: live.attempt,
      backend: live.conversation.backend(),
      kind: 'crashed',
      reason,
    }, this.context);
    this.retry(state, outcome);
  }

  /** After a crashed or lost attempt: true if the trial goes on. */
  private retry(state: TrialState, outcome: AttemptOutcome): boolean {
    if (state.retriesLeft > 0 && !isInterrupted(this.context)) {
      state.retriesLeft--;
      state.resumeFrom = rewindToCheckpoint(state.trial, this.context);
      this.context.emit({
        type: 'trial-retrying',
        trial: state.trial,
        attempt: outcome.attempt + 1,
        error: outcome.reason ?? 'the attempt was lost',
        resumeFrom: state.resumeFrom,
      });
      return true;
    }
    this.settle(state, outcome);
    return false;
  }

  private settle(state: TrialState, outcome: AttemptOutcome): void {
    state.settled = true;
    const seconds = state.startedAt === null ? 0 : (performance.now() - state.startedAt) / 1000;
    settleTrial(state.trial, outcome, seconds, this.context);
  }

  private refused(message: Extract<RemoteMessage, { type: 'refused' }>): void {
    const key = `${message.worker}\n${message.reason}`;
    if (this.refusals.has(key)) return;
    this.refusals.add(key);
    this.context.emit({ type: 'worker-refused', worker: message.worker, reason: message.reason });
  }

  /**
   * Compares each open trial with its job. A job back in `wait` under a
   * live attempt was recovered from a stalled worker; a job that is gone
   * (completed, failed, or lost with Redis's data) is queued again, unless
   * its worker is still heard from.
   */
  private async check(queue: Queue, commands: RedisClient): Promise<void> {
    if (this.withdrawn || isInterrupted(this.context)) return;
    // Trials in training every time; the queued ones (only a lost Redis
    // loses their jobs) every tenth, to spare Redis on large sweeps.
    const everything = this.checks++ % FULL_CHECK_EVERY === 0;
    const open = this.open().filter((state) => everything || state.live);
    const jobStates = await Promise.all(open.map((state) => queue.getJobState(state.trial.id)));
    const requeue: TrialState[] = [];
    open.forEach((state, at) => {
      const job = jobStates[at]!;
      if (job === 'active') return;
      const gone = job === 'completed' || job === 'failed' || job === 'unknown';
      if (state.live) {
        const heard = Date.now() - state.live.heardAt < SILENCE_MS;
        if (gone && job === 'unknown' && heard) return;
        const why = gone
          ? `worker ${state.live.worker} went silent and its job was lost`
          : `worker ${state.live.worker} stopped; its trial went back to the queue`;
        this.lose(state, why, commands);
      }
      if (gone && !state.settled) requeue.push(state);
    });
    for (const state of requeue) {
      await queue.remove(state.trial.id);
    }
    await this.enqueue(queue, requeue);
  }

  /** First Ctrl-C: trials not yet taken leave the queue; running ones pause. */
  private async withdraw(queue: Queue): Promise<void> {
    this.withdrawn = true;
    for (const state of this.open()) {
      if (state.live) continue;
      await queue.remove(state.trial.id);
      state.settled = true;
    }
  }

  /**
   * Second Ctrl-C: every attempt ends now, resumable from its checkpoint.
   * The database is updated at once; Redis is told if it is there.
   */
  private abandonAll(commands: RedisClient, queue: Queue): void {
    for (const state of this.open()) {
      const live = state.live;
      if (live) {
        this.abandon(commands, live.token, 'the coordinator stopped');
        state.live = undefined;
        const outcome = endAttempt(state.trial, 'interrupted', {
          attempt: live.attempt,
          backend: live.conversation.backend(),
          kind: 'paused',
          epoch: live.conversation.lastEpoch(),
        }, this.context);
        this.settle(state, outcome);
      }
      queue.remove(state.trial.id).catch(() => {});
      state.settled = true;
    }
  }

  private abandon(commands: RedisClient, token: string, reason: string): void {
    this.send(commands, token, { type: 'abandon', reason });
  }

  private send(commands: RedisClient, token: string, answer: RemoteReply): void {
    sendReply(commands, token, answer).catch((error: unknown) => {
      // After a second Ctrl-C the connection is closed on purpose.
      if (this.context.abort?.aborted) return;
      this.context.logger.warn(`cannot answer attempt ${token}: ${String(error)}`);
    });
  }

  private noteBackend(backend: BackendName | null): void {
    if (backend === null || this.backend !== null) return;
    this.backend = backend;
    this.context.store.setSweepBackend(this.context.sweepId, backend);
  }

  private watchConnection(reader: RedisClient): void {
    reader.on('error', (error: Error) => {
      if (!this.connected) return;
      this.connected = false;
      this.context.emit({ type: 'queue-connection', connected: false, error: error.message });
    });
    reader.on('ready', () => {
      if (this.connected) return;
      this.connected = true;
      this.context.emit({ type: 'queue-connection', connected: true });
    });
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, instead: T): Promise<T> {
  if (!signal) return work;
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(instead);
    const done = () => signal.removeEventListener('abort', onAbort);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => (done(), resolve(value)),
      (error: unknown) => (done(), reject(error)),
    );
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** A repeated epoch the conversation already recorded and answered. */
function isAnswered(message: WireWorkerMessage, live: LiveAttempt): boolean {
  return message.type === 'epoch' && message.metrics.epoch <= live.conversation.lastEpoch();
}

function fromWire(message: WireWorkerMessage): WorkerMessage {
  if (message.type !== 'checkpoint') return message;
  const { base64, ...rest } = message;
  return { ...rest, bytes: new Uint8Array(Buffer.from(base64, 'base64')) };
}
