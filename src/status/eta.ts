/**
 * How long a sweep has left, learned from the epochs it has already run.
 * An epoch's time depends mostly on the network's shape (image size,
 * filters, architecture), so the pace is kept per shape; a trial of a shape
 * not timed yet is priced at the mean of all epochs so far, and the
 * estimate says it is rough. Both `run`'s progress bars and `status` use it.
 */
import type { TrialParams } from '../experiment/trial.js';

/** The parameters that decide how long an epoch takes. */
export type Shape = Pick<TrialParams, 'imageSize' | 'filters' | 'architecture'>;

/** Epochs one trial still has to train, and the shape that prices them. */
export interface RemainingWork {
  shape: Shape;
  epochs: number;
}

export interface Eta {
  /** Seconds until the last trial ends, at the pace seen so far. */
  seconds: number;
  /**
   * True when stopping rules (patience, median, ASHA) may end trials
   * early: the sweep ends by then, likely sooner.
   */
  upperBound: boolean;
  /** Trials priced at the mean pace because no epoch of their shape ran. */
  guessed: number;
  /** Epochs left over every running and queued trial. */
  epochs: number;
  trials: number;
}

export class EpochPace {
  private readonly byShape = new Map<string, { seconds: number; epochs: number }>();
  private seconds = 0;
  private epochs = 0;

  /** Adds `epochs` epochs of a shape that took `seconds` in all. */
  add(shape: Shape, seconds: number, epochs = 1): void {
    if (!(seconds >= 0) || epochs <= 0) return;
    const key = shapeKey(shape);
    const entry = this.byShape.get(key) ?? { seconds: 0, epochs: 0 };
    entry.seconds += seconds;
    entry.epochs += epochs;
    this.byShape.set(key, entry);
    this.seconds += seconds;
    this.epochs += epochs;
  }

  /** Mean seconds per epoch of a shape; null when none of it has run. */
  of(shape: Shape): number | null {
    const entry = this.byShape.get(shapeKey(shape));
    return entry ? entry.seconds / entry.epochs : null;
  }

  /** Mean seconds per epoch over every shape; null before any epoch. */
  mean(): number | null {
    return this.epochs > 0 ? this.seconds / this.epochs : null;
  }
}

/**
 * The time left for `work` on `workers` parallel workers: the total
 * divided among the workers, but never less than the longest single trial,
 * which one worker must train alone. Null before any epoch has been timed.
 */
export function estimateEta(
  pace: EpochPace,
  work: readonly RemainingWork[],
  workers: number,
  upperBound: boolean,
): Eta | null {
  const mean = pace.mean();
  const left = work.filter((item) => item.epochs > 0);
  if (mean === null) return null;

  let total = 0;
  let longest = 0;
  let guessed = 0;
  for (const item of left) {
    const perEpoch = pace.of(item.shape);
    if (perEpoch === null) guessed++;
    const seconds = (perEpoch ?? mean) * item.epochs;
    total += seconds;
    longest = Math.max(longest, seconds);
  }

  return {
    seconds: Math.max(total / Math.max(1, workers), longest),
    upperBound,
    guessed,
    epochs: left.reduce((sum, item) => sum + item.epochs, 0),
    trials: left.length,
  };
}

function shapeKey(shape: Shape): string {
  return `${shape.architecture}/${shape.imageSize}/${shape.filters}`;
}

/**
 * Whether an experiment's stopping rules may end trials before their last
 * epoch, making an ETA an upper bound. Divergence is left out: it ends
 * broken trials, not the ones a sweep expects to finish.
 */
export function mayStopEarly(
  stopping: { patience?: unknown; median?: unknown; asha?: unknown } | undefined,
): boolean {
  return Boolean(stopping?.patience ?? stopping?.median ?? stopping?.asha);
}
