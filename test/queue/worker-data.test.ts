import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';

import { validateExperiment } from '../../src/experiment/load.js';
import { expandTrials } from '../../src/experiment/plan.js';
import { silentLogger } from '../../src/log.js';
import type { TrialJob } from '../../src/queue/protocol.js';
import { RefusedTrial, WorkerData } from '../../src/queue/worker-data.js';
import { tempDir } from '../helpers/files.js';

/** A job as a coordinator would queue it, for a synthetic set. */
function jobFor(fingerprint: string, baseDir: string): TrialJob {
  const { experiment } = validateExperiment(
    {
      name: 'far',
      dataset: { kind: 'synthetic', classes: 2, perClass: 4, size: 24, seed: 1 },
      grid: { learningRate: [0.001], imageSize: [24], filters: [4] },
    },
    'job',
  );
  const [trial] = expandTrials(experiment, fingerprint);
  return {
    gridsweep: '0.0.0',
    sweepId: 's',
    sweepName: 'far',
    trial: trial!,
    numClasses: 2,
    experiment,
    baseDir,
    fingerprint,
    backend: 'wasm',
  };
}

describe("a worker's data", () => {
  test('a dataset whose fingerprint differs from the trial\'s is refused, saying both', async (t) => {
    const dir = tempDir(t);
    const data = new WorkerData({ logger: silentLogger, cacheDir: path.join(dir, 'cache') });
    await assert.rejects(
      data.imagesFor(jobFor('f'.repeat(64), dir)),
      (error: unknown) =>
        error instanceof RefusedTrial &&
        /synthetic dataset has fingerprint [0-9a-f]{12}, the sweep's has ffffffffffff/.test(
          error.message,
        ),
    );
  });

  test('each image size is decoded once and kept for the trials that follow', async (t) => {
    const dir = tempDir(t);
    const data = new WorkerData({ logger: silentLogger, cacheDir: path.join(dir, 'cache') });
    const { loadDataset } = await import('../../src/data/index.js');
    const probe = jobFor('', dir);
    const index = await loadDataset(probe.experiment.dataset, dir, { cacheDir: path.join(dir, 'cache') });
    const job = jobFor(index.fingerprint, dir);

    const first = await data.imagesFor(job);
    const second = await data.imagesFor(job);
    assert.equal(first, second);
    assert.equal(first.train.size, 24);
    assert.equal(first.train.count + first.validation.count, 8);
  });
});
