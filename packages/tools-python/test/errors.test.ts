import { TrlError } from '@trl/spec';
import { expect, it } from 'vitest';
import { resolvePythonInterpreterConfig } from '../src/index';
import { prepareCode } from '../src/prepare-code';

it.each([
  {
    what: 'an option the interpreter no longer has',
    run: () => resolvePythonInterpreterConfig({ backend: 'subprocess' } as never),
    code: 'unsupported-option',
    message:
      "PythonInterpreter: option 'backend' was removed with the subprocess backend, which could not be confined like the Pyodide sandbox; drop it (every call now runs in a confined sandbox process)",
  },
  {
    what: 'an option value out of range',
    run: () => resolvePythonInterpreterConfig({ poolSize: 0 }),
    code: 'invalid-value',
    message: /^PythonInterpreter: invalid options: 'poolSize': /,
  },
  {
    what: 'an input without code',
    run: () => prepareCode('```python\n\n```'),
    code: 'invalid-argument',
    message: 'PythonInterpreter: the input is empty; send Python code such as print(1 + 1)',
  },
])('PythonInterpreter input errors are TrlErrors with a code: $what', ({ run, code, message }) => {
  expect(run).toThrow(TrlError);
  expect(run).toThrow(expect.objectContaining({ name: 'TrlError', code }));
  expect(run).toThrow(message);
});
