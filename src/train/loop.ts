/**
 * The training loop: one trial, epoch by epoch. Trials in workers and the
 * `bench train` command both run this code, so their speeds agree.
 *
 * A trial is deterministic on a given backend: weights, shuffles and
 * dropout masks all derive from params.seed.
 */
import type { LayersModel, Tensor, Variable } from '@tensorflow/tfjs';

import type { ImageSet } from '../data/types.js';
import { RuntimeError } from '../errors.js';
import type { TrialParams } from '../experiment/trial.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { buildModel } from '../model/architectures.js';
import type { Tf } from '../model/backend.js';
import { createOptimizer, type Optimizer } from '../model/optimizers.js';
import { skipDropoutSteps } from '../model/seeded-dropout.js';
import { createRandom } from '../random.js';
import { checkImageSet, makeBatch, range } from './batches.js';
import { encodeState, type TrainingState } from './checkpoint.js';
import { correctCount, crossEntropySum } from './metrics.js';

export interface EpochMetrics {
  /** 1-based. */
  epoch: number;
  /** Mean training loss over the epoch's samples (as Keras reports it). */
  loss: number;
  /** Fraction of training samples classified correctly during the epoch. */
  acc: number;
  /** Validation loss, without dropout; NaN when there is no validation set. */
  valLoss: number;
  valAcc: number;
  /** Wall time of this epoch including validation, in seconds. */
  seconds: number;
}

/**
 * What the caller decides after an epoch: whether to save the training
 * state, and whether to stop here. Deciding outside the loop lets the
 * coordinator stop a trial on what other trials did (median, ASHA) and
 * pause every trial on Ctrl-C.
 */
export interface EpochVerdict {
  /** Save the state at this epoch through onCheckpoint before going on. */
  checkpoint?: boolean;
  stop?: { status: 'stopped' | 'diverged' | 'paused'; reason: string };
}

export interface TrainInput {
  params: TrialParams;
  numClasses: number;
  train: ImageSet;
  validation: ImageSet;
  /** State saved at an earlier epoch: training goes on from the next one. */
  resume?: TrainingState;
  /** Trial id written into checkpoints (default ''). */
  trialId?: string;
  /** Called after each completed epoch; awaited before the next starts. */
  onEpoch?: (
    metrics: EpochMetrics,
  ) => EpochVerdict | void | Promise<EpochVerdict | void>;
  /** Receives the encoded state when a verdict asks for a checkpoint. */
  onCheckpoint?: (epoch: number, bytes: Uint8Array) => void | Promise<void>;
  /** Checked between batches; when aborted the trial ends as 'aborted'. */
  signal?: AbortSignal;
  logger?: Logger;
}

export interface TrainResult {
  status: 'done' | 'diverged' | 'stopped' | 'paused' | 'aborted';
  /** The last epoch completed and reported through onEpoch. */
  epochsRun: number;
  reason?: string;
}

/** Pixels per validation chunk: bounds the memory of evaluation. */
const VALIDATION_PIXELS = 2 ** 20;

interface Session {
  tf: Tf;
  input: TrainInput;
  model: LayersModel;
  variables: Variable[];
  optimizer: Optimizer;
  logger: Logger;
}

/**
 * Trains one trial. Every tensor it creates is freed before it returns or
 * throws; errors (bad data, a failing backend, a throwing onEpoch)
 * propagate to the caller.
 */
export async function trainTrial(tf: Tf, input: TrainInput): Promise<TrainResult> {
  checkInput(input);
  const owned: { dispose(): void }[] = [];
  try {
    const { params, numClasses } = input;
    const model = own(owned, buildModel(tf, params, numClasses));
    const optimizer = own(owned, createOptimizer(tf, params));
    const variables = model.trainableWeights.map((w) => w.read() as Variable);
    const logger = input.logger ?? silentLogger;

    const session = { tf, input, model, variables, optimizer, logger };
    if (input.resume) restoreState(session, input.resume);
    return await runEpochs(session);
  } finally {
    for (const item of owned.reverse()) item.dispose();
  }
}

