import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PythonInterpreter } from '../src/index';

const signal = new AbortController().signal;

describe('PythonInterpreter (pyodide, pool of 2)', () => {
  const tool = new PythonInterpreter({ poolSize: 2, returnLastExpression: true, timeoutMs: 5_000 });
  beforeAll(() => tool.ready());
  afterAll(() => tool.close());

  test('implements the Tool spec', () => {
    expect(tool.name).toBe('PythonInterpreter');
    expect(tool.specificationVersion).toBe('v1');
    expect(tool.description).toMatch(/Python/);
  });

  test('prints and does arithmetic', async () => {
    expect(await tool.call('print(2 ** 10)\nprint(7 / 2, 7 // 2, -7 % 3)', { signal })).toBe('1024\n3.5 3 2');
  });

  test('reports a traceback under [stderr], without harness frames', async () => {
    const out = await tool.call("def inverse(x):\n    return 1 / x\nprint('before')\ninverse(0)", { signal });
    expect(out).toBe(
      [
        'before',
        '[stderr]',
        'Traceback (most recent call last):',
        '  File "<code>", line 4, in <module>',
        '    inverse(0)',
        '    ~~~~~~~^^^',
        '  File "<code>", line 2, in inverse',
        '    return 1 / x',
        '           ~~^~~',
        'ZeroDivisionError: division by zero',
      ].join('\n'),
    );
  });

  test('reports syntax errors', async () => {
    const out = await tool.call('print(', { signal });
    expect(out).toContain("SyntaxError: '(' was never closed");
  });

  test('returnLastExpression appends the repr of a final expression, except None', async () => {
    expect(await tool.call("x = 21\nprint('x is', x)\n{'double': x * 2}", { signal })).toBe(
      "x is 21\nOut: {'double': 42}",
    );
    expect(await tool.call('print("only")\nNone', { signal })).toBe('only');
    expect(await tool.call('y = 3', { signal })).toBe('(no output)');
  });

  test('globals are fresh for every call', async () => {
    await tool.call('secret = 5', { signal });
    await tool.call('secret = 5', { signal });
    const out = await tool.call('print(secret)', { signal });
    expect(out).toContain("NameError: name 'secret' is not defined");
  });

  test('two concurrent calls run on the two workers', async () => {
    // Each worker remembers a random tag in its (per-worker) builtins; two different tags prove
    // the calls were spread over both interpreters.
    const tagged =
      "import builtins, random, time\nif not hasattr(builtins, '_tag'):\n    builtins._tag = random.random()\ntime.sleep(0.5)\nprint(builtins._tag)";
    const [first, second] = await Promise.all([tool.call(tagged, { signal }), tool.call(tagged, { signal })]);
    expect(Number(first)).toBeGreaterThan(0);
    expect(first).not.toBe(second);
  });

  test('queued calls are all answered in order of submission', async () => {
    const outputs = await Promise.all(
      Array.from({ length: 6 }, (_, index) => tool.call(`print(${index} * ${index})`, { signal })),
    );
    expect(outputs).toEqual(['0', '1', '4', '9', '16', '25']);
  });

  test('an aborted signal rejects the running call and the tool keeps serving', async () => {
    const controller = new AbortController();
    const running = tool.call('while True:\n    pass', { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(running).rejects.toThrow(/aborted/);
    expect(await tool.call('print("after abort")', { signal })).toBe('after abort');
  });

  test('an already aborted signal rejects without running', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(tool.call('print(1)', { signal: controller.signal })).rejects.toThrow(/aborted/);
  });

  test('misuse throws a clear error', async () => {
    await expect(tool.call(42 as unknown as string, { signal })).rejects.toThrow(/input must be a string/);
    await expect(tool.call('   \n', { signal })).rejects.toThrow(/input is empty/);
  });

  test('a Markdown code fence around the code is removed', async () => {
    expect(await tool.call('```python\nprint("fenced")\n```', { signal })).toBe('fenced');
  });

  test('input() fails instead of blocking', async () => {
    expect(await tool.call('input()', { signal })).toMatch(/Error/);
  });
});

describe('PythonInterpreter (pyodide, session mode)', () => {
  const tool = new PythonInterpreter({ session: true, timeoutMs: 2_000, interruptGraceMs: 500 });
  afterAll(() => tool.close());

  test('keeps globals and files between calls', async () => {
    expect(await tool.call("counter = 1\nopen('state.txt', 'w').write('kept')", { signal })).toBe(
      '(no output)',
    );
    expect(await tool.call('counter += 1\nprint(counter)', { signal })).toBe('2');
    expect(await tool.call("print(open('state.txt').read())", { signal })).toBe('kept');
  });

  test('an aborted call finishes in its process: no restart, the session keeps its state', async () => {
    expect(await tool.call('total = 41', { signal })).toBe('(no output)');
    const controller = new AbortController();
    const running = tool.call('import time\ntime.sleep(0.3)\ntotal += 1', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(running).rejects.toThrow(/aborted/);
    expect(await tool.call('print(total)', { signal })).toBe('42');
  });

  test('a killed session interpreter says its state is lost, then starts clean', async () => {
    const out = await tool.call(
      'while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass',
      { signal },
    );
    expect(out).toContain('the session state are lost');
    expect(await tool.call('print(counter)', { signal })).toContain(
      "NameError: name 'counter' is not defined",
    );
  });

  test('close is idempotent and later calls reject', async () => {
    await tool.close();
    await tool.close();
    await expect(tool.call('print(1)', { signal })).rejects.toThrow(/closed/);
  });
});
