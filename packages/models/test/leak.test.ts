import { crossEntropy, initBackend, tf } from '@trl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test-kit/src/backend';
import { Gpt2LMHeadModel } from '../src/gpt2/model';
import { Gpt2ForSequenceClassification } from '../src/heads/sequence-classification';
import { Gpt2WithValueHead } from '../src/heads/value-head';
import { addLora } from '../src/lora/lora-model';
import { createReferenceModel } from '../src/reference-model';

describe('no tensor leaks', () => {
  beforeAll(() => initBackend(testBackend()));

  it('forward + gradient in training mode (dropout on) keeps numTensors stable', () => {
    const model = new Gpt2WithValueHead(
      Gpt2LMHeadModel.create(
        { vocab_size: 97, n_positions: 32, n_embd: 32, n_layer: 2, n_head: 4 },
        { seed: 1 },
      ),
    );
    const ids = tf.tensor2d(
      [
        [1, 2, 3, 4, 5, 6],
        [0, 0, 7, 8, 9, 10],
      ],
      undefined,
      'int32',
    );
    const mask = tf.tensor2d(
      [
        [1, 1, 1, 1, 1, 1],
        [0, 0, 1, 1, 1, 1],
      ],
      undefined,
      'int32',
    );
    const labels = tf.tensor2d(
      [
        [2, 3, 4, 5, 6, -100],
        [-100, -100, 8, 9, 10, -100],
      ],
      undefined,
      'int32',
    );
    const vars = model.trainableVariables().map((v) => v.variable);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => {
        const out = model.forward({ inputIds: ids, attentionMask: mask, training: true });
        return tf.add(
          crossEntropy(out.logits, labels, { ignoreIndex: -100 }),
          tf.mean(tf.square(out.values)),
        ) as tf.Scalar;
      }, vars);
      const loss = value.dataSync()[0]!;
      tf.dispose([value, ...Object.values(grads)]);
      return { loss, grads: Object.keys(grads).length };
    };
    const first = step();
    expect(Number.isFinite(first.loss)).toBe(true);
    expect(first.grads).toBe(vars.length);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ids, mask, labels]);
    model.dispose();
  });
});

describe('no tensor leaks in the other heads', () => {
  beforeAll(() => initBackend(testBackend()));
  const config = { vocab_size: 97, n_positions: 32, n_embd: 32, n_layer: 2, n_head: 4 };

  it('classifier and LoRA forward + gradient keep numTensors stable', () => {
    const classifier = new Gpt2ForSequenceClassification(Gpt2LMHeadModel.create(config, { seed: 2 }), 1);
    const lora = addLora(Gpt2LMHeadModel.create(config, { seed: 3 }), { r: 2, loraDropout: 0.1 });
    const ids = tf.tensor2d(
      [
        [1, 2, 3, 4],
        [0, 5, 6, 7],
      ],
      undefined,
      'int32',
    );
    const mask = tf.tensor2d(
      [
        [1, 1, 1, 1],
        [0, 1, 1, 1],
      ],
      undefined,
      'int32',
    );
    const steps = [
      () =>
        tf.variableGrads(
          () =>
            tf.mean(
              classifier.forward({ inputIds: ids, attentionMask: mask, training: true }).logits,
            ) as tf.Scalar,
          classifier.trainableVariables().map((v) => v.variable),
        ),
      () =>
        tf.variableGrads(
          () =>
            tf.mean(lora.forward({ inputIds: ids, attentionMask: mask, training: true }).logits) as tf.Scalar,
          lora.trainableVariables().map((v) => v.variable),
        ),
    ];
    const runAll = () => {
      for (const step of steps) {
        const { value, grads } = step();
        tf.dispose([value, ...Object.values(grads)]);
      }
    };
    runAll();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) runAll();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ids, mask]);
    classifier.dispose();
    lora.dispose();
  });
});

describe('dispose', () => {
  beforeAll(() => initBackend(testBackend()));

  it('frees every tensor a model, its reference and its adapters own', () => {
    const before = tf.memory().numTensors;
    const policy = new Gpt2WithValueHead(
      Gpt2LMHeadModel.create({ vocab_size: 50, n_positions: 16, n_embd: 16, n_layer: 2, n_head: 2 }),
    );
    const reference = createReferenceModel(policy, { numSharedLayers: 1 });
    addLora(
      Gpt2LMHeadModel.create({ vocab_size: 50, n_positions: 16, n_embd: 16, n_layer: 1, n_head: 2 }),
    ).dispose();
    const small = { vocab_size: 50, n_positions: 16, n_embd: 16, n_layer: 1, n_head: 2 };
    new Gpt2WithValueHead(Gpt2LMHeadModel.create(small), { vHeadInitStrategy: 'normal' }).dispose();
    new Gpt2ForSequenceClassification(Gpt2LMHeadModel.create(small), 3).dispose();
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    reference.dispose();
    policy.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
