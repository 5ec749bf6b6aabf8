/**
 * The per-trial summaries that `best` and `effects` can rank by. Each is a
 * value of the `trial_metrics` view; each knows which way is better.
 */
import { InputError } from '../errors.js';

export interface Metric {
  name: string;
  /** Whether a larger value is the better one. */
  higherIsBetter: boolean;
  describe: string;
}

export const METRICS: readonly Metric[] = [
  {
    name: 'best_val_acc',
    higherIsBetter: true,
    describe: 'highest validation accuracy over the epochs, 0-1',
  },
  {
    name: 'final_val_acc',
    higherIsBetter: true,
    describe: 'validation accuracy after the last epoch, 0-1',
  },
  {
    name: 'min_val_loss',
    higherIsBetter: false,
    describe: 'lowest validation loss over the epochs (cross-entropy)',
  },
  {
    name: 'best_epoch',
    higherIsBetter: false,
    describe: 'epoch (from 1) of the highest validation accuracy',
  },
  {
    name: 'duration_s',
    higherIsBetter: false,
    describe: 'wall-clock seconds from the trial starting to finishing',
  },
];

export const METRIC_NAMES = METRICS.map((metric) => metric.name);

/** Accepts `best_val_acc` or `bestValAcc`. */
export function findMetric(name: string): Metric {
  const column = name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  const metric = METRICS.find((candidate) => candidate.name === column);
  if (!metric) {
    throw new InputError(
      'E_ARGUMENT',
      `--metric: expected one of ${METRIC_NAMES.join(', ')}, received ` +
        JSON.stringify(name),
    );
  }
  return metric;
}
