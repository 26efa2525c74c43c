import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CappedText } from './capped-text';
import type { PythonInterpreterConfig } from './config';
import { abortError, type ExecutionBackend, noticeOnly } from './execution-backend';
import type { ExecutionOutput } from './format-output';
import { pyodideWorkerMain } from './pyodide-worker-main';
import { PYTHON_HARNESS_SOURCE } from './python-harness';
import type { PyodideWorkerData, RunRequest, WorkerMessage } from './worker-protocol';

/** JavaScript heap of each worker; Python's memory lives in the separately capped WebAssembly heap. */
const WORKER_JS_HEAP_MB = 256;
/** Signal number Pyodide's interrupt buffer understands as SIGINT (raises KeyboardInterrupt). */
const SIGINT = 2;

/** A call waiting for, or running in, a worker. */
interface Job {
  code: string;
  signal: AbortSignal;
  resolve(output: ExecutionOutput): void;
  reject(error: Error): void;
  settled: boolean;
  timedOut: boolean;
  removeAbortListener(): void;
}

/** One worker thread and what it is doing. */
interface Slot {
  worker: Worker;
  interrupt: Int32Array;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  job: Job | null;
  requestId: number;
  timers: ReturnType<typeof setTimeout>[];
}

/** Source of the worker thread: the worker function with {@link CappedText} handed to it. */
export function workerSource(): string {
  // `__name` stands in for the helper some bundlers insert when they keep function names.
  return `'use strict';\nconst __name = (target) => target;\nconst CappedText = ${CappedText.toString()};\n(${pyodideWorkerMain.toString()})(CappedText, require);\n`;
}

/** Directory of the installed `pyodide` package (with trailing slash): Pyodide loads only from there. */
export function pyodideIndexURL(): string {
  const requireFromHere = createRequire(import.meta.url);
  return `${dirname(requireFromHere.resolve('pyodide/package.json'))}/`;
}

/**
 * A warm pool of Pyodide workers with a FIFO queue. Each call gets the first idle worker; a call
 * that overruns `timeoutMs` is interrupted (KeyboardInterrupt through the shared interrupt
 * buffer), and a worker that has not answered `interruptGraceMs` later is terminated and
 * replaced, so one runaway snippet never stalls the pool.
 */
export class PyodidePool implements ExecutionBackend {
  private readonly config: PythonInterpreterConfig;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly source = workerSource();
  private readonly indexURL = pyodideIndexURL();
  private started: Promise<void> | null = null;
  private failure: Error | null = null;
  private closed = false;
  private nextRequestId = 1;

  /** `config` must already be validated. */
  constructor(config: PythonInterpreterConfig) {
    this.config = config;
  }

