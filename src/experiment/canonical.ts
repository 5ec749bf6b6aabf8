/**
 * Canonical JSON and the hashes made from it. Two configs that mean the same
 * thing must serialise to the same bytes on every machine: keys are sorted,
 * -0 becomes 0, and non-finite numbers are refused rather than turned into
 * null as JSON.stringify would.
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalise(value, '$'));
}

/** A short, stable id: the first 16 hex digits of sha256(canonical JSON). */
export function hashId(value: unknown): string {
  return sha256(canonicalJson(value)).slice(0, 16);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function normalise(value: unknown, where: string): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new TypeError(`${where}: cannot hash the non-finite number ${value}`);
    }
    return Object.is(value, -0) ? 0 : value;
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => normalise(item, `${where}[${i}]`));
  }
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) sorted[key] = normalise(item, `${where}.${key}`);
    }
    return sorted;
  }
  return value;
}
