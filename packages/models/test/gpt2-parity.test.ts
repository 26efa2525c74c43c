import { initBackend, tf } from '@trl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numericBackends } from '../../test-kit/src/backend';
import { maxAbsDiff, TINY_GPT2_DIR, tinyGpt2Expected } from '../../test-kit/src/fixtures';
import { AutoModelForCausalLM } from '../src/auto/auto-model-for-causal-lm';
import type { Gpt2LMHeadModel } from '../src/gpt2/model';

const expected = tinyGpt2Expected();

for (const backend of numericBackends()) {
  describe(`tiny GPT-2 matches transformers [${backend}]`, () => {
    let model: Gpt2LMHeadModel;
    beforeAll(async () => {
      await initBackend(backend);
      model = await AutoModelForCausalLM.fromPretrained(TINY_GPT2_DIR);
    });
    afterAll(() => model.dispose());

    it('gives the reference logits within 1e-4', () => {
      const ids = tf.tensor2d(expected.input_ids, undefined, 'int32');
      const { logits } = model.forward({ inputIds: ids });
      expect(logits.shape).toEqual([2, 12, 512]);
      expect(maxAbsDiff(logits.dataSync(), expected.logits.flat(2))).toBeLessThan(1e-4);
      tf.dispose([ids, logits]);
    });

    it('gives the same logits at the real positions of a left-padded batch', () => {
      // Row 0 keeps 12 tokens, row 1 only its first 7, padded on the left with 5 junk ids.
      const short = expected.input_ids[1]!.slice(0, 7);
      const ids = tf.tensor2d([expected.input_ids[0]!, [9, 9, 9, 9, 9, ...short]], undefined, 'int32');
      const mask = tf.tensor2d([Array(12).fill(1), [0, 0, 0, 0, 0, ...Array(7).fill(1)]], undefined, 'int32');
      const { logits } = model.forward({ inputIds: ids, attentionMask: mask });
      const got = logits.arraySync();
      expect(maxAbsDiff(got[0]!.flat(), expected.logits[0]!.flat())).toBeLessThan(1e-4);
      expect(maxAbsDiff(got[1]!.slice(5).flat(), expected.logits[1]!.slice(0, 7).flat())).toBeLessThan(1e-4);
      tf.dispose([ids, mask, logits]);
    });

    it('reproduces the greedy continuation', async () => {
      const results = await model.generate(expected.greedy_prompt, { maxNewTokens: 8, doSample: false });
      results.forEach((r, i) => {
        expect([...expected.greedy_prompt[i]!, ...r.tokenIds]).toEqual(expected.greedy_ids[i]);
      });
    });
  });
}
