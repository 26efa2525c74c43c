import * as tf from '@tensorflow/tfjs';

/**
 * `log(sigmoid(x))` as `-softplus(-x)`: stable for large |x| in both directions, with softplus's
 * registered gradient (`sigmoid(-x)`). `tf.logSigmoid` is avoided because its custom gradient read a
 * disposed tensor on wasm under `tf.variableGrads` (see @trl/reward's loss). Returns a tensor the caller owns.
 */
export function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.neg(tf.softplus(tf.neg(x))));
}
