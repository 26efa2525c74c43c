import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('README', () => {
  it('runs the GPT-2 snippet as written', async () => {
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## GPT-2'));
    const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(snippet).toContain('model.generate(');
    // Run it from a scratch folder inside the package so the TypeScript transform applies, with the
    // package name pointing at the sources.
    const dir = mkdtempSync(join(packageDir, 'test', '.readme-'));
    const file = join(dir, 'snippet.ts');
    const saveDir = join(dir, 'saved');
    const source = snippet!
      .replace("from '@trl/models'", `from ${JSON.stringify(join(packageDir, 'src', 'index.ts'))}`)
      .replaceAll('/tmp/my-gpt2', saveDir);
    writeFileSync(file, `${source}\nexport const ran = true;\n`);
    const logs: unknown[][] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => logs.push(args);
    try {
      const module = (await import(/* @vite-ignore */ file)) as { ran: boolean };
      expect(module.ran).toBe(true);
    } finally {
      console.log = original;
      rmSync(dir, { recursive: true, force: true });
    }
    const [tokenIds, logprobs, reason] = logs[0]!;
    expect(tokenIds as number[]).toHaveLength(8);
    expect((logprobs as number[]).every((lp) => lp <= 0)).toBe(true);
    expect(['eos', 'length']).toContain(reason);
  });
});
