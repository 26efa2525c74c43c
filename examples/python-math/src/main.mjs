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

const percent = (rate) => `${(rate * 100).toFixed(1)}%`;
console.log(`python-math example (${smoke ? 'smoke' : 'full'} mode), run directory ${runDir}`);
console.log(`config: ${JSON.stringify(config, null, 2)}`);
const summary = await runExperiment(config, { runDir });
const { afterSft, afterPpo } = summary;
console.log(
  [
    '',
    `held-out accuracy (${summary.heldOutProblems} problems, sampled): after SFT ${percent(afterSft.sampled.accuracy)}, ` +
      `after PPO ${percent(afterPpo.sampled.accuracy)} (${summary.gainPoints >= 0 ? '+' : ''}${summary.gainPoints} points)`,
    `greedy: after SFT ${percent(afterSft.greedy.accuracy)}, after PPO ${percent(afterPpo.greedy.accuracy)}`,
    `tool-call rate (sampled): after SFT ${percent(afterSft.sampled.toolCallRate)}, after PPO ${percent(afterPpo.sampled.toolCallRate)}`,
    `programs that ran without error (sampled): after SFT ${percent(afterSft.sampled.cleanRunRate)}, after PPO ${percent(afterPpo.sampled.cleanRunRate)}`,
    `wall time: ${summary.totalSeconds} s (tokenizer + SFT ${summary.sftSeconds} s, evaluation + PPO ${summary.ppoSeconds} s), load average ${summary.loadAverage.join(' ')}`,
    `logs, curve and checkpoint: ${runDir}`,
  ].join('\n'),
);
// Pyodide's worker is closed; nothing else should keep the process alive.
process.exit(0);
