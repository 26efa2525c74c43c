import { tf } from '@trl/core';
import { Gpt2ForSequenceClassification } from '@trl/models';
import { beforeAll, expect, it } from 'vitest';
import { GRPOTrainer, rewardModelFunc } from '../src/index';
import { tinyModel, tinyTokenizer, useTestBackend } from './helpers/tiny';

beforeAll(useTestBackend);

it('a one-label SequenceClassifier works as a reward function (logits[:, 0] of prompt + completion)', async () => {
  const tokenizer = tinyTokenizer();
  const classifier = new Gpt2ForSequenceClassification(tinyModel(7), 1, undefined, 8);
  const func = rewardModelFunc(classifier, tokenizer, 'rm');
  const direct = await func.func({
    prompts: ['ab', 'c'],
    completions: ['x', 'yzwv'],
    completionIds: [[], []],
  });
  const expected = tf.tidy(
    () =>
      classifier.forward({
        inputIds: tf.tensor2d([tokenizer.encode('abx', { addSpecialTokens: false })], undefined, 'int32'),
      }).logits,
  );
  expect(direct[0]).toBeCloseTo(expected.dataSync()[0] as number, 5);
  expected.dispose();

  const model = tinyModel(2);
  const trainer = new GRPOTrainer({
    config: { numGenerations: 2, maxCompletionLength: 3 },
    model,
    tokenizer,
    rewardFuncs: [func],
  });
  const metrics = await trainer.step([[65]]);
  expect(Number.isFinite(metrics['rewards/rm/mean'])).toBe(true);
  trainer.dispose();
  model.dispose();
  classifier.dispose();
});
