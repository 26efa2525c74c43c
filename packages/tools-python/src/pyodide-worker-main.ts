import type { CappedText } from './capped-text';
import type { PyodideWorkerData, RunRequest, WorkerMessage } from './worker-protocol';

/** The subset of the Pyodide API the worker uses (the package's own types are not loaded here). */
interface PyodideHandle {
  runPython(code: string, options?: { globals?: PyProxyHandle; filename?: string }): unknown;
  setStdout(options: { write: (bytes: Uint8Array) => number; isatty: boolean }): void;
  setStderr(options: { write: (bytes: Uint8Array) => number; isatty: boolean }): void;
  setStdin(options: { error: boolean }): void;
  setInterruptBuffer(buffer: Int32Array): void;
  unregisterJsModule(name: string): void;
  globals: { get(name: string): PyCallable };
  FS: EmscriptenFs;
}

/** A Python object seen from JavaScript. */
interface PyProxyHandle {
  get(key: string): PyCallable;
  destroy(): void;
}

/** A Python callable seen from JavaScript. */
type PyCallable = ((...args: unknown[]) => unknown) & PyProxyHandle;

/** The parts of Emscripten's FS the worker touches. */
interface EmscriptenFs {
  filesystems: Record<string, unknown>;
  mount(type: unknown, options: object, mountpoint: string): void;
  unmount(mountpoint: string): void;
  chdir(path: string): void;
}

/**
 * Body of a Pyodide worker thread. The host serializes it with `toString()` and starts it with
 * `new Worker(source, { eval: true })`, so it must stay self-contained: no imports and no outer
 * variables, only its arguments. (`require` comes in as an argument because bundlers rename the
 * free identifier in ESM builds.)
 *
 * Order matters: the WebAssembly heap cap is installed before Pyodide allocates; Pyodide loads
 * from the local npm package; then the Python guard goes in, and finally the JavaScript realm is
 * stripped of what a Python escape into JavaScript would need (string code generation, `require`,
 * network globals, the Pyodide loader API).
 */
