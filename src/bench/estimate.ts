/**
 * How long a sweep will take here, before running it: each distinct
 * network (architecture, image size, filters, batch size) trains one
 * warm-up and one timed epoch on a slice of random images the size of a
 * few batches, and the timed epoch is scaled to the dataset's size, the
 * trial's epochs and the workers.
 *
 * What it leaves out: decoding the images (once per size, seconds), model
 * building (milliseconds), and workers slowing each other on shared cores
 * or memory; `npm run bench` measures the last.
 */
import type { Trial, TrialParams } from '../experiment/trial.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import type { BackendName, Tf } from '../model/backend.js';
import { measureTrainSpeed } from './train-speed.js';

/** Training images timed per network: a few batches, enough to be steady. */
const SAMPLE_IMAGES = 64;

export interface DatasetSize {
  train: number;
  validation: number;
  classes: number;
}

export interface SweepEstimate {
  backend: BackendName;
  workers: number;
  /** Per trial, in plan order: seconds to train all its epochs. */
  trialSeconds: number[];
  /** Wall time of the whole sweep, trials handed to workers in order. */
  totalSeconds: number;
}

/** Seconds per epoch on the whole dataset, keyed by networkKey. */
export type EpochTimes = Map<string, number>;

/** Trials with equal keys train at the same speed. */
export function networkKey(params: TrialParams): string {
  const { architecture, imageSize, filters, batchSize } = params;
  return `${architecture}, ${imageSize} px, ${filters} filters, batch ${batchSize}`;
}

/**
 * Times one epoch of every distinct network in the trials, scaled to the
 * whole dataset. Validation images are timed in the dataset's proportion.
 */
export async function measureEpochTimes(
  tf: Tf,
  backend: BackendName,
  trials: readonly Trial[],
  dataset: DatasetSize,
  logger: Logger = silentLogger,
): Promise<EpochTimes> {
  const times: EpochTimes = new Map();
  for (const { params } of trials) {
    const key = networkKey(params);
    if (times.has(key)) continue;

    const images = sampleImages(params.batchSize, dataset.train);
    const speed = await measureTrainSpeed(tf, backend, {
      architecture: params.architecture,
      size: params.imageSize,
      filters: params.filters,
      batchSize: params.batchSize,
      classes: dataset.classes,
      images,
      validationImages:
        dataset.train > 0 ? Math.round((images * dataset.validation) / dataset.train) : 0,
      epochs: 1,
    });
    const seconds = (speed.secondsPerEpoch * dataset.train) / images;
    times.set(key, seconds);
    logger.info(`timed ${key}: ${seconds.toFixed(2)} s per epoch`);
  }
  return times;
}

/** The sweep's run time from measured epoch times. */
export function estimateSweep(
  trials: readonly Trial[],
  times: EpochTimes,
  options: { backend: BackendName; workers: number },
): SweepEstimate {
  const trialSeconds = trials.map(({ params }) => {
    const epoch = times.get(networkKey(params));
    if (epoch === undefined) {
      throw new Error(`no epoch time measured for ${networkKey(params)}`);
    }
    return epoch * params.epochs;
  });
  const workers = Math.max(1, Math.min(options.workers, trials.length));
  return {
    backend: options.backend,
    workers,
    trialSeconds,
    totalSeconds: makespan(trialSeconds, workers),
  };
}

/**
 * When the last worker finishes, if each takes the next trial in order as
 * soon as it is free (as the coordinator's queue does).
 */
export function makespan(durations: readonly number[], workers: number): number {
  const busyUntil = new Array<number>(Math.max(1, workers)).fill(0);
  for (const duration of durations) {
    const next = busyUntil.indexOf(Math.min(...busyUntil));
    busyUntil[next]! += duration;
  }
  return Math.max(...busyUntil);
}

/** Whole batches, about SAMPLE_IMAGES images, no more than the set has. */
function sampleImages(batchSize: number, trainImages: number): number {
  const batches = Math.max(2, Math.ceil(SAMPLE_IMAGES / batchSize));
  return Math.max(1, Math.min(trainImages, batches * batchSize));
}
