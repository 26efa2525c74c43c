import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Readable } from 'node:stream';
import { CappedText } from './capped-text';
import type { PythonInterpreterConfig } from './config';
import { abortError, type ExecutionBackend } from './execution-backend';
import type { ExecutionOutput } from './format-output';
import { PYTHON_HARNESS_SOURCE, SUBPROCESS_ENTRY_SOURCE } from './python-harness';

/** Largest file a snippet may write (RLIMIT_FSIZE). */
const MAX_FILE_BYTES = 16 * 1024 * 1024;
/** Open files allowed (RLIMIT_NOFILE). */
const MAX_OPEN_FILES = 64;

/** Executables found by {@link SubprocessRunner.ready}. */
interface Executables {
  prlimit: string;
  python: string;
  /** `unshare -n` when it works here (root or user namespaces): no network interfaces at all. */
  unshareNetwork: string[];
}

/** Finds `name` on PATH (or checks it directly if it contains a slash). */
function findExecutable(name: string): string | null {
  const candidates = name.includes('/')
    ? [name]
    : (process.env['PATH'] ?? '').split(delimiter).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Keep looking.
    }
  }
  return null;
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 10_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}

/**
 * The `subprocess` backend: each call runs a fresh `python3 -I -S` under `prlimit` (CPU seconds,
 * address space, processes, file size, open files), in a new empty temporary directory, with an
 * environment holding only PATH, in its own process group (killed with SIGKILL on timeout), and
 * without network interfaces when `unshare -n` is permitted. The same audit-hook guard as the
 * Pyodide backend limits reads to the interpreter's own files and writes to the temp directory.
 * It is weaker isolation than Pyodide: the process shares the host kernel, user and file system.
 */
export class SubprocessRunner implements ExecutionBackend {
  private readonly config: PythonInterpreterConfig;
  private executables: Promise<Executables> | null = null;
  private readonly waiting: Array<() => void> = [];
  private readonly children = new Set<ChildProcess>();
  private running = 0;
  private closed = false;

  /** `config` must already be validated. */
  constructor(config: PythonInterpreterConfig) {
    this.config = config;
  }

  /** Locates prlimit and python3; rejects with a clear message when either is missing. */
  ready(): Promise<void> {
    this.executables ??= this.locate();
    return this.executables.then(() => undefined);
  }

  /** Runs `code` in a fresh process; see {@link ExecutionBackend.execute}. */
  async execute(code: string, signal: AbortSignal): Promise<ExecutionOutput> {
    if (signal.aborted) throw abortError(signal);
    if (this.closed) throw new Error('PythonInterpreter: the interpreter was closed');
    this.executables ??= this.locate();
    const executables = await this.executables;
    if (signal.aborted) throw abortError(signal);
    await this.acquire(signal);
    try {
      if (signal.aborted) throw abortError(signal);
      return await this.spawnOnce(executables, code, signal);
    } finally {
      this.release();
    }
  }

  /** Kills running processes; later calls reject. */
  async close(): Promise<void> {
    this.closed = true;
    for (const child of this.children) killGroup(child);
  }

  private async locate(): Promise<Executables> {
    const prlimit = findExecutable(this.config.prlimitPath);
    if (!prlimit) {
      throw new Error(
        `PythonInterpreter: backend 'subprocess' needs prlimit (util-linux) to cap CPU, memory and processes, but '${this.config.prlimitPath}' was not found; install util-linux or use backend 'pyodide'`,
      );
    }
    const python = findExecutable(this.config.pythonPath);
    if (!python) {
      throw new Error(
        `PythonInterpreter: backend 'subprocess' needs a Python 3 executable, but '${this.config.pythonPath}' was not found; set the pythonPath option or use backend 'pyodide'`,
      );
    }
    // Resolve shims (pyenv, asdf) to the real interpreter, since the sandbox env has no shim settings.
    const realPython = (await run(python, ['-I', '-S', '-c', 'import sys; print(sys.executable)'])).trim();
    const unshare = findExecutable('unshare');
    let unshareNetwork: string[] = [];
    if (unshare) {
      try {
        await run(unshare, ['-n', realPython, '-I', '-S', '-c', 'pass']);
        unshareNetwork = [unshare, '-n'];
      } catch {
        // Not permitted here (no root, no user namespaces): rely on the Python guard alone.
      }
    }
    return { prlimit, python: realPython || python, unshareNetwork };
  }

