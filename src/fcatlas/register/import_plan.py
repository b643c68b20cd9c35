"""What an import changes, decided without a database (read → plan → write).

:meth:`fcatlas.register.store.Register.store_submission` reads what the register holds about the
file's units (:class:`RegisterState`), :func:`plan_import` decides — as plain values — which
units are new, which change, which round snapshots are added or replaced, which units the round
closes and every audit entry; then one transaction writes the plan. The planning is pure: it is
tested on dictionaries, with no database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fcatlas.domain import Status
from fcatlas.geography import admin
from fcatlas.register import intake
from fcatlas.register.models import UNIT_FIELDS


def same(a: Any, b: Any) -> bool:
    """Equal, floats within 1e-9 (coordinates read back from a database)."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9
    return a == b


def jsonable(row: dict[str, Any]) -> dict[str, Any]:
    """Dates and times as ISO text (for the audit's JSON columns)."""
    return {k: (v.isoformat() if isinstance(v, dt.datetime | dt.date) else v) for k, v in row.items()}


def brief(row: dict[str, Any], reason: str | None) -> dict[str, Any]:
    """A unit as an import result names it (closed or left open)."""
    from fcatlas.register.rules import kommun_lookup  # the kommun names, read once

    return {"id": row["id"], "name": row["name"], "kommun_code": row["kommun_code"],
            "kommun_name": kommun_lookup()[0].get(str(row["kommun_code"])) or admin.kommun_name(row["kommun_code"]),
            "reason": reason}


@dataclass(frozen=True)
class Closure:
    """Closing one stored unit (status nedlagd with a reason): the new values, the version it
    must still have, and its audit entry."""

    unit_id: str
    expected_version: int
    values: dict[str, Any]
    audit: dict[str, Any]


def closing(cur: dict[str, Any], *, reason: str, closed_round: int | None, user: str, at: dt.datetime,
            comment: str | None = None, merged_into: str | None = None,
            status_date: str | None = None) -> Closure:
    """Close the stored unit ``cur`` (a row of ``register_units``); audited, version bumped."""
    version = cur["version"] + 1
    values: dict[str, Any] = {"status": Status.NEDLAGD.value, "status_reason": reason[:200],
                              "closed_round": closed_round, "version": version, "updated_at": at}
    if merged_into is not None:
        values["merged_into"] = merged_into
    if status_date is not None:
        values["status_date"] = status_date
    before = {"status": cur["status"], "status_reason": cur.get("status_reason"), "round": cur["last_round"]}
    after = {k: v for k, v in values.items() if k not in ("version", "updated_at")}
    audit = {"unit_id": cur["id"], "action": "merge" if merged_into else "close", "user_name": user[:200],
             "at": at, "version": version, "before": jsonable(before), "after": jsonable(after),
             "comment": comment or reason}
    return Closure(cur["id"], cur["version"], values, audit)


def resolve_ids(sub: intake.Submission, known: list[dict[str, Any]], *,
                duplicates: bool = True) -> tuple[intake.Submission, list[intake.RowProblem]]:
    """Give file rows without an ``Id`` the id of the stored unit they are (``known``: the stored
    units of the file's kommuner with ``id``, ``name``, ``kommun_code``, ``merged_into``).

    A unit renamed with ``register rename`` keeps its id under its new name, and a row naming a
    unit merged into another (``register merge``) becomes that other unit; a merged duplicate
    whose kept unit is in the file too is dropped with a warning. Returns the submission to
    store and the warnings (without the likely duplicates when ``duplicates`` is false).
    """
    merged_rows = _keep_ids(sub.units, known)
    problems: list[intake.RowProblem] = []
    if merged_rows:
        drop = {id(u) for u, _ in merged_rows}
        sub = dataclasses.replace(sub, units=[u for u in sub.units if id(u) not in drop])
        for u, target in merged_rows:
            problems.append(intake.RowProblem(
                u.row, None,
                f"{u.fields['name']!r} är sammanslagen med {target!r} (register merge), som också "
                "finns i filen; raden räknas som den enheten och sparas inte för sig",
                "varning", _row_values(sub, u.row),
            ))
    if not duplicates:  # a plan for a preview: the warnings come with the stored import
        return sub, problems
    # likely duplicates against stored units of the same kommuner (merged ones are settled)
    existing = [e for e in known if not e["merged_into"]]
    for unit, _other, reason in intake.likely_duplicates(sub.units, existing):
        problems.append(intake.RowProblem(unit.row, None, f"möjlig dubblett: {reason}", "varning",
                                          _row_values(sub, unit.row)))
    return sub, problems


