/** The `folders` dataset kind: class folders, optionally a validation folder. */
import path from 'node:path';

import type { DatasetSpec } from '../experiment/schema.js';
import type { Candidate } from './candidate.js';
import { listClassFolders, type ClassFolders } from './class-folders.js';
import { readFileFacts } from './file-facts.js';
import { screenCandidates, type Listing } from './listing.js';

type FoldersSpec = Extract<DatasetSpec, { kind: 'folders' }>;

export async function listFoldersDataset(spec: FoldersSpec, baseDir: string): Promise<Listing> {
  const root = path.resolve(baseDir, spec.path);
  const train = await listClassFolders(root, 'dataset.path');
  const validationRoot = spec.validationPath && path.resolve(baseDir, spec.validationPath);
  const validation = validationRoot
    ? await listClassFolders(validationRoot, 'dataset.validationPath')
    : undefined;

  const classes = train.classes;
  const problems = [...train.problems, ...(validation?.problems ?? [])];
  if (validation && validation.problems.length === 0) {
    problems.push(...classMismatch(classes, validation.classes, validationRoot!));
  }

  const trainCandidates = toCandidates(train, classes, root, 'train');
  const validationCandidates =
    validation && toCandidates(validation, classes, validationRoot!, 'validation');
  const all = [...trainCandidates, ...(validationCandidates ?? [])];
  const facts = await readFileFacts(all.map((c) => c.file));

  const report = { problems, warnings: [] as string[] };
  const contentHashes = new Map<string, string>();
  const screen = (list: Candidate[]) => screenCandidates(list, facts, report, contentHashes);
  const listing: Listing = {
    classes,
    samples: screen(trainCandidates),
    ...report,
    contentHashes,
    settings: splitSettings(spec),
    classPath: (name) => path.join(root, name),
  };
  if (validationCandidates) listing.validation = screen(validationCandidates);
  return listing;
}

function toCandidates(
  listing: ClassFolders,
  classes: readonly string[],
  root: string,
  side: string,
): Candidate[] {
  const candidates: Candidate[] = [];
  for (const [name, files] of listing.files) {
    const label = classes.indexOf(name);
    if (label < 0) continue;
    for (const relative of files) {
      const file = path.join(root, ...relative.split('/'));
      candidates.push({ file, key: `${side}/${relative}`, label, group: relative, source: file });
    }
  }
  return candidates;
}

function classMismatch(train: readonly string[], validation: readonly string[], root: string) {
  const extra = validation.filter((name) => !train.includes(name));
  const missing = train.filter((name) => !validation.includes(name));
  const list = (names: string[]) => names.map((n) => JSON.stringify(n)).join(', ');
  const problems = [];
  if (extra.length > 0) {
    const message = `class folders ${list(extra)} in ${root} are not in dataset.path`;
    problems.push({ path: 'dataset.validationPath', message });
  }
  if (missing.length > 0) {
    const message = `classes ${list(missing)} have no folder in ${root}`;
    problems.push({ path: 'dataset.validationPath', message });
  }
  return problems;
}

/** With a validation folder, the split settings change nothing: leave them out. */
function splitSettings(spec: FoldersSpec): Record<string, unknown> {
  if (spec.validationPath) return { kind: spec.kind, validation: 'folder' };
  return { kind: spec.kind, validationSplit: spec.validationSplit, splitSeed: spec.splitSeed };
}
