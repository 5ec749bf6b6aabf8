/** Temporary folders for tests, removed when the test ends. */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

/** A temporary folder removed when the test ends. */
export function tempDir(t: TestContext, prefix = 'gridsweep-test-'): string {
  const dir = createTempDir(prefix);
  t.after(() => removeDir(dir));
  return dir;
}

/** A temporary folder for a suite's `before` hook; remove it in `after`. */
export function createTempDir(prefix = 'gridsweep-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function writeFile(dir: string, name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}
