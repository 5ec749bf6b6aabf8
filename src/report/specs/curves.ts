/**
 * The learning curves, as in the blog post's faceted figure: one panel per
 * grid cell, every repeat of the cell overlaid, trials that stopped early,
 * diverged, failed or are still running marked at their last epoch, and
 * chance accuracy dotted.
 */
import type { TopLevelSpec } from 'vega-lite';

import type { ReportData, ReportTrial } from '../data.js';
import { facetLayout, type FacetLayout } from '../facets.js';
import {
  CHANCE_RULE,
  CONFIG,
  MAIN_COLOUR,
  SCHEMA,
  round,
  sweepLine,
  titleSpec,
  type ChartTitle,
  type Layer,
} from './style.js';

export type CurveMeasure = 'accuracy' | 'loss';

export interface CurvesOptions {
  /** Validation accuracy (0 to 1) or validation loss per epoch. */
  measure: CurveMeasure;
  /** Also draw the training curve of each trial, dashed. */
  train: boolean;
}

export type CurvesInput = Pick<
  ReportData,
  'sweep' | 'backend' | 'varying' | 'trials' | 'epochs'
>;

/** Repeats take these; the reds and oranges are kept for end markers. */
const REPEAT_COLOURS = [
  '#4c78a8', '#54a24b', '#b279a2', '#9d755d', '#72b7b2', '#eeca3b', '#bab0ac',
];

/** How a trial that did not simply finish is marked at its last epoch. */
const END_MARKERS = [
  { status: 'stopped', label: 'stopped early', shape: 'square', colour: '#222222' },
  { status: 'diverged', label: 'diverged (loss NaN)', shape: 'cross', colour: '#d62728' },
  { status: 'failed', label: 'failed', shape: 'triangle-up', colour: '#ff7f0e' },
  { status: 'running', label: 'still running', shape: 'circle', colour: '#888888' },
] as const;

type EndMarker = (typeof END_MARKERS)[number];

/** A panel in pixels: wide enough for 200 epochs, four across a page. */
const PANEL_WIDTH = 170;
const PANEL_HEIGHT = 120;

export function learningCurvesSpec(
  input: CurvesInput,
  options: CurvesOptions,
): TopLevelSpec {
  const layout = facetLayout(input.varying, input.trials);
  const curves = curveRows(input, layout, options);
  const empty = emptyPanels(input, layout, curves);
  const repeats = new Set(input.trials.map((trial) => trial.repeat)).size;
  const ended = END_MARKERS.filter((marker) =>
    curves.some((row) => row.marker === marker.label),
  );

  const layers: Layer[] = [curveLayer(repeats, options)];
  if (options.measure === 'accuracy' && input.sweep.chance !== null) {
    layers.push(chanceLayer());
  }
  if (ended.length > 0) layers.push(markerLayer(ended));
  if (empty.length > 0) layers.push(emptyPanelLayer());

  const panel = { width: PANEL_WIDTH, height: PANEL_HEIGHT, layer: layers };
  return {
    $schema: SCHEMA,
    title: titleSpec(curvesTitle(input, layout, options, repeats)),
    data: { values: [...curves, ...empty] },
    ...(layout.column === undefined
      ? panel
      : { facet: facetSpec(layout), spec: panel, ...wrapColumns(layout) }),
    config: CONFIG,
  } as TopLevelSpec;
}

interface CurveRow {
  trial: string;
  row: string;
  column: string;
  epoch: number;
  series: 'validation' | 'training';
  value: number;
  repeat: string;
  chance: number | null;
  /** Set on the trial's last point when its status earns a marker. */
  marker: string | null;
}

/** Stands in a panel that has no curve, and says why. */
interface EmptyPanelRow {
  row: string;
  column: string;
  note: string;
  chance: number | null;
}

type EpochKey = 'valAcc' | 'acc' | 'valLoss' | 'loss';

const SERIES = ['validation', 'training'];

