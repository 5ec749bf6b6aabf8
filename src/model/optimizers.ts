/**
 * The optimizers a trial can use, with Keras 2's update rules, defaults and
 * time-based decay, because the results gridsweep reproduces (the blog
 * post's grid) were trained with Keras.
 *
 * tfjs' own optimizers are not used: they have no decay option, and tfjs'
 * RMSprop divides by sqrt(ms + epsilon) where Keras divides by
 * sqrt(ms) + epsilon, which changes steps whenever gradients are small
 * (sqrt(1e-7) is 3e-4, not 1e-7). Writing the three rules here is shorter
 * than patching around both differences, and the decayed rate is simply
 * computed before each step: lr_t = lr / (1 + decay * iterations), with
 * iterations counted before the step, as Keras does.
 */
import type { NamedTensorMap, Scalar, Tensor, Variable } from '@tensorflow/tfjs';

import type { OptimizerName } from '../experiment/schema.js';
import type { TrialParams } from '../experiment/trial.js';
import type { Tf } from './backend.js';
import { canStepRmsprop, rmspropStep } from './kernels/rmsprop.js';

/** Keras 2 defaults (keras.optimizers, with K.epsilon() = 1e-7). */
export const KERAS_DEFAULTS = {
  rmsprop: { rho: 0.9, epsilon: 1e-7 },
  adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
} as const;

export interface Optimizer {
  readonly name: OptimizerName;
  /** Steps applied so far (Keras' `iterations`). */
  readonly iterations: number;
  /** The rate the next step will use: lr / (1 + decay * iterations). */
  learningRate(): number;
  /** One step: moves each variable against its gradient (keyed by name). */
  applyGradients(variables: readonly Variable[], grads: NamedTensorMap): void;
  /** The step count and each variable's slots, in `variables` order. */
  exportState(variables: readonly Variable[]): OptimizerState;
  /** Puts back what exportState returned, for the same variables. */
  importState(variables: readonly Variable[], state: OptimizerState): void;
  /** Frees the per-variable state (moments). */
  dispose(): void;
}

/** Plain data: what a checkpoint keeps of an optimizer. */
export interface OptimizerState {
  iterations: number;
  /** slots[i][j] is slot j of variable i (RMSprop: 1, Adam: 2, SGD: 0). */
  slots: Float32Array[][];
}

const SLOT_COUNTS: Record<OptimizerName, number> = { sgd: 0, rmsprop: 1, adam: 2 };

/** A rule's view of one step, with slots (state tensors) per variable. */
interface StepContext {
  tf: Tf;
  value: Variable;
  grad: Tensor;
  lr: Scalar;
  /** lr as a number. */
  rate: number;
  /** 1-based number of this step. */
  t: number;
  slot(index: number): Variable;
}

type UpdateRule = (step: StepContext) => void;

const RULES: Record<OptimizerName, UpdateRule> = {
  sgd: ({ tf, value, grad, lr }) => {
    value.assign(tf.sub(value, tf.mul(lr, grad)));
  },

  rmsprop: ({ tf, value, grad, lr, rate, slot }) => {
    const { rho, epsilon } = KERAS_DEFAULTS.rmsprop;
    const meanSquare = slot(0);
    if (canStepRmsprop(tf)) {
      const attrs = { learningRate: rate, rho, epsilon };
      const [next, ms] = rmspropStep(tf, { value, grad, meanSquare }, attrs);
      meanSquare.assign(ms);
      value.assign(next);
      return;
    }
    const ms = tf.add(tf.mul(rho, meanSquare), tf.mul(1 - rho, tf.square(grad)));
    meanSquare.assign(ms);
    const step = tf.div(tf.mul(lr, grad), tf.add(tf.sqrt(ms), epsilon));
    value.assign(tf.sub(value, step));
  },

  adam: ({ tf, value, grad, lr, t, slot }) => {
    const { beta1, beta2, epsilon } = KERAS_DEFAULTS.adam;
    const [m, v] = [slot(0), slot(1)];
    const lrT = tf.mul(lr, Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t));
    const mT = tf.add(tf.mul(beta1, m), tf.mul(1 - beta1, grad));
    const vT = tf.add(tf.mul(beta2, v), tf.mul(1 - beta2, tf.square(grad)));
    m.assign(mT);
    v.assign(vT);
    const step = tf.div(tf.mul(lrT, mT), tf.add(tf.sqrt(vT), epsilon));
    value.assign(tf.sub(value, step));
  },
};

export function createOptimizer(tf: Tf, params: TrialParams): Optimizer {
  const rule = RULES[params.optimizer];
  const slots = new Map<string, Variable[]>();
  let iterations = 0;

  const learningRate = () =>
    params.learningRate / (1 + params.decay * iterations);

  function slotsOf(value: Variable): (index: number) => Variable {
    let list = slots.get(value.name);
    if (list === undefined) slots.set(value.name, (list = []));
    const own = list;
    return (index) =>
      (own[index] ??= tf.keep(tf.variable(tf.zerosLike(value), false)));
  }

  function applyGradients(variables: readonly Variable[], grads: NamedTensorMap) {
    const t = iterations + 1;
    tf.tidy(() => {
      const rate = learningRate();
      const lr = tf.scalar(rate);
      for (const value of variables) {
        const grad = grads[value.name];
        if (grad === undefined) continue;
        rule({ tf, value, grad, lr, rate, t, slot: slotsOf(value) });
      }
    });
    iterations = t;
  }

  function exportState(variables: readonly Variable[]): OptimizerState {
    const count = SLOT_COUNTS[params.optimizer];
    const slots = variables.map((value) => {
      const slot = slotsOf(value);
      return Array.from({ length: count }, (_, j) => slot(j).dataSync() as Float32Array);
    });
    return { iterations, slots };
  }

  function importState(variables: readonly Variable[], state: OptimizerState) {
    const count = SLOT_COUNTS[params.optimizer];
    if (state.slots.length !== variables.length) {
      throw new RangeError(
        `optimizer state has ${state.slots.length} variables, the model ${variables.length}`,
      );
    }
    variables.forEach((value, i) => {
      const saved = state.slots[i]!;
      if (saved.length !== count) {
        throw new RangeError(
          `optimizer state has ${saved.length} slots for variable ${i}, ` +
            `${params.optimizer} uses ${count}`,
        );
      }
      const slot = slotsOf(value);
      saved.forEach((values, j) => {
        if (values.length !== value.size) {
          throw new RangeError(
            `optimizer slot ${j} of variable ${i} has ${values.length} values, ` +
              `the variable ${value.size}`,
          );
        }
        slot(j).assign(tf.tensor(values, value.shape, 'float32'));
      });
    });
    iterations = state.iterations;
  }

  return {
    name: params.optimizer,
    get iterations() {
      return iterations;
    },
    learningRate,
    applyGradients,
    exportState,
    importState,
    dispose() {
      for (const list of slots.values()) for (const slot of list) slot.dispose();
      slots.clear();
    },
  };
}
