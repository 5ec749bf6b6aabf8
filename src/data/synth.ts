/**
 * `gridsweep dataset synth`: the built-in logo set. Real brand marks from
 * simple-icons, drawn by sharp (librsvg) onto cluttered scenes, then spoilt
 * like photos are: contrast and colour shifts, blur, noise, JPEG artefacts.
 * Same settings, same seed: same images (per image, its own seeded
 * generator, so the order of work does not matter).
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { InputError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { createRandom, type Random } from '../random.js';
import { SYNTHETIC_BRANDS } from './brands.js';
import { loadSharp } from './decode.js';
import type { SharpFactory } from './decode-image.js';
import { hashString } from './split.js';
import { sceneSvg, type Mark } from './synth-scene.js';
import {
  MANIFEST_FILE,
  syntheticClasses,
  syntheticFileName,
  synthIdentity,
  type SynthSettings,
} from './synthetic-layout.js';

export interface SynthOptions extends SynthSettings {
  /** Folder to write; created if missing, must hold no other files. */
  out: string;
  logger?: Logger;
}

export interface SynthManifest {
  generator: 'gridsweep synthetic logos';
  /** What decides every pixel; compared before reusing a generated set. */
  identity: Record<string, unknown>;
  classes: { name: string; title: string; hex: string }[];
  perClass: number;
  size: number;
  seed: number;
  images: number;
  seconds: number;
}

interface BrandIcon extends Mark {
  slug: string;
  title: string;
}

/** Images drawn at once: librsvg and the JPEG encoder run on sharp's threads. */
const PARALLEL = 4;

export async function synthesizeDataset(options: SynthOptions): Promise<SynthManifest> {
  const logger = options.logger ?? silentLogger;
  await prepareFolder(options.out);
  const started = performance.now();
  const [sharp, icons] = await Promise.all([loadSharp(), loadIcons()]);
  const classes = syntheticClasses(options.classes).map((slug) => icons.brands.get(slug)!);

  const jobs = classes.flatMap((brand) =>
    Array.from({ length: options.perClass }, (_, index) => ({ brand, index })),
  );
  const folders = classes.map((brand) => path.join(options.out, brand.slug));
  await Promise.all(folders.map((folder) => mkdir(folder, { recursive: true })));
  let next = 0;
  const drain = async () => {
    while (next < jobs.length) {
      const { brand, index } = jobs[next]!;
      next += 1;
      const random = createRandom(hashString(`${options.seed}:${brand.slug}:${index}`));
      const file = path.join(options.out, brand.slug, syntheticFileName(index));
      const scene = { size: options.size, target: brand, distractors: icons.distractors };
      await renderImage(sharp, random, scene, file);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, drain));

  const seconds = Number(((performance.now() - started) / 1000).toFixed(2));
  const manifest = manifestOf(options, classes, jobs.length, seconds);
  await writeFile(path.join(options.out, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  logger.info(`generated ${jobs.length} images of ${classes.length} brands in ${seconds} s`);
  return manifest;
}

async function renderImage(
  sharp: SharpFactory,
  random: Random,
  scene: Parameters<typeof sceneSvg>[1],
  file: string,
): Promise<void> {
  const svg = Buffer.from(sceneSvg(random, scene));
  const { data, info } = await sharp(svg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  spoil(random, data);

  let image = sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } });
  if (random.next() < 0.6) image = image.blur(random.range(0.4, 1.4));
  image = image.modulate({
    brightness: random.range(0.75, 1.25),
    saturation: random.range(0.5, 1.4),
    hue: Math.round(random.range(-25, 25)),
  });
  await image.jpeg({ quality: 20 + random.int(66), chromaSubsampling: '4:2:0' }).toFile(file);
}

/** Contrast change and sensor-like noise, in place. */
function spoil(random: Random, pixels: Buffer): void {
  const contrast = random.range(0.55, 1.25);
  const noise = random.range(2, 16);
  for (let i = 0; i < pixels.length; i += 1) {
    const gaussian = random.next() + random.next() + random.next() - 1.5;
    const value = 128 + (pixels[i]! - 128) * contrast + gaussian * noise * 2;
    pixels[i] = value < 0 ? 0 : value > 255 ? 255 : value;
  }
}

async function loadIcons(): Promise<{ brands: Map<string, BrandIcon>; distractors: BrandIcon[] }> {
  const module = (await import('simple-icons')) as unknown as Record<string, unknown>;
  const all = Object.values(module).filter(isIcon).sort((a, b) => (a.slug < b.slug ? -1 : 1));
  const brands = new Map(all.map((icon) => [icon.slug, icon]));
  const chosen = new Set(SYNTHETIC_BRANDS);
  const missing = SYNTHETIC_BRANDS.filter((slug) => !brands.has(slug));
  if (missing.length > 0) {
    throw new Error(`simple-icons lacks brands the synthetic set needs: ${missing.join(', ')}`);
  }
  return { brands, distractors: all.filter((icon) => !chosen.has(icon.slug)) };
}

function isIcon(value: unknown): value is BrandIcon {
  const icon = value as Partial<BrandIcon> | null;
  return (
    typeof icon?.slug === 'string' &&
    typeof icon.path === 'string' &&
    typeof icon.hex === 'string'
  );
}

/** Refuses to write into a folder holding anything but an earlier synthetic set. */
async function prepareFolder(out: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(out);
  } catch {
    await mkdir(out, { recursive: true });
    return;
  }
  if (entries.length > 0 && !entries.includes(MANIFEST_FILE)) {
    const message =
      `folder ${out} is not empty and holds no ${MANIFEST_FILE}; choose an empty folder`;
    throw new InputError('E_ARGUMENT', 'will not write the synthetic set there', [
      { path: '--out', message },
    ]);
  }
}

function manifestOf(
  options: SynthOptions,
  classes: BrandIcon[],
  images: number,
  seconds: number,
): SynthManifest {
  return {
    generator: 'gridsweep synthetic logos',
    identity: synthIdentity(options),
    classes: classes.map(({ slug, title, hex }) => ({ name: slug, title, hex })),
    perClass: options.perClass,
    size: options.size,
    seed: options.seed,
    images,
    seconds,
  };
}
