import type { CappedTextSnapshot } from './capped-text';

/** First line a sandbox process reads: how to set itself up. */
export interface SandboxStartup {
  /** Directory of the installed `pyodide` npm package, with a trailing slash; nothing is fetched. */
  indexURL: string;
  /** The Python harness (see `python-harness.ts`). */
  harnessSource: string;
  /** Keep globals and files between calls instead of restoring the clean state after each one. */
  session: boolean;
  /** Install the Python audit-hook guard. Always true outside the package's own tests. */
  pythonGuard: boolean;
  /** Strip the process's JavaScript realm after loading. Always true outside the package's own tests. */
  hardenRealm: boolean;
  /** Test hook: hand Python a module `host` with the real `globalThis`, `require` and `process`. */
  exposeHostToPython: boolean;
}

/** A snippet to execute, host → sandbox process (one JSON line on its stdin). */
export interface HostMessage {
  /** Always `run`. */
  type: 'run';
  /** Matches the answer to the request. */
  id: number;
  /** Python source. */
  code: string;
  /** Return the repr of a final expression. */
  returnLastExpression: boolean;
  /** Characters kept at each end of stdout and stderr, and of the result repr. */
  maxOutputChars: number;
  /** Wall-clock budget; past it the snippet gets KeyboardInterrupt. */
  timeoutMs: number;
}

/** Sandbox process → host messages (JSON lines on its file descriptor 3). Untrusted: the host validates them. */
export type ChildMessage =
  | {
      /** Pyodide loaded and the sandbox is installed. */
      type: 'ready';
    }
  | {
      /** Loading or hardening failed; the process exits. */
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
      /** The deadline passed and the snippet was sent KeyboardInterrupt. */
      interrupted: boolean;
      /** Set when the process may be damaged or its state drifted; the host replaces it. */
      unhealthy: string | null;
    };
