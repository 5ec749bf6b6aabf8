/**
 * A worker's images: it resolves each sweep's dataset on its own machine
 * (its own path, or the synthetic set generated from the same seed), checks
 * that the fingerprint is the one the trial ids were computed with, and
 * decodes each image size once, keeping it for the trials that follow.
 */
import type { DatasetIndex, PreparedData } from '../data/types.js';
import type { Logger } from '../log.js';
import type { TrialJob } from './protocol.js';

/** This worker must not train the job: the reason goes to the coordinator. */
export class RefusedTrial extends Error {}

export interface WorkerDataOptions {
  logger: Logger;
  /** Where relative dataset paths resolve; default the coordinator's folder. */
  baseDir?: string;
  cacheDir?: string;
}

export class WorkerData {
  private readonly indexes = new Map<string, Promise<DatasetIndex>>();
  private readonly decoded = new Map<string, Promise<PreparedData>>();

  constructor(private readonly options: WorkerDataOptions) {}

  /** The trial's images, or RefusedTrial when this machine's data differ. */
  async imagesFor(job: TrialJob): Promise<PreparedData> {
    const index = await this.indexFor(job);
    if (index.fingerprint !== job.fingerprint) {
      throw new RefusedTrial(
        `its ${job.experiment.dataset.kind} dataset has fingerprint ` +
          `${index.fingerprint.slice(0, 12)}, the sweep's has ${job.fingerprint.slice(0, 12)}`,
      );
    }
    const size = job.trial.params.imageSize;
    const key = `${index.fingerprint}:${size}`;
    let images = this.decoded.get(key);
    if (!images) {
      images = this.decode(job, index, size);
      this.decoded.set(key, images);
      images.catch(() => this.decoded.delete(key));
    }
    return images;
  }

  private indexFor(job: TrialJob): Promise<DatasetIndex> {
    const baseDir = this.options.baseDir ?? job.baseDir;
    const key = JSON.stringify([job.experiment.dataset, baseDir]);
    let index = this.indexes.get(key);
    if (!index) {
      index = this.load(job, baseDir);
      this.indexes.set(key, index);
    }
    return index;
  }

  private async load(job: TrialJob, baseDir: string): Promise<DatasetIndex> {
    const { loadDataset } = await import('../data/index.js');
    try {
      return await loadDataset(job.experiment.dataset, baseDir, this.cacheDirOption());
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new RefusedTrial(`its dataset cannot be read from ${baseDir}: ${why}`, { cause: error });
    }
  }

  private async decode(job: TrialJob, index: DatasetIndex, size: number): Promise<PreparedData> {
    const { decodeDataset } = await import('../data/index.js');
    const { logger } = this.options;
    const started = performance.now();
    const data = await decodeDataset(job.experiment.dataset, index, size, {
      logger,
      ...this.cacheDirOption(),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const images = data.train.count + data.validation.count;
    logger.info(`data: ${images} images at ${size} px ready in ${seconds} s (${job.sweepName})`);
    return data;
  }

  private cacheDirOption() {
    return this.options.cacheDir ? { cacheDir: this.options.cacheDir } : {};
  }
}
