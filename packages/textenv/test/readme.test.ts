import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('README', () => {
  it('runs the example as written and prints what its comments say', async () => {
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
    const snippet = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toContain('env.run(');
    // A scratch module inside the package, so vitest transforms it and the package name maps to the sources.
    const dir = mkdtempSync(join(packageDir, 'test', '.readme-'));
    const file = join(dir, 'snippet.ts');
    const source = snippet!.replace(
      "from '@trl/textenv'",
      `from ${JSON.stringify(join(packageDir, 'src', 'index.ts'))}`,
    );
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
    expect(logs[0]).toEqual([[1, 1]]);
    expect(logs[1]).toEqual([
      'Use the calculator, then submit.\nQuestion: 7*6<request><Calculator>7*6<call>42<response>It is 42<submit>\n\nReward: 1',
    ]);
    expect(logs[2]![0]).toMatchObject({ calls: 2, errors: 0, timeouts: 0 });
    expect(logs[3]).toEqual([2, true]);
  });
});
