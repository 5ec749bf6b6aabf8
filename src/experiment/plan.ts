/**
 * Grid expansion: the cartesian product of every axis, times the repeats, in
 * a stable order (axes in AXES order, values in the order the file lists
 * them, the last axis and then the repeat varying fastest). Each trial's id
 * hashes its full config with the dataset's fingerprint, so the same
 * experiment on the same data names its trials identically on every machine,
 * and editing the grid leaves the ids of untouched cells alone.
 */
import { hashId } from './canonical.js';
import { axisValues } from './rules.js';
import type { Experiment } from './schema.js';
import { AXES, type Axis, type Trial, type TrialParams } from './trial.js';

/** Bump only if the meaning of a trial's config changes. */
const TRIAL_ID_VERSION = 1;

export function expandTrials(
  experiment: Experiment,
  datasetFingerprint: string,
): Trial[] {
  const values = axisValues(experiment);
  const cells = cartesian(AXES.map((axis) => values[axis]));
  const trials: Trial[] = [];

  for (const cell of cells) {
    for (let repeat = 0; repeat < experiment.repeats; repeat++) {
      const params = {
        ...Object.fromEntries(AXES.map((axis, i) => [axis, cell[i]])),
        repeat,
        seed: experiment.seed + repeat,
      } as TrialParams;
      trials.push({
        id: trialId(params, datasetFingerprint),
        index: trials.length,
        params,
      });
    }
  }
  return trials;
}

export function trialId(params: TrialParams, datasetFingerprint: string): string {
  return hashId({
    version: TRIAL_ID_VERSION,
    params,
    dataset: datasetFingerprint,
  });
}

/** The axes with more than one value: what the grid actually varies. */
export function varyingAxes(experiment: Experiment): Axis[] {
  const values = axisValues(experiment);
  return AXES.filter((axis) => values[axis].length > 1);
}

function cartesian(lists: unknown[][]): unknown[][] {
  return lists.reduce<unknown[][]>(
    (product, list) =>
      product.flatMap((prefix) => list.map((item) => [...prefix, item])),
    [[]],
  );
}
