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
console.log(`wiki-qa example (${smoke ? 'smoke' : 'full'} mode), run directory ${runDir}`);
console.log(`config: ${JSON.stringify(config, null, 2)}`);
// Tuning only: WIKI_QA_SFT_CACHE=<dir> saves the warm start there, or loads it when present.
const summary = await runExperiment(config, {
  runDir,
  sftCacheDir: process.env.WIKI_QA_SFT_CACHE || undefined,
});
const { afterSft, afterPpo } = summary;
console.log(
  [
    '',
    `held-out accuracy (${summary.heldOutQuestions} questions, sampled): after SFT ${percent(afterSft.sampled.accuracy)}, ` +
      `after PPO ${percent(afterPpo.sampled.accuracy)} (${summary.gainPoints >= 0 ? '+' : ''}${summary.gainPoints} points)`,
    `greedy: after SFT ${percent(afterSft.greedy.accuracy)}, after PPO ${percent(afterPpo.greedy.accuracy)}`,
    `tool-call rate (sampled): after SFT ${percent(afterSft.sampled.toolCallRate)}, after PPO ${percent(afterPpo.sampled.toolCallRate)}`,
    `without the tool (searches return nothing; sampled / greedy): after SFT ${percent(afterSft.withoutTool.sampled)} / ` +
      `${percent(afterSft.withoutTool.greedy)}, after PPO ${percent(afterPpo.withoutTool.sampled)} / ${percent(afterPpo.withoutTool.greedy)}`,
    `wall time: ${summary.totalSeconds} s (SFT ${summary.sftSeconds} s, evaluation + PPO ${summary.ppoSeconds} s), load average ${summary.loadAverage.join(' ')}`,
    `logs, curve and checkpoint: ${runDir}`,
  ].join('\n'),
);
