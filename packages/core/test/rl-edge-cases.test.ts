import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { computeRewards, logprobsFromLogits } from '../src/rl/index';
import { describeEachBackend } from './helpers/backends';

describeEachBackend('RL math edge cases', () => {
  it('logprobsFromLogits differentiates when its labels are created and freed inside variableGrads', () => {
    const logits = tf.variable(tf.tensor3d([[[0.5, -1, 2]]], [1, 1, 3]));
    // d/dlogits sum(logprob of label 2) = onehot(2) - softmax(logits)
    const { value, grads } = tf.variableGrads(() => {
      const labels = tf.tensor2d([[2]], [1, 1], 'int32');
      return tf.sum(logprobsFromLogits(logits, labels)) as tf.Scalar;
    }, [logits]);
    const z = [0.5, -1, 2].map(Math.exp);
    const total = z.reduce((a, b) => a + b, 0);
    const expected = z.map((v, i) => (i === 2 ? 1 : 0) - v / total);
    const grad = Array.from(grads[logits.name]!.dataSync());
    for (const [i, g] of grad.entries()) expect(g).toBeCloseTo(expected[i]!, 5);
    expect(value.dataSync()[0]).toBeCloseTo(Math.log(z[2]! / total), 5);
    tf.dispose([value, logits, ...Object.values(grads)]);
  });

  it('computeRewards puts the score on the only token of one-token responses', () => {
    const logprobs = tf.tensor2d([[-1], [-2]]);
    const refLogprobs = tf.tensor2d([[-1.5], [-2]]);
    const masks = tf.tensor2d([[1], [1]]);
    const scores = tf.tensor1d([3, -1]);
    const { rewards, nonScoreRewards, kls } = computeRewards(scores, logprobs, refLogprobs, masks, 0.2, 'kl');
    // kl = logprob - ref = [0.5, 0]; reward = -0.2 * kl + score
    expect(Array.from(rewards.dataSync())).toEqual([expect.closeTo(2.9, 6), expect.closeTo(-1, 6)]);
    tf.dispose([logprobs, refLogprobs, masks, scores, rewards, nonScoreRewards, kls]);
  });
});
