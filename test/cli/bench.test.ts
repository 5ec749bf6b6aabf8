import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { runCli } from '../helpers/cli.js';

const TINY = ['--size', '24', '--filters', '4', '--images', '8', '--batch-size', '4'];

describe('gridsweep bench train', () => {
  test('--json prints seconds per epoch, images per second and the backend', () => {
    const args = ['bench', 'train', ...TINY, '--epochs', '2', '--backend', 'wasm', '--json'];
    const { status, stdout, stderr } = runCli(args);
    assert.equal(status, 0, stderr);
    const result = JSON.parse(stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(result).sort(), [
      'backend', 'imagesPerSecond', 'secondsPerEpoch',
    ]);
    assert.equal(result.backend, 'wasm');
    const seconds = result.secondsPerEpoch as number;
    assert.ok(seconds > 0 && seconds < 60, `secondsPerEpoch ${seconds}`);
    assert.ok(Math.abs((result.imagesPerSecond as number) - 8 / seconds) < 1e-6);
  });

  test('trains the cifar10 network and says what it measured', () => {
    const args = ['bench', 'train', ...TINY, '--epochs', '1', '--architecture', 'cifar10'];
    const { status, stdout, stderr } = runCli([...args, '--backend', 'wasm']);
    assert.equal(status, 0, stderr);
    assert.match(stdout, /^cifar10 network, 24 px, 4 filters, 8 images, batch 4 on wasm:/);
    assert.match(stdout, /[\d.]+ s\/epoch \(median of 1, warm-up [\d.]+ s\), \d+ images\/s/);
  });

  test('bad arguments are all reported and exit 2', () => {
    const args = ['bench', 'train', '--size', '16', '--images', '0', '--epochs', '1.5'];
    const { status, stdout, stderr } = runCli(args);
    assert.equal(status, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /--size: expected an integer from 22 to 1024, received 16/);
    assert.match(stderr, /--images: expected an integer from 1 to 100000, received 0/);
    assert.match(stderr, /--epochs: expected an integer from 1 to 1000, received 1\.5/);
  });
});
