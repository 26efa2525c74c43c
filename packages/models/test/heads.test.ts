import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, readSafetensors, tf } from '@trl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test-kit/src/backend';
import { maxAbsDiff, TINY_GPT2_DIR, tinyGpt2Expected } from '../../test-kit/src/fixtures';
import { AutoModelForCausalLM } from '../src/auto/auto-model-for-causal-lm';
import {
  AutoModelForCausalLMWithValueHead,
  AutoModelForSequenceClassification,
} from '../src/auto/auto-model-with-heads';
import { createReferenceModel } from '../src/reference-model';

const scratch = () => mkdtempSync(join(tmpdir(), 'trl-models-heads-'));
const expected = tinyGpt2Expected();

describe('value head', () => {
  beforeAll(() => initBackend(testBackend()));

  it('gives the base logits and values = h @ w + b at every position', async () => {
    const model = await AutoModelForCausalLMWithValueHead.fromPretrained(TINY_GPT2_DIR, { seed: 1 });
    const ids = tf.tensor2d(expected.input_ids, undefined, 'int32');
    const out = model.forward({ inputIds: ids, outputHiddenStates: true });
    expect(maxAbsDiff(out.logits.dataSync(), expected.logits.flat(2))).toBeLessThan(1e-4);
    expect(out.values.shape).toEqual([2, 12]);
    const hidden = out.hiddenStates!.arraySync();
    const w = model.headWeight.dataSync();
    const b = model.headBias.dataSync()[0]!;
    const byHand = hidden.flatMap((row) => row.map((h) => h.reduce((s, x, i) => s + x * w[i]!, b)));
    expect(maxAbsDiff(out.values.dataSync(), byHand)).toBeLessThan(1e-5);
    // torch's default Linear init: uniform within ±1/sqrt(hidden).
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(48));
    tf.dispose([ids, out.logits, out.values, out.hiddenStates!]);
    expect(
      model
        .trainableVariables()
        .slice(-2)
        .map((v) => v.name),
    ).toEqual(['v_head.summary.weight', 'v_head.summary.bias']);
    model.dispose();
  });

  it('rejects unknown and snake_case value-head options instead of ignoring them', async () => {
    await expect(
      AutoModelForCausalLMWithValueHead.fromPretrained(TINY_GPT2_DIR, { summary_dropout_prob: 0 } as never),
    ).rejects.toThrow(
      "Gpt2WithValueHead: invalid options: summary_dropout_prob: unknown option: that is TRL's Python spelling; trl-ts spells it summaryDropoutProb",
    );
    await expect(
      AutoModelForCausalLMWithValueHead.fromPretrained(TINY_GPT2_DIR, {
        vHeadInitStrategie: 'normal',
      } as never),
    ).rejects.toThrow(/vHeadInitStrategie: unknown option; did you mean vHeadInitStrategy\?/);
  });

  it("uses TRL's normal init and saves v_head.summary.* beside the base weights, loading them back", async () => {
    const model = await AutoModelForCausalLMWithValueHead.fromPretrained(TINY_GPT2_DIR, {
      vHeadInitStrategy: 'normal',
      vHeadInitializerRange: 0.5,
    });
    expect(model.headBias.dataSync()[0]).toBe(0);
    const dir = scratch();
    await model.savePretrained(dir);
    const file = await readSafetensors(join(dir, 'model.safetensors'));
    expect(file.tensors.get('v_head.summary.weight')!.shape).toEqual([1, 48]);
    expect(file.tensors.get('v_head.summary.bias')!.shape).toEqual([1]);
    expect(file.tensors.has('transformer.h.0.attn.c_attn.weight')).toBe(true);
    const loaded = await AutoModelForCausalLMWithValueHead.fromPretrained(dir);
    expect(maxAbsDiff(loaded.headWeight.dataSync(), model.headWeight.dataSync())).toBe(0);
    // A plain causal LM still loads from it (the head is ignored).
    (await AutoModelForCausalLM.fromPretrained(dir)).dispose();
    model.dispose();
    loaded.dispose();
  });
});

