/**
 * Trivially separable images for training tests: class k is a flat colour
 * (red, green, blue, ...) with per-pixel noise, so any working network
 * should beat chance within a few epochs.
 */
import type { ImageSet } from '../../src/data/types.js';
import { createRandom } from '../../src/random.js';

const COLOURS = [
  [220, 40, 40],
  [40, 200, 60],
  [50, 60, 220],
  [220, 210, 40],
] as const;

export function colourImages(
  size: number,
  perClass: number,
  classes: number,
  seed: number,
): ImageSet {
  const random = createRandom(seed);
  const count = perClass * classes;
  const pixels = new Uint8Array(new SharedArrayBuffer(count * size * size * 3));
  const labels = new Int32Array(new SharedArrayBuffer(count * 4));

  for (let image = 0; image < count; image += 1) {
    const label = image % classes;
    labels[image] = label;
    const colour = COLOURS[label]!;
    const base = image * size * size * 3;
    for (let p = 0; p < size * size * 3; p += 1) {
      const noisy = colour[p % 3]! + random.int(61) - 30;
      pixels[base + p] = Math.min(255, Math.max(0, noisy));
    }
  }
  return { size, count, pixels, labels };
}
