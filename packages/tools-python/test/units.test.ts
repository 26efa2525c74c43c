import { describe, expect, test } from 'vitest';
import {
  CappedText,
  formatExecutionOutput,
  PythonInterpreter,
  resolvePythonInterpreterConfig,
} from '../src/index';
import { prepareCode } from '../src/prepare-code';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('CappedText', () => {
  test('keeps short streams whole, across chunk boundaries inside a character', () => {
    const text = new CappedText(100);
    const bytes = encode('héllo → wörld');
    text.push(bytes.subarray(0, 2));
    text.push(bytes.subarray(2));
    expect(text.snapshot()).toEqual({ head: 'héllo → wörld', tail: '', omittedChars: 0 });
  });

  test('keeps head and tail of a long stream and counts the rest', () => {
    const text = new CappedText(5);
    for (let line = 0; line < 1000; line++) text.push(encode(`${line % 10}`));
    expect(text.snapshot()).toEqual({ head: '01234', tail: '56789', omittedChars: 990 });
  });

  test('a single huge chunk is reduced to its ends', () => {
    const text = new CappedText(3);
    text.push(encode(`abc${'x'.repeat(1_000_000)}xyz`));
    expect(text.snapshot()).toEqual({ head: 'abc', tail: 'xyz', omittedChars: 1_000_000 });
  });
});

describe('formatExecutionOutput', () => {
  const whole = (head: string) => ({ head, tail: '', omittedChars: 0 });

  test('orders stdout, result, stderr and notices', () => {
    const text = formatExecutionOutput(
      { stdout: whole('hi\n'), stderr: whole('Boom\n'), result: '3', notices: ['TimeoutError: late'] },
      1000,
    );
    expect(text).toBe('hi\nOut: 3\n[stderr]\nBoom\nTimeoutError: late');
  });

  test('says so when nothing was produced', () => {
    expect(
      formatExecutionOutput({ stdout: whole(''), stderr: whole(''), result: null, notices: [] }, 100),
    ).toBe('(no output)');
  });

  test('cuts long output to the budget with a marker', () => {
    const text = formatExecutionOutput(
      { stdout: whole('a'.repeat(60) + 'b'.repeat(40)), stderr: whole(''), result: null, notices: [] },
      10,
    );
    expect(text).toBe('aaaaaa\n...[90 characters truncated]...\nbbbb');
  });
});

describe('prepareCode', () => {
  test('unwraps a fenced block and keeps plain code', () => {
    expect(prepareCode('```py\nx = 1\nprint(x)\n```\n')).toBe('x = 1\nprint(x)');
    expect(prepareCode('print(1)')).toBe('print(1)');
  });

  test('rejects non-strings and empty code', () => {
    expect(() => prepareCode(undefined)).toThrow(/input must be a string of Python code, got undefined/);
    expect(() => prepareCode('```python\n\n```')).toThrow(/input is empty/);
  });
});

describe('config', () => {
  test('fills TRL-style defaults', () => {
    expect(resolvePythonInterpreterConfig()).toMatchObject({
      poolSize: 1,
      timeoutMs: 10_000,
      maxOutputChars: 10_000,
      session: false,
      returnLastExpression: false,
    });
  });

  test('names the bad field and the fix', () => {
    expect(() => new PythonInterpreter({ poolSize: 0 })).toThrow(/'poolSize'/);
    expect(() => new PythonInterpreter({ session: true, poolSize: 2 })).toThrow(/set poolSize: 1/);
    expect(() => new PythonInterpreter({ backend: 'subprocess' } as never)).toThrow(
      /option 'backend' was removed with the subprocess backend/,
    );
    expect(() => new PythonInterpreter({ pythonPath: 'python3' } as never)).toThrow(
      /'pythonPath' was removed/,
    );
    expect(() => new PythonInterpreter({ timeout: 5 } as never)).toThrow(/timeout/);
  });
});
