import type { Tool, ToolCallOptions } from '@trl/spec';
import {
  type PythonInterpreterConfig,
  type PythonInterpreterOptions,
  resolvePythonInterpreterConfig,
} from './config';
import { formatExecutionOutput } from './format-output';
import { prepareCode } from './prepare-code';
import type { SandboxIsolation } from './sandbox-launch';
import { SandboxPool } from './sandbox-pool';

/**
 * The `PythonInterpreter` tool: runs the model's Python code in a sandbox and answers with what it
 * printed, the traceback if it failed, and (with `returnLastExpression`) the value of a final
 * expression.
 *
 * Code runs in Pyodide (CPython compiled to WebAssembly) inside a warm pool of confined child
 * processes (Node's permission model, and network and PID namespaces where Linux allows them),
 * and every call starts from the same clean interpreter state unless `session` is set; see the
 * package README for the threat model and its limits. Python errors, timeouts and crashes
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
  private readonly backend: SandboxPool;

  /** Throws an Error naming each invalid option. Nothing starts until {@link ready} or the first call. */
  constructor(options: PythonInterpreterOptions = {}) {
    this.config = resolvePythonInterpreterConfig(options);
    this.backend = new SandboxPool(this.config);
  }

  /**
   * The process-level layers that confine the interpreters on this machine (permission model,
   * network and PID namespaces, resource limits); see the package README's threat model.
   */
  isolation(): Promise<SandboxIsolation> {
    return this.backend.isolation();
  }

  /**
   * Starts the interpreters now (a few seconds per sandbox process, in parallel) instead of on the
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

  /** Kills the sandbox processes. Idempotent. */
  close(): Promise<void> {
    return this.backend.close();
  }
}
