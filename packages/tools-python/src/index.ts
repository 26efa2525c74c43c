/**
 * @trl/tools-python: the `PythonInterpreter` tool — sandboxed Python for tool-using text
 * environments, run in Pyodide inside confined child processes, a clean interpreter for every call.
 */

export { CappedText, type CappedTextSnapshot } from './capped-text';
export {
  type PythonInterpreterConfig,
  type PythonInterpreterOptions,
  pythonInterpreterConfigSchema,
  resolvePythonInterpreterConfig,
} from './config';
export { type ExecutionOutput, formatExecutionOutput } from './format-output';
export { PythonInterpreter } from './python-interpreter';
export type { SandboxIsolation } from './sandbox-launch';
