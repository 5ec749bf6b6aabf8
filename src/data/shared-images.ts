/** ImageSets in SharedArrayBuffers: posting one to a worker shares, not copies. */
import type { ImageSet } from './types.js';

export function allocateImageSet(size: number, count: number): ImageSet {
  return {
    size,
    count,
    pixels: new Uint8Array(new SharedArrayBuffer(count * size * size * 3)),
    labels: new Int32Array(new SharedArrayBuffer(count * 4)),
  };
}
