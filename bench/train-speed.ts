/**
 * Seconds per epoch of trainTrial itself, through the same module as
 * `gridsweep bench train`: 256 random images, batch 32, RMSprop, no
 * validation set.
 *
 *   node dist/bench/train-speed.js [backend=wasm] [epochs=5] [sizes=32,64]
 *
 * Prints one line per size for the seed network with 16 filters: the
 * median epoch time after one warm-up epoch, the warm-up shown apart.
 */
import { pathToFileURL } from 'node:url';

import { measureTrainSpeed, type TrainSpeed } from '../src/bench/train-speed.js';
import type { Architecture } from '../src/experiment/schema.js';
import { loadBackend, type BackendChoice } from '../src/model/backend.js';

export const BENCH_IMAGES = 256;
export const BENCH_BATCH = 32;

export interface TrainSpeedOptions {
  backend?: BackendChoice;
  size: number;
  filters?: number;
  architecture?: Architecture;
  /** Timed epochs, after one warm-up epoch. Default 5. */
  epochs?: number;
}

export async function benchTrainSpeed(options: TrainSpeedOptions): Promise<TrainSpeed> {
  const { tf, name } = await loadBackend(options.backend ?? 'wasm');
  return measureTrainSpeed(tf, name, {
    architecture: options.architecture ?? 'seed',
    size: options.size,
    filters: options.filters ?? 16,
    images: BENCH_IMAGES,
    batchSize: BENCH_BATCH,
    epochs: options.epochs ?? 5,
  });
}

async function main(): Promise<void> {
  const [backendArg = 'wasm', epochsArg = '5', sizesArg = '32,64'] = process.argv.slice(2);
  for (const size of sizesArg.split(',').map(Number)) {
    const result = await benchTrainSpeed({
      backend: backendArg as BackendChoice,
      size,
      epochs: Number(epochsArg),
    });
    process.stdout.write(
      `${result.backend} seed net, ${size} px, ${result.images} images, ` +
        `batch ${result.batchSize}: ${result.secondsPerEpoch.toFixed(3)} s/epoch ` +
        `(median of ${epochsArg}; warm-up ${result.warmupSeconds.toFixed(3)} s)\n`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
