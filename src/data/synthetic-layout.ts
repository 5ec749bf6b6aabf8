/**
 * Where the synthetic set lives and what it holds, known from its settings
 * alone: `gridsweep plan` indexes and fingerprints it before (and without)
 * generating a single image.
 */
import path from 'node:path';

import type { DatasetSpec } from '../experiment/schema.js';
import { SYNTHETIC_BRANDS } from './brands.js';
import { compareCodeUnits } from './class-folders.js';
import { canonicalJson, fingerprintSettings } from './fingerprint.js';
import type { Listing } from './listing.js';

/**
 * Bump whenever the generator draws different pixels for the same settings:
 * it is part of the fingerprint, so trial ids change with the images.
 */
export const SYNTH_GENERATOR_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';

export interface SynthSettings {
  classes: number;
  perClass: number;
  size: number;
  seed: number;
}

type SyntheticSpec = Extract<DatasetSpec, { kind: 'synthetic' }>;

/** The brands (simple-icons slugs) of the first `count` classes, sorted. */
export function syntheticClasses(count: number): string[] {
  if (count > SYNTHETIC_BRANDS.length) {
    throw new RangeError(`classes: at most ${SYNTHETIC_BRANDS.length}, received ${count}`);
  }
  return SYNTHETIC_BRANDS.slice(0, count).sort(compareCodeUnits);
}

export function syntheticFileName(index: number): string {
  return `${String(index).padStart(4, '0')}.jpg`;
}

/** The generator's identity: what decides every pixel. */
export function synthIdentity(settings: SynthSettings): Record<string, unknown> {
  const { classes, perClass, size, seed } = settings;
  return { generator: SYNTH_GENERATOR_VERSION, classes, perClass, size, seed };
}

/** The spec's folder, else a cache folder named by the settings. */
export function syntheticFolder(spec: SyntheticSpec, baseDir: string, cacheDir: string): string {
  if (spec.path) return path.resolve(baseDir, spec.path);
  const { classes, perClass, size, seed } = spec;
  const name = `v${SYNTH_GENERATOR_VERSION}-c${classes}-n${perClass}-s${size}-seed${seed}`;
  return path.join(cacheDir, 'synthetic', name);
}

export function listSyntheticDataset(
  spec: SyntheticSpec,
  baseDir: string,
  cacheDir: string,
): Listing {
  const root = syntheticFolder(spec, baseDir, cacheDir);
  const classes = syntheticClasses(spec.classes);
  const samples = classes.flatMap((name, label) =>
    Array.from({ length: spec.perClass }, (_, index) => {
      const key = `${name}/${syntheticFileName(index)}`;
      const file = path.join(root, name, syntheticFileName(index));
      return { file, key, label, group: key, source: file };
    }),
  );

  const settings = {
    kind: spec.kind,
    ...synthIdentity(spec),
    validationSplit: spec.validationSplit,
    splitSeed: spec.splitSeed,
  };
  return {
    classes,
    samples,
    problems: [],
    warnings: [],
    contentHashes: new Map(),
    settings,
    fingerprint: fingerprintSettings(settings),
    classPath: (name) => path.join(root, name),
  };
}

/** True when a manifest describes the set these settings would generate. */
export function manifestMatches(manifest: unknown, settings: SynthSettings): boolean {
  if (typeof manifest !== 'object' || manifest === null) return false;
  const { identity } = manifest as { identity?: unknown };
  return canonicalJson(identity) === canonicalJson(synthIdentity(settings));
}
