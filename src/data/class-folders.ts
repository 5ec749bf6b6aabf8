/**
 * Listing the Keras directory layout: one sub-folder per class, images
 * anywhere below it. Class names are the folder names in code-unit order
 * (Python's sorted(), as Keras uses), never locale order, which varies.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import type { Problem } from '../errors.js';
import { hasImageExtension } from './image-format.js';

export interface ClassFolders {
  classes: string[];
  /** Per class name: image paths relative to the root, `/`-separated, sorted. */
  files: Map<string, string[]>;
  problems: Problem[];
}

/**
 * Reads `root`. `keyPath` names the experiment key for problems
 * (`dataset.path`). Hidden entries are ignored; files that are not named
 * like images are ignored too (README, .DS_Store, labels.csv, ...).
 */
export async function listClassFolders(
  root: string,
  keyPath: string,
): Promise<ClassFolders> {
  const empty: ClassFolders = { classes: [], files: new Map(), problems: [] };
  const problem = await folderProblem(root, keyPath);
  if (problem) return { ...empty, problems: [problem] };

  const entries = await readdir(root, { withFileTypes: true });
  const classes = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort(compareCodeUnits);
  if (classes.length === 0) {
    const message = `no class folders in ${root} (expected one sub-folder per class)`;
    return { ...empty, problems: [{ path: keyPath, message }] };
  }

  const files = new Map<string, string[]>();
  for (const name of classes) {
    files.set(name, (await listImages(root, name)).sort(compareCodeUnits));
  }
  return { classes, files, problems: [] };
}

async function folderProblem(root: string, keyPath: string): Promise<Problem | undefined> {
  try {
    if ((await stat(root)).isDirectory()) return undefined;
    return { path: keyPath, message: `not a folder: ${root}` };
  } catch {
    return { path: keyPath, message: `no such folder ${root}` };
  }
}

/** Image files below root/relative, as `/`-separated paths from root. */
async function listImages(root: string, relative: string): Promise<string[]> {
  const entries = await readdir(path.join(root, relative), { withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const child = `${relative}/${entry.name}`;
    if (entry.isDirectory()) found.push(...(await listImages(root, child)));
    else if (hasImageExtension(entry.name)) found.push(child);
  }
  return found;
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
