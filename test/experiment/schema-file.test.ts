import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { experimentJsonSchema } from '../../src/experiment/schema.js';

test('the committed JSON Schema for editors matches the zod schema', () => {
  const committed = JSON.parse(readFileSync('experiments/experiment.schema.json', 'utf8'));
  assert.deepEqual(
    committed,
    experimentJsonSchema(),
    'regenerate it: npx gridsweep schema > experiments/experiment.schema.json',
  );
});

test('every field of the JSON Schema carries a description', () => {
  const missing: string[] = [];
  const walk = (node: unknown, where: string) => {
    if (node === null || typeof node !== 'object') return;
    const properties = (node as { properties?: Record<string, unknown> }).properties;
    for (const [key, child] of Object.entries(properties ?? {})) {
      const described = (child as { description?: string }).description;
      if (!described) missing.push(`${where}.${key}`);
      walk(child, `${where}.${key}`);
    }
    for (const branch of (node as { oneOf?: unknown[] }).oneOf ?? []) walk(branch, where);
  };
  walk(experimentJsonSchema(), '$');
  assert.deepEqual(missing, []);
});
