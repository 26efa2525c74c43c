import type { CausalLM, GenerationOptions } from '@trl/core';
import { expect, it } from 'vitest';
import { defaultRollout } from '../src/index';

/** A stand-in model whose generate returns fixed rows (only `generate` is used by the rollout). */
function fakeModel(rows: { tokenIds: number[]; finishReason: 'eos' | 'length' }[], calls: unknown[][]) {
  return {
    generate: async (prompts: readonly (readonly number[])[], options: GenerationOptions) => {
      calls.push([prompts.map((p) => [...p]), options]);
      return rows.map((row) => ({ ...row, logprobs: row.tokenIds.map(() => 0) }));
    },
  } as unknown as CausalLM;
}

it('repeats each prompt numGenerations times, cuts after the first eos and flags length stops', async () => {
  const calls: unknown[][] = [];
  const model = fakeModel(
    [
      { tokenIds: [5, 0, 7, 8], finishReason: 'eos' },
      { tokenIds: [5, 6], finishReason: 'length' },
      { tokenIds: [0], finishReason: 'eos' },
      { tokenIds: [9, 9, 9], finishReason: 'length' },
    ],
    calls,
  );
  const out = await defaultRollout({
    model,
    prompts: [[1], [2, 3]],
    numGenerations: 2,
    generation: { maxNewTokens: 4, eosTokenId: 0 },
  });
  expect(calls[0]?.[0]).toEqual([[1], [1], [2, 3], [2, 3]]);
  expect(out.promptIds).toEqual([[1], [1], [2, 3], [2, 3]]);
  expect(out.completionIds).toEqual([[5, 0], [5, 6], [0], [9, 9, 9]]);
  expect(out.completionMask).toEqual([[1, 1], [1, 1], [1], [1, 1, 1]]);
  expect(out.truncated).toEqual([false, true, false, true]);
});
