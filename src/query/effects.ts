/**
 * Effect tables: a metric's mean, spread and count per level of one grid
 * parameter (the marginal table), or per combination of levels of two (the
 * two-way table). Means are over every trial with a result at that level,
 * so they average over repeats and over the other parameters' levels.
 */
import type { Db } from '../store/database.js';
import type { Metric } from './metrics.js';
import type { GridParam } from './params.js';

export type Level = number | string;

export interface Summary {
  /** Trials with a value for the metric. */
  n: number;
  mean: number;
  /** Sample standard deviation; null when n < 2. */
  sd: number | null;
  min: number;
  max: number;
}

export interface MarginalTable {
  param: GridParam;
  metric: Metric;
  levels: (Summary & { level: Level })[];
}

export interface PairCell extends Summary {
  a: Level;
  b: Level;
}

export interface PairTable {
  a: GridParam;
  b: GridParam;
  metric: Metric;
  /** Levels of each parameter that have a result, in ascending order. */
  levelsA: Level[];
  levelsB: Level[];
  /** One per combination with a result; a missing one had no result. */
  cells: PairCell[];
}

export function marginalTable(
  db: Db,
  sweepId: string,
  param: GridParam,
  metric: Metric,
): MarginalTable {
  const levels = db
    .prepare(
      `SELECT value AS level, n, mean, sd, min, max FROM param_effects
       WHERE sweep_id = ? AND param = ? AND metric = ? ORDER BY value`,
    )
    .all(sweepId, param.column, metric.name) as MarginalTable['levels'];
  return { param, metric, levels };
}

export function pairTable(
  db: Db,
  sweepId: string,
  a: GridParam,
  b: GridParam,
  metric: Metric,
): PairTable {
  const cells = db
    .prepare(
      `SELECT value_a AS a, value_b AS b, n, mean, sd, min, max
       FROM pair_effects
       WHERE sweep_id = ? AND param_a = ? AND param_b = ? AND metric = ?
       ORDER BY value_a, value_b`,
    )
    .all(sweepId, a.column, b.column, metric.name) as PairCell[];
  return {
    a,
    b,
    metric,
    levelsA: distinct(cells.map((cell) => cell.a)),
    levelsB: distinct(cells.map((cell) => cell.b)),
    cells,
  };
}

function distinct(levels: Level[]): Level[] {
  return [...new Set(levels)].sort((x, y) =>
    typeof x === 'number' && typeof y === 'number'
      ? x - y
      : String(x).localeCompare(String(y)),
  );
}
