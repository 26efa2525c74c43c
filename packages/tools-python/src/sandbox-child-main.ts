import type { CappedText } from './capped-text';
import type { ChildMessage, HostMessage, SandboxStartup } from './sandbox-protocol';

/** The subset of the Pyodide API the sandbox uses (the package's own types are not loaded here). */
interface PyodideHandle {
  runPython(code: string, options?: { globals?: PyProxyHandle; filename?: string }): unknown;
  setStdout(options: { write: (bytes: Uint8Array) => number; isatty: boolean }): void;
  setStderr(options: { write: (bytes: Uint8Array) => number; isatty: boolean }): void;
  setStdin(options: { error: boolean }): void;
  setInterruptBuffer(buffer: unknown): void;
  unregisterJsModule(name: string): void;
  globals: { get(name: string): PyCallable };
  FS: EmscriptenFs;
  _module: EmscriptenModule;
}

/** A Python object seen from JavaScript. */
interface PyProxyHandle {
  get(key: string): PyCallable;
  destroy(): void;
}

/** A Python callable seen from JavaScript. */
type PyCallable = ((...args: unknown[]) => unknown) & PyProxyHandle;

/** A file node of Emscripten's FS. */
interface FsNode {
  id: number;
  mode: number;
  timestamp?: number;
  mtime?: number;
  contents?: unknown;
  usedBytes?: number;
}

/** The parts of Emscripten's FS the sandbox touches. */
interface EmscriptenFs {
  filesystems: Record<string, unknown>;
  streams: unknown[];
  mount(type: unknown, options: object, mountpoint: string): void;
  unmount(mountpoint: string): void;
  chdir(path: string): void;
  readdir(path: string): string[];
  lookupPath(path: string): { node: FsNode };
  isDir(mode: number): boolean;
  close(stream: unknown): void;
}

/** The parts of the Emscripten module the snapshot and its checks use. */
interface EmscriptenModule {
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  wasmTable: { length: number };
  _emscripten_stack_get_current(): number;
  _emscripten_get_sbrk_ptr(): number;
}

/**
 * Body of a sandbox process. The host serializes it with `toString()` and runs it as
 * `node --permission … -e <source>`, so it must stay self-contained: no imports and no outer
 * variables, only its arguments (`require` comes in as an argument because bundlers rename the
 * free identifier in ESM builds).
 *
 * The process reads JSON lines on stdin (first a {@link SandboxStartup}, then run requests) and
 * answers JSON lines on file descriptor 3. Once Pyodide and the Python guard are installed, the
 * interpreter's whole WebAssembly memory is copied: after every call that is not part of a
 * session the copy is written back, so no Python state (modules, builtins, harness, audit hooks,
 * heap contents) outlives the call. The JavaScript-side state that a snippet could change (open
 * streams, file tree, function table, stack) is checked against the same moment, and a process
 * whose state drifted reports itself unhealthy so that the host replaces it.
 */
