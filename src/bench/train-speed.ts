/**
 * How fast a network trains here: seconds per epoch of trainTrial itself
 * (the code a sweep's workers run, not a copy), on random pixels. Random
 * images make accuracy meaningless but cost the same as real ones.
 *
 * `gridsweep bench train`, `plan --estimate` and `npm run bench` all
 * measure through this module.
 */
import type { ImageSet } from '../data/types.js';
import type { Architecture } from '../experiment/schema.js';
import type { TrialParams } from '../experiment/trial.js';
import type { BackendName, Tf } from '../model/backend.js';
import { createRandom } from '../random.js';
import { trainTrial } from '../train/loop.js';

export interface TrainSpeedCase {
  architecture: Architecture;
  /** Side of the input images, in pixels. */
  size: number;
  /** Filters of the first convolution. */
  filters: number;
  /** Training images per epoch. */
  images: number;
  /** Validation images evaluated after each epoch. Default 0. */
  validationImages?: number;
  /** Epochs timed after the warm-up epoch. */
  epochs: number;
  /** Default 32. */
  batchSize?: number;
  /** Default 10. */
  classes?: number;
}

export interface TrainSpeed {
  backend: BackendName;
  architecture: Architecture;
  size: number;
  filters: number;
  images: number;
  validationImages: number;
  batchSize: number;
  /** Median over the timed epochs, validation included. */
  secondsPerEpoch: number;
  /** Training images per second at the median epoch. */
  imagesPerSecond: number;
  /** The discarded warm-up epoch (kernel set-up, first allocations). */
  warmupSeconds: number;
  /** Every timed epoch, in order. */
  epochSeconds: number[];
}

/**
 * Trains one network for `epochs + 1` epochs with trainTrial and times
 * them, the first (warm-up) epoch excluded from the median.
 */
export async function measureTrainSpeed(
  tf: Tf,
  backend: BackendName,
  speedCase: TrainSpeedCase,
): Promise<TrainSpeed> {
  const classes = speedCase.classes ?? 10;
  const validationImages = speedCase.validationImages ?? 0;
  const params = benchParams(speedCase);
  const seconds: number[] = [];

  await trainTrial(tf, {
    params,
    numClasses: classes,
    train: randomImages(speedCase.size, speedCase.images, classes, 1),
    validation: randomImages(speedCase.size, validationImages, classes, 2),
    onEpoch: (metrics) => void seconds.push(metrics.seconds),
  });

  const timed = seconds.slice(1);
  const secondsPerEpoch = median(timed);
  return {
    backend,
    architecture: params.architecture,
    size: params.imageSize,
    filters: params.filters,
    images: speedCase.images,
    validationImages,
    batchSize: params.batchSize,
    secondsPerEpoch,
    imagesPerSecond: speedCase.images / secondsPerEpoch,
    warmupSeconds: seconds[0]!,
    epochSeconds: timed,
  };
}

/** The sweep's defaults (RMSprop, decay 1e-6, dropout 0.5), lr 0.001. */
function benchParams(speedCase: TrainSpeedCase): TrialParams {
  return {
    learningRate: 1e-3,
    imageSize: speedCase.size,
    filters: speedCase.filters,
    architecture: speedCase.architecture,
    dropout: 0.5,
    epochs: speedCase.epochs + 1,
    batchSize: speedCase.batchSize ?? 32,
    optimizer: 'rmsprop',
    decay: 1e-6,
    repeat: 0,
    seed: 1,
  };
}

/** Uniform random pixels and labels, in shared memory as a sweep has them. */
export function randomImages(
  size: number,
  count: number,
  classes: number,
  seed: number,
): ImageSet {
  const random = createRandom(seed);
  const pixels = new Uint8Array(new SharedArrayBuffer(count * size * size * 3));
  for (let i = 0; i < pixels.length; i += 1) pixels[i] = random.int(256);
  const labels = new Int32Array(new SharedArrayBuffer(count * 4));
  for (let i = 0; i < count; i += 1) labels[i] = random.int(classes);
  return { size, count, pixels, labels };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[mid]!
    : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
