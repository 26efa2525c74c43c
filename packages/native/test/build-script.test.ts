import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '..', 'scripts', 'build.mjs');
const dirs: string[] = [];

/** A throwaway package directory holding only the build script (no binding.gyp, no sources). */
function emptyPackage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trl-native-build-'));
  dirs.push(dir);
  cpSync(script, join(dir, 'scripts', 'build.mjs'));
  return dir;
}

function runBuild(dir: string, env: Record<string, string>, strict = false) {
  return spawnSync(process.execPath, [join(dir, 'scripts', 'build.mjs'), ...(strict ? ['--strict'] : [])], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
}

describe('scripts/build.mjs (the install hook)', () => {
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 and leaves a marker with the compiler log when the build fails', () => {
    const dir = emptyPackage();
    const result = runBuild(dir, {});
    expect(result.status).toBe(0);
    const marker = join(dir, 'build', 'native-build-failed.txt');
    expect(existsSync(marker)).toBe(true);
    expect(readFileSync(marker, 'utf8')).toMatch(/node-gyp exited|not found/);
    expect(existsSync(join(dir, 'build', 'Release', 'trl_native.node'))).toBe(false);
  });

  it('honours TRL_NATIVE_SKIP_BUILD=1, and --strict turns a failure into exit 1', () => {
    const dir = emptyPackage();
    expect(runBuild(dir, { TRL_NATIVE_SKIP_BUILD: '1' }).status).toBe(0);
    expect(readFileSync(join(dir, 'build', 'native-build-failed.txt'), 'utf8')).toMatch(
      /TRL_NATIVE_SKIP_BUILD/,
    );
    expect(runBuild(dir, { TRL_NATIVE_SKIP_BUILD: '1' }, true).status).toBe(1);
  });
});