def _row_values(sub: intake.Submission, row: int) -> dict[str, str]:
    cells = dict(sub.table.rows).get(row, [])
    return {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(sub.table.headers)}


def _keep_ids(units: list[intake.UnitRecord], known: list[dict[str, Any]]) -> list[tuple[intake.UnitRecord, str]]:
    """Change the ids of ``units`` in place (see :func:`resolve_ids`); returns the rows of merged
    duplicates whose kept unit is in the file too (not stored again)."""
    by_name: dict[tuple[str, str], set[str]] = {}
    merged: dict[str, str] = {}
    for k in known:
        by_name.setdefault((str(k["kommun_code"]), intake.fold(str(k["name"]))), set()).add(str(k["id"]))
        if k.get("merged_into"):
            merged[str(k["id"])] = str(k["merged_into"])
    known_ids = {k["id"] for k in known}
    taken = {u.id for u in units}
    skipped: list[tuple[intake.UnitRecord, str]] = []
    for u in units:
        derived = u.id == intake.make_unit_id(u.fields["kommun_code"], u.fields["name"])
        if not derived and u.id not in merged:
            continue
        target = u.id
        same_name = by_name.get((u.fields["kommun_code"], intake.fold(u.fields["name"])), set())
        if u.id not in known_ids and len(same_name) == 1:
            target = next(iter(same_name))
        seen: set[str] = set()
        while target in merged and target not in seen:  # follow merges to the unit that is kept
            seen.add(target)
            target = merged[target]
        if target != u.id and target not in taken:
            taken.discard(u.id)
            taken.add(target)
            u.id = target
        elif target != u.id and u.id in merged:
            skipped.append((u, target))
    return skipped


@dataclass
class RegisterState:
    """What the register holds that an import needs (rows as plain dicts)."""

    #: stored units of the file's ids (every column of ``register_units``), by id
    current: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the round's snapshot rows of the file's ids, by unit id
    snapshots: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: open units of the file's län that no later round reported (candidates for closing)
    open_in_lans: list[dict[str, Any]] = field(default_factory=list)
    #: per unit id, the fields whose value was last set by a person's edit (the web, the API), not
    #: by an import: an empty cell does not erase them unless asked to (:func:`protected_fields`)
    edited: dict[str, set[str]] = field(default_factory=dict)


def protected_fields(audit: list[tuple[str, str, dict[str, Any] | None]]) -> dict[str, set[str]]:
    """From a unit's audit entries in order (``(unit_id, action, after)``), the fields whose value
    a person's edit (``update``) set and no import (``create``, ``import``) has set since.

    >>> protected_fields([("a", "create", {"address": None}), ("a", "update", {"address": "Storgatan 1"}),
    ...                   ("a", "update", {"note": "x"}), ("a", "import", {"note": "y"})])
    {'a': {'address'}}
    """
    out: dict[str, set[str]] = {}
    for unit_id, action, after in audit:
        fields = set(after or {}) & set(UNIT_FIELDS)
        if action == "update":
            out.setdefault(unit_id, set()).update(fields)
        elif action in ("create", "import") and unit_id in out:
            out[unit_id] -= fields
    return {k: v for k, v in out.items() if v}


