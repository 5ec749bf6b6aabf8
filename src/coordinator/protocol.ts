/**
 * What crosses the thread boundary between the coordinator and a training
 * worker. Plain data only: class instances do not survive postMessage.
 *
 * After each epoch the worker waits for the coordinator's verdict, so
 * every stopping decision is taken by the one process that sees all
 * trials, and a trial never trains past a decision to stop it.
 */
import type { MessagePort } from 'node:worker_threads';

import type { ImageSet } from '../data/types.js';
import type { Trial } from '../experiment/trial.js';
import type { BackendChoice, BackendName } from '../model/backend.js';
import type { EpochMetrics, EpochVerdict, TrainResult } from '../train/loop.js';

export type { BackendChoice, BackendName, EpochMetrics, EpochVerdict };

export interface TrainTask {
  trial: Trial;
  /** 1 for a trial's first attempt ever, counting across runs. */
  attempt: number;
  numClasses: number;
  /** SharedArrayBuffer-backed: posting shares the memory, copies nothing. */
  train: ImageSet;
  validation: ImageSet;
  backend: BackendChoice;
  /** An encoded TrainingState to go on from, when the trial is resumed. */
  checkpoint?: Uint8Array;
  /** Where WorkerMessages go, and verdicts come back. */
  port: MessagePort;
}

export type WorkerMessage =
  | { type: 'started'; trialId: string; backend: BackendName }
  | { type: 'epoch'; trialId: string; metrics: EpochMetrics }
  | { type: 'checkpoint'; trialId: string; epoch: number; bytes: Uint8Array }
  /** The last message of a task: everything before it has been sent. */
  | { type: 'end'; trialId: string };

export type CoordinatorMessage = { type: 'verdict'; epoch: number; verdict: EpochVerdict };

export interface TrainTaskResult {
  trialId: string;
  /**
   * 'failed' is a trial that threw inside the worker (bad data, a backend
   * error): it would fail again, so it is not retried. A worker that dies
   * rejects the task instead, and that may pass.
   */
  status: TrainResult['status'] | 'failed';
  epochsRun: number;
  reason?: string;
  backend: BackendName;
}
