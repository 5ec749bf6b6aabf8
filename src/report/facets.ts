/**
 * How learning curves are split into panels: one panel per grid cell,
 * that is per combination of the parameters that vary (repeats share a
 * panel). Learning rate goes down the rows, as in the blog post's figure,
 * and the other varying parameters across the columns.
 */
import type { GridParam } from '../query/params.js';
import type { ReportTrial } from './data.js';
import { levelLabel, paramWords, sortLevels } from './labels.js';

export interface FacetAxis {
  /** The parameters whose levels this axis spells out, in order. */
  params: GridParam[];
  /** What the axis holds, for a subtitle: `image size × filters`. */
  title: string;
  /** Panel labels in display order. */
  labels: string[];
}

export interface FacetLayout {
  /** Panels down the page; undefined when fewer than two parameters vary. */
  row?: FacetAxis;
  /** Panels across; undefined when no parameter varies (one panel). */
  column?: FacetAxis;
  rowOf(trial: ReportTrial): string;
  columnOf(trial: ReportTrial): string;
}

/** Rows are learning rates when the learning rate varies with something else. */
const ROW_PARAM = 'learningRate';

export function facetLayout(varying: GridParam[], trials: ReportTrial[]): FacetLayout {
  if (varying.length === 0) {
    return { rowOf: () => '', columnOf: () => '' };
  }
  const rowParam =
    varying.length < 2
      ? undefined
      : (varying.find((param) => param.name === ROW_PARAM) ?? varying[0]!);
  const columnParams = varying.filter((param) => param !== rowParam);

  const row = rowParam === undefined ? undefined : facetAxis([rowParam], trials);
  const column = facetAxis(columnParams, trials);
  return {
    ...(row === undefined ? {} : { row }),
    column,
    rowOf: (trial) => (rowParam === undefined ? '' : label([rowParam], trial)),
    columnOf: (trial) => label(columnParams, trial),
  };
}

function facetAxis(params: GridParam[], trials: ReportTrial[]): FacetAxis {
  // Sorting the combinations level by level, first parameter first, puts
  // `24 px, 16 filters` before `24 px, 32 filters` before `32 px, 16 filters`.
  const combos = distinctCombos(params, trials).sort((x, y) => {
    for (let i = 0; i < params.length; i += 1) {
      const order = sortLevels([x[i]!, y[i]!]);
      if (x[i] !== y[i]) return order[0] === x[i] ? -1 : 1;
    }
    return 0;
  });
  return {
    params,
    title: params.map(paramWords).join(' × '),
    labels: combos.map((combo) =>
      combo.map((level, i) => levelLabel(params[i]!, level)).join(', '),
    ),
  };
}

function distinctCombos(params: GridParam[], trials: ReportTrial[]) {
  const seen = new Map<string, (number | string)[]>();
  for (const trial of trials) {
    const combo = params.map((param) => trial.params[param.name]!);
    seen.set(JSON.stringify(combo), combo);
  }
  return [...seen.values()];
}

function label(params: GridParam[], trial: ReportTrial): string {
  return params.map((param) => levelLabel(param, trial.params[param.name]!)).join(', ');
}