  private spawnOnce(executables: Executables, code: string, signal: AbortSignal): Promise<ExecutionOutput> {
    const { config } = this;
    const workDir = mkdtempSync(join(tmpdir(), 'trl-python-'));
    const limits = [
      `--cpu=${Math.ceil(config.timeoutMs / 1000) + 1}`,
      `--as=${config.memoryLimitMb * 1024 * 1024}`,
      '--nproc=1',
      `--fsize=${MAX_FILE_BYTES}`,
      `--nofile=${MAX_OPEN_FILES}`,
      '--core=0',
    ];
    const pythonArgs = [
      executables.python,
      '-I',
      '-S',
      '-c',
      PYTHON_HARNESS_SOURCE + SUBPROCESS_ENTRY_SOURCE,
      config.returnLastExpression ? '1' : '0',
      String(config.maxOutputChars),
    ];
    const child = spawn(
      executables.prlimit,
      [...limits, '--', ...executables.unshareNetwork, ...pythonArgs],
      {
        cwd: workDir,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
        detached: true,
      },
    );
    this.children.add(child);
    const stdout = new CappedText(config.maxOutputChars);
    const stderr = new CappedText(config.maxOutputChars);
    const result = new CappedText(config.maxOutputChars);
    (child.stdout as Readable).on('data', (chunk: Buffer) => stdout.push(chunk));
    (child.stderr as Readable).on('data', (chunk: Buffer) => stderr.push(chunk));
    (child.stdio[3] as Readable).on('data', (chunk: Buffer) => result.push(chunk));
    child.stdin?.on('error', () => {});
    child.stdin?.end(code);

    return new Promise<ExecutionOutput>((resolve, reject) => {
      let timedOut = false;
      let aborted = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child);
      }, config.timeoutMs);
      const onAbort = (): void => {
        aborted = true;
        killGroup(child);
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const done = (exitCode: number | null, exitSignal: NodeJS.Signals | null, failure?: Error): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.children.delete(child);
        killGroup(child);
        rmSync(workDir, { recursive: true, force: true });
        if (aborted) return;
        const notices: string[] = [];
        if (failure) notices.push(`the python3 process could not run: ${failure.message}`);
        else if (timedOut)
          notices.push(`TimeoutError: execution exceeded ${config.timeoutMs} ms; the process was killed`);
        else if (exitSignal)
          notices.push(`the python3 process was killed by ${exitSignal} (a resource limit was hit)`);
        else if (exitCode !== 0) notices.push(`the python3 process exited with code ${exitCode}`);
        const value = result.snapshot();
        resolve({
          stdout: stdout.snapshot(),
          stderr: stderr.snapshot(),
          result: value.head || value.tail ? value.head + value.tail : null,
          notices,
        });
      };
      child.once('error', (error) => done(null, null, error));
      child.once('close', (exitCode, exitSignal) => done(exitCode, exitSignal));
    });
  }

  private acquire(signal: AbortSignal): Promise<void> {
    if (this.running < this.config.poolSize) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const start = (): void => {
        signal.removeEventListener('abort', onAbort);
        this.running++;
        resolve();
      };
      const onAbort = (): void => {
        const position = this.waiting.indexOf(start);
        if (position >= 0) this.waiting.splice(position, 1);
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(start);
    });
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}

/** SIGKILLs the child's whole process group (it was started detached, as a group leader). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
