/**
 * The best cells of a sweep: each distinct combination of grid values,
 * summarised over its repeats, ranked by a metric.
 */
import type { Db } from '../store/database.js';
import type { Metric } from './metrics.js';
import { GRID_PARAMS, varyingParams, type GridParam } from './params.js';
import type { SweepInfo } from './sweep-choice.js';

export interface RankedCell {
  /** 1 for the best; cells with equal means share a rank. */
  rank: number;
  /** Every grid parameter, by its experiment-file name. */
  params: Record<string, number | string>;
  /** Trials of the cell with a value for the metric (repeats). */
  n: number;
  mean: number;
  /** Sample standard deviation over the repeats; null when n < 2. */
  sd: number | null;
  min: number;
  max: number;
}

export interface BestCells {
  metric: Metric;
  /** The parameters that vary in this sweep, for display. */
  varying: GridParam[];
  /** How many cells have a result; `cells` holds the top of them. */
  total: number;
  cells: RankedCell[];
}

export function findBestCells(
  db: Db,
  sweep: SweepInfo,
  metric: Metric,
  top: number,
): BestCells {
  const order = metric.higherIsBetter ? 'DESC' : 'ASC';
  const rows = db
    .prepare(
      `SELECT ${GRID_PARAMS.map((p) => p.column).join(', ')},
         n, mean, sd, min, max
       FROM cell_metrics WHERE sweep_id = ? AND metric = ?
       ORDER BY mean ${order}`,
    )
    .all(sweep.id, metric.name) as Record<string, number | string | null>[];

  const cells = rows.map((row, index): RankedCell => {
    const tiedWithPrevious = index > 0 && rows[index - 1]!.mean === row.mean;
    return {
      rank: tiedWithPrevious ? 0 : index + 1,
      params: Object.fromEntries(
        GRID_PARAMS.map((param) => [param.name, row[param.column]!]),
      ),
      n: row.n as number,
      mean: row.mean as number,
      sd: row.sd as number | null,
      min: row.min as number,
      max: row.max as number,
    };
  });
  cells.forEach((cell, index) => {
    if (cell.rank === 0) cell.rank = cells[index - 1]!.rank;
  });

  return {
    metric,
    varying: varyingParams(db, sweep.id),
    total: cells.length,
    cells: cells.slice(0, top),
  };
}
