#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { parseRunArgs } from '@trl/example-kit/cli';
import { FULL_CONFIG, SMOKE_CONFIG } from './config.mjs';
import { runExperiment } from './experiment.mjs';

const { smoke, config, runDir } = parseRunArgs({
  args: process.argv.slice(2),
  smokeConfig: SMOKE_CONFIG,
  fullConfig: FULL_CONFIG,
  exampleDir: fileURLToPath(new URL('..', import.meta.url)),
});

console.log(`reward-model example (${smoke ? 'smoke' : 'full'} mode), run directory ${runDir}`);
console.log(`config: ${JSON.stringify(config, null, 2)}`);
const summary = await runExperiment(config, { runDir });
const { rewardModel, beforePpo, afterPpo } = summary;
console.log(
  [
    '',
    `reward model, held-out pair accuracy (${rewardModel.evalPairs} pairs of unseen openings): ` +
      `untrained ${(rewardModel.untrainedAccuracy * 100).toFixed(1)}%, trained ${(rewardModel.accuracy * 100).toFixed(1)}%`,
    `policy on ${summary.evalSamples} continuations of ${summary.heldOutOpenings} unseen openings: reward-model score ` +
      `${beforePpo.rewardModelScore} -> ${afterPpo.rewardModelScore}, hidden positivity ${beforePpo.positivity} -> ${afterPpo.positivity}`,
    `objective/kl per PPO step: final ${summary.finalKl}, median ${summary.medianKl}, max ${summary.maxKl}`,
    `wall time: ${summary.totalSeconds} s (reward model ${summary.rewardModelSeconds} s, SFT ${summary.sftSeconds} s, ` +
      `evaluation + PPO ${summary.ppoSeconds} s), load average ${summary.loadAverage.join(' ')}`,
    `logs, curve and reward model: ${runDir}`,
  ].join('\n'),
);
