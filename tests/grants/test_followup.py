"""Follow-up of the yearly reports: rules, status flow, storage on SQLite and PostgreSQL, import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import inspect, text

from fcatlas.errors import InputFileError
from fcatlas.grants.followup import (
    Purpose,
    ReportData,
    ReportError,
    ReportStatus,
    check_report,
    parse_status,
    read_reports,
    write_template,
)
from fcatlas.grants.store import GrantStore

UNITS = {"fc-1", "fc-2"}


def report(**kw) -> ReportData:  # type: ignore[no-untyped-def]
    base = dict(
        region_code="18", year=2026, amount_received_sek=1_500_000,
        uses={"coordinator": 900_000, "develop_centres": 300_000, "needs_analysis": 150_000},
        fte=Decimal("1.0"), role="Länssamordnare", unit_ids=["fc-1"], unused_sek=150_000,
        account="Samordnare anställd.",
    )
    base.update(kw)
    return ReportData(**base)


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day + "T10:00:00+01:00")


def test_rules() -> None:
    assert check_report(report(), UNITS.__contains__) == []
    f = check_report(
        report(uses={"coordinator": 1_600_000, "lokalhyra": 5}, unit_ids=["fc-9"], fte=Decimal("0.5"), role=""),
        UNITS.__contains__,
    )
    reasons = " | ".join(str(x) for x in f)
    assert "'lokalhyra' är inget tillåtet ändamål" in reasons
    assert "större än mottaget belopp 1 500 000 kr" in reasons
    assert "enheten 'fc-9' finns inte i registret" in reasons
    assert "ange vilken roll" in reasons
    late = check_report(report(submitted_at=at("2027-02-01")), deadline=dt.date(2027, 1, 31))
    assert [x.severity for x in late] == ["varning"] and "efter sista dag 2027-01-31" in late[0].reason
    wrong_unused = check_report(report(unused_sek=1))
    assert "ska vara mottaget − använt = 150 000 kr" in str(wrong_unused[0])


def test_status_labels_parse() -> None:
    assert parse_status("Godkänd") is ReportStatus.APPROVED
    assert parse_status("ej påbörjad") is ReportStatus.NOT_STARTED
    assert parse_status("returnerad") is ReportStatus.RETURNED
    with pytest.raises(ReportError, match="okänd status"):
        parse_status("klar")


def test_store_round_trip_and_status_flow(db_url: str) -> None:
    store = GrantStore.open(db_url, unit_exists=UNITS.__contains__)
    try:
        tables = set(inspect(store.engine).get_table_names())
        assert {"grant_reports", "grant_report_uses", "grant_report_units", "grant_report_events"} <= tables
        assert store.open_year(2026, {"18": 1_500_000, "20": 2_000_000, "09": 0}) == 2
        assert store.open_year(2026, {"18": 1_500_000, "20": 2_000_000}) == 0  # idempotent
        v = store.save(report(), now=at("2026-12-01"))
        assert v.status is ReportStatus.DRAFT and v.data.uses["coordinator"] == 900_000
        assert v.data.fte == Decimal("1.00") and v.data.unit_ids == ["fc-1"]
        assert v.created_at.tzinfo is not None
        # a bad report is refused with Swedish reasons
        with pytest.raises(ReportError, match="inget tillåtet ändamål"):
            store.save(report(uses={"fest": 10}))
        with pytest.raises(ReportError, match="finns inte i registret"):
            store.save(report(unit_ids=["nope"]))
        # not allowed: approve a draft
        with pytest.raises(ReportError, match="kan inte ändras från utkast till godkänd"):
            store.set_status("18", 2026, ReportStatus.APPROVED)
        s = store.set_status("18", 2026, ReportStatus.SUBMITTED, at=at("2027-02-03"))
        assert s.late and s.submitted_at is not None
        with pytest.raises(ReportError, match="kan inte ändras"):
            store.save(report(account="ändrad"))
        with pytest.raises(ReportError, match="kommentar"):
            store.set_status("18", 2026, ReportStatus.RETURNED)
        store.set_status("18", 2026, ReportStatus.RETURNED, at=at("2027-02-10"), comment="Komplettera roll")
        store.save(report(role="Processutvecklare"), now=at("2027-02-11"))
        assert store.get("18", 2026).status is ReportStatus.RETURNED
        store.set_status("18", 2026, ReportStatus.SUBMITTED, at=at("2027-02-12"))
        done = store.set_status("18", 2026, ReportStatus.APPROVED, at=at("2027-02-20"))
        assert done.approved_at is not None and done.data.role == "Processutvecklare"
        hist = store.history("18", 2026)
        assert [h["to_status"] for h in hist] == [
            "ej_paborjad", "utkast", "inskickad", "returnerad", "inskickad", "godkand"
        ]
        assert hist[3]["comment"] == "Komplettera roll"
        # summary and overdue
        summ = store.summary().set_index("year")
        assert summ.loc[2026, "n_reports"] == 2 and summ.loc[2026, "godkand"] == 1
        assert summ.loc[2026, "ej_paborjad"] == 1 and summ.loc[2026, "n_late"] == 1
        assert summ.loc[2026, "amount_received_sek"] == 3_500_000
        assert summ.loc[2026, "coordinator_sek"] == 900_000
        od = store.overdue(today=dt.date(2027, 3, 1)).set_index("region_code")
        assert set(od.index) == {"18", "20"}
        assert od.loc["20", "days_late"] == 29 and od.loc["18", "late"]
        assert store.overdue(today=dt.date(2027, 1, 15)).empty is False  # 18 only (late submission)
        with store.engine.connect() as c:
            assert c.execute(text("SELECT count(*) FROM grant_report_uses")).scalar() == 3
    finally:
        store.close()


def test_template_round_trip_csv_and_xlsx(tmp_path: Path, db_url: str) -> None:
    for name in ("mall.csv", "mall.xlsx"):
        f = write_template(tmp_path / name)
        got = read_reports(f)
        assert len(got) == 1
        d = got[0].data
        assert (d.region_code, d.year, d.amount_received_sek) == ("18", 2026, 1_500_000)
        assert d.uses == {"coordinator": 900_000, "develop_centres": 300_000, "needs_analysis": 150_000,
                          "new_centres": 0}
        assert d.fte == Decimal("1.0") and d.unused_sek == 150_000
    store = GrantStore.open(db_url)
    try:
        v = store.submit(got[0].data)
        assert v.status is ReportStatus.SUBMITTED and not v.late
        assert v.submitted_at is not None and v.submitted_at.date() == dt.date(2027, 1, 20)
    finally:
        store.close()


def test_bad_report_file_lists_every_field(tmp_path: Path) -> None:
    f = tmp_path / "rapport.csv"
    f.write_text(
        "Länskod;År;Mottaget belopp (kr);Länssamordnare/processutvecklare (kr);Årsarbetskrafter;"
        "Familjecentraler (id i registret);Inskickad datum\n"
        "18;2026;1500000;2000000;1;fc-1;2027-01-10\n"
        "99;tjugo;1 000 000 kr;-5;x;fc-7;igår\n"
        "20;2026;800000;800000;;fc-1 fc-2;\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as err:
        read_reports(f, unit_exists=UNITS.__contains__)
    probs = {(p.row, p.column): p.reason for p in err.value.problems}
    assert "större än mottaget belopp" in probs[(2, "Mottaget belopp (kr)")]
    assert "ange vilken roll" in probs[(2, "Roll")]
    assert "ingen länskod" in probs[(3, "Länskod")]
    assert "inget årtal" in probs[(3, "År")]
    assert "inget belopp i hela kronor" in probs[(3, "Länssamordnare/processutvecklare (kr)")]
    assert "inget tal" in probs[(3, "Årsarbetskrafter")]
    assert "inget datum" in probs[(3, "Inskickad datum")]
    assert (3, "Mottaget belopp (kr)") not in probs  # "1 000 000 kr" is a valid amount
    assert not any(r == 4 for r, _ in probs)
    msg = str(err.value)
    assert msg.startswith(f"{f}: 8 fel i rapportfilen")
    assert "finns inte i registret" in probs[(3, "Familjecentraler (id i registret)")]
    assert f"{f}, rad 2, kolumn 'Roll': ange vilken roll" in msg
    assert err.value.row == 2


def test_unpermitted_purpose_column_and_missing_columns(tmp_path: Path) -> None:
    f = tmp_path / "r.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Länskod", "År", "Lokalhyra (kr)", "Färg"])
    ws.append(["18", 2026, 100, "blå"])
    wb.save(f)
    with pytest.raises(InputFileError) as err:
        read_reports(f)
    probs = {(p.row, p.column): p.reason for p in err.value.problems}
    assert "inget tillåtet ändamål" in probs[(1, "Lokalhyra (kr)")]
    assert "okänd kolumn" in probs[(1, "Färg")]
    assert probs[(1, "Mottaget belopp (kr)")] == "kolumnen saknas"


def test_purpose_list_is_the_four_permitted() -> None:
    assert [p.value for p in Purpose] == ["coordinator", "new_centres", "develop_centres", "needs_analysis"]


def test_migration_matches_the_models(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from fcatlas.db import Base

    store = GrantStore.open(db_url)
    try:
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        ours = [d for d in diff if "grant_" in repr(d)]
        assert ours == []
    finally:
        store.close()


REPORT_HEADER = ("Länskod;År;Mottaget belopp (kr);Länssamordnare/processutvecklare (kr);Årsarbetskrafter;Roll;"
                 "Redovisning")


def test_report_csv_windows_1252_and_multiline_account(tmp_path: Path) -> None:
    """Regression: a report saved by Excel (Windows-1252) was refused, and a quoted account over
    several lines made the next row's problems point at the wrong row."""
    f = tmp_path / "rapport.csv"
    f.write_bytes((REPORT_HEADER + '\r\n18;2026;1500000;900000;1;Länssamordnare;"Första stycket.\r\nAndra stycket."\r\n'
                   "20;2026;abc;0;;;\r\n").encode("cp1252"))
    with pytest.raises(InputFileError) as err:
        read_reports(f)
    assert [(p.row, p.column) for p in err.value.problems] == [(4, "Mottaget belopp (kr)")]
    f.write_bytes((REPORT_HEADER + '\r\n18;2026;1500000;900000;1;Länssamordnare;"Första stycket.\r\nAndra stycket."\r\n')
                  .encode("cp1252"))
    (got,) = read_reports(f)
    assert got.data.role == "Länssamordnare" and got.data.account == "Första stycket.\nAndra stycket."


