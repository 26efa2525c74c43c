import { TextEnvironment } from '@trl/textenv';
import { MAX_PASSAGE_CHARS, rewardHistories, usedWiki } from './protocol.mjs';

/**
 * The TextEnvironment of the example: no prompt (the model was trained from scratch on bare
 * questions), one tool named `Wiki` (the real search, or the disabled one), the exact-match reward,
 * sampling as TRL's PPO generation (temperature 1, no top-k/top-p) unless `doSample` is false.
 */
export function createWikiEnvironment({ model, tokenizer, tool, config, seed, doSample = true }) {
  return new TextEnvironment({
    model,
    tokenizer,
    tools: [tool],
    rewardFn: rewardHistories,
    maxTurns: config.maxTurns,
    maxToolResponse: MAX_PASSAGE_CHARS + 20,
    batchSize: config.generateBatchSize,
    generation: {
      maxNewTokens: config.maxNewTokens,
      doSample,
      temperature: 1,
      topK: 0,
      topP: 1,
      seed,
    },
  });
}

/** Accuracy (mean exact-match reward), tool-call rate, and accuracy split by whether the tool was called. */
export function summarizeEpisodes(histories, rewards) {
  const count = histories.length;
  let correct = 0;
  let toolCalls = 0;
  let correctWithTool = 0;
  histories.forEach((history, i) => {
    const right = rewards[i] > 0;
    const searched = usedWiki(history);
    if (right) correct++;
    if (searched) toolCalls++;
    if (right && searched) correctWithTool++;
  });
  const ratio = (a, b) => (b === 0 ? 0 : a / b);
  return {
    accuracy: ratio(correct, count),
    toolCallRate: ratio(toolCalls, count),
    accuracyWithTool: ratio(correctWithTool, toolCalls),
    accuracyWithoutTool: ratio(correct - correctWithTool, count - toolCalls),
  };
}

/** Plays every question once (seeded sampling, or greedy with `doSample: false`) with `tool` and scores it. */
export async function evaluate({ model, tokenizer, tool, questions, config, seed, doSample = true }) {
  const env = createWikiEnvironment({ model, tokenizer, tool, config, seed, doSample });
  const { histories, rewards } = await env.run(
    questions.map((q) => q.question),
    { answers: questions.map((q) => q.answer) },
  );
  return { ...summarizeEpisodes(histories, rewards), histories, rewards };
}