describe('sequence classification', () => {
  beforeAll(() => initBackend(testBackend()));

  it('pools at the last real token for left and right padding alike', async () => {
    const model = await AutoModelForSequenceClassification.fromPretrained(TINY_GPT2_DIR, { numLabels: 2 });
    expect(model.numLabels).toBe(2);
    const row = expected.input_ids[0]!.slice(0, 6);
    const plain = tf.tensor2d([row], undefined, 'int32');
    const right = tf.tensor2d([[...row, 0, 0]], undefined, 'int32');
    const rightMask = tf.tensor2d([[1, 1, 1, 1, 1, 1, 0, 0]], undefined, 'int32');
    const left = tf.tensor2d([[0, 0, ...row]], undefined, 'int32');
    const leftMask = tf.tensor2d([[0, 0, 1, 1, 1, 1, 1, 1]], undefined, 'int32');
    const a = model.forward({ inputIds: plain }).logits;
    const b = model.forward({ inputIds: right, attentionMask: rightMask }).logits;
    const c = model.forward({ inputIds: left, attentionMask: leftMask }).logits;
    expect(a.shape).toEqual([1, 2]);
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBeLessThan(1e-5);
    expect(maxAbsDiff(a.dataSync(), c.dataSync())).toBeLessThan(1e-5);
    // By hand: score.weight @ h[last].
    const { hiddenStates, logits } = model.backbone.forward({ inputIds: plain, outputHiddenStates: true });
    const h = hiddenStates!.arraySync()[0]![5]!;
    const score = model.score.arraySync() as number[][];
    expect(
      maxAbsDiff(
        a.dataSync(),
        score.map((w) => w.reduce((s, x, i) => s + x * h[i]!, 0)),
      ),
    ).toBeLessThan(1e-5);
    tf.dispose([plain, right, rightMask, left, leftMask, a, b, c, hiddenStates!, logits]);

    const dir = scratch();
    await model.savePretrained(dir);
    const file = await readSafetensors(join(dir, 'model.safetensors'));
    expect(file.tensors.get('score.weight')!.shape).toEqual([2, 48]);
    expect(file.tensors.has('lm_head.weight')).toBe(false);
    const loaded = await AutoModelForSequenceClassification.fromPretrained(dir);
    expect(loaded.numLabels).toBe(2);
    expect(maxAbsDiff(loaded.score.dataSync(), model.score.dataSync())).toBe(0);
    await expect(AutoModelForSequenceClassification.fromPretrained(dir, { numLabels: 3 })).rejects.toThrow(
      /score\.weight has shape \[2, 48\] but numLabels 3/,
    );
    model.dispose();
    loaded.dispose();
  });
});

describe('createReferenceModel', () => {
  beforeAll(() => initBackend(testBackend()));

  it('shares the embeddings and first layers as the same variables, copies the rest, freezes all', async () => {
    const policy = await AutoModelForCausalLMWithValueHead.fromPretrained(TINY_GPT2_DIR);
    const before = policy.trainableVariables().length;
    const reference = createReferenceModel(policy, { numSharedLayers: 1 });
    expect(reference.weights.wte).toBe(policy.backbone.weights.wte);
    expect(reference.weights.wpe).toBe(policy.backbone.weights.wpe);
    expect(reference.weights.blocks[0]!.cAttn.weight).toBe(policy.backbone.weights.blocks[0]!.cAttn.weight);
    expect(reference.weights.blocks[1]!.cAttn.weight).not.toBe(
      policy.backbone.weights.blocks[1]!.cAttn.weight,
    );
    expect(reference.trainableVariables()).toEqual([]);
    const trainable = policy.trainableVariables().map((v) => v.name);
    expect(trainable).toHaveLength(before - 14);
    expect(trainable).not.toContain('transformer.h.0.ln_1.weight');
    expect(trainable).toContain('transformer.h.1.ln_1.weight');

    // Same outputs; disposing the reference leaves the shared weights alive for the policy.
    const ids = tf.tensor2d(expected.input_ids, undefined, 'int32');
    const a = reference.forward({ inputIds: ids }).logits;
    expect(maxAbsDiff(a.dataSync(), expected.logits.flat(2))).toBeLessThan(1e-4);
    reference.dispose();
    const b = policy.forward({ inputIds: ids });
    expect(maxAbsDiff(b.logits.dataSync(), expected.logits.flat(2))).toBeLessThan(1e-4);
    tf.dispose([ids, a, b.logits, b.values]);
    expect(() => createReferenceModel(policy, { numSharedLayers: 2 })).toThrow(
      /numSharedLayers must be an integer in 0\.\.1/,
    );
    policy.dispose();
  });

  it('copies everything without numSharedLayers', async () => {
    const policy = await AutoModelForCausalLM.fromPretrained(TINY_GPT2_DIR);
    const reference = createReferenceModel(policy);
    expect(reference.weights.wte).not.toBe(policy.weights.wte);
    tf.tidy(() => policy.weights.wte.assign(tf.zerosLike(policy.weights.wte)));
    expect(reference.weights.wte.dataSync().some((x) => x !== 0)).toBe(true);
    expect(policy.trainableVariables()).toHaveLength(2 + 2 * 12 + 2);
    reference.dispose();
    policy.dispose();
  });
});
