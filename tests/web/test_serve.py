"""``fcatlas serve`` starts a real uvicorn server: here on the demo, with two workers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_demo_answers_health_and_login(tmp_path):
    port = _free_port()
    env = {**os.environ, "FCATLAS_HOME": str(tmp_path / "home"), "FCATLAS_OFFLINE": "1", "COLUMNS": "200",
           "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "fcatlas.cli", "serve", "--demo", "--port", str(port),
                             "--workers", "2", "--access-log", str(tmp_path / "log.jsonl")],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                r = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "servern startade inte inom 120 s"
                time.sleep(0.5)
        assert r.status_code == 200 and r.json()["datapaket"]["syntetiskt"] is True
        from fcatlas.cli.serve import DEMO_PASSWORD

        tok = httpx.post(f"{base}/api/v1/auth/token",
                         json={"email": "foretradare20@demo.invalid", "password": DEMO_PASSWORD}).json()
        me = httpx.get(f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {tok['access_token']}"})
        assert me.json()["lan_code"] == "20"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert "SYNTETISKA EXEMPELDATA" in out and "foretradare20@demo.invalid" in out
    assert '"sokvag": "/api/v1/auth/me"' in (tmp_path / "log.jsonl").read_text(encoding="utf-8")
