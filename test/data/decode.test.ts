import assert from 'node:assert/strict';
import { readdir, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';

import sharp from 'sharp';

import { decodeDataset, loadDataset } from '../../src/data/index.js';
import { InputError } from '../../src/errors.js';
import type { DatasetSpec } from '../../src/experiment/schema.js';
import {
  assertClose,
  pixelAt,
  recordingLogger,
  tempDir,
  writeClassFolders,
  writeSolid,
  type Rgb,
} from './fixtures.js';

const SIZE = 8;

function folders(extra: Partial<Extract<DatasetSpec, { kind: 'folders' }>> = {}): DatasetSpec {
  return { kind: 'folders', path: 'data', validationSplit: 0.5, splitSeed: 1, ...extra };
}

/**
 * Decodes a dataset of two class folders, `probe` holding the files under
 * test and `other` two plain JPEGs, all as training images (the validation
 * folder repeats them), and returns the decoded colour of each probe file.
 */
async function decodeProbes(
  write: (folder: string) => Promise<void>,
): Promise<{ colours: Map<string, Rgb>; warnings: string[] }> {
  const base = await tempDir();
  for (const side of ['data', 'val']) {
    await write(path.join(base, side, 'probe'));
    await writeClassFolders(path.join(base, side), { other: 2 });
  }
  const spec = folders({ validationPath: 'val' });
  const logger = recordingLogger();
  const index = await loadDataset(spec, base, { logger });
  const data = await decodeDataset(spec, index, SIZE, { cacheDir: await tempDir(), logger });

  const colours = new Map<string, Rgb>();
  const decoded = index.train.filter((s) => !logger.warnings.some((w) => w.startsWith(s.file)));
  decoded.forEach((sample, i) => {
    if (sample.label !== 1) return;
    colours.set(path.basename(sample.file), pixelAt(data.train.pixels, SIZE, i, 4, 4));
  });
  return { colours, warnings: logger.warnings };
}

const raw = ([r, g, b]: Rgb) =>
  sharp({ create: { width: 20, height: 16, channels: 3, background: { r, g, b } } });

describe('decodeDataset', () => {
  test('turns every colour mode into 8-bit RGB', async () => {
    const orange: Rgb = [230, 120, 30];
    const { colours, warnings } = await decodeProbes(async (folder) => {
      await writeSolid(path.join(folder, 'plain.jpg'), orange);
      await raw(orange).toColourspace('b-w').png().toFile(path.join(folder, 'gray.png'));
      await raw(orange).png({ palette: true }).toFile(path.join(folder, 'palette.png'));
      await raw(orange).toColourspace('rgb16').png().toFile(path.join(folder, 'deep16.png'));
      await raw(orange).ensureAlpha(0.5).png().toFile(path.join(folder, 'alpha.png'));
      const grayAlpha = path.join(folder, 'gray-alpha.png');
      await raw(orange).toColourspace('b-w').ensureAlpha(0).png().toFile(grayAlpha);
      await raw(orange).toColourspace('cmyk').jpeg().toFile(path.join(folder, 'cmyk.jpg'));
      await raw(orange).toColourspace('cmyk').tiff().toFile(path.join(folder, 'cmyk.tiff'));
    });

    assert.deepEqual(warnings, []);
    const gray = colours.get('gray.png')!;
    const grey = gray[0] === gray[1] && gray[1] === gray[2];
    assert.ok(grey, `grey stays grey, received ${gray.join(',')}`);
    assertClose(colours.get('plain.jpg')!, orange, 6, 'JPEG');
    assertClose(colours.get('palette.png')!, orange, 2, 'palette PNG');
    assertClose(colours.get('deep16.png')!, orange, 2, '16-bit PNG');
    assertClose(colours.get('alpha.png')!, [243, 188, 143], 3, 'half-transparent, flattened on white');
    assertClose(colours.get('gray-alpha.png')!, [255, 255, 255], 1, 'fully transparent');
    assertClose(colours.get('cmyk.jpg')!, orange, 30, 'CMYK JPEG');
    assertClose(colours.get('cmyk.tiff')!, orange, 30, 'CMYK TIFF');
  });

  test('decodes GIF, WebP and TIFF files', async () => {
    const teal: Rgb = [20, 160, 150];
    const { colours } = await decodeProbes(async (folder) => {
      for (const name of ['a.gif', 'a.webp', 'a.tiff']) await writeSolid(path.join(folder, name), teal);
    });
    for (const name of ['a.gif', 'a.webp', 'a.tiff']) assertClose(colours.get(name)!, teal, 12, name);
  });

  test('respects the EXIF orientation', async () => {
    const base = await tempDir();
    const file = path.join(base, 'data', 'probe', 'turned.jpg');
    // Stored: red left half, blue right half. Orientation 6 shows it turned
    // a quarter clockwise, so the red half ends on top.
    const red = await raw([220, 20, 20]).resize(20, 20).png().toBuffer();
    await writeClassFolders(path.join(base, 'data'), { other: 2, probe: 1 });
    await raw([20, 20, 220])
      .resize(40, 20)
      .composite([{ input: red, left: 0, top: 0 }])
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toFile(file);
    await writeClassFolders(path.join(base, 'val'), { other: 1, probe: 1 });
    const spec = folders({ validationPath: 'val' });
    const index = await loadDataset(spec, base);
    const data = await decodeDataset(spec, index, SIZE, { cacheDir: await tempDir() });

    const at = index.train.findIndex((s) => s.file === file);
    assertClose(pixelAt(data.train.pixels, SIZE, at, 0, 1), [220, 20, 20], 40, 'top left');
    assertClose(pixelAt(data.train.pixels, SIZE, at, 7, 1), [220, 20, 20], 40, 'top right');
    assertClose(pixelAt(data.train.pixels, SIZE, at, 0, 6), [20, 20, 220], 40, 'bottom left');
  });

  test('skips a corrupt or truncated JPEG with a warning naming it', async () => {
    const { colours, warnings } = await decodeProbes(async (folder) => {
      await writeSolid(path.join(folder, 'good.jpg'), [1, 2, 3]);
      const good = await raw([50, 60, 70]).jpeg().toBuffer();
      await writeFile(path.join(folder, 'truncated.jpg'), good.subarray(0, good.length >> 1));
      const garbage = Buffer.concat([good.subarray(0, 4), Buffer.alloc(300, 0x5a)]);
      await writeFile(path.join(folder, 'garbage.jpg'), garbage);
    });
    assert.deepEqual([...colours.keys()], ['good.jpg']);
    assert.equal(warnings.length, 4, warnings.join('\n'));
    assert.match(warnings.join('\n'), /truncated\.jpg: skipped, cannot decode: /);
    assert.match(warnings.join('\n'), /garbage\.jpg: skipped, cannot decode: /);
  });

  test('fails when undecodable files leave a class with no validation image', async () => {
    const base = await tempDir();
    await writeClassFolders(path.join(base, 'data'), { cats: 2, dogs: 2 });
    await writeClassFolders(path.join(base, 'val'), { cats: 1, dogs: 0 });
    const badJpeg = Buffer.from([0xff, 0xd8, 0xff, 0, 1, 2]);
    await writeFile(path.join(base, 'val', 'dogs', 'bad.jpg'), badJpeg);
    const spec = folders({ validationPath: 'val' });
    const index = await loadDataset(spec, base);

    const cacheDir = await tempDir();
    const error = await decodeDataset(spec, index, SIZE, { cacheDir }).catch((e: unknown) => e);

    assert.ok(error instanceof InputError);
    assert.match(error.problems[0]!.message, /class "dogs" has no validation image left/);
  });

  test('hands out pixels and labels in SharedArrayBuffers', async () => {
    const base = await tempDir();
    await writeClassFolders(path.join(base, 'data'), { cats: 3, dogs: 3 });
    const index = await loadDataset(folders(), base);
    const data = await decodeDataset(folders(), index, SIZE, { cacheDir: await tempDir() });

    for (const set of [data.train, data.validation]) {
      assert.ok(set.pixels.buffer instanceof SharedArrayBuffer);
      assert.ok(set.labels.buffer instanceof SharedArrayBuffer);
      assert.equal(set.pixels.length, set.count * SIZE * SIZE * 3);
    }
    assert.deepEqual([...data.train.labels], index.train.map((s) => s.label));
    assert.equal(data.fingerprint, index.fingerprint);
  });

  test('reads a second decode from the disk cache, and rebuilds a damaged cache file', async () => {
    const base = await tempDir();
    const cacheDir = await tempDir();
    await writeClassFolders(path.join(base, 'data'), { cats: 3, dogs: 3 });
    const index = await loadDataset(folders(), base);
    const first = await decodeDataset(folders(), index, SIZE, { cacheDir });
    const [cached] = await readdir(path.join(cacheDir, 'decoded'));
    const cacheFile = path.join(cacheDir, 'decoded', cached!);
    assert.match(cached!, new RegExp(`^${index.fingerprint}-${SIZE}px-d\\d+\\.bin$`));

    await rm(path.join(base, 'data'), { recursive: true });
    const hit = await decodeDataset(folders(), index, SIZE, { cacheDir });
    assert.deepEqual(hit.train.pixels, first.train.pixels);
    assert.ok(hit.train.pixels.buffer instanceof SharedArrayBuffer);

    await writeClassFolders(path.join(base, 'data'), { cats: 3, dogs: 3 });
    await truncate(cacheFile, 100);
    const logger = recordingLogger();
    const rebuilt = await decodeDataset(folders(), index, SIZE, { cacheDir, logger });
    assert.deepEqual(rebuilt.train.pixels, first.train.pixels);
    assert.match(logger.debugs.join('\n'), /decoded 6 images at 8 px/);
    const again = await decodeDataset(folders(), index, SIZE, { cacheDir, logger: recordingLogger() });
    assert.deepEqual(again.validation.pixels, first.validation.pixels);
  });
});
