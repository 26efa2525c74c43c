import type { CausalLM, GenerationOptions, GenerationResult } from '@trl/core';
import { tf } from '@trl/core';
import { AutoModelForCausalLM } from '@trl/models';
import { TINY_GPT2_DIR, useTestBackend } from '@trl/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextEnvironment, type TextHistory } from '../src/index';
import { ByteTokenizer } from './helpers/byte-tokenizer';
import { calculator } from './helpers/tools';

/** Wraps a real model and records what `generate` returned, to compare with the histories. */
function recording(model: CausalLM, firstTurn?: number[]) {
  const results: GenerationResult[][] = [];
  const wrapper: CausalLM = {
    specificationVersion: model.specificationVersion,
    info: model.info,
    forward: (input) => model.forward(input),
    trainableVariables: () => model.trainableVariables(),
    savePretrained: (dir) => model.savePretrained(dir),
    dispose: () => model.dispose(),
    async generate(prompts, options: GenerationOptions) {
      // The random tiny model never writes a tool call by itself: optionally script turn one.
      const out =
        firstTurn && results.length === 0
          ? prompts.map(() => ({
              tokenIds: [...firstTurn],
              logprobs: firstTurn.map(() => -1),
              finishReason: 'stop-string' as const,
              stopString: '<call>',
            }))
          : await model.generate(prompts, options);
      results.push(out);
      return out;
    },
  };
  return { wrapper, results };
}

const lengths = (histories: readonly TextHistory[]) => histories.map((history) => history.tokens.length);

describe('TextEnvironment with the tiny GPT-2 fixture', () => {
  // Byte ids 0–255 plus eos 511; the ids between decode to placeholders, so every sample decodes.
  const tokenizer = new ByteTokenizer({ eosTokenId: 511, vocabSize: 512 });
  let model: CausalLM;

  beforeAll(async () => {
    await useTestBackend();
    model = await AutoModelForCausalLM.fromPretrained(TINY_GPT2_DIR);
  });
  afterAll(() => model?.dispose());

  it('keeps sampled tokens, masks and the context limit, reproducibly and without leaking tensors', async () => {
    const { wrapper, results } = recording(model);
    const env = new TextEnvironment({
      model: wrapper,
      tokenizer,
      tools: [calculator],
      rewardFn: lengths,
      prompt: 'Use tools. ',
      maxTurns: 2,
      generation: { maxNewTokens: 12, seed: 3, doSample: true },
    });
    expect(env.options.maxLength).toBe(64);
    const tasks = ['2+3?', 'What is 7*6, please?'];
    const first = await env.run(tasks);
    const numTensors = tf.memory().numTensors;

    expect(first.queries).toEqual(tasks.map((task) => tokenizer.encode(`Use tools. ${task}`)));
    first.histories.forEach((history, row) => {
      const sampled = results[0]![row]!.tokenIds;
      expect(history.segments[1]!.tokenIds).toEqual(sampled.slice(0, history.segments[1]!.tokenIds.length));
      expect(history.segments[1]!.system).toBe(false);
      expect(history.completed).toBe(true);
      expect(history.tokens.length).toBeLessThanOrEqual(64);
      expect(first.masks[row]).toHaveLength(first.responses[row]!.length);
      expect(first.rewards[row]).toBe(history.tokens.length);
    });

    const again = await env.run(tasks);
    expect(again.responses).toEqual(first.responses);
    expect(tf.memory().numTensors).toBe(numTensors);
  });

  it('continues with the real model after a tool answer; the answer is masked out', async () => {
    const call = tokenizer.encode('<request><Calculator>7*6<call>');
    const { wrapper, results } = recording(model, call);
    const env = new TextEnvironment({
      model: wrapper,
      tokenizer,
      tools: [calculator],
      rewardFn: lengths,
      maxTurns: 2,
      maxLength: 60,
      generation: { maxNewTokens: 10, seed: 1 },
    });
    const { histories, responses, masks } = await env.run(['Compute 7*6. ']);
    const [history] = histories;
    expect(history!.segments[2]).toMatchObject({ text: '42<response>', system: true });
    expect(results).toHaveLength(2);
    expect(results[1]).toHaveLength(1);
    const continuation = history!.segments[3]!;
    expect(continuation.system).toBe(false);
    expect(continuation.tokenIds).toEqual(results[1]![0]!.tokenIds.slice(0, continuation.tokenIds.length));
    const answer = tokenizer.encode('42<response>');
    expect(responses[0]).toEqual([...call, ...answer, ...continuation.tokenIds]);
    expect(masks[0]).toEqual([
      ...call.map(() => 1),
      ...answer.map(() => 0),
      ...continuation.tokenIds.map(() => 1),
    ]);
    expect(history!.tokens.length).toBeLessThanOrEqual(60);
  });

  it("passes each row's stop strings to the real generate, which stops on them", async () => {
    // Greedy decoding makes the first token fixed; using its text as an extra stop string must end
    // the turn right after it.
    const prompt = tokenizer.encode('Stop here: ');
    const [probe] = await model.generate([prompt], { maxNewTokens: 1, doSample: false });
    const firstText = tokenizer.decode(probe!.tokenIds);
    const env = new TextEnvironment({
      model,
      tokenizer,
      tools: [calculator],
      rewardFn: lengths,
      generation: { maxNewTokens: 10, doSample: false, stopStrings: [firstText] },
    });
    const [history] = (await env.run(['Stop here: '])).histories;
    expect(history!.segments[1]!.tokenIds).toEqual(probe!.tokenIds);
    expect(history!.endReason).toBe(probe!.finishReason === 'eos' ? 'eos' : 'no-call');
  });
});
