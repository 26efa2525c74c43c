import { initBackend, tf } from '@trl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test-kit/src/backend';
import { Gpt2LMHeadModel } from '../src/gpt2/model';
import { memorise } from './helpers/memorise';

describe('training GPT-2 end to end', () => {
  beforeAll(() => initBackend(testBackend()));

  it('memorises a sequence with AdamW through every weight, the tied embedding included', () => {
    const model = Gpt2LMHeadModel.create(
      { vocab_size: 64, n_positions: 16, n_embd: 32, n_layer: 2, n_head: 4 },
      { seed: 4 },
    );
    const sequence = [3, 17, 42, 8, 8, 51, 23, 9, 60, 1, 33, 12];
    const wteBefore = model.weights.wte.dataSync().slice();
    const losses = memorise(model, sequence, 30, 1e-2);
    expect(losses[0]).toBeGreaterThan(3.5); // ≈ ln 64 at init
    expect(losses.at(-1)!).toBeLessThan(0.5);
    expect(model.weights.wte.dataSync().some((x, i) => x !== wteBefore[i])).toBe(true);
    const ids = tf.tensor2d([sequence.slice(0, -1)], undefined, 'int32');
    const [greedy] = tf.tidy(() => {
      const logits = model.forward({ inputIds: ids }).logits;
      return tf.argMax(logits, -1).arraySync() as number[][];
    });
    expect(greedy).toEqual(sequence.slice(1));
    ids.dispose();
    model.dispose();
  });
});
