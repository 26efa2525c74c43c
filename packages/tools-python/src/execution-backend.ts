import type { ExecutionOutput } from './format-output';

/** Something that executes Python snippets (the sandbox pool). */
export interface ExecutionBackend {
  /** Resolves once the backend can run code (interpreters loaded); rejects with the reason otherwise. */
  ready(): Promise<void>;
  /**
   * Runs one snippet. Python errors, timeouts and crashes resolve with their description in the
   * output; only an aborted `signal` or a closed/broken backend rejects.
   */
  execute(code: string, signal: AbortSignal): Promise<ExecutionOutput>;
  /** Stops all interpreters; pending calls reject. Idempotent. */
  close(): Promise<void>;
}

/** The error a call rejects with when its signal fires. */
export function abortError(signal: AbortSignal): Error {
  const error = new Error('PythonInterpreter: the call was aborted', { cause: signal.reason });
  error.name = 'AbortError';
  return error;
}

/** Output for an execution that produced nothing but a host-side notice. */
export function noticeOnly(notice: string): ExecutionOutput {
  const empty = { head: '', tail: '', omittedChars: 0 };
  return { stdout: empty, stderr: empty, result: null, notices: [notice] };
}
