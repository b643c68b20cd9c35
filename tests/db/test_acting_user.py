"""Every audit entry of the register and every status event of a grant report records who acted:
the user given, else the login name (never nothing)."""

from __future__ import annotations

import getpass
from pathlib import Path

from sqlalchemy import select

from fcatlas.db import unit_of_work
from fcatlas.grants.followup import ReportData, ReportStatus
from fcatlas.grants.models import GrantReportEvent
from fcatlas.grants.store import GrantStore
from fcatlas.register.models import AuditEntry
from fcatlas.register.store import Register


def test_register_audit_and_grant_events_name_the_acting_user(db_url: str, shared_data: Path) -> None:
    login = getpass.getuser()
    with Register.open(db_url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2026)  # no user: the login
        uid = reg.list_units()["id"].iloc[0]
        reg.update_unit(uid, {"note": "ny anteckning"}, 1, "anna@regiondalarna.se")
        reg.close_unit(uid, "flyttade", user="bo@regiondalarna.se")
        engine = reg.engine
    with unit_of_work(engine) as s:
        users = [(a, u) for a, u in s.execute(select(AuditEntry.action, AuditEntry.user_name).order_by(AuditEntry.id))]
    assert {u for a, u in users if a == "create"} == {login}
    assert users[-2:] == [("update", "anna@regiondalarna.se"), ("close", "bo@regiondalarna.se")]

    store = GrantStore.open(db_url)
    try:
        store.open_year(2026, {"20": 1_000_000})  # no user: the login
        store.save(ReportData(region_code="20", year=2026, amount_received_sek=1_000_000), user="f20")
    finally:
        store.close()
    with unit_of_work(engine) as s:
        events = [(e.to_status, e.user_name) for e in s.scalars(select(GrantReportEvent).order_by(GrantReportEvent.id))]
    assert events == [(ReportStatus.NOT_STARTED.value, login), (ReportStatus.DRAFT.value, "f20")]
