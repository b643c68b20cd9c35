"""Backup → empty database → restore gives back every room's rows exactly (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import create_engine, inspect, text

from fcatlas.accounts import store as accounts
from fcatlas.accounts.roles import Actor, Level
from fcatlas.db import unit_of_work
from fcatlas.db.backup import backup, restore
from fcatlas.errors import ConfigError
from fcatlas.grants.store import GrantStore
from fcatlas.register.store import Register
from fcatlas.services import rounds

NAT = Actor.national("n@socialstyrelsen.se")


def _fill(url: str, shared_data) -> None:
    with Register.open(url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2027, user="f20")
        uid = reg.list_units(lan="20")["id"].iloc[0]
        reg.update_unit(uid, {"note": "ändrad före säkerhetskopian"}, reg.get_unit(uid)["version"], "h20")
        with unit_of_work(reg.engine) as s:
            f20 = accounts.add_user(
                s, actor=NAT, email="f20@regiondalarna.se", password="ett långt lösenord", role="region",
                lan_code="20", level="foretradare")
            accounts.create_token(s, actor=NAT, email=f20.email, days=30)
            rounds.open_round(s, actor=NAT, name=2027, deadline=dt.date(2027, 10, 31))
            rounds.submit(s, actor=Actor.region_user(f20.email, lan_code="20", level=Level.FORETRADARE),
                          name=2027, lan="20")
            rounds.approve(s, actor=NAT, name=2027, lan="20")
            rounds.publish(s, actor=NAT, name=2027)
    gs = GrantStore.open(url)
    gs.open_year(2026, {"18": 1_500_000, "20": 2_000_000})
    gs.close()


def _dump(url: str) -> dict[str, list[tuple]]:
    eng = create_engine(url)
    try:
        out = {}
        with eng.connect() as c:
            for t in sorted(inspect(eng).get_table_names()):
                rows = c.execute(text(f'SELECT * FROM "{t}"')).all()
                out[t] = sorted(tuple(str(v) for v in r) for r in rows)
        return out
    finally:
        eng.dispose()


def _empty_like(url: str, tmp_path) -> str:
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'tom.sqlite'}"
    import psycopg

    base, _ = url.rsplit("/", 1)
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://") + "/postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def test_backup_restore_round_trip(db_url, shared_data, tmp_path):
    _fill(db_url, shared_data)
    before = _dump(db_url)
    for table in ("register_units", "register_audit", "register_rounds", "register_round_units",
                  "register_round_events", "grant_reports", "accounts_users", "accounts_tokens", "alembic_version"):
        assert before[table], f"{table} är tom – testet prövar inget"
    file = backup(db_url, tmp_path / "fcatlas.backup")
    empty = _empty_like(db_url, tmp_path)
    restore(empty, file)
    assert _dump(empty) == before
    with pytest.raises(ConfigError, match="inte tom"):
        restore(empty, file)
    restore(empty, file, replace=True)
    assert _dump(empty) == before


def test_backup_refuses_bad_targets_and_files(tmp_path, sqlite_url):
    with Register.open(sqlite_url):
        pass
    with pytest.raises(ConfigError, match="katalog"):
        backup(sqlite_url, tmp_path)
    with pytest.raises(ConfigError, match="finns inte"):
        backup(sqlite_url, tmp_path / "saknas" / "b.backup")
    junk = tmp_path / "skrap.backup"
    junk.write_bytes(b"inte en databas")
    with pytest.raises(ConfigError, match="ingen säkerhetskopia"):
        restore(f"sqlite:///{tmp_path / 'ny.sqlite'}", junk)


def test_cli_backup_and_restore(cli, tmp_path, shared_data):
    db = tmp_path / "a.sqlite"
    assert cli("register", "import", str(shared_data / "familjecentraler" / "dalarna_2026.csv"), "--db", str(db),
               cwd=tmp_path).returncode == 0
    r = cli("db", "backup", str(tmp_path / "kopia.backup"), "--db", str(db))
    assert r.returncode == 0 and "Säkerhetskopian är skriven" in r.stdout
    r = cli("db", "restore", str(tmp_path / "kopia.backup"), "--db", str(tmp_path / "b.sqlite"))
    assert r.returncode == 0, r.stderr
    r = cli("register", "list", "--db", str(tmp_path / "b.sqlite"), "--format", "csv")
    assert len(r.stdout.splitlines()) == 1 + 15
    r = cli("db", "restore", str(tmp_path / "kopia.backup"), "--db", str(tmp_path / "b.sqlite"))
    assert r.returncode == 1 and "--ersatt" in r.stderr
