/**
 * `gridsweep worker`: takes trials from the queue and trains them in its
 * own piscina pool, one trial per thread, reporting each epoch to the
 * sweep's coordinator through Redis and waiting for its verdict, as a
 * local thread does over its MessagePort (workers/train.ts is the same).
 *
 * Training runs in worker threads, so this thread's event loop stays free
 * to renew BullMQ's job locks; a process that dies stops renewing them, and
 * after `stallSeconds` BullMQ hands its trials to other workers.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';

import type { Job } from 'bullmq';
import { Piscina } from 'piscina';

import { gridsweepVersion, isTfjsNodeInstalled } from '../coordinator/environment.js';
import { TRAIN_WORKER } from '../coordinator/local-pool.js';
import type {
  BackendChoice,
  CoordinatorMessage,
  TrainTask,
  TrainTaskResult,
  WorkerMessage,
} from '../coordinator/protocol.js';
import type { PreparedData } from '../data/types.js';
import type { Logger } from '../log.js';
import { openRedis, parseQueueUrl, type RedisClient } from './connection.js';
import { nextReply, postMessage } from './mailbox.js';
import {
  BEAT_SECONDS,
  KEY_PREFIX,
  QUEUE_NAME,
  type RemoteMessage,
  type RemoteReply,
  type TrialJob,
} from './protocol.js';
import { RefusedTrial, WorkerData } from './worker-data.js';

export interface WorkerOptions {
  /** Redis URL of the queue, as `gridsweep run --queue` was given. */
  queue: string;
  /** Trials trained at once, one per thread. */
  threads: number;
  /** Overrides the backend the coordinator asked for. */
  backend?: BackendChoice;
  /** Where the experiment's relative dataset paths resolve on this machine. */
  baseDir?: string;
  cacheDir?: string;
  /**
   * Seconds without a lock renewal after which a trial is handed to
   * another worker (BullMQ's lockDuration). Default 30.
   */
  stallSeconds?: number;
  /**
   * Seconds to wait for the coordinator's answer before giving a trial
   * up. Default 300.
   */
  patienceSeconds?: number;
  logger: Logger;
  /** No line per trial: the coordinator in the same process reports them. */
  quiet?: boolean;
}

export interface RunningWorker {
  /** `host:pid`, as the coordinator records it. */
  name: string;
  threads: number;
  /**
   * Stops taking trials. Without `force`, waits for those in flight; with
   * it, abandons them (they go to other workers once their locks expire).
   */
  close(force?: boolean): Promise<void>;
  /** Trials being trained now. */
  busy(): number;
}

/** How long a job this worker refuses waits before another worker may take it. */
const REFUSAL_DELAY_MS = 10_000;

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { Worker, DelayedError } = await import('bullmq');
  const address = parseQueueUrl(options.queue);
  const name = `${os.hostname()}:${process.pid}`;
  const threads = threadCount(options);
  const stallMs = (options.stallSeconds ?? 30) * 1000;
  const commands = await openRedis(address, `gridsweep-worker ${name}`);
  watchConnection(commands, address.display, options.logger);

  const pool = new Piscina({
    filename: TRAIN_WORKER,
    name: 'train',
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
  });
  const data = new WorkerData({
    logger: options.logger,
    ...(options.baseDir ? { baseDir: options.baseDir } : {}),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
  });
  const trainer = new Trainer(options, name, commands, pool);
  const refused = new Set<string>();

  const processor = async (job: Job<TrialJob>, lockToken?: string): Promise<void> => {
    const refuse = async (reason: string) => {
      await trainer.refuse(job.data, reason, refused);
      await job.moveToDelayed(Date.now() + REFUSAL_DELAY_MS, lockToken);
      throw new DelayedError();
    };
    const version = gridsweepVersion();
    if (job.data.gridsweep !== version) {
      return refuse(`it runs gridsweep ${version}, the coordinator ${job.data.gridsweep}`);
    }
    let images: PreparedData;
    try {
      images = await data.imagesFor(job.data);
    } catch (error) {
      if (error instanceof RefusedTrial) return refuse(error.message);
      throw error;
    }
    while (await trainer.attempt(job.data, images));
  };

  const worker = new Worker<TrialJob>(QUEUE_NAME, processor, {
    connection: address.options,
    prefix: KEY_PREFIX,
    concurrency: threads,
    lockDuration: stallMs,
    stalledInterval: Math.max(1000, stallMs / 2),
    // The coordinator decides how often a trial may be retried; BullMQ
    // failing a job that stalled twice would only make it queue it again.
    maxStalledCount: 1000,
  });
  worker.on('error', (error) => options.logger.debug(`queue: ${error.message}`));
  worker.on('failed', (job, error) => {
    if (job) options.logger.debug(`job ${job.id}: ${error.message}`);
  });
  await worker.waitUntilReady();
  if (!options.quiet) {
    options.logger.info(
      `worker ${name}: ${threads} thread${threads === 1 ? '' : 's'}, taking trials from ${address.display}`,
    );
  }

  return {
    name,
    threads,
    busy: () => trainer.running.size,
    async close(force = false) {
      if (force) {
        // Redis may be gone: do not wait for it to say goodbye.
        trainer.abortAll();
        await Promise.race([worker.close(true), delay(2000)]);
        await worker.disconnect();
      } else {
        await worker.close();
      }
      await pool.destroy();
      commands.disconnect();
    },
  };
}

