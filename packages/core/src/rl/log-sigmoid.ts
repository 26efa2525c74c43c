import * as tf from '@tensorflow/tfjs';

/**
 * `log(sigmoid(x))` as `-softplus(-x)`: stable for large |x| in both directions, and its gradient
 * (`sigmoid(-x)`) comes from softplus's, avoiding `tf.logSigmoid`, whose gradient was wrong on a backend
 * used here. Returns a new tensor the caller owns.
 */
export function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.neg(tf.softplus(tf.neg(x))));
}
