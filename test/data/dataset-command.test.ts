import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';

import yargs from 'yargs';

import { datasetCommand } from '../../src/cli/commands/dataset.js';
import type { DatasetReport } from '../../src/data/index.js';
import { InputError } from '../../src/errors.js';
import { tempDir, writeClassFolders, writeText } from './fixtures.js';

/** Runs `gridsweep dataset ...` in-process and returns what it printed. */
async function run(args: string[]): Promise<string> {
  const printed: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => printed.push(String(chunk)) > 0) as typeof write;
  try {
    await yargs(args)
      .command(datasetCommand)
      .strict()
      .fail((message, error) => {
        throw error ?? new Error(message);
      })
      .parseAsync();
  } finally {
    process.stdout.write = write;
  }
  return printed.join('');
}

describe('gridsweep dataset', () => {
  test('inspect of class folders prints counts per class and split as JSON', async () => {
    const base = await tempDir();
    await writeClassFolders(path.join(base, 'cars'), { audi: 4, fiat: 8 });

    const printed = await run(['dataset', 'inspect', path.join(base, 'cars'), '--json']);
    const report = JSON.parse(printed) as DatasetReport;

    assert.equal(report.kind, 'folders');
    assert.deepEqual(report.classes, [
      { name: 'audi', train: 3, validation: 1 },
      { name: 'fiat', train: 6, validation: 2 },
    ]);
    assert.deepEqual(report.imageSize, { minWidth: 24, maxWidth: 24, minHeight: 18, maxHeight: 18 });
    assert.deepEqual(report.problems, []);
  });

  test('inspect recognises a Flickr27 distribution by its files', async () => {
    const base = await tempDir();
    const images = path.join(base, 'flickr_logos_27_dataset_images');
    await writeClassFolders(images, { x: 0 });
    const query = path.join(base, 'flickr_logos_27_dataset_query_set_annotation.txt');
    await writeText(query, 'a.jpg\tAdidas\n');

    const error = await run(['dataset', 'inspect', base]).catch((e: unknown) => e);

    assert.ok(error instanceof InputError && error.code === 'E_DATASET');
    assert.match(error.problems.map((p) => p.message).join('\n'), /no such file: .*a\.jpg/);
  });

  test('inspect of an experiment file inspects that experiment\'s dataset', async () => {
    const base = await tempDir();
    await writeClassFolders(path.join(base, 'imgs'), { a: 4, b: 4 });
    const experiment = [
      'name: demo',
      'dataset: { kind: folders, path: imgs, validationSplit: 0.5 }',
      'grid: { learningRate: [0.001], imageSize: [32], filters: [16] }',
    ].join('\n');
    await writeFile(path.join(base, 'demo.yaml'), `${experiment}\n`);

    const text = await run(['dataset', 'inspect', path.join(base, 'demo.yaml')]);

    assert.match(text, /folders dataset in .*imgs/);
    assert.match(text, /^a\s+2\s+2\s+4$/m);
    assert.match(text, /no problems found/);
  });

  test('synth writes the requested set and rejects out-of-range arguments', async () => {
    const out = path.join(await tempDir(), 'set');
    const synth = ['dataset', 'synth', '--out', out];
    const text = await run([...synth, '--classes', '2', '--per-class', '2', '--size', '24']);
    assert.match(text, /wrote 4 images \(24 px\) of 2 brands/);
    assert.deepEqual((await readdir(out)).sort(), ['adidas', 'apple', 'manifest.json']);

    const error = await run([...synth, '--classes', '900', '--size', '3.5']).catch((e: unknown) => e);
    assert.ok(error instanceof InputError && error.code === 'E_ARGUMENT');
    assert.deepEqual(error.problems.map((p) => p.path), ['--classes', '--size']);
    assert.match(error.problems[0]!.message, /received 900/);
  });
});
