import * as tf from '@tensorflow/tfjs';
import { customGradient } from '../ops/custom-gradient';

const identityWithoutGradient = customGradient<[tf.Tensor], tf.Tensor>(([x]) => ({
  value: x.clone(),
  gradFunc: (dy) => [tf.zerosLike(dy)],
}));

/**
 * `x` with its gradient cut (torch's `x.detach()`): the same values, but nothing flows back through it.
 * GRPO with `numIterations = 1` uses `stopGradient(logprobs)` as the old log-probs, so the ratio is 1 in
 * value yet still carries the policy gradient through its numerator. Returns a new tensor the caller owns.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return identityWithoutGradient(x) as T;
}
