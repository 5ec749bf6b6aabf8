import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';

import { decodeDataset, loadDataset, synthesizeDataset } from '../../src/data/index.js';
import { InputError } from '../../src/errors.js';
import { createRandom } from '../../src/random.js';
import { tempDir } from './fixtures.js';

const SETTINGS = { classes: 3, perClass: 4, size: 32, seed: 5 };

async function filesOf(root: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name === 'manifest.json') continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(path.relative(root, file), await readFile(file));
  }
  return files;
}

describe('synthesizeDataset', () => {
  test('writes class folders of JPEGs and a manifest naming the brands', async () => {
    const out = path.join(await tempDir(), 'logos');
    const manifest = await synthesizeDataset({ out, ...SETTINGS });

    assert.deepEqual(manifest.classes.map((c) => c.title), ['Adidas', 'Apple', 'BMW']);
    assert.equal(manifest.images, 12);
    const files = await filesOf(out);
    assert.equal(files.size, 12);
    assert.ok([...files.keys()].every((f) => /^(adidas|apple|bmw)[\\/]\d{4}\.jpg$/.test(f)));
  });

  test('draws the same bytes for the same seed, and other images for another', async () => {
    const [a, b, c] = await Promise.all([tempDir(), tempDir(), tempDir()]);
    await synthesizeDataset({ out: a, ...SETTINGS });
    await synthesizeDataset({ out: b, ...SETTINGS });
    await synthesizeDataset({ out: c, ...SETTINGS, seed: 6 });

    const [first, second, other] = await Promise.all([filesOf(a), filesOf(b), filesOf(c)]);
    assert.deepEqual(second, first);
    const same = [...first].filter(([name, bytes]) => other.get(name)?.equals(bytes));
    assert.equal(same.length, 0);
  });

  test('refuses to write into a folder holding other files', async () => {
    const out = await tempDir();
    await writeFile(path.join(out, 'mine.txt'), 'x');
    await assert.rejects(synthesizeDataset({ out, ...SETTINGS }), (error: unknown) => {
      assert.ok(error instanceof InputError && error.code === 'E_ARGUMENT');
      assert.match(error.problems[0]!.message, /is not empty and holds no manifest\.json/);
      return true;
    });
    assert.deepEqual(await readdir(out), ['mine.txt']);
  });
});

describe('the synthetic dataset kind', () => {
  test('is indexed from its settings alone, and generated on first decode', async () => {
    const cacheDir = await tempDir();
    const spec = { kind: 'synthetic' as const, ...SETTINGS, validationSplit: 0.25, splitSeed: 3 };

    const index = await loadDataset(spec, '/nowhere', { cacheDir });
    const again = await loadDataset(spec, '/elsewhere', { cacheDir: await tempDir() });
    assert.equal(again.fingerprint, index.fingerprint);
    assert.deepEqual(index.classes, ['adidas', 'apple', 'bmw']);
    assert.equal(index.validation.length, 3);
    const other = await loadDataset({ ...spec, seed: 6 }, '/nowhere', { cacheDir });
    assert.notEqual(other.fingerprint, index.fingerprint);

    const data = await decodeDataset(spec, index, 16, { cacheDir });
    assert.equal(data.train.count, 9);
    assert.equal(data.validation.count, 3);
    const pixels = data.train.pixels;
    assert.ok(pixels.some((value) => value !== pixels[0]), 'images are not blank');
  });
});

describe('createRandom', () => {
  test('repeats its sequence for a seed and stays in range', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const values = Array.from({ length: 100 }, () => a.next());
    assert.deepEqual(Array.from({ length: 100 }, () => b.next()), values);
    assert.ok(values.every((v) => v >= 0 && v < 1));
    assert.deepEqual(createRandom(1).shuffle([1, 2, 3, 4, 5]).sort(), [1, 2, 3, 4, 5]);
    assert.ok(Array.from({ length: 50 }, () => a.int(3)).every((v) => [0, 1, 2].includes(v)));
  });
});
