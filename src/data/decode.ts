/**
 * decodeDataset: the pixels of an indexed dataset at one image size, decoded
 * once, cached on disk, and handed out in shared memory.
 */
import os from 'node:os';

import { InputError, type Problem } from '../errors.js';
import type { DatasetSpec } from '../experiment/schema.js';
import { silentLogger, type Logger } from '../log.js';
import { defaultCacheDir } from './cache-dir.js';
import { decodeSample, type SharpFactory } from './decode-image.js';
import { cacheFile, readImageCache, writeImageCache } from './image-cache.js';
import { allocateImageSet } from './shared-images.js';
import { ensureSyntheticSet } from './synthetic-store.js';
import type { DatasetIndex, ImageSet, PreparedData, Sample } from './types.js';

export interface DecodeOptions {
  logger?: Logger;
  /** Where decoded images (and the synthetic set) are cached. Default defaultCacheDir(). */
  cacheDir?: string;
  /**
   * The experiment file's folder. Unused today (the index holds absolute
   * paths, and the synthetic set is generated where its index points), kept
   * so callers need not change if a decode-time path appears.
   */
  baseDir?: string;
  /** Images decoded at once. Default: the number of cores. */
  concurrency?: number;
}

/**
 * A file that fails to decode (corrupt, truncated, a box outside it) is
 * skipped with a warning: it is one image among many, and the same bytes
 * fail the same way everywhere, so the result stays deterministic. If that
 * leaves a class with no training or no validation image, it is an
 * InputError instead.
 */
export async function decodeDataset(
  spec: DatasetSpec,
  index: DatasetIndex,
  imageSize: number,
  options: DecodeOptions = {},
): Promise<PreparedData> {
  const logger = options.logger ?? silentLogger;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  if (spec.kind === 'synthetic') await ensureSyntheticSet(spec, index, logger);

  const file = cacheFile(cacheDir, index.fingerprint, imageSize);
  const cached = await readImageCache(file, index.fingerprint, imageSize);
  if (cached) {
    for (const warning of cached.warnings) logger.warn(warning);
    logger.debug(`decoded images at ${imageSize} px read from ${file}`);
    return cached.data;
  }

  const started = performance.now();
  const { data, warnings } = await decodeIndex(index, imageSize, options.concurrency, logger);
  const seconds = (performance.now() - started) / 1000;
  const images = data.train.count + data.validation.count;
  // debug: the coordinator reports decoding as an event of its own.
  logger.debug(`decoded ${images} images at ${imageSize} px in ${seconds.toFixed(1)} s`);

  try {
    await writeImageCache(file, data, warnings);
  } catch (error) {
    logger.warn(`could not cache decoded images at ${file}: ${String(error)}`);
  }
  return data;
}

async function decodeIndex(
  index: DatasetIndex,
  size: number,
  concurrency: number | undefined,
  logger: Logger,
): Promise<{ data: PreparedData; warnings: string[] }> {
  const sharp = await loadSharp();
  const warnings: string[] = [];
  const decodeSide = (samples: Sample[]) =>
    decodeSamples(sharp, samples, size, concurrency ?? os.availableParallelism(), warnings);
  const train = await decodeSide(index.train);
  const validation = await decodeSide(index.validation);
  for (const warning of warnings) logger.warn(warning);

  const problems = emptyAfterDecoding(index.classes, train, validation);
  if (problems.length > 0) {
    throw new InputError('E_DATASET', 'too many images failed to decode', problems);
  }
  const { classes, fingerprint } = index;
  return { data: { classes, fingerprint, train, validation }, warnings };
}

/** Decodes into one shared set, dropping (and reporting) what fails. */
export async function decodeSamples(
  sharp: SharpFactory,
  samples: readonly Sample[],
  size: number,
  concurrency: number,
  warnings: string[],
): Promise<ImageSet> {
  const imageBytes = size * size * 3;
  const scratch = new Uint8Array(samples.length * imageBytes);
  const ok = new Array<boolean>(samples.length).fill(false);
  let next = 0;

  async function drain(): Promise<void> {
    while (next < samples.length) {
      const at = next;
      next += 1;
      const sample = samples[at]!;
      try {
        await decodeSample(sharp, sample, size, scratch, at * imageBytes);
        ok[at] = true;
      } catch (error) {
        warnings.push(`${sample.file}: skipped, cannot decode: ${messageOf(error)}`);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, drain));

  const kept = samples.flatMap((sample, at) => (ok[at] ? [{ sample, at }] : []));
  const set = allocateImageSet(size, kept.length);
  kept.forEach(({ sample, at }, position) => {
    set.pixels.set(scratch.subarray(at * imageBytes, (at + 1) * imageBytes), position * imageBytes);
    set.labels[position] = sample.label;
  });
  return set;
}

function emptyAfterDecoding(classes: string[], train: ImageSet, validation: ImageSet): Problem[] {
  const problems: Problem[] = [];
  classes.forEach((name, label) => {
    for (const [side, set] of [['training', train], ['validation', validation]] as const) {
      if (!set.labels.includes(label)) {
        const message =
          `class "${name}" has no ${side} image left after skipping ` +
          'the files that do not decode';
        problems.push({ path: 'dataset', message });
      }
    }
  });
  return problems;
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim();
}

/** sharp loads libvips (tens of MB): only when pixels are needed. */
export async function loadSharp(): Promise<SharpFactory> {
  const { default: sharp } = await import('sharp');
  return sharp;
}
