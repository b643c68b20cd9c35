"""``fcatlas serve --workers N`` on Linux: N uvicorn servers, each listening on a socket of its own
on the same port (``SO_REUSEPORT``), so that the kernel deals the connections out between them.

uvicorn's own workers share one listening socket, and the worker that wakes first takes every
connection waiting. Connections that are kept open — nginx's upstream ``keepalive``
(``deploy/nginx/fcatlas.conf``), a browser's, a load test's — then stay where they landed: with
10 kept-alive benchmark clients all 10 went to one of two workers in three runs of three (the
machine's cores 62–63 % busy, the other worker idle); with 50 clients, one worker held 40 of them
(counted with ``ss`` during a run). Here the kernel spreads the
connections by a hash of their addresses (``tests/web/test_issue24_workers.py``).

The supervisor is small: it starts the workers (each a fresh interpreter, as uvicorn's), passes
SIGTERM and SIGINT on to them (each finishes its requests in flight, ``--avslut-s``), and starts a
new worker in place of one that stopped on its own after it had been serving; a worker that stops
within its first seconds stops the server (it would not start better the next time)."""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
import threading
import time
from typing import Any

#: a worker that stops earlier than this after its start stops the server
STARTUP_S = 15.0


def balanced(workers: int) -> bool:
    """Whether ``workers`` workers are started here (Linux, more than one) rather than by uvicorn."""
    return workers > 1 and sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` with ``SO_REUSEPORT`` (not yet listening)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def port_taken(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be served here (``None`` when it can): something already answers
    on it, or another program holds it."""
    local = "127.0.0.1" if host in ("", "0.0.0.0") else "::1" if host == "::" else host
    try:
        with socket.create_connection((local, port), timeout=0.5):
            return f"porten {port} används redan: något svarar redan på {host}:{port}"
    except OSError:
        pass
    try:
        listening_socket(host, port).close()
    except OSError as exc:
        return f"porten {port} på {host} kan inte användas ({exc.strerror or exc})"
    return None


def _worker(options: dict[str, Any]) -> None:
    """One worker (in a process of its own): a uvicorn server on a socket of its own."""
    import uvicorn

    config = uvicorn.Config(**options)
    uvicorn.Server(config).run(sockets=[listening_socket(config.host, config.port)])


def serve(options: dict[str, Any], workers: int) -> int:
    """Run ``workers`` workers with uvicorn's ``options`` until SIGTERM or SIGINT; the exit code."""
    ctx = multiprocessing.get_context("spawn")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    def start() -> tuple[Any, float]:
        process = ctx.Process(target=_worker, args=(options,), name="fcatlas-arbetsprocess")
        process.start()
        return process, time.monotonic()

    running = [start() for _ in range(workers)]
    code = 0
    while not stop.wait(0.5):
        for i, (process, started) in enumerate(running):
            if process.is_alive():
                continue
            if time.monotonic() - started < STARTUP_S:
                print(f"fcatlas: en arbetsprocess avslutades när den startade (kod {process.exitcode}); "
                      "tjänsten stannar", file=sys.stderr)
                stop.set()
                code = 1
                break
            running[i] = start()  # it had been serving: a new one takes its place
    for process, _ in running:
        if process.is_alive():
            process.terminate()  # SIGTERM: the requests in flight are finished first
    for process, _ in running:
        process.join()
    return code
