"""Shared fixtures.

* ``shared_data``: the real public extracts in ``../shared/data`` (CI has them there).
* ``pg_url``: a real PostgreSQL server, started once per test session on 127.0.0.1 from the
  Debian packages that the README's test command installs (``/usr/lib/postgresql/*/bin``).
  When ``FCATLAS_TEST_PG_URL`` is set, that server is used instead. Without either the
  PostgreSQL tests fail (they are part of the contract); set ``FCATLAS_SKIP_PG=1`` to skip them
  on a machine without the packages.
* ``db_urls``: parametrises a test over SQLite and PostgreSQL.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

# PYTHONDONTWRITEBYTECODE (set on some machines, this one included) made every run compile all of
# src/ again and rewrite the asserts of every test module again: 3 s of a 5 s collection, paid
# once more by each xdist worker. The caches go to __pycache__ folders, which git ignores.
sys.dont_write_bytecode = False


def pytest_configure(config: pytest.Config) -> None:
    from hypothesis import settings

    # CI machines are slow and shared: no per-example deadline (a slow example is not a wrong one).
    settings.register_profile("fcatlas", deadline=None)
    settings.load_profile("fcatlas")

#: Modules holding a test that takes 5 s or more, with the seconds the whole module took in a
#: ``pytest -n 2 --durations=0`` run (issue 20.6). They run first, so that none of them is the last
#: thing a worker runs while the other waits; see :func:`pytest_collection_modifyitems`.
LONGEST = {
    "tests/test_readme.py": 50,
    "tests/browser/test_public_quality.py": 38,
    "tests/browser/test_national_and_public.py": 37,
    "tests/browser/test_issue23_public.py": 32,
    "tests/browser/test_public_filters.py": 28,
    "tests/browser/test_region.py": 26,
    "tests/web/test_issue26_nginx.py": 26,
    "tests/browser/test_grants_pages.py": 25,
    "tests/test_hostile_inputs.py": 25,
    "tests/web/test_schemathesis.py": 24,
    "tests/browser/test_issue22_year.py": 24,
    "tests/outputs/test_report.py": 19,
    "tests/web/test_issue26_release.py": 15,
    "tests/web/test_issue26_oidc.py": 13,
    "tests/browser/test_issue22_accounts.py": 11,
    "tests/outputs/test_maps.py": 10,
    "tests/register/test_hostile.py": 9,
    "tests/browser/test_issue21_csp.py": 8,
    "tests/web/test_concurrency.py": 8,
    "tests/web/test_issue26_systemd.py": 7,
    "tests/web/test_serve.py": 5,
    "tests/test_fork_runner.py": 6,
}


@pytest.hookimpl(trylast=True)  # after -k/-m have deselected: xdist deals out what is left
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The modules of :data:`LONGEST` first, longest first, each module's tests together.

    Under ``pytest -n N`` (xdist's default ``load`` scheduling) worker *i* starts with the items
    ``[i*c, (i+1)*c)``, ``c = len(items) // N // 4``, and then takes more from the front of the
    rest as it runs short. Were all the long modules at the front, one worker's first share would
    hold them all and be the tail; so they are dealt out (longest first, each to the share with
    the fewest seconds so far) and each share is filled up to ``c`` with the other modules, in
    their usual order, which also follow the shares."""
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    long = sorted((m for m in modules if m in LONGEST), key=lambda m: -LONGEST[m])
    rest = [item for m, its in modules.items() if m not in LONGEST for item in its]
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    if workers < 2 or config.getoption("dist", "load") not in ("load", "no"):
        items[:] = [item for m in long for item in modules[m]] + rest
        return
    shares: list[list[pytest.Item]] = [[] for _ in range(workers)]
    seconds = [0] * workers
    for m in long:
        i = seconds.index(min(seconds))
        shares[i] += modules[m]
        seconds[i] += LONGEST[m]
    chunk = max(2, len(items) // workers // 4)
    ordered: list[pytest.Item] = []
    for share in shares:
        take = max(0, chunk - len(share))
        ordered += share + rest[:take]
        rest = rest[take:]
    items[:] = ordered + rest


ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FCATLAS_SHARED", ROOT.parent / "shared"))


@pytest.fixture(autouse=True)
def _close_database_engines():
    """fcatlas keeps one engine per database per process; after a test its pooled connections are
    closed, so that the many per-test PostgreSQL databases do not keep idle connections open."""
    yield
    import sys

    db = sys.modules.get("fcatlas.db")
    if db is not None:
        db.forget_engines()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = SHARED / "data"
    assert path.is_dir(), f"../shared/data saknas (väntat i {path})"
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in cmd)]
    return cmd


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory):
    """Base URL (without database name) of a running PostgreSQL server."""
    if os.environ.get("FCATLAS_TEST_PG_URL"):
        yield os.environ["FCATLAS_TEST_PG_URL"].rstrip("/")
        return
    if os.environ.get("FCATLAS_SKIP_PG"):
        pytest.skip("FCATLAS_SKIP_PG är satt")
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert bins, "PostgreSQL-servern saknas: kör README:ns testkommando (apt-get install postgresql)"
    bindir = Path(bins[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="fcatlas-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data = base / "data"
    port = _free_port()
    subprocess.run(
        _as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                      "-E", "UTF8", "--locale=C.UTF-8"]),
        check=True, capture_output=True,
    )
    subprocess.run(
        _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-o",
                      f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "start"]),
        check=True, capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
        )
        # the session's databases (a gigabyte or so) are removed after the worker has finished,
        # not before: removing them took the last 3–5 s of each worker's run
        subprocess.run(["sh", "-c", 'rm -rf -- "$1" >/dev/null 2>&1 &', "sh", str(base)], check=False)


