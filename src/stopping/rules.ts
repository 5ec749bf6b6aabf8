/**
 * When a trial should end before its last epoch. Pure functions of a
 * trial's own epochs and of what its peers (the sweep's other trials)
 * reached at the same epoch, so a decision can be replayed from the
 * database and means the same after a resume.
 *
 * Rules, in the order they are asked:
 * - divergence: the epoch's mean training loss is above lossFactor × ln(C),
 *   where ln(C) is the loss of a uniform guess over C classes. A healthy
 *   network starts near ln(C) and goes down; one that the learning rate
 *   threw off reaches the clipped maximum (-ln 1e-7 = 16.1 per sample).
 * - patience: Keras' EarlyStopping on val_loss.
 * - median: the median stopping rule of Google Vizier (Golovin et al.,
 *   2017), on the best validation accuracy so far.
 * - asha: the stopping form of asynchronous successive halving (Li et al.,
 *   2018): at rung r_k = minEpochs × reduction^k, continue only in the top
 *   1/reduction of the trials that reached r_k so far.
 */
import type { StoppingPolicy } from '../experiment/schema.js';

export type RuleName = 'divergence' | 'patience' | 'median' | 'asha';

export interface Decision {
  rule: RuleName;
  action: 'stop' | 'continue';
  /** The status a stopped trial ends with. */
  status: 'diverged' | 'stopped';
  /** What was compared: 'loss', 'val_loss' or 'best_val_acc'. */
  metric: string;
  value: number | null;
  threshold: number | null;
  /** Trials compared against (median, asha). */
  peers: number | null;
  reason: string;
}

/** One epoch of a trial, as the rules need it. */
export interface EpochPoint {
  epoch: number;
  loss: number;
  valLoss: number;
  valAcc: number;
}

export interface TrialView {
  /** Every epoch of the trial so far, in order, ending at the one to judge. */
  epochs: readonly EpochPoint[];
  /** The trial's planned epochs: nothing is stopped at its last epoch. */
  maxEpochs: number;
  classes: number;
}

/**
 * Best validation accuracy up to `epoch` of every other trial of the sweep
 * that has reached `epoch`.
 */
export type PeerScores = (epoch: number) => number[];

/**
 * The decisions worth recording for the trial's latest epoch: every stop,
 * and each ASHA rung passed. The first 'stop', if any, ends the trial.
 */
export function judgeEpoch(
  policy: StoppingPolicy,
  trial: TrialView,
  peers: PeerScores,
): Decision[] {
  const last = trial.epochs.at(-1);
  if (last === undefined) return [];

  const divergence = checkDivergence(policy.lossFactor, last, trial.classes);
  if (divergence) return [divergence];
  if (last.epoch >= trial.maxEpochs) return [];

  const decisions: Decision[] = [];
  if (policy.patience) {
    const decision = checkPatience(policy.patience, trial.epochs);
    if (decision) decisions.push(decision);
  }
  if (policy.median && decisions.length === 0) {
    const decision = checkMedian(policy.median, trial.epochs, peers);
    if (decision) decisions.push(decision);
  }
  if (policy.asha && decisions.length === 0) {
    const decision = checkAsha(policy.asha, trial, peers);
    if (decision) decisions.push(decision);
  }
  return decisions;
}

export function checkDivergence(
  lossFactor: number,
  last: EpochPoint,
  classes: number,
): Decision | null {
  const limit = lossFactor * Math.log(classes);
  if (Number.isFinite(last.loss) && last.loss <= limit) return null;
  const shown = Number.isFinite(last.loss) ? last.loss.toFixed(3) : String(last.loss);
  return {
    rule: 'divergence',
    action: 'stop',
    status: 'diverged',
    metric: 'loss',
    value: Number.isFinite(last.loss) ? last.loss : null,
    threshold: limit,
    peers: null,
    reason:
      `epoch ${last.epoch}: training loss ${shown} is above ` +
      `${lossFactor} × ln(${classes}) = ${limit.toFixed(3)}`,
  };
}

