import { before, describe, test } from 'node:test';

import { loadBackend, type Tf } from '../../src/model/backend.js';
import {
  assertNoLeaksOnWasm,
  assertWasmMatchesCpu,
  convCases,
  convGradient,
  convLabel,
} from './conv-cases.js';

describe('the wasm Conv2DBackpropFilter kernel', () => {
  let tf: Tf;
  before(async () => {
    ({ tf } = await loadBackend('wasm'));
  });

  for (const c of convCases()) {
    test(`matches cpu for ${convLabel(c)}`, async () => {
      await assertWasmMatchesCpu(tf, () => convGradient(tf, c, 'filter'));
    });
  }

  test('leaves no tensors or backend buffers behind', async () => {
    const c = convCases()[3]!;
    await assertNoLeaksOnWasm(tf, () => convGradient(tf, c, 'filter'));
  });
});
