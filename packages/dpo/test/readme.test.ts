import { runReadmeSnippet } from '@trl/test-kit';
import { expect, it } from 'vitest';

it('the README quick start runs as written and widens the margin', async () => {
  const { logs } = await runReadmeSnippet({
    packageDir: `${import.meta.dirname}/..`,
    packageName: '@trl/dpo',
    scratchPaths: ['/tmp/dpo-demo'],
  });
  const metrics = logs[0]?.[0] as Record<string, number>;
  expect(metrics['eval_rewards/margins']).toBeGreaterThan(0);
  expect(metrics['eval_rewards/accuracies']).toBe(1);
}, 120_000);
