/** TrialParams for tests: small, with overrides as object literals. */
import type { TrialParams } from '../../src/experiment/trial.js';

export function trialParams(overrides: Partial<TrialParams> = {}): TrialParams {
  return {
    learningRate: 1e-3,
    imageSize: 16,
    filters: 8,
    architecture: 'cifar10',
    dropout: 0.5,
    epochs: 3,
    batchSize: 8,
    optimizer: 'rmsprop',
    decay: 1e-6,
    repeat: 0,
    seed: 42,
    ...overrides,
  };
}
