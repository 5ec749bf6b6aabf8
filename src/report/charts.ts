/**
 * Which charts a report holds and what each says when it has nothing to
 * draw: the learning curves, optionally the loss curves, and the effect
 * (interaction) plot. Each becomes a spec here and is drawn by render.ts.
 */
import type { TopLevelSpec } from 'vega-lite';

import type { ReportData } from './data.js';
import { metricTitle, paramWords } from './labels.js';
import { learningCurvesSpec, type CurveMeasure } from './specs/curves.js';
import { effectSpec } from './specs/effect.js';
import { noticeSpec, noticeTitle } from './specs/notice.js';

export interface ChartPlan {
  /** File-name stem and page anchor. */
  name: string;
  heading: string;
  spec: TopLevelSpec;
  /** Why the chart only holds a message, when it does. */
  notice?: string;
  notes: string[];
}

export interface ChartOptions {
  /** Draw each trial's training curve too, dashed. */
  train: boolean;
  /** Add a chart of validation loss per epoch. */
  loss: boolean;
}

export function planCharts(data: ReportData, options: ChartOptions): ChartPlan[] {
  const charts = [curvesChart(data, 'accuracy', options)];
  if (options.loss) charts.push(curvesChart(data, 'loss', options));
  charts.push(effectChart(data));
  return charts;
}

function curvesChart(
  data: ReportData,
  measure: CurveMeasure,
  options: ChartOptions,
): ChartPlan {
  const accuracy = measure === 'accuracy';
  const name = accuracy ? 'curves' : 'loss';
  const heading = accuracy ? 'Learning curves' : 'Validation loss';
  if (data.epochs.length === 0) {
    const notice = `No trial has recorded an epoch yet (${waiting(data)}).`;
    const title = noticeTitle(data, `validation ${accuracy ? 'accuracy' : 'loss'} per epoch`);
    return { name, heading, spec: noticeSpec(title, notice), notice, notes: [] };
  }
  return {
    name,
    heading,
    spec: learningCurvesSpec(data, { measure, train: options.train }),
    notes: [
      accuracy
        ? 'Each panel is one grid cell; its lines are the cell’s trials (repeats), ' +
          'validation accuracy after each epoch, on the same 0 to 1 scale in every ' +
          'panel. A marker at the end of a line says the trial did not simply run ' +
          'all its epochs: it stopped early, diverged, failed, or is still running.'
        : 'Validation loss (cross-entropy) after each epoch, one panel per grid ' +
          'cell; the scale is shared, so a diverging trial can flatten the others.',
    ],
  };
}

function effectChart(data: ReportData): ChartPlan {
  const { effect } = data;
  const name = 'interaction';
  if (effect === null) {
    const notice = 'Every trial has the same grid parameters: there is nothing to compare.';
    return {
      name,
      heading: 'Interaction',
      spec: noticeSpec(noticeTitle(data, 'interaction'), notice),
      notice,
      notes: [],
    };
  }

  const heading =
    effect.lines === null
      ? `Effect of ${paramWords(effect.x)}`
      : `Interaction: ${paramWords(effect.x)} × ${paramWords(effect.lines)}`;
  if (effect.cells.length === 0) {
    const notice = `No trial has a result yet (${waiting(data)}).`;
    const title = noticeTitle(data, `${metricTitle(effect.metric)} by ${paramWords(effect.x)}`);
    return { name, heading, spec: noticeSpec(title, notice), notice, notes: [] };
  }

  const interaction = effect.interaction;
  return {
    name,
    heading,
    spec: effectSpec({ ...data, effect }),
    notes: [
      `Mean ${metricTitle(effect.metric)} of the trials at each level, ` +
        (effect.lines === null
          ? 'over repeats and every other parameter.'
          : `one line per ${paramWords(effect.lines)}, over repeats and the other ` +
            'parameters. Lines that are not parallel mean that the effect of one ' +
            'parameter depends on the other.'),
      ...(interaction === null ? [] : [interaction.sentence, ...interaction.notes]),
    ],
  };
}

function waiting(data: ReportData): string {
  const count = (status: string) =>
    data.trials.filter((trial) => trial.status === status).length;
  const parts = [
    `${data.trials.length} trial${data.trials.length === 1 ? '' : 's'}`,
    `${count('pending')} pending`,
    `${count('running')} running`,
  ];
  const failed = count('failed');
  if (failed > 0) parts.push(`${failed} failed`);
  return parts.join(', ');
}
