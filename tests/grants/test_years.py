"""The grant years' store and rules (grants/years.py), on SQLite and PostgreSQL: a year and its
basis round-trip (the exclusion definition as data, not a label), the status goes prepared →
decided and never back, and a database set up before grants_0005 gets its definition from the
label once, in the migration (issue 20)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from alembic import command
from sqlalchemy import text

from fcatlas import db
from fcatlas.db import connect, unit_of_work
from fcatlas.errors import ConfigError, ConflictError, NotFoundError
from fcatlas.geography.bundle import Bundle
from fcatlas.geography.exclusion import parse_exclusion
from fcatlas.grants.basis import basis_from_bundle
from fcatlas.grants.decisions import YEAR_STATUSES, GrantYear
from fcatlas.grants.years import DecisionRow, YearStatus, YearStore, YearTerms, check_year

TERMS = YearTerms(total_sek=3_000_000, fixed_sek=815_000, include_all=False, report_deadline=dt.date(2027, 1, 31))
NOW = dt.datetime(2026, 2, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def engine(db_url):
    e = connect(db_url)
    yield e
    e.dispose()


def _basis(bundle_dir: Path, spec: str = "omradestyp:1,2@2022"):
    return basis_from_bundle(Bundle.open(bundle_dir), parse_exclusion(spec), 2023)


def test_issue20_a_year_and_its_basis_round_trip(engine, bundle_dir: Path) -> None:
    basis = _basis(bundle_dir)
    with unit_of_work(engine) as s:
        view = YearStore(s).save(2026, TERMS, basis=basis, user="n@socialstyrelsen.se", now=NOW)
    assert view.status is YearStatus.PREPARED and not view.decided and view.basis_kind == "datapaket"
    with unit_of_work(engine) as s:
        store = YearStore(s)
        back = store.get(2026)
        stored = store.basis(2026)
    assert back == view and back is not None
    # the definition comes back as the definition, not as its label to be parsed
    assert back.basis_exclusion == parse_exclusion("omradestyp:1,2@2022")
    assert back.basis_exclusion is not None and back.basis_exclusion.spec == "omradestyp:1,2@2022"
    assert back.basis_definition == "områdestyp 1, 2 (2022)"
    assert stored is not None and stored.exclusion == basis.exclusion
    pd.testing.assert_frame_equal(stored.table.reset_index(drop=True), basis.table.reset_index(drop=True),
                                  check_dtype=False)
    assert (stored.source, stored.definition, stored.data_year, stored.notes, stored.sources) == \
        (basis.source, basis.definition, basis.data_year, basis.notes, basis.sources)
    assert (back.total_sek, back.fixed_sek, back.report_deadline, back.created_by) == \
        (3_000_000, 815_000, dt.date(2027, 1, 31), "n@socialstyrelsen.se")


def test_issue20_a_basis_file_has_no_definition(engine) -> None:
    from fcatlas.services.grants import basis_from_upload

    codes = ("01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "18", "19", "20", "21",
             "22", "23", "24", "25")
    basis = basis_from_upload(file_name="underlag.csv",
                              content=("region_code;basis_children\n" + "".join(f"{c};10\n" for c in codes)).encode())
    with unit_of_work(engine) as s:
        view = YearStore(s).save(2027, TERMS, basis=basis, user="n")
    assert view.basis_kind == "fil" and view.basis_exclusion is None
    with unit_of_work(engine) as s:
        stored = YearStore(s).basis(2027)
    assert stored is not None and stored.exclusion is None and int(stored.table["basis_children"].sum()) == 210


def test_issue20_status_goes_prepared_then_decided_and_never_back(engine, bundle_dir: Path) -> None:
    with unit_of_work(engine) as s:
        store = YearStore(s)
        store.save(2026, TERMS, basis=None, user="n", now=NOW)
        assert store.basis(2026) is None and store.decisions(2026) == []
        store.set_basis(2026, _basis(bundle_dir, "omradestyp:1"), user="n")
        assert store.get(2026).basis_exclusion == parse_exclusion("omradestyp:1")  # type: ignore[union-attr]
    rows = [DecisionRow("18", "Örebro län", True, 400, 815_000, 1_000_000, 1_815_000),
            DecisionRow("20", "Dalarnas län", True, 500, 815_000, 370_000, 1_185_000)]
    with unit_of_work(engine) as s:
        decided = YearStore(s).decide(2026, rows, user="beslut@socialstyrelsen.se", now=NOW)
    assert decided.status is YearStatus.DECIDED and decided.decided
    assert decided.decided_by == "beslut@socialstyrelsen.se" and decided.decided_at == NOW
    with unit_of_work(engine) as s:
        store = YearStore(s)
        assert store.decisions(2026) == rows
        assert [y.year for y in store.years(status=YearStatus.DECIDED)] == [2026]
        assert store.years(status=YearStatus.PREPARED) == []
        with pytest.raises(ConflictError, match="redan beslutat och kan inte ändras"):
            store.save(2026, TERMS, basis=None, user="n")
        with pytest.raises(ConflictError, match="redan beslutat och kan inte ändras"):
            store.set_basis(2026, _basis(bundle_dir), user="n")
        with pytest.raises(ConflictError, match=r"redan beslutat \(2026-02-01 av beslut@socialstyrelsen.se\)"):
            store.decide(2026, rows, user="n", now=NOW)
        with pytest.raises(NotFoundError):
            store.decide(2030, rows, user="n", now=NOW)
        with pytest.raises(NotFoundError):
            store.set_basis(2030, _basis(bundle_dir), user="n")


def test_issue20_the_year_rule_and_the_stored_statuses() -> None:
    assert check_year(2000) == 2000 and check_year(2100) == 2100
    for bad in (1999, 2101):
        with pytest.raises(ConfigError, match="inget rimligt bidragsår"):
            check_year(bad)
    # the table's check constraint names exactly the enum's values
    assert set(YEAR_STATUSES) == {s.value for s in YearStatus}
    checks = [str(c.sqltext) for c in GrantYear.__table__.constraints if str(getattr(c, "sqltext", "")).startswith("status")]
    assert checks == ["status IN ('forberedd', 'beslutad')"]


def test_issue20_an_older_year_gets_its_definition_from_its_label_once(db_url: str) -> None:
    engine = db.upgrade(db_url)
    command.downgrade(db.alembic_config(engine), "grants_0004_trial")
    with engine.begin() as conn:
        for year, kind, label in ((2026, "datapaket", "områdestyp 1, 2 (2022)"), (2027, "datapaket", "områdestyp 3"),
                                  (2028, "fil", "enligt underlagsfilen")):
            conn.execute(text(
                "INSERT INTO grant_years (year, status, total_sek, fixed_sek, include_all, report_deadline, basis_kind,"
                " basis_source, basis_definition, basis_notes, basis_sources, created_by, created_at, updated_by,"
                " updated_at) VALUES (:y, 'forberedd', 1, 0, false, '2027-01-31', :k, '', :d, '[]', '[]', 'n',"
                " '2026-01-01 00:00:00+00:00', 'n', '2026-01-01 00:00:00+00:00')"), {"y": year, "k": kind, "d": label})
    db.forget_engine(db_url)
    db.upgrade(db_url)
    with unit_of_work(db.connect(db_url)) as s:
        store = YearStore(s)
        assert store.get(2026).basis_exclusion == parse_exclusion("omradestyp:1,2@2022")  # type: ignore[union-attr]
        assert store.get(2027).basis_exclusion == parse_exclusion("omradestyp:3")  # type: ignore[union-attr]
        assert store.get(2028).basis_exclusion is None  # type: ignore[union-attr]
