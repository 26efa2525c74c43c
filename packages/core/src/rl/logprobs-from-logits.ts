import * as tf from '@tensorflow/tfjs';
import { TrlError } from '@trl/spec';
import { assertTensor } from './validate';

const FN = 'logprobsFromLogits';

/**
 * `log softmax(logits)[label]` per position with a hand-written gradient `dy · (onehot − softmax)`.
 * logsumexp comes from one softmax (its value at the argmax is 1/Σexp(z − max)), so neither the
 * forward nor the backward pass runs wasm's scalar exp, nor the broadcast comparisons that
 * differentiating `tf.logSumExp` produces.
 */
function labelLogprobs(logits: tf.Tensor3D, labels: tf.Tensor2D): tf.Tensor2D {
  const [batch, steps, vocab] = logits.shape;
  const rows = batch * steps;
  const op = tf.customGrad((logitsInput, save) => {
    const z = tf.reshape(logitsInput as tf.Tensor3D, [rows, vocab]) as tf.Tensor2D;
    const probabilities = tf.softmax(z);
    const logSumExp = tf.sub(tf.max(z, 1), tf.log(tf.max(probabilities, 1)));
    const rowStarts = tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(vocab, 'int32'));
    const flatIndex = tf.add(rowStarts, tf.reshape(labels, [rows]));
    const picked = tf.gather(tf.reshape(z, [rows * vocab]), flatIndex);
    // The labels may be created inside tf.variableGrads and freed before the backward pass runs:
    // `save` keeps them alive exactly as long as the gradient needs them.
    (save as tf.GradSaveFunc)([probabilities, labels]);
    return {
      value: tf.reshape(tf.sub(picked, logSumExp), [batch, steps]),
      gradFunc: (dy, saved) => {
        const oneHot = tf.cast(tf.oneHot(tf.reshape(saved[1] as tf.Tensor2D, [rows]), vocab), 'float32');
        const scale = tf.reshape(dy as tf.Tensor, [rows, 1]);
        return tf.reshape(tf.mul(tf.sub(oneHot, saved[0] as tf.Tensor2D), scale), [batch, steps, vocab]);
      },
    };
  });
  return op(logits) as tf.Tensor2D;
}

/** Reads the labels (a small int sync) so an out-of-range id fails here, not as garbage from gather. */
function assertLabelsInVocab(labels: tf.Tensor2D, vocab: number): void {
  const ids = labels.dataSync();
  for (let index = 0; index < ids.length; index++) {
    const id = ids[index] as number;
    if (id < 0 || id >= vocab) {
      throw new TrlError(
        'invalid-argument',
        `${FN}: \`labels\` holds token id ${id} at flat index ${index}, outside the vocabulary [0, ${vocab}); ` +
          'replace padding ids with a valid id (the mask excludes those positions anyway).',
      );
    }
  }
}

/**
 * Log-probability of each label under the logits (TRL `logprobs_from_logits`):
 *
 *     logprob[b, t] = logits[b, t, y] - logsumexp_v logits[b, t, v],   y = labels[b, t]
 *
 * Differentiable with respect to `logits`; labels are int32 token ids in `[0, vocab)`.
 *
 * @param logits float32 `[batch, steps, vocab]`.
 * @param labels int32 `[batch, steps]`.
 * @returns float32 `[batch, steps]`.
 */
export function logprobsFromLogits(logits: tf.Tensor3D, labels: tf.Tensor2D): tf.Tensor2D {
  assertTensor(FN, 'logits', logits, { dtypes: ['float32'], rank: 3 });
  assertTensor(FN, 'labels', labels, { dtypes: ['int32'], rank: 2 });
  if (labels.shape[0] !== logits.shape[0] || labels.shape[1] !== logits.shape[1]) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: \`labels\` has shape [${labels.shape.join(', ')}] but \`logits\` has shape ` +
        `[${logits.shape.join(', ')}]; labels must be [batch, steps] of the logits.`,
    );
  }
  assertLabelsInVocab(labels, logits.shape[2]);
  return tf.tidy(() => labelLogprobs(logits, labels));
}

/**
 * Log-softmax over the vocabulary, the `gather=False` branch of TRL's `logprobs_from_logits`; the
 * `'full'` KL penalty needs the whole distribution.
 *
 *     logp[b, t, v] = logits[b, t, v] - logsumexp_v' logits[b, t, v']
 *
 * @param logits float32 `[batch, steps, vocab]`.
 * @returns float32 `[batch, steps, vocab]`.
 */
export function fullLogprobsFromLogits(logits: tf.Tensor3D): tf.Tensor3D {
  assertTensor('fullLogprobsFromLogits', 'logits', logits, { dtypes: ['float32'], rank: 3 });
  return tf.logSoftmax(logits, -1);
}
