/**
 * A trial's training state between two epochs, and its file format. With
 * the weights, the optimizer's slots and its step count, a trial resumed
 * from epoch k trains epoch k + 1 exactly as the uninterrupted trial would
 * have: shuffles derive from (seed, epoch) and dropout masks from the step
 * count.
 *
 * Layout, little-endian:
 *   "GSWPCKPT" | u32 header bytes | header JSON (UTF-8) | pad to 4 |
 *   float32 values of every tensor, in header order
 * The header names the trial and the shape of every tensor, so a checkpoint
 * is never loaded into another trial's network.
 */
import type { OptimizerState } from '../model/optimizers.js';

export interface TrainingState {
  trialId: string;
  /** The last completed epoch; training resumes at epoch + 1. */
  epoch: number;
  /** Model weights in model.getWeights() order. */
  weights: { shape: number[]; values: Float32Array }[];
  optimizer: OptimizerState;
}

const MAGIC = 'GSWPCKPT';
const FORMAT_VERSION = 1;

interface Header {
  version: number;
  trialId: string;
  epoch: number;
  iterations: number;
  weights: number[][];
  /** Slot count per variable; each slot has its variable's shape. */
  slots: number[];
}

export function encodeState(state: TrainingState): Uint8Array {
  const header: Header = {
    version: FORMAT_VERSION,
    trialId: state.trialId,
    epoch: state.epoch,
    iterations: state.optimizer.iterations,
    weights: state.weights.map((w) => w.shape),
    slots: state.optimizer.slots.map((list) => list.length),
  };
  const arrays = [
    ...state.weights.map((w) => w.values),
    ...state.optimizer.slots.flat(),
  ];
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align4(MAGIC.length + 4 + json.length);
  const floats = arrays.reduce((sum, a) => sum + a.length, 0);
  const bytes = new Uint8Array(dataStart + floats * 4);

  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(MAGIC.length, json.length, true);
  bytes.set(json, MAGIC.length + 4);
  const data = new Float32Array(bytes.buffer, dataStart, floats);
  let offset = 0;
  for (const array of arrays) {
    data.set(array, offset);
    offset += array.length;
  }
  return bytes;
}

/**
 * Reads a checkpoint written by encodeState. Throws a RangeError naming
 * what is wrong when the bytes are not a checkpoint of this trial.
 */
export function decodeState(bytes: Uint8Array, trialId: string): TrainingState {
  const text = new TextDecoder();
  if (bytes.length < MAGIC.length + 4 || text.decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new RangeError('not a gridsweep checkpoint');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(MAGIC.length, true);
  const jsonEnd = MAGIC.length + 4 + jsonLength;
  if (jsonEnd > bytes.length) throw new RangeError('checkpoint header is truncated');
  const header = JSON.parse(text.decode(bytes.subarray(MAGIC.length + 4, jsonEnd))) as Header;
  if (header.version !== FORMAT_VERSION) {
    throw new RangeError(`checkpoint format ${header.version} is not supported`);
  }
  if (header.trialId !== trialId) {
    throw new RangeError(`checkpoint belongs to trial ${header.trialId}, not ${trialId}`);
  }

  const sizes = header.weights.map((shape) => shape.reduce((a, b) => a * b, 1));
  const floats =
    sizes.reduce((a, b) => a + b, 0) +
    header.slots.reduce((sum, count, i) => sum + count * sizes[i]!, 0);
  const dataStart = align4(jsonEnd);
  if (bytes.length !== dataStart + floats * 4) {
    throw new RangeError(
      `checkpoint holds ${bytes.length} bytes, its header describes ${dataStart + floats * 4}`,
    );
  }
  // Copy out of the file's buffer: it may not be 4-byte aligned.
  const data = new Float32Array(bytes.slice(dataStart).buffer);
  let offset = 0;
  const take = (n: number) => data.subarray(offset, (offset += n));

  const weights = header.weights.map((shape, i) => ({ shape, values: take(sizes[i]!) }));
  const slots = header.slots.map((count, i) =>
    Array.from({ length: count }, () => take(sizes[i]!)),
  );
  return {
    trialId: header.trialId,
    epoch: header.epoch,
    weights,
    optimizer: { iterations: header.iterations, slots },
  };
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}
