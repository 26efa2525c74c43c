/**
 * Python source of the sandbox harness, loaded once into each interpreter before its clean state
 * is recorded. It defines:
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



def install_guard(writable_roots, readable_roots):
    # Everything the hook consults is captured here, in closure cells holding immutable values and
    # functions bound at install time: module globals that user code can reach (for example through
    # a function's __globals__) are never read by the hook.
    blocked_modules = tuple(_BLOCKED_MODULES.items())
    blocked_names = frozenset(_BLOCKED_MODULES)
    network_events = frozenset(_NETWORK_EVENTS)
    process_events = frozenset(_PROCESS_EVENTS)
    introspection_events = frozenset(_INTROSPECTION_EVENTS)
    write_events = dict(_WRITE_EVENTS)
    list_events = frozenset(_LIST_EVENTS)
    write_flags = _WRITE_FLAGS
    realpath, isdir, join, dirname = _os.path.realpath, _os.path.isdir, _os.path.join, _os.path.dirname
    fsdecode, fspath = _os.fsdecode, _os.fspath
    process_reason = _PROCESS_REASON
    writable = tuple(realpath(root) for root in writable_roots)
    readable = None if readable_roots is None else tuple(realpath(r) for r in readable_roots)
    readable_or_writable = None if readable is None else readable + writable
    prefix = '[PythonInterpreter sandbox] '

    def deny(message):
        raise PermissionError(prefix + message)

    def resolve(path):
        if isinstance(path, int) or path is None:
            return None
        try:
            text = fsdecode(fspath(path))
        except TypeError:
            return None
        return realpath(text)

    def inside(path, roots):
        for root in roots:
            if path == root or path.startswith(root.rstrip('/') + '/'):
                return True
        return False

    def check_read(path, what):
        resolved = resolve(path)
        if resolved is not None and readable_or_writable is not None and not inside(resolved, readable_or_writable):
            deny(f'{what} {resolved!r} is outside the sandbox directory')

    def check_write(path, what):
        resolved = resolve(path)
        if resolved is not None and not inside(resolved, writable):
            deny(f'{what} {resolved!r} is not allowed; only {", ".join(writable)} may be written')

    def blocked_reason(name):
        for part in name.split('.'):
            if part in blocked_names:
                for blocked, reason in blocked_modules:
                    if blocked == part:
                        return reason
        return None

    def hook(event, args):
        if event == 'import':
            name, filename = args[0], args[1]
            # Every component counts: loading ctypes' extension as 'x._ctypes' runs the same native code.
            reason = blocked_reason(name)
            if reason is not None:
                raise ImportError(f'{prefix}import of {name!r} is blocked: {reason}')
            resolved = resolve(filename)
            if resolved is not None and not resolved.endswith('.py') and inside(resolved, writable):
                raise ImportError(
                    f'{prefix}loading {resolved!r} is blocked: only Python source may be imported from the sandbox directory'
                )
            return
        if event == 'open':
            path, mode, flags = args
            writes = (isinstance(mode, str) and any(c in mode for c in 'wax+')) or (
                isinstance(flags, int) and flags & write_flags
            )
            if writes:
                check_write(path, 'writing to')
            else:
                check_read(path, 'reading')
                # A directory descriptor would let dir_fd= resolve paths where the checks above did not look.
                resolved = resolve(path)
                if resolved is not None and isdir(resolved):
                    check_write(path, 'opening the directory')
            return
        if event == 'os.symlink':
            target, link = args[0], args[1]
            check_write(link, 'creating a link at')
            link_path = resolve(link)
            if link_path is not None and not isinstance(target, int):
                check_write(join(dirname(link_path), fsdecode(target)), 'linking to')
            return
        if event in write_events:
            for position in write_events[event]:
                if position < len(args):
                    check_write(args[position], f'{event} on')
            return
        if event in list_events:
            if args and args[0] is not None:
                check_read(args[0], 'listing')
            return
        if event in process_events:
            deny(f'{event} is blocked: {process_reason}')
        if event in network_events or event.startswith('socket.'):
            deny(f'{event} is blocked: the PythonInterpreter sandbox has no network access')
        if event in introspection_events or event.startswith('ctypes.'):
            deny(f'{event} is blocked in the PythonInterpreter sandbox')

    for name in list(_sys.modules):
        if blocked_reason(name) is not None:
            del _sys.modules[name]
    _close_module_creation(blocked_reason, prefix)
    _sys.addaudithook(hook)


def _close_module_creation(blocked_reason, prefix):
    # importlib.import_module, loader.load_module and importlib.util.module_from_spec never raise
    # the 'import' audit event for built-in modules; they all end in _imp.create_builtin (or
    # create_dynamic for extension files). Every allowed built-in module is created now, and those
    # two functions are replaced by ones that hold no reference to the originals, so nothing a
    # snippet can reach can create a blocked module.
    import _imp
    import importlib

    created = {}
    for name in _sys.builtin_module_names:
        if blocked_reason(name) is None:
            created[name] = _sys.modules.get(name) or importlib.import_module(name)
    available = tuple(created.items())

    def create_builtin(spec):
        name = getattr(spec, 'name', None)
        reason = None if not isinstance(name, str) else blocked_reason(name)
        if reason is not None:
            raise ImportError(f'{prefix}import of {name!r} is blocked: {reason}')
        for known, module in available:
            if known == name:
                return module
        raise ImportError(f'{prefix}no built-in module named {name!r}')

    def create_dynamic(spec, file=None):
        raise ImportError(f'{prefix}loading native extension modules is blocked')

    _imp.create_builtin = create_builtin
    _imp.create_dynamic = create_dynamic


_SLEEP_SOURCE = '''
def sleep(seconds, _sleep=_sleep, _monotonic=_monotonic):
    if not seconds > 0.05:
        return _sleep(seconds)
    deadline = _monotonic() + seconds
    while (remaining := deadline - _monotonic()) > 0:
        _sleep(min(remaining, 0.05))
'''


def make_sleep_interruptible():
    # Pyodide's time.sleep blocks inside JavaScript where the interrupt check does not run;
    # sleeping in short slices lets a timeout's KeyboardInterrupt land between them. The
    # replacement is defined in a namespace of its own, so its __globals__ lead nowhere.
    import time

    private = {'__builtins__': _builtins, '_sleep': time.sleep, '_monotonic': time.monotonic}
    exec(_SLEEP_SOURCE, private)
    sleep = private['sleep']
    sleep.__doc__ = time.sleep.__doc__
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
