"""One engine per database per process; opening a database checks its schema and never migrates
it (only ``fcatlas db upgrade`` and ``fcatlas serve`` do); a new, empty database is created."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from fcatlas import db
from fcatlas.errors import StorageError
from fcatlas.grants.store import GrantStore
from fcatlas.register.store import Register


def _versions(url: str) -> set[str]:
    with db.get_engine(url).connect() as conn:
        return set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _older(url: str) -> None:
    """The database at ``url`` one grants revision behind (as an older fcatlas left it)."""
    engine = db.upgrade(url)
    command.downgrade(db.alembic_config(engine), "grants_0003")
    db.forget_engine(url)


def test_schema_heads_read_from_the_scripts_are_alembics() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(db.MIGRATIONS))
    assert db.schema_heads() == frozenset(scripts.get_heads())
    assert set(db._revisions()) == {r.revision for r in scripts.walk_revisions()}


def test_one_engine_per_database_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    a = db.get_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert db.get_engine(f"sqlite:///{tmp_path / 'x.sqlite'}") is a
    assert db.get_engine("sqlite:///x.sqlite") is a  # the same file named relatively
    assert db.get_engine(f"sqlite:///{tmp_path / 'y.sqlite'}") is not a
    with Register.open(f"sqlite:///{tmp_path / 'x.sqlite'}") as reg:
        assert reg.engine is a
    assert GrantStore.open(f"sqlite:///{tmp_path / 'x.sqlite'}").engine is a


def test_an_empty_database_is_created_at_the_current_schema(empty_db_url: str) -> None:
    engine = db.open_engine(empty_db_url)
    assert db.schema_state(engine) == "current"
    assert _versions(empty_db_url) == db.schema_heads()


def test_an_older_schema_is_refused_with_how_to_upgrade_and_left_alone(db_url: str) -> None:
    _older(db_url)
    before = _versions(db_url)
    assert before != db.schema_heads()
    with pytest.raises(StorageError, match=r"äldre schema.*fcatlas db upgrade --db"):
        Register.open(db_url)
    with pytest.raises(StorageError, match="fcatlas db upgrade"):
        GrantStore.open(db_url)
    assert _versions(db_url) == before  # opening never migrates
    db.upgrade(db_url)
    assert _versions(db_url) == db.schema_heads()
    with Register.open(db_url) as reg:
        assert reg.counts()["register_units"] == 0


def test_cli_refuses_an_old_database_until_db_upgrade(cli, tmp_path: Path, shared_data: Path) -> None:
    file = tmp_path / "gammal.sqlite"
    url = f"sqlite:///{file}"
    _older(url)
    r = cli("register", "import", str(shared_data / "familjecentraler" / "dalarna_2026.csv"), "--db", str(file),
            cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert f"fcatlas db upgrade --db {file}" in r.stderr and "äldre schema" in r.stderr
    r = cli("db", "upgrade", "--db", str(file))
    assert r.returncode == 0 and "aktuellt" in r.stdout
    r = cli("register", "import", str(shared_data / "familjecentraler" / "dalarna_2026.csv"), "--db", str(file),
            cwd=tmp_path)
    assert r.returncode == 0, r.stderr


def test_a_database_with_fcatlas_tables_but_no_version_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'utan_version.sqlite'}"
    engine = db.upgrade(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    db.forget_engine(url)
    with pytest.raises(StorageError, match="ingen schemaversion"):
        db.open_engine(url)
