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

console.log(`sentiment example (${smoke ? 'smoke' : 'full'} mode), run directory ${runDir}`);
console.log(`config: ${JSON.stringify(config, null, 2)}`);
const summary = await runExperiment(config, { runDir });
const { beforePpo, afterPpo } = summary;
console.log(
  [
    '',
    `held-out mean AFINN comparative reward (${summary.evalSamples} continuations of ${summary.heldOutOpenings} unseen openings): ` +
      `before PPO ${beforePpo.meanReward}, after PPO ${afterPpo.meanReward}`,
    `positive continuations: ${(beforePpo.positiveRate * 100).toFixed(1)}% -> ${(afterPpo.positiveRate * 100).toFixed(1)}%, ` +
      `negative: ${(beforePpo.negativeRate * 100).toFixed(1)}% -> ${(afterPpo.negativeRate * 100).toFixed(1)}%`,
    `objective/kl per PPO step: final ${summary.finalKl}, median ${summary.medianKl}, max ${summary.maxKl}`,
    `wall time: ${summary.totalSeconds} s (SFT ${summary.sftSeconds} s, evaluation + PPO ${summary.ppoSeconds} s), load average ${summary.loadAverage.join(' ')}`,
    `logs, curve and checkpoint: ${runDir}`,
  ].join('\n'),
);
