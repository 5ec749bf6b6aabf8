/**
 * The data layer's contract with the rest of gridsweep: a dataset is first
 * indexed (which files, which classes, which split), then decoded once per
 * image size into compact shared memory that every worker reads in place.
 */

/** One image to learn from, before decoding. */
export interface Sample {
  /** Absolute path of the image file. */
  file: string;
  /** Index into the dataset's `classes`. */
  label: number;
  /** Optional crop, in pixels of the original image (Flickr27 boxes). */
  box?: { left: number; top: number; width: number; height: number };
}

/** What a dataset holds, without any pixels: cheap to build and to hash. */
export interface DatasetIndex {
  /** Class names in label order (sorted, so stable across machines). */
  classes: string[];
  train: Sample[];
  validation: Sample[];
  /**
   * Content hash of everything that decides the pixels and labels a trial
   * sees: the files' bytes, labels, boxes and the split. Part of trial ids.
   */
  fingerprint: string;
  /** Non-fatal problems found while indexing (skipped files, ...). */
  warnings: string[];
}

/**
 * Images decoded at one size: RGB, uint8, NHWC, contiguous. `pixels` and
 * `labels` are backed by SharedArrayBuffers so that posting them to a worker
 * shares the memory instead of copying it.
 */
export interface ImageSet {
  size: number;
  count: number;
  /** count * size * size * 3 bytes. */
  pixels: Uint8Array;
  /** count class indices. */
  labels: Int32Array;
}

export interface PreparedData {
  classes: string[];
  fingerprint: string;
  train: ImageSet;
  validation: ImageSet;
}
