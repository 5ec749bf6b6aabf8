/**
 * Where a sweep stands, read from its database while it runs (or after):
 * what `gridsweep status` prints. It only reads; the connection it is given
 * should be read-only.
 */
import os from 'node:os';

import type { Axis } from '../experiment/trial.js';
import { GRID_PARAMS, varyingParams } from '../query/params.js';
import type { SweepInfo } from '../query/sweep-choice.js';
import type { Db } from '../store/database.js';
import type { SweepStatus, TrialStatus } from '../store/sweep-store.js';
import { EpochPace, estimateEta, mayStopEarly, type Eta, type Shape } from './eta.js';
import {
  heartbeatAge,
  judgeLiveness,
  pidExists,
  type Liveness,
  type LivenessContext,
} from './liveness.js';

export const TRIAL_STATUSES: readonly TrialStatus[] = [
  'pending',
  'running',
  'done',
  'stopped',
  'diverged',
  'failed',
];

export interface SweepStatusReport {
  sweep: {
    id: string;
    name: string;
    /** As recorded: a sweep whose run died still says 'running'. */
    status: SweepStatus;
    createdAt: string;
    finishedAt: string | null;
    trials: number;
  };
  /**
   * The recorded status, except 'stale' for a sweep left 'running' by a
   * run that is no longer alive.
   */
  state: SweepStatus | 'stale';
  /** Trials in each status; every status is present. */
  counts: Record<TrialStatus, number>;
  /** The grid parameters that take more than one value in the sweep. */
  varying: Axis[];
  running: RunningTrial[];
  /** The latest run (one `gridsweep run` process); null before any. */
  run: RunReport | null;
  /** Null unless the run is alive and at least one epoch has been timed. */
  eta: Eta | null;
  /** The cell with the highest mean best validation accuracy so far. */
  best: BestCell | null;
  /** The latest early stops, newest first. */
  stops: StopReport[];
}

export interface RunningTrial {
  id: string;
  /** 0-based position in the sweep. */
  index: number;
  params: Record<Axis, number | string> & { repeat: number };
  /** Epochs finished. */
  epoch: number;
  /** Epochs planned. */
  epochs: number;
  bestValAcc: number | null;
  bestEpoch: number | null;
  lastValAcc: number | null;
  /** 1 for a trial's first attempt, counting across runs. */
  attempt: number;
  startedAt: string | null;
}

export interface RunReport {
  /** The `runs` row's id. */
  id: number;
  /** How many runs the sweep has had: more than 1 after resumes. */
  runs: number;
  host: string;
  pid: number;
  workers: number;
  startedAt: string;
  heartbeatAt: string;
  heartbeatAgeSeconds: number;
  finishedAt: string | null;
  status: SweepStatus;
  /** Whether the process is still working. */
  liveness: Liveness;
}

export interface BestCell {
  /** Every grid parameter, by its experiment-file name. */
  params: Record<Axis, number | string>;
  /** Trials of the cell with a result (repeats). */
  n: number;
  meanBestValAcc: number;
  /** Sample standard deviation over the repeats; null when n < 2. */
  sdBestValAcc: number | null;
  maxBestValAcc: number;
  meanFinalValAcc: number | null;
  /** 1 / classes; null when the number of classes is not known. */
  chance: number | null;
}

export interface StopReport {
  trialId: string;
  trialIndex: number;
  epoch: number;
  rule: string;
  metric: string;
  value: number | null;
  threshold: number | null;
  peers: number | null;
  reason: string;
  decidedAt: string;
}

export interface ReadStatusOptions {
  /** Default: now. */
  now?: Date;
  /** The host this runs on. Default os.hostname(). */
  hostname?: string;
  /** Whether a pid exists on this host. Default: process.kill(pid, 0). */
  pidExists?: (pid: number) => boolean;
  /** How many early stops to list. Default 5. */
  stops?: number;
}

export function readStatus(
  db: Db,
  sweep: SweepInfo,
  options: ReadStatusOptions = {},
): SweepStatusReport {
  const now = options.now ?? new Date();
  const row = db
    .prepare('SELECT finished_at, experiment_json FROM sweeps WHERE id = ?')
    .get(sweep.id) as { finished_at: string | null; experiment_json: string };

  const running = readRunning(db, sweep.id);
  const pace = readPace(db, sweep.id);
  const run = readRun(db, sweep.id, now, {
    hostname: options.hostname ?? os.hostname(),
    pidExists: options.pidExists ?? pidExists,
    slowestEpoch: slowest(pace, running),
  });

  const status = sweep.status as SweepStatus;
  const stale = status === 'running' && run?.liveness.state === 'stale';
  const alive = status === 'running' && run?.liveness.state === 'alive';
  const eta = alive
    ? estimateEta(
        pace,
        readRemaining(db, sweep.id),
        run!.workers,
        mayStopEarly(stoppingOf(row.experiment_json)),
      )
    : null;

  return {
    sweep: {
      id: sweep.id,
      name: sweep.name,
      status,
      createdAt: sweep.createdAt,
      finishedAt: row.finished_at,
      trials: sweep.trials,
    },
    state: stale ? 'stale' : status,
    counts: readCounts(db, sweep.id),
    varying: varyingParams(db, sweep.id).map((param) => param.name),
    running,
    run,
    eta,
    best: readBest(db, sweep.id),
    stops: readStops(db, sweep.id, options.stops ?? 5),
  };
}

function readCounts(db: Db, sweepId: string): Record<TrialStatus, number> {
  const rows = db
    .prepare('SELECT status, count(*) AS n FROM trials WHERE sweep_id = ? GROUP BY status')
    .all(sweepId) as { status: TrialStatus; n: number }[];
  const counts = Object.fromEntries(TRIAL_STATUSES.map((status) => [status, 0]));
  for (const row of rows) counts[row.status] = row.n;
  return counts as Record<TrialStatus, number>;
}

