/**
 * Dropout whose masks are reproducible and differ from step to step.
 *
 * tfjs-layers' Dropout passes its `seed` straight to tf.dropout, which seeds
 * a fresh generator on every call: with a seed, every training step drops
 * the same units; without one, masks come from Math.random and a trial
 * cannot be repeated. This layer draws a new seed for each training call
 * from its own generator, so a trial's masks depend only on its seed.
 */
import type { Tensor } from '@tensorflow/tfjs';

import { createRandom } from '../random.js';
import type { Tf } from './backend.js';

export interface SeededDropoutArgs {
  /** Fraction of units zeroed while training, in [0, 1). */
  rate: number;
  seed: number;
  name?: string;
}

type LayerInstance = InstanceType<Tf['layers']['Layer']>;
type SeededDropoutClass = new (args: SeededDropoutArgs) => LayerInstance;

/** One class per tfjs module: a layer must extend that module's Layer. */
const classes = new WeakMap<Tf, SeededDropoutClass>();

export function seededDropout(tf: Tf, args: SeededDropoutArgs): LayerInstance {
  let SeededDropout = classes.get(tf);
  if (SeededDropout === undefined) {
    SeededDropout = defineSeededDropout(tf);
    classes.set(tf, SeededDropout);
  }
  return new SeededDropout(args);
}

function defineSeededDropout(tf: Tf): SeededDropoutClass {
  return class SeededDropout extends tf.layers.Layer {
    static readonly className = 'GridsweepSeededDropout';
    private readonly rate: number;
    private readonly random: ReturnType<typeof createRandom>;

    constructor(args: SeededDropoutArgs) {
      super(args.name === undefined ? {} : { name: args.name });
      this.rate = args.rate;
      this.random = createRandom(args.seed);
    }

    override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor {
      const input = Array.isArray(inputs) ? inputs[0] : inputs;
      if (input === undefined) throw new Error('SeededDropout: no input');
      if (kwargs['training'] !== true || this.rate === 0) return input;

      const seed = this.random.int(2 ** 31);
      return tf.tidy(() => tf.dropout(input, this.rate, undefined, seed));
    }

    /**
     * Moves the mask generator past `steps` training calls, as if they had
     * happened: a trial resumed from a checkpoint then draws the masks the
     * uninterrupted trial would have drawn.
     */
    skipSteps(steps: number): void {
      for (let i = 0; i < steps; i++) this.random.int(2 ** 31);
    }

    override getConfig() {
      return { ...super.getConfig(), rate: this.rate };
    }
  };
}

/** Advances every seeded dropout layer of a model past `steps` steps. */
export function skipDropoutSteps(layers: readonly object[], steps: number): void {
  for (const layer of layers) {
    if ('skipSteps' in layer && typeof layer.skipSteps === 'function') {
      (layer as { skipSteps(steps: number): void }).skipSteps(steps);
    }
  }
}
