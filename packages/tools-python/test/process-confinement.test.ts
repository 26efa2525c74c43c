import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { resolvePythonInterpreterConfig } from '../src/config';
import { formatExecutionOutput } from '../src/format-output';
import { SandboxPool, type SandboxPoolTestHooks } from '../src/sandbox-pool';
import { type CountingServer, startCountingServer } from './loopback-server';

const signal = new AbortController().signal;

function probePath(label: string): string {
  return join(tmpdir(), `trl-python-escape-${label}-${process.pid}-${Math.random().toString(36).slice(2)}`);
}

/** A pool whose in-process layers are switched off as the hooks say, as if an attacker had bypassed them. */
function weakenedPool(hooks: SandboxPoolTestHooks): {
  pool: SandboxPool;
  run(code: string): Promise<string>;
} {
  const config = resolvePythonInterpreterConfig({ timeoutMs: 8_000, maxOutputChars: 8_000 });
  const pool = new SandboxPool(config, hooks);
  return {
    pool,
    run: async (code) => formatExecutionOutput(await pool.execute(code, signal), config.maxOutputChars),
  };
}

/** Python that tries `action` and prints `denied <name>` or `ESCAPED <name>`. */
const ATTEMPT = [
  'def attempt(name, action):',
  '    try:',
  '        value = action()',
  "        print('ESCAPED', name, str(value)[:80])",
  '    except BaseException as error:',
  "        print('denied', name, '|', str(error).splitlines()[0][:100] if str(error) else type(error).__name__)",
].join('\n');

let server: CountingServer;
let port = 0;

beforeAll(async () => {
  server = await startCountingServer();
  port = server.port;
});
afterAll(() => server.close());

describe('with full JavaScript access inside the sandbox (guard and realm hardening off)', () => {
  const { pool, run } = weakenedPool({ pythonGuard: false, hardenRealm: false, exposeHostToPython: true });
  afterAll(() => pool.close());

  test('the process can reach nothing of the host', async () => {
    const written = probePath('write');
    const spawned = probePath('spawn');
    const snapshot = probePath('heap');
    const out = await run(
      [
        ATTEMPT,
        'import host',
        'require, process, js = host.require, host.process, host.globalThis',
        "fs = require('node:fs')",
        "attempt('read /etc/passwd', lambda: fs.readFileSync('/etc/passwd', 'utf8'))",
        "attempt('read the host environment', lambda: fs.readFileSync('/proc/self/environ', 'utf8'))",
        "attempt('list the home directory', lambda: fs.readdirSync('/root'))",
        `attempt('write a host file', lambda: fs.writeFileSync(${JSON.stringify(written)}, 'x'))`,
        `attempt('start a process', lambda: require('node:child_process').execSync('touch ${spawned}'))`,
        "attempt('start a worker', lambda: require('node:worker_threads').Worker.new('1', js.JSON.parse('{\"eval\": true}')))",
        'wasi_options = js.JSON.parse(\'{"version": "preview1", "preopens": {"/": "/"}}\')',
        "attempt('WASI with / preopened', lambda: process.getBuiltinModule('wasi').WASI.new(wasi_options))",
        `attempt('write a heap snapshot', lambda: require('node:v8').writeHeapSnapshot(${JSON.stringify(snapshot)}))`,
        "attempt('open the inspector', lambda: require('node:inspector').open(0))",
        "attempt('load a native addon', lambda: process.dlopen(js.JSON.parse('{}'), '/usr/lib/x86_64-linux-gnu/libc.so.6'))",
        `attempt('signal the host process', lambda: process.kill(${process.pid}, 0))`,
        "print('environment', js.JSON.stringify(process.env))",
        `sock = require('node:net').connect(${port}, '127.0.0.1')`,
        "sock.on('error', lambda *args: None)",
      ].join('\n'),
    );
    const lines = out.split('\n');
    const attempts = lines.filter((line) => /^(denied|ESCAPED) /.test(line));
    expect(attempts).toHaveLength(11);
    for (const line of attempts) expect(line).toMatch(/^denied /);
    for (const what of [
      'passwd',
      'environ',
      'home directory',
      'host file',
      'process',
      'worker',
      'heap',
      'inspector',
    ]) {
      expect(out).toMatch(new RegExp(`denied [^|]*${what}[^|]*\\| .*(ERR_ACCESS_DENIED|Access to this API)`));
    }
    expect(out).toMatch(/denied WASI[^|]*\| .*(ERR_ACCESS_DENIED|Access to this API)/);
    expect(out).toMatch(/denied load a native addon \| .*(ERR_DLOPEN_DISABLED|addons)/);
    expect(out).toContain('environment {}');
    for (const path of [written, spawned, snapshot]) expect(existsSync(path)).toBe(false);
  });

  test('the network and the host processes are out of reach where Linux allows namespaces', async () => {
    const isolation = await pool.isolation();
    // Root (CI) and hosts with unprivileged user namespaces get both namespaces.
    if (process.platform === 'linux' && process.getuid?.() === 0) {
      expect(isolation.networkNamespace).toBe(true);
      expect(isolation.pidNamespace).toBe(true);
    }
    const out = await run(
      [
        ATTEMPT,
        'import host',
        `sock = host.require('node:net').connect(${port}, '127.0.0.1')`,
        "sock.on('error', lambda *args: None)",
        `attempt('signal the host process', lambda: host.process.kill(${process.pid}, 0))`,
        "print('pid', host.process.pid)",
      ].join('\n'),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (isolation.pidNamespace) {
      expect(out).toMatch(/denied signal the host process \| .*ESRCH/);
      expect(out).toContain('pid 1');
    }
    if (isolation.networkNamespace) expect(server.connections()).toBe(0);
  });
});

describe('with the Python guard off but the realm hardened', () => {
  const { pool, run } = weakenedPool({ pythonGuard: false });
  afterAll(() => pool.close());

  test('Pyodide loaders, string code generation and Node modules are disarmed', async () => {
    const marker = probePath('system');
    const out = await run(
      [
        ATTEMPT,
        'import pyodide_js, asyncio',
        "attempt('loadPackage', lambda: pyodide_js.loadPackage('numpy'))",
        "attempt('mountNodeFS', lambda: pyodide_js.mountNodeFS('/host', '/'))",
        "attempt('Function constructor', lambda: pyodide_js.constructor.constructor('return process')())",
        'leaked = type(asyncio.get_event_loop()).call_soon.__globals__["scheduleCallback"]',
        "attempt('Function through a leaked proxy', lambda: leaked.constructor('return process')())",
        `import os\nos.system('touch ${marker}')`,
        'import socket',
        `attempt('socket', lambda: socket.create_connection(('127.0.0.1', ${port}), timeout=1))`,
      ].join('\n'),
    );
    expect(out).not.toContain('ESCAPED');
    expect(out).toContain('pyodide.loadPackage is disabled');
    expect(out).toContain('pyodide.mountNodeFS is disabled');
    expect(out).toMatch(/denied Function constructor \| .*code generation from strings is disabled/);
    expect(out).toMatch(
      /denied Function through a leaked proxy \| .*code generation from strings is disabled/,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(existsSync(marker)).toBe(false);
  });
});
