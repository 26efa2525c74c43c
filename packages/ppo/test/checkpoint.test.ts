import { mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHECKPOINT_FILES,
  LEGACY_TRAINABLE_FILES,
  readSafetensors,
  type SafetensorEntry,
  tf,
  writeSafetensors,
} from '@trl/core';
import { AutoModelForCausalLMWithValueHead } from '@trl/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LengthSampler, type PPOStats, PPOTrainer } from '../src/index';
import { toyBatch } from './helpers/batch';
import { tinyPolicy, tinyTokenizer, useTestBackend } from './helpers/tiny-model';

let root: string;
beforeAll(async () => {
  await useTestBackend();
  root = await mkdtemp(join(tmpdir(), 'ppo-checkpoint-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const config = { miniBatchSize: 2, learningRate: 2e-3, useScoreScaling: true, seed: 3 };

function trainer(seed: number) {
  return new PPOTrainer({ config, model: tinyPolicy(seed), tokenizer: tinyTokenizer() });
}

function release(ppo: PPOTrainer) {
  ppo.dispose();
  ppo.model.dispose();
}

/** A trainer (seed 1) after one step on a toy batch, saved to `root/<name>`. */
async function savedAfterOneStep(name: string) {
  const batch = toyBatch(4, 5);
  const original = trainer(1);
  await original.step(batch.queries, batch.responses, batch.scores);
  const dir = join(root, name);
  await original.save(dir);
  return { batch, original, dir };
}

describe('PPOTrainer.save / resume', () => {
  it('resumes bit for bit: weights, optimizer, KL controller, running moments, step and RNG', async () => {
    const { batch, original, dir } = await savedAfterOneStep('run');
    const queries = [[70, 71], [72]];
    const continued = await original.step(batch.queries, batch.responses, batch.scores);
    const generated = await original.generate(queries, { maxNewTokens: 4 });

    // A differently initialised model of the same architecture takes the checkpoint in place.
    const resumed = trainer(99);
    await resumed.resume(dir);
    expect(resumed.stepCount).toBe(1);
    const again = await resumed.step(batch.queries, batch.responses, batch.scores);
    for (const [key, value] of Object.entries(continued)) {
      if (!key.startsWith('time/')) expect(again[key as keyof typeof again], key).toBe(value);
    }
    expect(await resumed.generate(queries, { maxNewTokens: 4 })).toEqual(generated);
    expect(resumed.klController.value).toBe(original.klController.value);
    expect(resumed.runningMoments.state()).toEqual(original.runningMoments.state());
    const weightsOf = (ppo: PPOTrainer) =>
      ppo.model.trainableVariables().map((p) => Array.from(p.variable.dataSync()));
    expect(weightsOf(resumed)).toEqual(weightsOf(original));
    release(original);
    release(resumed);
  });

  it('resumes a checkpoint from before the unified layout (trainable_variables.safetensors) exactly', async () => {
    const { batch, original, dir } = await savedAfterOneStep('legacy');
    // What PPOTrainer.save wrote before it shared core's layout: same tensors, the old file name.
    await rename(join(dir, CHECKPOINT_FILES.trainable), join(dir, LEGACY_TRAINABLE_FILES[0]!));
    const continued = await original.step(batch.queries, batch.responses, batch.scores);
    const resumed = trainer(99);
    await resumed.resume(dir);
    const again = await resumed.step(batch.queries, batch.responses, batch.scores);
    for (const [key, value] of Object.entries(continued)) {
      if (!key.startsWith('time/')) expect(again[key as keyof typeof again], key).toBe(value);
    }
    // Saving again writes the current name only.
    const resaved = join(root, 'legacy-resaved');
    await resumed.save(resaved);
    const files = await readdir(resaved);
    expect(files).toContain(CHECKPOINT_FILES.trainable);
    expect(files).not.toContain(LEGACY_TRAINABLE_FILES[0]);
    release(original);
    release(resumed);
  });

  it('writes the policy with its value head in Hugging Face layout and replaces an old checkpoint whole', async () => {
    const ppo = trainer(2);
    const batch = toyBatch(2, 8);
    const dir = join(root, 'replace');
    await ppo.save(dir);
    await ppo.step(batch.queries, batch.responses, batch.scores);
    await ppo.save(dir);
    const files = await readdir(dir);
    for (const file of Object.values(CHECKPOINT_FILES)) expect(files).toContain(file);
    expect(files).toContain('model.safetensors');
    expect((await readdir(root)).filter((name) => name.startsWith('.'))).toEqual([]);
    const loaded = await AutoModelForCausalLMWithValueHead.fromPretrained(dir);
    const ids = tf.tensor2d([[65, 66, 67]], [1, 3], 'int32');
    const [mine, theirs] = [ppo.model, loaded].map((model) =>
      tf.tidy(() => Array.from(model.forward({ inputIds: ids }).values.dataSync())),
    );
    expect(theirs).toEqual(mine);
    ids.dispose();
    loaded.dispose();
    release(ppo);
  });

  it('a run stopped, saved and resumed in a fresh trainer matches an uninterrupted run bit for bit, LengthSampler draws included', async () => {
    const prompts = [[70, 71], [72], [73, 74, 75], [76]];
    const steps = 4;
    const stopAt = 2;
    // One PPO loop as a user writes it: generate with the trainer's sampled lengths, score, step.
    const makeTrainer = (seed: number) =>
      new PPOTrainer({
        config,
        model: tinyPolicy(seed),
        tokenizer: tinyTokenizer(),
        lengthSampler: new LengthSampler(2, 7, 11),
      });
    const runSteps = async (ppo: PPOTrainer, count: number) => {
      const log: { lengths: number[]; responses: number[][]; stats: PPOStats }[] = [];
      for (let i = 0; i < count; i++) {
        const responses = await ppo.generate(prompts, { batchSize: 2, returnPrompt: false });
        const scores = responses.map((row) => row.filter((id) => id % 2 === 0).length / row.length);
        const stats = await ppo.step(prompts, responses, scores);
        log.push({ lengths: responses.map((row) => row.length), responses, stats });
      }
      return log;
    };
    const withoutTimes = (stats: PPOStats) =>
      Object.fromEntries(Object.entries(stats).filter(([key]) => !key.startsWith('time/')));
    const weightsOf = (ppo: PPOTrainer) =>
      ppo.model.trainableVariables().map((p) => Array.from(p.variable.dataSync()));

    const straight = makeTrainer(5);
    const uninterrupted = await runSteps(straight, steps);

    const first = makeTrainer(5);
    const head = await runSteps(first, stopAt);
    const dir = join(root, 'exact');
    await first.save(dir);
    release(first);
    const second = makeTrainer(77);
    await second.resume(dir);
    const tail = await runSteps(second, steps - stopAt);

    const interrupted = [...head, ...tail];
    // Lengths were sampled (not all equal), so the sampler's position really matters.
    expect(new Set(uninterrupted.flatMap((entry) => entry.lengths)).size).toBeGreaterThan(1);
    interrupted.forEach((entry, index) => {
      const reference = uninterrupted[index] as (typeof uninterrupted)[number];
      expect(entry.responses, `responses of step ${index}`).toEqual(reference.responses);
      expect(withoutTimes(entry.stats), `stats of step ${index}`).toEqual(withoutTimes(reference.stats));
    });
    expect(weightsOf(second)).toEqual(weightsOf(straight));
    release(straight);
    release(second);
  });

  it('refuses to resume with a missing, extra or differently bounded lengthSampler', async () => {
    const dir = join(root, 'sampler');
    const saver = new PPOTrainer({
      config,
      model: tinyPolicy(6),
      tokenizer: tinyTokenizer(),
      lengthSampler: new LengthSampler(2, 7),
    });
    await saver.save(dir);
    const without = trainer(6);
    await expect(without.resume(dir)).rejects.toThrow(/saved by a trainer with a `lengthSampler`.*\[2, 7\)/);
    const other = new PPOTrainer({
      config,
      model: tinyPolicy(6),
      tokenizer: tinyTokenizer(),
      lengthSampler: new LengthSampler(3, 9),
    });
    await expect(other.resume(dir)).rejects.toThrow(/\[2, 7\).*\[3, 9\).*saved bounds/);
    expect(other.stepCount).toBe(0);
    const plainDir = join(root, 'plain');
    await without.save(plainDir);
    await expect(saver.resume(plainDir)).rejects.toThrow(/without a `lengthSampler`/);
    expect(
      () =>
        new PPOTrainer({
          config,
          model: saver.model,
          tokenizer: tinyTokenizer(),
          lengthSampler: (() => 4) as unknown as LengthSampler,
        }),
    ).toThrow(/must be a LengthSampler/);
    for (const ppo of [saver, without, other]) release(ppo);
  });

  it('refuses a trainable tensor that is NaN or not F32, naming it, and changes nothing', async () => {
    const ppo = trainer(8);
    const dir = join(root, 'corrupt');
    await ppo.save(dir);
    const path = join(dir, CHECKPOINT_FILES.trainable);
    const file = await readSafetensors(path);
    const name = 'transformer.h.0.mlp.c_fc.bias';
    const entry = file.tensors.get(name) as SafetensorEntry;
    const before = ppo.model.trainableVariables().map((p) => Array.from(p.variable.dataSync()));
    const nan = Float32Array.from(entry.values as Float32Array);
    nan[5] = Number.NaN;
    await writeSafetensors(
      path,
      Object.fromEntries([...file.tensors, [name, { ...entry, values: nan }]]),
      file.metadata,
    );
    await expect(ppo.resume(dir)).rejects.toThrow(
      /"transformer\.h\.0\.mlp\.c_fc\.bias" holds 1 NaN.*index 5/,
    );
    const bits = new Int32Array((entry.values as Float32Array).buffer.slice(0));
    await writeSafetensors(
      path,
      Object.fromEntries([...file.tensors, [name, { dtype: 'I32', shape: entry.shape, values: bits }]]),
      file.metadata,
    );
    await expect(ppo.resume(dir)).rejects.toThrow(
      /"transformer\.h\.0\.mlp\.c_fc\.bias" is I32, expected F32/,
    );
    expect(ppo.model.trainableVariables().map((p) => Array.from(p.variable.dataSync()))).toEqual(before);
    release(ppo);
  });

  it('explains a missing or foreign checkpoint', async () => {
    const ppo = trainer(4);
    await expect(ppo.resume(join(root, 'nowhere'))).rejects.toThrow(/trainer_state\.json.*PPOTrainer\.save/);
    release(ppo);
  });
});