async function runEpochs(session: Session): Promise<TrainResult> {
  const { input, logger } = session;
  const { epochs } = input.params;
  const first = (input.resume?.epoch ?? 0) + 1;

  for (let epoch = first; epoch <= epochs; epoch += 1) {
    const started = performance.now();
    const fit = await fitEpoch(session, epoch);
    if (fit.status !== 'ok') {
      return { status: fit.status, epochsRun: epoch - 1, reason: fit.reason };
    }

    const val = evaluate(session);
    const metrics: EpochMetrics = {
      epoch,
      loss: fit.loss,
      acc: fit.acc,
      valLoss: val.loss,
      valAcc: val.acc,
      seconds: (performance.now() - started) / 1000,
    };
    logger.debug(describeEpoch(metrics, epochs));
    const verdict = (await input.onEpoch?.(metrics)) ?? {};
    if (verdict.checkpoint) {
      await input.onCheckpoint?.(epoch, encodeState(captureState(session, epoch)));
    }
    if (verdict.stop) {
      return { status: verdict.stop.status, epochsRun: epoch, reason: verdict.stop.reason };
    }
  }
  return { status: 'done', epochsRun: epochs };
}

/** The weights and optimizer state after `epoch`, copied out of the backend. */
function captureState(session: Session, epoch: number): TrainingState {
  const { model, variables, optimizer, input } = session;
  return {
    trialId: input.trialId ?? '',
    epoch,
    weights: model.getWeights().map((w) => ({
      shape: w.shape,
      values: w.dataSync() as Float32Array,
    })),
    optimizer: optimizer.exportState(variables),
  };
}

function restoreState(session: Session, state: TrainingState): void {
  const { tf, model, variables, optimizer, input } = session;
  const current = model.getWeights();
  if (state.weights.length !== current.length) {
    throw new RuntimeError(
      'E_CHECKPOINT',
      `the checkpoint has ${state.weights.length} weight tensors, the network ${current.length}`,
    );
  }
  current.forEach((w, i) => {
    const shape = state.weights[i]!.shape;
    if (shape.join('x') !== w.shape.join('x')) {
      throw new RuntimeError(
        'E_CHECKPOINT',
        `checkpoint weight ${i} has shape [${shape}], the network's is [${w.shape}]`,
      );
    }
  });
  if (state.epoch < 1 || state.epoch >= input.params.epochs) {
    throw new RuntimeError(
      'E_CHECKPOINT',
      `the checkpoint is at epoch ${state.epoch}, outside 1..${input.params.epochs - 1}`,
    );
  }
  const tensors = state.weights.map((w) => tf.tensor(w.values, w.shape, 'float32'));
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
  optimizer.importState(variables, state.optimizer);
  skipDropoutSteps(model.layers, state.optimizer.iterations);
}

type EpochFit =
  | { status: 'ok'; loss: number; acc: number }
  | { status: 'diverged' | 'aborted'; reason: string };

/**
 * One pass over the training set in a seeded order. Each batch's loss is
 * read back (a 4-byte copy on the CPU backends) so that divergence stops
 * the trial at the batch where it happens, as Keras' TerminateOnNaN does.
 */
