/**
 * A trial: one grid cell at one repeat, with every hyperparameter resolved.
 * This is plain data; it crosses worker-thread and process boundaries as is.
 */
import type { Architecture, OptimizerName } from './schema.js';

export interface TrialParams {
  /** Initial learning rate. */
  learningRate: number;
  /** Side of the square network input, in pixels. */
  imageSize: number;
  /** Filters of the first convolution. */
  filters: number;
  architecture: Architecture;
  /** Dropout rate before the output layer. */
  dropout: number;
  epochs: number;
  /** Images per gradient step. */
  batchSize: number;
  optimizer: OptimizerName;
  /** Keras time-based decay: lr / (1 + decay * iteration). */
  decay: number;
  /** 0-based index of this repeat of the cell. */
  repeat: number;
  /** Drives weight initialisation, shuffling and dropout. */
  seed: number;
}

/** The parameters that may vary across a grid, in their display order. */
export const AXES = [
  'learningRate',
  'imageSize',
  'filters',
  'architecture',
  'dropout',
  'epochs',
  'batchSize',
  'optimizer',
  'decay',
] as const satisfies readonly (keyof TrialParams)[];

export type Axis = (typeof AXES)[number];

export interface Trial {
  /** Hash of the canonical trial config and the dataset fingerprint. */
  id: string;
  /** Position in the sweep's stable expansion order, from 0. */
  index: number;
  params: TrialParams;
}
