import { TrlError } from '@trl/spec';

/** Matches a whole input wrapped in one Markdown code fence, e.g. "```python\n…\n```". */
const FENCED = /^\s*```[\w+-]*[^\S\n]*\n([\s\S]*?)\n?```\s*$/;

/**
 * Checks the tool input and unwraps a Markdown code fence, which models often put around code.
 * Throws an Error saying what was wrong when the input is not a string or holds no code.
 */
export function prepareCode(input: unknown): string {
  if (typeof input !== 'string') {
    throw new TypeError(
      `PythonInterpreter: the input must be a string of Python code, got ${input === null ? 'null' : typeof input}`,
    );
  }
  const fenced = FENCED.exec(input);
  const code = fenced ? (fenced[1] as string) : input;
  if (code.trim() === '') {
    throw new TrlError(
      'invalid-argument',
      'PythonInterpreter: the input is empty; send Python code such as print(1 + 1)',
    );
  }
  return code;
}
