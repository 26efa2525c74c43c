import type { CappedTextSnapshot } from './capped-text';

/** Data a Pyodide worker starts with (`workerData`). */
export interface PyodideWorkerData {
  /** Directory of the installed `pyodide` npm package, with a trailing slash; nothing is fetched. */
  indexURL: string;
  /** Cap on the WebAssembly heap in bytes; growing past it makes Python raise MemoryError. */
  memoryLimitBytes: number;
  /** One Int32 shared with the host; writing 2 (SIGINT) raises KeyboardInterrupt in Python. */
  interruptBuffer: SharedArrayBuffer;
  /** The Python harness (see `python-harness.ts`). */
  harnessSource: string;
}

/** A snippet to execute, host → worker. */
export interface RunRequest {
  /** Always `run`. */
  type: 'run';
  /** Matches the answer to the request. */
  id: number;
  /** Python source. */
  code: string;
  /** Keep globals and files from earlier calls. */
  session: boolean;
  /** Return the repr of a final expression. */
  returnLastExpression: boolean;
  /** Characters kept at each end of stdout and stderr, and of the result repr. */
  maxOutputChars: number;
}

/** Worker → host messages. */
export type WorkerMessage =
  | {
      /** Pyodide loaded and the sandbox is installed. */
      type: 'ready';
    }
  | {
      /** Loading or hardening failed; the worker is useless. */
      type: 'startup-error';
      /** Why. */
      message: string;
    }
  | {
      /** A snippet finished (successfully or with a Python exception). */
      type: 'result';
      /** The request id. */
      id: number;
      /** Captured stdout. */
      stdout: CappedTextSnapshot;
      /** Captured stderr (tracebacks included). */
      stderr: CappedTextSnapshot;
      /** repr of the final expression, if requested and not None. */
      result: string | null;
      /** Set when the interpreter may be damaged (fatal Pyodide error, standard streams closed); the host replaces the worker. */
      unhealthy: string | null;
    };
