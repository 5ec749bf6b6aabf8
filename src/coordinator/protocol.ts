/**
 * What crosses the thread boundary between the coordinator and a training
 * worker. Plain data only: class instances do not survive postMessage.
 */
import type { MessagePort } from 'node:worker_threads';

import type { ImageSet } from '../data/types.js';
import type { Trial } from '../experiment/trial.js';
import type { BackendChoice, BackendName } from '../model/backend.js';
import type { EpochMetrics } from '../train/loop.js';

export type { BackendChoice, BackendName, EpochMetrics };

export interface TrainTask {
  trial: Trial;
  numClasses: number;
  /** SharedArrayBuffer-backed: posting shares the memory, copies nothing. */
  train: ImageSet;
  validation: ImageSet;
  backend: BackendChoice;
  /** Where the worker sends WorkerMessages while it trains. */
  port: MessagePort;
}

export type WorkerMessage =
  | { type: 'started'; trialId: string; backend: BackendName }
  | { type: 'epoch'; trialId: string; metrics: EpochMetrics };

export interface TrainTaskResult {
  trialId: string;
  status: 'done' | 'diverged' | 'aborted';
  epochsRun: number;
  reason?: string;
  backend: BackendName;
}