export async function sandboxChildMain(
  CappedTextClass: typeof CappedText,
  nodeRequire: NodeJS.Require,
): Promise<void> {
  const fs = nodeRequire('node:fs') as typeof import('node:fs');
  const { readSync, writeSync } = fs;
  const exit = process.exit.bind(process);
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const isAgain = (error: unknown): boolean => (error as { code?: string }).code === 'EAGAIN';

  // Synchronous framing: the process has nothing else to do while it waits, and it must not
  // depend on stream classes that the hardening below disarms.
  let pending = '';
  const chunk = Buffer.alloc(65536);
  const readLine = (): string | null => {
    for (;;) {
      const newline = pending.indexOf('\n');
      if (newline >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        return line;
      }
      let count: number;
      try {
        count = readSync(0, chunk, 0, chunk.length, null);
      } catch (error) {
        if (isAgain(error)) {
          Atomics.wait(nap, 0, 0, 5);
          continue;
        }
        return null;
      }
      if (count === 0) return null;
      pending += chunk.toString('utf8', 0, count);
    }
  };
  const send = (message: ChildMessage): void => {
    const data = Buffer.from(`${JSON.stringify(message)}\n`);
    let offset = 0;
    while (offset < data.length) {
      try {
        offset += writeSync(3, data, offset, data.length - offset);
      } catch (error) {
        if (!isAgain(error)) exit(1);
        Atomics.wait(nap, 0, 0, 1);
      }
    }
  };

  const startupLine = readLine();
  if (startupLine === null) exit(1);
  const startup = JSON.parse(startupLine as string) as SandboxStartup;

  try {
    // Pyodide registers a finalizer that decrements a Python reference count when a proxy is
    // garbage-collected. After the memory is restored such a count would belong to another
    // object, so proxies are only ever released explicitly.
    const globals = globalThis as unknown as Record<string, unknown>;
    globals['FinalizationRegistry'] = class InertFinalizationRegistry {
      register(): void {}
      unregister(): boolean {
        return false;
      }
    };
    // Emscripten's NODEFS reads fs constants through process.binding, which the permission model
    // denies; NODEFS is never mounted, but its setup runs at load.
    const fsConstants = fs.constants;
    const osConstants = (nodeRequire('node:os') as typeof import('node:os')).constants;
    const processRecord = process as unknown as Record<string, unknown>;
    processRecord['binding'] = (name: string) => {
      if (name === 'constants') return { fs: fsConstants, os: osConstants };
      throw new Error(`process.binding('${name}') is disabled in the PythonInterpreter sandbox`);
    };

    // Python refers to JavaScript objects through tables that live outside the WebAssembly
    // memory: an index table (read through the module's exports below) and deduplication maps,
    // which are only reachable by catching them as Pyodide creates them.
    const deduplicationMaps: Map<unknown, unknown>[] = [];
    type Instantiate = (
      source: unknown,
      imports?: Record<string, Record<string, unknown>>,
    ) => Promise<unknown>;
    const wasmApi = (globalThis as unknown as { WebAssembly: { instantiate: Instantiate } }).WebAssembly;
    const originalInstantiate = wasmApi.instantiate;
    wasmApi.instantiate = function instantiate(this: unknown, source, imports) {
      const env = imports?.['env'];
      const createMap = env?.['__hiwire_deduplicate_new'];
      if (env && typeof createMap === 'function') {
        env['__hiwire_deduplicate_new'] = () => {
          const map = (createMap as () => Map<unknown, unknown>)();
          deduplicationMaps.push(map);
          return map;
        };
      }
      return originalInstantiate.call(this, source, imports);
    };

    let stdout = new CappedTextClass(1);
    let stderr = new CappedTextClass(1);
    // Loading the Emscripten glue with require (instead of Pyodide's dynamic import) skips the
    // ESM loader's format detection of a 1 MB file.
    nodeRequire(`${startup.indexURL}pyodide.asm.js`);
    const pyodideModule = nodeRequire(`${startup.indexURL}pyodide.js`) as {
      loadPyodide(options: object): Promise<PyodideHandle>;
    };
    const pyodide = await pyodideModule.loadPyodide({
      indexURL: startup.indexURL,
      jsglobals: Object.create(null),
      env: { HOME: '/home/pyodide' },
      stdout: () => {},
      stderr: () => {},
    });
    wasmApi.instantiate = originalInstantiate;
    const capture =
      (sink: () => CappedText) =>
      (bytes: Uint8Array): number => {
        sink().push(bytes);
        return bytes.length;
      };
    pyodide.setStdout({ write: capture(() => stdout), isatty: false });
    pyodide.setStderr({ write: capture(() => stderr), isatty: false });
    pyodide.setStdin({ error: true });
    // Python polls this "buffer" every few dozen bytecodes; reading it checks the call's deadline,
    // so a timeout interrupts the snippet without another thread.
    let deadline = Number.POSITIVE_INFINITY;
    let interrupted = false;
    const SIGINT = 2;
    pyodide.setInterruptBuffer({
      get 0(): number {
        if (Date.now() < deadline) return 0;
        // Once: a snippet that swallows the interrupt is killed by the host after the grace period.
        deadline = Number.POSITIVE_INFINITY;
        interrupted = true;
        return SIGINT;
      },
      set 0(_value: number) {},
    });

    const harness = pyodide.globals.get('dict')() as PyProxyHandle;
    pyodide.runPython(startup.harnessSource, { globals: harness, filename: '<trl-sandbox>' });
    const runSnippet = harness.get('run');
    const newNamespace = harness.get('new_namespace');
    const streamsHealthy = harness.get('streams_healthy');
    if (startup.pythonGuard) {
      pyodide.runPython(
        "make_sleep_interruptible()\ninstall_guard(['/tmp', '/home/pyodide', '/dev'], None)",
        { globals: harness },
      );
    } else {
      pyodide.runPython('make_sleep_interruptible()', { globals: harness });
    }

    const fs_ = pyodide.FS;
    const memfs = fs_.filesystems['MEMFS'];
    const resetFiles = (): void => {
      fs_.chdir('/');
      for (const dir of ['/tmp', '/home/pyodide']) {
        try {
          fs_.unmount(dir);
        } catch {
          // Not a mount point yet (first call): the fresh mount below simply covers it.
        }
        fs_.mount(memfs, {}, dir);
      }
      fs_.chdir('/home/pyodide');
    };
    resetFiles();

    if (startup.exposeHostToPython) {
      // Test hook only: simulates an attacker who got past every in-process layer.
      (pyodide as unknown as { registerJsModule(name: string, module: object): void }).registerJsModule(
        'host',
        { globalThis, require: nodeRequire, process },
      );
    } else {
      pyodide.unregisterJsModule('js');
      pyodide.unregisterJsModule('pyodide_js');
    }

    if (startup.hardenRealm) {
      const refuse = (what: string) =>
        function refused(): never {
          throw new Error(`${what} is disabled in the PythonInterpreter sandbox`);
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
          // A non-writable member stays; the process boundary still applies.
        }
      }
      delete fs_.filesystems['NODEFS'];
      globals['eval'] = refuse('eval');
      Object.defineProperty(Error, 'prepareStackTrace', {
        value: undefined,
        writable: false,
        configurable: false,
      });
      globals['require'] = refuse('require');
      // `node -e` also leaves its module object (with a working `require`) on the global object.
      for (const name of ['module', 'exports', '__filename', '__dirname']) delete globals[name];
      processRecord['mainModule'] = undefined;
      for (const name of ['fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest', 'Request'])
        delete globals[name];
      // Emscripten keeps its own `require` (system() reaches child_process through it, sockets
      // reach `ws`), so the modules themselves are disarmed: every function they export, and the
      // methods of their classes, becomes a throwing stub.
      const disarm = (name: string, exports: Record<string, unknown>): void => {
        for (const key of Object.keys(exports)) {
          const value = exports[key];
          if (typeof value === 'function') {
            const prototype = (value as { prototype?: Record<string, unknown> }).prototype;
            if (prototype && key[0] === key[0]?.toUpperCase()) {
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
        'v8',
        'vm',
        'wasi',
        'worker_threads',
      ]) {
        disarm(`node:${name}`, nodeRequire(`node:${name}`) as Record<string, unknown>);
      }
      moduleApi.syncBuiltinESMExports();
      disarm('node:module', moduleApi as unknown as Record<string, unknown>);
      for (const name of [
        'binding',
        '_linkedBinding',
        'dlopen',
        'kill',
        'chdir',
        'getBuiltinModule',
        'setuid',
        'setgid',
        'seteuid',
        'setegid',
        'setgroups',
        'initgroups',
      ]) {
        processRecord[name] = refuse(`process.${name}`);
      }
      // Code generation from strings is refused by the engine itself
      // (--disallow-code-generation-from-strings); the constructors reached through
      // `.constructor` are stubbed too, so the refusal names the sandbox.
      for (const prototype of [
        Function.prototype,
        Object.getPrototypeOf(async () => {}),
        Object.getPrototypeOf(function* generator() {}),
        Object.getPrototypeOf(async function* asyncGenerator() {}),
      ] as object[]) {
        Object.defineProperty(prototype, 'constructor', {
          value: refuse('code generation from strings'),
          writable: false,
          configurable: false,
        });
      }
    }

    // The clean state every call returns to.
    const emscripten = pyodide._module;
    const cleanMemory = emscripten.HEAPU8.slice();
    const cleanStack = emscripten._emscripten_stack_get_current();
    const cleanTableLength = emscripten.wasmTable.length;
    const cleanStreams = fs_.streams.slice();
    // Closing a stream also clears fields of the stream object (and of the state it shares with
    // its duplicates), so those are saved too.
    type StreamRecord = Record<string, unknown> & { shared?: Record<string, unknown> };
    const cleanStreamFields = cleanStreams.map((stream) => {
      const record = stream as StreamRecord | null;
      return record ? { own: { ...record }, shared: record.shared ? { ...record.shared } : null } : null;
    });
    const refTable = emscripten as unknown as {
      __hiwire_get(index: number): unknown;
      __hiwire_set(index: number, value: unknown): void;
    };
    const readRefs = (): unknown[] => {
      const refs: unknown[] = [];
      for (;;) {
        try {
          refs.push(refTable.__hiwire_get(refs.length));
        } catch {
          return refs; // Past the end of the table.
        }
      }
    };
    const cleanRefs = readRefs();
    if (deduplicationMaps.length === 0) throw new Error('Pyodide created no JavaScript reference map');
    const cleanDeduplication = deduplicationMaps.map((map) => [...map.entries()]);
    const sbrkPointer = emscripten._emscripten_get_sbrk_ptr();
    const treeFingerprint = (): string => {
      const parts: string[] = [];
      const skip = new Set(['/tmp', '/home/pyodide', '/dev', '/proc']);
      const walk = (path: string): void => {
        if (skip.has(path)) {
          // Remounted for every call (or devices): only their presence is part of the clean state.
          parts.push(path);
          return;
        }
        const { node } = fs_.lookupPath(path);
        parts.push(
          `${path}:${node.id}:${node.mode}:${node.usedBytes ?? ''}:${node.mtime ?? node.timestamp ?? ''}`,
        );
        if (!fs_.isDir(node.mode)) return;
        for (const entry of fs_.readdir(path).sort()) {
          if (entry !== '.' && entry !== '..') walk(path === '/' ? `/${entry}` : `${path}/${entry}`);
        }
      };
      walk('/');
      return parts.join('\n');
    };
    const cleanTree = treeFingerprint();
    // Zero what earlier calls allocated above the clean heap, so nothing of theirs can be read later.
    let dirtyEnd = cleanMemory.length;
    const restoreCleanState = (): string | null => {
      const heap = emscripten.HEAPU8;
      const breakAddress = (emscripten.HEAP32[sbrkPointer >> 2] as number) >>> 0;
      dirtyEnd = Math.min(heap.length, Math.max(dirtyEnd, breakAddress));
      heap.set(cleanMemory);
      if (dirtyEnd > cleanMemory.length) heap.fill(0, cleanMemory.length, dirtyEnd);
      dirtyEnd = cleanMemory.length;
      const refs = readRefs();
      refs.forEach((ref, index) => {
        const clean = index < cleanRefs.length ? cleanRefs[index] : null;
        if (ref !== clean) refTable.__hiwire_set(index, clean);
      });
      deduplicationMaps.forEach((map, which) => {
        map.clear();
        for (const [key, value] of cleanDeduplication[which] ?? []) map.set(key, value);
      });
      const streams = fs_.streams;
      for (let fd = 0; fd < streams.length; fd++) {
        const stream = streams[fd];
        if (stream && stream !== cleanStreams[fd]) {
          try {
            fs_.close(stream);
          } catch {
            // Already unusable; dropped below.
          }
        }
      }
      streams.length = 0;
      cleanStreams.forEach((stream, fd) => {
        streams[fd] = stream;
        const saved = cleanStreamFields[fd];
        const record = stream as StreamRecord | null;
        if (!saved || !record) return;
        Object.assign(record, saved.own);
        if (saved.shared && record.shared) Object.assign(record.shared, saved.shared);
      });
      if (emscripten._emscripten_stack_get_current() !== cleanStack) return 'the interpreter stack moved';
      if (emscripten.wasmTable.length !== cleanTableLength) return 'the function table changed';
      const tree = treeFingerprint();
      if (tree !== cleanTree) {
        const before = new Set(cleanTree.split('\n'));
        const changed = tree.split('\n').filter((entry) => !before.has(entry));
        return `files outside /tmp and the home directory changed (${changed.slice(0, 3).join(', ')})`;
      }
      return null;
    };

    let sessionNamespace: PyProxyHandle | null = null;
    send({ type: 'ready' });

    for (;;) {
      const line = readLine();
      if (line === null) exit(0);
      const request = JSON.parse(line as string) as HostMessage;
      stdout = new CappedTextClass(request.maxOutputChars);
      stderr = new CappedTextClass(request.maxOutputChars);
      let result: string | null = null;
      let unhealthy: string | null = null;
      interrupted = false;
      try {
        if (!startup.session) resetFiles();
        if (startup.session && !sessionNamespace) sessionNamespace = newNamespace() as PyProxyHandle;
        const namespace = sessionNamespace ?? (newNamespace() as PyProxyHandle);
        deadline = Date.now() + request.timeoutMs;
        try {
          const value = runSnippet(
            request.code,
            request.returnLastExpression,
            namespace,
            request.maxOutputChars,
          );
          result = typeof value === 'string' ? value : null;
        } finally {
          deadline = Number.POSITIVE_INFINITY;
          if (!startup.session) namespace.destroy();
        }
        if (startup.session && streamsHealthy() !== true) unhealthy = 'the standard streams were closed';
      } catch (error) {
        unhealthy = error instanceof Error ? error.message.split('\n').slice(-2).join(' ') : String(error);
        stderr.pushText(`${unhealthy}\n`);
      }
      if (!startup.session) unhealthy = restoreCleanState() ?? unhealthy;
      send({
        type: 'result',
        id: request.id,
        stdout: stdout.snapshot(),
        stderr: stderr.snapshot(),
        result,
        interrupted,
        unhealthy,
      });
    }
  } catch (error) {
    send({ type: 'startup-error', message: error instanceof Error ? error.message : String(error) });
    exit(1);
  }
}
