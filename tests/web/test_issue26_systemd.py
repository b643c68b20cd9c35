"""Issue 26.3: the systemd units of deploy/systemd (the server, the hourly reminders, the nightly
backup with retention) run as written, and ``fcatlas serve`` finishes a request in flight when
it gets SIGTERM (systemd's stop)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from fcatlas.cli import app as cli_app

from . import ops

UNITS = ops.ROOT / "deploy" / "systemd"
FCATLAS = "/opt/fcatlas/venv/bin/fcatlas"


def _unit(name: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def _as_shell(command: str) -> str:
    """A unit's command line as sh runs it: systemd's %% and $$ unescaped, our command here."""
    assert command.startswith("/bin/sh -c '") and command.endswith("'"), command
    body = command[len("/bin/sh -c '"):-1].replace("%%", "%").replace("$$", "$")
    return body.replace(FCATLAS, f"{sys.executable} -m fcatlas.cli")


def test_issue26_timers_fire_hourly_and_nightly():
    assert _unit("fcatlas-notify.timer")["OnCalendar"] == ["hourly"]
    assert _unit("fcatlas-notify.service")["ExecStart"] == [f"{FCATLAS} notify"]
    assert _unit("fcatlas-backup.timer")["OnCalendar"] == ["*-*-* 02:30"]
    if shutil.which("systemd-analyze"):
        for spec in ("hourly", "*-*-* 02:30"):
            r = subprocess.run(["systemd-analyze", "calendar", spec], capture_output=True, text=True)
            assert r.returncode == 0, r.stderr


def test_issue26_server_unit_uses_options_that_exist():
    serve = _unit("fcatlas.service")
    args = serve["ExecStart"][0].split()
    assert args[:2] == [FCATLAS, "serve"]
    help_text = CliRunner().invoke(cli_app, ["serve", "--help"], env={"COLUMNS": "200"}).output
    for option in (a for a in args if a.startswith("--")):
        assert option in help_text, option
    assert serve["KillSignal"] == ["SIGTERM"] and int(serve["TimeoutStopSec"][0]) > 30


def test_issue26_nightly_backup_keeps_the_configured_days(tmp_path):
    db = tmp_path / "fcatlas.sqlite"
    ops.add_accounts(f"sqlite:///{db}")
    backups = tmp_path / "kopior"
    backups.mkdir()
    old, recent = backups / "fcatlas-20200101-023000.dump", backups / "fcatlas-20200105-023000.dump"
    for path, days in ((old, 20), (recent, 3)):
        path.write_text("gammal")
        stamp = time.time() - days * 86400
        os.utime(path, (stamp, stamp))
    unit = _unit("fcatlas-backup.service")
    env = {**os.environ, "FCATLAS_DB": f"sqlite:///{db}", "FCATLAS_BACKUP_KATALOG": str(backups),
           "FCATLAS_BACKUP_DAGAR": "14"}
    for command in unit["ExecStart"] + unit["ExecStartPost"]:
        r = subprocess.run(["/bin/sh", "-c", _as_shell(command)], env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
    kept = sorted(p.name for p in backups.iterdir())
    assert old.name not in kept and recent.name in kept and len(kept) == 2
    new = next(p for p in backups.iterdir() if p != recent)
    restored = tmp_path / "aterstalld.sqlite"
    r = CliRunner().invoke(cli_app, ["db", "restore", str(new), "--db", f"sqlite:///{restored}"])
    assert r.exit_code == 0, r.output
    users = CliRunner().invoke(cli_app, ["user", "list", "--db", f"sqlite:///{restored}"], env={"COLUMNS": "200"})
    assert "f20@regiondalarna.se" in users.output, users.output


def test_issue26_sigterm_finishes_the_request_in_flight(tmp_path):
    """A login whose body arrives slowly is in flight when SIGTERM comes: it is answered, then the
    server ends; a new connection after the signal is refused."""
    url = f"sqlite:///{tmp_path / 'fcatlas.sqlite'}"
    port = ops.free_port()
    proc = ops.serve(port, env={"FCATLAS_DB": url}, cwd=tmp_path, log=tmp_path / "app.log")
    try:
        ops.wait_http(f"http://127.0.0.1:{port}/readyz", proc, tmp_path / "app.log")
        ops.add_accounts(url)
        body = b'{"email": "f20@regiondalarna.se", "password": "ett l\\u00e5ngt l\\u00f6senord"}'
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(b"POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body[:10])
            time.sleep(0.5)
            os.killpg(proc.pid, 15)  # systemd's stop
            time.sleep(1.0)
            with pytest.raises(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
            s.sendall(body[10:])
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
        assert b"access_token" in answer
        assert proc.wait(timeout=30) in (0, -15)
    finally:
        ops.stop(proc)


