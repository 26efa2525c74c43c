/**
 * Python source shared by both backends. It defines:
 *
 * - `install_guard(writable_roots, readable_roots)`: a PEP 578 audit hook. Audit hooks cannot be
 *   removed from Python once installed, so this is the sturdiest Python-level policy available: it
 *   refuses process creation, sockets and other network clients, imports of the modules that
 *   reach the JavaScript host or native memory (`js`, `pyodide_js`, `pyodide`, `ctypes`, …), heap
 *   walking through `gc`, code-object forging, and file writes outside `writable_roots` (reads
 *   outside `readable_roots` too when given). Paths are resolved with `realpath` so symlinks do
 *   not get around it.
 * - `run(code, return_last, namespace, max_result_chars)`: executes one snippet, printing a
 *   traceback (harness frames removed) to stderr on failure and returning the `repr` of a final
 *   expression when asked.
 */
export const PYTHON_HARNESS_SOURCE = `
import ast as _ast
import builtins as _builtins
import linecache as _linecache
import os as _os
import sys as _sys
import traceback as _traceback

CODE_FILE = '<code>'

_PROCESS_REASON = 'the PythonInterpreter sandbox cannot start processes'
_HOST_REASON = 'the PythonInterpreter sandbox has no access to the JavaScript host'
_NATIVE_REASON = 'the PythonInterpreter sandbox has no native memory access'
_BLOCKED_MODULES = {
    'subprocess': _PROCESS_REASON, '_posixsubprocess': _PROCESS_REASON,
    'multiprocessing': _PROCESS_REASON, '_multiprocessing': _PROCESS_REASON,
    'pty': _PROCESS_REASON,
    'ctypes': _NATIVE_REASON, '_ctypes': _NATIVE_REASON,
    'js': _HOST_REASON, 'pyodide_js': _HOST_REASON, 'pyodide': _HOST_REASON,
    '_pyodide': _HOST_REASON, '_pyodide_core': _HOST_REASON, 'micropip': _HOST_REASON,
    'pyodide_http': _HOST_REASON,
}
_NETWORK_EVENTS = {
    'urllib.Request', 'http.client.connect', 'ftplib.connect', 'smtplib.connect', 'poplib.connect',
    'imaplib.open', 'nntplib.connect', 'telnetlib.Telnet.open', 'webbrowser.open',
}
_PROCESS_EVENTS = {
    'os.system', 'os.exec', 'os.spawn', 'os.posix_spawn', 'os.fork', 'os.forkpty', 'os.kill',
    'os.killpg', 'subprocess.Popen', 'os.startfile', 'os.popen',
}
_INTROSPECTION_EVENTS = {
    'gc.get_objects', 'gc.get_referrers', 'gc.get_referents', 'code.__new__', 'sys._current_frames',
}
# Events whose listed argument positions are paths that get modified.
_WRITE_EVENTS = {
    'os.chmod': (0,), 'os.chown': (0,), 'os.mkdir': (0,), 'os.remove': (0,), 'os.rmdir': (0,),
    'os.truncate': (0,), 'os.utime': (0,), 'os.rename': (0, 1), 'os.link': (0, 1), 'os.mkfifo': (0,), 'os.mknod': (0,), 'os.chflags': (0,),
    'os.lchflags': (0,), 'os.setxattr': (0,), 'os.removexattr': (0,),
}
_LIST_EVENTS = {'os.listdir', 'os.scandir'}
_TRACEBACK_FRAMES = 100
_WRITE_FLAGS = _os.O_WRONLY | _os.O_RDWR | _os.O_APPEND | _os.O_CREAT | _os.O_TRUNC


def _deny(message):
    raise PermissionError('[PythonInterpreter sandbox] ' + message)


def _resolve(path):
    if isinstance(path, int) or path is None:
        return None
    try:
        text = _os.fsdecode(_os.fspath(path))
    except TypeError:
        return None
    return _os.path.realpath(text)


def _inside(path, roots):
    for root in roots:
        if path == root or path.startswith(root.rstrip('/') + '/'):
            return True
    return False


def install_guard(writable_roots, readable_roots):
    writable = tuple(_os.path.realpath(root) for root in writable_roots)
    readable = None if readable_roots is None else tuple(_os.path.realpath(r) for r in readable_roots)
    readable_or_writable = None if readable is None else readable + writable

    def check_read(path, what):
        resolved = _resolve(path)
        if resolved is not None and readable_or_writable is not None and not _inside(resolved, readable_or_writable):
            _deny(f'{what} {resolved!r} is outside the sandbox directory')

    def check_write(path, what):
        resolved = _resolve(path)
        if resolved is not None and not _inside(resolved, writable):
            _deny(f'{what} {resolved!r} is not allowed; only {", ".join(writable)} may be written')

    def hook(event, args):
        if event == 'import':
            name, filename = args[0], args[1]
            # Every component counts: loading ctypes' extension as 'x._ctypes' runs the same native code.
            for part in name.split('.'):
                reason = _BLOCKED_MODULES.get(part)
                if reason is not None:
                    raise ImportError(f'[PythonInterpreter sandbox] import of {name!r} is blocked: {reason}')
            resolved = _resolve(filename)
            if resolved is not None and not resolved.endswith('.py') and _inside(resolved, writable):
                raise ImportError(
                    f'[PythonInterpreter sandbox] loading {resolved!r} is blocked: only Python source '
                    'may be imported from the sandbox directory'
                )
            return
        if event == 'open':
            path, mode, flags = args
            writes = (isinstance(mode, str) and any(c in mode for c in 'wax+')) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writes:
                check_write(path, 'writing to')
            else:
                check_read(path, 'reading')
                # A directory descriptor would let dir_fd= resolve paths where the checks above did not look.
                resolved = _resolve(path)
                if resolved is not None and _os.path.isdir(resolved):
                    check_write(path, 'opening the directory')
            return
        if event == 'os.symlink':
            target, link = args[0], args[1]
            check_write(link, 'creating a link at')
            link_path = _resolve(link)
            if link_path is not None and not isinstance(target, int):
                check_write(_os.path.join(_os.path.dirname(link_path), _os.fsdecode(target)), 'linking to')
            return
        if event in _WRITE_EVENTS:
            for position in _WRITE_EVENTS[event]:
                if position < len(args):
                    check_write(args[position], f'{event} on')
            return
        if event in _LIST_EVENTS:
            if args and args[0] is not None:
                check_read(args[0], 'listing')
            return
        if event in _PROCESS_EVENTS:
            _deny(f'{event} is blocked: {_PROCESS_REASON}')
        if event in _NETWORK_EVENTS or event.startswith('socket.'):
            _deny(f'{event} is blocked: the PythonInterpreter sandbox has no network access')
        if event in _INTROSPECTION_EVENTS or event.startswith('ctypes.'):
            _deny(f'{event} is blocked in the PythonInterpreter sandbox')

    for name in list(_sys.modules):
        top = name.partition('.')[0]
        if top in _BLOCKED_MODULES:
            del _sys.modules[name]
    _sys.addaudithook(hook)


def make_sleep_interruptible():
    # Pyodide's time.sleep blocks inside JavaScript where the interrupt buffer is not polled;
    # sleeping in short slices lets a timeout's KeyboardInterrupt land between them.
    import time

    original_sleep = time.sleep

    def sleep(seconds):
        if not seconds > 0.05:
            return original_sleep(seconds)
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            original_sleep(min(remaining, 0.05))

    sleep.__doc__ = original_sleep.__doc__
    time.sleep = sleep


_STDOUT, _STDERR = _sys.stdout, _sys.stderr


def streams_healthy():
    try:
        _os.fstat(1)
        _os.fstat(2)
        return not _STDOUT.closed and not _STDERR.closed
    except BaseException:
        return False


def new_namespace():
    return {'__name__': '__main__', '__builtins__': _builtins}


def _print_exception(error):
    if isinstance(error, SystemExit):
        print(f'SystemExit: {error.code}', file=_sys.stderr)
        return
    # The innermost frames carry the error; a cap keeps runaway recursion cheap to report.
    summary = _traceback.TracebackException.from_exception(error, limit=-_TRACEBACK_FRAMES)
    pending, seen = [summary], set()
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        kept = [frame for frame in current.stack if frame.filename != _HARNESS_FILE]
        current.stack = _traceback.StackSummary.from_list(kept)
        pending.extend((current.__cause__, current.__context__))
    _sys.stderr.write(''.join(summary.format()))


_HARNESS_FILE = _print_exception.__code__.co_filename


def run(code, return_last, namespace, max_result_chars):
    stdout, stderr = _STDOUT, _STDERR
    _sys.stdout, _sys.stderr = stdout, stderr
    _linecache.cache[CODE_FILE] = (len(code), None, code.splitlines(True), CODE_FILE)
    result = None
    try:
        tree = compile(code, CODE_FILE, 'exec', _ast.PyCF_ONLY_AST)
        last = None
        if return_last and tree.body and isinstance(tree.body[-1], _ast.Expr):
            last = _ast.Expression(tree.body.pop().value)
        exec(compile(tree, CODE_FILE, 'exec'), namespace)
        if last is not None:
            value = eval(compile(last, CODE_FILE, 'eval'), namespace)
            if value is not None:
                result = repr(value)
                if len(result) > max_result_chars:
                    omitted = len(result) - max_result_chars
                    result = result[:max_result_chars] + f'...[{omitted} characters truncated]'
    except BaseException as error:
        _sys.stdout, _sys.stderr = stdout, stderr
        try:
            _print_exception(error)
        except BaseException:
            print(f'{type(error).__name__}: (traceback unavailable)', file=_sys.stderr)
    finally:
        _sys.stdout, _sys.stderr = stdout, stderr
        _sys.__stdout__, _sys.__stderr__ = stdout, stderr
        for stream in (stdout, stderr):
            try:
                stream.flush()
            except BaseException:
                pass
    return result
`;

/**
 * Entry script of the subprocess backend, run as `python3 -I -S -c <this>` after the harness
 * source. argv: return_last ("1"/"0"), max_result_chars. Reads the snippet from stdin, installs
 * the guard (reads limited to the interpreter's own files and the temp directory, writes to the
 * temp directory), runs it and writes the final expression's repr to file descriptor 3.
 */
export const SUBPROCESS_ENTRY_SOURCE = `
def _main():
    code = _sys.stdin.read()
    _sys.stdin.close()
    return_last = _sys.argv[1] == '1'
    max_result_chars = int(_sys.argv[2])
    cwd = _os.getcwd()
    readable = [p for p in _sys.path if p] + [_sys.prefix, _sys.base_prefix, _sys.exec_prefix, '/dev/null']
    install_guard([cwd, '/dev/null'], readable)
    result = run(code, return_last, new_namespace(), max_result_chars)
    if result is not None:
        data = result.encode('utf-8', 'replace')
        while data:
            data = data[_os.write(3, data):]

_main()
`;
