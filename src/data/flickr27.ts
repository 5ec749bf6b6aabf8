/**
 * The `flickr27` dataset kind, read from the distribution's own files. Repeated
 * training lines collapse to one sample per image and class (sample: image)
 * or per distinct box (sample: box); the query set has no boxes.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import type { Problem } from '../errors.js';
import type { DatasetSpec } from '../experiment/schema.js';
import type { Candidate } from './candidate.js';
import { compareCodeUnits } from './class-folders.js';
import { readFileFacts, type FileFacts } from './file-facts.js';
import {
  IMAGES_FOLDER,
  NONE_CLASS,
  QUERY_FILE,
  TRAINING_FILE,
  parseQueryAnnotations,
  parseTrainingAnnotations,
  type Annotation,
} from './flickr27-annotations.js';
import { placeBox } from './flickr27-boxes.js';
import { screenCandidates, type Listing } from './listing.js';

type Flickr27Spec = Extract<DatasetSpec, { kind: 'flickr27' }>;

export async function listFlickr27Dataset(spec: Flickr27Spec, baseDir: string): Promise<Listing> {
  const root = path.resolve(baseDir, spec.path);
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const annotations = await readAnnotations(spec, root, problems, warnings);

  const kept = annotations.filter((a) => a.className !== NONE_CLASS || spec.noneClass === 'keep');
  const classes = [...new Set(kept.map((a) => a.className))].sort(compareCodeUnits);
  const imagesRoot = path.join(root, IMAGES_FOLDER);
  const candidates = dedupe(kept.map((a) => toCandidate(a, classes, imagesRoot, spec)));

  const facts = await readFileFacts(candidates.map((c) => c.file));
  const report = { problems, warnings };
  const contentHashes = new Map<string, string>();
  const images = screenCandidates(candidates, facts, report, contentHashes);
  const samples = spec.sample === 'box' ? placeBoxes(images, facts, spec, warnings) : images;

  return {
    classes,
    samples,
    problems,
    warnings,
    contentHashes,
    settings: settingsOf(spec),
    classPath: () => 'dataset.annotations',
  };
}

async function readAnnotations(
  spec: Flickr27Spec,
  root: string,
  problems: Problem[],
  warnings: string[],
): Promise<Annotation[]> {
  if (!(await isFolder(root))) {
    problems.push({ path: 'dataset.path', message: `no such folder ${root}` });
    return [];
  }
  const images = path.join(root, IMAGES_FOLDER);
  if (!(await isFolder(images))) {
    problems.push({ path: 'dataset.path', message: `no ${IMAGES_FOLDER}/ folder in ${root}` });
  }

  const wantTraining = spec.annotations !== 'query';
  const wantQuery = spec.annotations !== 'training';
  if (wantQuery && spec.sample === 'box') {
    const message = 'the query set has no boxes: its images are used whole';
    if (spec.annotations === 'query') {
      const received = `${message}; received "box" with annotations "query"`;
      problems.push({ path: 'dataset.sample', message: received });
    } else warnings.push(`dataset.sample: ${message}`);
  }

  const found: Annotation[] = [];
  if (wantTraining) found.push(...(await readOne(root, TRAINING_FILE, spec, problems)));
  if (wantQuery) found.push(...(await readOne(root, QUERY_FILE, spec, problems)));
  return found;
}

async function readOne(
  root: string,
  name: string,
  spec: Flickr27Spec,
  problems: Problem[],
): Promise<Annotation[]> {
  const file = path.join(root, name);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    const message = `annotations "${spec.annotations}" need ${file}, which cannot be read`;
    problems.push({ path: 'dataset.annotations', message });
    return [];
  }
  const parse = name === TRAINING_FILE ? parseTrainingAnnotations : parseQueryAnnotations;
  const parsed = parse(text, file);
  problems.push(...parsed.problems);
  return parsed.annotations;
}

function toCandidate(
  annotation: Annotation,
  classes: readonly string[],
  imagesRoot: string,
  spec: Flickr27Spec,
): Candidate & { corners?: Annotation['corners'] } {
  const file = path.join(imagesRoot, annotation.image);
  const candidate = {
    file,
    key: `${IMAGES_FOLDER}/${annotation.image}`,
    label: classes.indexOf(annotation.className),
    group: annotation.image,
    source: annotation.source,
  };
  const corners = spec.sample === 'box' ? annotation.corners : undefined;
  return corners ? { ...candidate, corners } : candidate;
}

/** One sample per image and class, or per image, class and box. */
function dedupe<T extends Candidate & { corners?: Annotation['corners'] }>(list: T[]): T[] {
  const seen = new Set<string>();
  return list.filter((candidate) => {
    const key = JSON.stringify([candidate.key, candidate.label, candidate.corners ?? null]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function placeBoxes(
  images: (Candidate & { corners?: Annotation['corners'] })[],
  facts: ReadonlyMap<string, FileFacts>,
  spec: Flickr27Spec,
  warnings: string[],
): Candidate[] {
  const placed: Candidate[] = [];
  for (const { corners, ...candidate } of images) {
    if (!corners) {
      placed.push(candidate);
      continue;
    }
    const fact = facts.get(candidate.file);
    const dimensions = fact?.kind === 'image' ? fact.dimensions : undefined;
    const result = placeBox(corners, dimensions, spec.boxMargin);
    if (result.warning) warnings.push(`${candidate.source}: ${result.warning}`);
    if (result.box) placed.push({ ...candidate, box: result.box });
  }
  return placed;
}

function settingsOf(spec: Flickr27Spec): Record<string, unknown> {
  const { path: _where, ...settings } = spec;
  return settings;
}

async function isFolder(folder: string): Promise<boolean> {
  try {
    return (await stat(folder)).isDirectory();
  } catch {
    return false;
  }
}
