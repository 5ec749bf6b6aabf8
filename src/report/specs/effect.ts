/**
 * The interaction plot: a metric's mean against one grid parameter, one
 * line per level of another, each trial as a hollow point and ± 1 sd as a
 * bar. With one varying parameter it is a single line: its effect alone.
 *
 * Levels sit evenly spaced along x, in order, labelled as the grid writes
 * them, whatever their spacing: grids space learning rates by powers of
 * ten, and a log axis would label them 1e-4 and add ticks between.
 */
import type { TopLevelSpec } from 'vega-lite';

import type { Level } from '../../query/effects.js';
import type { EffectData, ReportData } from '../data.js';
import {
  isAccuracy,
  levelLabel,
  metricTitle,
  paramTitle,
  paramWords,
  sortLevels,
  wrap,
} from '../labels.js';
import {
  CHANCE_RULE,
  CONFIG,
  MAIN_COLOUR,
  SCHEMA,
  sweepLine,
  titleSpec,
  type ChartTitle,
  type Layer,
} from './style.js';

export type EffectInput = Pick<ReportData, 'sweep' | 'backend'> & { effect: EffectData };

/** Distinct from each other, none too pale on white. */
const LINE_COLOURS = [
  '#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#9d755d',
];

export function effectSpec(input: EffectInput): TopLevelSpec {
  const { effect, sweep } = input;
  const xLevels = sortLevels([
    ...effect.cells.map((cell) => cell.x),
    ...effect.trials.map((trial) => trial.x),
  ]);
  const lineLevels =
    effect.lines === null ? [] : sortLevels(effect.cells.map((cell) => cell.line!));
  const { cells, trials } = effectRows(effect, xLevels, lineLevels);
  const { x, y, colour } = encodings(effect, xLevels, lineLevels);

  const layers = [
    {
      data: { values: cells },
      mark: { type: 'line', strokeWidth: 2, point: { filled: true, size: 60 } },
      encoding: { x, y: { ...y, field: 'mean' }, color: colour },
    },
    {
      data: { values: cells.filter((cell) => cell.low !== null) },
      mark: { type: 'rule', strokeWidth: 2, opacity: 0.7 },
      encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' }, color: colour },
    },
    {
      data: { values: trials },
      mark: { type: 'point', filled: false, size: 40, opacity: 0.7, strokeWidth: 1 },
      encoding: { x, y: { ...y, field: 'value' }, color: colour },
    },
  ] as Layer[];
  if (isAccuracy(effect.metric) && sweep.chance !== null) {
    layers.push({
      data: { values: [{ chance: sweep.chance }] },
      mark: CHANCE_RULE,
      encoding: { y: { field: 'chance', type: 'quantitative' } },
    });
  }

  return {
    $schema: SCHEMA,
    title: titleSpec(effectTitle(input)),
    width: Math.max(420, 120 * xLevels.length),
    height: 260,
    layer: layers,
    config: CONFIG,
  } as TopLevelSpec;
}

/** Cell means with their bars, and single trials, placed along x. */
function effectRows(effect: EffectData, xLevels: Level[], lineLevels: Level[]) {
  const place = placer(xLevels, lineLevels);
  const name = (level: Level | null) =>
    effect.lines === null || level === null ? '' : levelLabel(effect.lines, level);
  // The bars of an accuracy stop at the axis's 0 and 1 rather than leave it.
  const onAxis = (value: number) =>
    isAccuracy(effect.metric) ? Math.min(1, Math.max(0, value)) : value;

  const cells = effect.cells.map((cell) => ({
    x: place(cell.x, cell.line),
    line: name(cell.line),
    mean: cell.mean,
    low: cell.sd === null ? null : onAxis(cell.mean - cell.sd),
    high: cell.sd === null ? null : onAxis(cell.mean + cell.sd),
  }));
  const trials = effect.trials.map((trial) => ({
    x: place(trial.x, trial.line),
    line: name(trial.line),
    value: trial.value,
  }));
  return { cells, trials };
}

/**
 * Positions along x: level i at i, and the lines nudged apart around it
 * so that their bars and points do not hide each other.
 */
function placer(xLevels: Level[], lineLevels: Level[]) {
  const step = lineLevels.length > 1 ? Math.min(0.08, 0.3 / lineLevels.length) : 0;
  return (x: Level, line: Level | null): number => {
    const k = line === null ? 0 : lineLevels.indexOf(line);
    return xLevels.indexOf(x) + (k - (lineLevels.length - 1) / 2) * step;
  };
}

function encodings(effect: EffectData, xLevels: Level[], lineLevels: Level[]) {
  const labels = xLevels.map((level) =>
    typeof level === 'number' ? String(Number(level.toPrecision(6))) : level,
  );
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: paramTitle(effect.x),
    scale: { domain: [-0.5, xLevels.length - 0.5], nice: false, zero: false },
    axis: {
      values: xLevels.map((_, i) => i),
      labelExpr: `${JSON.stringify(labels)}[datum.value]`,
      grid: false,
      labelFontSize: 12,
    },
  };
  const y = {
    type: 'quantitative' as const,
    title: `${metricTitle(effect.metric)}, mean of trials`,
    scale: isAccuracy(effect.metric) ? { domain: [0, 1] } : { zero: true },
  };
  const lineLabels = lineLevels.map((level) => levelLabel(effect.lines!, level));
  const colour =
    effect.lines === null
      ? { value: MAIN_COLOUR }
      : {
          field: 'line',
          type: 'nominal' as const,
          title: paramTitle(effect.lines),
          sort: lineLabels,
          scale: { domain: lineLabels, range: LINE_COLOURS },
        };
  return { x, y, colour };
}

function effectTitle(input: EffectInput): ChartTitle {
  const { effect } = input;
  const by =
    effect.lines === null
      ? paramWords(effect.x)
      : `${paramWords(effect.x)} and ${paramWords(effect.lines)}`;
  const verdict = effect.interaction?.sentence;
  const chance = isAccuracy(effect.metric) && input.sweep.chance !== null;
  return {
    text: `${input.sweep.name}: ${metricTitle(effect.metric)} by ${by}`,
    subtitle: [
      sweepLine(input),
      ...(verdict === undefined ? [] : wrap(verdict, 110)),
      'hollow points: single trials; filled: their mean; bars: ± 1 sd' +
        (chance ? '; dotted: chance accuracy' : ''),
    ],
  };
}
