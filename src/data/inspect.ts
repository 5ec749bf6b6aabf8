/**
 * `gridsweep dataset inspect`: what a dataset holds and what is wrong with
 * it, reported rather than thrown. Every image is opened (header for its
 * size, a small decode to find corrupt files), so this is slower than
 * loadDataset and loads sharp.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import type { Problem } from '../errors.js';
import { datasetSchema, type DatasetSpec } from '../experiment/schema.js';
import { defaultCacheDir } from './cache-dir.js';
import { decodeSamples, loadSharp } from './decode.js';
import { QUERY_FILE, TRAINING_FILE, IMAGES_FOLDER } from './flickr27-annotations.js';
import { attemptIndex } from './load.js';
import { MANIFEST_FILE, syntheticFolder } from './synthetic-layout.js';
import type { Sample } from './types.js';

export interface DatasetReport {
  kind: DatasetSpec['kind'];
  /** The dataset folder, absolute. */
  root: string;
  classes: { name: string; train: number; validation: number }[];
  train: number;
  validation: number;
  /** Pixel sizes as oriented; absent when no image could be read. */
  imageSize?: { minWidth: number; maxWidth: number; minHeight: number; maxHeight: number };
  /** Empty when there are problems. */
  fingerprint: string;
  /** Problems that make loadDataset fail (exit 2 for a sweep). */
  problems: Problem[];
  /** Files skipped, boxes clipped, images that do not decode. */
  warnings: string[];
  /** Set for a synthetic set not generated yet: nothing to open. */
  notGenerated?: boolean;
}

export interface InspectOptions {
  cacheDir?: string;
}

export async function inspectDataset(
  spec: DatasetSpec,
  baseDir: string,
  options: InspectOptions = {},
): Promise<DatasetReport> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const { index, problems } = await attemptIndex(spec, baseDir, cacheDir);
  const count = (samples: Sample[], label: number) =>
    samples.filter((s) => s.label === label).length;
  const report: DatasetReport = {
    kind: spec.kind,
    root: rootOf(spec, baseDir, cacheDir),
    classes: index.classes.map((name, label) => ({
      name,
      train: count(index.train, label),
      validation: count(index.validation, label),
    })),
    train: index.train.length,
    validation: index.validation.length,
    fingerprint: index.fingerprint,
    problems,
    warnings: [...index.warnings],
  };

  const samples = [...index.train, ...index.validation];
  if (spec.kind === 'synthetic' && !(await exists(path.join(report.root, MANIFEST_FILE)))) {
    return { ...report, notGenerated: true };
  }
  return openAll(samples, report);
}

/** Reads every image's size, and decodes each at 16 px to catch corrupt files. */
async function openAll(samples: Sample[], report: DatasetReport): Promise<DatasetReport> {
  const sharp = await loadSharp();
  const widths: number[] = [];
  const heights: number[] = [];
  const files = [...new Set(samples.map((s) => s.file))];
  for (const file of files) {
    try {
      const { autoOrient } = await sharp(file).metadata();
      widths.push(autoOrient.width);
      heights.push(autoOrient.height);
    } catch {
      // decodeSamples below reports the file with its reason.
    }
  }
  await decodeSamples(sharp, samples, 16, 4, report.warnings);
  if (widths.length === 0) return report;
  const imageSize = {
    minWidth: Math.min(...widths),
    maxWidth: Math.max(...widths),
    minHeight: Math.min(...heights),
    maxHeight: Math.max(...heights),
  };
  return { ...report, imageSize };
}

/**
 * The spec a folder implies: a Flickr27 distribution if its annotation files
 * or images folder are there (with whichever annotation files exist), else
 * class folders.
 */
export async function detectDatasetSpec(folder: string): Promise<DatasetSpec> {
  const names = new Set(await readdir(folder));
  const training = names.has(TRAINING_FILE);
  const query = names.has(QUERY_FILE);
  if (training || query || names.has(IMAGES_FOLDER)) {
    const annotations = training && query ? 'both' : query ? 'query' : 'training';
    return datasetSchema.parse({ kind: 'flickr27', path: folder, annotations });
  }
  return datasetSchema.parse({ kind: 'folders', path: folder });
}

function rootOf(spec: DatasetSpec, baseDir: string, cacheDir: string): string {
  if (spec.kind === 'synthetic') return syntheticFolder(spec, baseDir, cacheDir);
  return path.resolve(baseDir, spec.path);
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
