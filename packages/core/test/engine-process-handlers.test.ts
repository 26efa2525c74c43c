import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const script = fileURLToPath(new URL('./helpers/throw-after-wasm.ts', import.meta.url));

function run(...args: string[]) {
  return spawnSync(process.execPath, [tsx, script, ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe('process error handling after initBackend("wasm")', () => {
  it.each([
    ['an uncaught error', [], 'the application failed'],
    ['an unhandled rejection', ['reject'], 'the application rejected'],
  ])('reports %s as Node does: exit code 1, its message, no emscripten glue', (_label, args, message) => {
    const result = run(...args);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('Module=typeof WasmBackendModule');
    expect(result.stderr.length).toBeLessThan(5000);
  });
});
