import assert from 'node:assert/strict';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';

import sharp from 'sharp';

import { decodeDataset, loadDataset } from '../../src/data/index.js';
import {
  IMAGES_FOLDER,
  QUERY_FILE,
  TRAINING_FILE,
} from '../../src/data/flickr27-annotations.js';
import { InputError, type Problem } from '../../src/errors.js';
import type { DatasetSpec } from '../../src/experiment/schema.js';
import { assertClose, pixelAt, tempDir, writeText } from './fixtures.js';

const CLASSES = ['Adidas', 'Apple', 'BMW'];
const WIDTH = 60;
const HEIGHT = 40;
/** Every training photo has a red box here on a blue ground. */
const BOX = { x1: 20, y1: 10, x2: 39, y2: 29 };

type Flickr27Spec = Extract<DatasetSpec, { kind: 'flickr27' }>;

function flickr(extra: Partial<Flickr27Spec> = {}): DatasetSpec {
  return {
    kind: 'flickr27',
    path: 'flickr',
    annotations: 'training',
    noneClass: 'drop',
    sample: 'image',
    boxMargin: 0.1,
    validationSplit: 0.25,
    splitSeed: 123,
    ...extra,
  };
}

/**
 * The distribution in miniature: 4 photos per brand, each annotated line
 * repeated 1–3 times (the cumulative subset column), one photo with a
 * second box; a query set of one photo per brand plus two `none` photos.
 */
async function writeFlickr27(base: string): Promise<string> {
  const root = path.join(base, 'flickr');
  await mkdir(path.join(root, IMAGES_FOLDER), { recursive: true });
  const training: string[] = [];
  const query: string[] = [];
  for (const [c, name] of CLASSES.entries()) {
    for (let j = 0; j < 4; j += 1) {
      const image = `${1000 + c * 10 + j}.jpg`;
      await writePhoto(path.join(root, IMAGES_FOLDER, image));
      for (let subset = 1; subset <= 1 + (j % 3); subset += 1) {
        training.push(`${image} ${name} ${subset} ${BOX.x1} ${BOX.y1} ${BOX.x2} ${BOX.y2}`);
      }
    }
    const queryImage = `q${c}.jpg`;
    await writePhoto(path.join(root, IMAGES_FOLDER, queryImage));
    query.push(`${queryImage}\t${name}`);
  }
  training.push(`1000.jpg Adidas 1 0 0 9 9`);
  for (const none of ['n1.jpg', 'n2.jpg']) {
    await writePhoto(path.join(root, IMAGES_FOLDER, none));
    query.push(`${none}\tnone`);
  }
  await writeText(path.join(root, TRAINING_FILE), `${training.join('\n')}\n`);
  await writeText(path.join(root, QUERY_FILE), `${query.join('\r\n')}\r\n`);
  return root;
}

async function writePhoto(file: string): Promise<void> {
  const red = await sharp({
    create: { width: 20, height: 20, channels: 3, background: { r: 220, g: 20, b: 20 } },
  }).png().toBuffer();
  const blue = { r: 20, g: 20, b: 220 };
  await sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: blue } })
    .composite([{ input: red, left: BOX.x1, top: BOX.y1 }])
    .jpeg({ quality: 100 })
    .toFile(file);
}

async function problemsOf(promise: Promise<unknown>): Promise<Problem[]> {
  const error = await promise.then(() => assert.fail('expected an InputError'), (e: unknown) => e);
  assert.ok(error instanceof InputError);
  return error.problems;
}

