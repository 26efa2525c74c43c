import { expect } from 'vitest';
import { nativeAddon } from '../../src/index';

/**
 * Runs `body` once per micro-kernel (portable, then the best the CPU has) and thread count (1, 2),
 * then restores the addon's kernel and threads, even when `body` fails.
 */
export async function forEachKernelAndThreadCount(body: () => Promise<unknown>): Promise<void> {
  const addon = nativeAddon()!;
  const threads = addon.getThreads();
  try {
    for (const kernel of ['portable', 'auto'] as const) {
      for (const count of [1, 2]) {
        expect(addon.setKernel(kernel)).toBe(true);
        addon.setThreads(count);
        await body();
      }
    }
  } finally {
    addon.setKernel('auto');
    addon.setThreads(threads);
  }
}
