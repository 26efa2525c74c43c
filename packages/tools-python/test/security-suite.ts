import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PythonInterpreter } from '../src/index';
import { type CountingServer, startCountingServer } from './loopback-server';

/** Settings shared by the security suites: small limits so the attacks end quickly. */
export const SECURITY_LIMITS = {
  timeoutMs: 4_000,
  interruptGraceMs: 1_000,
  memoryLimitMb: 96,
  maxOutputChars: 2_000,
} as const;

const signal = new AbortController().signal;

/** A path on the host no test creates, so its existence proves an escape. */
function hostProbePath(label: string): string {
  return join(tmpdir(), `trl-python-probe-${label}-${process.pid}-${Math.random().toString(36).slice(2)}`);
}

/**
 * Attacks every backend must contain. Each test checks the attack failed with a clear message
 * (and, where it would leave a trace on the host, that no trace exists), then that the SAME tool
 * instance still answers a normal call. The caller closes the tool.
 */
export function describeSecuritySuite(backendName: string, tool: PythonInterpreter): void {
  describe(`${backendName} backend contains attacks`, () => {
    let server: CountingServer;
    let port = 0;

    beforeAll(async () => {
      await tool.ready();
      server = await startCountingServer();
      port = server.port;
    });
    afterAll(() => server.close());

    async function expectStillServing(): Promise<void> {
      expect(await tool.call('print(6 * 7)', { signal })).toBe('42');
    }

    test('reading /etc/passwd finds nothing from the host', async () => {
      const out = await tool.call("print(open('/etc/passwd').read())", { signal });
      expect(out).not.toContain('root:');
      expect(out).toMatch(/FileNotFoundError|PermissionError/);
      await expectStillServing();
    });

    test('writing files never reaches the host disk', async () => {
      const inTmp = hostProbePath('write');
      const inWorkspace = join(process.cwd(), `trl-python-probe-${process.pid}.txt`);
      const out = await tool.call(
        [
          `for path in (${JSON.stringify(inTmp)}, ${JSON.stringify(inWorkspace)}):`,
          '    try:',
          "        with open(path, 'w') as f:",
          "            f.write('escaped')",
          "        print('wrote', path)",
          '    except OSError as error:',
          "        print('refused', type(error).__name__)",
        ].join('\n'),
        { signal },
      );
      // The workspace path is refused: PermissionError outside the sandbox's writable /tmp, or
      // FileNotFoundError when the checkout itself lives under /tmp (the folder does not exist in the
      // sandbox's in-memory /tmp). Either way nothing reaches the host, which is what the checks below prove.
      expect(out).toMatch(/refused (PermissionError|FileNotFoundError)/);
      expect(existsSync(inTmp)).toBe(false);
      expect(existsSync(inWorkspace)).toBe(false);
      await expectStillServing();
    });

    test('directory descriptors and symlinks cannot point the checks elsewhere', async () => {
      const out = await tool.call(
        [
          'import os',
          'library = os.path.dirname(os.path.dirname(os.__file__))',
          'for attempt in (',
          '    lambda: os.open(library, os.O_RDONLY),',
          "    lambda: os.symlink(library, 'link'),",
          "    lambda: os.symlink('../../../../../../../../etc', 'link'),",
          '):',
          '    try:',
          '        attempt()',
          "        print('allowed')",
          '    except PermissionError:',
          "        print('refused')",
          "os.mkdir('inside')",
          "os.symlink('inside', 'alias')",
          "print(os.path.islink('alias'))",
        ].join('\n'),
        { signal },
      );
      expect(out).toBe('refused\nrefused\nrefused\nTrue');
      await expectStillServing();
    });

    test('os.system runs nothing on the host', async () => {
      const marker = hostProbePath('system');
      const out = await tool.call(`import os\nos.system('touch ${marker}')`, { signal });
      expect(out).toContain('PermissionError');
      expect(out).toContain('os.system is blocked');
      expect(existsSync(marker)).toBe(false);
      await expectStillServing();
    });

    test('subprocess is refused with a clear message', async () => {
      const marker = hostProbePath('subprocess');
      const out = await tool.call(`import subprocess\nsubprocess.run(['touch', '${marker}'])`, { signal });
      expect(out).toContain("import of 'subprocess' is blocked");
      expect(out).toContain('cannot start processes');
      expect(existsSync(marker)).toBe(false);
      await expectStillServing();
    });

    test('native code cannot be loaded under another name or from the sandbox directory', async () => {
      const out = await tool.call(
        [
          'import importlib.machinery, importlib.util',
          "open('evil.so', 'wb').write(b'not really an ELF file')",
          "real = importlib.machinery.PathFinder.find_spec('_ctypes')",
          "print('found' if real else 'absent')",
          "candidates = [('x._ctypes', real.origin if real else 'evil.so'), ('evil', 'evil.so')]",
          'for name, path in candidates:',
          '    try:',
          '        spec = importlib.util.spec_from_file_location(name, path)',
          '        importlib.util.module_from_spec(spec)',
          "        print('loaded', name)",
          '    except ImportError as error:',
          "        print('blocked' if 'sandbox' in str(error) else f'other: {error}')",
        ].join('\n'),
        { signal },
      );
      expect(out).toMatch(/^(found|absent)\nblocked\nblocked$/);
      await expectStillServing();
    });

    test('a fork bomb cannot fork', async () => {
      const out = await tool.call('import os\nwhile True:\n    os.fork()', { signal });
      expect(out).toContain('os.fork is blocked');
      await expectStillServing();
    });

    test('sockets and HTTP clients cannot connect', async () => {
      const out = await tool.call(
        [
          'import socket, urllib.request',
          'for attempt in (',
          `    lambda: socket.create_connection(('127.0.0.1', ${port}), timeout=1),`,
          `    lambda: urllib.request.urlopen('http://127.0.0.1:${port}/', timeout=1),`,
          '):',
          '    try:',
          '        attempt()',
          "        print('connected')",
          '    except Exception as error:',
          "        print('refused', type(error).__name__)",
        ].join('\n'),
        { signal },
      );
      expect(out).not.toContain('connected');
      expect(out).toBe('refused PermissionError\nrefused PermissionError');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(server.connections()).toBe(0);
      await expectStillServing();
    });

    test('an infinite loop times out', async () => {
      const out = await tool.call('while True:\n    pass', { signal });
      expect(out).toContain(`TimeoutError: execution exceeded ${SECURITY_LIMITS.timeoutMs} ms`);
      await expectStillServing();
    });

    test('a loop that swallows KeyboardInterrupt is killed', async () => {
      const out = await tool.call(
        'while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass',
        { signal },
      );
      expect(out).toContain('TimeoutError');
      expect(out).toContain('killed');
      await expectStillServing();
    });

    test('a memory bomb raises MemoryError', async () => {
      const out = await tool.call("hoard = []\nwhile True:\n    hoard.append(' ' * 2**20)", { signal });
      expect(out).toContain('MemoryError');
      await expectStillServing();
    });

    test('megabytes of output are truncated', async () => {
      const out = await tool.call("print('x' * 5_000_000)\nfor i in range(100_000):\n    print(i)", {
        signal,
      });
      expect(out.length).toBeLessThan(SECURITY_LIMITS.maxOutputChars + 200);
      expect(out).toMatch(/\.\.\.\[\d+ characters truncated\]\.\.\./);
      expect(out.startsWith('xxxx')).toBe(true);
      expect(out.endsWith('99999')).toBe(true);
      await expectStillServing();
    });
  });
}
