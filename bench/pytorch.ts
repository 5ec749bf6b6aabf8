/**
 * Runs bench/pytorch_seed.py with the first python that has torch:
 * $GRIDSWEEP_PYTHON, python3 on the PATH, then /usr/bin/python3 (where
 * Debian's python3-torch installs; a pyenv shim may shadow it).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { Architecture } from '../src/experiment/schema.js';

// From dist/bench/ back to the source tree, where the script is kept.
const SCRIPT = fileURLToPath(new URL('../../bench/pytorch_seed.py', import.meta.url));

export interface PytorchSpeed {
  secondsPerEpoch: number;
  warmupSeconds: number;
  epochSeconds: number[];
  torch: string;
  threads: number;
}

export interface PytorchCase {
  architecture: Architecture;
  size: number;
  filters: number;
  images: number;
  batchSize: number;
  epochs: number;
}

/** The python command that imports torch, or why there is none. */
export function findTorchPython(): { python: string } | { missing: string } {
  const candidates = [process.env.GRIDSWEEP_PYTHON, 'python3', '/usr/bin/python3'];
  for (const python of candidates) {
    if (!python) continue;
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status === 0) return { python };
  }
  return {
    missing:
      'no python3 with torch found (tried $GRIDSWEEP_PYTHON, python3, ' +
      '/usr/bin/python3); on Debian: apt-get install -y python3-torch',
  };
}

export function runPytorch(python: string, speedCase: PytorchCase): PytorchSpeed {
  const args = [
    SCRIPT,
    '--architecture', speedCase.architecture,
    '--size', String(speedCase.size),
    '--filters', String(speedCase.filters),
    '--images', String(speedCase.images),
    '--batch-size', String(speedCase.batchSize),
    '--epochs', String(speedCase.epochs),
  ];
  const result = spawnSync(python, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${python} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as PytorchSpeed;
}
