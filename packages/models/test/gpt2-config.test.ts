import { describe, expect, it } from 'vitest';
import { mlpWidth, parseGpt2Config } from '../src/gpt2/config';

describe('parseGpt2Config', () => {
  it("fills in GPT2Config's defaults (the 124M model)", () => {
    const config = parseGpt2Config({});
    expect(config).toMatchObject({
      model_type: 'gpt2',
      vocab_size: 50257,
      n_positions: 1024,
      n_embd: 768,
      n_layer: 12,
      n_head: 12,
      n_inner: null,
      activation_function: 'gelu_new',
      layer_norm_epsilon: 1e-5,
      resid_pdrop: 0.1,
      embd_pdrop: 0.1,
      attn_pdrop: 0.1,
      tie_word_embeddings: true,
      bos_token_id: 50256,
      eos_token_id: 50256,
    });
    expect(mlpWidth(config)).toBe(4 * 768);
    expect(mlpWidth(parseGpt2Config({ n_inner: 100 }))).toBe(100);
  });

  it('keeps unknown keys so a round trip preserves them', () => {
    const config = parseGpt2Config({ n_ctx: 64, architectures: ['GPT2LMHeadModel'] });
    expect(config['n_ctx']).toBe(64);
    expect(config['architectures']).toEqual(['GPT2LMHeadModel']);
  });

  it('refuses another model_type with a clear message', () => {
    expect(() => parseGpt2Config({ model_type: 'llama' })).toThrow(
      /model_type "llama" is not supported.*GPT-2 only/,
    );
  });

  it('names bad fields', () => {
    expect(() => parseGpt2Config({ n_embd: 50, n_head: 4 })).toThrow(
      /n_embd \(50\) must be divisible by n_head \(4\)/,
    );
    expect(() => parseGpt2Config({ activation_function: 'relu' })).toThrow(
      /activation_function "relu" is not supported/,
    );
    expect(() => parseGpt2Config({ n_layer: 0 })).toThrow(/n_layer: Too small/);
    expect(() => parseGpt2Config([])).toThrow(/expected a JSON object/);
  });
});
