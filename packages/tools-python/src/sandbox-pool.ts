import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { PythonInterpreterConfig } from './config';
import { abortError, type ExecutionBackend, noticeOnly } from './execution-backend';
import type { ExecutionOutput } from './format-output';
import { PYTHON_HARNESS_SOURCE } from './python-harness';
import { readChildMessages } from './sandbox-channel';
import { detectSandboxLauncher, type SandboxIsolation, type SandboxLauncher } from './sandbox-launch';
import type { ChildMessage, HostMessage, SandboxStartup } from './sandbox-protocol';

/** A call waiting for, or running in, a sandbox process. */
interface Job {
  code: string;
  signal: AbortSignal;
  resolve(output: ExecutionOutput): void;
  reject(error: Error): void;
  settled: boolean;
  removeAbortListener(): void;
}

/** One sandbox process and what it is doing. */
interface Slot {
  child: ChildProcess | null;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  job: Job | null;
  requestId: number;
  timer: ReturnType<typeof setTimeout> | null;
}

/** Settings a pool's processes start with that tests may change (never the public options). */
export interface SandboxPoolTestHooks {
  /** Install the Python audit-hook guard (default true). */
  pythonGuard?: boolean;
  /** Strip the process's JavaScript realm (default true). */
  hardenRealm?: boolean;
  /** Give Python the real `globalThis`, `require` and `process` as module `host` (default false). */
  exposeHostToPython?: boolean;
}

const sharedLaunchers = new Map<number, Promise<SandboxLauncher>>();

/** The launcher for a memory limit, detected once per host process. */
function launcherFor(memoryLimitMb: number): Promise<SandboxLauncher> {
  let launcher = sharedLaunchers.get(memoryLimitMb);
  if (!launcher) {
    launcher = detectSandboxLauncher(memoryLimitMb);
    launcher.catch(() => sharedLaunchers.delete(memoryLimitMb));
    sharedLaunchers.set(memoryLimitMb, launcher);
  }
  return launcher;
}

/**
 * A warm pool of sandbox processes with a FIFO queue. Each process runs Pyodide under the
 * confinement of {@link detectSandboxLauncher} and restores its clean interpreter state after
 * every call (unless `session`). A call that overruns `timeoutMs` gets KeyboardInterrupt inside
 * its process; a process that has not answered `interruptGraceMs` later is killed and replaced,
 * so one runaway snippet never stalls the pool. An aborted call is answered at once.
 */
export class SandboxPool implements ExecutionBackend {
  private readonly config: PythonInterpreterConfig;
  private readonly hooks: Required<SandboxPoolTestHooks>;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private started: Promise<void> | null = null;
  private failure: Error | null = null;
  private closed = false;
  private nextRequestId = 1;

  /** `config` must already be validated. */
  constructor(config: PythonInterpreterConfig, hooks: SandboxPoolTestHooks = {}) {
    this.config = config;
    this.hooks = {
      pythonGuard: hooks.pythonGuard ?? true,
      hardenRealm: hooks.hardenRealm ?? true,
      exposeHostToPython: hooks.exposeHostToPython ?? false,
    };
  }