function curveRows(
  input: CurvesInput,
  layout: FacetLayout,
  options: CurvesOptions,
): CurveRow[] {
  const byId = new Map(input.trials.map((trial) => [trial.id, trial]));
  const accuracy = options.measure === 'accuracy';
  const series: ['validation' | 'training', EpochKey][] = [
    ['validation', accuracy ? 'valAcc' : 'valLoss'],
  ];
  if (options.train) series.push(['training', accuracy ? 'acc' : 'loss']);

  const rows: CurveRow[] = [];
  for (const [name, key] of series) {
    const points = input.epochs.filter((epoch) => epoch[key] !== null);
    points.forEach((epoch, i) => {
      const trial = byId.get(epoch.trialId)!;
      const last = points[i + 1]?.trialId !== epoch.trialId;
      rows.push({
        trial: trial.id,
        row: layout.rowOf(trial),
        column: layout.columnOf(trial),
        epoch: epoch.epoch,
        series: name,
        value: epoch[key]!,
        repeat: `repeat ${trial.repeat + 1}`,
        chance: input.sweep.chance,
        marker: last && name === 'validation' ? markerOf(trial) : null,
      });
    });
  }
  return rows;
}

function markerOf(trial: ReportTrial): string | null {
  return END_MARKERS.find((marker) => marker.status === trial.status)?.label ?? null;
}

/**
 * A row for each panel without a curve. Besides saying why the panel is
 * empty, it keeps the panel in the data: Vega-Lite (6.4) places a missing
 * row × column combination first in its row, shifting the others along.
 */
function emptyPanels(
  input: CurvesInput,
  layout: FacetLayout,
  curves: CurveRow[],
): EmptyPanelRow[] {
  const drawn = new Set(curves.map((row) => JSON.stringify([row.row, row.column])));
  const rows: EmptyPanelRow[] = [];
  for (const row of layout.row?.labels ?? ['']) {
    for (const column of layout.column?.labels ?? ['']) {
      if (drawn.has(JSON.stringify([row, column]))) continue;
      const trials = input.trials.filter(
        (trial) => layout.rowOf(trial) === row && layout.columnOf(trial) === column,
      );
      rows.push({
        row,
        column,
        note: trials.length === 0 ? 'no trial' : `no epoch yet (${statusList(trials)})`,
        chance: input.sweep.chance,
      });
    }
  }
  return rows;
}

function curveLayer(repeats: number, options: CurvesOptions): Layer {
  const accuracy = options.measure === 'accuracy';
  return {
    mark: { type: 'line', strokeWidth: 1.5, clip: true },
    encoding: {
      x: {
        field: 'epoch',
        type: 'quantitative',
        title: 'epoch',
        scale: { nice: false, zero: false },
        axis: { tickMinStep: 1, format: 'd', grid: false },
      },
      y: {
        field: 'value',
        type: 'quantitative',
        title: `${options.train ? '' : 'validation '}${accuracy ? 'accuracy' : 'loss'}`,
        scale: accuracy ? { domain: [0, 1] } : { zero: true },
        axis: { tickCount: 5 },
      },
      detail: { field: 'trial' },
      // Lines take `stroke` and end markers `fill`: two channels, so two
      // scales and two legends, the same in every panel.
      stroke:
        repeats > 1
          ? { field: 'repeat', type: 'nominal', title: 'repeat', scale: { range: REPEAT_COLOURS } }
          : { value: MAIN_COLOUR },
      // Training curves dashed and paler, so that the validation curve,
      // the one that matters, stays on top to the eye.
      ...(options.train
        ? {
            strokeDash: {
              field: 'series',
              type: 'nominal',
              title: 'curve',
              scale: { domain: SERIES, range: [[1, 0], [5, 3]] },
            },
            strokeOpacity: {
              field: 'series',
              type: 'nominal',
              title: 'curve',
              scale: { domain: SERIES, range: [1, 0.55] },
            },
          }
        : {}),
    },
  } as Layer;
}

