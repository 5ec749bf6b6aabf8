/**
 * Seconds per epoch of trainTrial itself: the seed network, 16 filters, 256
 * random images, batch 32, RMSprop. Random pixels make accuracy meaningless
 * but cost the same as real ones.
 *
 *   node dist/bench/train-speed.js [backend=wasm] [epochs=5] [sizes=32,64]
 *
 * Prints one line per size: the median epoch time after one warm-up epoch,
 * the warm-up shown apart.
 */
import { pathToFileURL } from 'node:url';

import type { ImageSet } from '../src/data/types.js';
import type { TrialParams } from '../src/experiment/trial.js';
import { loadBackend, type BackendChoice } from '../src/model/backend.js';
import { createRandom } from '../src/random.js';
import { trainTrial } from '../src/train/loop.js';

const IMAGES = 256;
const CLASSES = 10;

function randomImages(size: number, count: number, seed: number): ImageSet {
  const random = createRandom(seed);
  const pixels = new Uint8Array(new SharedArrayBuffer(count * size * size * 3));
  for (let i = 0; i < pixels.length; i += 1) pixels[i] = random.int(256);
  const labels = new Int32Array(new SharedArrayBuffer(count * 4));
  for (let i = 0; i < count; i += 1) labels[i] = random.int(CLASSES);
  return { size, count, pixels, labels };
}

function paramsFor(imageSize: number, epochs: number): TrialParams {
  return {
    learningRate: 1e-3,
    imageSize,
    filters: 16,
    architecture: 'seed',
    dropout: 0.5,
    epochs,
    batchSize: 32,
    optimizer: 'rmsprop',
    decay: 1e-6,
    repeat: 0,
    seed: 1,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface TrainSpeedOptions {
  backend?: BackendChoice;
  size: number;
  filters?: number;
  architecture?: TrialParams['architecture'];
  /** Timed epochs, after one warm-up epoch. Default 5. */
  epochs?: number;
}

export interface TrainSpeedResult {
  backend: string;
  architecture: string;
  size: number;
  filters: number;
  images: number;
  /** Median over the timed epochs. */
  secondsPerEpoch: number;
  imagesPerSecond: number;
  firstEpochSeconds: number;
}

/** Trains with trainTrial itself and times its epochs, warm-up excluded. */
export async function benchTrainSpeed(options: TrainSpeedOptions): Promise<TrainSpeedResult> {
  const { tf, name } = await loadBackend(options.backend ?? 'wasm');
  const epochs = (options.epochs ?? 5) + 1;
  const params = {
    ...paramsFor(options.size, epochs),
    filters: options.filters ?? 16,
    architecture: options.architecture ?? 'seed',
  };
  const seconds: number[] = [];
  await trainTrial(tf, {
    params,
    numClasses: CLASSES,
    train: randomImages(options.size, IMAGES, 1),
    validation: randomImages(options.size, 64, 2),
    onEpoch: (m) => void seconds.push(m.seconds),
  });
  const secondsPerEpoch = median(seconds.slice(1));
  return {
    backend: name,
    architecture: params.architecture,
    size: options.size,
    filters: params.filters,
    images: IMAGES,
    secondsPerEpoch,
    imagesPerSecond: IMAGES / secondsPerEpoch,
    firstEpochSeconds: seconds[0]!,
  };
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
      `${result.backend} seed net, ${size} px, ${result.images} images, batch 32: ` +
        `${result.secondsPerEpoch.toFixed(3)} s/epoch (median of ${epochsArg}; ` +
        `first epoch ${result.firstEpochSeconds.toFixed(3)} s)\n`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
