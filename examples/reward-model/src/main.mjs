#!/usr/bin/env node
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FULL_CONFIG, SMOKE_CONFIG } from './config.mjs';
import { runExperiment } from './experiment.mjs';

/** Applies `--set path.to.key=value` overrides (numbers and booleans parsed) to a config copy. */
function applyOverrides(config, args) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '--set') continue;
    const [path, raw] = String(args[++i]).split('=');
    const keys = path.split('.');
    let target = config;
    for (const key of keys.slice(0, -1)) target = target?.[key];
    const last = keys[keys.length - 1];
    if (!target || !(last in target)) throw new Error(`--set ${path}: no such config field.`);
    target[last] =
      raw === 'true' ? true : raw === 'false' ? false : Number.isNaN(Number(raw)) ? raw : Number(raw);
  }
  return config;
}

const smoke = process.argv.includes('--smoke');
const config = applyOverrides(structuredClone(smoke ? SMOKE_CONFIG : FULL_CONFIG), process.argv.slice(2));
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const runDir = join(
  fileURLToPath(new URL('..', import.meta.url)),
  'runs',
  `${stamp}${smoke ? '-smoke' : ''}${process.env.RUN_TAG ?? ''}`,
);

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
