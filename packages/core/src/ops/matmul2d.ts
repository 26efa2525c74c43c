import * as tf from '@tensorflow/tfjs';
import { getCapability } from '../accel/capabilities';
import { customGradient } from './custom-gradient';
import { check, checkDtype, checkRank, checkTensor, formatShape } from './validate';

/**
 * Plain `a @ b` for 2-D operands on the current backend. Guards the empty inner dimension,
 * for which wasm's MatMul returns uninitialised memory instead of zeros.
 */
function plainMatMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const [rows, inner] = a.shape;
  const cols = b.shape[1];
  if (inner === 0) return tf.zeros([rows, cols]);
  return tf.matMul(a, b);
}

/**
 * Whether the backend multiplies transposed operands as fast as plain ones. tfjs-node's TensorFlow
 * kernels do, and so does any backend a `transposedMatMul` capability claims (wasm with
 * @trl/native's kernels); stock wasm routes only non-transposed 2-D products through XNNPACK, so
 * there (and on cpu, where it costs nothing extra) transposing explicitly first is the fast path.
 */
function hasFastTransposedMatMul(): boolean {
  const backend = tf.getBackend();
  if (backend === 'tensorflow') return true;
  return getCapability('transposedMatMul')?.supportsBackend(backend) === true;
}

const matmul2dOp = customGradient<[tf.Tensor2D, tf.Tensor2D], tf.Tensor2D>(([a, b], save) => {
  save([a, b]);
  return {
    value: plainMatMul(a, b),
    gradFunc: (dy, [savedA, savedB]) => {
      const left = savedA as tf.Tensor2D;
      const right = savedB as tf.Tensor2D;
      if (hasFastTransposedMatMul()) {
        return [tf.matMul(dy, right, false, true), tf.matMul(left, dy, true, false)];
      }
      // dA = dY · Bᵀ and dB = Aᵀ · dY, with the transposes materialised so both stay on XNNPACK.
      return [plainMatMul(dy, tf.transpose(right)), plainMatMul(tf.transpose(left), dy)];
    },
  };
});

/**
 * Matrix product `a @ b` of float32 `a [m, k]` and `b [k, n]`, giving `[m, n]`.
 *
 * Same value as `tf.matMul`, but its gradient multiplies explicitly transposed copies instead of
 * using MatMul's transpose flags: on the wasm backend transposed products leave XNNPACK and run
 * 14–45× slower, which dominates training time. All linear layers go through this op.
 */
export function matmul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  checkTensor(a, 'matmul2d', 'a');
  checkTensor(b, 'matmul2d', 'b');
  checkRank(a, 2, 'matmul2d', 'a', '[m, k]');
  checkRank(b, 2, 'matmul2d', 'b', '[k, n]');
  checkDtype(a, 'float32', 'matmul2d', 'a');
  checkDtype(b, 'float32', 'matmul2d', 'b');
  check(
    a.shape[1] === b.shape[0],
    'matmul2d',
    () =>
      `inner dimensions differ: a is ${formatShape(a.shape)} and b is ${formatShape(b.shape)} ` +
      `(a's columns must equal b's rows)`,
  );
  return matmul2dOp(a, b);
}

/**
 * `a [m, k] @ bᵀ` for `b [n, k]` (e.g. hidden states times a tied embedding). With fast transposed
 * products (tfjs-node, or a `transposedMatMul` capability such as @trl/native's on wasm) it is one
 * matmul with a transpose flag and the default gradients; otherwise `bᵀ` is materialised so the
 * product and its gradient stay plain.
 */
export function matmulTransposedB(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  checkTensor(a, 'matmulTransposedB', 'a');
  checkTensor(b, 'matmulTransposedB', 'b');
  checkRank(a, 2, 'matmulTransposedB', 'a', '[m, k]');
  checkRank(b, 2, 'matmulTransposedB', 'b', '[n, k]');
  check(
    a.shape[1] === b.shape[1],
    'matmulTransposedB',
    () => `a is ${formatShape(a.shape)} and b is ${formatShape(b.shape)}; both need the same last axis k`,
  );
  if (hasFastTransposedMatMul() && a.shape[1] > 0) return tf.matMul(a, b, false, true);
  return tf.tidy(() => matmul2d(a, tf.transpose(b)));
}
