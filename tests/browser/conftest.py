"""A real uvicorn server (SQLite file, the demo bundle) and Debian's chromium driven by Playwright.

Skipped when chromium, Playwright or ``npm ci``'s node_modules are missing (README command 2
installs them)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from fcatlas.accounts import store
from fcatlas.accounts.roles import Actor
from fcatlas.db import connect, unit_of_work
from fcatlas.services import rounds
from fork_runner import forked_python
from web.helpers import ACCOUNTS, PW, quick_passwords  # tests/ is on sys.path (rootdir-relative packages)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(os.environ.get("FCATLAS_SCREENSHOTS", "")) if os.environ.get("FCATLAS_SCREENSHOTS") else None

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")  # stopped after each module: a running Playwright holds an asyncio loop in the thread
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() or not AXE.is_file():
        pytest.skip("chromium eller node_modules saknas (kör README:s kommando 2)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def with_accounts(url: str) -> None:
    """A database with the test accounts (a recipe of :class:`conftest.DatabaseTemplates`), their
    password stored at argon2's lowest cost (``helpers.quick_passwords``)."""
    engine = connect(url)
    with unit_of_work(engine) as s:
        for email, role, lan, level in ACCOUNTS.values():
            store.add_user(s, actor=Actor.national("test"), email=email, password=PW, role=role,
                           lan_code=lan, level=level)
    engine.dispose()
    quick_passwords(url)


def with_accounts_and_round(url: str) -> None:
    """The test accounts, and round 2027 open."""
    with_accounts(url)
    engine = connect(url)
    with unit_of_work(engine) as s:
        rounds.open_round(s, actor=Actor.national("n@socialstyrelsen.se"), name=2027,
                          deadline=dt.date(2027, 10, 31))
    engine.dispose()


@pytest.fixture(scope="session")
def python_m(tmp_path_factory):
    """The ``python`` that starts the servers (``python -m uvicorn …``): each server a process
    forked from one that has imported fcatlas's web service (``tests/fork_runner.py``; a server
    answered after 1.7 s, 2 s of CPU, most of it importing), or the real interpreter when that one
    cannot start."""
    with forked_python(tmp_path_factory.mktemp("python-m"), dict(os.environ)) as python:
        yield python


@contextlib.contextmanager
def serve(tmp_path: Path, bundle_path: Path, templates: Any, *, backend: str = "sqlite", open_round: bool = True,
          python: str = sys.executable):
    """A fresh database (the test accounts, and round 2027 open unless ``open_round`` is false) on
    ``backend`` — a copy of one prepared once per session by ``templates`` (the session's
    ``database_templates``: hashing the four passwords and migrating took 0.7 s a test) — behind a
    real uvicorn process serving ``bundle_path``, started by ``python`` (:func:`python_m`)."""
    url = templates.copy(backend, with_accounts_and_round if open_round else with_accounts, tmp_path)
    port = _free_port()
    env = {**os.environ, "FCATLAS_DB": url, "FCATLAS_BUNDLE": str(bundle_path), "FCATLAS_OFFLINE": "1",
           "FCATLAS_ACCESS_LOG": str(tmp_path / "access.jsonl"), "FCATLAS_NODE_MODULES": str(ROOT / "node_modules"),
           # the tests publish straight into the database, behind the server's back: the server
           # re-reads the data version on every request instead of trusting it for a second
           "FCATLAS_CACHE_TTL_S": "0"}
    proc = subprocess.Popen([python, "-m", "uvicorn", "fcatlas.web.app:create_app", "--factory",
                             "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            httpx.get(f"{base}/healthz", timeout=2)
            break
        except httpx.TransportError:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "servern startade inte"
            time.sleep(0.05)
    try:
        yield {"base": base, "db": url}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate(timeout=30)


@pytest.fixture
def server(tmp_path, demo_bundle, database_templates, python_m):
    """A fresh database (the test accounts, round 2027 open) behind a real uvicorn process."""
    with serve(tmp_path, demo_bundle.path, database_templates, python=python_m) as s:
        yield s


@pytest.fixture
def pg_web(tmp_path, demo_bundle, database_templates, python_m):
    """The same on a fresh PostgreSQL database, with no round opened yet."""
    with serve(tmp_path, demo_bundle.path, database_templates, backend="postgresql", open_round=False,
               python=python_m) as s:
        yield s


class Visit:
    """One browser context per person; every page visited is checked with axe-core (0 serious or
    critical violations) and, with FCATLAS_SCREENSHOTS=DIR, photographed at 1280 and 375 px."""

    def __init__(self, browser, base: str, name: str) -> None:
        self.ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
        self.page = self.ctx.new_page()
        self.base, self.name, self.n = base, name, 0
        self.checked: list[str] = []

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.check()

    def check(self) -> None:
        page = self.page
        page.wait_for_load_state("load")
        if page.locator("#karta").count():
            page.wait_for_selector("#karta[data-klar='1']", timeout=15000)
        # from the service itself (same origin): an inline copy would break the Content-Security-Policy
        page.add_script_tag(url=self.base + "/vendor/axe-core/axe.min.js")
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                   .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }""")
        assert result == [], f"axe på {page.url}: {json.dumps(result, ensure_ascii=False, indent=1)}"
        self.checked.append(page.url)
        if SHOTS is not None:
            SHOTS.mkdir(parents=True, exist_ok=True)
            self.n += 1
            stem = f"{self.name}-{self.n:02d}"
            page.screenshot(path=str(SHOTS / f"{stem}-1280.png"), full_page=True)
            page.set_viewport_size({"width": 375, "height": 800})
            page.screenshot(path=str(SHOTS / f"{stem}-375.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 900})

    def login(self, who: str) -> None:
        self.goto("/logga-in")
        self.page.get_by_label("E-post").fill(ACCOUNTS[who][0])
        self.page.get_by_label("Lösenord").fill(PW)
        self.page.get_by_role("button", name="Logga in").click()
        self.check()

    def close(self) -> None:
        self.ctx.close()


def _visits(browser, base: str):
    opened: list[Visit] = []

    def make(name: str) -> Visit:
        v = Visit(browser, base, name)
        opened.append(v)
        return v

    yield make
    for v in opened:
        v.close()


@pytest.fixture
def visit(browser, server):
    yield from _visits(browser, server["base"])


@pytest.fixture
def pg_visit(browser, pg_web):
    """:func:`visit` on :func:`pg_web` (PostgreSQL)."""
    yield from _visits(browser, pg_web["base"])

