"""Issue 20: the CLI sets up, compares and decides a grant year through the grant pages' services,
and ``fcatlas grant annex --year ÅR --db …`` gives the annex of the stored decision — the same as
the web's annex. Report transitions are the web's named steps, checked by role."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from cli_runner import fcatlas as run_cli

PW = "ett långt lösenord för prov"
#: the README's made-up basis (section 4): Region Örebro län gets 815 000 + 685 000 kr of 51 365 000
BASIS = "region_code;basis_children\n" + "".join(f"{code};{n}\n" for code, n in (
    ("01", 29800),
    ("03", 5500),
    ("04", 5900),
    ("05", 6500),
    ("06", 4000),
    ("07", 3700),
    ("08", 2500),
    ("09", 470),
    ("10", 1550),
    ("12", 26000),
    ("13", 2600),
    ("14", 22700),
    ("17", 3600),
    ("18", 2740),
    ("19", 5200),
    ("20", 3400),
    ("21", 4650),
    ("22", 3500),
    ("23", 630),
    ("24", 1460),
    ("25", 600)))


def fcatlas(cwd: Path, *args: str, input: str | None = None) -> tuple[int, str, str]:
    """``fcatlas ARGS`` in this process (tests/cli_runner.py): (exit code, stdout, stderr)."""
    r = run_cli(*args, cwd=cwd, env={"FCATLAS_HOME": str(cwd / "home")}, input=input)
    return r.returncode, r.stdout, r.stderr


def ok(cwd: Path, *args: str, input: str | None = None) -> str:
    code, out, err = fcatlas(cwd, *args, input=input)
    assert code == 0, err
    return out


def cells(content: bytes) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


@pytest.fixture
def web(db_url: str, tmp_path: Path):
    from fcatlas.web.app import create_app
    from fcatlas.web.config import WebConfig

    yield lambda: TestClient(create_app(WebConfig(db_url=db_url, access_log=tmp_path / "access.jsonl",
                                                  cache_ttl_s=0)), raise_server_exceptions=False)


def test_issue20_cli_decision_gives_the_web_annex(db_url: str, tmp_path: Path, web) -> None:
    (tmp_path / "underlag_2026.csv").write_text(BASIS, encoding="utf-8")
    (tmp_path / "scenario.csv").write_text(BASIS.replace("18;2740", "18;5000"), encoding="utf-8")
    db = ("--db", db_url)
    ok(tmp_path, "grant", "year", "setup", "--year", "2026", "--total", "51 365 000", "--basis", "underlag_2026.csv", *db)
    shown = json.loads(ok(tmp_path, "grant", "year", "show", "--year", "2026", "--format", "json", *db))
    orebro = next(r for r in shown if r["region_code"] == "18")
    assert (orebro["fixed_sek"], orebro["variable_sek"], orebro["total_sek"]) == (815_000, 685_000, 1_500_000)
    assert sum(r["total_sek"] for r in shown) == 51_365_000
    cmp = json.loads(ok(tmp_path, "grant", "year", "compare", "--year", "2026", "--basis", "scenario.csv",
                        "--format", "json", *db))
    assert next(r for r in cmp if r["region_code"] == "18")["change_sek"] > 0
    code, _, err = fcatlas(tmp_path, "grant", "annex", "--year", "2026", "--xlsx", "a.xlsx", *db)
    assert code != 0 and "inte beslutat" in err  # no annex before the decision, as on the web
    ok(tmp_path, "grant", "year", "decide", "--year", "2026", *db)
    code, _, err = fcatlas(tmp_path, "grant", "year", "setup", "--year", "2026", "--total", "1", *db)
    assert code != 0 and "redan beslutat" in err
    ok(tmp_path, "grant", "annex", "--year", "2026", "--xlsx", "bilaga.xlsx", "--pdf", "bilaga.pdf", *db)
    listed = json.loads(ok(tmp_path, "grant", "year", "list", "--format", "json", *db))
    assert [(y["year"], y["status"]) for y in listed] == [(2026, "beslutad")]

    client = web()
    try:
        xlsx = client.get("/api/v1/grants/years/2026/annex.xlsx")
        pdf = client.get("/api/v1/grants/years/2026/annex.pdf")
        year = client.get("/api/v1/grants/years/2026/allocation").json()
    finally:
        client.app.state.engine.dispose()
    assert xlsx.status_code == pdf.status_code == 200
    assert cells((tmp_path / "bilaga.xlsx").read_bytes()) == cells(xlsx.content)
    assert (tmp_path / "bilaga.pdf").read_bytes() == pdf.content
    assert year["decided"] and {r["region_code"]: r["total_sek"] for r in year["regions"]} == {r["region_code"]: r["total_sek"] for r in shown}


def test_issue20_report_steps_are_named_and_checked_by_role(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "underlag_2026.csv").write_text(BASIS, encoding="utf-8")
    db = ("--db", db_url)
    ok(tmp_path, "grant", "year", "setup", "--year", "2026", "--total", "51365000", "--basis", "underlag_2026.csv", *db)
    ok(tmp_path, "grant", "year", "decide", "--year", "2026", *db)
    for email, level in (("f18@regionorebrolan.se", "foretradare"), ("h18@regionorebrolan.se", "handlaggare")):
        ok(tmp_path, "user", "add", email, "--roll", "region", "--lan", "18", "--niva", level, *db, input=PW + "\n")
    from fcatlas.db import connect, unit_of_work
    from fcatlas.services import accounts, grants

    engine = connect(db_url)
    with unit_of_work(engine) as s:  # the region drafts its report (as on its page)
        grants.save_report(s, actor=accounts.active_account(s, email="h18@regionorebrolan.se"), year=2026, lan="18",
                           uses={"coordinator": 1_000_000, "needs_analysis": 500_000}, fte=Decimal("1.0"), role="Länssamordnare",
                           unit_ids=[], unused_sek=0, account="Redovisning")
    engine.dispose()
    code, _, err = fcatlas(tmp_path, "--som", "h18@regionorebrolan.se", "grant", "report", "submit", "18", "2026", *db)
    assert code != 0 and "region 18 (handläggare) får inte skicka in region 18s återrapport" in err
    code, _, err = fcatlas(tmp_path, "grant", "report", "submit", "18", "2026", *db)
    assert code != 0 and "nationell (Socialstyrelsen) får inte skicka in region 18s återrapport" in err
    assert "inskickad" in ok(tmp_path, "--som", "f18@regionorebrolan.se", "grant", "report", "submit", "18", "2026", *db)
    code, _, err = fcatlas(tmp_path, "--som", "f18@regionorebrolan.se", "grant", "report", "approve", "18", "2026", *db)
    assert code != 0 and "får inte godkänna en återrapport" in err
    assert "returnerad" in ok(tmp_path, "grant", "report", "return", "18", "2026", "--kommentar", "Ange roll", *db)
    ok(tmp_path, "--som", "f18@regionorebrolan.se", "grant", "report", "submit", "18", "2026", *db)
    assert "godkänd" in ok(tmp_path, "grant", "report", "approve", "18", "2026", *db)
    code, _, err = fcatlas(tmp_path, "grant", "report", "status", "18", "2026", "utkast", *db)
    assert code == 2  # the anything-goes 'status' is gone


def test_issue24_a_started_worker_has_rendered_the_decided_annex(db_url: str, tmp_path: Path) -> None:
    """Issue 24: the PDF annex of a decided year is rendered in a worker's warm-up, so that the
    first download after a start is served from memory (and is the same file)."""
    from fcatlas.web.app import create_app, warm_up
    from fcatlas.web.config import WebConfig

    (tmp_path / "underlag_2026.csv").write_text(BASIS, encoding="utf-8")
    db = ("--db", db_url)
    ok(tmp_path, "grant", "year", "setup", "--year", "2026", "--total", "51 365 000", "--basis", "underlag_2026.csv", *db)
    ok(tmp_path, "grant", "year", "decide", "--year", "2026", *db)
    ok(tmp_path, "grant", "annex", "--year", "2026", "--pdf", "bilaga.pdf", *db)
    app = create_app(WebConfig(db_url=db_url, access_log=tmp_path / "access.jsonl", cache_ttl_s=0, warm=False))
    try:
        warm_up(app)
        memo = app.state.memo
        rendered = memo.computations
        assert rendered >= 1
        with TestClient(app) as client:
            pdf = client.get("/api/v1/grants/years/2026/annex.pdf")
        assert pdf.status_code == 200 and pdf.content == (tmp_path / "bilaga.pdf").read_bytes()
        assert memo.computations == rendered and memo.hits >= 1  # served from the warm-up's rendering
    finally:
        app.state.engine.dispose()
