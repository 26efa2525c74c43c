import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf } from '@trl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test-kit/src/backend';
import {
  fixtureExpected,
  maxAbsDiff,
  TINY_GPT2_DIR,
  TINY_QWEN3_BF16_SHARDED_DIR,
  tinyGpt2Expected,
} from '../../test-kit/src/fixtures';
import { AutoModelForCausalLM } from '../src/auto/auto-model-for-causal-lm';
import { AutoModelForCausalLMWithValueHead } from '../src/auto/auto-model-with-heads';
import { LlamaForCausalLM } from '../src/llama/model';
import { type HubServer, startHubServer } from './helpers/hub-server';

describe('fromPretrained with a hub repo id', () => {
  let hub: HubServer;
  const cacheDir = mkdtempSync(join(tmpdir(), 'trl-models-hub-cache-'));
  beforeAll(async () => {
    await initBackend(testBackend());
    const root = mkdtempSync(join(tmpdir(), 'trl-models-hub-root-'));
    mkdirSync(join(root, 'tiny', 'gpt2'), { recursive: true });
    cpSync(TINY_GPT2_DIR, join(root, 'tiny', 'gpt2', 'main'), { recursive: true });
    mkdirSync(join(root, 'tiny', 'qwen3-sharded'), { recursive: true });
    cpSync(TINY_QWEN3_BF16_SHARDED_DIR, join(root, 'tiny', 'qwen3-sharded', 'main'), { recursive: true });
    hub = await startHubServer({ root, commitHash: 'a'.repeat(40) });
  });
  afterAll(() => hub.close());

  it('downloads config.json and model.safetensors into the cache, then loads from the cache alone', async () => {
    const expected = tinyGpt2Expected();
    const ids = tf.tensor2d(expected.input_ids, undefined, 'int32');
    const model = await AutoModelForCausalLM.fromPretrained('tiny/gpt2', {
      endpoint: hub.endpoint,
      cacheDir,
    });
    const logits = model.forward({ inputIds: ids }).logits;
    expect(maxAbsDiff(logits.dataSync(), expected.logits.flat(2))).toBeLessThan(1e-4);
    const files = hub.requests.map((r) => r.url.split('/').at(-1));
    expect(files).toEqual(
      expect.arrayContaining(['config.json', 'model.safetensors', 'adapter_config.json']),
    );

    const seen = hub.requests.length;
    const again = await AutoModelForCausalLMWithValueHead.fromPretrained('tiny/gpt2', {
      endpoint: hub.endpoint,
      cacheDir,
    });
    expect(hub.requests.length).toBe(seen);
    tf.dispose([ids, logits]);
    model.dispose();
    again.dispose();
  });

  it('downloads every shard a Llama-family repo lists in model.safetensors.index.json', async () => {
    const expected = fixtureExpected<{ input_ids: number[][]; logits: number[][][]; shards: string[] }>(
      TINY_QWEN3_BF16_SHARDED_DIR,
    );
    const model = await AutoModelForCausalLM.fromPretrained<LlamaForCausalLM>('tiny/qwen3-sharded', {
      endpoint: hub.endpoint,
      cacheDir,
    });
    expect(model).toBeInstanceOf(LlamaForCausalLM);
    const files = hub.requests.map((r) => r.url.split('/').at(-1));
    expect(files).toEqual(expect.arrayContaining(['model.safetensors.index.json', ...expected.shards]));
    const ids = tf.tensor2d(expected.input_ids, undefined, 'int32');
    const logits = model.forward({ inputIds: ids }).logits;
    expect(maxAbsDiff(logits.dataSync(), expected.logits.flat(2))).toBeLessThan(1e-4);
    tf.dispose([ids, logits]);
    model.dispose();
  });

  it('names the repo when it lacks model.safetensors', async () => {
    await expect(
      AutoModelForCausalLM.fromPretrained('tiny/missing', { endpoint: hub.endpoint, cacheDir }),
    ).rejects.toThrow(/tiny\/missing/);
  });
});
