import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';

import { InputError } from '../../src/errors.js';
import { loadBackend } from '../../src/model/backend.js';

function tfjsNodeInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

const withoutTfjsNode = tfjsNodeInstalled()
  ? 'tfjs-node is installed on this machine'
  : false;

describe('loadBackend', () => {
  test('starts wasm with the filter-gradient kernel registered', async () => {
    const { tf, name } = await loadBackend('wasm');
    assert.equal(name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'));
  });

  test('can be called again in the same thread', async () => {
    await loadBackend('wasm');
    const { tf, name } = await loadBackend('wasm');
    assert.equal(name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
  });

  test('starts the pure-JS cpu backend when asked', async () => {
    const { tf, name } = await loadBackend('cpu');
    assert.equal(name, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
  });

  const absent = { skip: withoutTfjsNode };

  test('refuses node with an argument error when tfjs-node is absent', absent, async () => {
    await assert.rejects(loadBackend('node'), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.code, 'E_ARGUMENT');
      assert.match(error.message, /tfjs-node is not installed/);
      assert.match(error.hint ?? '', /libtensorflow/);
      return true;
    });
  });

  test('falls back from node to wasm under auto', absent, async () => {
    const { tf, name } = await loadBackend('auto');
    assert.equal(name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
  });

  test('works inside a worker thread and takes gradients there', async () => {
    const url = new URL('./fixtures/backend-worker.js', import.meta.url);
    const worker = new Worker(url);
    const message = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    // d sum(conv(ones, f)) / df = number of output positions x batch = 16 x 2.
    assert.deepEqual(message, { name: 'wasm', tfjsBackend: 'wasm', gradient: 32 });
  });
});
