import * as tf from '@tensorflow/tfjs';
import { assertTensor } from './validate';

const FN = 'logprobsFromLogits';

/**
 * Picks `logits[b, t, labels[b, t]]` with a hand-written gradient: tfjs's own gather gradient needs
 * `UnsortedSegmentSum`, which the wasm backend lacks. The gradient is the one-hot of the labels
 * scaled by the upstream gradient, so nothing vocab-sized is built on the forward pass.
 */
function selectLabelLogits(logits: tf.Tensor3D, labels: tf.Tensor2D): tf.Tensor2D {
  const [batch, steps, vocab] = logits.shape;
  const select = tf.customGrad((logitsInput, save) => {
    const input = logitsInput as tf.Tensor3D;
    // The labels may be created inside tf.variableGrads and freed before the backward pass runs:
    // `save` keeps a copy alive exactly as long as the gradient needs it.
    (save as tf.GradSaveFunc)([labels]);
    const rowStarts = tf.mul(tf.range(0, batch * steps, 1, 'int32'), tf.scalar(vocab, 'int32'));
    const flatIndex = tf.add(rowStarts, tf.reshape(labels, [batch * steps]));
    const picked = tf.reshape(tf.gather(tf.reshape(input, [batch * steps * vocab]), flatIndex), [
      batch,
      steps,
    ]);
    return {
      value: picked,
      gradFunc: (dy, saved) => {
        const oneHot = tf.cast(tf.oneHot(saved[0] as tf.Tensor2D, vocab), 'float32');
        return tf.mul(oneHot, tf.expandDims(dy as tf.Tensor, -1));
      },
    };
  });
  return select(logits) as tf.Tensor2D;
}

/** Reads the labels (a small int sync) so an out-of-range id fails here, not as garbage from gather. */
function assertLabelsInVocab(labels: tf.Tensor2D, vocab: number): void {
  const ids = labels.dataSync();
  for (let index = 0; index < ids.length; index++) {
    const id = ids[index] as number;
    if (id < 0 || id >= vocab) {
      throw new Error(
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
    throw new Error(
      `${FN}: \`labels\` has shape [${labels.shape.join(', ')}] but \`logits\` has shape ` +
        `[${logits.shape.join(', ')}]; labels must be [batch, steps] of the logits.`,
    );
  }
  assertLabelsInVocab(labels, logits.shape[2]);
  return tf.tidy(() => tf.sub(selectLabelLogits(logits, labels), tf.logSumExp(logits, -1)) as tf.Tensor2D);
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
