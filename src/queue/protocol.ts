/**
 * What crosses Redis between a coordinator and `gridsweep worker`
 * processes. Plain JSON only.
 *
 * - A trial is a BullMQ job on the `trials` queue, its job id the trial id,
 *   so a trial is never queued twice. The job says what to train and with
 *   which data; it does not say where to resume, because a job handed to
 *   another worker after a crash carries the data it was queued with.
 * - Each attempt starts with a handshake: the worker makes up a token and
 *   says hello on the sweep's message stream; the coordinator opens an
 *   attempt and answers on the token's reply list with the attempt number
 *   and the checkpoint to resume from (or tells it to skip the trial).
 * - Everything the worker says names its token, so messages from an attempt
 *   the coordinator gave up on (its worker stalled, the trial went
 *   elsewhere) are recognised and answered with `abandon`.
 * - A message that expects an answer (hello, epoch, result) is sent again
 *   when no answer comes, marked `repeat`, and the coordinator answers a
 *   repeat without applying it twice: messages lost while Redis restarts
 *   cost a few seconds, not a trial.
 */
import type { Experiment } from '../experiment/schema.js';
import type { Trial } from '../experiment/trial.js';
import type {
  BackendChoice,
  EpochVerdict,
  TrainTaskResult,
  WorkerMessage,
} from '../coordinator/protocol.js';

/** BullMQ's key prefix and queue name: keys are `gridsweep:trials:*`. */
export const KEY_PREFIX = 'gridsweep';
export const QUEUE_NAME = 'trials';

export interface TrialJob {
  /** The coordinator's gridsweep version; a worker of another refuses. */
  gridsweep: string;
  sweepId: string;
  sweepName: string;
  trial: Trial;
  numClasses: number;
  /** The experiment as validated, defaults filled in. */
  experiment: Experiment;
  /** The coordinator's experiment folder: where relative paths resolve. */
  baseDir: string;
  /** The dataset the trial id was computed with. */
  fingerprint: string;
  backend: BackendChoice;
}

/** A checkpoint's bytes travel as base64 inside JSON. */
export type WireWorkerMessage =
  | Exclude<WorkerMessage, { type: 'checkpoint' | 'end' }>
  | { type: 'checkpoint'; trialId: string; epoch: number; base64: string };

/** Worker to coordinator, on the sweep's stream. */
export type RemoteMessage = { trialId: string; token: string; repeat?: boolean } & (
  | { type: 'hello'; worker: string }
  | { type: 'refused'; worker: string; reason: string }
  /** Sent while an attempt trains, so a silent one can be told from a slow one. */
  | { type: 'beat' }
  | { type: 'train'; message: WireWorkerMessage }
  /** The attempt's end: the task's result, or why its thread died. */
  | { type: 'result'; result?: TrainTaskResult; crashed?: string }
);

/** Coordinator to worker, on the attempt's reply list. */
export type RemoteReply =
  | { type: 'go'; attempt: number; resumeFrom: number; checkpoint?: string }
  | { type: 'skip'; reason: string }
  | { type: 'verdict'; epoch: number; verdict: EpochVerdict }
  /** The result is recorded; `again`: the worker died, train another attempt. */
  | { type: 'ack'; again: boolean }
  | { type: 'abandon'; reason: string };

export function streamKey(sweepId: string): string {
  return `${KEY_PREFIX}:sweep:${sweepId}:messages`;
}

export function replyKey(token: string): string {
  return `${KEY_PREFIX}:attempt:${token}:replies`;
}

/** Seconds between a worker's beats, and between its repeats. */
export const BEAT_SECONDS = 5;
