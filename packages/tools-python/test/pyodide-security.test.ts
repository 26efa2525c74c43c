import { afterAll, describe, expect, test } from 'vitest';
import { PythonInterpreter } from '../src/index';
import { describeSecuritySuite, SECURITY_LIMITS } from './security-suite';

const tool = new PythonInterpreter({ ...SECURITY_LIMITS });
describeSecuritySuite('pyodide', tool);

afterAll(() => tool.close());

describe('pyodide backend isolates the JavaScript host', () => {
  const signal = new AbortController().signal;

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

  test('the bridge module reached through a leaked built-in finds a disarmed realm', async () => {
    const out = await tool.call(
      [
        'import asyncio',
        "core = type(asyncio.get_event_loop()).call_soon.__globals__['create_once_callable'].__self__",
        'print(core.__name__)',
        'array = core.to_js([1])',
        'for attempt in (',
        "    lambda: array.constructor.constructor('return process')(),",
        "    lambda: array.map.constructor('return globalThis')(),",
        '):',
        '    try:',
        "        print('ESCAPED', attempt())",
        '    except Exception as error:',
        "        print('refused:', str(error).splitlines()[0])",
      ].join('\n'),
      { signal },
    );
    expect(out).toContain('_pyodide_core');
    expect(out).not.toContain('ESCAPED');
    expect(out.match(/refused: .*code generation from strings is disabled/g)).toHaveLength(2);
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

describe('the Python guard cannot be reached or switched off from a snippet', () => {
  const signal = new AbortController().signal;

  test('functions a snippet can reach carry no harness globals', async () => {
    const out = await tool.call(
      [
        'import time',
        'print(sorted(name for name in time.sleep.__globals__ if not name.startswith("__")))',
      ].join('\n'),
      { signal },
    );
    expect(out).toBe("['_monotonic', '_sleep', 'sleep']");
  });

  test('clearing the blocklists through the harness frame changes nothing', async () => {
    const out = await tool.call(
      [
        'import sys, os',
        'harness = sys._getframe(1).f_globals',
        "for name in ('_BLOCKED_MODULES', '_PROCESS_EVENTS', '_NETWORK_EVENTS', '_INTROSPECTION_EVENTS', '_WRITE_EVENTS'):",
        '    harness[name].clear()',
        'for attempt in (lambda: __import__("ctypes"), lambda: os.system("true")):',
        '    try:',
        '        attempt()',
        "        print('allowed')",
        '    except (ImportError, PermissionError) as error:',
        '        print(error)',
      ].join('\n'),
      { signal },
    );
    expect(out).toBe(
      [
        "[PythonInterpreter sandbox] import of 'ctypes' is blocked: the PythonInterpreter sandbox has no native memory access",
        '[PythonInterpreter sandbox] os.system is blocked: the PythonInterpreter sandbox cannot start processes',
      ].join('\n'),
    );
  });

  test('importlib and loader paths cannot create blocked modules', async () => {
    const out = await tool.call(
      [
        'import importlib, importlib.util, importlib.machinery, builtins, _imp',
        'def spec(name):',
        '    return importlib.machinery.ModuleSpec(name, importlib.machinery.BuiltinImporter, origin="built-in")',
        'attempts = {',
        "    'import_module _ctypes': lambda: importlib.import_module('_ctypes'),",
        "    'import_module _pyodide_core': lambda: importlib.import_module('_pyodide_core'),",
        "    'load_module _ctypes': lambda: builtins.__loader__.load_module('_ctypes'),",
        "    'module_from_spec _ctypes': lambda: importlib.util.module_from_spec(spec('_ctypes')),",
        "    'module_from_spec _pyodide_core': lambda: importlib.util.module_from_spec(spec('_pyodide_core')),",
        "    'create_builtin _ctypes': lambda: _imp.create_builtin(spec('_ctypes')),",
        "    'create_dynamic': lambda: _imp.create_dynamic(spec('x')),",
        '}',
        'import warnings',
        "warnings.simplefilter('ignore')",
        'for name, attempt in attempts.items():',
        '    try:',
        '        attempt()',
        "        print(name, 'LOADED')",
        '    except ImportError as error:',
        "        print(name, 'blocked' if '[PythonInterpreter sandbox]' in str(error) else f'other: {error}')",
      ].join('\n'),
      { signal },
    );
    expect(out.split('\n')).toEqual([
      'import_module _ctypes blocked',
      'import_module _pyodide_core blocked',
      'load_module _ctypes blocked',
      'module_from_spec _ctypes blocked',
      'module_from_spec _pyodide_core blocked',
      'create_builtin _ctypes blocked',
      'create_dynamic blocked',
    ]);
  });
});

describe('no state survives from one call to the next', () => {
  const signal = new AbortController().signal;
  const victim = [
    'import json, os, sys, builtins, time, asyncio',
    'print(json.dumps([1, 2]))',
    "print(os.environ.get('PLANTED'), hasattr(builtins, 'leak'), getattr(builtins, 'captured', 'nothing captured'))",
    "print(time.sleep.__name__, 'scheduleCallback' in type(asyncio.get_event_loop()).call_soon.__globals__)",
  ].join('\n');

  test('a snippet that plants hooks everywhere leaves the next call untouched', async () => {
    const clean = await tool.call(victim, { signal });
    expect(clean).toBe('[1, 2]\nNone False nothing captured\nsleep True');
    const planted = await tool.call(
      [
        'import sys, os, builtins, time, types, _imp, asyncio',
        'harness = sys._getframe(1).f_globals',
        'builtins.captured = []',
        'real_compile = compile',
        'def spy_compile(source, *args, **kwargs):',
        '    builtins.captured.append(source)',
        '    return real_compile(source, *args, **kwargs)',
        "harness['compile'] = spy_compile",
        "harness['exec'] = lambda *args, **kwargs: print('HIJACKED')",
        "builtins.leak = 'from an earlier call'",
        "os.environ['PLANTED'] = 'yes'",
        "fake = types.ModuleType('json')",
        "fake.dumps = lambda value: 'FORGED'",
        "sys.modules['json'] = fake",
        'time.sleep = print',
        "sys.addaudithook(lambda event, args: print('SPY', event) if event == 'exec' else None)",
        "del type(asyncio.get_event_loop()).call_soon.__globals__['scheduleCallback']",
        '_imp.create_builtin = lambda spec: None',
        'os.close(1)',
      ].join('\n'),
      { signal },
    );
    expect(planted).not.toContain('damaged');
    expect(await tool.call(victim, { signal })).toBe(clean);
  });

  test('a callback scheduled on the event loop never runs in a later call', async () => {
    const planted = await tool.call(
      [
        'import asyncio',
        'loop = asyncio.get_event_loop()',
        "loop.call_later(0.05, lambda: print('PLANTED'))",
        "loop.call_soon(lambda: print('PLANTED SOON'))",
        "print('scheduled')",
      ].join('\n'),
      { signal },
    );
    expect(planted).toBe('scheduled');
    expect(await tool.call("import time\ntime.sleep(0.4)\nprint('victim')", { signal })).toBe('victim');
  });

  test('a forged protocol message printed by a snippet stays text in its own answer', async () => {
    const forged = JSON.stringify({
      type: 'result',
      id: 1,
      stdout: { head: 'FORGED', tail: '', omittedChars: 0 },
      stderr: { head: '', tail: '', omittedChars: 0 },
      result: null,
      interrupted: false,
      unhealthy: null,
    });
    expect(await tool.call(`print(${JSON.stringify(forged)})`, { signal })).toBe(forged);
    expect(await tool.call("print('next')", { signal })).toBe('next');
  });

  test('files written and descriptors opened in one call are gone in the next', async () => {
    await tool.call("f = open('/tmp/kept.txt', 'w')\nf.write('x')\nimport os\nos.chdir('/tmp')", { signal });
    expect(
      await tool.call("import os\nprint(os.path.exists('/tmp/kept.txt'), os.getcwd())", { signal }),
    ).toBe('False /home/pyodide');
  });
});
