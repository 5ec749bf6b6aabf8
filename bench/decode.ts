/**
 * How fast the data layer decodes and resizes: images per second on one
 * core, one image at a time (sharp.concurrency(1), no overlap), reading each
 * file from disk as a sweep does. The images are generated here in a temp
 * folder: by default the synthetic logo set's own 96 px JPEGs (what a first
 * `run` decodes), or camera-like 320×240 JPEGs with `source: 'photos'`.
 *
 *   node dist/bench/decode.js [--photos] [--size 64] [--images 800]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { decodeSamples, loadSharp } from '../src/data/decode.js';
import { synthesizeDataset } from '../src/data/synth.js';
import type { Sample } from '../src/data/types.js';

export interface BenchDecodeOptions {
  /** Output side in pixels. Default 64. */
  size?: number;
  /** Images decoded in the timed pass. Default 800. */
  images?: number;
  /** synthetic: 96 px logo JPEGs; photos: 320×240 JPEGs. Default synthetic. */
  source?: 'synthetic' | 'photos';
  /** Timed passes; the fastest is reported (other processes only slow it). Default 3. */
  passes?: number;
}

export interface BenchDecodeResult {
  /** Of the fastest pass. */
  imagesPerSecond: number;
  /** Every pass, in order. */
  passes: number[];
  size: number;
  images: number;
  source: 'synthetic' | 'photos';
}

export async function benchDecode(options: BenchDecodeOptions = {}): Promise<BenchDecodeResult> {
  const size = options.size ?? 64;
  const images = options.images ?? 800;
  const source = options.source ?? 'synthetic';
  const { default: sharp } = await import('sharp');
  sharp.concurrency(1);
  sharp.cache(false);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'gridsweep-bench-'));
  try {
    const samples = await writeImages(dir, images, source);
    const decode = await loadSharp();
    await decodeSamples(decode, samples.slice(0, 50), size, 1, []);

    const passes: number[] = [];
    for (let pass = 0; pass < (options.passes ?? 3); pass += 1) {
      const started = performance.now();
      const set = await decodeSamples(decode, samples, size, 1, []);
      const seconds = (performance.now() - started) / 1000;
      if (set.count !== images) throw new Error(`decoded ${set.count} of ${images} images`);
      passes.push(Math.round(images / seconds));
    }
    return { imagesPerSecond: Math.max(...passes), passes, size, images, source };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The synthetic set (rounded up to whole classes), or photo-sized scenes. */
async function writeImages(dir: string, images: number, source: string): Promise<Sample[]> {
  const classes = 10;
  const perClass = Math.ceil(images / classes);
  const size = source === 'photos' ? 240 : 96;
  await synthesizeDataset({ out: dir, classes, perClass, size, seed: 1 });
  const { readdir } = await import('node:fs/promises');
  const files: string[] = [];
  for (const folder of (await readdir(dir)).filter((n) => !n.includes('.')).sort()) {
    const names = (await readdir(path.join(dir, folder))).sort();
    files.push(...names.map((name) => path.join(dir, folder, name)));
  }
  if (source === 'photos') await widen(files);
  return files.slice(0, images).map((file) => ({ file, label: 0 }));
}

/** 240 px squares to 320×240, the shape of a small camera photo. */
async function widen(files: string[]): Promise<void> {
  const { default: sharp } = await import('sharp');
  for (const file of files) {
    const wide = await sharp(file)
      .resize(320, 240, { fit: 'fill' })
      .jpeg({ quality: 85 })
      .toBuffer();
    await sharp(wide).toFile(file);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const valueOf = (flag: string) => {
    const at = args.indexOf(flag);
    return at >= 0 ? Number(args[at + 1]) : undefined;
  };
  const result = await benchDecode({
    source: args.includes('--photos') ? 'photos' : 'synthetic',
    size: valueOf('--size'),
    images: valueOf('--images'),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
