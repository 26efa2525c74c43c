import { crossEntropy, initBackend, tf } from '@trl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Gpt2LMHeadModel } from '../src/gpt2/model';
import { Gpt2WithValueHead } from '../src/heads/value-head';

describe('no tensor leaks', () => {
  beforeAll(() => initBackend('wasm'));

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
