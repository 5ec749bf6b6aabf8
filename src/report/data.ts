/**
 * What a report shows, read from a sweep database through the query layer's
 * views and modules: the sweep as run, every trial's parameters and epochs,
 * the best cells, and the two-way table behind the interaction plot.
 */
import { findBestCells, type BestCells } from '../query/best.js';
import { marginalTable, pairTable, type Level, type Summary } from '../query/effects.js';
import { describeInteraction, type Interaction } from '../query/interaction.js';
import type { Metric } from '../query/metrics.js';
import { GRID_PARAMS, varyingParams, type GridParam } from '../query/params.js';
import type { SweepInfo } from '../query/sweep-choice.js';
import type { Db } from '../store/database.js';

export interface ReportTrial {
  id: string;
  status: string;
  /** 0-based repeat of the trial's cell. */
  repeat: number;
  /** Every grid parameter, by its experiment-file name. */
  params: Record<string, number | string>;
  epochsDone: number;
  /** Why it failed, diverged or was stopped early; null when it did not. */
  error: string | null;
}

/** One epoch of one trial; a null is a value the trial did not record. */
export interface ReportEpoch {
  trialId: string;
  epoch: number;
  acc: number | null;
  valAcc: number | null;
  loss: number | null;
  valLoss: number | null;
}

/** One point of the effect plot: a level of `x` at a level of `lines`. */
export interface EffectCell extends Summary {
  x: Level;
  /** Null when the plot has one line (a single varying parameter). */
  line: Level | null;
}

/** A trial's value of the metric, placed on the effect plot. */
export interface EffectTrial {
  trialId: string;
  x: Level;
  line: Level | null;
  value: number;
}

export interface EffectData {
  metric: Metric;
  x: GridParam;
  /** The parameter drawn as one line per level; null for a marginal plot. */
  lines: GridParam | null;
  cells: EffectCell[];
  trials: EffectTrial[];
  /** The verdict on the pair, as `gridsweep effects A B` words it. */
  interaction: Interaction | null;
}

export interface ReportData {
  /** The database file, as given. */
  file: string;
  sweep: SweepInfo;
  experimentJson: string;
  finishedAt: string | null;
  backend: string | null;
  classes: number | null;
  /** Grid parameters with more than one level in this sweep. */
  varying: GridParam[];
  trials: ReportTrial[];
  epochs: ReportEpoch[];
  best: BestCells;
  /** Null when no parameter varies: there is nothing to compare. */
  effect: EffectData | null;
}

export interface ReadOptions {
  metric: Metric;
  /** How many best cells the summary table holds. */
  top: number;
  /** The effect plot's x axis; default learningRate if it varies. */
  x?: GridParam;
  /** One line per level of this; default imageSize if it varies. */
  lines?: GridParam;
}

export function readReportData(
  db: Db,
  file: string,
  sweep: SweepInfo,
  options: ReadOptions,
): ReportData {
  const varying = varyingParams(db, sweep.id);
  const trials = readTrials(db, sweep.id);
  return {
    file,
    sweep,
    ...readSweepRow(db, sweep.id),
    varying,
    trials,
    epochs: readEpochs(db, sweep.id),
    best: findBestCells(db, sweep, options.metric, options.top),
    effect: readEffect(db, sweep.id, varying, trials, options),
  };
}

function readSweepRow(db: Db, sweepId: string) {
  const row = db
    .prepare(
      `SELECT s.experiment_json AS experimentJson, s.finished_at AS finishedAt,
         s.backend, v.classes
       FROM sweeps s JOIN sweep_summary v ON v.sweep_id = s.id
       WHERE s.id = ?`,
    )
    .get(sweepId) as {
    experimentJson: string;
    finishedAt: string | null;
    backend: string | null;
    classes: number | null;
  };
  return row;
}

function readTrials(db: Db, sweepId: string): ReportTrial[] {
  const rows = db
    .prepare(
      // A stopped trial has no error; the rule that stopped it says why.
      `SELECT s.*, coalesce(s.error,
         (SELECT d.reason FROM decisions d
          WHERE d.trial_id = s.trial_id AND d.action = 'stop'
          ORDER BY d.epoch DESC LIMIT 1)) AS why
       FROM trial_summary s WHERE s.sweep_id = ? ORDER BY s.trial_index`,
    )
    .all(sweepId) as Record<string, number | string | null>[];
  return rows.map((row) => ({
    id: row.trial_id as string,
    status: row.status as string,
    repeat: row.repeat as number,
    params: Object.fromEntries(
      GRID_PARAMS.map((param) => [param.name, row[param.column] as number | string]),
    ),
    epochsDone: row.epochs_done as number,
    error: row.why as string | null,
  }));
}

function readEpochs(db: Db, sweepId: string): ReportEpoch[] {
  return db
    .prepare(
      `SELECT e.trial_id AS trialId, e.epoch, e.acc, e.val_acc AS valAcc,
         e.loss, e.val_loss AS valLoss
       FROM epochs e JOIN trials t ON t.id = e.trial_id
       WHERE t.sweep_id = ?
       ORDER BY t.trial_index, e.epoch`,
    )
    .all(sweepId) as ReportEpoch[];
}

/**
 * The effect plot's data: the two-way table of `x` by `lines` from the
 * pair_effects view (or the marginal table when only one parameter
 * varies), and each trial's value from trial_metrics to show the spread.
 */
function readEffect(
  db: Db,
  sweepId: string,
  varying: GridParam[],
  trials: ReportTrial[],
  options: ReadOptions,
): EffectData | null {
  const { metric } = options;
  const x = options.x ?? preferred(varying, 'learningRate', []);
  if (x === undefined) return null;
  const lines = options.lines ?? preferred(varying, 'imageSize', [x]);

  const values = db
    .prepare(
      `SELECT trial_id AS trialId, value FROM trial_metrics
       WHERE sweep_id = ? AND metric = ?`,
    )
    .all(sweepId, metric.name) as { trialId: string; value: number }[];
  const byId = new Map(trials.map((trial) => [trial.id, trial]));
  const points = values.map(({ trialId, value }) => {
    const params = byId.get(trialId)!.params;
    return {
      trialId,
      x: params[x.name]!,
      line: lines === undefined ? null : params[lines.name]!,
      value,
    };
  });

  if (lines === undefined) {
    const table = marginalTable(db, sweepId, x, metric);
    const cells = table.levels.map(({ level, ...summary }) => ({
      ...summary,
      x: level,
      line: null,
    }));
    return { metric, x, lines: null, cells, trials: points, interaction: null };
  }

  const table = pairTable(db, sweepId, x, lines, metric);
  const cells = table.cells.map(({ a, b, ...summary }) => ({ ...summary, x: a, line: b }));
  const interaction = table.cells.length > 0 ? describeInteraction(table) : null;
  return { metric, x, lines, cells, trials: points, interaction };
}

/** `name` if it varies, else the first varying parameter not in `taken`. */
function preferred(
  varying: GridParam[],
  name: string,
  taken: GridParam[],
): GridParam | undefined {
  const free = varying.filter((param) => !taken.some((t) => t.name === param.name));
  return free.find((param) => param.name === name) ?? free[0];
}
