import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { causalAttention } from '../src/ops/index';
import { describeEachBackend } from './helpers/backends';
import { expectGradientsMatchNumerical } from './helpers/gradient-check';
import { expectNoTensorLeak, expectTensorClose, randomTensor } from './helpers/tensors';

/**
 * Attention computed position by position in float64: query i (the i-th of the last Tq positions)
 * attends key j iff j ≤ i + Tk − Tq and mask[b][j] = 1; a query with no allowed key averages all values.
 */
function naiveAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask?: number[][]): number[] {
  const [batch, heads, queries, depth] = q.shape;
  const keys = k.shape[2];
  const dv = v.shape[3];
  const qa = q.arraySync();
  const ka = k.arraySync();
  const va = v.arraySync();
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < queries; i++) {
        const allowed: number[] = [];
        for (let j = 0; j < keys; j++) {
          if (j <= i + keys - queries && (mask === undefined || mask[b]![j] === 1)) allowed.push(j);
        }
        const visible = allowed.length > 0 ? allowed : [...Array(keys).keys()];
        const scores = visible.map((j) => {
          let dot = 0;
          for (let d = 0; d < depth; d++) dot += qa[b]![h]![i]![d]! * ka[b]![h]![j]![d]!;
          return allowed.length > 0 ? dot / Math.sqrt(depth) : 0;
        });
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const total = exps.reduce((a, e) => a + e, 0);
        for (let d = 0; d < dv; d++) {
          out.push(visible.reduce((acc, j, n) => acc + (exps[n]! / total) * va[b]![h]![j]![d]!, 0));
        }
      }
    }
  }
  return out;
}

describeEachBackend('causalAttention', () => {
  it('matches a hand-computed two-token example', () => {
    tf.tidy(() => {
      const q = tf.tensor4d([1, 2], [1, 1, 2, 1]);
      const k = tf.tensor4d([1, 0], [1, 1, 2, 1]);
      const v = tf.tensor4d([10, 20, 30, 40], [1, 1, 2, 2]);
      // Query 0 sees only key 0. Query 1 scores keys [2·1, 2·0] / √1 → weights e²/(e²+1), 1/(e²+1).
      const w = Math.exp(2) / (Math.exp(2) + 1);
      const expected = [10, 20, 10 * w + 30 * (1 - w), 20 * w + 40 * (1 - w)];
      expectTensorClose(causalAttention(q, k, v), expected, 1e-4);
    });
  });

  it('matches the naive reference with padding, a KV-cache offset and a fully masked query', () => {
    tf.tidy(() => {
      const q = randomTensor([2, 2, 3, 4], 41) as tf.Tensor4D;
      const k = randomTensor([2, 2, 5, 4], 42) as tf.Tensor4D;
      const v = randomTensor([2, 2, 5, 3], 43) as tf.Tensor4D;
      // Batch row 1 is left-padded by three: its first query (key limit 2) sees no real key.
      const mask = [
        [1, 1, 1, 1, 1],
        [0, 0, 0, 1, 1],
      ];
      const out = causalAttention(q, k, v, { attentionMask: tf.tensor2d(mask, [2, 5], 'int32') });
      expect(out.shape).toEqual([2, 2, 3, 3]);
      expect(out.dataSync().every(Number.isFinite)).toBe(true);
      expectTensorClose(out, naiveAttention(q, k, v, mask), 1e-4);
      const boolMask = tf.tensor2d(mask, [2, 5], 'bool') as tf.Tensor2D;
      expectTensorClose(causalAttention(q, k, v, { attentionMask: boolMask }), out, 1e-6);
      expectTensorClose(causalAttention(q, k, v), naiveAttention(q, k, v), 1e-4);
    });
  });

  it('gives the last rows of full attention when queries are only the newest positions', () => {
    tf.tidy(() => {
      const q = randomTensor([1, 2, 6, 4], 44) as tf.Tensor4D;
      const k = randomTensor([1, 2, 6, 4], 45) as tf.Tensor4D;
      const v = randomTensor([1, 2, 6, 4], 46) as tf.Tensor4D;
      const mask = tf.tensor2d([[0, 1, 1, 1, 1, 1]], [1, 6], 'float32');
      const full = causalAttention(q, k, v, { attentionMask: mask });
      const cached = causalAttention(tf.slice(q, [0, 0, 4, 0], [1, 2, 2, 4]), k, v, { attentionMask: mask });
      expectTensorClose(cached, tf.slice(full, [0, 0, 4, 0], [1, 2, 2, 4]), 1e-5);
    });
  });

  it('matches central differences in q, k and v under a padding mask', () => {
    const q = randomTensor([2, 1, 2, 2], 47);
    const k = randomTensor([2, 1, 3, 2], 48);
    const v = randomTensor([2, 1, 3, 2], 49);
    const attentionMask = tf.tensor2d(
      [
        [1, 1, 1],
        [1, 0, 1],
      ],
      [2, 3],
      'int32',
    );
    expectGradientsMatchNumerical(
      (a, b, c) => causalAttention(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, { attentionMask }),
      [q, k, v],
    );
    tf.dispose([q, k, v, attentionMask]);
  });

  it('drops attention weights reproducibly and rescales the kept ones', () => {
    tf.tidy(() => {
      const q = randomTensor([1, 4, 8, 4], 53) as tf.Tensor4D;
      const k = randomTensor([1, 4, 8, 4], 54) as tf.Tensor4D;
      // With v = 1 every output is the sum of the (dropped, rescaled) weights of its row.
      const v = tf.ones([1, 4, 8, 1]) as tf.Tensor4D;
      const plain = causalAttention(q, k, v).dataSync();
      expect(Array.from(plain).every((sum) => Math.abs(sum - 1) < 1e-5)).toBe(true);
      const a = causalAttention(q, k, v, { dropout: 0.5, seed: 7 }).dataSync();
      const b = causalAttention(q, k, v, { dropout: 0.5, seed: 7 }).dataSync();
      const c = causalAttention(q, k, v, { dropout: 0.5, seed: 8 }).dataSync();
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(Array.from(a)).not.toEqual(Array.from(c));
      expect(Array.from(a).some((sum) => Math.abs(sum - 1) > 1e-3)).toBe(true);
      // Each row sums weights in [0, 1] scaled by 2, so stays in [0, 2]; the average stays near 1.
      expect(Array.from(a).every((sum) => sum >= 0 && sum <= 2 + 1e-5)).toBe(true);
      const mean = Array.from(a).reduce((acc, x) => acc + x, 0) / a.length;
      expect(mean).toBeGreaterThan(0.6);
      expect(mean).toBeLessThan(1.4);
    });
  });

  it('does not leak tensors across forward + gradient steps', () => {
    const q = randomTensor([1, 2, 3, 4], 50) as tf.Tensor4D;
    const k = randomTensor([1, 2, 3, 4], 51) as tf.Tensor4D;
    const v = randomTensor([1, 2, 3, 4], 52) as tf.Tensor4D;
    const attentionMask = tf.tensor2d([[1, 1, 0]], [1, 3], 'int32');
    expectNoTensorLeak(() =>
      tf.tidy(() => {
        tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
          causalAttention(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, {
            attentionMask,
            dropout: 0.1,
            seed: 3,
          }).sum(),
        )([q, k, v]);
      }),
    );
    tf.dispose([q, k, v, attentionMask]);
  });
});