#: the fields that together say where a unit is (kept or replaced together)
POSITION_FIELDS = ("lat", "lon", "precision", "source_coordinates")


def keep_edited(fields: dict[str, Any], cur: dict[str, Any], edited: set[str]) -> tuple[dict[str, Any], list[str]]:
    """The file's values of a stored unit, with the values a person entered kept where the file
    leaves the field empty (coordinates: where the file gives none and the unit was placed from a
    postcode, a locality or the kommun). Returns the values and the fields kept."""
    out, kept = dict(fields), []
    for f in edited - set(POSITION_FIELDS):
        if out.get(f) is None and cur.get(f) is not None:
            out[f] = cur[f]
            kept.append(f)
    if edited & {"lat", "lon"} and fields.get("source_coordinates") is None and cur.get("precision") == "exakt":
        moved = [f for f in POSITION_FIELDS if not same(out.get(f), cur.get(f))]
        out.update({f: cur[f] for f in POSITION_FIELDS})
        kept += moved
    return out, sorted(kept)


@dataclass(frozen=True)
class FieldChange:
    """One field of a stored unit that an import changes (stored column name, before, after)."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class UnitChange:
    """A stored unit an import changes: which fields from what to what, and the values a person
    entered that are kept because the file leaves them empty."""

    unit_id: str
    name: str
    kommun_code: str
    changes: list[FieldChange]
    kept: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class UnitUpdate:
    """A stored unit changed by the import (only if it still has ``expected_version``)."""

    unit_id: str
    expected_version: int
    values: dict[str, Any]


@dataclass
class ImportPlan:
    """Everything an import will write (``import_id`` is added to snapshots and audit entries
    when the import record is written)."""

    round: int
    user: str
    at: dt.datetime
    new_units: list[dict[str, Any]] = field(default_factory=list)
    updates: list[UnitUpdate] = field(default_factory=list)
    new_snapshots: list[dict[str, Any]] = field(default_factory=list)
    changed_snapshots: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    closures: list[Closure] = field(default_factory=list)
    n_new: int = 0
    n_changed: int = 0
    n_unchanged: int = 0
    #: units of the file's regions closed because the round no longer lists them
    closed: list[dict[str, Any]] = field(default_factory=list)
    #: units missing from the file but left open (rows were rejected, or a partial file)
    left_open: list[dict[str, Any]] = field(default_factory=list)
    #: every stored unit the import changes, field by field (for the preview), by name
    changed: list[UnitChange] = field(default_factory=list)
    #: the new units (``id``, ``name``, ``kommun_code``, ``kommun_name``)
    added: list[dict[str, Any]] = field(default_factory=list)

    @property
    def writes_anything(self) -> bool:
        """Whether the import changes the register at all (else no import record is written)."""
        return bool(self.new_units or self.updates or self.new_snapshots or self.changed_snapshots
                    or self.closures)


def plan_import(sub: intake.Submission, round: int, state: RegisterState, *, user: str, at: dt.datetime,
                partial: bool = False, erase_blanks: bool = False) -> ImportPlan:
    """What storing ``sub`` as round ``round`` changes, given the register's ``state``.

    * A unit not stored yet is new (created with version 1 and its round snapshot).
    * A stored unit takes the file's values when the round is its newest (version bumped, one
      audit entry with before and after; a unit closed by the register is reopened); an older
      round only adds or replaces its snapshot.
    * Unless ``partial`` or rows were rejected, the open units of the file's län that the file
      no longer lists are closed as of the round (``saknas i inventering <round>``).
    * Unless ``erase_blanks``, an empty cell keeps a value a person entered (``state.edited``).

    The plan names every new unit, every changed unit with each field's old and new value, and
    every unit closed (for the preview before anything is stored).
    """
    plan = ImportPlan(round=round, user=user[:200], at=at)
    source = sub.file.name[:500]
    for u in sub.units:
        cur = state.current.get(u.id)
        comment = f"import av {sub.file.name} rad {u.row}"
        if cur is None:
            _plan_new(plan, u, round, source, comment)
            continue
        # the newest round's report is the unit's current state; an older round only adds its
        # snapshot (a unit closed as of a round is newer than that round)
        newer = round >= max(cur["last_round"], cur["closed_round"] or 0)
        values, kept = (dict(u.fields), []) if erase_blanks or not newer else \
            keep_edited(u.fields, cur, state.edited.get(u.id, set()))
        snap = state.snapshots.get(u.id)
        snap_differs = snap is None or not all(same(snap[f], values[f]) for f in UNIT_FIELDS)
        changes = {f: values[f] for f in UNIT_FIELDS if newer and not same(cur[f], values[f])}
        if changes or kept:
            plan.changed.append(UnitChange(u.id, str(values["name"]), str(values["kommun_code"]),
                                           [FieldChange(f, cur[f], v) for f, v in changes.items()],
                                           [FieldChange(f, cur[f], cur[f]) for f in kept]))
        if newer and (cur["status_reason"] or cur["closed_round"]):
            changes.update(status_reason=None, closed_round=None)  # reported again: reopened
        if newer:
            content_changed = bool(changes)
        elif snap is not None:
            content_changed = snap_differs
        else:
            content_changed = not all(same(cur[f], u.fields[f]) for f in UNIT_FIELDS)
        plan.n_changed += content_changed
        plan.n_unchanged += not content_changed
        if changes or (newer and cur["last_round"] != round):
            version = cur["version"] + 1
            plan.updates.append(UnitUpdate(u.id, cur["version"], {
                **changes, "last_round": round, "source_file": source, "source_row": u.row, "version": version,
                "updated_at": at}))
            plan.audit.append({"unit_id": u.id, "action": "import", "user_name": plan.user, "at": at,
                               "version": version,
                               "before": jsonable({**{f: cur[f] for f in changes}, "round": cur["last_round"]}),
                               "after": jsonable({**changes, "round": round}), "comment": comment})
        elif not snap_differs:
            continue
        if snap is None:
            plan.new_snapshots.append({"round_year": round, "unit_id": u.id, **values})
        elif snap_differs:
            plan.changed_snapshots.append({"round_year": round, "unit_id": u.id, **values})
    _plan_closing(plan, sub, state, partial)
    return plan


def _plan_new(plan: ImportPlan, u: intake.UnitRecord, round: int, source: str, comment: str) -> None:
    at = plan.at
    plan.n_new += 1
    plan.new_units.append({**u.fields, "id": u.id, "first_round": round, "last_round": round,
                           "source_file": source, "source_row": u.row, "version": 1,
                           "created_at": at, "updated_at": at})
    plan.audit.append({"unit_id": u.id, "action": "create", "user_name": plan.user, "at": at, "version": 1,
                       "before": None, "after": jsonable({**u.fields, "round": round}), "comment": comment})
    plan.new_snapshots.append({"round_year": round, "unit_id": u.id, **u.fields})
    plan.added.append(brief({"id": u.id, **u.fields}, None))


def _plan_closing(plan: ImportPlan, sub: intake.Submission, state: RegisterState, partial: bool) -> None:
    """The file is the region's whole list for the round: close what it no longer lists."""
    lans = {u.fields["lan_code"] for u in sub.units}
    file_ids = {u.id for u in sub.units}
    missing = [m for m in state.open_in_lans
               if m["lan_code"] in lans and m["id"] not in file_ids and m["status"] != Status.NEDLAGD.value
               and m["last_round"] <= plan.round]
    reason = f"saknas i inventering {plan.round}"
    if partial or sub.rejected_rows:
        if not partial:
            plan.left_open = [brief(m, None) for m in missing]
        return
    for m in missing:
        plan.closures.append(closing(m, reason=reason, closed_round=plan.round, user=plan.user, at=plan.at,
                                     comment=f"import av {sub.file.name}: {reason}"))
        plan.closed.append(brief(m, reason))
