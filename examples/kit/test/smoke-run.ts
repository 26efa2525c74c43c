/**
 * Test scaffolding the examples' smoke tests share (imported as `@trl/example-kit/smoke-run`; vitest
 * only, so it stays out of `src`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh temporary run directory for `example`'s smoke test, removed after the file's tests. */
export function smokeRunDir(example: string): string {
  const runDir = mkdtempSync(join(tmpdir(), `${example}-smoke-`));
  afterAll(() => rmSync(runDir, { recursive: true, force: true }));
  return runDir;
}
