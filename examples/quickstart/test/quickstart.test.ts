import { testBackend } from '@trl/test-kit/backend';
import { describe, expect, it } from 'vitest';
import { runQuickstart } from '../src/quickstart';

describe('quickstart example', () => {
  it('matches the PyTorch greedy ids, and fine-tuning lowers the loss and changes the continuation', async () => {
    const lines: string[] = [];
    const result = await runQuickstart({
      steps: 30,
      backend: testBackend(),
      log: (line: string) => lines.push(line),
    });
    expect(result.greedyMatches).toBe(true);
    expect(result.lossAfter).toBeLessThan(result.lossBefore * 0.5);
    expect(result.textAfter).not.toBe(result.textBefore);
    expect(lines.some((l) => l.startsWith('step 30/30'))).toBe(true);
  });
});
