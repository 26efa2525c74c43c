import { fileURLToPath } from 'node:url';
import { runReadmeSnippet } from '@trl/test-kit/readme';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('README', () => {
  it('runs the example as written and prints what its comments say', async () => {
    const { snippet, logs } = await runReadmeSnippet({ packageDir, packageName: '@trl/textenv' });
    expect(snippet).toContain('env.run(');
    expect(logs[0]).toEqual([[1, 1]]);
    expect(logs[1]).toEqual([
      'Use the calculator, then submit.\nQuestion: 7*6<request><Calculator>7*6<call>42<response>It is 42<submit>\n\nReward: 1',
    ]);
    expect(logs[2]![0]).toMatchObject({ calls: 2, errors: 0, timeouts: 0 });
    expect(logs[3]).toEqual([2, true]);
  });
});
