"""Helpers of the operations tests (issue 26): free ports, real processes, waiting for them."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from fcatlas.accounts import store
from fcatlas.accounts.roles import Actor
from fcatlas.db import connect, unit_of_work

from .helpers import ACCOUNTS, PW

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port(host: str = "127.0.0.1") -> int:
    """A free port below the kernel's ephemeral range, from a band of its own per xdist worker: a
    port the kernel hands out (port 0) is handed out again to the other worker's servers and
    clients, and a server started on it a moment later may then find it taken (seen once: nginx's
    https port answered by another test's plain-HTTP server)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    band = 20000 + (int(worker) % 6) * 2000 if worker.isdigit() else 20000
    for port in random.sample(range(band, band + 2000), 2000):
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return port
    raise AssertionError(f"ingen ledig port mellan {band} och {band + 2000}")


def add_accounts(url: str, *, round_open: bool = False) -> None:
    engine = connect(url)
    with unit_of_work(engine) as s:
        for email, role, lan, level in ACCOUNTS.values():
            store.add_user(s, actor=Actor.national("test"), email=email, password=PW, role=role,
                           lan_code=lan, level=level)
        if round_open:
            from fcatlas.services import rounds

            rounds.open_round(s, actor=Actor.national("n@socialstyrelsen.se"), name=2027,
                              deadline=dt.date(2027, 10, 31))
    engine.dispose()


def start(cmd: list[str], *, env: dict[str, str], cwd: Path, log: Path,
          drop: tuple[str, ...] = ()) -> subprocess.Popen[bytes]:
    """``cmd`` in its own process group, its output in ``log``; ``drop``: variables not passed on."""
    full = {k: v for k, v in {**os.environ, **env}.items() if k not in drop}
    with open(log, "ab") as out:  # the child has its own copy of the descriptor
        return subprocess.Popen(cmd, env=full, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def serve(port: int, *, env: dict[str, str], cwd: Path, log: Path, host: str = "127.0.0.1",
          exe: list[str] | None = None, extra: list[str] | None = None,
          drop: tuple[str, ...] = ()) -> subprocess.Popen[bytes]:
    """``fcatlas serve`` (the real command) on ``host:port``."""
    cmd = [*(exe or [sys.executable, "-m", "fcatlas.cli"]), "serve", "--host", host, "--port", str(port), *(extra or [])]
    return start(cmd, env={"FCATLAS_VARM": "0", "FCATLAS_OFFLINE": "1", **env}, cwd=cwd, log=log, drop=drop)


def wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 90, **kw: object) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(url, timeout=2, **kw)  # type: ignore[arg-type]
            return
        except httpx.TransportError:
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, f"{url} svarade inte: {log.read_text(errors='replace')[-3000:]}"
            time.sleep(0.3)


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 30) -> int:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.wait(timeout=10)
