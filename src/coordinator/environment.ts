/**
 * What a sweep ran on, recorded with its results so that a number can be
 * traced back to the machine, the versions and the commit that produced it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

const PACKAGES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
  'piscina',
  'better-sqlite3',
  'sharp',
] as const;

export interface Environment {
  gridsweep: string;
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  hostname: string;
  packages: Record<string, string | null>;
  /** Commit of the repository holding the experiment file, if any. */
  git: { commit: string; dirty: boolean } | null;
}

export function describeEnvironment(experimentDir: string): Environment {
  return {
    gridsweep: gridsweepVersion(),
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    hostname: os.hostname(),
    packages: Object.fromEntries(
      PACKAGES.map((name) => [name, installedVersion(name)]),
    ),
    git: gitState(experimentDir),
  };
}

/** This gridsweep's version, from its package.json. */
export function gridsweepVersion(): string {
  return packageVersion('../../../package.json');
}

/** Whether @tensorflow/tfjs-node is installed (it is optional). */
export function isTfjsNodeInstalled(): boolean {
  return installedVersion('@tensorflow/tfjs-node') !== null;
}

/**
 * Some packages do not export their package.json, so look for it in the
 * node_modules folders the resolver would search.
 */
function installedVersion(name: string): string | null {
  for (const dir of require.resolve.paths(name) ?? []) {
    const file = path.join(dir, name, 'package.json');
    if (existsSync(file)) return packageVersion(file);
  }
  return null;
}

function packageVersion(file: string): string {
  const url = path.isAbsolute(file)
    ? pathToFileURL(file)
    : new URL(file, import.meta.url);
  const json = JSON.parse(readFileSync(url, 'utf8')) as { version: string };
  return json.version;
}

function gitState(dir: string): Environment['git'] {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
  try {
    return {
      commit: git('rev-parse', 'HEAD'),
      dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    };
  } catch {
    return null;
  }
}
