import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import { PythonInterpreter } from '../src/index';
import { describeSecuritySuite, SECURITY_LIMITS } from './security-suite';

function onPath(name: string): boolean {
  try {
    execFileSync('which', [name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('subprocess backend without prlimit', () => {
  test('refuses with a clear error', async () => {
    const tool = new PythonInterpreter({ backend: 'subprocess', prlimitPath: '/nonexistent/prlimit' });
    await expect(tool.ready()).rejects.toThrow(/needs prlimit.*not found/);
    await expect(tool.call('print(1)', { signal: new AbortController().signal })).rejects.toThrow(
      /needs prlimit/,
    );
    await tool.close();
  });
});

if (onPath('prlimit') && onPath('python3')) {
  const tool = new PythonInterpreter({
    backend: 'subprocess',
    ...SECURITY_LIMITS,
    returnLastExpression: true,
  });
  afterAll(() => tool.close());
  describeSecuritySuite('subprocess', tool);

  describe('subprocess backend runs ordinary code', () => {
    const signal = new AbortController().signal;
    test('prints, returns the last expression and reports tracebacks', async () => {
      expect(await tool.call('print(2 ** 10)\nsum(range(5))', { signal })).toBe('1024\nOut: 10');
      const out = await tool.call('import json\njson.loads("{")', { signal });
      expect(out).toContain('[stderr]');
      expect(out).toContain('json.decoder.JSONDecodeError');
      expect(out).not.toContain('<trl-sandbox>');
    });

    test('an aborted signal kills the running process and the tool keeps serving', async () => {
      const controller = new AbortController();
      const running = tool.call('while True:\n    pass', { signal: controller.signal });
      setTimeout(() => controller.abort(), 300);
      await expect(running).rejects.toThrow(/aborted/);
      expect(await tool.call('print("next")', { signal })).toBe('next');
    });

    test('the environment is scrubbed and the working directory is a fresh temp dir', async () => {
      // LC_CTYPE is added by Python itself when it coerces the C locale to UTF-8 (PEP 538).
      const out = await tool.call(
        "import os\nprint(sorted(set(os.environ) - {'LC_CTYPE'}))\nprint(os.listdir('.'))",
        { signal },
      );
      expect(out).toBe("['PATH']\n[]");
    });
  });
} else {
  describe('subprocess backend on a host without prlimit or python3', () => {
    test('refuses with a clear error', async () => {
      const tool = new PythonInterpreter({ backend: 'subprocess' });
      await expect(tool.ready()).rejects.toThrow(/backend 'subprocess' needs/);
      await tool.close();
    });
  });
}
