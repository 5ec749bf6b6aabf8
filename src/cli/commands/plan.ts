/**
 * `gridsweep plan FILE`: validate an experiment and show the trials it
 * expands to, without training anything or writing anywhere. With
 * `--estimate` it also times each distinct network briefly and says how
 * long the sweep would take here; only then does it load TensorFlow.js.
 */
import os from 'node:os';
import type { Argv, CommandModule } from 'yargs';

import type { SweepEstimate } from '../../bench/estimate.js';

import { varyingAxes } from '../../experiment/plan.js';
import { AXES } from '../../experiment/trial.js';
import type { PreparedSweep } from '../../coordinator/prepare.js';
import type { BackendChoice } from '../../model/backend.js';
import { formatDuration, formatNumber, formatTable } from '../table.js';
import { stderrLogger } from '../logger.js';
import { allowLargeOption, experimentFileArgument } from '../options.js';

interface PlanArgs {
  file: string;
  json: boolean;
  allowLarge: boolean;
  estimate: boolean;
  backend: BackendChoice;
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
      .option('allow-large', allowLargeOption)
      .option('estimate', {
        type: 'boolean',
        default: false,
        describe:
          'Time one short epoch of each distinct network here and estimate ' +
          'the run time per trial and in all (seconds to minutes)',
      })
      .option('backend', {
        choices: ['auto', 'node', 'wasm', 'cpu'] as const,
        default: 'auto' as const,
        describe: 'Backend to time with --estimate, as run would choose it',
      }) as unknown as Argv<PlanArgs>,
  handler: async (args) => {
    const logger = stderrLogger();
    const { prepareSweep } = await import('../../coordinator/prepare.js');
    const sweep = await prepareSweep(args.file, { allowLarge: args.allowLarge, logger });
    const estimate = args.estimate ? await estimateRun(sweep, args.backend) : undefined;

    if (args.json) {
      const trials = sweep.trials.map(({ id, index, params }, i) => ({
        id,
        index,
        params,
        ...(estimate ? { estimatedSeconds: round(estimate.trialSeconds[i]!) } : {}),
      }));
      process.stdout.write(`${JSON.stringify(trials, null, 2)}\n`);
      if (estimate) logger.info(describeTotal(estimate));
      return;
    }
    process.stdout.write(`${describePlan(sweep, estimate)}\n`);
  },
};

async function estimateRun(
  sweep: PreparedSweep,
  backend: BackendChoice,
): Promise<SweepEstimate> {
  const logger = stderrLogger();
  const { loadBackend } = await import('../../model/backend.js');
  const { estimateSweep, measureEpochTimes } = await import('../../bench/estimate.js');
  const { tf, name } = await loadBackend(backend, { logger });
  const { dataset, trials, experiment } = sweep;
  const size = {
    train: dataset.train.length,
    validation: dataset.validation.length,
    classes: dataset.classes.length,
  };
  const times = await measureEpochTimes(tf, name, trials, size, logger);
  // As run decides: tfjs-node trains one trial at a time.
  const workers = name === 'node' ? 1 : (experiment.workers ?? os.availableParallelism());
  return estimateSweep(trials, times, { backend: name, workers });
}

export function describePlan(sweep: PreparedSweep, estimate?: SweepEstimate): string {
  const { experiment, dataset, trials } = sweep;
  const varying = varyingAxes(experiment);
  const first = trials[0]!.params;
  const fixed = AXES.filter((axis) => !varying.includes(axis)).map(
    (axis) => `${axis} ${showValue(first[axis])}`,
  );
  const columns = [...varying, ...(experiment.repeats > 1 ? ['repeat'] : [])];
  const rows = trials.map((trial, i) => [
    trial.index + 1,
    trial.id,
    ...columns.map((axis) => trial.params[axis as keyof typeof trial.params]),
    ...(estimate ? [formatDuration(estimate.trialSeconds[i]!)] : []),
  ]);
  const headers = ['#', 'trial', ...columns, ...(estimate ? ['estimate'] : [])];

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
    formatTable(headers, rows),
    ...(estimate ? ['', describeTotal(estimate)] : []),
  ].join('\n');
}

function describeTotal(estimate: SweepEstimate): string {
  const { workers, backend, totalSeconds } = estimate;
  return (
    `estimated run time: ${formatDuration(totalSeconds)} on ${workers} ` +
    `worker${workers === 1 ? '' : 's'} (${backend}, timed here; assumes ` +
    'workers do not slow each other and excludes decoding the images)'
  );
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

function countValues(sweep: PreparedSweep, axis: string): number {
  return new Set(
    sweep.trials.map((t) => JSON.stringify(t.params[axis as keyof typeof t.params])),
  ).size;
}

function showValue(value: unknown): string {
  return typeof value === 'number' ? formatNumber(value) : String(value);
}
