/**
 * Which sweep database a reading command opens when no --db is given: the
 * only results/*.sqlite under the working folder, if there is exactly one.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { InputError } from '../errors.js';

export const RESULTS_DIR = 'results';

export function resolveDbPath(given: string | undefined, cwd = process.cwd()): string {
  if (given !== undefined) return given;

  const dir = path.join(cwd, RESULTS_DIR);
  const files = existsSync(dir)
    ? readdirSync(dir).filter((name) => name.endsWith('.sqlite')).sort()
    : [];
  if (files.length === 1) return path.join(RESULTS_DIR, files[0]!);

  throw new InputError(
    'E_ARGUMENT',
    files.length === 0
      ? `--db: no sweep database given, and none in ${dir}`
      : `--db: ${files.length} sweep databases in ${dir} ` +
          `(${files.join(', ')}); name one`,
    [],
    { hint: 'gridsweep … --db results/NAME.sqlite' },
  );
}
