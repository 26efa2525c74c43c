/**
 * @trl/tools-python: the `PythonInterpreter` tool — sandboxed Python for tool-using text
 * environments, run in Pyodide worker threads (or, opt-in, a resource-limited python3 process).
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
