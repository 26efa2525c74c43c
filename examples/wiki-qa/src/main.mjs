#!/usr/bin/env node
import { percent, runExampleMain, signedPoints } from '@trl/example-kit/main';
import { FULL_CONFIG, SMOKE_CONFIG } from './config.mjs';
import { runExperiment } from './experiment.mjs';

await runExampleMain({
  name: 'wiki-qa',
  mainUrl: import.meta.url,
  smokeConfig: SMOKE_CONFIG,
  fullConfig: FULL_CONFIG,
  // Tuning only: WIKI_QA_SFT_CACHE=<dir> saves the warm start there, or loads it when present.
  run: (config, runDir) =>
    runExperiment(config, { runDir, sftCacheDir: process.env.WIKI_QA_SFT_CACHE || undefined }),
  report: ({ afterSft, afterPpo, ...summary }, runDir) => [
    `held-out accuracy (${summary.heldOutQuestions} questions, sampled): after SFT ${percent(afterSft.sampled.accuracy)}, ` +
      `after PPO ${percent(afterPpo.sampled.accuracy)} (${signedPoints(summary.gainPoints)} points)`,
    `greedy: after SFT ${percent(afterSft.greedy.accuracy)}, after PPO ${percent(afterPpo.greedy.accuracy)}`,
    `tool-call rate (sampled): after SFT ${percent(afterSft.sampled.toolCallRate)}, after PPO ${percent(afterPpo.sampled.toolCallRate)}`,
    `without the tool (searches return nothing; sampled / greedy): after SFT ${percent(afterSft.withoutTool.sampled)} / ` +
      `${percent(afterSft.withoutTool.greedy)}, after PPO ${percent(afterPpo.withoutTool.sampled)} / ${percent(afterPpo.withoutTool.greedy)}`,
    `wall time: ${summary.totalSeconds} s (SFT ${summary.sftSeconds} s, evaluation + PPO ${summary.ppoSeconds} s), load average ${summary.loadAverage.join(' ')}`,
    `logs, curve and checkpoint: ${runDir}`,
  ],
});
