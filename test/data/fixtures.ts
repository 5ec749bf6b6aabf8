/**
 * Small datasets written by the tests themselves with sharp: no binary
 * fixtures in the repository, every image a few dozen pixels.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

import sharp from 'sharp';

import type { Logger } from '../../src/log.js';

export type Rgb = [number, number, number];

/** A fresh folder removed when the test file finishes. */
export async function tempDir(prefix = 'gridsweep-data-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A solid image of `colour`, in the format its extension names. */
export async function writeSolid(
  file: string,
  colour: Rgb,
  size: { width: number; height: number } = { width: 24, height: 18 },
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const [r, g, b] = colour;
  const image = sharp({ create: { ...size, channels: 3, background: { r, g, b } } });
  await encodeByExtension(image, file).toFile(file);
}

export function encodeByExtension(image: sharp.Sharp, file: string): sharp.Sharp {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.png') return image.png();
  if (extension === '.webp') return image.webp({ lossless: true });
  if (extension === '.gif') return image.gif();
  if (extension === '.tif' || extension === '.tiff') return image.tiff();
  return image.jpeg({ quality: 95 });
}

/**
 * Class folders under root: `{ cats: 4, dogs: 6 }` writes 4 and 6 JPEGs,
 * each class its own colour, each file a slightly different shade.
 */
export async function writeClassFolders(
  root: string,
  counts: Record<string, number>,
): Promise<void> {
  const entries = Object.entries(counts);
  for (const [classIndex, [name, count]] of entries.entries()) {
    await mkdir(path.join(root, name), { recursive: true });
    for (let i = 0; i < count; i += 1) {
      const colour: Rgb = [40 + classIndex * 60, 200 - i * 5, 100];
      await writeSolid(path.join(root, name, `img_${String(i).padStart(2, '0')}.jpg`), colour);
    }
  }
}

export async function writeText(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

/** A logger that keeps what it was told, for assertions. */
export function recordingLogger(): Logger & { warnings: string[]; infos: string[]; debugs: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  const debugs: string[] = [];
  return {
    warnings,
    infos,
    debugs,
    info: (m) => infos.push(m),
    warn: (m) => warnings.push(m),
    debug: (m) => debugs.push(m),
  };
}

/** The RGB triple at (x, y) of image `index` in an NHWC uint8 buffer. */
export function pixelAt(pixels: Uint8Array, size: number, index: number, x: number, y: number): Rgb {
  const at = ((index * size + y) * size + x) * 3;
  return [pixels[at]!, pixels[at + 1]!, pixels[at + 2]!];
}

export function assertClose(actual: Rgb, expected: Rgb, tolerance: number, what: string): void {
  const far = actual.some((value, i) => Math.abs(value - expected[i]!) > tolerance);
  if (far) {
    throw new Error(`${what}: expected about ${expected.join(',')}, received ${actual.join(',')}`);
  }
}
