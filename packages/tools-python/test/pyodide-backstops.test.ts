import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { expect, test } from 'vitest';
import { pyodideIndexURL, workerSource } from '../src/pyodide-pool';
import { PYTHON_HARNESS_SOURCE } from '../src/python-harness';
import type { PyodideWorkerData, WorkerMessage } from '../src/worker-protocol';

type Result = Extract<WorkerMessage, { type: 'result' }>;

/**
 * Defense in depth: with the Python audit hook switched OFF (as if an attacker had bypassed it),
 * the hardened JavaScript realm of the worker must still keep processes, network and the
 * Pyodide loader away from Python code.
 */
test('the worker realm holds even without the Python guard', async () => {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const workerData: PyodideWorkerData = {
    indexURL: pyodideIndexURL(),
    memoryLimitBytes: 256 * 2 ** 20,
    interruptBuffer: new SharedArrayBuffer(4),
    harnessSource: `${PYTHON_HARNESS_SOURCE}\ndef install_guard(writable_roots, readable_roots):\n    pass\n`,
  };
  const worker = new Worker(workerSource(), { eval: true, workerData, env: {}, stdout: true, stderr: true });
  worker.stdout.resume();
  worker.stderr.resume();
  const next = () => new Promise<WorkerMessage>((resolve) => worker.once('message', resolve));
  const run = async (code: string): Promise<string> => {
    worker.postMessage({
      type: 'run',
      id: 1,
      code,
      session: false,
      returnLastExpression: false,
      maxOutputChars: 4000,
    });
    const result = (await next()) as Result;
    return `${result.stdout.head}${result.stderr.head}${result.unhealthy ?? ''}`;
  };
  try {
    expect(await next()).toEqual({ type: 'ready' });

    const loader = await run(
      [
        'import pyodide_js',
        "for attempt in (lambda: pyodide_js.loadPackage('numpy'), lambda: pyodide_js.mountNodeFS('/host', '/')):",
        '    try:',
        '        attempt()',
        "        print('loader worked')",
        '    except Exception as error:',
        "        print('refused:', error)",
        "print('NODEFS' in dict(pyodide_js.FS.filesystems.object_entries()))",
      ].join('\n'),
    );
    expect(loader).not.toContain('loader worked');
    expect(loader).toContain('pyodide.loadPackage is disabled');
    expect(loader).toContain('pyodide.mountNodeFS is disabled');
    expect(loader).toContain('False');

    const codegen = await run(
      "import pyodide_js\ntry:\n    pyodide_js.constructor.constructor('return process')()\nexcept Exception as error:\n    print(error)",
    );
    expect(codegen).toContain('code generation from strings is disabled');

    await run(`import socket\nsocket.create_connection(('127.0.0.1', ${port}), timeout=1)`);
    const marker = join(tmpdir(), `trl-python-backstop-${process.pid}`);
    await run(`import os\nos.system('touch ${marker}')`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(existsSync(marker)).toBe(false);
    expect(connections).toBe(0);
  } finally {
    await worker.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
