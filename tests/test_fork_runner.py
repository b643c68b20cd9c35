"""tests/fork_runner.py's ``python -m`` (the browser tests' servers) against the real interpreter:
a uvicorn server started through it answers, and SIGTERM sent to the process group the test
started stops it as it stops the real one (graceful shutdown, the same exit status)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from fork_runner import forked_python


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve_and_stop(python: str, env: dict[str, str], cwd) -> tuple[int, list[str]]:
    port = _free_port()
    proc = subprocess.Popen([python, "-m", "uvicorn", "fcatlas.web.app:create_app", "--factory", "--port", str(port)],
                            env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 90
    while True:
        try:
            assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
            break
        except httpx.TransportError:
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()[0]
            time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    return proc.returncode, [line.split("[")[0] for line in out.splitlines() if line.startswith("INFO:     ")
                             and "GET /healthz" not in line and "running on" not in line]


@pytest.mark.slow
def test_issue20_a_forked_server_answers_and_stops_as_the_real_one(tmp_path, demo_bundle):
    env = {**os.environ, "FCATLAS_DB": f"sqlite:///{tmp_path / 'f.sqlite'}", "FCATLAS_BUNDLE": str(demo_bundle.path),
           "FCATLAS_OFFLINE": "1", "FCATLAS_ACCESS_LOG": str(tmp_path / "access.jsonl")}
    (tmp_path / "server").mkdir()
    with forked_python(tmp_path / "server", dict(os.environ)) as python:
        assert python != sys.executable, (tmp_path / "server" / "fcatlas-server.log").read_text()
        forked = _serve_and_stop(python, env, tmp_path)
    real = _serve_and_stop(sys.executable, env, tmp_path)
    assert forked == real
    assert real[0] == -signal.SIGTERM and "INFO:     Application shutdown complete." in real[1]
    assert (tmp_path / "server" / "fcatlas-server.log").read_text().startswith("fork uvicorn fcatlas.web.app")
