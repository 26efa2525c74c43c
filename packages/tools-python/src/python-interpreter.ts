import type { Tool, ToolCallOptions } from '@trl/core';
import {
  type PythonInterpreterConfig,
  type PythonInterpreterOptions,
  resolvePythonInterpreterConfig,
} from './config';
import type { ExecutionBackend } from './execution-backend';
import { formatExecutionOutput } from './format-output';
import { prepareCode } from './prepare-code';
import { PyodidePool } from './pyodide-pool';
import { SubprocessRunner } from './subprocess-runner';

/**
 * The `PythonInterpreter` tool: runs the model's Python code in a sandbox and answers with what it
 * printed, the traceback if it failed, and (with `returnLastExpression`) the value of a final
 * expression.
 *
 * By default code runs in Pyodide (CPython compiled to WebAssembly) inside a warm pool of worker
 * threads: no host file system, no network, no processes, a per-call timeout and a memory cap; see
 * the package README for the isolation model and its limits. Python errors, timeouts and crashes
 * come back as text, and the same instance keeps serving later calls. Call {@link close} when done.
 */
export class PythonInterpreter implements Tool {
  /** Spec version this tool implements. */
  readonly specificationVersion = 'v1' as const;
  /** The name the model writes in `<request><PythonInterpreter>…<call>`. */
  readonly name = 'PythonInterpreter';
  /** Shown to the model and in docs. */
  readonly description =
    'Runs Python 3 code (standard library only; no network, no extra packages) and returns what it printed with print(), or the traceback if it failed. Example input: print(sum(range(10)))';
  /** The settings in effect, defaults filled in. */
  readonly config: PythonInterpreterConfig;
  private readonly backend: ExecutionBackend;

  /** Throws an Error naming each invalid option. Nothing starts until {@link ready} or the first call. */
  constructor(options: PythonInterpreterOptions = {}) {
    this.config = resolvePythonInterpreterConfig(options);
    this.backend =
      this.config.backend === 'pyodide' ? new PyodidePool(this.config) : new SubprocessRunner(this.config);
  }

  /**
   * Starts the interpreters now (about 3–5 s per Pyodide worker, in parallel) instead of on the
   * first call. Rejects with the reason if they cannot start.
   */
  ready(): Promise<void> {
    return this.backend.ready();
  }

  /**
   * Runs `input` (Python source; a surrounding Markdown code fence is removed) and returns its
   * output as text. Throws for misuse (non-string or empty input), when `signal` aborts the call,
   * or after {@link close}.
   */
  async call(input: string, options?: ToolCallOptions): Promise<string> {
    const code = prepareCode(input);
    const signal = options?.signal ?? new AbortController().signal;
    const output = await this.backend.execute(code, signal);
    return formatExecutionOutput(output, this.config.maxOutputChars);
  }

  /** Terminates the workers (or running processes). Idempotent. */
  close(): Promise<void> {
    return this.backend.close();
  }
}