  /** Starts the workers once; resolves when all have loaded Pyodide. */
  ready(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('PythonInterpreter: the interpreter was closed'));
    this.started ??= Promise.all(
      Array.from({ length: this.config.poolSize }, (_, index) => this.spawn(index)),
    ).then(() => undefined);
    return this.started;
  }

  /** Queues `code` and resolves with what it printed; see {@link ExecutionBackend.execute}. */
  async execute(code: string, signal: AbortSignal): Promise<ExecutionOutput> {
    if (signal.aborted) throw abortError(signal);
    if (this.closed) throw new Error('PythonInterpreter: the interpreter was closed');
    // Start lazily, but do not wait for every worker: the first one ready takes the call.
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
        timedOut: false,
        removeAbortListener: () => signal.removeEventListener('abort', onAbort),
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Terminates every worker; queued and running calls reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedError = new Error('PythonInterpreter: the interpreter was closed');
    for (const job of this.queue.splice(0)) this.settle(job, closedError);
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.job) this.settle(slot.job, closedError);
        this.clearTimers(slot);
        slot.state = 'dead';
        await slot.worker.terminate();
      }),
    );
  }

  private spawn(index: number): Promise<void> {
    const interruptBuffer = new SharedArrayBuffer(4);
    const workerData: PyodideWorkerData = {
      indexURL: this.indexURL,
      memoryLimitBytes: this.config.memoryLimitMb * 1024 * 1024,
      interruptBuffer,
      harnessSource: PYTHON_HARNESS_SOURCE,
    };
    const worker = new Worker(this.source, {
      eval: true,
      workerData,
      env: {},
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_JS_HEAP_MB, maxYoungGenerationSizeMb: 32 },
    });
    // Anything written around the captured streams is discarded rather than shown on the host.
    worker.stdout.resume();
    worker.stderr.resume();
    worker.unref();
    const slot: Slot = {
      worker,
      interrupt: new Int32Array(interruptBuffer),
      state: 'starting',
      job: null,
      requestId: 0,
      timers: [],
    };
    this.slots[index] = slot;
    return new Promise<void>((resolve, reject) => {
      const startupFailed = (reason: string): void => {
        if (slot.state !== 'starting') return;
        slot.state = 'dead';
        const error = new Error(`PythonInterpreter: a Pyodide worker failed to start: ${reason}`);
        this.fail(error);
        reject(error);
      };
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          slot.state = 'idle';
          resolve();
          this.dispatch();
        } else if (message.type === 'startup-error') {
          startupFailed(message.message);
          void worker.terminate();
        } else if (message.id === slot.requestId) {
          this.finish(index, slot, message);
        }
      });
      worker.on('error', (error) => {
        if (slot.state === 'starting') startupFailed(error.message);
        else this.crashed(index, slot, error.message);
      });
      worker.on('exit', (code) => {
        if (slot.state === 'starting') startupFailed(`the worker exited with code ${code}`);
        else if (slot.state !== 'dead') this.crashed(index, slot, `the worker exited with code ${code}`);
      });
    });
  }

  /** Hands queued jobs to idle workers, oldest first. */
  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot?.state !== 'idle') continue;
      const job = this.queue.shift() as Job;
      slot.state = 'busy';
      slot.job = job;
      slot.requestId = this.nextRequestId++;
      const request: RunRequest = {
        type: 'run',
        id: slot.requestId,
        code: job.code,
        session: this.config.session,
        returnLastExpression: this.config.returnLastExpression,
        maxOutputChars: this.config.maxOutputChars,
      };
      slot.timers.push(
        setTimeout(() => {
          job.timedOut = true;
          this.interruptAndWatch(slot);
        }, this.config.timeoutMs),
      );
      slot.worker.postMessage(request);
    }
  }

  /** Raises KeyboardInterrupt in the worker; kills it if it does not answer within the grace period. */
  private interruptAndWatch(slot: Slot): void {
    Atomics.store(slot.interrupt, 0, SIGINT);
    const index = this.slots.indexOf(slot);
    slot.timers.push(
      setTimeout(() => {
        if (slot.state !== 'busy') return;
        const job = slot.job;
        const lost = this.config.session ? 'its output and the session state are lost' : 'its output is lost';
        const what = job?.timedOut
          ? `TimeoutError: execution exceeded ${this.config.timeoutMs} ms and did not stop when interrupted; the interpreter was killed and restarted (${lost})`
          : 'the interpreter did not stop after the call was aborted and was restarted';
        this.replace(index, slot, what);
      }, this.config.interruptGraceMs),
    );
  }

  private abort(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    this.settle(job, abortError(job.signal));
    const slot = this.slots.find((candidate) => candidate?.job === job);
    if (slot && slot.state === 'busy') this.interruptAndWatch(slot);
  }

  private finish(index: number, slot: Slot, message: Extract<WorkerMessage, { type: 'result' }>): void {
    this.clearTimers(slot);
    const job = slot.job;
    slot.job = null;
    slot.state = 'idle';
    if (job) {
      const notices: string[] = [];
      if (job.timedOut)
        notices.push(`TimeoutError: execution exceeded ${this.config.timeoutMs} ms and was interrupted`);
      if (message.unhealthy)
        notices.push(this.restartNotice(`the interpreter was damaged (${message.unhealthy})`));
      this.settle(job, { stdout: message.stdout, stderr: message.stderr, result: message.result, notices });
    }
    // A worker whose heap grew stays: the heap is capped anyway, and respawning costs seconds.
    if (message.unhealthy) this.replace(index, slot, null);
    else this.dispatch();
  }

  /** A worker died on its own (JavaScript heap exhausted, fatal error). */
  private crashed(index: number, slot: Slot, reason: string): void {
    if (slot.state === 'dead') return;
    this.replace(index, slot, this.restartNotice(`the interpreter crashed (${reason})`));
  }

  /** Terminates a worker, answers its job with `notice` and starts a replacement. */
  private replace(index: number, slot: Slot, notice: string | null): void {
    if (slot.state === 'dead') return;
    slot.state = 'dead';
    this.clearTimers(slot);
    if (slot.job && notice) this.settle(slot.job, noticeOnly(notice));
    slot.job = null;
    void slot.worker.terminate();
    if (this.closed) return;
    this.spawn(index).catch(() => {});
  }

  private restartNotice(what: string): string {
    return this.config.session
      ? `${what}; it was restarted and the session state is lost`
      : `${what}; it was restarted`;
  }

  /** A worker could not start: fail fast instead of respawning forever. */
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

  private clearTimers(slot: Slot): void {
    for (const timer of slot.timers) clearTimeout(timer);
    slot.timers = [];
  }
}
