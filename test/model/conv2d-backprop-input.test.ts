import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { loadBackend, type Tf } from '../../src/model/backend.js';
import {
  assertNoLeaksOnWasm,
  assertWasmMatchesCpu,
  type ConvCase,
  convCases,
  convGradient,
  convLabel,
} from './conv-cases.js';

describe('the wasm Conv2DBackpropInput kernel', () => {
  let tf: Tf;
  before(async () => {
    ({ tf } = await loadBackend('wasm'));
  });

  for (const c of convCases()) {
    test(`matches cpu for ${convLabel(c)}`, async () => {
      await assertWasmMatchesCpu(tf, () => convGradient(tf, c, 'input'));
    });
  }

  test('matches cpu on the seed network\'s second layer at 64 px', async () => {
    const c: ConvCase = { x: [4, 31, 31, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'valid' };
    await assertWasmMatchesCpu(tf, () => convGradient(tf, c, 'input'));
  });

  test('matches cpu with 8 and 64 channels on a 4 px map (the direct kernel)', async () => {
    for (const c of [
      { x: [2, 6, 6, 8], filter: [3, 3, 8, 16], stride: 1, pad: 'valid' },
      { x: [3, 5, 7, 64], filter: [3, 3, 64, 8], stride: 1, pad: 'same' },
    ] as ConvCase[]) {
      await assertWasmMatchesCpu(tf, () => convGradient(tf, c, 'input'));
    }
  });

  test('loading the backend again leaves one kernel in place', async () => {
    const kernel = tf.getKernel('Conv2DBackpropInput', 'wasm');
    await loadBackend('wasm');
    assert.equal(tf.getKernel('Conv2DBackpropInput', 'wasm'), kernel);
  });

  test('leaves no tensors or backend buffers behind', async () => {
    const c = convCases()[0]!;
    await assertNoLeaksOnWasm(tf, () => convGradient(tf, c, 'input'));
  });
});
