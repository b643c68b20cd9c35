"""The pure planning of a register import (read → plan → write): what an import changes is
decided on plain values, without a database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fcatlas.register import intake
from fcatlas.register.import_plan import ImportPlan, RegisterState, plan_import, resolve_ids
from fcatlas.register.models import UNIT_FIELDS

AT = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def _sub(path: Path) -> intake.Submission:
    return intake.parse_submission(intake.read_table(path))


def _stored(plan: ImportPlan) -> dict[str, dict[str, Any]]:
    """The register as it would be after writing ``plan`` to an empty database."""
    return {row["id"]: {**row, "status_reason": None, "closed_round": None, "merged_into": None}
            for row in plan.new_units}


def test_an_empty_register_gets_every_unit_new_with_snapshot_and_audit(dalarna: Path) -> None:
    plan = plan_import(_sub(dalarna), 2026, RegisterState(), user="anna", at=AT)
    assert (plan.n_new, plan.n_changed, plan.n_unchanged) == (15, 0, 0)
    assert len(plan.new_units) == len(plan.new_snapshots) == len(plan.audit) == 15
    assert {a["action"] for a in plan.audit} == {"create"} and {a["user_name"] for a in plan.audit} == {"anna"}
    assert all(u["version"] == 1 and u["first_round"] == u["last_round"] == 2026 for u in plan.new_units)
    assert not plan.updates and not plan.closures and plan.writes_anything


def test_the_same_file_again_plans_nothing(dalarna: Path) -> None:
    first = plan_import(_sub(dalarna), 2026, RegisterState(), user="anna", at=AT)
    snaps = {s["unit_id"]: s for s in first.new_snapshots}
    again = plan_import(_sub(dalarna), 2026, RegisterState(current=_stored(first), snapshots=snaps,
                                                            open_in_lans=list(_stored(first).values())),
                        user="anna", at=AT)
    assert (again.n_new, again.n_changed, again.n_unchanged) == (0, 0, 15)
    assert not again.writes_anything and again.audit == [] and again.closed == []


def test_a_changed_unit_is_updated_from_its_version_with_before_and_after(dalarna: Path) -> None:
    first = plan_import(_sub(dalarna), 2026, RegisterState(), user="anna", at=AT)
    stored = _stored(first)
    uid = sorted(stored)[0]
    stored[uid] = {**stored[uid], "note": "gammal anteckning", "version": 3}
    plan = plan_import(_sub(dalarna), 2026, RegisterState(current=stored), user="bo", at=AT)
    assert (plan.n_new, plan.n_changed, plan.n_unchanged) == (0, 1, 14)
    [upd] = plan.updates
    assert upd.unit_id == uid and upd.expected_version == 3 and upd.values["version"] == 4
    assert upd.values["note"] == next(u.fields["note"] for u in _sub(dalarna).units if u.id == uid)
    [entry] = [a for a in plan.audit if a["unit_id"] == uid]
    assert entry["action"] == "import" and entry["user_name"] == "bo"
    assert entry["before"] == {"note": "gammal anteckning", "round": 2026}
    # no snapshot of the round stored yet: every unit gets one (the changed one too)
    assert len(plan.new_snapshots) == 15 and not plan.changed_snapshots


def test_units_missing_from_a_whole_list_are_closed_not_from_a_partial_one(dalarna: Path, tmp_path: Path) -> None:
    first = plan_import(_sub(dalarna), 2026, RegisterState(), user="anna", at=AT)
    stored = _stored(first)
    lines = dalarna.read_text(encoding="utf-8-sig").splitlines()
    shorter = tmp_path / "lista_2027.csv"
    shorter.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # the last unit is gone
    state = RegisterState(current=stored, open_in_lans=sorted(stored.values(), key=lambda r: r["id"]))
    plan = plan_import(_sub(shorter), 2027, state, user="anna", at=AT)
    [gone] = [uid for uid in stored if uid not in {u.id for u in _sub(shorter).units}]
    [closure] = plan.closures
    assert closure.unit_id == gone and closure.values["status"] == "nedlagd"
    assert closure.values["status_reason"] == "saknas i inventering 2027" and closure.values["closed_round"] == 2027
    assert closure.audit["action"] == "close" and closure.audit["before"]["status"] == stored[gone]["status"]
    assert [c["id"] for c in plan.closed] == [gone]
    # every other unit moves to round 2027 (version bumped), none is new
    assert plan.n_new == 0 and len(plan.updates) == 14
    assert all(u.values["last_round"] == 2027 for u in plan.updates)
    partial = plan_import(_sub(shorter), 2027, state, user="anna", at=AT, partial=True)
    assert partial.closures == [] and partial.closed == [] and partial.left_open == []


def test_an_older_round_only_adds_its_snapshot(dalarna: Path) -> None:
    first = plan_import(_sub(dalarna), 2026, RegisterState(), user="anna", at=AT)
    stored = {uid: {**row, "last_round": 2027} for uid, row in _stored(first).items()}
    plan = plan_import(_sub(dalarna), 2025, RegisterState(current=stored), user="anna", at=AT)
    assert plan.updates == [] and plan.audit == [] and plan.closures == []
    assert len(plan.new_snapshots) == 15 and {s["round_year"] for s in plan.new_snapshots} == {2025}
    assert all(set(UNIT_FIELDS) <= set(s) for s in plan.new_snapshots)


def test_a_renamed_unit_keeps_its_stored_id(dalarna: Path) -> None:
    sub = _sub(dalarna)
    unit = sub.units[0]
    known = [{"id": "2080-ett-annat-id", "name": unit.fields["name"], "kommun_code": unit.fields["kommun_code"],
              "merged_into": None}]
    resolved, warnings = resolve_ids(sub, known)
    assert resolved.units[0].id == "2080-ett-annat-id"
    # a known name in its kommun is the same unit: nothing to warn about beyond the file's own warnings
    assert warnings and warnings == resolve_ids(sub, [])[1]
