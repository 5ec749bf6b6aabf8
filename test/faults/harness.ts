/**
 * The fault suite's shared pieces. Every case drives the real CLI as a
 * separate process, the way a person's shell or cron job would, and says
 * what it checked with `checks()` so the summary reporter can list it.
 *
 * Long variants (many random kills) run only with GRIDSWEEP_FAULTS=long.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

import { runCli, type CliResult } from '../helpers/cli.js';
import { query } from '../helpers/db.js';

export const LONG = process.env.GRIDSWEEP_FAULTS === 'long';

/** Records what a case verified; the summary reporter prints it. */
export function checks(t: TestContext, what: string): void {
  t.diagnostic(`checks: ${what}`);
}

/** A tiny experiment: 3 brands at 16 px on the cifar10 net, seconds to run. */
export function tinyExperiment(name: string, lines: string[] = []): string {
  const overridden = new Set(lines.map((line) => line.split(':')[0]));
  const defaults: Record<string, string> = {
    name: `name: ${name}`,
    dataset: 'dataset: {kind: synthetic, classes: 3, perClass: 8, size: 32, seed: 3}',
    model: 'model: {architecture: cifar10}',
    training: 'training: {epochs: 2, batchSize: 4}',
    grid: 'grid: {learningRate: [0.003, 0.001], imageSize: [16], filters: [4]}',
    workers: 'workers: 2',
  };
  const kept = Object.entries(defaults)
    .filter(([key]) => !overridden.has(key))
    .map(([, line]) => line);
  return [...kept, ...lines].join('\n');
}

/** Runs the CLI in `dir` with its caches inside `dir`. */
export function cli(dir: string, args: string[], env: Record<string, string> = {}): CliResult {
  return runCli(args, {
    cwd: dir,
    env: { GRIDSWEEP_CACHE: path.join(dir, '.cache'), ...env },
  });
}

/** Every file under dir with its size and hash: to prove nothing was written. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = sha256File(full);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The invariants every database must keep whatever happened to its run. */
export function assertSound(db: string): string[] {
  const problems: string[] = [];
  const [integrity] = query<{ integrity_check: string }>(db, 'PRAGMA integrity_check');
  if (integrity?.integrity_check !== 'ok') problems.push(`integrity_check: ${integrity?.integrity_check}`);
  const gaps = query(
    db,
    `SELECT t.id, t.epochs_done, count(e.epoch) AS rows, max(e.epoch) AS last
     FROM trials t LEFT JOIN epochs e ON e.trial_id = t.id
     GROUP BY t.id HAVING rows <> t.epochs_done OR coalesce(last, 0) <> t.epochs_done`,
  );
  if (gaps.length > 0) problems.push(`epochs do not match epochs_done: ${JSON.stringify(gaps)}`);
  const [fk] = query<{ n: number }>(db, 'SELECT count(*) AS n FROM pragma_foreign_key_check');
  if ((fk?.n ?? 0) > 0) problems.push('foreign key violations');
  return problems;
}

/**
 * A fresh folder with a tmpfs mounted on it (root only), unmounted and
 * removed when the test ends; null where mounting is not allowed.
 */
export function tmpfs(t: TestContext, options: string): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridsweep-tmpfs-'));
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], {
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    fs.rmdirSync(dir);
    return null;
  }
  t.after(() => {
    spawnSync('umount', [dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
