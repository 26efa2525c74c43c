import { initBackend, tf } from '@trl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test-kit/src/backend';
import { maxAbsDiff } from '../../test-kit/src/fixtures';
import { Gpt2LMHeadModel } from '../src/gpt2/model';

const config = { vocab_size: 300, n_positions: 32, n_embd: 64, n_layer: 4, n_head: 4 };

function std(values: ArrayLike<number>): number {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    squares += values[i]! ** 2;
  }
  const mean = sum / values.length;
  return Math.sqrt(squares / values.length - mean ** 2);
}

describe("GPT-2's initialisation and dropout", () => {
  beforeAll(() => initBackend(testBackend()));

  it('draws normal(0, 0.02), scales c_proj by 1/sqrt(2 n_layer), zero biases, unit norms; seeded', () => {
    const a = Gpt2LMHeadModel.create(config, { seed: 7 });
    const b = Gpt2LMHeadModel.create(config, { seed: 7 });
    const c = Gpt2LMHeadModel.create(config, { seed: 8 });
    const byKey = new Map(a.namedWeights().map((w) => [w.key, w.variable.dataSync()]));
    expect(std(byKey.get('transformer.wte.weight')!)).toBeCloseTo(0.02, 3);
    expect(std(byKey.get('transformer.h.2.attn.c_attn.weight')!)).toBeCloseTo(0.02, 3);
    expect(std(byKey.get('transformer.h.2.mlp.c_proj.weight')!)).toBeCloseTo(0.02 / Math.sqrt(8), 3);
    expect(std(byKey.get('transformer.h.2.attn.c_proj.weight')!)).toBeCloseTo(0.02 / Math.sqrt(8), 3);
    expect(byKey.get('transformer.h.1.mlp.c_fc.bias')!.every((x) => x === 0)).toBe(true);
    expect(byKey.get('transformer.ln_f.weight')!.every((x) => x === 1)).toBe(true);
    const bWeights = b.namedWeights();
    for (const [i, w] of a.namedWeights().entries()) {
      expect(maxAbsDiff(w.variable.dataSync(), bWeights[i]!.variable.dataSync())).toBe(0);
    }
    expect(maxAbsDiff(byKey.get('transformer.wte.weight')!, c.weights.wte.dataSync())).toBeGreaterThan(0);
    expect(a.weights.blocks[0]!.cAttn.weight.name).toMatch(
      /^transformer\.h\.0\.attn\.c_attn\.weight@gpt2-\d+$/,
    );
    for (const m of [a, b, c]) m.dispose();
  });

  it('applies seeded dropout only in training mode', () => {
    const run = (training: boolean) => {
      const model = Gpt2LMHeadModel.create(config, { seed: 1 });
      const out = tf.tidy(() =>
        model
          .forward({ inputIds: tf.tensor2d([[1, 2, 3, 4]], undefined, 'int32'), training })
          .logits.dataSync(),
      );
      model.dispose();
      return out;
    };
    const evalA = run(false);
    const trainA = run(true);
    const trainB = run(true);
    expect(maxAbsDiff(trainA, trainB)).toBe(0);
    expect(maxAbsDiff(trainA, evalA)).toBeGreaterThan(1e-4);
  });

  it('applies attn_pdrop to the attention probabilities when it is the only dropout', () => {
    const attnOnly = { ...config, embd_pdrop: 0, resid_pdrop: 0, attn_pdrop: 0.5 };
    const run = (training: boolean) => {
      const model = Gpt2LMHeadModel.create(attnOnly, { seed: 2 });
      const out = tf.tidy(() =>
        model
          .forward({ inputIds: tf.tensor2d([[1, 2, 3, 4, 5, 6]], undefined, 'int32'), training })
          .logits.dataSync(),
      );
      model.dispose();
      return out;
    };
    expect(maxAbsDiff(run(true), run(false))).toBeGreaterThan(1e-4);
    expect(maxAbsDiff(run(true), run(true))).toBe(0);
  });
});
