/**
 * Batches as tensors, built from an ImageSet's shared uint8 pixels.
 *
 * Keeping the whole set on the backend and gathering rows there was
 * measured slower on wasm (256 images, batch 32: 2.3 ms a batch at 32 px
 * and 10.3 ms at 64 px for tf.gather, against 0.5 and 1.4 ms to copy and
 * scale the rows in JS), and it holds a float32 copy four times the size of
 * the shared pixels in every worker. So batches are made here, per step.
 */
import type { Tensor2D, Tensor4D } from '@tensorflow/tfjs';

import type { ImageSet } from '../data/types.js';
import { RuntimeError } from '../errors.js';
import type { Tf } from '../model/backend.js';

export interface Batch {
  /** [rows, size, size, 3], float32 in [0, 1]. */
  x: Tensor4D;
  /** [rows, numClasses], one-hot float32. */
  y: Tensor2D;
}

/** The given rows of `set`, as tensors the caller disposes. */
export function makeBatch(
  tf: Tf,
  set: ImageSet,
  rows: ArrayLike<number>,
  numClasses: number,
): Batch {
  const pixelsPerImage = set.size * set.size * 3;
  const x = new Float32Array(rows.length * pixelsPerImage);
  const y = new Float32Array(rows.length * numClasses);

  for (let r = 0; r < rows.length; r += 1) {
    const row = rows[r]!;
    const from = row * pixelsPerImage;
    const to = r * pixelsPerImage;
    for (let p = 0; p < pixelsPerImage; p += 1) {
      x[to + p] = set.pixels[from + p]! / 255;
    }
    y[r * numClasses + set.labels[row]!] = 1;
  }
  return {
    x: tf.tensor4d(x, [rows.length, set.size, set.size, 3]),
    y: tf.tensor2d(y, [rows.length, numClasses]),
  };
}

/** The integers [start, end). */
export function range(start: number, end: number): Int32Array {
  return Int32Array.from({ length: end - start }, (_, i) => start + i);
}

/** Fails early, naming the set, when pixels or labels do not fit. */
export function checkImageSet(
  set: ImageSet,
  imageSize: number,
  numClasses: number,
  what: string,
): void {
  if (set.size !== imageSize) {
    fail(`${what} images are ${set.size} px, but the trial's imageSize is ${imageSize}`);
  }
  const expected = set.count * set.size * set.size * 3;
  if (set.pixels.length !== expected || set.labels.length !== set.count) {
    fail(
      `${what} images: expected ${expected} pixel bytes and ${set.count} ` +
        `labels for ${set.count} images of ${set.size} px, received ` +
        `${set.pixels.length} and ${set.labels.length}`,
    );
  }
  const bad = set.labels.findIndex((label) => label < 0 || label >= numClasses);
  if (bad >= 0) {
    fail(
      `${what} images: label ${set.labels[bad]} of image ${bad} is outside ` +
        `0..${numClasses - 1}`,
    );
  }
}

function fail(message: string): never {
  throw new RuntimeError('E_TRIAL', message);
}
