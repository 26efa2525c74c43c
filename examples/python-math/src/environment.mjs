import { TextEnvironment } from '@trl/textenv';
import { PythonInterpreter } from '@trl/tools-python';
import { pythonCalls, ranWithoutError, rewardHistories } from './protocol.mjs';

/**
 * The sandboxed interpreter every episode shares: one warm Pyodide worker (the 2 cores are busy with
 * the model), a short timeout since the programs are one-liners. Call `ready()` once before the
 * first episode (Pyodide takes seconds to load) and `close()` at the end.
 */
export function createPython(config) {
  return new PythonInterpreter({ poolSize: 1, timeoutMs: config.pythonTimeoutMs });
}

/**
 * The TextEnvironment of the example: no prompt (the model was trained from scratch on bare
 * questions), the Python tool, TRL's exact-match reward, sampling as TRL's PPO generation
 * (temperature 1, no top-k/top-p) unless `config.doSample` is false.
 */
export function createPythonMathEnvironment({ model, tokenizer, python, config, seed }) {
  return new TextEnvironment({
    model,
    tokenizer,
    tools: [python],
    rewardFn: rewardHistories,
    maxTurns: config.maxTurns,
    maxToolResponse: config.maxToolResponse,
    toolTimeoutMs: config.pythonTimeoutMs + 2000,
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

function rate(count, total) {
  return total === 0 ? 0 : count / total;
}

/**
 * Accuracy (mean exact-match reward), tool-call rate (episodes that ran a program), clean-run rate
 * (programs that ran without a Python error, over all programs run), and accuracy with and without
 * the tool.
 */
export function summarizeEpisodes(histories, rewards) {
  let correct = 0;
  let withTool = 0;
  let correctWithTool = 0;
  let programs = 0;
  let cleanPrograms = 0;
  histories.forEach((history, i) => {
    const calls = pythonCalls(history);
    if (rewards[i] > 0) correct++;
    if (calls.length > 0) {
      withTool++;
      if (rewards[i] > 0) correctWithTool++;
    }
    programs += calls.length;
    cleanPrograms += calls.filter(ranWithoutError).length;
  });
  return {
    accuracy: rate(correct, histories.length),
    toolCallRate: rate(withTool, histories.length),
    cleanRunRate: rate(cleanPrograms, programs),
    accuracyWithTool: rate(correctWithTool, withTool),
    accuracyWithoutTool: rate(correct - correctWithTool, histories.length - withTool),
  };
}

/** Plays every held-out problem once (seeded sampling, or greedy with `doSample: false`) and scores it. */
export async function evaluate({ model, tokenizer, python, problems, config, seed, doSample = true }) {
  const env = createPythonMathEnvironment({
    model,
    tokenizer,
    python,
    config: { ...config, doSample },
    seed,
  });
  const { histories, rewards } = await env.run(
    problems.map((problem) => problem.question),
    { answers: problems.map((problem) => problem.answer) },
  );
  return { ...summarizeEpisodes(histories, rewards), histories, rewards };
}
