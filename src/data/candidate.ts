/** A sample while the index is being built: a Sample plus where it came from. */
import type { Sample } from './types.js';
import type { SplitItem } from './split.js';

export type Box = NonNullable<Sample['box']>;

export interface Candidate extends SplitItem {
  /** Absolute path of the image file. */
  file: string;
  /**
   * The file's path relative to the dataset root, with `/` separators: the
   * machine-independent name that enters the fingerprint.
   */
  key: string;
  label: number;
  box?: Box;
  /** Where a problem with this sample is reported: a file, or `file:line`. */
  source: string;
}

export function toSample(candidate: Candidate): Sample {
  const { file, label, box } = candidate;
  return box ? { file, label, box } : { file, label };
}
