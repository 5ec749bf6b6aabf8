/**
 * The second validation pass: rules that span fields, which a schema cannot
 * say. Returns every error and warning at once; the caller decides to stop.
 */
import { describeValue, type Problem } from '../errors.js';
import { AXES, type Axis } from './trial.js';
import { minImageSize } from '../model/architectures.js';
import type { Architecture, Experiment } from './schema.js';

/** Above this many trials a sweep needs `--allow-large`. */
export const MAX_TRIALS = 1000;

export interface RuleOptions {
  /** Accept a grid of more than MAX_TRIALS trials. */
  allowLarge?: boolean;
}

export interface RuleReport {
  errors: Problem[];
  warnings: Problem[];
}

/** The values of each grid axis, wherever the file declared them. */
export function axisValues(experiment: Experiment): Record<Axis, unknown[]> {
  const single = { ...experiment.model, ...experiment.training };
  const values = {} as Record<Axis, unknown[]>;
  for (const axis of AXES) {
    const fromGrid = (experiment.grid as Record<string, unknown[] | undefined>)[
      axis
    ];
    const fromOption = (single as Record<string, unknown>)[axis];
    values[axis] =
      fromGrid ?? (Array.isArray(fromOption) ? fromOption : [fromOption]);
  }
  return values;
}

/** Where an axis's list was written, for error paths. */
export function axisPath(experiment: Experiment, axis: Axis): string {
  if ((experiment.grid as Record<string, unknown>)[axis] !== undefined) {
    return `grid.${axis}`;
  }
  return axis in experiment.model ? `model.${axis}` : `training.${axis}`;
}

export function countTrials(experiment: Experiment): number {
  const values = axisValues(experiment);
  return AXES.reduce((n, axis) => n * values[axis].length, experiment.repeats);
}

export function checkRules(
  experiment: Experiment,
  options: RuleOptions = {},
): RuleReport {
  const errors: Problem[] = [
    ...axisDeclaredTwice(experiment),
    ...duplicateValues(experiment),
    ...imageSizesTooSmall(experiment),
    ...gridTooLarge(experiment, options),
  ];
  const warnings: Problem[] = [...suspiciousValues(experiment)];
  return { errors, warnings };
}

function axisDeclaredTwice(experiment: Experiment): Problem[] {
  const problems: Problem[] = [];
  const options = { ...experiment.model, ...experiment.training } as Record<
    string,
    unknown
  >;
  for (const axis of AXES) {
    const inGrid = (experiment.grid as Record<string, unknown>)[axis];
    if (inGrid !== undefined && Array.isArray(options[axis])) {
      const section = axis in experiment.model ? 'model' : 'training';
      problems.push({
        path: `${section}.${axis}`,
        message:
          `is a list and grid.${axis} is a list too; ` +
          'declare the axis in one place',
      });
    }
  }
  return problems;
}

function duplicateValues(experiment: Experiment): Problem[] {
  const problems: Problem[] = [];
  const values = axisValues(experiment);
  for (const axis of AXES) {
    const seen = new Map<string, number>();
    values[axis].forEach((value, index) => {
      const key = JSON.stringify(value);
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, index);
        return;
      }
      const path = axisPath(experiment, axis);
      problems.push({
        path: `${path}[${index}]`,
        message:
          `duplicate of ${path}[${first}], received ${describeValue(value)}; ` +
          'use repeats for more trials of one cell',
      });
    });
  }
  return problems;
}

function imageSizesTooSmall(experiment: Experiment): Problem[] {
  const values = axisValues(experiment);
  const architectures = values.architecture as Architecture[];
  const problems: Problem[] = [];
  values.imageSize.forEach((size, index) => {
    for (const architecture of architectures) {
      const min = minImageSize(architecture);
      if ((size as number) >= min) continue;
      problems.push({
        path: `grid.imageSize[${index}]`,
        message:
          `the ${architecture} network needs images of at least ${min} px ` +
          `(below that its pooling layers leave no pixels), ` +
          `received ${size}`,
      });
    }
  });
  return problems;
}

function gridTooLarge(experiment: Experiment, options: RuleOptions): Problem[] {
  const trials = countTrials(experiment);
  if (trials <= MAX_TRIALS || options.allowLarge) return [];
  return [
    {
      path: 'grid',
      message:
        `expands to ${trials} trials, more than the ${MAX_TRIALS} allowed ` +
        'without --allow-large',
    },
  ];
}

function suspiciousValues(experiment: Experiment): Problem[] {
  const warnings: Problem[] = [];
  const values = axisValues(experiment);
  values.learningRate.forEach((rate, index) => {
    if ((rate as number) >= 1) {
      warnings.push({
        path: `grid.learningRate[${index}]`,
        message: `a learning rate of ${rate} will almost surely diverge`,
      });
    }
  });
  return warnings;
}
