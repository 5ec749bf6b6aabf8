/**
 * `gridsweep bench train`: how fast this machine trains the network a
 * sweep would build, measured with the sweep's own training loop.
 */
import type { Argv, CommandModule } from 'yargs';

import { ARCHITECTURES, type Architecture } from '../../experiment/schema.js';
import { InputError, type Problem } from '../../errors.js';
import type { BackendChoice } from '../../model/backend.js';
import { minImageSize } from '../../model/architectures.js';
import { stderrLogger } from '../logger.js';

interface BenchTrainArgs {
  size: number;
  filters: number;
  images: number;
  epochs: number;
  batchSize: number;
  architecture: Architecture;
  backend: BackendChoice;
  json: boolean;
}

const trainCommand: CommandModule<object, BenchTrainArgs> = {
  command: 'train',
  describe:
    'Train a network on random images and print seconds per epoch ' +
    '(median, after one warm-up epoch)',
  builder: (yargs: Argv) =>
    yargs
      .option('size', {
        type: 'number',
        default: 32,
        describe: 'Side of the input images, in pixels',
      })
      .option('filters', {
        type: 'number',
        default: 16,
        describe: 'Filters of the first convolution',
      })
      .option('images', {
        type: 'number',
        default: 256,
        describe: 'Training images per epoch',
      })
      .option('epochs', {
        type: 'number',
        default: 3,
        describe: 'Epochs timed after the warm-up epoch',
      })
      .option('batch-size', {
        type: 'number',
        default: 32,
        describe: 'Images per gradient step',
      })
      .option('architecture', {
        choices: ARCHITECTURES,
        default: 'seed' as const,
        describe: 'Network to train',
      })
      .option('backend', {
        choices: ['auto', 'node', 'wasm', 'cpu'] as const,
        default: 'auto' as const,
        describe: 'TensorFlow.js backend; auto = node if installed, else wasm',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print {secondsPerEpoch, imagesPerSecond, backend} as JSON',
      }) as unknown as Argv<BenchTrainArgs>,
  handler: async (args) => {
    checkBenchArgs(args);
    const { loadBackend } = await import('../../model/backend.js');
    const { measureTrainSpeed } = await import('../../bench/train-speed.js');
    const { tf, name } = await loadBackend(args.backend, { logger: stderrLogger() });
    const speed = await measureTrainSpeed(tf, name, {
      architecture: args.architecture,
      size: args.size,
      filters: args.filters,
      images: args.images,
      epochs: args.epochs,
      batchSize: args.batchSize,
    });

    const { secondsPerEpoch, imagesPerSecond, backend } = speed;
    if (args.json) {
      process.stdout.write(
        `${JSON.stringify({ secondsPerEpoch, imagesPerSecond, backend })}\n`,
      );
      return;
    }
    process.stdout.write(
      `${args.architecture} network, ${args.size} px, ${args.filters} filters, ` +
        `${args.images} images, batch ${args.batchSize} on ${backend}:\n` +
        `${secondsPerEpoch.toFixed(3)} s/epoch (median of ${args.epochs}, ` +
        `warm-up ${speed.warmupSeconds.toFixed(3)} s), ` +
        `${Math.round(imagesPerSecond)} images/s\n`,
    );
  },
};

export const benchCommand: CommandModule = {
  command: 'bench <command>',
  describe: 'Measure how fast this machine trains (train)',
  builder: (yargs: Argv) =>
    yargs
      .command(trainCommand as unknown as CommandModule)
      .demandCommand(1, 'name a bench command: train'),
  handler: () => {},
};

function checkBenchArgs(args: BenchTrainArgs): void {
  const rules: [keyof BenchTrainArgs, string, number, number][] = [
    ['size', '--size', minImageSize(args.architecture), 1024],
    ['filters', '--filters', 1, 1024],
    ['images', '--images', 1, 100_000],
    ['epochs', '--epochs', 1, 1000],
    ['batchSize', '--batch-size', 1, 4096],
  ];
  const problems: Problem[] = rules.flatMap(([key, flag, min, max]) => {
    const value = args[key] as number;
    if (Number.isInteger(value) && value >= min && value <= max) return [];
    const message = `expected an integer from ${min} to ${max}, received ${value}`;
    return [{ path: flag, message }];
  });
  if (problems.length > 0) {
    throw new InputError('E_ARGUMENT', 'bad bench train arguments', problems);
  }
}
