/**
 * Which sweep of a database a command reads. A file usually holds one; it
 * holds more when an experiment kept its name but changed its dataset.
 */
import { InputError } from '../errors.js';
import type { Db } from '../store/database.js';

export interface SweepInfo {
  id: string;
  name: string;
  status: string;
  createdAt: string;
  /** 1 / classes, or null when the number of classes is not known. */
  chance: number | null;
  trials: number;
  /** Trials with a result: done, stopped or diverged. */
  finished: number;
  running: number;
  failed: number;
  /** How many other sweeps the file holds. */
  others: number;
}

/**
 * The sweep named by `wanted` (an id, an id prefix or a name; the latest
 * if several match), or the latest sweep when nothing is asked for.
 */
export function chooseSweep(db: Db, file: string, wanted?: string): SweepInfo {
  const rows = db
    .prepare(
      `SELECT sweep_id AS id, name, status, created_at AS createdAt, chance,
         trials, finished, running, failed
       FROM sweep_summary ORDER BY created_at DESC`,
    )
    .all() as Omit<SweepInfo, 'others'>[];
  if (rows.length === 0) {
    throw new InputError('E_DATABASE', `${file} holds no sweep yet`, [], {
      hint: 'start one with gridsweep run EXPERIMENT',
    });
  }

  const matching =
    wanted === undefined
      ? rows
      : rows.filter((row) => row.id.startsWith(wanted) || row.name === wanted);
  const chosen = matching[0];
  if (!chosen) {
    throw new InputError(
      'E_ARGUMENT',
      `--sweep: no sweep ${JSON.stringify(wanted)} in ${file}; it holds ` +
        rows.map((row) => `${row.name} (${row.id})`).join(', '),
    );
  }
  return { ...chosen, others: rows.length - 1 };
}
