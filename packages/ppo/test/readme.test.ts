import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

it('README snippet runs as written and logs three finite steps', async () => {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const snippet = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(snippet).toContain('trainer.step(');
  // Run it from a scratch folder inside the package so the TypeScript transform applies, with the
  // package names pointing at the sources.
  const dir = mkdtempSync(join(packageDir, 'test', '.readme-'));
  const file = join(dir, 'snippet.ts');
  const source = (snippet as string)
    .replace("from '@trl/ppo'", `from ${JSON.stringify(join(packageDir, 'src', 'index.ts'))}`)
    .replaceAll('/tmp/my-ppo-run', join(dir, 'run'));
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
  expect(logs.map((line) => line[0])).toEqual([0, 1, 2]);
  for (const line of logs) for (const value of line) expect(Number.isFinite(value)).toBe(true);
});
