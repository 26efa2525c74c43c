import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { initBackend, TrlError } from '@trl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thrown } from '../../test-kit/src/errors';
import { TINY_GPT2_DIR } from '../../test-kit/src/fixtures';
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  loadLoraAdapter,
  parseGpt2Config,
  parseLoraConfig,
} from '../src/index';

beforeAll(() => initBackend('cpu'));

const root = mkdtempSync(join(tmpdir(), 'trl-models-errors-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh directory holding `files` (name → text). */
function directoryWith(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

describe('input errors of @trl/models are TrlErrors with a code, keeping their message', () => {
  it.each([
    {
      what: 'a config field that does not fit',
      run: () => parseGpt2Config({ n_embd: 10, n_head: 3 }),
      code: 'invalid-value',
      message: 'Invalid GPT-2 config: n_embd (10) must be divisible by n_head (3).',
    },
    {
      what: 'a bad LoRA config',
      run: () => parseLoraConfig({ r: 0 }),
      code: 'invalid-value',
      message: /^Invalid LoRA config:\n {2}r: /,
    },
    {
      what: 'a bad generation option',
      run: async () => {
        const model = await AutoModelForCausalLM.fromPretrained(TINY_GPT2_DIR);
        try {
          return await model.generate([[1]], { maxNewTokens: 1, topP: 2 });
        } finally {
          model.dispose();
        }
      },
      code: 'invalid-value',
      message: 'topP must be in (0, 1], got 2.',
    },
  ])('$what: $code', async ({ run, code, message }) => {
    const error = await thrown(run);
    expect(error).toBeInstanceOf(TrlError);
    expect(error).toMatchObject({ name: 'TrlError', code });
    expect((error as Error).message).toMatch(message);
  });

  it('a missing tokenizer.json is file-not-found, through the AutoTokenizer message', async () => {
    const dir = directoryWith('no-tokenizer', {});
    const error = await thrown(() => AutoTokenizer.fromPretrained(dir));
    expect(error).toBeInstanceOf(TrlError);
    expect(error).toMatchObject({
      code: 'file-not-found',
      message:
        `Cannot load a tokenizer from "${dir}": Required file "tokenizer.json" is missing from the model ` +
        `directory "${resolve(dir)}". Only fast tokenizers saved as tokenizer.json are supported.`,
    });
    expect((error as Error).cause).toBeInstanceOf(TrlError);
  });

  it('a tokenizer.json that is not JSON is invalid-file', async () => {
    const dir = directoryWith('broken-tokenizer', { 'tokenizer.json': '{' });
    const error = await thrown(() => AutoTokenizer.fromPretrained(dir));
    expect(error).toBeInstanceOf(TrlError);
    expect(error).toMatchObject({ code: 'invalid-file' });
    expect((error as Error).message).toMatch(
      /tokenizer\.json is not valid JSON \(.*\); re-download or regenerate/,
    );
  });

  it('an adapter of a PEFT type other than LoRA is unsupported-file', async () => {
    const dir = directoryWith('prefix-adapter', { 'adapter_config.json': '{"peft_type": "PREFIX_TUNING"}' });
    const model = await AutoModelForCausalLM.fromPretrained(TINY_GPT2_DIR);
    try {
      const error = await thrown(() => loadLoraAdapter(model, dir));
      expect(error).toBeInstanceOf(TrlError);
      expect(error).toMatchObject({ code: 'unsupported-file' });
      expect((error as Error).message).toMatch(/: peft_type PREFIX_TUNING is not supported \(LORA only\)\.$/);
    } finally {
      model.dispose();
    }
  });
});