const PARAM_COLUMNS = GRID_PARAMS.map((param) => param.column).join(', ');

function paramsOf(row: Record<string, unknown>): Record<Axis, number | string> {
  return Object.fromEntries(
    GRID_PARAMS.map((param) => [param.name, row[param.column] as number | string]),
  ) as Record<Axis, number | string>;
}

function readRunning(db: Db, sweepId: string): RunningTrial[] {
  const rows = db
    .prepare(
      `SELECT id, trial_index, ${PARAM_COLUMNS}, repeat, epochs_done,
         best_val_acc, best_epoch, final_val_acc, attempts, started_at
       FROM trials WHERE sweep_id = ? AND status = 'running'
       ORDER BY trial_index`,
    )
    .all(sweepId) as Record<string, unknown>[];
  return rows.map((row) => ({
    id: row.id as string,
    index: row.trial_index as number,
    params: { ...paramsOf(row), repeat: row.repeat as number },
    epoch: row.epochs_done as number,
    epochs: row.epochs as number,
    bestValAcc: row.best_val_acc as number | null,
    bestEpoch: row.best_epoch as number | null,
    lastValAcc: row.final_val_acc as number | null,
    attempt: row.attempts as number,
    startedAt: row.started_at as string | null,
  }));
}

/** Seconds per epoch of every shape the sweep has trained. */
function readPace(db: Db, sweepId: string): EpochPace {
  const rows = db
    .prepare(
      `SELECT t.image_size AS imageSize, t.filters, t.architecture,
         sum(e.seconds) AS seconds, count(*) AS epochs
       FROM epochs e JOIN trials t ON t.id = e.trial_id
       WHERE t.sweep_id = ?
       GROUP BY t.image_size, t.filters, t.architecture`,
    )
    .all(sweepId) as (Shape & { seconds: number; epochs: number })[];
  const pace = new EpochPace();
  for (const row of rows) pace.add(row, row.seconds, row.epochs);
  return pace;
}

/** The epochs still to train: running trials and those queued. */
function readRemaining(db: Db, sweepId: string) {
  const rows = db
    .prepare(
      `SELECT image_size AS imageSize, filters, architecture,
         max(0, epochs - epochs_done) AS epochs
       FROM trials WHERE sweep_id = ? AND status IN ('running', 'pending')`,
    )
    .all(sweepId) as (Shape & { epochs: number })[];
  return rows.map(({ epochs, ...shape }) => ({ shape: shape as Shape, epochs }));
}

function shapeOf(params: RunningTrial['params']): Shape {
  return {
    imageSize: params.imageSize as number,
    filters: params.filters as number,
    architecture: params.architecture as Shape['architecture'],
  };
}

/** Seconds per epoch of the slowest running trial, as timed so far. */
function slowest(pace: EpochPace, running: readonly RunningTrial[]): number | null {
  const times = running.map((trial) => pace.of(shapeOf(trial.params)) ?? pace.mean());
  const known = times.filter((time): time is number => time !== null);
  if (known.length > 0) return Math.max(...known);
  return pace.mean();
}

function readRun(
  db: Db,
  sweepId: string,
  now: Date,
  context: Omit<LivenessContext, 'now'>,
): RunReport | null {
  const row = db
    .prepare(
      `SELECT id, host, pid, workers, started_at AS startedAt,
         heartbeat_at AS heartbeatAt, finished_at AS finishedAt, status,
         (SELECT count(*) FROM runs r WHERE r.sweep_id = runs.sweep_id) AS runs
       FROM runs WHERE sweep_id = ? ORDER BY id DESC LIMIT 1`,
    )
    .get(sweepId) as Omit<RunReport, 'heartbeatAgeSeconds' | 'liveness'> | undefined;
  if (!row) return null;
  return {
    ...row,
    heartbeatAgeSeconds: heartbeatAge(row, now),
    liveness: judgeLiveness(row, { ...context, now }),
  };
}

function readBest(db: Db, sweepId: string): BestCell | null {
  const row = db
    .prepare(
      `SELECT ${PARAM_COLUMNS}, n, mean_best_val_acc, sd_best_val_acc,
         max_best_val_acc, mean_final_val_acc, chance
       FROM best_cells WHERE sweep_id = ?
       ORDER BY rank, max_best_val_acc DESC LIMIT 1`,
    )
    .get(sweepId) as Record<string, unknown> | undefined;
  if (!row) return null;
  return {
    params: paramsOf(row),
    n: row.n as number,
    meanBestValAcc: row.mean_best_val_acc as number,
    sdBestValAcc: row.sd_best_val_acc as number | null,
    maxBestValAcc: row.max_best_val_acc as number,
    meanFinalValAcc: row.mean_final_val_acc as number | null,
    chance: row.chance as number | null,
  };
}

function readStops(db: Db, sweepId: string, limit: number): StopReport[] {
  return db
    .prepare(
      `SELECT d.trial_id AS trialId, t.trial_index AS trialIndex, d.epoch,
         d.rule, d.metric, d.value, d.threshold, d.peers, d.reason,
         d.decided_at AS decidedAt
       FROM decisions d JOIN trials t ON t.id = d.trial_id
       WHERE t.sweep_id = ? AND d.action = 'stop'
       ORDER BY d.decided_at DESC, t.trial_index DESC
       LIMIT ?`,
    )
    .all(sweepId, limit) as StopReport[];
}

/** The experiment's stopping rules, if its recorded JSON can be read. */
function stoppingOf(experimentJson: string) {
  try {
    const experiment = JSON.parse(experimentJson) as { stopping?: Record<string, unknown> };
    return experiment.stopping;
  } catch {
    return undefined;
  }
}
