/** Convolution shapes and a comparison for the wasm kernel tests. */
import assert from 'node:assert/strict';

import { createRandom } from '../../src/random.js';

export type ConvCase = {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
};

/** Odd and even sides, 1 to 16 channels, both paddings and strides 1 and 2. */
export function convCases(): ConvCase[] {
  const shapes: Pick<ConvCase, 'x' | 'filter'>[] = [
    { x: [2, 7, 9, 3], filter: [3, 3, 3, 4] },
    { x: [3, 8, 8, 5], filter: [3, 3, 5, 6] },
    { x: [1, 10, 6, 4], filter: [2, 3, 4, 2] },
    { x: [4, 11, 13, 8], filter: [3, 3, 8, 16] },
  ];
  return shapes.flatMap((shape) =>
    [1, 2].flatMap((stride) =>
      (['same', 'valid'] as const).map((pad) => ({ ...shape, stride, pad })),
    ),
  );
}

export function convLabel(c: ConvCase): string {
  return `x ${c.x.join('x')}, filter ${c.filter.join('x')}, stride ${c.stride}, ${c.pad}`;
}

/** Uniform in [-1, 1), seeded. */
export function values(length: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length }, () => random.range(-1, 1));
}

/** Equal within float32 summation noise, relative to the largest value. */
export function assertClose(actual: Float32Array, expected: Float32Array): void {
  assert.equal(actual.length, expected.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < actual.length; i += 1) {
    scale = Math.max(scale, Math.abs(expected[i]!));
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  }
  assert.ok(worst <= 1e-5 * Math.max(1, scale), `max difference ${worst}, scale ${scale}`);
}
