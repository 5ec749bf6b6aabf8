/**
 * The dataset fingerprint: a sha256 over everything that decides what a
 * trial sees. It is part of trial ids, so it must not depend on where the
 * data lives: only relative paths, contents, labels, boxes and settings.
 */
import { createHash } from 'node:crypto';

import type { Candidate } from './candidate.js';

/** Bump when the meaning of a fingerprint changes, to invalidate old ids. */
const FINGERPRINT_FORMAT = 'gridsweep-dataset/1';

export function fingerprintSamples(
  settings: Record<string, unknown>,
  classes: readonly string[],
  sides: { train: readonly Candidate[]; validation: readonly Candidate[] },
  contentHashes: ReadonlyMap<string, string>,
): string {
  const hash = createHash('sha256');
  hash.update(`${FINGERPRINT_FORMAT}\n${canonicalJson({ settings, classes })}\n`);

  for (const side of ['train', 'validation'] as const) {
    for (const sample of sides[side]) {
      const content = contentHashes.get(sample.file) ?? '';
      const line = [side, sample.key, classes[sample.label], sample.box ?? null, content];
      hash.update(`${canonicalJson(line)}\n`);
    }
  }
  return hash.digest('hex');
}

/** Fingerprint of a dataset defined by settings alone (the synthetic set). */
export function fingerprintSettings(settings: Record<string, unknown>): string {
  const text = `${FINGERPRINT_FORMAT}\n${canonicalJson({ settings })}\n`;
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted, so equal values always hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const entries = Object.entries(item as Record<string, unknown>);
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}
