/**
 * A sweep database written by a real sweep, small enough to train in a few
 * seconds: 3 synthetic brands, learningRate × imageSize = 2 × 2 cells,
 * 2 repeats each, 2 epochs, on the wasm backend in 2 worker threads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { prepareSweep } from '../../src/coordinator/prepare.js';
import { runSweep, type RunSummary } from '../../src/coordinator/run-sweep.js';
import { writeFile } from '../helpers/files.js';

export const FIXTURE_YAML = [
  'name: tiny',
  'dataset: {kind: synthetic, classes: 3, perClass: 8, size: 32, seed: 3}',
  'model: {architecture: cifar10}',
  'training: {epochs: 2, batchSize: 8}',
  'grid: {learningRate: [0.001, 0.0001], imageSize: [16, 20], filters: [4]}',
  'repeats: 2',
  'workers: 2',
].join('\n');

export interface SweepFixture {
  /** A temporary folder, removed when the test process exits. */
  dir: string;
  /** The sweep database. */
  db: string;
  /** Decoded and generated images, kept out of the user's cache. */
  cache: string;
}

/**
 * A temporary folder removed when the test process exits (a `before` hook
 * has no test context to hang the cleanup on).
 */
export function fixtureDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gridsweep-query-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the fixture sweep into `db` (default: DIR/tiny.sqlite). */
export async function runFixtureSweep(
  dir: string,
  db = path.join(dir, 'tiny.sqlite'),
): Promise<{ fixture: SweepFixture; summary: RunSummary }> {
  const cache = path.join(dir, 'cache');
  process.env.GRIDSWEEP_CACHE = cache;
  const file = writeFile(dir, 'tiny.yaml', FIXTURE_YAML);
  const sweep = await prepareSweep(file, { cacheDir: cache });
  const summary = await runSweep(sweep, { db, cacheDir: cache, backend: 'wasm' });
  return { fixture: { dir, db, cache }, summary };
}

/** A finished fixture sweep in a fresh temporary folder. */
export async function makeSweepFixture(): Promise<SweepFixture> {
  const { fixture } = await runFixtureSweep(fixtureDir());
  return fixture;
}