/** One dotted rule per panel at chance accuracy (1 / classes). */
function chanceLayer(): Layer {
  return {
    mark: CHANCE_RULE,
    encoding: { y: { aggregate: 'min', field: 'chance', type: 'quantitative' } },
  };
}

function markerLayer(ended: readonly EndMarker[]): Layer {
  const scale = (pick: (marker: EndMarker) => string) => ({
    domain: ended.map((marker) => marker.label),
    range: ended.map(pick),
  });
  return {
    transform: [{ filter: 'datum.marker != null' }],
    mark: {
      type: 'point',
      filled: true,
      size: 80,
      opacity: 1,
      stroke: 'white',
      strokeWidth: 0.8,
      clip: true,
    },
    encoding: {
      x: { field: 'epoch', type: 'quantitative' },
      y: { field: 'value', type: 'quantitative' },
      shape: {
        field: 'marker',
        type: 'nominal',
        title: 'trial ended',
        scale: scale((marker) => marker.shape),
      },
      fill: {
        field: 'marker',
        type: 'nominal',
        title: 'trial ended',
        scale: scale((marker) => marker.colour),
      },
    },
  } as Layer;
}

function emptyPanelLayer(): Layer {
  return {
    transform: [{ filter: 'datum.note != null' }],
    mark: { type: 'text', fontSize: 12, color: '#666666' },
    encoding: {
      text: { field: 'note', type: 'nominal' },
      x: { value: PANEL_WIDTH / 2 },
      y: { value: PANEL_HEIGHT / 2 },
    },
  };
}

function facetSpec(layout: FacetLayout) {
  const header = { labelFontSize: 12, labelFontWeight: 'bold' as const };
  const column = {
    field: 'column',
    type: 'ordinal' as const,
    sort: layout.column!.labels,
    title: null,
    header,
  };
  if (layout.row === undefined) return column;
  return {
    row: {
      field: 'row',
      type: 'ordinal' as const,
      sort: layout.row.labels,
      title: null,
      header: { ...header, labelAngle: 0, labelAlign: 'left' as const },
    },
    column,
  };
}

/**
 * A single varying parameter wraps its panels, four to a line, each with
 * its own epoch axis: shared ones would hang under the empty places of a
 * last line that is not full.
 */
function wrapColumns(layout: FacetLayout) {
  if (layout.row !== undefined) return {};
  return {
    columns: Math.min(4, layout.column!.labels.length),
    resolve: { axis: { x: 'independent' as const } },
  };
}

function curvesTitle(
  input: CurvesInput,
  layout: FacetLayout,
  options: CurvesOptions,
  repeats: number,
): ChartTitle {
  const accuracy = options.measure === 'accuracy';
  const panels =
    layout.column === undefined
      ? 'one grid cell'
      : 'one panel per ' +
        [layout.row?.title, layout.column.title].filter(Boolean).join(' × ');
  const reading = [
    panels,
    repeats > 1 ? `${repeats} repeats overlaid` : undefined,
    options.train ? 'training curves dashed' : undefined,
    accuracy && input.sweep.chance !== null
      ? `dotted: chance accuracy ${round(input.sweep.chance)}`
      : undefined,
    accuracy ? undefined : 'loss is cross-entropy',
  ].filter(Boolean);
  const unseen = input.trials.filter(
    (trial) => trial.epochsDone === 0 && ['diverged', 'failed'].includes(trial.status),
  );
  const unseenLine =
    `${unseen.length} trial(s) ${statusList(unseen)} before recording an epoch`;
  return {
    text:
      `${input.sweep.name}: ${options.train ? '' : 'validation '}` +
      `${accuracy ? 'accuracy' : 'loss'} per epoch`,
    subtitle: [
      sweepLine(input),
      reading.join('; '),
      ...(unseen.length > 0 ? [unseenLine] : []),
    ],
  };
}

function statusList(trials: ReportTrial[]): string {
  return [...new Set(trials.map((trial) => trial.status))].join(' or ');
}
