import { tf } from '@trl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromWindow, layoutBatch, toWindow } from '../src/forward';
import { collectRollout } from '../src/rollout';
import type { Sample } from '../src/samples';
import { tinyPolicy, useTestBackend } from './helpers/tiny-model';

const sample = (query: number[], response: number[], responseMask = response.map(() => 1)): Sample => ({
  query,
  response,
  responseMask,
  score: 0,
});

describe('batch layout (shift by one, ragged rows)', () => {
  it('puts each response at its own row offset, right-padded', () => {
    const layout = layoutBatch([sample([1, 2, 3], [4, 5]), sample([6], [7, 8, 9])], 0);
    expect(layout.inputIds).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 0],
    ]);
    expect(layout.attentionMask).toEqual([
      [1, 1, 1, 1, 1],
      [1, 1, 1, 1, 0],
    ]);
    // log-prob column t scores token t + 1: row 0's response starts at column 2, row 1's at 0.
    expect(layout.start).toBe(0);
    expect(layout.width).toBe(4);
    expect(layout.offsets).toEqual([2, 0]);
  });

  it('sends queries to the encoder and start token + response to the decoder (encoder-decoder)', () => {
    const layout = layoutBatch([sample([1, 2, 3], [4, 5]), sample([6], [7, 8, 9])], 0, 11);
    expect(layout.encoder).toEqual({
      inputIds: [
        [1, 2, 3],
        [6, 0, 0],
      ],
      attentionMask: [
        [1, 1, 1],
        [1, 0, 0],
      ],
      length: 3,
    });
    expect(layout.inputIds).toEqual([
      [11, 4, 5, 0],
      [11, 7, 8, 9],
    ]);
    expect(layout.attentionMask).toEqual([
      [1, 1, 1, 0],
      [1, 1, 1, 1],
    ]);
    // Decoder column k scores response token k in every row.
    expect(layout.start).toBe(0);
    expect(layout.width).toBe(3);
    expect(layout.offsets).toEqual([0, 0]);
  });

  it('lines response masks up with their own response whatever the padding (TRL #1717)', () => {
    const samples = [sample([1, 2, 3, 4], [5, 6, 7], [1, 0, 1]), sample([8], [9, 10], [0, 1])];
    const layout = layoutBatch(samples, 0);
    const { values, shape } = toWindow(
      layout,
      samples.map((s) => s.responseMask),
    );
    expect(shape).toEqual([2, layout.width]);
    const rows = [Array.from(values.subarray(0, layout.width)), Array.from(values.subarray(layout.width))];
    // Row 0 scores tokens 5, 6, 7 at columns 3, 4, 5; row 1 scores 9, 10 at columns 0, 1.
    expect(rows[0]).toEqual([0, 0, 0, 1, 0, 1]);
    expect(rows[1]).toEqual([0, 1, 0, 0, 0, 0]);
    expect(Array.from(fromWindow(layout, values, 0, 3))).toEqual([1, 0, 1]);
    expect(Array.from(fromWindow(layout, values, 1, 2))).toEqual([0, 1]);
  });
});

describe('batched forward pass', () => {
  let model: ReturnType<typeof tinyPolicy>;
  beforeAll(async () => {
    await useTestBackend();
    model = tinyPolicy(7);
  });
  afterAll(() => model.dispose());

  it('gives every sample the log-probs and values it gets alone (padding never leaks)', () => {
    const samples = [
      sample([10, 11, 12, 13], [14, 15]),
      sample([20], [21, 22, 23, 24]),
      sample([30, 31], [32]),
    ];
    const together = collectRollout(model, model, samples, 3, 257, 'kl');
    samples.forEach((single, index) => {
      const alone = collectRollout(model, model, [single], 1, 257, 'kl');
      const close = (a: Float32Array | undefined, b: Float32Array | undefined) => {
        expect(a?.length).toBe(single.response.length);
        for (const [k, value] of Array.from(a ?? []).entries())
          expect(value).toBeCloseTo(b?.[k] as number, 4);
      };
      close(together.logprobs[index], alone.logprobs[0]);
      close(together.values[index], alone.values[0]);
    });
  });

  it('matches log-softmax of an unpadded forward pass at the shifted positions', () => {
    const query = [40, 41, 42];
    const response = [43, 44];
    const rollout = collectRollout(model, model, [sample(query, response)], 1, 257, 'kl');
    const expected = tf.tidy(() => {
      const ids = [...query, ...response];
      const { logits } = model.forward({ inputIds: tf.tensor2d([ids], [1, ids.length], 'int32') });
      const logp = tf.logSoftmax(logits, -1).arraySync() as number[][][];
      // response token k is predicted at position len(query) - 1 + k
      return response.map((token, k) => logp[0]?.[query.length - 1 + k]?.[token] as number);
    });
    for (const [k, value] of expected.entries()) expect(rollout.logprobs[0]?.[k]).toBeCloseTo(value, 4);
    expect(rollout.refLogprobs[0]).toEqual(rollout.logprobs[0]);
  });
});
