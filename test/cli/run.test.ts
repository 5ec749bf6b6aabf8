import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';

import { runCli } from '../helpers/cli.js';
import { tempDir, writeFile } from '../helpers/files.js';

const TINY = [
  'name: tiny-cli',
  'dataset: {kind: synthetic, classes: 3, perClass: 6, size: 32, seed: 5}',
  'model: {architecture: cifar10}',
  'training: {epochs: 2, batchSize: 4}',
  'grid: {learningRate: [0.01, 0.001], imageSize: [16], filters: [4]}',
].join('\n');

describe('gridsweep run', () => {
  test('trains a sweep, then a second run trains nothing', (t) => {
    const dir = tempDir(t);
    const file = writeFile(dir, 'tiny.yaml', TINY);
    const db = path.join(dir, 'tiny.sqlite');
    const env = { GRIDSWEEP_CACHE: path.join(dir, 'cache') };

    const first = runCli(['run', file, '--db', db, '--workers', '2'], { env });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /2 trials: 0 already finished, 2 to run on 2 workers/);
    assert.match(first.stderr, /\[1\/2\] [0-9a-f]{8} done in [\d.]+ s, best val acc/);
    assert.match(first.stderr, /sweep done: 2 done/);
    assert.doesNotMatch(first.stderr, /epoch 1:/, 'no per-epoch lines unless asked');

    const second = runCli(['run', file, '--db', db], { env });
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stderr, /2 trials: 2 already finished, 0 to run/);
    assert.doesNotMatch(second.stderr, /started on/);
  });

  test('bad arguments exit 2 and write no database', (t) => {
    const dir = tempDir(t);
    const file = writeFile(dir, 'tiny.yaml', TINY);
    const db = path.join(dir, 'never.sqlite');
    for (const args of [
      ['--workers', '0'],
      ['--workers', '1.5'],
      ['--backend', 'gpu'],
    ]) {
      const result = runCli(['run', file, '--db', db, ...args]);
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    }
    const missing = runCli(['run', path.join(dir, 'nope.yaml'), '--db', db]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nope\.yaml: no such file/);
    assert.equal(runCli(['query', 'SELECT 1', '--db', db]).status, 2);
  });
});