def test_extra_cells_beyond_the_header_are_reported_not_dropped(tmp_path: Path) -> None:
    """Regression: cells to the right of the last header were silently ignored (an unquoted
    separator in the account lost half of it)."""
    f = tmp_path / "rapport.csv"
    f.write_text(REPORT_HEADER + "\n18;2026;1500000;900000;1;Samordnare;Anställd i mars;resten av texten\n",
                 encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        read_reports(f)
    (p,) = err.value.problems
    assert p.row == 2 and p.column == "kolumn 8" and "resten av texten" in p.reason


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"fte": Decimal("0.333")}, "fte", "högst två decimaler"),
        ({"fte": Decimal("1000000")}, "fte", "under 1000000"),
        ({"role": "x" * 201}, "role", "högst 200"),
        ({"unit_ids": ["2080-" + "a" * 100]}, "unit_ids", "för långt"),
        ({"amount_received_sek": 10**19, "unused_sek": None}, "amount_received_sek", "orimligt stort"),
    ],
)
def test_values_the_database_cannot_hold_exactly_are_refused(change: dict, field: str, reason: str) -> None:
    """Regression: FTE with three decimals was rounded silently by Numeric(8, 2); a long role or
    unit id, or an amount beyond 64 bits, failed in PostgreSQL with a database traceback."""
    found = [x for x in check_report(report(**change)) if x.field == field]
    assert found and reason in found[0].reason and found[0].severity == "fel"


def test_long_unit_id_refused_before_the_database(pg_url: str) -> None:
    store = GrantStore.open(pg_url)
    try:
        with pytest.raises(ReportError, match="för långt"):
            store.save(report(unit_ids=["2080-" + "a" * 100]))
        with pytest.raises(ReportError):
            store.get("18", 2026)  # nothing was stored
    finally:
        store.close()


def test_unit_ids_as_long_as_the_registers_are_stored(db_url: str) -> None:
    """Regression: grant_report_units.unit_id was 64 characters, register ids may have 100."""
    store = GrantStore.open(db_url)
    try:
        uid = "2080-" + "a" * 95
        store.save(report(unit_ids=[uid]))
        assert store.get("18", 2026).data.unit_ids == [uid]
    finally:
        store.close()
