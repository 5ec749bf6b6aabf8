/**
 * What a batch is scored by: Keras' categorical cross-entropy on softmax
 * probabilities, and the number of correct top-1 predictions. Both return
 * sums over the batch, so epoch means are exact whatever the batch sizes.
 */
import type { Scalar, Tensor } from '@tensorflow/tfjs';

import type { Tf } from '../model/backend.js';

/** Keras' K.epsilon(): keeps log() finite when a probability reaches 0. */
const EPSILON = 1e-7;

/**
 * Summed cross-entropy of one-hot targets against probabilities, computed
 * as Keras does for a softmax output: renormalise, clip to
 * [epsilon, 1 - epsilon], then -sum(y * log p). Clipping caps a sample's
 * loss at -log(1e-7) = 16.1, so a diverging trial shows up as NaN (from
 * non-finite weights), never as infinity.
 */
export function crossEntropySum(tf: Tf, targets: Tensor, probs: Tensor): Scalar {
  return tf.tidy((): Scalar => {
    const normalised = tf.div(probs, tf.sum(probs, -1, true));
    // Not clipByValue: on wasm it turns NaN into the lower bound, which
    // would hide a diverged network behind a finite loss of 16.1.
    const clipped = tf.minimum(tf.maximum(normalised, EPSILON), 1 - EPSILON);
    return tf.neg(tf.sum(tf.mul(targets, tf.log(clipped)))) as Scalar;
  });
}

/** How many rows' highest probability is at the target class. */
export function correctCount(tf: Tf, targets: Tensor, probs: Tensor): Scalar {
  return tf.tidy((): Scalar => {
    const hits = tf.equal(tf.argMax(probs, -1), tf.argMax(targets, -1));
    return tf.sum(tf.cast(hits, 'float32'));
  });
}
