import * as tf from '@tensorflow/tfjs';

/** What the forward half of a {@link customGradient} op returns. */
export interface CustomGradientResult<T extends tf.Tensor> {
  /** The op's output. */
  value: T;
  /** Maps the output's gradient (and the tensors passed to `save`) to one gradient per input, in order. */
  gradFunc: (dy: T, saved: tf.Tensor[]) => tf.Tensor[];
}

/**
 * A typed front for `tf.customGrad`, whose own signature mixes the inputs with the `save`
 * callback in one rest array. `save` keeps forward tensors alive for the backward pass.
 */
export function customGradient<I extends tf.Tensor[], T extends tf.Tensor>(
  forward: (inputs: I, save: tf.GradSaveFunc) => CustomGradientResult<T>,
): (...inputs: I) => T {
  const op = tf.customGrad<T>((...args) => {
    const save = args.pop() as tf.GradSaveFunc;
    return forward(args as I, save);
  });
  return (...inputs: I) => op(...inputs);
}
