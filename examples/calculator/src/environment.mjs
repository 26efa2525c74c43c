import { TextEnvironment } from '@trl/textenv';
import { createCalculator, rewardHistories, usedCalculator } from './protocol.mjs';

/**
 * The TextEnvironment of the example: no prompt (the model was trained from scratch on bare
 * questions), the calculator tool, TRL's exact-match reward, sampling as TRL's PPO generation
 * (temperature 1, no top-k/top-p).
 */
export function createCalculatorEnvironment({ model, tokenizer, config, seed }) {
  return new TextEnvironment({
    model,
    tokenizer,
    tools: [createCalculator()],
    rewardFn: rewardHistories,
    maxTurns: config.maxTurns,
    batchSize: config.generateBatchSize,
    generation: {
      maxNewTokens: config.maxNewTokens,
      doSample: config.doSample ?? true,
      temperature: 1,
      topK: 0,
      topP: 1,
      seed,
    },
  });
}

/** Accuracy (mean exact-match reward) and tool-call rate of episodes. */
export function summarizeEpisodes(histories, rewards) {
  const count = histories.length;
  const correct = rewards.reduce((sum, r) => sum + (r > 0 ? 1 : 0), 0);
  const toolCalls = histories.reduce((sum, history) => sum + (usedCalculator(history) ? 1 : 0), 0);
  const correctWithTool = histories.reduce(
    (sum, h, i) => sum + (usedCalculator(h) && rewards[i] > 0 ? 1 : 0),
    0,
  );
  return {
    accuracy: count === 0 ? 0 : correct / count,
    toolCallRate: count === 0 ? 0 : toolCalls / count,
    accuracyWithTool: toolCalls === 0 ? 0 : correctWithTool / toolCalls,
    accuracyWithoutTool: count - toolCalls === 0 ? 0 : (correct - correctWithTool) / (count - toolCalls),
  };
}

/** Plays every held-out task once (seeded sampling, or greedy with `doSample: false`) and scores it. */
export async function evaluate({ model, tokenizer, tasks, config, seed, doSample = true }) {
  const env = createCalculatorEnvironment({ model, tokenizer, config: { ...config, doSample }, seed });
  const { histories, rewards } = await env.run(
    tasks.map((task) => task.question),
    { answers: tasks.map((task) => task.answer) },
  );
  return { ...summarizeEpisodes(histories, rewards), histories, rewards };
}
