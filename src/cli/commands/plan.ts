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
      .positional('file', {
        type: 'string',
        describe: 'Experiment file (.yaml, .yml or .json)',
        demandOption: true,
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print the trials as a JSON array',
      })
      .option('allow-large', {
        type: 'boolean',
        default: false,
        describe: 'Accept a grid of more than 1000 trials',
      }) as unknown as Argv<PlanArgs>,
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

  return [
    `${experiment.name}: ${trials.length} trial${trials.length === 1 ? '' : 's'}` +
      ` (${varying.map((axis) => `${axis} ×${countValues(sweep, axis)}`).join(', ') || 'one cell'}` +
      `${experiment.repeats > 1 ? `, ${experiment.repeats} repeats` : ''})`,
    `dataset: ${experiment.dataset.kind}, ${dataset.classes.length} classes, ` +
      `${dataset.train.length} training / ${dataset.validation.length} validation images ` +
      `(fingerprint ${dataset.fingerprint.slice(0, 12)})`,
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
