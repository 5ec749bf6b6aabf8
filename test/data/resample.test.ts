import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { resampleRgb } from '../../src/data/resample.js';

function image(width: number, height: number, at: (x: number, y: number) => number): Uint8Array {
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      pixels.fill(at(x, y), (y * width + x) * 3, (y * width + x + 1) * 3);
    }
  }
  return pixels;
}

describe('resampleRgb', () => {
  test('averages the pixels each output pixel covers when shrinking', () => {
    const checker = image(4, 4, (x, y) => ((x + y) % 2 === 0 ? 0 : 200));
    const out = new Uint8Array(2 * 2 * 3);
    resampleRgb(checker, 4, 4, 2, out, 0);
    assert.deepEqual([...out], new Array(12).fill(100));
  });

  test('squashes a wide image without keeping its aspect ratio', () => {
    const halves = image(8, 2, (x) => (x < 4 ? 10 : 250));
    const out = new Uint8Array(4 * 4 * 3);
    resampleRgb(halves, 8, 2, 4, out, 0);
    assert.equal(out[0], 10);
    assert.equal(out[3 * 3], 250);
    assert.equal(out[(3 * 4 + 3) * 3], 250);
  });

  test('keeps a flat colour flat when enlarging, and writes at the offset', () => {
    const flat = image(3, 5, () => 77);
    const out = new Uint8Array(2 * 7 * 7 * 3);
    resampleRgb(flat, 3, 5, 7, out, 7 * 7 * 3);
    assert.ok(out.subarray(0, 147).every((v) => v === 0));
    assert.ok(out.subarray(147).every((v) => v === 77));
  });
});
