/**
 * The networks a trial can train, described once as data: the same
 * description builds the tfjs model, finds the smallest input it accepts and
 * counts its parameters, so the three cannot disagree.
 *
 * Inputs are [size, size, 3] RGB scaled to [0, 1]; outputs are class
 * probabilities (softmax), as in the Keras originals.
 */
import type { LayersModel } from '@tensorflow/tfjs';

import { RuntimeError } from '../errors.js';
import type { Architecture } from '../experiment/schema.js';
import type { TrialParams } from '../experiment/trial.js';
import { createRandom } from '../random.js';
import type { Tf } from './backend.js';
import { seededDropout } from './seeded-dropout.js';

/** One step of a network. Convolutions are 3x3, pools 2x2 with stride 2. */
export type Stage =
  | { kind: 'conv'; filters: (first: number) => number; padding: 'same' | 'valid' }
  | { kind: 'pool' }
  | { kind: 'dropout'; rate: number | 'trial' }
  | { kind: 'flatten' }
  | { kind: 'dense'; units: number | 'classes'; activation: 'relu' | 'softmax' };

const KERNEL = 3;
const POOL = 2;

const conv = (
  filters: (first: number) => number,
  padding: 'same' | 'valid',
): Stage => ({ kind: 'conv', filters, padding });
const pool: Stage = { kind: 'pool' };
const flatten: Stage = { kind: 'flatten' };
const dense = (units: number | 'classes', activation: 'relu' | 'softmax'): Stage => ({
  kind: 'dense',
  units,
  activation,
});
const dropout = (rate: number | 'trial'): Stage => ({ kind: 'dropout', rate });

export const ARCHITECTURE_STAGES: Record<Architecture, readonly Stage[]> = {
  // The blog post's network: only the first convolution scales with F.
  seed: [
    conv((f) => f, 'valid'),
    pool,
    conv(() => 32, 'valid'),
    pool,
    conv(() => 64, 'valid'),
    pool,
    flatten,
    dense(64, 'relu'),
    dropout('trial'),
    dense('classes', 'softmax'),
  ],
  // The Keras CIFAR-10 example, with F and 2F filters.
  cifar10: [
    conv((f) => f, 'same'),
    conv((f) => f, 'valid'),
    pool,
    dropout(0.25),
    conv((f) => 2 * f, 'same'),
    conv((f) => 2 * f, 'valid'),
    pool,
    dropout(0.25),
    flatten,
    dense(512, 'relu'),
    dropout('trial'),
    dense('classes', 'softmax'),
  ],
};

/**
 * Builds the trial's network, untrained. Every initialiser is seeded from
 * params.seed, so equal params give equal initial weights.
 */
export function buildModel(
  tf: Tf,
  params: TrialParams,
  numClasses: number,
): LayersModel {
  checkImageSize(params);
  const random = createRandom(params.seed);
  const nextSeed = () => random.int(2 ** 31);
  const model = tf.sequential();
  let inputShape: number[] | undefined = [params.imageSize, params.imageSize, 3];

  for (const stage of ARCHITECTURE_STAGES[params.architecture]) {
    model.add(buildLayer(tf, stage, { params, numClasses, nextSeed, inputShape }));
    inputShape = undefined;
  }
  return model;
}

interface LayerContext {
  params: TrialParams;
  numClasses: number;
  nextSeed: () => number;
  /** Only for the first layer. */
  inputShape: number[] | undefined;
}

function buildLayer(tf: Tf, stage: Stage, context: LayerContext) {
  const { params, nextSeed } = context;
  const first = context.inputShape === undefined ? {} : { inputShape: context.inputShape };
  const glorot = () => tf.initializers.glorotUniform({ seed: nextSeed() });

  switch (stage.kind) {
    case 'conv':
      return tf.layers.conv2d({
        ...first,
        filters: stage.filters(params.filters),
        kernelSize: KERNEL,
        padding: stage.padding,
        activation: 'relu',
        kernelInitializer: glorot(),
      });
    case 'pool':
      return tf.layers.maxPooling2d({ ...first, poolSize: POOL });
    case 'flatten':
      return tf.layers.flatten(first);
    case 'dense':
      return tf.layers.dense({
        ...first,
        units: stage.units === 'classes' ? context.numClasses : stage.units,
        activation: stage.activation,
        kernelInitializer: glorot(),
      });
    case 'dropout': {
      const rate = stage.rate === 'trial' ? params.dropout : stage.rate;
      return seededDropout(tf, { rate, seed: nextSeed() });
    }
  }
}

/** tfjs would build a network with empty feature maps and train it on nothing. */
function checkImageSize({ architecture, imageSize }: TrialParams): void {
  const min = minImageSize(architecture);
  if (imageSize < min) {
    throw new RuntimeError(
      'E_TRIAL',
      `imageSize ${imageSize} is too small for the ${architecture} network: ` +
        `its last pool would have no pixels (minimum ${min})`,
    );
  }
}

/**
 * The smallest input side for which every pool still has at least one
 * pixel (seed: 22, cifar10: 10). Smaller images cannot be trained.
 */
export function minImageSize(architecture: Architecture): number {
  for (let side = 1; ; side += 1) {
    if (spatialSides(architecture, side).every((s) => s >= 1)) return side;
  }
}

/** The feature-map side after each spatial stage, for an input side. */
function spatialSides(architecture: Architecture, side: number): number[] {
  const sides: number[] = [];
  for (const stage of ARCHITECTURE_STAGES[architecture]) {
    if (stage.kind === 'conv' && stage.padding === 'valid') side -= KERNEL - 1;
    else if (stage.kind === 'pool') side = Math.floor(side / POOL);
    else continue;
    sides.push(side);
  }
  return sides;
}

/**
 * Trainable parameters of a network, without building it: what
 * model.countParams() would say, for sizing decisions before a sweep.
 */
export function countParameters(
  architecture: Architecture,
  imageSize: number,
  filters: number,
  numClasses: number,
): number {
  let side = imageSize;
  let channels = 3;
  let features = 0;
  let total = 0;

  for (const stage of ARCHITECTURE_STAGES[architecture]) {
    if (stage.kind === 'conv') {
      const out = stage.filters(filters);
      total += KERNEL * KERNEL * channels * out + out;
      channels = out;
      if (stage.padding === 'valid') side -= KERNEL - 1;
    } else if (stage.kind === 'pool') {
      side = Math.floor(side / POOL);
    } else if (stage.kind === 'flatten') {
      features = side * side * channels;
    } else if (stage.kind === 'dense') {
      const units = stage.units === 'classes' ? numClasses : stage.units;
      total += features * units + units;
      features = units;
    }
  }
  return total;
}
