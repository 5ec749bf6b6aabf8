/**
 * An ImageSet moved onto the backend once per trial: pixels as float32 in
 * [0, 1] (tfjs has no uint8 tensors) and labels one-hot. Batches are then
 * gathered on the backend by index, not rebuilt from JS memory each step.
 */
import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs';

import type { ImageSet } from '../data/types.js';
import { RuntimeError } from '../errors.js';
import type { Tf } from '../model/backend.js';

export interface ImageTensors {
  count: number;
  /** [count, size, size, 3], float32 in [0, 1]. */
  x: Tensor4D;
  /** [count, numClasses], one-hot float32. */
  y: Tensor2D;
  dispose(): void;
}

export function toImageTensors(
  tf: Tf,
  set: ImageSet,
  numClasses: number,
  what: string,
): ImageTensors {
  checkImageSet(set, numClasses, what);

  const scaled = new Float32Array(set.pixels.length);
  for (let i = 0; i < scaled.length; i += 1) scaled[i] = set.pixels[i]! / 255;
  const x = tf.tensor4d(scaled, [set.count, set.size, set.size, 3], 'float32');
  const y = tf.tidy(() =>
    tf.cast(tf.oneHot(tf.tensor1d(set.labels, 'int32'), numClasses), 'float32'),
  ) as Tensor2D;

  return {
    count: set.count,
    x,
    y,
    dispose() {
      x.dispose();
      y.dispose();
    },
  };
}

/** Rows `indices` of x and y, as new tensors the caller disposes. */
export function gatherRows(
  tf: Tf,
  data: ImageTensors,
  indices: Int32Array,
): { x: Tensor; y: Tensor } {
  return tf.tidy(() => {
    const at = tf.tensor1d(indices, 'int32');
    return { x: tf.gather(data.x, at), y: tf.gather(data.y, at) };
  });
}

/** Rows [start, end) of x and y, as new tensors the caller disposes. */
export function sliceRows(
  tf: Tf,
  data: ImageTensors,
  start: number,
  end: number,
): { x: Tensor; y: Tensor } {
  return {
    x: tf.slice(data.x, start, end - start),
    y: tf.slice(data.y, start, end - start),
  };
}

function checkImageSet(set: ImageSet, numClasses: number, what: string): void {
  const expected = set.count * set.size * set.size * 3;
  if (set.pixels.length !== expected || set.labels.length !== set.count) {
    throw new RuntimeError(
      'E_TRIAL',
      `${what} images: expected ${expected} pixel bytes and ${set.count} ` +
        `labels for ${set.count} images of ${set.size} px, received ` +
        `${set.pixels.length} and ${set.labels.length}`,
    );
  }
  const bad = set.labels.findIndex((label) => label < 0 || label >= numClasses);
  if (bad >= 0) {
    throw new RuntimeError(
      'E_TRIAL',
      `${what} images: label ${set.labels[bad]} of image ${bad} is outside ` +
        `0..${numClasses - 1}`,
    );
  }
}
