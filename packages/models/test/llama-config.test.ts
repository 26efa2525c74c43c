import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrlError } from '@trl/core';
import { afterEach, describe, expect, it } from 'vitest';
import { llamaFamilyDir } from '../../test-kit/src/fixtures';
import { AutoModelForCausalLM } from '../src/auto/auto-model-for-causal-lm';
import { parseLlamaConfig, UNSUPPORTED_CONFIG } from '../src/llama/config';

const base = {
  model_type: 'llama',
  vocab_size: 100,
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
};

/** The TrlError `fn` throws (fails the test when it throws something else or nothing). */
function trlErrorOf(fn: () => unknown): TrlError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TrlError);
    return error as TrlError;
  }
  throw new Error('expected a TrlError');
}

describe('Llama-family config', () => {
  it('fills in transformers defaults: one kv head per head, head_dim from the width, untied head', () => {
    const config = parseLlamaConfig(base);
    expect(config).toMatchObject({ kvHeads: 4, headDim: 8, tiedEmbeddings: false, qkNorm: false });
    expect(config.rope).toEqual({ type: 'default', theta: 10000 });
    expect(config).toMatchObject({ qkvBias: false, outputBias: false, mlpBias: false });
  });

  it('wires the biases and norms each family has', () => {
    expect(parseLlamaConfig({ ...base, model_type: 'qwen2' })).toMatchObject({
      qkvBias: true,
      outputBias: false,
    });
    expect(parseLlamaConfig({ ...base, model_type: 'qwen3', head_dim: 20 })).toMatchObject({
      qkNorm: true,
      headDim: 20,
    });
    expect(parseLlamaConfig({ ...base, attention_bias: true, mlp_bias: true })).toMatchObject({
      qkvBias: true,
      outputBias: true,
      mlpBias: true,
    });
    expect(parseLlamaConfig({ ...base, model_type: 'mistral', attention_bias: true })).toMatchObject({
      qkvBias: false,
    });
  });

  it('reads the transformers-4 and transformers-5 RoPE layouts to the same settings', () => {
    const llama3 = {
      factor: 8,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 8192,
    };
    const v4 = parseLlamaConfig({
      ...base,
      rope_theta: 500000,
      rope_scaling: { rope_type: 'llama3', ...llama3 },
    });
    const v5 = parseLlamaConfig({
      ...base,
      rope_parameters: { rope_type: 'llama3', rope_theta: 500000, ...llama3 },
    });
    const expected = {
      type: 'llama3',
      theta: 500000,
      factor: 8,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositions: 8192,
    };
    expect(v4.rope).toEqual(expected);
    expect(v5.rope).toEqual(expected);
    expect(
      parseLlamaConfig({ ...base, rope_theta: 1e6, rope_scaling: { type: 'linear', factor: 2 } }).rope,
    ).toEqual({
      type: 'linear',
      theta: 1e6,
      factor: 2,
    });
  });

  it.each([
    ['dynamic', { rope_scaling: { rope_type: 'dynamic', factor: 2 } }, 'rope_scaling.rope_type'],
    [
      'yarn',
      { rope_parameters: { rope_type: 'yarn', rope_theta: 1e4, factor: 4 } },
      'rope_parameters.rope_type',
    ],
    ['longrope', { rope_scaling: { type: 'longrope', factor: 4 } }, 'rope_scaling.type'],
  ])('refuses the %s RoPE type, naming the field and what is supported', (type, rope, field) => {
    const error = trlErrorOf(() => parseLlamaConfig({ ...base, ...rope }));
    expect(error.code).toBe(UNSUPPORTED_CONFIG);
    expect(error.message).toContain(`${field}: RoPE type "${type}" is not supported`);
    expect(error.message).toMatch(/"default", "linear" and "llama3"/);
  });

  it('names a missing llama3 parameter', () => {
    const error = trlErrorOf(() =>
      parseLlamaConfig({ ...base, rope_scaling: { rope_type: 'llama3', factor: 8, high_freq_factor: 4 } }),
    );
    expect(error.message).toContain('rope_scaling.low_freq_factor: expected a positive number');
  });

  it('refuses a sliding window only where it would change results', () => {
    const mistral = { ...base, model_type: 'mistral', max_position_embeddings: 4096 };
    const error = trlErrorOf(() => parseLlamaConfig({ ...mistral, sliding_window: 1024 }));
    expect(error.code).toBe(UNSUPPORTED_CONFIG);
    expect(error.message).toMatch(
      /sliding_window: sliding-window attention \(window 1024 < max_position_embeddings 4096\)/,
    );
    expect(error.message).toMatch(/"sliding_window": null/);
    expect(() => parseLlamaConfig({ ...mistral, sliding_window: null })).not.toThrow();
    expect(() => parseLlamaConfig({ ...mistral, sliding_window: 4096 })).not.toThrow();
    // Qwen saves a window even when use_sliding_window is off; then no layer uses it.
    const qwen = { ...base, model_type: 'qwen2', max_position_embeddings: 4096, sliding_window: 1024 };
    expect(() => parseLlamaConfig({ ...qwen, use_sliding_window: false })).not.toThrow();
    expect(() => parseLlamaConfig({ ...qwen, layer_types: ['full_attention', 'sliding_attention'] })).toThrow(
      /sliding_window/,
    );
  });

  it('checks head counts and widths', () => {
    expect(() => parseLlamaConfig({ ...base, num_key_value_heads: 3 })).toThrow(
      /num_attention_heads \(4\) must be a multiple of num_key_value_heads \(3\)/,
    );
    expect(() => parseLlamaConfig({ ...base, num_attention_heads: 5 })).toThrow(/set head_dim/);
    expect(() => parseLlamaConfig({ ...base, hidden_act: 'gelu' })).toThrow(
      /hidden_act "gelu" is not supported/,
    );
    expect(() => parseLlamaConfig({ ...base, model_type: 'phi3' })).toThrow(TrlError);
  });
});

describe('AutoModelForCausalLM registry', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a model_type it has no loader for, listing the ones it has', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trl-registry-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert' }));
    await expect(AutoModelForCausalLM.fromPretrained(dir)).rejects.toThrow(
      /model_type "bert" .* is not supported: @trl\/models implements gpt2, llama, mistral, qwen2, qwen3/,
    );
  });

  it('names the missing weights of a Llama checkpoint, and a pytorch_model.bin it cannot read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trl-registry-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'config.json'), readFileSync(join(llamaFamilyDir('tiny-llama3'), 'config.json')));
    writeFileSync(join(dir, 'pytorch_model.bin'), 'not read');
    await expect(AutoModelForCausalLM.fromPretrained(dir)).rejects.toThrow(
      /No model\.safetensors .* only pytorch_model\.bin.*safe_serialization=True/,
    );
  });
});
