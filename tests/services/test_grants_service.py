"""The grant year through the services, on SQLite and PostgreSQL: set up → preview → decide →
decision and annex → report drafted, submitted, returned, resubmitted, approved; permissions and
visibility; who did what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from fcatlas.accounts.roles import ANONYMOUS, Actor, Level
from fcatlas.db import connect, unit_of_work
from fcatlas.errors import (
    ConflictError,
    InvalidDataError,
    NotFoundError,
    PermissionDeniedError,
    UnsupportedMediaTypeError,
)
from fcatlas.grants.store import GrantReportEvent
from fcatlas.services import grants

NAT = Actor.national("n@socialstyrelsen.se")
F20 = Actor.region_user("f20@regiondalarna.se", lan_code="20", level=Level.FORETRADARE)
H20 = Actor.region_user("h20@regiondalarna.se", lan_code="20", level=Level.HANDLAGGARE)
F18 = Actor.region_user("f18@regionorebrolan.se", lan_code="18", level=Level.FORETRADARE)

ALL_LAN = ("01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "18", "19", "20", "21", "22",
           "23", "24", "25")
#: a basis names every region (issue 8.7); the ones without children in exclusion areas get 0
ZEROS = "".join(f"{c};0\n" for c in ALL_LAN if c not in ("18", "20", "25"))
BASIS = "region_code;basis_children\n18;1000\n20;3000\n25;0\n" + ZEROS


def _basis(text: str = BASIS):
    return grants.basis_from_upload(file_name="underlag.csv", content=text.encode())


@pytest.fixture
def engine(db_url):
    e = connect(db_url)
    yield e
    e.dispose()


def _setup(engine, total=3_000_000, include_all=False):
    with unit_of_work(engine) as s:
        return grants.setup_year(s, actor=NAT, year=2026, total_sek=total, fixed_sek=815_000,
                                 include_all=include_all, basis=_basis())


def test_the_grant_year(engine):
    y = _setup(engine)
    assert y.status == "forberedd" and y.basis_kind == "fil" and y.created_by == NAT.name
    with unit_of_work(engine) as s:
        prev = grants.allocation(s, actor=NAT, year=2026)
        assert not prev.decided and prev.total_sek == 3_000_000
        by = {r.region_code: r for r in prev.rows}
        # 25 has neither basis nor areas: not eligible; pool 1,370,000 shared 1:3
        assert (by["18"].total_sek, by["20"].total_sek, by["25"].total_sek) == (1_157_500, 1_842_500, 0)
        # a prepared year is the national level's alone
        for who in (ANONYMOUS, F20, H20):
            with pytest.raises(NotFoundError):
                grants.allocation(s, actor=who, year=2026)
            with pytest.raises(PermissionDeniedError):
                grants.decide(s, actor=who, year=2026)
        assert grants.list_years(s, actor=F20) == []
    with unit_of_work(engine) as s:
        dec = grants.decide(s, actor=NAT, year=2026)
    assert dec.decided and dec.total_sek == 3_000_000 and dec.year.decided_by == NAT.name
    with unit_of_work(engine) as s:
        # public document once decided
        y, row = grants.decision(s, actor=ANONYMOUS, year=2026, lan="20")
        assert row.total_sek == 1_842_500 and y.report_deadline == dt.date(2027, 1, 31)
        with pytest.raises(ConflictError):
            grants.decide(s, actor=NAT, year=2026)
        with pytest.raises(ConflictError):
            grants.setup_year(s, actor=NAT, year=2026, total_sek=4_000_000)
        name, xlsx = grants.annex(s, actor=F18, year=2026, fmt="xlsx")
        assert name.endswith(".xlsx") and xlsx[:2] == b"PK"
        # the reports were opened with the decided amounts
        views = grants.list_reports(s, actor=NAT, year=2026)
        assert {v.data.region_code: v.data.amount_received_sek for v in views} == {"18": 1_157_500, "20": 1_842_500}
        assert [v.data.region_code for v in grants.list_reports(s, actor=F20)] == ["20"]
        assert grants.list_reports(s, actor=ANONYMOUS) == []
    # draft by the handläggare; the other region sees nothing of it
    with unit_of_work(engine) as s:
        r = grants.save_report(s, actor=H20, year=2026, lan="20", uses={"coordinator": 1_000_000,
                               "needs_analysis": 842_500}, fte=Decimal("1.5"), role="Länssamordnare",
                               unused_sek=0, account="Samordnare anställd.")
        assert r.view.status.value == "utkast" and r.view.data.amount_received_sek == 1_842_500
    with unit_of_work(engine) as s:
        for who in (F18, ANONYMOUS):
            with pytest.raises(NotFoundError):
                grants.get_report(s, actor=who, year=2026, lan="20")
        with pytest.raises(NotFoundError):  # another region's draft is not there for it (issue 21.11)
            grants.save_report(s, actor=F18, year=2026, lan="20", uses={})
        with pytest.raises(PermissionDeniedError):
            grants.submit_report(s, actor=H20, year=2026, lan="20")
    with unit_of_work(engine) as s:
        assert grants.submit_report(s, actor=F20, year=2026, lan="20").view.status.value == "inskickad"
    with unit_of_work(engine) as s:
        with pytest.raises(ConflictError):  # submitted: no more edits
            grants.save_report(s, actor=H20, year=2026, lan="20", uses={})
        with pytest.raises(PermissionDeniedError):
            grants.return_report(s, actor=F20, year=2026, lan="20", comment="x")
        with pytest.raises(InvalidDataError):
            grants.return_report(s, actor=NAT, year=2026, lan="20", comment=" ")
    with unit_of_work(engine) as s:
        grants.return_report(s, actor=NAT, year=2026, lan="20", comment="Ange vilka centraler")
    with unit_of_work(engine) as s:
        grants.submit_report(s, actor=F20, year=2026, lan="20")
    with unit_of_work(engine) as s:
        grants.approve_report(s, actor=NAT, year=2026, lan="20")
    with unit_of_work(engine) as s:
        public = grants.get_report(s, actor=ANONYMOUS, year=2026, lan="20")
        assert public.view.status.value == "godkand"
        assert all(h["user"] is None for h in public.history)  # steps, not persons, for the public
        own = grants.get_report(s, actor=F20, year=2026, lan="20")
        assert [(h["to_status"], h["user"]) for h in own.history] == [
            ("ej_paborjad", NAT.name), ("utkast", H20.name), ("inskickad", F20.name), ("returnerad", NAT.name),
            ("inskickad", F20.name), ("godkand", NAT.name)]
        assert s.scalar(select(GrantReportEvent.user_name).where(GrantReportEvent.to_status == "godkand")) == NAT.name
        # overdue: 18 never reported
        od = grants.overdue(s, actor=NAT, today=dt.date(2027, 2, 15))
        assert od["region_code"].tolist() == ["18"] and od["days_late"].tolist() == [15]
        with pytest.raises(PermissionDeniedError):
            grants.overdue(s, actor=F20, today=dt.date(2027, 2, 15))


def test_report_rules_are_the_follow_up_rules(engine):
    _setup(engine)
    with unit_of_work(engine) as s:
        grants.decide(s, actor=NAT, year=2026)
    with unit_of_work(engine) as s:
        with pytest.raises(InvalidDataError) as e:
            grants.save_report(s, actor=F20, year=2026, lan="20", uses={"coordinator": 9_000_000, "fika": 1},
                               unit_ids=["finns-inte"])
        fields = {p.column for p in e.value.problems}
        assert {"uses", "uses.fika", "unit_ids"} <= fields
        with pytest.raises(NotFoundError):  # region 25 got nothing, so it has no report
            grants.get_report(s, actor=NAT, year=2026, lan="25")


def test_setup_refuses_what_cannot_be_decided(engine):
    with unit_of_work(engine) as s, pytest.raises(ConflictError, match="räcker inte"):
        grants.setup_year(s, actor=NAT, year=2026, total_sek=100, fixed_sek=815_000, basis=_basis())
    with unit_of_work(engine) as s:
        grants.setup_year(s, actor=NAT, year=2027, total_sek=2_000_000)
        with pytest.raises(ConflictError, match="saknar underlag"):
            grants.allocation(s, actor=NAT, year=2027)
    with pytest.raises(InvalidDataError, match=r"underlag\.csv, rad 2"):
        grants.basis_from_upload(file_name="underlag.csv", content=b"region_code;basis_children\n99;1\n")
    with pytest.raises(UnsupportedMediaTypeError):
        grants.basis_from_upload(file_name="underlag.pdf", content=b"%PDF")


@settings(max_examples=10, deadline=None)
@given(total=st.integers(min_value=21 * 815_000, max_value=10**12),
       counts=st.lists(st.integers(min_value=0, max_value=10**7), min_size=3, max_size=3))
def test_decided_parts_sum_exactly(tmp_path_factory, total, counts):
    url = f"sqlite:///{tmp_path_factory.mktemp('g') / 'g.sqlite'}"
    e = connect(url)
    text = "region_code;basis_children\n" + "".join(f"{c};{n}\n" for c, n in zip(("18", "20", "25"), counts,
                                                                                 strict=True)) + ZEROS
    try:
        if sum(counts) == 0 and total > 21 * 815_000:
            with unit_of_work(e) as s, pytest.raises(ConflictError, match="noll"):
                grants.setup_year(s, actor=NAT, year=2026, total_sek=total, include_all=True, basis=_basis(text))
            return
        with unit_of_work(e) as s:
            grants.setup_year(s, actor=NAT, year=2026, total_sek=total, include_all=True, basis=_basis(text))
        with unit_of_work(e) as s:
            dec = grants.decide(s, actor=NAT, year=2026)
        assert dec.total_sek == total and len(dec.rows) == 21  # every region listed (issue 8.7)
        assert all(r.total_sek == r.fixed_sek + r.variable_sek and r.fixed_sek == 815_000 for r in dec.rows)
    finally:
        e.dispose()
