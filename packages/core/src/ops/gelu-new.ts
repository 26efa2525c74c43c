import * as tf from '@tensorflow/tfjs';
import { customGradient } from './custom-gradient';
import { checkDtype, checkTensor } from './validate';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const CUBIC = 0.044715;

const geluNewOp = customGradient<[tf.Tensor], tf.Tensor>(([x], save) => {
  const cube = tf.mul(tf.square(x), x);
  const t = tf.tanh(tf.mul(tf.add(x, tf.mul(cube, CUBIC)), SQRT_2_OVER_PI));
  save([x, t]);
  return {
    value: tf.mul(tf.mul(x, 0.5), tf.add(t, 1)),
    gradFunc: (dy, [input, tanhValue]) => {
      // d/dx = ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²), reusing the forward tanh.
      const xs = input!;
      const th = tanhValue!;
      const slope = tf.mul(tf.add(tf.mul(tf.square(xs), 3 * CUBIC), 1), SQRT_2_OVER_PI);
      const sech2 = tf.sub(1, tf.square(th));
      const derivative = tf.add(tf.mul(tf.add(th, 1), 0.5), tf.mul(tf.mul(tf.mul(xs, 0.5), sech2), slope));
      return [tf.mul(dy, derivative)];
    },
  };
});

/**
 * GPT-2's GELU ("gelu_new"), the tanh approximation
 * `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`, with a hand-written gradient that reuses the
 * forward tanh.
 */
export function geluNew(x: tf.Tensor): tf.Tensor {
  checkTensor(x, 'geluNew', 'x');
  checkDtype(x, 'float32', 'geluNew', 'x');
  return geluNewOp(x);
}
