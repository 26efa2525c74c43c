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

console.log(`calculator example (${smoke ? 'smoke' : 'full'} mode), run directory ${runDir}`);
console.log(`config: ${JSON.stringify(config, null, 2)}`);
const summary = await runExperiment(config, { runDir });
const { afterSft, afterPpo } = summary;
console.log(
  [
    '',
    `held-out accuracy (${summary.heldOutTasks} tasks, sampled): after SFT ${(afterSft.sampled.accuracy * 100).toFixed(1)}%, ` +
      `after PPO ${(afterPpo.sampled.accuracy * 100).toFixed(1)}% (${summary.gainPoints >= 0 ? '+' : ''}${summary.gainPoints} points)`,
    `greedy: after SFT ${(afterSft.greedy.accuracy * 100).toFixed(1)}%, after PPO ${(afterPpo.greedy.accuracy * 100).toFixed(1)}%`,
    `tool-call rate: after SFT ${(afterSft.sampled.toolCallRate * 100).toFixed(1)}%, after PPO ${(afterPpo.sampled.toolCallRate * 100).toFixed(1)}%`,
    `wall time: ${summary.totalSeconds} s (SFT ${summary.sftSeconds} s, evaluation + PPO ${summary.ppoSeconds} s), load average ${summary.loadAverage.join(' ')}`,
    `logs, curve and checkpoint: ${runDir}`,
  ].join('\n'),
);
