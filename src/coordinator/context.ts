/**
 * What every part of a run shares: the options it was started with, the
 * one writer of the sweep database, the checkpoint files, and the sweep's
 * stopping, checkpoint and retry settings. Also the two rewinds that both
 * the local pool and the queue use before a trial's next attempt.
 */
import type { StoppingPolicy } from '../experiment/schema.js';
import type { Trial } from '../experiment/trial.js';
import type { Logger } from '../log.js';
import type { CheckpointFiles } from '../store/checkpoint-files.js';
import type { SweepStore } from '../store/sweep-store.js';
import type { SweepEvent } from './events.js';
import type { BackendChoice } from './protocol.js';

export interface RunOptions {
  /** SQLite file to write; checkpoints go in a folder beside it. */
  db: string;
  /**
   * Worker threads on this machine; default the experiment's `workers`,
   * else the cores. With `queue`, 0 means this process trains nothing.
   */
  workers?: number;
  backend?: BackendChoice;
  logger?: Logger;
  onEvent?: (event: SweepEvent) => void;
  /** Where decoded images are cached between runs. */
  cacheDir?: string;
  /**
   * A Redis URL: trials go to `gridsweep worker` processes through a
   * BullMQ queue there, and this process stays the only writer.
   */
  queue?: string;
  /** When aborted: start no trial, pause running ones after their epoch. */
  stop?: AbortSignal;
  /** When aborted: end every worker now; trials resume from checkpoints. */
  abort?: AbortSignal;
}

export interface RunContext extends RunOptions {
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
  /** Ends every local worker now; set while the local pool runs. */
  stopWorkers: () => void;
}

export function isInterrupted(options: RunOptions): boolean {
  return Boolean(options.stop?.aborted || options.abort?.aborted);
}

/**
 * Puts a trial back to its checkpoint (or to nothing); returns the epoch.
 * The file is checked when the next attempt reads it (checkpointToResume).
 */
export function rewindToCheckpoint(trial: Trial, context: RunContext): number {
  const record = context.store.checkpointOf(trial.id);
  if (record) {
    context.store.rewindTrial(trial.id, record.epoch);
    return record.epoch;
  }
  context.store.resetTrial(trial.id);
  context.files.remove(trial.id);
  return 0;
}

/**
 * The checkpoint an attempt starting at `resumeFrom` goes on from. When it
 * cannot be read, the trial starts over (with a warning) and the returned
 * `resumeFrom` is 0.
 */
export function checkpointToResume(
  trial: Trial,
  resumeFrom: number,
  context: RunContext,
): { resumeFrom: number; checkpoint?: Uint8Array } {
  if (resumeFrom === 0) return { resumeFrom };
  const record = context.store.checkpointOf(trial.id);
  const read = record ? context.files.read(record) : { problem: 'its record is gone' };
  if ('bytes' in read) return { resumeFrom, checkpoint: read.bytes };
  context.logger.warn(`trial ${trial.id}: starting over: ${read.problem}`);
  context.store.resetTrial(trial.id);
  return { resumeFrom: 0 };
}