export function checkPatience(
  rule: NonNullable<StoppingPolicy['patience']>,
  epochs: readonly EpochPoint[],
): Decision | null {
  let best = Infinity;
  let bestEpoch = 0;
  for (const point of epochs) {
    if (Number.isFinite(point.valLoss) && point.valLoss < best - rule.minDelta) {
      best = point.valLoss;
      bestEpoch = point.epoch;
    }
  }
  const last = epochs.at(-1)!;
  const waited = last.epoch - bestEpoch;
  if (waited < rule.epochs) return null;
  return {
    rule: 'patience',
    action: 'stop',
    status: 'stopped',
    metric: 'val_loss',
    value: Number.isFinite(last.valLoss) ? last.valLoss : null,
    threshold: Number.isFinite(best) ? best - rule.minDelta : null,
    peers: null,
    reason:
      bestEpoch === 0
        ? `epoch ${last.epoch}: no finite validation loss in ${waited} epochs`
        : `epoch ${last.epoch}: validation loss has not gone below ` +
          `${best.toFixed(4)} (epoch ${bestEpoch}) in ${waited} epochs`,
  };
}

export function checkMedian(
  rule: NonNullable<StoppingPolicy['median']>,
  epochs: readonly EpochPoint[],
  peers: PeerScores,
): Decision | null {
  const last = epochs.at(-1)!;
  if (last.epoch < rule.grace) return null;
  const others = peers(last.epoch);
  if (others.length < rule.minTrials) return null;

  const own = bestValAcc(epochs);
  const median = quantile(others, 0.5);
  if (own >= median) return null;
  return {
    rule: 'median',
    action: 'stop',
    status: 'stopped',
    metric: 'best_val_acc',
    value: own,
    threshold: median,
    peers: others.length,
    reason:
      `epoch ${last.epoch}: best val acc ${own.toFixed(3)} is below the median ` +
      `${median.toFixed(3)} of ${others.length} other trials at this epoch`,
  };
}

export function checkAsha(
  rule: NonNullable<StoppingPolicy['asha']>,
  trial: TrialView,
  peers: PeerScores,
): Decision | null {
  const last = trial.epochs.at(-1)!;
  if (!isRung(last.epoch, rule)) return null;

  const own = bestValAcc(trial.epochs);
  const others = peers(last.epoch);
  const cutoff = quantile([...others, own], 1 - 1 / rule.reduction);
  const keep = own >= cutoff;
  const share = `top 1/${rule.reduction} of ${others.length + 1} trials at rung ${last.epoch}`;
  return {
    rule: 'asha',
    action: keep ? 'continue' : 'stop',
    status: 'stopped',
    metric: 'best_val_acc',
    value: own,
    threshold: cutoff,
    peers: others.length,
    reason: keep
      ? `epoch ${last.epoch}: best val acc ${own.toFixed(3)} is in the ${share} ` +
        `(cutoff ${cutoff.toFixed(3)})`
      : `epoch ${last.epoch}: best val acc ${own.toFixed(3)} is below the ` +
        `cutoff ${cutoff.toFixed(3)} for the ${share}`,
  };
}

/** The rung epochs below maxEpochs: minEpochs × reduction^k. */
export function ashaRungs(
  rule: NonNullable<StoppingPolicy['asha']>,
  maxEpochs: number,
): number[] {
  const rungs: number[] = [];
  for (let rung = rule.minEpochs; rung < maxEpochs; rung *= rule.reduction) {
    rungs.push(rung);
  }
  return rungs;
}

function isRung(epoch: number, rule: NonNullable<StoppingPolicy['asha']>): boolean {
  let rung = rule.minEpochs;
  while (rung < epoch) rung *= rule.reduction;
  return rung === epoch;
}

function bestValAcc(epochs: readonly EpochPoint[]): number {
  let best = -Infinity;
  for (const point of epochs) if (point.valAcc > best) best = point.valAcc;
  return Number.isFinite(best) ? best : 0;
}

/** Linear-interpolated quantile (numpy's default), q in [0, 1]. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('quantile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}
