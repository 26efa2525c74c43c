import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@trl/core';
import { AutoModelForCausalLMWithValueHead } from '@trl/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_FILES, PPOTrainer } from '../src/index';
import { toyBatch } from './helpers/batch';
import { tinyPolicy, tinyTokenizer, useWasm } from './helpers/tiny-model';

let root: string;
beforeAll(async () => {
  await useWasm();
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

describe('PPOTrainer.save / resume', () => {
  it('resumes bit for bit: weights, optimizer, KL controller, running moments, step and RNG', async () => {
    const batch = toyBatch(4, 5);
    const original = trainer(1);
    await original.step(batch.queries, batch.responses, batch.scores);
    const dir = join(root, 'run');
    await original.save(dir);
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

  it('explains a missing or foreign checkpoint', async () => {
    const ppo = trainer(4);
    await expect(ppo.resume(join(root, 'nowhere'))).rejects.toThrow(/trainer_state\.json.*PPOTrainer\.save/);
    release(ppo);
  });
});
