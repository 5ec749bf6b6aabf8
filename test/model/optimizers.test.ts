import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import type { Variable } from '@tensorflow/tfjs';

import { loadBackend, type Tf } from '../../src/model/backend.js';
import { createOptimizer, KERAS_DEFAULTS } from '../../src/model/optimizers.js';
import { createRandom } from '../../src/random.js';
import { trialParams } from './params.js';

const LR = 0.01;
const DECAY = 0.5;

describe('optimizers', () => {
  let tf: Tf;
  before(async () => {
    ({ tf } = await loadBackend('wasm'));
  });

  /** Steps `optimizer` on one variable with a constant gradient. */
  function run(name: 'sgd' | 'rmsprop' | 'adam', grad: number, steps: number) {
    const optimizer = createOptimizer(
      tf,
      trialParams({ optimizer: name, learningRate: LR, decay: DECAY }),
    );
    const value: Variable = tf.tidy(() => tf.variable(tf.tensor1d([1])));
    const rates: number[] = [];
    for (let i = 0; i < steps; i += 1) {
      rates.push(optimizer.learningRate());
      const g = tf.tensor1d([grad]);
      optimizer.applyGradients([value], { [value.name]: g });
      g.dispose();
    }
    const result = value.dataSync()[0]!;
    value.dispose();
    optimizer.dispose();
    return { result, rates, iterations: optimizer.iterations };
  }

  test('decay follows lr / (1 + decay * iterations), counted before each step', () => {
    const { rates, iterations } = run('sgd', 1, 4);
    assert.deepEqual(rates, [0, 1, 2, 3].map((k) => LR / (1 + DECAY * k)));
    assert.equal(iterations, 4);
  });

  test('sgd moves by the decayed rate times the gradient', () => {
    const { result } = run('sgd', 2, 3);
    const expected = 1 - 2 * (LR + LR / 1.5 + LR / 2);
    assert.ok(Math.abs(result - expected) < 1e-6, `${result} vs ${expected}`);
  });

  test('rmsprop adds epsilon outside the square root, as Keras does', () => {
    // With a tiny gradient tfjs' sqrt(ms + eps) would give a much smaller step.
    const g = 1e-4;
    const { rho, epsilon } = KERAS_DEFAULTS.rmsprop;
    let ms = 0;
    let expected = 1;
    for (const k of [0, 1]) {
      ms = rho * ms + (1 - rho) * g * g;
      expected -= ((LR / (1 + DECAY * k)) * g) / (Math.sqrt(ms) + epsilon);
    }
    const { result } = run('rmsprop', g, 2);
    assert.ok(Math.abs(result - expected) < 1e-6, `${result} vs ${expected}`);
  });

  test('adam applies Keras bias correction to the decayed rate', () => {
    const g = 0.3;
    const { beta1, beta2, epsilon } = KERAS_DEFAULTS.adam;
    let [m, v, expected] = [0, 0, 1];
    for (const t of [1, 2, 3]) {
      const lrT = ((LR / (1 + DECAY * (t - 1))) * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      m = beta1 * m + (1 - beta1) * g;
      v = beta2 * v + (1 - beta2) * g * g;
      expected -= (lrT * m) / (Math.sqrt(v) + epsilon);
    }
    const { result } = run('adam', g, 3);
    assert.ok(Math.abs(result - expected) < 1e-6, `${result} vs ${expected}`);
  });

  test('rmsprop as one wasm kernel matches its tensor operations on cpu bit for bit', async () => {
    const steps = async (backend: string) => {
      await tf.setBackend(backend);
      const optimizer = createOptimizer(tf, trialParams({ optimizer: 'rmsprop', decay: DECAY }));
      const random = createRandom(3);
      const value = tf.variable(tf.tensor1d(Array.from({ length: 37 }, () => random.range(-1, 1))));
      for (let step = 0; step < 3; step += 1) {
        const g = tf.tensor1d(Array.from({ length: 37 }, () => random.range(-0.1, 0.1)));
        optimizer.applyGradients([value], { [value.name]: g });
        g.dispose();
      }
      const result = value.dataSync().slice();
      value.dispose();
      optimizer.dispose();
      return result;
    };
    const expected = await steps('cpu');
    assert.deepEqual(await steps('wasm'), expected);
  });

  test('leaves no tensors behind once disposed', () => {
    run('adam', 1, 1);
    const before = tf.memory().numTensors;
    for (const name of ['sgd', 'rmsprop', 'adam'] as const) run(name, 1, 2);
    assert.equal(tf.memory().numTensors, before);
  });
});
