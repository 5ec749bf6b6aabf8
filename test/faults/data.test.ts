/**
 * Bad data in a person's own folders: a file that cannot be an image is
 * skipped with a warning naming it, and training goes on with the rest; a
 * dataset that cannot be used at all (an empty class, a broken annotation
 * file) is refused with exit 2 and the place named.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, after, describe, test } from 'node:test';

import sharp from 'sharp';

import { query } from '../helpers/db.js';
import { createTempDir, removeDir, tempDir, writeFile } from '../helpers/files.js';
import { checks, cli, tinyExperiment } from './harness.js';

/** Three classes of small solid JPEGs, six each. */
async function classFolders(root: string): Promise<void> {
  for (const [c, name] of ['red', 'green', 'blue'].entries()) {
    fs.mkdirSync(path.join(root, name), { recursive: true });
    for (let i = 0; i < 6; i++) {
      const background = { r: c === 0 ? 220 : 20, g: c === 1 ? 220 : 20 + i, b: c === 2 ? 220 : 20 };
      await sharp({ create: { width: 24, height: 18, channels: 3, background } })
        .jpeg()
        .toFile(path.join(root, name, `img${i}.jpg`));
    }
  }
}

/** A PNG whose header claims `side` × `side` pixels: a decompression bomb. */
async function pngClaiming(side: number): Promise<Buffer> {
  const png = Buffer.from(
    await sharp({ create: { width: 4, height: 4, channels: 3, background: 'red' } })
      .png()
      .toBuffer(),
  );
  png.writeUInt32BE(side, 16);
  png.writeUInt32BE(side, 20);
  // IHDR's CRC covers its type and data: bytes 12 to 29.
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const folderExperiment = (name: string) =>
  tinyExperiment(name, ['dataset: {kind: folders, path: data, validationSplit: 0.3}', 'training: {epochs: 1, batchSize: 4}']);

describe('faults: bad files among good ones', () => {
  let dir: string;
  let result: ReturnType<typeof cli>;

  before(async () => {
    dir = createTempDir();
    const data = path.join(dir, 'data');
    await classFolders(data);
    const good = fs.readFileSync(path.join(data, 'red', 'img0.jpg'));
    fs.writeFileSync(path.join(data, 'red', 'truncated.jpg'), good.subarray(0, 60));
    fs.writeFileSync(path.join(data, 'red', 'empty.jpg'), '');
    fs.writeFileSync(path.join(data, 'green', 'notes.png'), 'not an image, only text\n');
    fs.writeFileSync(path.join(data, 'green', 'bomb.png'), await pngClaiming(100_000));
    await sharp({ create: { width: 4000, height: 3000, channels: 3, background: { r: 20, g: 20, b: 230 } } })
      .jpeg({ quality: 60 })
      .toFile(path.join(data, 'blue', 'photo-12mp.jpg'));
    await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 30, g: 30, b: 200 } } })
      .grayscale()
      .png()
      .toFile(path.join(data, 'blue', 'grey.png'));
    await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 20, g: 20, b: 230 } } })
      .toColourspace('cmyk')
      .jpeg()
      .toFile(path.join(data, 'blue', 'cmyk.jpg'));
    const file = writeFile(dir, 'experiment.yaml', folderExperiment('badfiles'));
    result = cli(dir, ['run', file, '--db', 'out.sqlite', '--backend', 'wasm']);
  });
  after(() => removeDir(dir));

  test('the run trains on the good images and exits 0', (t) => {
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(query(path.join(dir, 'out.sqlite'), 'SELECT DISTINCT status FROM trials'), [
      { status: 'done' },
    ]);
    checks(t, 'exit 0 and every trial done despite five unusable files');
  });

  const skipped: [string, RegExp][] = [
    ['a truncated JPEG', /truncated\.jpg: skipped, cannot decode/],
    ['a zero-byte file', /empty\.jpg: skipped, empty file \(0 bytes\)/],
    ['a text file named .png', /notes\.png: skipped, not a JPEG, PNG, WebP, GIF or TIFF file/],
    ['a PNG claiming 100000 x 100000 pixels', /bomb\.png: skipped, cannot decode: .*pixel limit/],
  ];
  for (const [name, warning] of skipped) {
    test(`${name} is skipped with a warning naming it`, (t) => {
      assert.match(result.stderr, warning);
      checks(t, `warning ${warning.source}`);
    });
  }

  test('a 12-megapixel photo, a grey PNG and a CMYK JPEG are used, not skipped', (t) => {
    assert.doesNotMatch(result.stderr, /photo-12mp\.jpg|grey\.png|cmyk\.jpg/);
    const inspect = cli(dir, ['dataset', 'inspect', 'data', '--json']);
    assert.equal(inspect.status, 0, inspect.stderr);
    const report = JSON.parse(inspect.stdout) as {
      classes: { name: string; train: number; validation: number }[];
    };
    const blue = report.classes.find((c) => c.name === 'blue')!;
    assert.equal(blue.train + blue.validation, 9, JSON.stringify(report.classes));
    checks(t, 'no warning for them; inspect counts 9 images in their class (6 + 3)');
  });
});

describe('faults: datasets that cannot be used', () => {
  test('a class folder with no images', async (t) => {
    const dir = tempDir(t);
    await classFolders(path.join(dir, 'data'));
    fs.mkdirSync(path.join(dir, 'data', 'purple'));
    fs.writeFileSync(path.join(dir, 'data', 'purple', 'README.txt'), 'nothing here');
    const file = writeFile(dir, 'experiment.yaml', folderExperiment('emptyclass'));
    const result = cli(dir, ['run', file, '--db', 'out.sqlite']);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /purple/);
    assert.match(result.stderr, /no (usable )?images/i);
    assert.equal(fs.existsSync(path.join(dir, 'out.sqlite')), false);
    checks(t, 'exit 2 naming the folder purple; no database written');
  });

  test('a Flickr27 annotation file with a bad line', async (t) => {
    const dir = tempDir(t);
    const root = path.join(dir, 'flickr');
    const images = path.join(root, 'flickr_logos_27_dataset_images');
    fs.mkdirSync(images, { recursive: true });
    const lines: string[] = [];
    for (const [b, brand] of ['Adidas', 'Apple'].entries()) {
      for (let i = 0; i < 4; i++) {
        const name = `${b}${i}.jpg`;
        await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200 * b, g: 40 * i, b: 90 } } })
          .jpeg()
          .toFile(path.join(images, name));
        lines.push(`${name} ${brand} 1 2 3 30 25`);
      }
    }
    lines.splice(3, 0, '2.jpg Apple one two three');
    fs.writeFileSync(
      path.join(root, 'flickr_logos_27_dataset_training_set_annotation.txt'),
      `${lines.join('\n')}\n`,
    );
    const file = writeFile(
      dir,
      'experiment.yaml',
      tinyExperiment('flickr', ['dataset: {kind: flickr27, path: flickr}']),
    );
    const result = cli(dir, ['run', file, '--db', 'out.sqlite']);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /training_set_annotation\.txt:4/);
    assert.match(result.stderr, /one two three|"one"/);
    checks(t, 'exit 2 naming the annotation file and line 4 and what was there');
  });
});