function threadCount(options: WorkerOptions): number {
  const choice = options.backend ?? 'auto';
  const nodeBackend = choice === 'node' || (choice === 'auto' && isTfjsNodeInstalled());
  // tfjs-node is not safe in several threads (tensorflow/tfjs#2079, #3463,
  // #8388); its own thread pool uses the cores instead.
  return nodeBackend ? 1 : Math.max(1, options.threads);
}

/** The no-reply answer of `ask`: the coordinator was silent too long. */
class CoordinatorSilent extends Error {}

/** Trains attempts and carries their conversations over Redis. */
class Trainer {
  readonly running = new Set<AbortController>();

  constructor(
    private readonly options: WorkerOptions,
    private readonly name: string,
    private readonly commands: RedisClient,
    private readonly pool: Piscina,
  ) {}

  abortAll(): void {
    for (const controller of this.running) controller.abort();
  }

  async refuse(job: TrialJob, reason: string, reported: Set<string>): Promise<void> {
    const message: RemoteMessage = {
      type: 'refused',
      trialId: job.trial.id,
      token: randomUUID(),
      worker: this.name,
      reason,
    };
    await postMessage(this.commands, job.sweepId, message);
    const key = `${job.sweepId}\n${reason}`;
    if (reported.has(key)) return;
    reported.add(key);
    this.options.logger.warn(`refusing the trials of sweep ${job.sweepName}: ${reason}`);
  }

  /**
   * One attempt at the job's trial. True when the coordinator wants
   * another right away (this attempt's thread died and retries are left).
   */
  async attempt(job: TrialJob, images: PreparedData): Promise<boolean> {
    const token = randomUUID();
    const blocking = this.commands.duplicate();
    blocking.on('error', () => {});
    const ask = (message: RemoteMessage) => this.ask(blocking, job.sweepId, message);
    const label = `trial ${job.trial.id.slice(0, 8)} of ${job.sweepName}`;
    try {
      const hello = await ask({ type: 'hello', trialId: job.trial.id, token, worker: this.name });
      if (hello.type !== 'go') {
        this.options.logger.debug(`${label}: not trained: ${'reason' in hello ? hello.reason : hello.type}`);
        return false;
      }
      const from = hello.resumeFrom > 0 ? ` from epoch ${hello.resumeFrom}` : '';
      this.say(`${label}: attempt ${hello.attempt}${from}`);
      const started = performance.now();

      const ran = await this.train(job, images, hello, token, ask);
      if ('abandoned' in ran) {
        this.say(`${label}: abandoned: ${ran.abandoned}`);
        return false;
      }
      const ack = await ask({ type: 'result', trialId: job.trial.id, token, ...ran });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const how = ran.result ? ran.result.status : `thread died (${ran.crashed})`;
      this.say(`${label}: ${how} in ${seconds} s`);
      return ack.type === 'ack' && ack.again;
    } catch (error) {
      if (!(error instanceof CoordinatorSilent)) throw error;
      this.options.logger.warn(`${label}: given up: ${error.message}`);
      return false;
    } finally {
      blocking.disconnect();
    }
  }

