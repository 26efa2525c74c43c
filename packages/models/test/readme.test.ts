import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// By path: the kit depends on @trl/models, so this package cannot depend on the kit.
import { runReadmeSnippet } from '../../test-kit/src/readme';

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
});
