import { fileURLToPath } from 'node:url';
import { runReadmeSnippet } from '@trl/test-kit/readme';
import { expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

it('README snippet runs as written and logs three finite steps', async () => {
  const { snippet, logs } = await runReadmeSnippet({ packageDir, packageName: '@trl/grpo' });
  expect(snippet).toContain('trainer.step(');
  expect(logs.map((line) => line[0])).toEqual([0, 1, 2]);
  for (const line of logs) for (const value of line) expect(Number.isFinite(value)).toBe(true);
});