async function fitEpoch(session: Session, epoch: number): Promise<EpochFit> {
  const { input } = session;
  const { train } = input;
  const { batchSize, seed } = input.params;
  const order = shuffledIndices(train.count, epochSeed(seed, epoch));
  let lossSum = 0;
  let correct = 0;

  for (let start = 0, batch = 1; start < train.count; start += batchSize, batch += 1) {
    if (input.signal?.aborted) return { status: 'aborted', reason: abortReason(input.signal) };

    const rows = order.subarray(start, start + batchSize);
    const step = trainStep(session, rows);
    if (!Number.isFinite(step.loss)) {
      const reason = `epoch ${epoch}, batch ${batch}: training loss was ${step.loss}`;
      return { status: 'diverged', reason };
    }
    lossSum += step.loss * rows.length;
    correct += step.correct;

    // Lets an abort message reach this thread between batches; wasm and
    // node backends are synchronous and would otherwise hold the loop.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { status: 'ok', loss: lossSum / train.count, acc: correct / train.count };
}

/** One gradient step on the given rows; returns the batch's mean loss. */
function trainStep(session: Session, rows: Int32Array): { loss: number; correct: number } {
  const { tf, model, variables, optimizer, input } = session;
  const batch = makeBatch(tf, input.train, rows, input.numClasses);
  let correct: Tensor | undefined;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const probs = model.apply(batch.x, { training: true }) as Tensor;
      correct = tf.keep(correctCount(tf, batch.y, probs));
      return tf.div(crossEntropySum(tf, batch.y, probs), rows.length);
    }, variables);
    optimizer.applyGradients(variables, grads);
    tf.dispose(grads);

    const loss = value.dataSync()[0]!;
    value.dispose();
    return { loss, correct: correct === undefined ? 0 : correct.dataSync()[0]! };
  } finally {
    correct?.dispose();
    batch.x.dispose();
    batch.y.dispose();
  }
}

/** Loss and accuracy on the validation set, in large chunks, no dropout. */
function evaluate(session: Session): { loss: number; acc: number } {
  const { tf, model, input } = session;
  const { validation, numClasses } = input;
  const { imageSize, batchSize } = input.params;
  const chunk = Math.max(batchSize, Math.floor(VALIDATION_PIXELS / imageSize ** 2));
  let lossSum = 0;
  let correct = 0;

  for (let start = 0; start < validation.count; start += chunk) {
    const end = Math.min(start + chunk, validation.count);
    const [loss, hits] = tf.tidy(() => {
      const { x, y } = makeBatch(tf, validation, range(start, end), numClasses);
      const probs = model.apply(x, { training: false }) as Tensor;
      return [crossEntropySum(tf, y, probs), correctCount(tf, y, probs)];
    });
    lossSum += loss.dataSync()[0]!;
    correct += hits.dataSync()[0]!;
    tf.dispose([loss, hits]);
  }
  // An empty validation set has no loss: NaN, which the store records as null.
  return { loss: lossSum / validation.count, acc: correct / validation.count };
}

function checkInput({ params, numClasses, train, validation }: TrainInput): void {
  checkImageSet(train, params.imageSize, numClasses, 'training');
  checkImageSet(validation, params.imageSize, numClasses, 'validation');
  if (train.count === 0) {
    throw new RuntimeError('E_TRIAL', 'the training set has no images');
  }
}

function shuffledIndices(count: number, seed: number): Int32Array {
  const indices = Array.from({ length: count }, (_, i) => i);
  return Int32Array.from(createRandom(seed).shuffle(indices));
}

/**
 * A well-mixed seed per (trial seed, epoch). Adding them would give repeat
 * r + 1 (trained with seed + 1) the shuffles of repeat r one epoch later,
 * so the pair is hashed (murmur3's finaliser) instead.
 */
export function epochSeed(seed: number, epoch: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(epoch, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return `aborted: ${reason.message}`;
  return reason === undefined ? 'aborted' : `aborted: ${String(reason)}`;
}

function describeEpoch(m: EpochMetrics, epochs: number): string {
  return (
    `epoch ${m.epoch}/${epochs}: loss ${m.loss.toFixed(4)} acc ${m.acc.toFixed(3)} ` +
    `val_loss ${m.valLoss.toFixed(4)} val_acc ${m.valAcc.toFixed(3)} ` +
    `(${m.seconds.toFixed(2)} s)`
  );
}

function own<T extends { dispose(): void }>(owned: { dispose(): void }[], item: T): T {
  owned.push(item);
  return item;
}