export async function pyodideWorkerMain(
  CappedTextClass: typeof CappedText,
  nodeRequire: NodeJS.Require,
): Promise<void> {
  const threads = nodeRequire('node:worker_threads') as typeof import('node:worker_threads');
  const port = threads.parentPort;
  if (!port) return;
  const data = threads.workerData as PyodideWorkerData;
  const post = (message: WorkerMessage): void => port.postMessage(message);

  try {
    // The WebAssembly types are not in this package's `lib`; only Memory.prototype.grow is needed.
    type WasmMemory = { buffer: ArrayBuffer; grow(pages: number): number };
    const wasm = (globalThis as unknown as { WebAssembly: { Memory: { prototype: WasmMemory } } })
      .WebAssembly;
    const originalGrow = wasm.Memory.prototype.grow;
    wasm.Memory.prototype.grow = function growWithinLimit(this: WasmMemory, pages: number) {
      if (this.buffer.byteLength + pages * 65536 > data.memoryLimitBytes) {
        throw new RangeError('PythonInterpreter memory limit reached');
      }
      return originalGrow.call(this, pages);
    };

    let stdout = new CappedTextClass(1);
    let stderr = new CappedTextClass(1);
    const pyodideModule = nodeRequire(`${data.indexURL}pyodide.js`) as {
      loadPyodide(options: object): Promise<PyodideHandle>;
    };
    const pyodide = await pyodideModule.loadPyodide({
      indexURL: data.indexURL,
      jsglobals: Object.create(null),
      env: { HOME: '/home/pyodide' },
      stdout: () => {},
      stderr: () => {},
    });
    const capture =
      (sink: () => CappedText) =>
      (bytes: Uint8Array): number => {
        sink().push(bytes);
        return bytes.length;
      };
    pyodide.setStdout({ write: capture(() => stdout), isatty: false });
    pyodide.setStderr({ write: capture(() => stderr), isatty: false });
    pyodide.setStdin({ error: true });
    const interrupt = new Int32Array(data.interruptBuffer);
    pyodide.setInterruptBuffer(interrupt);

    const harness = pyodide.globals.get('dict')() as PyProxyHandle;
    pyodide.runPython(data.harnessSource, { globals: harness, filename: '<trl-sandbox>' });
    const runSnippet = harness.get('run');
    const newNamespace = harness.get('new_namespace');
    const streamsHealthy = harness.get('streams_healthy');
    pyodide.runPython("make_sleep_interruptible()\ninstall_guard(['/tmp', '/home/pyodide', '/dev'], None)", {
      globals: harness,
    });

    const fs = pyodide.FS;
    const memfs = fs.filesystems['MEMFS'];
    let sessionNamespace: PyProxyHandle | null = null;
    const resetFiles = (): void => {
      fs.chdir('/');
      for (const dir of ['/tmp', '/home/pyodide']) {
        try {
          fs.unmount(dir);
        } catch {
          // Not a mount point yet (first call): the fresh mount below simply covers it.
        }
        fs.mount(memfs, {}, dir);
      }
      fs.chdir('/home/pyodide');
    };
    resetFiles();

    // From here on nothing needs Pyodide's JavaScript API except the proxies captured above.
    pyodide.unregisterJsModule('js');
    pyodide.unregisterJsModule('pyodide_js');
    const refuse = (what: string) =>
      function refused(): never {
        throw new Error(`${what} is disabled in the PythonInterpreter worker`);
      };
    const api = pyodide as unknown as Record<string, unknown>;
    for (const name of [
      'loadPackage',
      'loadPackagesFromImports',
      'mountNodeFS',
      'mountNativeFS',
      'registerJsModule',
      'unregisterJsModule',
      'runPython',
      'runPythonAsync',
      'pyimport',
      'unpackArchive',
      'setStdout',
      'setStderr',
      'setStdin',
      'setInterruptBuffer',
    ]) {
      try {
        api[name] = refuse(`pyodide.${name}`);
      } catch {
        // A non-writable member stays; the guards below still apply.
      }
    }
    delete fs.filesystems['NODEFS'];
    const functionPrototypes = [
      Function.prototype,
      Object.getPrototypeOf(async () => {}),
      Object.getPrototypeOf(function* generator() {}),
      Object.getPrototypeOf(async function* asyncGenerator() {}),
    ] as object[];
    for (const prototype of functionPrototypes) {
      Object.defineProperty(prototype, 'constructor', {
        value: refuse('code generation from strings'),
        writable: false,
        configurable: false,
      });
    }
    const globals = globalThis as unknown as Record<string, unknown>;
    globals['eval'] = refuse('eval');
    Object.defineProperty(Error, 'prepareStackTrace', {
      value: undefined,
      writable: false,
      configurable: false,
    });
    const crypto = nodeRequire('node:crypto');
    globals['require'] = (name: string) => {
      if (name === 'crypto' || name === 'node:crypto') return crypto;
      throw new Error(`require('${name}') is disabled in the PythonInterpreter worker`);
    };
    for (const name of ['fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest', 'Request'])
      delete globals[name];
    // Emscripten keeps its own `require` (system() reaches child_process through it, sockets reach
    // `ws`), so the modules themselves are disarmed: this worker's copies of the Node modules that
    // touch processes, files, network or code loading get throwing stubs for every function,
    // including the class prototypes objects already created would use.
    const disarm = (name: string, exports: Record<string, unknown>, prototypes = true): void => {
      for (const key of Object.keys(exports)) {
        const value = exports[key];
        if (typeof value === 'function') {
          const prototype = (value as { prototype?: Record<string, unknown> }).prototype;
          if (prototypes && prototype && key[0] === key[0]?.toUpperCase()) {
            for (const method of Object.getOwnPropertyNames(prototype)) {
              if (method === 'constructor') continue;
              const descriptor = Object.getOwnPropertyDescriptor(prototype, method);
              if (descriptor && typeof descriptor.value === 'function' && descriptor.writable) {
                prototype[method] = refuse(`${name}.${key}.prototype.${method}`);
              }
            }
          }
          try {
            exports[key] = refuse(`${name}.${key}`);
          } catch {
            // Read-only export: nothing to do.
          }
        } else if (key === 'promises' && value && typeof value === 'object') {
          disarm(`${name}.promises`, value as Record<string, unknown>);
        }
      }
    };
    const moduleApi = nodeRequire('node:module') as { syncBuiltinESMExports(): void };
    for (const name of [
      'child_process',
      'cluster',
      'dgram',
      'dns',
      'fs',
      'http',
      'http2',
      'https',
      'inspector',
      'net',
      'tls',
      'vm',
    ]) {
      disarm(`node:${name}`, nodeRequire(`node:${name}`) as Record<string, unknown>);
    }
    // The worker's own MessagePort must keep working: only the exports (new Worker, …) go.
    disarm('node:worker_threads', threads as unknown as Record<string, unknown>, false);
    moduleApi.syncBuiltinESMExports();
    disarm('node:module', moduleApi as unknown as Record<string, unknown>);
    const processRecord = process as unknown as Record<string, unknown>;
    for (const name of ['binding', '_linkedBinding', 'dlopen', 'kill', 'chdir']) {
      processRecord[name] = refuse(`process.${name}`);
    }

    port.on('message', (request: RunRequest) => {
      Atomics.store(interrupt, 0, 0);
      stdout = new CappedTextClass(request.maxOutputChars);
      stderr = new CappedTextClass(request.maxOutputChars);
      let result: string | null = null;
      let unhealthy: string | null = null;
      try {
        if (!request.session) resetFiles();
        let namespace: PyProxyHandle;
        if (request.session) {
          sessionNamespace ??= newNamespace() as PyProxyHandle;
          namespace = sessionNamespace;
        } else {
          namespace = newNamespace() as PyProxyHandle;
        }
        try {
          const value = runSnippet(
            request.code,
            request.returnLastExpression,
            namespace,
            request.maxOutputChars,
          );
          result = typeof value === 'string' ? value : null;
        } finally {
          if (!request.session) namespace.destroy();
        }
        if (streamsHealthy() !== true) unhealthy = 'the standard streams were closed';
      } catch (error) {
        unhealthy = error instanceof Error ? error.message.split('\n').slice(-2).join(' ') : String(error);
        stderr.pushText(`${unhealthy}\n`);
      }
      Atomics.store(interrupt, 0, 0);
      post({
        type: 'result',
        id: request.id,
        stdout: stdout.snapshot(),
        stderr: stderr.snapshot(),
        result,
        unhealthy,
      });
    });
    post({ type: 'ready' });
  } catch (error) {
    post({ type: 'startup-error', message: error instanceof Error ? error.message : String(error) });
  }
}