  /** Starts the processes once; resolves when all have loaded Pyodide. */
  ready(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('PythonInterpreter: the interpreter was closed'));
    this.started ??= Promise.all(
      Array.from({ length: this.config.poolSize }, (_, index) => this.spawn(index)),
    ).then(() => undefined);
    return this.started;
  }

  /** The process-level layers confining the interpreters on this machine. */
  async isolation(): Promise<SandboxIsolation> {
    return (await launcherFor(this.config.memoryLimitMb)).isolation;
  }

  /** Queues `code` and resolves with what it printed; see {@link ExecutionBackend.execute}. */
  async execute(code: string, signal: AbortSignal): Promise<ExecutionOutput> {
    if (signal.aborted) throw abortError(signal);
    if (this.closed) throw new Error('PythonInterpreter: the interpreter was closed');
    // Start lazily, but do not wait for every process: the first one ready takes the call.
    this.ready().catch(() => {});
    if (this.failure) throw this.failure;
    return new Promise<ExecutionOutput>((resolve, reject) => {
      const onAbort = (): void => this.abort(job);
      const job: Job = {
        code,
        signal,
        resolve,
        reject,
        settled: false,
        removeAbortListener: () => signal.removeEventListener('abort', onAbort),
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Kills every process; queued and running calls reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedError = new Error('PythonInterpreter: the interpreter was closed');
    for (const job of this.queue.splice(0)) this.settle(job, closedError);
    for (const slot of this.slots) {
      if (!slot) continue;
      if (slot.job) this.settle(slot.job, closedError);
      this.kill(slot);
    }
  }

  private async spawn(index: number): Promise<void> {
    const slot: Slot = { child: null, state: 'starting', job: null, requestId: 0, timer: null };
    this.slots[index] = slot;
    const launcher = await launcherFor(this.config.memoryLimitMb);
    if (this.closed || slot.state !== 'starting') return;
    const [file, ...args] = launcher.command as [string, ...string[]];
    const child = spawn(file, args, {
      cwd: launcher.isolation.readableDirectory,
      env: {},
      stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
      detached: true,
    });
    slot.child = child;
    child.unref();
    let diagnostics = '';
    const stderr = child.stderr as Readable;
    stderr.setEncoding('utf8');
    stderr.on('data', (text: string) => {
      diagnostics = (diagnostics + text).slice(-2000);
    });
    const input = child.stdin as Writable;
    input.on('error', () => {});
    const startup: SandboxStartup = {
      indexURL: `${launcher.isolation.readableDirectory}/`,
      harnessSource: PYTHON_HARNESS_SOURCE,
      session: this.config.session,
      ...this.hooks,
    };
    input.write(`${JSON.stringify(startup)}\n`);
    const maxOutputChars = this.config.maxOutputChars;

    return new Promise<void>((resolve, reject) => {
      const startupFailed = (reason: string): void => {
        if (slot.state !== 'starting') return;
        slot.state = 'dead';
        this.kill(slot);
        const error = new Error(`PythonInterpreter: a sandbox process failed to start: ${reason}`);
        this.fail(error);
        reject(error);
      };
      readChildMessages(
        child.stdio[3] as Readable,
        { maxLineChars: 12 * maxOutputChars * 6 + 65_536, maxOutputChars },
        (message: ChildMessage) => {
          if (message.type === 'ready' && slot.state === 'starting') {
            slot.state = 'idle';
            resolve();
            this.dispatch();
          } else if (message.type === 'startup-error') {
            startupFailed(message.message);
          } else if (message.type === 'result' && slot.state === 'busy' && message.id === slot.requestId) {
            this.finish(index, slot, message);
          } else {
            this.misbehaved(index, slot, 'the interpreter process sent an unexpected message');
          }
        },
        (reason) => this.misbehaved(index, slot, reason),
      );
      child.on('error', (error) => {
        if (slot.state === 'starting') startupFailed(error.message);
        else this.crashed(index, slot, error.message);
      });
      child.on('exit', (code, signal) => {
        const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
        const detail = diagnostics.trim().split('\n').slice(-3).join(' ');
        if (slot.state === 'starting') startupFailed(`the process ${how}${detail ? `: ${detail}` : ''}`);
        else if (slot.state !== 'dead') this.crashed(index, slot, `the process ${how}`);
      });
    });
  }

  /** Hands queued jobs to idle processes, oldest first. */
  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot?.state !== 'idle' || !slot.child) continue;
      const job = this.queue.shift() as Job;
      slot.state = 'busy';
      slot.job = job;
      slot.requestId = this.nextRequestId++;
      const request: HostMessage = {
        type: 'run',
        id: slot.requestId,
        code: job.code,
        returnLastExpression: this.config.returnLastExpression,
        maxOutputChars: this.config.maxOutputChars,
        timeoutMs: this.config.timeoutMs,
      };
      const index = this.slots.indexOf(slot);
      slot.timer = setTimeout(() => {
        const lost = this.config.session ? 'its output and the session state are lost' : 'its output is lost';
        this.replace(
          index,
          slot,
          `TimeoutError: execution exceeded ${this.config.timeoutMs} ms and did not stop when interrupted; the interpreter was killed and restarted (${lost})`,
        );
      }, this.config.timeoutMs + this.config.interruptGraceMs);
      (slot.child.stdin as Writable).write(`${JSON.stringify(request)}\n`);
    }
  }

  /**
   * An aborted call is answered at once. A running snippet is left to finish in its process (its
   * output is discarded): it is bounded by the timeout and the grace kill anyway, and killing the
   * process would make every call queued behind it wait seconds for a replacement, which under a
   * caller's own deadline (a text environment's tool timeout counts queueing) aborts those too.
   */
  private abort(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    this.settle(job, abortError(job.signal));
  }

  private finish(index: number, slot: Slot, message: Extract<ChildMessage, { type: 'result' }>): void {
    this.clearTimer(slot);
    const job = slot.job;
    slot.job = null;
    slot.state = 'idle';
    if (job) {
      const notices: string[] = [];
      if (message.interrupted)
        notices.push(`TimeoutError: execution exceeded ${this.config.timeoutMs} ms and was interrupted`);
      if (message.unhealthy)
        notices.push(this.restartNotice(`the interpreter was damaged (${message.unhealthy})`));
      this.settle(job, { stdout: message.stdout, stderr: message.stderr, result: message.result, notices });
    }
    if (message.unhealthy) this.replace(index, slot, null);
    else this.dispatch();
  }

  /** A process died on its own (JavaScript heap exhausted, fatal error). */
  private crashed(index: number, slot: Slot, reason: string): void {
    this.replace(index, slot, this.restartNotice(`the interpreter crashed (${reason})`));
  }

  /** A process broke the protocol: it is no longer trusted with anything. */
  private misbehaved(index: number, slot: Slot, reason: string): void {
    if (slot.state === 'starting') {
      slot.state = 'dead';
      this.kill(slot);
      this.fail(new Error(`PythonInterpreter: a sandbox process failed to start: ${reason}`));
      return;
    }
    this.replace(index, slot, this.restartNotice(reason));
  }

  /** Kills a process, answers its job with `notice` and starts a replacement. */
  private replace(index: number, slot: Slot, notice: string | null): void {
    if (slot.state === 'dead') return;
    slot.state = 'dead';
    if (slot.job && notice) this.settle(slot.job, noticeOnly(notice));
    slot.job = null;
    this.kill(slot);
    if (this.closed) return;
    this.spawn(index).catch(() => {});
  }

  private kill(slot: Slot): void {
    this.clearTimer(slot);
    const pid = slot.child?.pid;
    if (pid === undefined) return;
    try {
      // Started detached, so the process leads its own group (unshare and prlimit included).
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  private restartNotice(what: string): string {
    return this.config.session
      ? `${what}; it was restarted and the session state is lost`
      : `${what}; it was restarted`;
  }

  /** A process could not start: fail fast instead of respawning forever. */
  private fail(error: Error): void {
    this.failure ??= error;
    for (const job of this.queue.splice(0)) this.settle(job, error);
  }

  private settle(job: Job, outcome: ExecutionOutput | Error): void {
    if (job.settled) return;
    job.settled = true;
    job.removeAbortListener();
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome);
  }

  private clearTimer(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
  }
}
