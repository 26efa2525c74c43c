/**
 * Helpers for the examples' smoke tests (vitest): a run directory that is removed after the suite,
 * and the metric names a run logged.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestBackend, testBackend } from '@trl/test-kit/backend';
import { afterAll } from 'vitest';

/** A fresh directory under the system temp dir named `<prefix>XXXXXX`, removed after the current suite. */
export function useTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every metric name in the run's `metrics.jsonl`. */
export function loggedMetricNames(runDir: string): Set<string> {
  const lines = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
  return new Set(lines.flatMap((line) => Object.keys(JSON.parse(line))));
}

/**
 * `config` with its `backend` set to the backend under test (wasm unless `TRL_TEST_BACKEND` names
 * another), so a smoke test runs on each engine the suite is run on.
 */
export function onTestBackend<C extends { backend: string }>(config: C): C & { backend: TestBackend } {
  return { ...config, backend: testBackend() };
}
