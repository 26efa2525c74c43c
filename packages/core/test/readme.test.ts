import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// By path: the kit depends on @trl/core, so this package cannot depend on the kit.
import { runReadmeSnippet } from '../../test-kit/src/readme';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('README', () => {
  it('runs the first snippet as written: a finite cross-entropy', async () => {
    const { logs } = await runReadmeSnippet({ packageDir, packageName: '@trl/core' });
    const [backend, loss] = logs[0]!;
    expect(typeof backend).toBe('string');
    expect(Number.isFinite(loss)).toBe(true);
  });

  it('runs the RL-math snippet as written (it sets up a backend first)', async () => {
    const { snippet, logs } = await runReadmeSnippet({
      packageDir,
      packageName: '@trl/core',
      section: '## RL math',
    });
    expect(snippet).toContain('await initBackend()');
    const [loss, ratioMean, klCoef] = logs[0]! as number[];
    expect(Number.isFinite(loss)).toBe(true);
    // The old and new log-probs are the same tensors, so the ratio is exactly 1.
    expect(ratioMean).toBeCloseTo(1, 6);
    expect(klCoef).toBeGreaterThan(0);
  });
});
