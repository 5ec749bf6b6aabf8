/**
 * The grid parameters by both of their names: the experiment file's
 * (`learningRate`) and the database column's (`learning_rate`).
 */
import { InputError } from '../errors.js';
import { AXES, type Axis } from '../experiment/trial.js';
import type { Db } from '../store/database.js';

export interface GridParam {
  /** The experiment file's name, used in what people read. */
  name: Axis;
  /** The column in `trials` and the `param` value in the views. */
  column: string;
}

export const GRID_PARAMS: readonly GridParam[] = AXES.map((name) => ({
  name,
  column: name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`),
}));

export function findParam(name: string): GridParam {
  const wanted = name.toLowerCase();
  const param = GRID_PARAMS.find(
    (candidate) =>
      candidate.name.toLowerCase() === wanted || candidate.column === wanted,
  );
  if (!param) {
    throw new InputError(
      'E_ARGUMENT',
      `unknown grid parameter ${JSON.stringify(name)}; expected one of ` +
        GRID_PARAMS.map((p) => `${p.name} (${p.column})`).join(', '),
    );
  }
  return param;
}

export function paramByColumn(column: string): GridParam {
  return GRID_PARAMS.find((param) => param.column === column)!;
}

/** A level as people write it: `0.001`, `32 px`, `cifar10`. */
export function showLevel(param: GridParam, value: unknown): string {
  const text =
    typeof value === 'number' ? String(Number(value.toPrecision(6))) : String(value);
  return param.name === 'imageSize' ? `${text} px` : text;
}

/** The grid parameters that take more than one value in a sweep. */
export function varyingParams(db: Db, sweepId: string): GridParam[] {
  const columns = db
    .prepare(
      `SELECT param FROM trial_params_long WHERE sweep_id = ?
       GROUP BY param HAVING count(DISTINCT value) > 1`,
    )
    .pluck()
    .all(sweepId) as string[];
  return GRID_PARAMS.filter((param) => columns.includes(param.column));
}
