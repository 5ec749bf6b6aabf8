/**
 * loadDataset: from the experiment's dataset section to a DatasetIndex (files,
 * labels, split, fingerprint) without decoding a pixel. `gridsweep plan`
 * calls it, so nothing here may load sharp, even indirectly.
 */
import { InputError, type Problem } from '../errors.js';
import type { DatasetSpec } from '../experiment/schema.js';
import { silentLogger, type Logger } from '../log.js';
import { defaultCacheDir } from './cache-dir.js';
import { toSample, type Candidate } from './candidate.js';
import { fingerprintSamples } from './fingerprint.js';
import { listFlickr27Dataset } from './flickr27.js';
import { listFoldersDataset } from './folders.js';
import type { Listing } from './listing.js';
import { stratifiedSplit } from './split.js';
import { listSyntheticDataset } from './synthetic-layout.js';
import type { DatasetIndex } from './types.js';

export interface LoadOptions {
  /** For debug lines. Warnings are returned in the index, not logged. */
  logger?: Logger;
  /** Where a synthetic set without `path` is kept. Default defaultCacheDir(). */
  cacheDir?: string;
}

/**
 * Throws InputError('E_DATASET') listing every problem found. Warnings (files
 * skipped, boxes clipped) are returned in `warnings` for the caller to show
 * once; logging them here too would print each twice.
 */
export async function loadDataset(
  spec: DatasetSpec,
  baseDir: string,
  options: LoadOptions = {},
): Promise<DatasetIndex> {
  const { index, problems } = await attemptIndex(spec, baseDir, options.cacheDir);
  if (problems.length > 0) throw datasetError(problems);
  const logger = options.logger ?? silentLogger;
  const { classes, train, validation, fingerprint } = index;
  logger.debug(
    `dataset ${spec.kind}: ${classes.length} classes, ${train.length} training and ` +
      `${validation.length} validation images, fingerprint ${fingerprint.slice(0, 12)}`,
  );
  return index;
}

/**
 * The index as far as it can be built, with its problems rather than an
 * error: `gridsweep dataset inspect` shows both. The fingerprint is empty
 * when there are problems.
 */
export async function attemptIndex(
  spec: DatasetSpec,
  baseDir: string,
  cacheDir: string = defaultCacheDir(),
): Promise<{ index: DatasetIndex; problems: Problem[] }> {
  const listing = await listDataset(spec, baseDir, cacheDir);
  const problems = [...listing.problems, ...emptyClassProblems(listing)];
  const sides = listing.validation
    ? { train: listing.samples, validation: listing.validation, problems: [] }
    : stratifiedSplit(listing.samples, listing.classes, spec.validationSplit, spec.splitSeed);
  problems.push(...sides.problems);

  const fingerprint =
    problems.length > 0
      ? ''
      : (listing.fingerprint ??
        fingerprintSamples(listing.settings, listing.classes, sides, listing.contentHashes));
  const index = {
    classes: listing.classes,
    train: sides.train.map(toSample),
    validation: sides.validation.map(toSample),
    fingerprint,
    warnings: listing.warnings,
  };
  return { index, problems };
}

function listDataset(spec: DatasetSpec, baseDir: string, cacheDir: string): Promise<Listing> {
  switch (spec.kind) {
    case 'folders':
      return listFoldersDataset(spec, baseDir);
    case 'flickr27':
      return listFlickr27Dataset(spec, baseDir);
    case 'synthetic':
      return Promise.resolve(listSyntheticDataset(spec, baseDir, cacheDir));
  }
}

/** A class with no images cannot be learned or measured: an error, not a skip. */
function emptyClassProblems(listing: Listing): Problem[] {
  const problems: Problem[] = [];
  const count = (list: readonly Candidate[], label: number) =>
    list.filter((c) => c.label === label).length;

  listing.classes.forEach((name, label) => {
    if (count(listing.samples, label) === 0) {
      const message = `class "${name}" has no images (JPEG, PNG, WebP, GIF or TIFF)`;
      problems.push({ path: listing.classPath(name), message });
    }
    if (listing.validation && count(listing.validation, label) === 0) {
      const message = `class "${name}" has no validation images`;
      problems.push({ path: 'dataset.validationPath', message });
    }
  });
  return problems;
}

function datasetError(problems: Problem[]): InputError {
  const summary = `the dataset has ${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  return new InputError('E_DATASET', summary, problems);
}