  private async train(
    job: TrialJob,
    images: PreparedData,
    go: Extract<RemoteReply, { type: 'go' }>,
    token: string,
    ask: (message: RemoteMessage) => Promise<RemoteReply>,
  ): Promise<{ result?: TrainTaskResult; crashed?: string } | { abandoned: string }> {
    const trialId = job.trial.id;
    const channel = new MessageChannel();
    const controller = new AbortController();
    let abandoned: string | undefined;
    const bridge = this.bridge(channel.port1, {
      post: (message) => postMessage(this.commands, job.sweepId, message),
      ask,
      base: { trialId, token },
      onAbandon: (reason) => {
        abandoned ??= reason;
        controller.abort();
      },
    });
    const beat = setInterval(() => {
      postMessage(this.commands, job.sweepId, { type: 'beat', trialId, token }).catch(() => {});
    }, BEAT_SECONDS * 1000);

    const task: TrainTask = {
      trial: job.trial,
      attempt: go.attempt,
      numClasses: job.numClasses,
      train: images.train,
      validation: images.validation,
      backend: this.options.backend ?? job.backend,
      port: channel.port2,
      ...(go.checkpoint === undefined
        ? {}
        : { checkpoint: new Uint8Array(Buffer.from(go.checkpoint, 'base64')) }),
    };
    this.running.add(controller);
    try {
      const result = (await this.pool.run(task, {
        transferList: [channel.port2 as never],
        signal: controller.signal,
      })) as TrainTaskResult;
      await bridge.ended();
      return abandoned === undefined ? { result } : { abandoned };
    } catch (error) {
      await bridge.drained();
      if (abandoned !== undefined) return { abandoned };
      if (controller.signal.aborted) return { abandoned: 'the worker was stopped' };
      return { crashed: error instanceof Error ? error.message : String(error) };
    } finally {
      this.running.delete(controller);
      clearInterval(beat);
      channel.port1.close();
    }
  }

  /**
   * Forwards the training thread's messages to the coordinator, in order,
   * and its verdicts back to the thread.
   */
  private bridge(
    port: MessagePort,
    link: {
      post: (message: RemoteMessage) => Promise<void>;
      ask: (message: RemoteMessage) => Promise<RemoteReply>;
      base: { trialId: string; token: string };
      onAbandon: (reason: string) => void;
    },
  ) {
    let chain = Promise.resolve();
    let onEnd: () => void = () => {};
    const end = new Promise<void>((resolve) => (onEnd = resolve));

    const forward = async (message: WorkerMessage) => {
      switch (message.type) {
        case 'end':
          onEnd();
          return;
        case 'started':
          return link.post({ ...link.base, type: 'train', message });
        case 'checkpoint': {
          const { bytes, ...rest } = message;
          const base64 = Buffer.from(bytes).toString('base64');
          return link.post({ ...link.base, type: 'train', message: { ...rest, base64 } });
        }
        case 'epoch': {
          const answer = await link.ask({ ...link.base, type: 'train', message });
          if (answer.type === 'verdict') {
            const verdict: CoordinatorMessage = answer;
            port.postMessage(verdict);
          } else {
            link.onAbandon('reason' in answer ? answer.reason : `unexpected ${answer.type}`);
          }
        }
      }
    };
    port.on('message', (message: WorkerMessage) => {
      chain = chain.then(() => forward(message)).catch((error: unknown) => {
        link.onAbandon(error instanceof Error ? error.message : String(error));
      });
    });
    port.on('close', () => onEnd());
    return {
      /** Every message up to the thread's last one is forwarded. */
      ended: async () => {
        await end;
        await chain;
      },
      drained: () => chain,
    };
  }

  /**
   * Sends a message that expects an answer, and sends it again (marked
   * `repeat`) every few seconds until one comes, for at most
   * `patienceSeconds`.
   */
  private async ask(blocking: RedisClient, sweepId: string, message: RemoteMessage): Promise<RemoteReply> {
    const patienceMs = (this.options.patienceSeconds ?? 300) * 1000;
    const since = Date.now();
    await postMessage(this.commands, sweepId, message);
    for (;;) {
      const answer = await nextReply(blocking, message.token, BEAT_SECONDS);
      if (answer) return answer;
      if (Date.now() - since > patienceMs) {
        throw new CoordinatorSilent(`the coordinator has not answered for ${patienceMs / 1000} s`);
      }
      await postMessage(this.commands, sweepId, { ...message, repeat: true });
    }
  }

  private say(line: string): void {
    if (!this.options.quiet) this.options.logger.info(line);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function watchConnection(client: RedisClient, where: string, logger: Logger): void {
  let connected = true;
  client.on('error', (error: Error) => {
    if (!connected) return;
    connected = false;
    logger.warn(`lost the queue at ${where} (${error.message}); reconnecting`);
  });
  client.on('ready', () => {
    if (connected) return;
    connected = true;
    logger.info(`queue at ${where} reachable again`);
  });
}
