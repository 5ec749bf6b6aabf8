/**
 * The words a chart reader sees for parameters, levels, metrics and the
 * sweep itself: axis titles with units, panel labels, dates.
 */
import type { Level } from '../query/effects.js';
import type { Metric } from '../query/metrics.js';
import { showLevel, type GridParam } from '../query/params.js';
import type { SweepInfo } from '../query/sweep-choice.js';

const PARAM_TITLES: Record<string, string> = {
  learningRate: 'learning rate',
  imageSize: 'image size (px)',
  filters: 'filters (first convolution)',
  architecture: 'architecture',
  dropout: 'dropout rate',
  epochs: 'epochs',
  batchSize: 'batch size (images)',
  optimizer: 'optimizer',
  decay: 'learning-rate decay',
};

const METRIC_TITLES: Record<string, string> = {
  best_val_acc: 'best validation accuracy',
  final_val_acc: 'final validation accuracy',
  min_val_loss: 'lowest validation loss (cross-entropy)',
  best_epoch: 'epoch of the best validation accuracy',
  duration_s: 'trial duration (s)',
};

/** An axis or legend title, with its unit: `image size (px)`. */
export function paramTitle(param: GridParam): string {
  return PARAM_TITLES[param.name] ?? param.name;
}

/** The parameter in a sentence or heading, without the unit: `image size`. */
export function paramWords(param: GridParam): string {
  return paramTitle(param).replace(/ \(.*\)$/, '');
}

export function metricTitle(metric: Metric): string {
  return METRIC_TITLES[metric.name] ?? metric.name;
}

/** Whether the metric is an accuracy, drawn on a 0 to 1 axis. */
export function isAccuracy(metric: Metric): boolean {
  return metric.name.endsWith('_acc');
}

/**
 * A level that reads alone, as a panel label: `lr 0.001`, `32 px`,
 * `16 filters`, `cifar10`.
 */
export function levelLabel(param: GridParam, value: Level): string {
  const shown = showLevel(param, value);
  switch (param.name) {
    case 'learningRate':
      return `lr ${shown}`;
    case 'filters':
      return `${shown} filters`;
    case 'dropout':
      return `dropout ${shown}`;
    case 'epochs':
      return `${shown} epochs`;
    case 'batchSize':
      return `batch ${shown}`;
    case 'decay':
      return `decay ${shown}`;
    default:
      return shown;
  }
}

/** Levels in ascending order: numbers by value, text alphabetically. */
export function sortLevels(levels: Iterable<Level>): Level[] {
  return [...new Set(levels)].sort((x, y) =>
    typeof x === 'number' && typeof y === 'number'
      ? x - y
      : String(x).localeCompare(String(y)),
  );
}

/** `2026-12-03 16:45 UTC` from the store's ISO 8601 times. */
export function showDate(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** Where the sweep stands, in words: finished, running, interrupted. */
export function sweepState(sweep: SweepInfo): string {
  const results =
    `${sweep.finished} of ${sweep.trials} trial${sweep.trials === 1 ? '' : 's'} ` +
    'have a result';
  const failed = sweep.failed > 0 ? `, ${sweep.failed} failed` : '';
  switch (sweep.status) {
    case 'running':
      return `still running: ${results} (${sweep.running} running${failed}); ` +
        'these are the results so far';
    case 'done':
      return `finished: ${results}${failed}`;
    default:
      return `${sweep.status}: ${results}${failed}`;
  }
}

/** Splits a sentence into lines of at most `width` characters. */
export function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