describe('causalAttention input validation', () => {
  it('names a tensor of the wrong rank with its expected layout', () => {
    const q = tf.ones([2, 3, 4]) as unknown as tf.Tensor4D;
    const k = tf.ones([1, 2, 3, 4]) as tf.Tensor4D;
    expect(() => causalAttention(q, k, k)).toThrow(
      'causalAttention: q must be 4-D [batch, heads, queries, d], got shape [2, 3, 4]',
    );
    tf.dispose([q, k]);
  });

  it('reports k and v shapes that do not match q', () => {
    const q = tf.ones([1, 2, 3, 4]) as tf.Tensor4D;
    const k = tf.ones([1, 2, 3, 5]) as tf.Tensor4D;
    const v = tf.ones([1, 2, 2, 4]) as tf.Tensor4D;
    expect(() => causalAttention(q, k, q)).toThrow(
      'causalAttention: k must be [1, 2, keys, 4] to match q [1, 2, 3, 4], got [1, 2, 3, 5]',
    );
    expect(() => causalAttention(q, q, v)).toThrow('causalAttention: v must be [1, 2, 3, dv]');
    tf.dispose([q, k, v]);
  });

  it('rejects more queries than keys and a mask of the wrong shape', () => {
    const q = tf.ones([1, 1, 3, 2]) as tf.Tensor4D;
    const k = tf.ones([1, 1, 2, 2]) as tf.Tensor4D;
    const mask = tf.ones([1, 2], 'int32') as tf.Tensor2D;
    expect(() => causalAttention(q, k, k)).toThrow('causalAttention: q has 3 positions but k only 2');
    expect(() => causalAttention(q, q, q, { dropout: 1 })).toThrow(
      'causalAttention: dropout must be a probability in [0, 1), got 1',
    );
    expect(() => causalAttention(q, q, q, { attentionMask: mask })).toThrow(
      'causalAttention: attentionMask must be [batch, keys] = [1, 3], got [1, 2]',
    );
    tf.dispose([q, k, mask]);
  });
});
