"""Issue 26.2: fcatlas behind Debian's nginx (deploy/nginx/fcatlas.conf, run as it is with its
addresses and paths replaced): TLS with a self-signed certificate, HSTS, two ``fcatlas serve``
instances on one PostgreSQL. A person logs in through nginx and is answered by both instances;
one instance is stopped under load without a failed request; X-Forwarded-For is believed only
from the proxy, so the real client address reaches the login throttle and the access log."""

from __future__ import annotations

import json
import os
import re
import shutil
import ssl
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from . import ops
from .helpers import ACCOUNTS, PW

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEPLOY = ops.ROOT / "deploy" / "nginx" / "fcatlas.conf"
PROXY_ADDR = "127.0.0.3"  # nginx connects to the app servers from here (proxy_bind)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _certificate(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=fcatlas-test", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def _trust(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


def _nginx_conf(tmp: Path, ports: dict[str, int], cert: Path, key: Path) -> Path:
    site = DEPLOY.read_text(encoding="utf-8")
    for old, new in [("fcatlas1.intern:8000", f"127.0.0.1:{ports['a']}"), ("fcatlas2.intern:8000", f"127.0.0.1:{ports['b']}"),
                     ("listen 443 ssl;", f"listen 127.0.0.1:{ports['https']} ssl;"),
                     ("listen 80;", f"listen 127.0.0.1:{ports['http']};"),
                     ("/etc/ssl/fcatlas/fullchain.pem", str(cert)), ("/etc/ssl/fcatlas/privkey.pem", str(key)),
                     ("/var/log/nginx/", f"{tmp}/"),
                     ("proxy_pass http://fcatlas;", f"proxy_pass http://fcatlas;\n        proxy_bind {PROXY_ADDR};")]:
        assert old in site, old
        site = site.replace(old, new)
    conf = tmp / "nginx.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf.write_text(f"""{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
{site}
}}
""", encoding="utf-8")
    return conf


@pytest.fixture
def stack(tmp_path, pg_url):
    if not Path(NGINX).exists():
        pytest.fail("nginx saknas: kör README:s testkommando (apt-get install nginx-light)")
    ports = {k: ops.free_port() for k in ("a", "b", "https", "http")}
    cert, key = _certificate(tmp_path)
    conf = _nginx_conf(tmp_path, ports, cert, key)
    env = {"FCATLAS_DB": pg_url, "FCATLAS_BETRODDA_PROXYER": PROXY_ADDR, "FCATLAS_LOGIN_PER_ADRESS": "3",
           "FCATLAS_CACHE_TTL_S": "0"}
    procs = {}
    try:
        for name in ("a", "b"):  # one after the other: the first upgrades the schema
            procs[name] = ops.serve(ports[name], env={**env, "FCATLAS_ACCESS_LOG": str(tmp_path / f"access-{name}.jsonl")},
                                    cwd=tmp_path, log=tmp_path / f"app-{name}.log")
            ops.wait_http(f"http://127.0.0.1:{ports[name]}/readyz", procs[name], tmp_path / f"app-{name}.log")
            if name == "a":
                ops.add_accounts(pg_url, round_open=True)
        procs["nginx"] = ops.start([NGINX, "-e", str(tmp_path / "error.log"), "-c", str(conf), "-g", "daemon off;"],
                                   env={}, cwd=tmp_path, log=tmp_path / "nginx.log")
        base = f"https://127.0.0.1:{ports['https']}"
        ops.wait_http(base + "/readyz", procs["nginx"], tmp_path / "nginx.log", verify=_trust(cert))
        yield {"base": base, "cert": cert, "tmp": tmp_path, "procs": procs, "ports": ports}
    finally:
        for p in procs.values():
            ops.stop(p)


def _client(stack, source: str = "127.0.0.5") -> httpx.Client:
    transport = httpx.HTTPTransport(verify=_trust(stack["cert"]), local_address=source)
    return httpx.Client(base_url=stack["base"], transport=transport, timeout=30)


def _log_in(c: httpx.Client, who: str) -> None:
    form = c.get("/logga-in")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    r = c.post("/logga-in", data={"email": ACCOUNTS[who][0], "password": PW, "csrf": csrf})
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/region"


def _log(stack, name: str) -> list[dict]:
    path = stack["tmp"] / f"access-{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_issue26_tls_hsts_and_redirect(stack):
    with _client(stack) as c:
        r = c.get("/")
        assert r.status_code == 200
        assert r.headers.get_list("strict-transport-security") == ["max-age=31536000; includeSubDomains"]
        assert c.get("/metrics").status_code == 404  # never through the proxy
    r = httpx.get(f"http://127.0.0.1:{stack['ports']['http']}/region", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"].startswith("https://")


def test_issue26_session_works_on_both_instances_and_one_stops_under_load(stack):
    with _client(stack) as c:
        _log_in(c, "f20")
        for _ in range(6):
            r = c.get("/region")
            assert r.status_code == 200 and "f20@regiondalarna.se" in r.text
        for name in ("a", "b"):
            assert any(e["sokvag"] == "/region" and e["status"] == 200 for e in _log(stack, name)), name
        results: list[int | str] = []
        done = threading.Event()

        def load() -> None:
            deadline = time.monotonic() + 20
            while not done.is_set() and time.monotonic() < deadline and len(results) < 20_000:
                try:
                    results.append(c.get("/region").status_code)
                except httpx.HTTPError as exc:
                    results.append(type(exc).__name__)

        worker = threading.Thread(target=load)
        worker.start()
        try:
            time.sleep(1.5)
            # SIGTERM, as systemd stops it: requests in flight finish, then uvicorn ends by the signal
            assert ops.stop(stack["procs"]["b"]) in (0, -15)
            stopped_at = len(results)
            time.sleep(2)
        finally:
            done.set()
            worker.join(timeout=60)
    failed = [r for r in results if r != 200]
    assert stopped_at > 5 and len(results) > stopped_at + 5, (stopped_at, len(results))
    assert len(failed) <= 1, failed
    after = [e for e in _log(stack, "a") if e["sokvag"] == "/region"]
    assert len(after) > len(results) // 2  # the remaining instance took over


def test_issue26_real_client_address_reaches_throttle_and_access_log(stack):
    with _client(stack, "127.0.0.5") as c5, _client(stack, "127.0.0.6") as c6:
        for i in range(3):
            r = c5.post("/api/v1/auth/token", json={"email": f"x{i}@regionx.se", "password": "fel"})
            assert r.status_code == 401
        assert c5.post("/api/v1/auth/token", json={"email": "y@regionx.se", "password": "fel"}).status_code == 429
        # another address through the same proxy is not throttled
        assert c6.post("/api/v1/auth/token", json={"email": "y@regionx.se", "password": "fel"}).status_code == 401
    deadline = time.monotonic() + 10  # the access log is written after the answer: wait for it
    while (clients := {e["klient"] for name in ("a", "b") for e in _log(stack, name)
                       if e["sokvag"] == "/api/v1/auth/token"}) != {"127.0.0.5", "127.0.0.6"}:
        assert time.monotonic() < deadline, clients
        time.sleep(0.1)
    # straight to an instance, not through the proxy: a forged X-Forwarded-For is not believed
    direct = f"http://127.0.0.1:{stack['ports']['a']}"
    httpx.get(direct + "/direkt-utan-proxy", headers={"X-Forwarded-For": "203.0.113.9"})
    deadline = time.monotonic() + 5
    while not (lines := [e for e in _log(stack, "a") if e["sokvag"] == "/direkt-utan-proxy"]):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert [e["klient"] for e in lines] == ["127.0.0.1"]
