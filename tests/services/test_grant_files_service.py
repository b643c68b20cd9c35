"""The grant wiring that ``fcatlas grant`` uses, through the services: bases from files (one read
per shared source), scenarios, the plan, and the follow-up from report files in one unit of
work with the acting user recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from fcatlas.accounts.roles import Actor
from fcatlas.cli import grant_files
from fcatlas.db import connect, unit_of_work
from fcatlas.errors import ConfigError
from fcatlas.grants.followup import ReportStatus, write_template
from fcatlas.grants.store import GrantReportEvent
from fcatlas.services import grants

NAT = Actor.national("cli:operatör")
ALL_LAN = ("01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "18", "19", "20", "21", "22",
           "23", "24", "25")


@pytest.fixture
def basis_file(tmp_path: Path) -> Path:
    f = tmp_path / "underlag.csv"
    f.write_text("region_code;basis_children\n" + "".join(
        f"{c};{1000 if c == '18' else 3000 if c == '20' else 0}\n" for c in ALL_LAN), encoding="utf-8")
    return f


def test_bases_plan_and_scenarios(basis_file: Path) -> None:
    src = grant_files.BasisSource(file=basis_file)
    bases = grant_files.read_bases({2026: src, 2027: src})
    assert bases[2026] is bases[2027]  # a source shared by several years is read once
    plan = grants.plan_years(bases=bases, totals={2026: 51_365_000, 2027: 52_000_000}, fixed_sek=815_000)
    assert int(plan.allocations[2027]["total_sek"].sum()) == 52_000_000
    cmp = grants.compare_bases(basis_a=bases[2026], basis_b=grant_files.scenario_basis(f"fil:{basis_file}", bundle=None,
                                                                                  data_year=None),
                               year=2026, total_a_sek=51_365_000, total_b_sek=60_000_000, fixed_sek=815_000)
    assert int(cmp.table["change_sek"].sum()) == 60_000_000 - 51_365_000
    with pytest.raises(ConfigError, match="antingen --bundle"):
        grant_files.read_basis(grant_files.BasisSource())
    with pytest.raises(ConfigError, match="kräver --bundle"):
        grant_files.scenario_basis("omradestyp:1,2", bundle=None, data_year=None)


def test_report_files_in_one_unit_of_work(tmp_path: Path, db_url: str) -> None:
    engine = connect(db_url)
    try:
        with unit_of_work(engine) as s:
            assert grants.open_reports(s, actor=NAT, year=2026, amounts={"18": 1_500_000, "20": 1_665_000}) == 2
        write_template(tmp_path / "rapport.csv")  # the example row: region 18, submitted 2027-01-20
        with unit_of_work(engine) as s:
            done = grants.import_reports(s, actor=NAT, file=tmp_path / "rapport.csv")
        assert (done.n_submitted, done.n_late, done.n_draft) == (1, 0, 0)
        assert done.reports[0].region_code == "18" and done.reports[0].allocated_sek is None
        with unit_of_work(engine) as s:
            detail = grants.report_detail(s, actor=NAT, year=2026, region_code="18")
            assert detail.view.status is ReportStatus.SUBMITTED
            grants.approve_report(s, actor=NAT, year=2026, lan="18")
        with unit_of_work(engine) as s:
            users = set(s.scalars(select(GrantReportEvent.user_name)))
            frame = grants.report_frame(s, actor=NAT, year=2026)
            summary = grants.report_summary(s, actor=NAT, year=2026)
        assert users == {NAT.name}  # every event records the acting user
        assert dict(zip(frame["region_code"], frame["status"], strict=True)) == {"18": "godkand", "20": "ej_paborjad"}
        assert len(summary) == 1
    finally:
        engine.dispose()