def _create_pg_database(server: str, prefix: str = "t_", template: str | None = None) -> str:
    """A new database on the server (a copy of ``template`` when given); its URL."""
    import psycopg

    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    plain = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return f"{server}/{name}"


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    return _create_pg_database(pg_server)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'register.sqlite'}"


class DatabaseTemplates:
    """Databases prepared once per test session (per backend and recipe) and copied for each test:
    a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL. Migrating an empty
    database to the current schema took 0.3–1 s a test."""

    def __init__(self, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._request = request
        self._tmp = tmp_path_factory
        self._made: dict[tuple[str, str], str] = {}

    def copy(self, backend: str, recipe: Callable[[str], object], tmp_path: Path) -> str:
        """A new database on ``backend`` ("sqlite"/"postgresql") as ``recipe(url)`` leaves an empty one."""
        key = (backend, f"{recipe.__module__}.{recipe.__qualname__}")
        if key not in self._made:
            self._made[key] = self._prepare(backend, recipe)
        template = self._made[key]
        if backend == "sqlite":
            target = tmp_path / "register.sqlite"
            shutil.copyfile(template, target)
            return f"sqlite:///{target}"
        server = str(self._request.getfixturevalue("pg_server"))
        return _create_pg_database(server, template=template)

    def _prepare(self, backend: str, recipe: Callable[[str], object]) -> str:
        from fcatlas.db import forget_engines

        if backend == "sqlite":
            file = self._tmp.mktemp("mall") / "register.sqlite"
            url, template = f"sqlite:///{file}", str(file)
        else:
            url = _create_pg_database(str(self._request.getfixturevalue("pg_server")), prefix="mall_")
            template = url.rsplit("/", 1)[1]
        recipe(url)
        forget_engines()  # no connection may stay open to a template (nor a half-written SQLite file)
        return template


@pytest.fixture(scope="session")
def database_templates(request: pytest.FixtureRequest,
                       tmp_path_factory: pytest.TempPathFactory) -> DatabaseTemplates:
    return DatabaseTemplates(request, tmp_path_factory)


def migrated(url: str) -> None:
    """The recipe of ``db_url``: every room's tables at the current schema, no rows."""
    from fcatlas.db import open_engine

    open_engine(url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, database_templates: DatabaseTemplates) -> str:
    """A database at the current schema with no rows, once on SQLite and once on the real
    PostgreSQL server (a copy of one migrated per session)."""
    return database_templates.copy(request.param, migrated, tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (no tables at all), once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'register.sqlite'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(scope="session")
def real_bundle(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    """A bundle built once per session from the real extracts in ../shared/data."""
    from fcatlas.geography.build import build_bundle
    from fcatlas.geography.bundle import Bundle

    out = tmp_path_factory.mktemp("bundle") / "paket"
    build_bundle(shared_data, out)
    return Bundle.open(out)


@pytest.fixture(scope="session")
def demo_bundle(tmp_path_factory: pytest.TempPathFactory):
    """The synthetic demo bundle (deterministic)."""
    from fcatlas.geography.demo import build_demo_bundle

    return build_demo_bundle(tmp_path_factory.mktemp("demo") / "paket")


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the ``fcatlas`` command as a user would, in this process (:mod:`tests.cli_runner`)."""
    from cli_runner import fcatlas

    return fcatlas(*args, cwd=cwd, env=env, input=input)


@pytest.fixture
def cli():
    """Callable running the CLI in this process: ``cli("areas", "--bundle", …)``."""
    return run_cli
