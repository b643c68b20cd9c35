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
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    plain = pg_server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{pg_server}/{name}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'register.sqlite'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run the test once against SQLite and once against the real PostgreSQL server."""
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
