import { afterAll, describe, expect, test } from 'vitest';
import { PythonInterpreter } from '../src/index';
import { describeSecuritySuite, SECURITY_LIMITS } from './security-suite';

const tool = new PythonInterpreter({ ...SECURITY_LIMITS });
describeSecuritySuite('pyodide', tool);

describe('pyodide backend isolates the JavaScript host', () => {
  const signal = new AbortController().signal;
  afterAll(() => tool.close());

  test('the bridge modules cannot be imported', async () => {
    for (const name of [
      'js',
      'pyodide_js',
      'pyodide.code',
      'pyodide.http',
      'pyodide.ffi',
      'ctypes',
      'micropip',
    ]) {
      const out = await tool.call(`import ${name}`, { signal });
      expect(out).toContain(`import of '${name}' is blocked`);
    }
  });

  test('a JsProxy left in Pyodide internals cannot create code from strings', async () => {
    const out = await tool.call(
      [
        'import asyncio',
        'leaked = type(asyncio.get_event_loop()).call_soon.__globals__["scheduleCallback"]',
        'print(type(leaked).__name__)',
        "leaked.constructor('return process')().exit(1)",
      ].join('\n'),
      { signal },
    );
    expect(out).toContain('JsProxy');
    expect(out).toContain('code generation from strings is disabled');
    expect(await tool.call('print(1 + 1)', { signal })).toBe('2');
  });

  test('a long time.sleep is interrupted by the timeout instead of killing the worker', async () => {
    const out = await tool.call("import time\nprint('start', flush=True)\ntime.sleep(60)", { signal });
    expect(out).toContain('start');
    expect(out).toContain('KeyboardInterrupt');
    expect(out).toContain('was interrupted');
  });

  test('gc heap walking is refused', async () => {
    const out = await tool.call('import gc\ngc.get_objects()', { signal });
    expect(out).toContain('gc.get_objects is blocked');
  });

  test('files written in one call are gone in the next', async () => {
    expect(await tool.call("open('/tmp/note.txt', 'w').write('hi')\nprint('ok')", { signal })).toBe('ok');
    expect(await tool.call("import os\nprint(os.path.exists('/tmp/note.txt'))", { signal })).toBe('False');
  });

  test('the standard library outside /tmp and the home directory is read-only', async () => {
    const out = await tool.call("open('/lib/python3.13/site-packages/evil.py', 'w')", { signal });
    expect(out).toContain('PermissionError');
  });
});
