#!/usr/bin/env node
import { percent, runExampleMain, signedPoints } from '@trl/example-kit/main';
import { FULL_CONFIG, SMOKE_CONFIG } from './config.mjs';
import { runExperiment } from './experiment.mjs';

await runExampleMain({
  name: 'calculator',
  mainUrl: import.meta.url,
  smokeConfig: SMOKE_CONFIG,
  fullConfig: FULL_CONFIG,
  run: (config, runDir) => runExperiment(config, { runDir }),
  report: ({ afterSft, afterPpo, ...summary }, runDir) => [
    `held-out accuracy (${summary.heldOutTasks} tasks, sampled): after SFT ${percent(afterSft.sampled.accuracy)}, ` +
      `after PPO ${percent(afterPpo.sampled.accuracy)} (${signedPoints(summary.gainPoints)} points)`,
    `greedy: after SFT ${percent(afterSft.greedy.accuracy)}, after PPO ${percent(afterPpo.greedy.accuracy)}`,
    `tool-call rate: after SFT ${percent(afterSft.sampled.toolCallRate)}, after PPO ${percent(afterPpo.sampled.toolCallRate)}`,
    `wall time: ${summary.totalSeconds} s (SFT ${summary.sftSeconds} s, evaluation + PPO ${summary.ppoSeconds} s), load average ${summary.loadAverage.join(' ')}`,
    `logs, curve and checkpoint: ${runDir}`,
  ],
});
