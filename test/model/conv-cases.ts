/** Convolution shapes and the checks every wasm kernel test makes. */
import assert from 'node:assert/strict';

import type { Tf } from '../../src/model/backend.js';
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

/**
 * The input or filter gradient of sum(conv2d(x, f) * dy) for a case, on
 * the current backend, from the same seeded x, f and dy every time.
 */
export function convGradient(tf: Tf, c: ConvCase, of: 'input' | 'filter'): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(values(c.x.reduce((a, b) => a * b), 1), c.x);
    const f = tf.tensor4d(values(c.filter.reduce((a, b) => a * b), 2), c.filter);
    const out = tf.conv2d(x, f, c.stride, c.pad);
    const dy = tf.tensor(values(out.size, 3), out.shape);
    const [dx, df] = tf.grads((a, b) => tf.conv2d(a as typeof x, b as typeof f, c.stride, c.pad))(
      [x, f],
      dy,
    );
    return (of === 'input' ? dx : df)!.dataSync() as Float32Array;
  });
}

/** Runs `compute` on cpu, then on wasm, and asserts the two agree. */
export async function assertWasmMatchesCpu(tf: Tf, compute: () => Float32Array): Promise<void> {
  await tf.setBackend('cpu');
  const expected = compute();
  await tf.setBackend('wasm');
  assertClose(compute(), expected);
}

/**
 * Runs `compute` twice on wasm and asserts the second run left no tensor
 * and no backend buffer behind (the first may allocate what is kept).
 */
export async function assertNoLeaksOnWasm(tf: Tf, compute: () => unknown): Promise<void> {
  await tf.setBackend('wasm');
  compute();
  const tensors = tf.memory().numTensors;
  const buffers = tf.backend().numDataIds();
  compute();
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(tf.backend().numDataIds(), buffers);
}
