"""``fcatlas serve`` starts a real uvicorn server: here on the demo, with two workers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
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
    lines: list[str] = []

    def read() -> None:
        for line in proc.stdout or []:
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        # issue 24: "lyssnar på" is printed only once the server answers: then it answers at once
        while not any("lyssnar på" in line for line in list(lines)):
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "servern startade inte inom 120 s"
            time.sleep(0.05)
        r = httpx.get(f"{base}/healthz", timeout=2)
        assert r.status_code == 200 and r.json()["datapaket"]["syntetiskt"] is True
        from fcatlas.cli.serve import DEMO_PASSWORD

        tok = httpx.post(f"{base}/api/v1/auth/token",
                         json={"email": "foretradare20@demo.invalid", "password": DEMO_PASSWORD}).json()
        me = httpx.get(f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {tok['access_token']}"})
        assert me.json()["lan_code"] == "20"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        reader.join(timeout=10)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    out = "".join(lines)
    assert "SYNTETISKA EXEMPELDATA" in out and "foretradare20@demo.invalid" in out
    assert '"sokvag": "/api/v1/auth/me"' in (tmp_path / "log.jsonl").read_text(encoding="utf-8")
