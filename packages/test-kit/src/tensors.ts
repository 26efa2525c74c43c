import { tf } from '@trl/core';

/**
 * Runs `round` twice and returns the live tensor count after each, so a test can assert that a
 * second round (training, evaluation, scoring) leaves no more tensors than the first.
 */
export async function tensorCountsOfTwoRounds(
  round: () => Promise<void>,
): Promise<{ afterFirst: number; afterSecond: number }> {
  await round();
  const afterFirst = tf.memory().numTensors;
  await round();
  return { afterFirst, afterSecond: tf.memory().numTensors };
}
