#!/usr/bin/env node
import { percent, runExampleMain, signedPoints } from '@trl/example-kit/main';
import { FULL_CONFIG, SMOKE_CONFIG } from './config.mjs';
import { runExperiment } from './experiment.mjs';

await runExampleMain({
  name: 'python-math',
  mainUrl: import.meta.url,
  smokeConfig: SMOKE_CONFIG,
  fullConfig: FULL_CONFIG,
  run: (config, runDir) => runExperiment(config, { runDir }),
  report: ({ afterSft, afterPpo, ...summary }, runDir) => [
    `held-out accuracy (${summary.heldOutProblems} problems, sampled): after SFT ${percent(afterSft.sampled.accuracy)}, ` +
      `after PPO ${percent(afterPpo.sampled.accuracy)} (${signedPoints(summary.gainPoints)} points)`,
    `greedy: after SFT ${percent(afterSft.greedy.accuracy)}, after PPO ${percent(afterPpo.greedy.accuracy)}`,
    `tool-call rate (sampled): after SFT ${percent(afterSft.sampled.toolCallRate)}, after PPO ${percent(afterPpo.sampled.toolCallRate)}`,
    `programs that ran without error (sampled): after SFT ${percent(afterSft.sampled.cleanRunRate)}, after PPO ${percent(afterPpo.sampled.cleanRunRate)}`,
    `wall time: ${summary.totalSeconds} s (tokenizer + SFT ${summary.sftSeconds} s, evaluation + PPO ${summary.ppoSeconds} s), load average ${summary.loadAverage.join(' ')}`,
    `logs, curve and checkpoint: ${runDir}`,
  ],
});
// Pyodide's worker is closed; nothing else should keep the process alive.
process.exit(0);
