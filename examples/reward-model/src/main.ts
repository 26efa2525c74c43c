#!/usr/bin/env node
import { percent, runExampleMain } from '@trl/example-kit/main';
import { FULL_CONFIG, SMOKE_CONFIG } from './config';
import { runExperiment } from './experiment';

await runExampleMain({
  name: 'reward-model',
  mainUrl: import.meta.url,
  smokeConfig: SMOKE_CONFIG,
  fullConfig: FULL_CONFIG,
  run: (config, runDir) => runExperiment(config, { runDir }),
  report: ({ rewardModel, beforePpo, afterPpo, ...summary }, runDir) => [
    `reward model, held-out pair accuracy (${rewardModel.evalPairs} pairs of unseen openings): ` +
      `untrained ${percent(rewardModel.untrainedAccuracy)}, trained ${percent(rewardModel.accuracy)}`,
    `policy on ${summary.evalSamples} continuations of ${summary.heldOutOpenings} unseen openings: reward-model score ` +
      `${beforePpo.rewardModelScore} -> ${afterPpo.rewardModelScore}, hidden positivity ${beforePpo.positivity} -> ${afterPpo.positivity}`,
    `objective/kl per PPO step: final ${summary.finalKl}, median ${summary.medianKl}, max ${summary.maxKl}`,
    `wall time: ${summary.totalSeconds} s (reward model ${summary.rewardModelSeconds} s, SFT ${summary.sftSeconds} s, ` +
      `evaluation + PPO ${summary.ppoSeconds} s), load average ${summary.loadAverage.join(' ')}`,
    `logs, curve and reward model: ${runDir}`,
  ],
});
