"""Issue 24: ``fcatlas serve --workers 2`` on Linux gives each worker a listening socket of its own
(SO_REUSEPORT), so that kept-alive connections are spread over the workers instead of all landing
on the one that woke first; the server still refuses a port that something else answers on, and
stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT: Linux")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(tmp_path, port: int, *where: str) -> subprocess.Popen[str]:
    env = {**os.environ, "FCATLAS_HOME": str(tmp_path / "home"), "COLUMNS": "200", "FCATLAS_OFFLINE": "1",
           "TMPDIR": str(tmp_path)}
    where = where or ("--db", str(tmp_path / "register.sqlite"))
    return subprocess.Popen([sys.executable, "-m", "fcatlas.cli", "serve", *where,
                             "--port", str(port), "--workers", "2", "--access-log", str(tmp_path / "log.jsonl")],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _ask(sock: socket.socket, path: str) -> str:
    """One HTTP/1.1 request on a kept-alive connection: the answer's body."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        body += sock.recv(65536)
    return body.decode()


def _burst(port: int, n: int) -> list[socket.socket]:
    """``n`` connections opened at the same moment (their SYNs sent before any is accepted)."""
    import selectors

    socks = [socket.socket() for _ in range(n)]
    with selectors.DefaultSelector() as sel:
        for sock in socks:
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
            sel.register(sock, selectors.EVENT_WRITE)
        waiting = set(socks)
        deadline = time.monotonic() + 10
        while waiting and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=1):
                sel.unregister(key.fileobj)
                waiting.discard(key.fileobj)  # type: ignore[arg-type]
    for sock in socks:
        sock.setblocking(True)
        sock.settimeout(10)
    return socks


def test_issue24_kept_alive_connections_are_spread_over_the_workers(tmp_path):
    port = _free_port()
    proc = _serve(tmp_path, port, "--demo")  # the demo's bundle: each worker warms its caches after its start
    base = f"http://127.0.0.1:{port}"
    socks: list[socket.socket] = []
    try:
        deadline, seen = time.monotonic() + 60, set()
        while len(seen) < 2:  # until both workers have answered (each on a new connection)
            try:
                seen.update(re.findall(r'fcatlas_worker_info\{pid="(\d+)"\}', httpx.get(f"{base}/metrics").text))
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, f"båda arbetsprocesserna svarade inte: {seen}"
            time.sleep(0.05)
        # 24 connections at once while the workers warm their caches, as a proxy's or a load test's
        # pool opens them after a start, then kept open: with one shared socket the worker that
        # wakes first took them all
        socks = _burst(port, 24)
        pids = []
        for sock in socks:  # asked twice on the same connection: answered by the same worker
            first, again = (re.findall(r'fcatlas_worker_info\{pid="(\d+)"\}', _ask(sock, "/metrics")) for _ in "12")
            assert first == again and len(first) == 1
            pids.append(first[0])
    finally:
        for sock in socks:
            sock.close()
        os.killpg(proc.pid, signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    shares = sorted(pids.count(p) for p in set(pids))
    # spread by the kernel's hash: both workers, neither with fewer than 3 of 24 (by chance: 1 in 28,000)
    assert len(shares) == 2 and shares[0] >= 3, shares
    assert proc.returncode == 0, err
    assert "lyssnar på" in out


def test_issue24_a_port_something_answers_on_is_refused(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = _serve(tmp_path, port)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert f"porten {port} används redan" in err + out