describe('loadDataset on a Flickr27 distribution', () => {
  test('collapses repeated training lines to one sample per image and class', async () => {
    const base = await tempDir();
    await writeFlickr27(base);

    const index = await loadDataset(flickr(), base);

    assert.deepEqual(index.classes, CLASSES);
    assert.equal(index.train.length + index.validation.length, 12);
    assert.equal(index.validation.length, 3);
  });

  test('keeps one sample per distinct box, with both boxes of a photo on the same side', async () => {
    const base = await tempDir();
    await writeFlickr27(base);

    const index = await loadDataset(flickr({ sample: 'box', boxMargin: 0 }), base);

    const all = [...index.train, ...index.validation];
    assert.equal(all.length, 13);
    const twice = all.filter((s) => s.file.endsWith(`${path.sep}1000.jpg`));
    assert.equal(twice.length, 2);
    assert.equal(new Set(twice.map((s) => index.train.includes(s))).size, 1);
    assert.ok(all.some((s) => s.box && s.box.left === 20 && s.box.width === 20 && s.box.height === 20));
  });

  test('reads the query set, dropping or keeping the none class', async () => {
    const base = await tempDir();
    await writeFlickr27(base);
    const split = { validationSplit: 0.5 };

    const dropped = await loadDataset(flickr({ annotations: 'both', ...split }), base);
    assert.deepEqual(dropped.classes, CLASSES);
    assert.equal(dropped.train.length + dropped.validation.length, 15);

    const kept = await loadDataset(flickr({ annotations: 'both', noneClass: 'keep', ...split }), base);
    assert.deepEqual(kept.classes, ['Adidas', 'Apple', 'BMW', 'none']);
    assert.equal(kept.train.length + kept.validation.length, 17);
  });

  test('refuses box samples from the query set, which has no boxes', async () => {
    const base = await tempDir();
    await writeFlickr27(base);
    const spec = flickr({ annotations: 'query', sample: 'box' });
    const problems = await problemsOf(loadDataset(spec, base));
    assert.ok(problems.some((p) => p.path === 'dataset.sample' && p.message.includes('"box"')));
  });

  test('reports every annotation line that does not parse, with file, line and text', async () => {
    const base = await tempDir();
    const root = await writeFlickr27(base);
    const file = path.join(root, TRAINING_FILE);
    await appendFile(file, '1001.jpg Adidas 1 10 20\n\n../x.jpg Apple 1 1 1 5 5\n');

    const problems = await problemsOf(loadDataset(flickr(), base));

    const lines = 3 * (1 + 2 + 3 + 1) + 1; // lines per brand, times 3, plus the second box
    assert.deepEqual(problems.map((p) => p.path), [`${file}:${lines + 1}`, `${file}:${lines + 3}`]);
    assert.match(problems[0]!.message, /received "1001\.jpg Adidas 1 10 20"/);
  });

  test('skips a box outside its image and clips one that pokes out, with file and line', async () => {
    const base = await tempDir();
    const root = await writeFlickr27(base);
    const file = path.join(root, TRAINING_FILE);
    await appendFile(file, '1001.jpg Adidas 1 70 50 90 60\n1002.jpg Adidas 1 50 30 80 45\n');

    const index = await loadDataset(flickr({ sample: 'box', boxMargin: 0 }), base);

    const warnings = index.warnings.join('\n');
    const outside = 'skipped, box 70,50 to 90,60 lies outside the 60x40 image';
    assert.match(warnings, new RegExp(`${TRAINING_FILE}:\\d+: ${outside}`));
    assert.match(warnings, /box 50,30 to 80,45 extends past the 60x40 image; clipped/);
    const clipped = [...index.train, ...index.validation].find((s) => s.box?.left === 50);
    assert.deepEqual(clipped?.box, { left: 50, top: 30, width: 10, height: 10 });
  });

  test('reports an annotated image that is missing, at its annotation line', async () => {
    const base = await tempDir();
    const root = await writeFlickr27(base);
    await appendFile(path.join(root, TRAINING_FILE), 'gone.jpg BMW 1 1 1 5 5\n');
    const problems = await problemsOf(loadDataset(flickr(), base));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.path, new RegExp(`${TRAINING_FILE}:\\d+$`));
    assert.match(problems[0]!.message, /no such file: .*gone\.jpg/);
  });

  test('crops the annotated box, widened by the margin', async () => {
    const base = await tempDir();
    await writeFlickr27(base);
    const cacheDir = await tempDir();
    const spec = flickr({ sample: 'box', boxMargin: 0, validationSplit: 0.5 });
    const tightIndex = await loadDataset(spec, base);
    const tight = await decodeDataset(spec, tightIndex, 8, { cacheDir });
    const wideSpec = flickr({ sample: 'box', boxMargin: 0.25, validationSplit: 0.5 });
    const wide = await decodeDataset(wideSpec, await loadDataset(wideSpec, base), 8, { cacheDir });

    const red: [number, number, number] = [220, 20, 20];
    const blue: [number, number, number] = [20, 20, 220];
    // The same position in both: the split groups by photo, not by box.
    const big = tightIndex.train.findIndex((s) => s.box?.left === BOX.x1);
    assertClose(pixelAt(tight.train.pixels, 8, big, 1, 1), red, 40, 'tight crop corner');
    assertClose(pixelAt(tight.train.pixels, 8, big, 4, 4), red, 40, 'tight crop centre');
    assertClose(pixelAt(wide.train.pixels, 8, big, 0, 4), blue, 40, 'margin left edge');
    assertClose(pixelAt(wide.train.pixels, 8, big, 4, 4), red, 40, 'margin crop centre');
  });
});
