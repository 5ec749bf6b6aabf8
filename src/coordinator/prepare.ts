/**
 * Everything known about a sweep before any training: the experiment as
 * validated, its dataset indexed and fingerprinted, and the trials it expands
 * to. `plan` prints this; `run` builds on it. Nothing here decodes an image
 * or loads TensorFlow.js.
 */
import type { DatasetIndex } from '../data/types.js';
import { loadExperimentFile, type LoadedExperiment } from '../experiment/load.js';
import { expandTrials } from '../experiment/plan.js';
import type { Trial } from '../experiment/trial.js';
import { silentLogger, type Logger } from '../log.js';

export interface PreparedSweep extends LoadedExperiment {
  dataset: DatasetIndex;
  trials: Trial[];
}

export async function prepareSweep(
  file: string,
  options: { allowLarge?: boolean; logger?: Logger; cacheDir?: string } = {},
): Promise<PreparedSweep> {
  const logger = options.logger ?? silentLogger;
  const loaded = await loadExperimentFile(file, options);
  for (const warning of loaded.warnings) {
    logger.warn(`${warning.path}: ${warning.message}`);
  }

  const { loadDataset } = await import('../data/index.js');
  const dataset = await loadDataset(loaded.experiment.dataset, loaded.baseDir, {
    logger,
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
  });
  for (const warning of dataset.warnings) logger.warn(warning);

  const trials = expandTrials(loaded.experiment, dataset.fingerprint);
  return { ...loaded, dataset, trials };
}
