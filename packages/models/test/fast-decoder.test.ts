import {
  type FastDecoder,
  type FastDecoderInput,
  type FastDecoderProvider,
  initBackend,
  type PreNormDecoderShape,
  registerCapability,
  tf,
} from '@trl/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Gpt2LMHeadModel } from '../src/gpt2/model';
import { addLora } from '../src/lora/lora-model';

/**
 * A provider that decodes by full forward passes of the tensor model over each row's whole
 * (unpadded) history: slow but independent of the KV-cache code, so it checks what generate()
 * hands a fast decoder (left padding, positions, masks, dropped rows).
 */
function recomputingProvider(model: Gpt2LMHeadModel, log: FastDecoderInput[], shapes: PreNormDecoderShape[]) {
  const provider: FastDecoderProvider = {
    name: 'recomputing',
    create(shape, weights, limits) {
      shapes.push(shape);
      expect(weights.layers).toHaveLength(shape.layers);
      expect(weights.tokenEmbedding).toHaveLength(shape.vocabSize * shape.width);
      let histories: number[][] = [];
      const decoder: FastDecoder = {
        forward(input) {
          log.push(input);
          expect(input.rows).toBeLessThanOrEqual(limits.maxRows);
          if (input.keep) histories = Array.from(input.keep, (i) => histories[i]!);
          const out = new Float32Array(input.rows * shape.vocabSize);
          for (let r = 0; r < input.rows; r++) {
            if (!histories[r]) histories[r] = [];
            const history = histories[r]!;
            for (let t = 0; t < input.length; t++) {
              const at = r * input.length + t;
              if (input.mask[at] === 1) {
                expect(input.positions[at]).toBe(history.length);
                history.push(input.tokens[at]!);
              }
            }
            expect(history.length).toBeLessThanOrEqual(limits.maxLength);
            const last = tf.tidy(() => {
              const { logits } = model.forward({ inputIds: tf.tensor2d([history], undefined, 'int32') });
              return tf.slice(logits, [0, history.length - 1, 0], [1, 1, -1]).dataSync();
            });
            out.set(last, r * shape.vocabSize);
          }
          return out;
        },
        dispose() {
          disposed++;
        },
      };
      return decoder;
    },
  };
  let disposed = 0;
  return { provider, disposedCount: () => disposed };
}

const PROMPTS = [[3, 9, 27, 81], [5], [40, 41, 42]];
let model: Gpt2LMHeadModel;
let unregister: (() => void) | undefined;

beforeAll(async () => {
  await initBackend('cpu');
  model = Gpt2LMHeadModel.create(
    {
      vocab_size: 101,
      n_positions: 32,
      n_embd: 24,
      n_layer: 2,
      n_head: 2,
      bos_token_id: null,
      eos_token_id: null,
    },
    { seed: 5 },
  );
});

afterEach(() => {
  unregister?.();
  unregister = undefined;
});

describe('generate() with a fast decoder provider', () => {
  it('hands it left-padded prompts and cached steps that give the same tokens as tensor decoding', async () => {
    // Row 1 stops at its second token, so later steps must drop it from the decoder's batch.
    const free = await model.generate(PROMPTS, { maxNewTokens: 6, doSample: false, fastDecoder: false });
    const options = { maxNewTokens: 6, doSample: false, stopTokenIds: [[], [free[1]!.tokenIds[1]!], []] };
    const expected = await model.generate(PROMPTS, { ...options, fastDecoder: false });
    const log: FastDecoderInput[] = [];
    const shapes: PreNormDecoderShape[] = [];
    const fake = recomputingProvider(model, log, shapes);
    unregister = registerCapability('fastDecoder', fake.provider);
    const fast = await model.generate(PROMPTS, options);
    expect(fast.map((r) => r.tokenIds)).toEqual(expected.map((r) => r.tokenIds));
    expect(fast.map((r) => r.finishReason)).toEqual(expected.map((r) => r.finishReason));
    expect(shapes[0]).toMatchObject({ layers: 2, width: 24, heads: 2, vocabSize: 101, innerWidth: 96 });
    // The prefill is the padded batch; then one token per active row per step.
    expect(log[0]).toMatchObject({ rows: 3, length: 4 });
    expect(Array.from(log[0]!.mask)).toEqual([1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1]);
    expect(log.slice(1).every((input) => input.length === 1)).toBe(true);
    expect(expected[1]!.finishReason).toBe('stop-token');
    expect(log.some((input) => input.keep !== undefined && Array.from(input.keep).join() === '0,2')).toBe(
      true,
    );
    expect(fake.disposedCount()).toBe(1);
  });

  it('is skipped when the call opts out, and falls back when the provider declines', async () => {
    let created = 0;
    unregister = registerCapability('fastDecoder', {
      name: 'declines',
      create: () => {
        created++;
        return undefined;
      },
    });
    const declined = await model.generate(PROMPTS, { maxNewTokens: 3, doSample: false });
    expect(created).toBe(1);
    await model.generate(PROMPTS, { maxNewTokens: 3, doSample: false, fastDecoder: false });
    expect(created).toBe(1);
    const plain = await model.generate(PROMPTS, { maxNewTokens: 3, doSample: false, fastDecoder: false });
    expect(declined.map((r) => r.tokenIds)).toEqual(plain.map((r) => r.tokenIds));
  });

  it('is not used for a model with LoRA adapters, and a failing decoder is disposed', async () => {
    let created = 0;
    let disposed = 0;
    unregister = registerCapability('fastDecoder', {
      name: 'fails',
      create: () => {
        created++;
        return {
          forward: () => {
            throw new Error('decoder broke');
          },
          dispose: () => {
            disposed++;
          },
        };
      },
    });
    await expect(model.generate(PROMPTS, { maxNewTokens: 2 })).rejects.toThrow('decoder broke');
    expect(disposed).toBe(1);
    const lora = Gpt2LMHeadModel.create(
      {
        vocab_size: 101,
        n_positions: 32,
        n_embd: 24,
        n_layer: 1,
        n_head: 2,
        bos_token_id: null,
        eos_token_id: null,
      },
      { seed: 1 },
    );
    addLora(lora, { r: 2, targetModules: ['c_attn'] });
    const before = created;
    await lora.generate(PROMPTS, { maxNewTokens: 2 });
    expect(created).toBe(before);
    lora.dispose();
  });

  it('rejects a non-boolean fastDecoder option by name', async () => {
    await expect(
      model.generate(PROMPTS, { maxNewTokens: 1, fastDecoder: 'yes' as unknown as boolean }),
    ).rejects.toThrow(/fastDecoder/);
  });
});
