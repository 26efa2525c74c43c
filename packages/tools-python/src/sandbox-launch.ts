import { execFile } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { CappedText } from './capped-text';
import { sandboxChildMain } from './sandbox-child-main';

/** Open files a sandbox process may hold (RLIMIT_NOFILE): Node needs a few dozen, Python none. */
const MAX_OPEN_FILES = 256;
/** JavaScript heap of a sandbox process; Python's memory is the separately capped WebAssembly heap. */
const JS_HEAP_MB = 256;

/** The process-level layers that confine a sandbox process on this machine. */
export interface SandboxIsolation {
  /** The Node permission-model flag in use (`--permission` or `--experimental-permission`). */
  permissionFlag: string;
  /** Only this directory (the Pyodide package) is readable; nothing is writable. */
  readableDirectory: string;
  /** The process runs in its own network namespace: no interfaces but an unconfigured loopback. */
  networkNamespace: boolean;
  /** The process runs in its own PID namespace: it cannot see or signal any host process. */
  pidNamespace: boolean;
  /** `prlimit` applies: no core dumps, no file growth, a bounded number of open files. */
  resourceLimits: boolean;
}

/** How to start a sandbox process: the command line and what confines it. */
export interface SandboxLauncher {
  /** Executable and arguments; the last argument is the process's source. */
  command: string[];
  /** The layers the command applies. */
  isolation: SandboxIsolation;
}

/** Directory of the installed `pyodide` package (real path, trailing slash): Pyodide loads only from there. */
export function pyodideIndexURL(): string {
  const requireFromHere = createRequire(import.meta.url);
  return `${realpathSync(dirname(requireFromHere.resolve('pyodide/package.json')))}/`;
}

/** Source of a sandbox process: its main function with {@link CappedText} handed to it. */
export function sandboxSource(): string {
  // `__name` stands in for the helper some bundlers insert when they keep function names.
  return `'use strict';\nconst __name = (target) => target;\nconst CappedText = ${CappedText.toString()};\n(${sandboxChildMain.toString()})(CappedText, require);\n`;
}

/** Finds `name` on PATH. */
function findExecutable(name: string): string | null {
  for (const dir of (process.env['PATH'] ?? '/usr/bin:/bin').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Keep looking.
    }
  }
  return null;
}

function succeeds(file: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 15_000, env: {} }, (error) => resolve(!error));
  });
}

/** The permission-model flag this Node understands (renamed when it became stable). */
function permissionFlag(): string {
  return process.allowedNodeEnvironmentFlags.has('--permission')
    ? '--permission'
    : '--experimental-permission';
}

/**
 * Works out, once per process, how sandbox processes are started here. Every process runs
 * under Node's permission model (read access to the Pyodide package only: no file writes, no
 * child processes, no worker threads, no WASI, no native addons), with an empty environment,
 * string code generation disabled by the engine, and capped JavaScript and WebAssembly heaps.
 * Where Linux allows it (root, or unprivileged user namespaces), the process also gets its own
 * network and PID namespaces through `unshare`, and `prlimit` limits where it is installed.
 */
export async function detectSandboxLauncher(memoryLimitMb: number): Promise<SandboxLauncher> {
  const node = process.execPath;
  const indexURL = pyodideIndexURL();
  const readableDirectory = indexURL.slice(0, -1);
  const permission = permissionFlag();
  const nodeArgs = [
    permission,
    `--allow-fs-read=${readableDirectory}`,
    '--disallow-code-generation-from-strings',
    '--no-addons',
    '--no-warnings',
    `--max-old-space-size=${JS_HEAP_MB}`,
    `--wasm-max-mem-pages=${memoryLimitMb * 16}`,
  ];
  const prefix: string[] = [];
  let resourceLimits = false;
  const prlimit = findExecutable('prlimit');
  if (prlimit) {
    const limits = [prlimit, '--core=0', '--fsize=0', `--nofile=${MAX_OPEN_FILES}`, '--'];
    if (await succeeds(limits[0] as string, [...limits.slice(1), node, '-e', '0'])) {
      prefix.push(...limits);
      resourceLimits = true;
    }
  }
  let namespaces = false;
  const unshare = findExecutable('unshare');
  if (unshare) {
    const probe = ['-e', 'process.exit(process.pid === 1 ? 0 : 3)'];
    for (const flags of [
      ['--net', '--pid', '--fork', '--kill-child'],
      ['--map-root-user', '--net', '--pid', '--fork', '--kill-child'],
    ]) {
      if (await succeeds(unshare, [...flags, '--', node, ...probe])) {
        prefix.push(unshare, ...flags, '--');
        namespaces = true;
        break;
      }
    }
  }
  return {
    command: [...prefix, node, ...nodeArgs, '-e', sandboxSource()],
    isolation: {
      permissionFlag: permission,
      readableDirectory,
      networkNamespace: namespaces,
      pidNamespace: namespaces,
      resourceLimits,
    },
  };
}
