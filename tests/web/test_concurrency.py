"""20 clients change the same unit from the same version at once, through a real server with two
workers on the real PostgreSQL: exactly one 200, the rest 412, one audit entry."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from sqlalchemy import create_engine, text

from fcatlas.accounts import store
from fcatlas.accounts.roles import Actor
from fcatlas.db import unit_of_work
from fcatlas.register.store import Register


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.postgres
def test_twenty_simultaneous_patches(pg_url, shared_data, tmp_path):
    with Register.open(pg_url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2027, user="import")
        unit = reg.list_units(lan="20").iloc[0]
        version = reg.get_unit(unit["id"])["version"]
        with unit_of_work(reg.engine) as s:
            store.add_user(s, actor=Actor.national("t"), email="h@dalarna.se", password="ett långt lösenord",
                           role="region", lan_code="20", level="handlaggare")
            token = store.create_token(s, actor=Actor.national("t"), email="h@dalarna.se", days=1)[0]
    port = _free_port()
    env = {**os.environ, "FCATLAS_HOME": str(tmp_path), "COLUMNS": "200"}
    proc = subprocess.Popen([sys.executable, "-m", "fcatlas.cli", "serve", "--db", pg_url, "--port", str(port),
                             "--workers", "2", "--access-log", str(tmp_path / "log.jsonl")],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "servern startade inte"
                time.sleep(0.3)
        barrier = threading.Barrier(20)
        statuses: list[int] = []

        def patch(i: int) -> None:
            with httpx.Client(timeout=30) as c:
                barrier.wait()
                r = c.patch(f"{base}/api/v1/units/{unit['id']}", json={"note": f"klient {i}"},
                            headers={"Authorization": f"Bearer {token}", "If-Match": f'"{version}"'})
                statuses.append(r.status_code)

        threads = [threading.Thread(target=patch, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate(timeout=30)
    assert sorted(statuses) == [200] + [412] * 19
    eng = create_engine(pg_url)
    with eng.connect() as c:
        n = c.execute(text("SELECT count(*) FROM register_audit WHERE unit_id = :u AND action = 'update'"),
                      {"u": unit["id"]}).scalar()
    eng.dispose()
    assert n == 1
