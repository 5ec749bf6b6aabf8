import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile, cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { loadDataset } from '../../src/data/index.js';
import { InputError } from '../../src/errors.js';
import type { DatasetSpec } from '../../src/experiment/schema.js';
import { recordingLogger, tempDir, writeClassFolders, writeSolid, writeText } from './fixtures.js';

function folders(extra: Partial<Extract<DatasetSpec, { kind: 'folders' }>> = {}): DatasetSpec {
  return { kind: 'folders', path: 'data', validationSplit: 0.25, splitSeed: 123, ...extra };
}

async function problemsOf(promise: Promise<unknown>): Promise<{ path: string; message: string }[]> {
  const error = await promise.then(
    () => assert.fail('expected an InputError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof InputError, `expected InputError, received ${String(error)}`);
  assert.equal(error.code, 'E_DATASET');
  return error.problems;
}

describe('loadDataset on class folders', () => {
  test('counts every image of every class and sorts class names by code unit', async () => {
    const base = await tempDir();
    await writeClassFolders(path.join(base, 'data'), { b_cats: 8, A_dogs: 4, a_owls: 12 });
    await writeText(path.join(base, 'data', 'README.txt'), 'not an image, ignored');

    const index = await loadDataset(folders(), base);

    assert.deepEqual(index.classes, ['A_dogs', 'a_owls', 'b_cats']);
    assert.equal(index.train.length + index.validation.length, 24);
    assert.match(index.fingerprint, /^[0-9a-f]{64}$/);
    assert.ok(index.train.every((s) => path.isAbsolute(s.file)));
  });

  test('holds out the same fraction of every class, the same way for the same seed', async () => {
    const base = await tempDir();
    await writeClassFolders(path.join(base, 'data'), { cats: 8, dogs: 4, owls: 12 });

    const first = await loadDataset(folders(), base);
    const second = await loadDataset(folders(), base);
    const otherSeed = await loadDataset(folders({ splitSeed: 99 }), base);

    const held = (label: number) => first.validation.filter((s) => s.label === label).length;
    assert.deepEqual([held(0), held(1), held(2)], [2, 1, 3]);
    assert.deepEqual(second.validation, first.validation);
    assert.notDeepEqual(otherSeed.validation, first.validation);
    assert.notEqual(otherSeed.fingerprint, first.fingerprint);
  });

  test('uses a separate validation folder instead of splitting', async () => {
    const base = await tempDir();
    await writeClassFolders(path.join(base, 'data'), { cats: 3, dogs: 2 });
    await writeClassFolders(path.join(base, 'val'), { cats: 1, dogs: 2 });

    const index = await loadDataset(folders({ validationPath: 'val' }), base);

    assert.equal(index.train.length, 5);
    assert.equal(index.validation.length, 3);
    assert.ok(index.validation.every((s) => s.file.includes(`${path.sep}val${path.sep}`)));
  });

  test('reports a validation folder whose classes differ', async () => {
    const base = await tempDir();
    await writeClassFolders(path.join(base, 'data'), { cats: 3, dogs: 2 });
    await writeClassFolders(path.join(base, 'val'), { cats: 1, emus: 1 });

    const problems = await problemsOf(loadDataset(folders({ validationPath: 'val' }), base));

    const about = (name: string) =>
      problems.some((p) => p.path === 'dataset.validationPath' && p.message.includes(name));
    assert.ok(about('"emus"'));
    assert.ok(about('"dogs"'));
  });

  test('skips a zero-byte file and a text file named .png with warnings naming them', async () => {
    const base = await tempDir();
    await writeClassFolders(path.join(base, 'data'), { cats: 4, dogs: 4 });
    await writeFile(path.join(base, 'data', 'cats', 'empty.jpg'), '');
    await writeText(path.join(base, 'data', 'dogs', 'notes.png'), 'hello, I am text');
    const logger = recordingLogger();

    const index = await loadDataset(folders(), base, { logger });

    assert.equal(index.train.length + index.validation.length, 8);
    assert.equal(index.warnings.length, 2);
    assert.match(index.warnings.join('\n'), /empty\.jpg: skipped, empty file \(0 bytes\)/);
    assert.match(index.warnings.join('\n'), /notes\.png: skipped, not a JPEG.*first bytes 0x68656c6c/);
    assert.deepEqual(logger.warnings, [], 'returned to the caller, not logged twice');
  });

  test('reports every problem at once: a class with no images and a missing folder', async () => {
    const base = await tempDir();
    await writeClassFolders(path.join(base, 'data'), { cats: 4, dogs: 0 });
    await writeFile(path.join(base, 'data', 'dogs', 'empty.png'), '');

    const problems = await problemsOf(loadDataset(folders({ validationPath: 'nowhere' }), base));

    const dogs = problems.find((p) => p.path === path.join(base, 'data', 'dogs'));
    assert.match(dogs?.message ?? '', /class "dogs" has no images/);
    const missing = problems.find((p) => p.path === 'dataset.validationPath');
    assert.equal(missing?.message, `no such folder ${path.join(base, 'nowhere')}`);
  });

  test('names the experiment key and the folder when the dataset folder does not exist', async () => {
    const base = await tempDir();
    const problems = await problemsOf(loadDataset(folders({ path: 'x/y' }), base));
    assert.deepEqual(problems, [
      { path: 'dataset.path', message: `no such folder ${path.join(base, 'x', 'y')}` },
    ]);
  });

  test('rejects a split that leaves a class with no validation or no training image', async () => {
    const base = await tempDir();
    await writeClassFolders(path.join(base, 'data'), { cats: 1, dogs: 2, owls: 8 });

    const problems = await problemsOf(loadDataset(folders({ validationSplit: 0.1 }), base));

    const paths = problems.map((p) => p.path);
    assert.deepEqual(paths, ['dataset.validationSplit', 'dataset.validationSplit']);
    assert.match(problems[0]!.message, /0\.1 leaves class "cats" \(1 images\) with no validation/);
    const heavy = await problemsOf(loadDataset(folders({ validationSplit: 0.9 }), base));
    assert.ok(heavy.some((p) => /"dogs" \(2 images\) with no training image/.test(p.message)));
  });

  test('fingerprints a copy elsewhere the same, and differently after a byte changes', async () => {
    const base = await tempDir();
    await writeClassFolders(path.join(base, 'data'), { cats: 3, dogs: 3 });
    const copy = await tempDir();
    await cp(path.join(base, 'data'), path.join(copy, 'data'), { recursive: true });

    const original = await loadDataset(folders(), base);
    const copied = await loadDataset(folders(), copy);
    assert.equal(copied.fingerprint, original.fingerprint);

    await appendFile(path.join(copy, 'data', 'dogs', 'img_01.jpg'), Buffer.from([0]));
    const changed = await loadDataset(folders(), copy);
    assert.notEqual(changed.fingerprint, original.fingerprint);
  });

  test('reads GIF, WebP, TIFF and PNG files as well as JPEG', async () => {
    const base = await tempDir();
    for (const extension of ['gif', 'webp', 'tif', 'tiff', 'png', 'jpeg', 'JPG']) {
      await writeSolid(path.join(base, 'data', 'a', `x.${extension}`), [10, 20, 30]);
      await writeSolid(path.join(base, 'data', 'b', `x.${extension}`), [30, 20, 10]);
    }
    const index = await loadDataset(folders(), base);
    assert.equal(index.train.length + index.validation.length, 14);
    assert.deepEqual(index.warnings, []);
  });

  test('does not load sharp, directly or through its imports', async () => {
    const base = await tempDir();
    await writeClassFolders(path.join(base, 'data'), { cats: 2, dogs: 2 });
    const entry = fileURLToPath(new URL('../../src/data/index.js', import.meta.url));
    const script = `
      import { createRequire } from 'node:module';
      const { loadDataset } = await import(${JSON.stringify(entry)});
      const spec = { kind: 'folders', path: 'data', validationSplit: 0.5, splitSeed: 1 };
      await loadDataset(spec, ${JSON.stringify(base)});
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify(loaded.filter((f) => /[\\\\/](sharp|simple-icons)[\\\\/]/.test(f))));`;
    const node = promisify(execFile);
    const { stdout } = await node(process.execPath, ['--input-type=module', '-e', script]);
    assert.deepEqual(JSON.parse(stdout), []);
  });
});
