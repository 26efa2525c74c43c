import * as tf from '@tensorflow/tfjs';
import { customGradient } from './custom-gradient';
import { check, checkDtype, checkTensor, formatShape } from './validate';

/** How {@link crossEntropy} combines per-position losses. */
export type CrossEntropyReduction = 'mean' | 'sum' | 'none';

/** Options of {@link crossEntropy}; defaults follow PyTorch's `cross_entropy`. */
export interface CrossEntropyOptions {
  /** Label value whose positions contribute no loss and no gradient. Default -100. */
  ignoreIndex?: number;
  /**
   * `mean` over non-ignored positions (0 when every position is ignored), `sum`, or `none` for the
   * per-position losses shaped like `labels` (0 at ignored positions). Default `mean`.
   */
  reduction?: CrossEntropyReduction;
}

/**
 * Per-row negative log-likelihood `logsumexp(z) − z[label]` of `logits [n, vocab]`, times `weight`
 * (0 for ignored rows). Differentiating log-softmax and a gather automatically would need
 * UnsortedSegmentSum (missing on wasm) and keep a `[n, vocab]` log-softmax alive, so the gradient
 * `(softmax(z) − onehot(label)) · weight` is written directly from the saved softmax.
 */
function rowNll(logits: tf.Tensor2D, labels: Int32Array, weights: Float32Array): tf.Tensor1D {
  const [rows, vocab] = logits.shape;
  const flatIndex = new Int32Array(rows);
  for (let i = 0; i < rows; i++) flatIndex[i] = i * vocab + labels[i]!;
  const op = customGradient<[tf.Tensor2D], tf.Tensor1D>(([z], save) => {
    // softmax(z) at the argmax is exp(0)/Σexp(z − max), so logsumexp = max − log(max(softmax)):
    // one vectorised softmax instead of wasm's scalar exp over [n, vocab].
    const probabilities = tf.softmax(z);
    const logSumExp = tf.sub(tf.max(z, 1), tf.log(tf.max(probabilities, 1)));
    const picked = tf.gather(tf.reshape(z, [rows * vocab]), tf.tensor1d(flatIndex, 'int32'));
    const weight = tf.tensor1d(weights);
    save([probabilities, weight]);
    return {
      value: tf.mul(tf.sub(logSumExp, picked), weight),
      gradFunc: (dy, [savedProbabilities, savedWeight]) => {
        const target = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), vocab), 'float32');
        const scale = tf.reshape(tf.mul(dy, savedWeight!), [rows, 1]);
        return [tf.mul(tf.sub(savedProbabilities!, target), scale)];
      },
    };
  });
  return op(logits);
}

/**
 * Softmax cross-entropy between `logits [n, vocab]` or `[batch, seq, vocab]` and int32 `labels`
 * of the same leading shape, as PyTorch's `cross_entropy` (no shifting: pass labels aligned with
 * the logits). Positions labelled `ignoreIndex` are skipped; the mean divides by the number of
 * kept positions.
 */
export function crossEntropy(
  logits: tf.Tensor,
  labels: tf.Tensor,
  options: CrossEntropyOptions = {},
): tf.Tensor {
  const op = 'crossEntropy';
  const { ignoreIndex = -100, reduction = 'mean' } = options;
  checkTensor(logits, op, 'logits');
  checkTensor(labels, op, 'labels');
  check(
    logits.rank === 2 || logits.rank === 3,
    op,
    () => `logits must be [n, vocab] or [batch, seq, vocab], got shape ${formatShape(logits.shape)}`,
  );
  checkDtype(logits, 'float32', op, 'logits');
  checkDtype(labels, 'int32', op, 'labels');
  const leading = logits.shape.slice(0, -1);
  check(
    labels.rank === leading.length && labels.shape.every((size, axis) => size === leading[axis]),
    op,
    () =>
      `labels must have shape ${formatShape(leading)} (logits without vocab), got ${formatShape(labels.shape)}`,
  );
  check(
    reduction === 'mean' || reduction === 'sum' || reduction === 'none',
    op,
    () => `reduction must be 'mean', 'sum' or 'none', got '${String(reduction)}'`,
  );
  check(Number.isInteger(ignoreIndex), op, () => `ignoreIndex must be an integer, got ${ignoreIndex}`);
  const vocab = logits.shape[logits.rank - 1]!;
  const rawLabels = labels.dataSync();
  const safeLabels = new Int32Array(rawLabels.length);
  const weights = new Float32Array(rawLabels.length);
  let kept = 0;
  for (let i = 0; i < rawLabels.length; i++) {
    const label = rawLabels[i]!;
    if (label === ignoreIndex) continue;
    check(
      label >= 0 && label < vocab,
      op,
      () =>
        `labels must lie in [0, ${vocab}) or equal ignoreIndex (${ignoreIndex}), got ${label} at flat position ${i}`,
    );
    safeLabels[i] = label;
    weights[i] = 1;
    kept++;
  }
  return tf.tidy(() => {
    const losses = rowNll(tf.reshape(logits, [-1, vocab]), safeLabels, weights);
    if (reduction === 'none') return tf.reshape(losses, labels.shape);
    const total = tf.sum(losses);
    return reduction === 'sum' ? total : tf.div(total, Math.max(kept, 1));
  });
}
