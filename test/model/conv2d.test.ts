import { before, describe, test } from 'node:test';

import { loadBackend, type Tf } from '../../src/model/backend.js';
import { assertClose, assertNoLeaksOnWasm, convLabel, values, type ConvCase } from './conv-cases.js';

/** Output channels in multiples of 8 (the direct kernel) and not (XNNPACK). */
function cases(): ConvCase[] {
  const shapes: Pick<ConvCase, 'x' | 'filter'>[] = [
    { x: [2, 7, 9, 3], filter: [3, 3, 3, 8] },
    { x: [3, 8, 5, 5], filter: [3, 3, 5, 16] },
    { x: [1, 10, 6, 4], filter: [2, 3, 4, 8] },
    { x: [2, 4, 4, 64], filter: [3, 3, 64, 32] },
    { x: [2, 6, 7, 4], filter: [3, 3, 4, 6] },
  ];
  return shapes.flatMap((shape) =>
    [1, 2].flatMap((stride) =>
      (['same', 'valid'] as const).map((pad) => ({ ...shape, stride, pad })),
    ),
  );
}

function convolve(tf: Tf, c: ConvCase): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(values(c.x.reduce((a, b) => a * b), 11), c.x);
    const f = tf.tensor4d(values(c.filter.reduce((a, b) => a * b), 12), c.filter);
    return tf.conv2d(x, f, c.stride, c.pad).dataSync() as Float32Array;
  });
}

describe('the wasm Conv2D kernel', () => {
  let tf: Tf;
  before(async () => {
    ({ tf } = await loadBackend('wasm'));
  });

  for (const c of cases()) {
    test(`matches cpu for ${convLabel(c)}`, async () => {
      await tf.setBackend('cpu');
      const expected = convolve(tf, c);
      await tf.setBackend('wasm');
      assertClose(convolve(tf, c), expected);
    });
  }

  test('leaves no tensors or backend buffers behind', async () => {
    await assertNoLeaksOnWasm(tf, () => convolve(tf, cases()[0]!));
  });
});
