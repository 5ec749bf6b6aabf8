/**
 * What the coordinator reports while a sweep runs. It prints nothing
 * itself; the CLI turns these into progress bars or log lines.
 */
import type { Trial } from '../experiment/trial.js';
import type { Decision } from '../stopping/rules.js';
import type { StatusCounts, SweepStatus, TrialStatus } from '../store/sweep-store.js';
import type { BackendName, EpochMetrics } from './protocol.js';

/** A trial this run will train, from scratch or from a checkpoint. */
export interface PlannedTrial {
  trial: Trial;
  /** The checkpoint's epoch; 0 to start from scratch. */
  resumeFrom: number;
}

export type SweepEvent =
  | {
      type: 'sweep-started';
      sweepId: string;
      /** Trials in the experiment. */
      total: number;
      /** Trials this run trains, with where each starts. */
      planned: PlannedTrial[];
      /** Worker threads in this process. */
      workers: number;
      /** The Redis URL trials are queued on, when they are. */
      queue?: string;
    }
  | { type: 'data-ready'; imageSize: number; images: number; seconds: number }
  | {
      type: 'trial-started';
      trial: Trial;
      backend: BackendName;
      attempt: number;
      resumeFrom: number;
      /** The `gridsweep worker` training it (`host:pid`), when queued. */
      worker?: string;
    }
  | { type: 'epoch'; trial: Trial; metrics: EpochMetrics }
  /** A stopping rule's verdict worth reporting: a stop or an ASHA promotion. */
  | { type: 'decision'; trial: Trial; epoch: number; decision: Decision }
  | { type: 'checkpoint'; trial: Trial; epoch: number; bytes: number }
  | {
      type: 'trial-finished';
      trial: Trial;
      status: TrialStatus;
      /** Why it failed, diverged or stopped. */
      reason?: string;
      seconds: number;
    }
  /** A worker died under the trial; it goes again from its checkpoint. */
  | {
      type: 'trial-retrying';
      trial: Trial;
      attempt: number;
      error: string;
      resumeFrom: number;
    }
  /** Interrupted: the trial goes back to pending, resumable from `epoch`. */
  | { type: 'trial-paused'; trial: Trial; epoch: number }
  | { type: 'interrupting'; immediate: boolean }
  /** A `gridsweep worker` will not train this sweep's trials, and why. */
  | { type: 'worker-refused'; worker: string; reason: string }
  /** The coordinator lost or regained its connection to the queue. */
  | { type: 'queue-connection'; connected: boolean; error?: string }
  | { type: 'sweep-finished'; status: SweepStatus; counts: StatusCounts };
