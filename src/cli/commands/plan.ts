/**
 * `gridsweep plan FILE`: validate an experiment and show the trials it
 * expands to, without training anything or writing anywhere.
 */
import type { Argv, CommandModule } from 'yargs';

import { varyingAxes } from '../../experiment/plan.js';
import { AXES } from '../../experiment/trial.js';
import type { PreparedSweep } from '../../coordinator/prepare.js';
import { formatTable, formatNumber } from '../table.js';
import { stderrLogger } from '../logger.js';
import { allowLargeOption, experimentFileArgument } from '../options.js';

interface PlanArgs {
  file: string;
  json: boolean;
  allowLarge: boolean;
}

export const planCommand: CommandModule<object, PlanArgs> = {
  command: 'plan <file>',
  describe: 'Validate an experiment file and list the trials it expands to',
  builder: (yargs: Argv) =>
    yargs
      .positional('file', experimentFileArgument)
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print the trials as a JSON array',
      })
      .option('allow-large', allowLargeOption) as unknown as Argv<PlanArgs>,
  handler: async (args) => {
    const { prepareSweep } = await import('../../coordinator/prepare.js');
    const sweep = await prepareSweep(args.file, {
      allowLarge: args.allowLarge,
      logger: stderrLogger(),
    });
    if (args.json) {
      const trials = sweep.trials.map(({ id, index, params }) => ({
        id,
        index,
        params,
      }));
      process.stdout.write(`${JSON.stringify(trials, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${describePlan(sweep)}\n`);
  },
};

export function describePlan(sweep: PreparedSweep): string {
  const { experiment, dataset, trials } = sweep;
  const varying = varyingAxes(experiment);
  const first = trials[0]!.params;
  const fixed = AXES.filter((axis) => !varying.includes(axis)).map(
    (axis) => `${axis} ${showValue(first[axis])}`,
  );
  const columns = [...varying, ...(experiment.repeats > 1 ? ['repeat'] : [])];
  const rows = trials.map((trial) => [
    trial.index + 1,
    trial.id,
    ...columns.map((axis) => trial.params[axis as keyof typeof trial.params]),
  ]);

  const axes = varying.map((axis) => `${axis} ×${countValues(sweep, axis)}`);
  if (experiment.repeats > 1) axes.push(`${experiment.repeats} repeats`);
  const plural = trials.length === 1 ? '' : 's';

  return [
    `${experiment.name}: ${trials.length} trial${plural} (${axes.join(', ') || 'one cell'})`,
    `dataset: ${experiment.dataset.kind}, ${dataset.classes.length} classes, ` +
      `${dataset.train.length} training / ${dataset.validation.length} ` +
      `validation images (fingerprint ${dataset.fingerprint.slice(0, 12)})`,
    `fixed: ${fixed.join(', ')}`,
    '',
    formatTable(['#', 'trial', ...columns], rows),
  ].join('\n');
}

function countValues(sweep: PreparedSweep, axis: string): number {
  return new Set(
    sweep.trials.map((t) => JSON.stringify(t.params[axis as keyof typeof t.params])),
  ).size;
}

function showValue(value: unknown): string {
  return typeof value === 'number' ? formatNumber(value) : String(value);
}
