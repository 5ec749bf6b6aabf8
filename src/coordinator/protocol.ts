/**
 * What crosses the thread boundary between the coordinator and a training
 * worker. Plain data only: class instances do not survive postMessage.
 */
import type { MessagePort } from 'node:worker_threads';

import type { ImageSet } from '../data/types.js';
import type { Trial } from '../experiment/trial.js';

export type BackendName = 'node' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

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

export interface EpochMetrics {
  /** 1-based. */
  epoch: number;
  loss: number;
  acc: number;
  valLoss: number;
  valAcc: number;
  /** Wall time of the epoch, validation included. */
  seconds: number;
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
