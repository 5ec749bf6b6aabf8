/**
 * The synthetic set on disk: generated on first use, reused after. Generation
 * goes to a temporary folder renamed into place, so an interrupted run
 * leaves nothing that looks finished.
 */
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

import { InputError } from '../errors.js';
import type { DatasetSpec } from '../experiment/schema.js';
import type { Logger } from '../log.js';
import { synthesizeDataset } from './synth.js';
import { MANIFEST_FILE, manifestMatches } from './synthetic-layout.js';
import type { DatasetIndex } from './types.js';

type SyntheticSpec = Extract<DatasetSpec, { kind: 'synthetic' }>;

/**
 * Generates the set where `index` (from loadDataset) expects its files, so
 * that a cache folder given to loadDataset but not to decodeDataset cannot
 * send the images one place and the reads another.
 */
export async function ensureSyntheticSet(
  spec: SyntheticSpec,
  index: DatasetIndex,
  logger: Logger,
): Promise<string> {
  const sample = index.train[0] ?? index.validation[0];
  if (!sample) throw new RangeError('ensureSyntheticSet: received an empty index');
  const folder = path.dirname(path.dirname(sample.file));
  const manifest = await readManifest(folder);
  if (manifest !== undefined && manifestMatches(manifest, spec)) return folder;
  if (spec.path && (await holdsFiles(folder))) {
    // A folder the user named is never emptied: it may hold their own files.
    const message =
      `${folder} is not empty and holds no synthetic set made with these ` +
      'settings; name an empty or missing folder';
    throw new InputError('E_DATASET', 'the synthetic set folder is taken', [
      { path: 'dataset.path', message },
    ]);
  }

  logger.info(`generating the synthetic set in ${folder} (first use)`);
  const temporary = `${folder}.${process.pid}.tmp`;
  await rm(temporary, { recursive: true, force: true });
  await synthesizeDataset({ ...spec, out: temporary, logger });
  await rm(folder, { recursive: true, force: true });
  try {
    await rename(temporary, folder);
  } catch (error) {
    // Another process finished the same set first: theirs is as good as ours.
    if (!manifestMatches(await readManifest(folder), spec)) throw error;
    await rm(temporary, { recursive: true, force: true });
  }
  return folder;
}

async function holdsFiles(folder: string): Promise<boolean> {
  try {
    return (await readdir(folder)).length > 0;
  } catch {
    return false;
  }
}

async function readManifest(folder: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(`${folder}/${MANIFEST_FILE}`, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}
