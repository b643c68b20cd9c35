"""Units as each actor may see and change them.

* The public sees the published picture (:func:`fcatlas.register.rounds.published_rows`).
* A region's users see their own region as it stands (the draft) and the rest as published.
* The national level sees every region as it stands.

Changing a unit: the actor must be allowed to prepare the unit's region, the region's list must
still be open in an open round, and the change must start from the unit's current version (a
stale version names who saved last and when).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import Actor
from fcatlas.errors import ConflictError, NotFoundError, StaleVersionError
from fcatlas.register import rounds as round_store
from fcatlas.register.models import AuditEntry, ImportRecord, InventoryRound, RoundEvent, Unit
from fcatlas.register.store import (
    InvalidChangeError as InvalidChangeError,  # faces catch a refused change here
)
from fcatlas.register.store import Register
from fcatlas.register.workflow import RoundStatus
from fcatlas.services.memo import Memo, database_of, remembered


@dataclass(frozen=True)
class UnitPage:
    items: pd.DataFrame
    total: int


def _versions(session: Session, ids: list[str]) -> dict[str, int]:
    if not ids:
        return {}
    return {r[0]: r[1] for r in session.execute(select(Unit.id, Unit.version).where(Unit.id.in_(ids)))}


def data_version(session: Session, seen: str = "alla") -> tuple[int, ...]:
    """A cheap key that changes whenever what ``seen`` (a :func:`visibility`) shows may change:
    the published picture changes only with a round's steps (approval snapshots, publication); a
    draft with every change of a unit (each is in the audit log) or import. One query of three
    indexed maxima."""
    held = session.info.get(_HELD)
    if held is None:
        row = session.execute(_data_version_statement()).one()
        held = tuple(int(x or 0) for x in row)
    return version_seen(held, seen)


_HELD = "fcatlas.data_version"


def hold_data_version(session: Session) -> None:
    """For a unit of work that only reads (a page): :func:`data_version` read once (unless it is
    held already) and kept for the rest of it — every part of the page is of one version (its
    cache keys one query instead of one each), and a change committed meanwhile is in the next
    request. Never for a session that writes: its own change would not move the version."""
    if _HELD not in session.info:
        session.info[_HELD] = data_version(session)


@functools.cache
def _data_version_statement() -> Any:
    """:func:`data_version`'s query, built once (it is read for every logged-in request)."""
    return select(*(select(func.max(m.id)).scalar_subquery() for m in (RoundEvent, AuditEntry, ImportRecord)))


def version_seen(full: tuple[int, ...], seen: str) -> tuple[int, ...]:
    """The part of ``data_version(session, "alla")`` that the picture ``seen`` depends on."""
    return full[:1] if seen == "publicerat" else full


def visibility(actor: Actor) -> str:
    """Which picture ``actor`` sees: everything, a region's draft plus the published rest, or the
    published picture."""
    if actor.is_national:
        return "alla"
    if actor.lan_code and not actor.is_anonymous:
        return f"region:{actor.lan_code}"
    return "publicerat"


def visible_units(session: Session, *, actor: Actor, lan: str | None = None, limit: int = 1000,
                  offset: int = 0, memo: Memo | None = None) -> UnitPage:
    """The units ``actor`` may see (optionally of one län), sorted by län, kommun and name, with
    their ``version``: :func:`visible_unit_rows` as a DataFrame (the register's columns).

    With ``memo``, the picture's units (:func:`picture_rows`) become a DataFrame once per data
    version and a län's units are taken from it: the map, the table and the atlas of a page
    share one read."""
    if memo is None:
        return _visible_units(session, actor=actor, lan=lan, limit=limit, offset=offset)
    seen = visibility(actor)
    every = remembered(memo, lambda: ("units", database_of(session), seen, data_version(session, seen)),
                       lambda: UnitPage(units_frame(picture_rows(session, actor=actor, memo=memo)), 0))
    items = every.items
    if lan is not None:
        items = items.loc[items["lan_code"].to_numpy() == lan]
    total = len(items)
    return UnitPage(items.iloc[offset: offset + limit].reset_index(drop=True), total)


def picture_rows(session: Session, *, actor: Actor, memo: Memo | None = None) -> list[dict[str, Any]]:
    """Every unit ``actor`` may see as :func:`visible_unit_rows` gives them (sorted, with
    ``version``), read once per data version of the picture through ``memo``. The rows are
    shared: a caller makes new ones rather than changing them."""
    if memo is None:
        return visible_unit_rows(session, actor=actor, limit=10**9)[0]
    seen, db, full = visibility(actor), database_of(session), data_version(session)

    def read() -> list[dict[str, Any]]:
        # the published rows change only with a round's steps: shared by every picture meanwhile
        published = memo.get_or_compute(("published-rows", db, version_seen(full, "publicerat")),
                                        lambda: round_store.published_rows(session))
        return visible_unit_rows(session, actor=actor, limit=10**9, published=published)[0]

    return memo.get_or_compute(("unit-rows", db, seen, version_seen(full, seen)), read)


def units_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows of :func:`visible_unit_rows` as a DataFrame: the register's columns and ``version``."""
    df = Register._frame(rows)  # (the rows' order is kept: they are sorted the same way)
    df["version"] = np.array([r["version"] for r in rows], dtype="int64")
    return df


def _visible_units(session: Session, *, actor: Actor, lan: str | None, limit: int, offset: int) -> UnitPage:
    rows, total = visible_unit_rows(session, actor=actor, lan=lan, limit=limit, offset=offset)
    return UnitPage(units_frame(rows), total)


def visible_unit_rows(session: Session, *, actor: Actor, lan: str | None = None, kommun: str | None = None,
                      category: str | None = None, status: str | None = None, limit: int = 1000,
                      offset: int = 0, published: list[dict[str, Any]] | None = None,
                      ) -> tuple[list[dict[str, Any]], int]:
    """The units ``actor`` may see (optionally of one län) as plain rows with the register's
    public column names and ``version``, sorted by län, kommun, name and id, and their total: a
    region's own units as they stand if ``actor`` may see its draft, else as published.

    ``kommun``, ``category`` and ``status`` narrow the list as the filter of the map and the table
    does (:mod:`fcatlas.services.selection`); every filter given applies, so a kommun outside
    ``lan`` selects nothing. ``published``: every published row
    (:func:`fcatlas.register.rounds.published_rows`) if the caller has them, else they are read."""
    from fcatlas.domain import GOVERNANCE_FIELDS
    from fcatlas.register.store import _PUBLIC_NAMES, COLUMNS, unit_order

    if kommun is not None:
        if lan is not None and kommun[:2] != lan:
            return [], 0
        lan = kommun[:2]
    wanted = {k: v for k, v in (("kommun_code", kommun), ("category", category), ("status", status)) if v is not None}
    rows: list[dict[str, Any]] = []
    drafts = [code for code in _lans(lan) if actor.may_see_drafts(code)]
    if drafts:
        rows += [dict(r._mapping) for r in session.execute(_draft_rows_statement(), {"lans": drafts})]
    published_lans = [code for code in _lans(lan) if code not in drafts]
    if published_lans:
        keep = set(published_lans)
        rows += [r | {"status_reason": None}
                 for r in (round_store.published_rows(session, lan=lan) if published is None else published)
                 if r["lan_code"] in keep]
    names = _kommun_names()
    bools = {"mvc", "bvc", "of", "soc", "co_located", *GOVERNANCE_FIELDS}
    out = []
    for r in rows:
        d = {_PUBLIC_NAMES.get(k, k): v for k, v in r.items()}
        d["kommun_name"] = names.get(d["kommun_code"])
        d["lan_name"] = _lan_names().get(d["lan_code"])
        for c in ("lat", "lon"):
            d[c] = None if d[c] is None or d[c] != d[c] else float(d[c])
        for c in bools:
            d[c] = None if d[c] is None else bool(d[c])
        d["round"] = int(d["round"])
        if all(d[k] == v for k, v in wanted.items()):
            out.append({c: d[c] for c in COLUMNS} | {"version": d.get("version")})
    out.sort(key=unit_order)
    page = out[offset: offset + limit]
    # a draft row carries its version; a published one gets the unit's current version
    versions = _versions(session, [d["id"] for d in page if d["version"] is None])
    for d in page:
        if d["version"] is None:
            d["version"] = versions.get(d["id"], 0)
    return page, len(out)


@functools.cache
def _draft_rows_statement() -> Any:
    """The current rows of the län bound as ``lans`` (a list), built once."""
    from fcatlas.register.models import UNIT_FIELDS

    t = Unit.__table__
    return (select(t.c.id, t.c.last_round.label("round"), *[t.c[f] for f in UNIT_FIELDS], t.c.status_reason,
                   t.c.version).where(t.c.lan_code.in_(bindparam("lans", expanding=True))))


def _kommun_names() -> Mapping[str, str]:
    from fcatlas.geography.admin import kommun_names

    return kommun_names()


def _lan_names() -> Mapping[str, str]:
    from fcatlas.geography.admin import lan_names

    return lan_names()


def _lan_codes() -> tuple[str, ...]:
    return tuple(_lan_names())


def _lans(lan: str | None) -> list[str]:
    return [lan] if lan is not None else list(_lan_codes())


def _open_round(session: Session) -> int | None:
    return session.scalar(select(InventoryRound.round_year).where(InventoryRound.status == RoundStatus.OPEN.value))


def editable_unit(session: Session, *, actor: Actor, unit_id: str) -> round_store.UnitForEdit:
    """The check before any change of a unit (an edit on the web, ``fcatlas register
    close/rename/merge``): the unit exists, ``actor`` may prepare its region's list, and that list
    is still open in the open round (if there is one). Returns the unit as read."""
    found = round_store.unit_for_edit(session, unit_id=unit_id)
    if found is None:
        raise NotFoundError(f"enheten {unit_id!r} finns inte i registret")
    lan = found.row["lan_code"]
    if not actor.may_see_drafts(lan) and not _published(session, unit_id, lan):
        # what the caller may not see does not exist to them (a 403 would confirm the id, issue 21)
        raise NotFoundError(f"enheten {unit_id!r} finns inte i registret")
    actor.require(actor.may_edit_region(lan), f"ändra enheter i region {lan}")
    found.ensure_editable()
    return found


def update_unit(session: Session, *, actor: Actor, unit_id: str, changes: dict[str, Any],
                expected_version: int) -> dict[str, Any]:
    """Change a unit on behalf of ``actor``; returns its new state (with ``version``).

    Two statements, committed here: the unit read with its region's state in the open round, then
    one version-checked ``UPDATE … RETURNING`` with the audit entry (on PostgreSQL one statement,
    run in autocommit when ``session`` has not begun a transaction: two round trips in all; on
    SQLite two statements in one transaction). The unit's row is locked only by that write. In an
    open round the region's list must be open and is locked against a submission until the change
    commits: on PostgreSQL inside that one statement (a shared lock,
    :func:`fcatlas.register.rounds.open_list_guard`); on SQLite, or before the region's first
    change in the round, first in the same transaction
    (:func:`fcatlas.register.rounds.lock_open_list`). An edit racing a submission never lands in a
    submitted list — one of them waits, and the edit is refused (409) if the submission won.
    Concurrent changes from the same version: the first ``UPDATE`` wins, the others wait for it,
    then find a newer version (412) and write no audit entry."""
    dialect = session.get_bind().dialect.name
    if session.in_transaction() and dialect == "sqlite":
        session.rollback()  # SQLite: the change is its own transaction; release any read lock first
    autocommit = dialect == "postgresql" and not session.in_transaction()
    if autocommit:
        # two round trips, no BEGIN/COMMIT: the read, then the change and its audit entry as one
        # statement (atomic by itself, see Register.update_unit)
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    try:
        reg = Register(session)
        found = editable_unit(session, actor=actor, unit_id=unit_id)
        cur = found.row
        if cur["version"] != expected_version:  # who saved meanwhile was read with it: no query
            raise _stale_error(unit_id, expected_version, cur["version"], found.last_saved)
        if autocommit and found.round_status is not None and found.region_status is not None:
            # the usual case: the list's check and shared lock are part of the change's statement
            try:
                new = reg.update_unit(unit_id, changes, expected_version, actor.name, current=cur,
                                      guard_lan=cur["lan_code"])
                session.commit()
                return new
            except ConflictError:
                session.rollback()
                session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
                stale = _stale(session, unit_id, expected_version)  # one query: who saved meanwhile
                if stale.current_version != expected_version:
                    raise stale from None
                # the version still holds, so the list's guard refused: the way below says why
        return _change_in_transaction(session, reg, actor, cur, changes, expected_version, found.round_status,
                                      autocommit)
    finally:
        if session.in_transaction():
            session.rollback()


def _change_in_transaction(session: Session, reg: Register, actor: Actor, cur: dict[str, Any],
                           changes: dict[str, Any], expected_version: int, round_status: RoundStatus | None,
                           autocommit: bool) -> dict[str, Any]:
    """:func:`update_unit`'s general way: in an open round the region's list is locked open
    (:func:`fcatlas.register.rounds.lock_open_list`, which creates the region's row if need be
    and refuses a list no longer open) and the unit changed in one transaction."""
    unit_id = str(cur["id"])
    if round_status is not None:
        # in an open round the list is locked open and the unit changed in one transaction,
        # so that a submission at the same moment either waits for the change or refuses it
        if autocommit:
            session.commit()  # the read's autocommit connection goes back; a transaction begins
        round_store.lock_open_list(session, lan=cur["lan_code"])
    try:
        new = reg.update_unit(unit_id, changes, expected_version, actor.name, current=cur)
    except ConflictError:
        session.rollback()
        if autocommit:  # the 412's one query, as the rest: without BEGIN and ROLLBACK
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        raise _stale(session, unit_id, expected_version) from None
    session.commit()
    return new


def _published(session: Session, unit_id: str, lan: str) -> bool:
    """Whether unit ``unit_id`` (of län ``lan``) is in the public picture."""
    return any(r["id"] == unit_id for r in round_store.published_rows(session, lan=lan))


def _stale(session: Session, unit_id: str, expected: int) -> StaleVersionError:
    """The 412 of a change from ``expected`` when the unit is newer: its version now and who saved
    it last and when, as :func:`fcatlas.register.rounds.unit_for_edit` reads them (one query)."""
    found = round_store.unit_for_edit(session, unit_id=unit_id)
    if found is None:
        return _stale_error(unit_id, expected, expected + 1, None)
    return _stale_error(unit_id, expected, found.row["version"], found.last_saved)


def _stale_error(unit_id: str, expected: int, current: int, last_saved: tuple[str, Any] | None) -> StaleVersionError:
    """The 412 of a change from ``expected`` when the unit is at version ``current``, last saved
    by whom and when (``last_saved``)."""
    who = f" av {last_saved[0]} {last_saved[1]:%Y-%m-%d %H:%M}" if last_saved is not None else ""
    return StaleVersionError(
        f"enheten {unit_id!r} har ändrats sedan du läste den: senast sparad{who} (version {current}, du utgick "
        f"från version {expected}); läs in den igen och gör om ändringen",
        current_version=current,
    )


#: the Swedish word for each kind of audit entry
AUDIT_ACTIONS = {"create": "ny (import)", "import": "ändrad (import)", "update": "ändrad",
                 "close": "stängd", "merge": "sammanslagen"}


@dataclass(frozen=True)
class HistoryEntry:
    """One step of a unit's history: what was done, by whom, when, and which fields went from
    what to what (``changes``: field → (before, after))."""

    at: Any
    user: str
    action: str
    #: the stored kind of step (``create``, ``import``, ``update``, ``close``, ``merge``)
    kind: str
    version: int
    changes: dict[str, tuple[Any, Any]]
    comment: str | None


def field_label(field: str) -> str:
    """The Swedish name of a unit field as the register's rules name it (``locality`` → Ort)."""
    from fcatlas.register.rules import FIELD_LABELS

    public = {"has_mvc": "mvc", "has_bvc": "bvc", "has_of": "of", "has_soc": "soc"}.get(field, field)
    return {**FIELD_LABELS, **_MORE_LABELS}.get(public, field)


#: the fields the rules do not name, as a person reads them (never a column name on a page)
_MORE_LABELS = {"lan_code": "Länskod", "round": "Omgång", "last_round": "Omgång",
                "source_coordinates": "Koordinater som de angavs", "status_reason": "Orsak till status",
                "closed_round": "Stängd i omgång", "merged_into": "Sammanslagen med", "version": "Version"}


def field_value(field: str, value: Any) -> str:
    """A stored value as a Swedish reader reads it: ja/nej, the status's and the category's
    names, coordinates with decimal comma, – for nothing."""
    from fcatlas.domain import CATEGORY_LABELS, STATUS_LABELS, Category, Status

    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if field == "status" and value in {s.value for s in Status}:
        return STATUS_LABELS[Status(value)]
    if field == "category" and value in {c.value for c in Category}:
        return CATEGORY_LABELS[Category(value)]
    if isinstance(value, float):
        return f"{value:.5f}".replace(".", ",")
    return str(value)


def unit_history(session: Session, *, actor: Actor, unit_id: str) -> list[HistoryEntry]:
    """The audit trail of one unit, newest first, for an actor who may see its region's drafts
    (the region's own users and the national level; the public sees no history)."""
    unit = session.get(Unit, unit_id)
    if unit is None or not actor.may_see_drafts(unit.lan_code):  # the history is the region's own: 404, not 403
        raise NotFoundError(f"enheten {unit_id!r} finns inte i registret")
    rows = session.execute(select(AuditEntry).where(AuditEntry.unit_id == unit_id)
                           .order_by(AuditEntry.id.desc())).scalars()
    out = []
    for r in rows:
        before, after = r.before or {}, r.after or {}
        fields = [f for f in (*after, *(k for k in before if k not in after)) if before.get(f) != after.get(f)]
        out.append(HistoryEntry(at=r.at, user=r.user_name, action=AUDIT_ACTIONS.get(r.action, r.action), kind=r.action,
                                version=r.version, changes={f: (before.get(f), after.get(f)) for f in fields},
                                comment=r.comment))
    return out


# -- adding one unit -------------------------------------------------------------------------------

#: the fields of the add-unit form (public names), in the order of the form
NEW_UNIT_FIELDS = ("name", "kommun_code", "address", "postcode", "locality", "category", "mvc", "bvc", "of", "soc",
                   "co_located", "other_partners", "status", "status_date", "lat", "lon", "precision",
                   "stated_accuracy", "note")


def _header_of(field: str) -> str:
    from fcatlas.register.rules import FIELD_LABELS

    return FIELD_LABELS["coord_a" if field == "lat" else "coord_b" if field == "lon" else field]


def new_unit_submission(values: dict[str, str], *, lan: str) -> tuple[Any, dict[str, str]]:
    """One unit from a form (public field names → text, as a person types it) as a one-row list,
    read by the import's own rules (:func:`fcatlas.register.intake.parse_submission`); returns the
    submission and the refusals by field (``{}`` when the unit is accepted). A unit outside
    ``lan`` is refused."""
    from pathlib import Path

    from fcatlas.register import intake
    from fcatlas.register.rules import field_of
    from fcatlas.tables import RawTable

    services = ("mvc", "bvc", "of", "soc")
    given = [f for f in services if str(values.get(f) or "").strip()]
    if given and len(given) < len(services):
        missing = next(f for f in services if f not in given)
        return None, {missing: "välj ja eller nej för alla fyra verksamheter, eller lämna alla fyra som okänt"}
    blank_unknown = {*services, "co_located"}  # an empty choice is unknown, not nej as in a file's cell
    fields = [f for f in NEW_UNIT_FIELDS if (f in values and not (f in blank_unknown and not str(values[f] or "").strip()))
              or f == "status"]
    headers = [_header_of(f) for f in fields]
    row = [str(values.get(f) or "").strip() for f in fields]
    table = RawTable(file=Path("ny enhet"), headers=headers, rows=[(2, row)], kind="csv")
    sub = intake.parse_submission(table)
    by_header = {h: f for f, h in zip(fields, headers, strict=True)}
    errors: dict[str, str] = {}
    for p in sub.problems:
        if p.severity != "fel":
            continue
        column = (p.column or "").split("/")[0]
        field = by_header.get(column) or field_of(column) or "name"
        errors.setdefault({"coord_a": "lat", "coord_b": "lon"}.get(field, field), p.reason.replace("cellen", "fältet"))
    if not errors and sub.units and sub.units[0].fields["lan_code"] != lan:
        errors["kommun_code"] = f"kommunen ligger inte i region {lan}s län"
    return sub, errors


@dataclass(frozen=True)
class NewUnit:
    unit_id: str
    name: str
    #: warnings of the import's rules (e.g. placed at the kommun's centre)
    warnings: list[str]


def add_unit(session: Session, *, actor: Actor, lan: str, values: dict[str, str]) -> NewUnit:
    """Add one unit to region ``lan``'s list through the rules of an import (the same checks, the
    same reasons, an audited ``create``): the actor must be allowed to prepare the list and the
    list must be open. Refusals raise :class:`InvalidChangeError` naming the field."""
    from fcatlas.geography.codes import lan_code as read_lan
    from fcatlas.services.rounds import current_round, ensure_may_edit

    code = read_lan(lan)
    actor.require(actor.may_edit_region(code), f"lägga till enheter i region {code}")
    rnd = current_round(session)
    if rnd is None or not rnd.is_open:
        raise ConflictError("det finns ingen öppen inventeringsomgång att lägga till enheten i")
    ensure_may_edit(session, actor=actor, name=rnd.year, lan=code)
    sub, errors = new_unit_submission(values, lan=code)
    if errors or sub is None:
        field, reason = next(iter(errors.items()))
        raise InvalidChangeError(reason, field=field)
    unit = sub.units[0]  # one row, accepted
    reg = Register(session)
    if reg.unit_exists(unit.id):
        raise InvalidChangeError(f"det finns redan en enhet som heter {unit.fields['name']!r} i kommunen; ändra den "
                                 "i stället", field="name")
    plan = reg.plan_submission(sub, rnd.year, actor.name, partial=True)
    for a in plan.audit:
        a["comment"] = "ny enhet (formulär)"
    Register.write_plan(session, plan, sub)
    return NewUnit(unit.id, unit.fields["name"], [p.reason for p in sub.problems if p.severity == "varning"])


def person(user: str | None) -> str:
    """Who took a step, as a person reads it: an account's e-mail address as it is; the terminal's
    local operator (``root``, ``cli:root``) and the register's own steps in words."""
    name = (user or "").strip()
    if not name:
        return "–"
    if "@" in name:
        return name.removeprefix("cli:")
    return f"terminalen ({name.removeprefix('cli:')})"


def review_warnings(row: dict[str, Any]) -> list[str]:
    """What a reviewer should look at in one unit (public names), in words: a position that is
    only the kommun's or the locality's centre, a planned unit without a date, missing services."""
    def missing(v: Any) -> bool:
        return v is None or v == "" or (isinstance(v, float) and v != v)

    out = []
    if row.get("precision") == "kommun":
        out.append("placerad i kommunens mittpunkt (varken koordinater, adress eller postnummer gav ett läge)")
    elif row.get("precision") == "ort":
        out.append("placerad i ortens mitt")
    if row.get("status") in ("planerad", "avsiktsforklaring") and missing(row.get("status_date")):
        out.append("statusdatum saknas för en enhet som inte är i drift")
    if any(missing(row.get(s)) for s in ("mvc", "bvc", "of", "soc")):
        out.append("det är inte känt vilka av de fyra verksamheterna som finns")
    return out


@dataclass(frozen=True)
class UnitStep:
    """A step of one unit's history with the unit's name (for a region's review)."""

    unit_id: str
    name: str
    entry: HistoryEntry


def changes_since(session: Session, *, actor: Actor, lan: str, since: Any) -> list[UnitStep]:
    """Every change of region ``lan``'s units after ``since`` (e.g. the list's return), oldest
    first."""
    actor.require(actor.may_see_drafts(lan), f"se ändringarna i region {lan}s lista")
    rows = session.execute(select(AuditEntry, Unit.name).join(Unit, Unit.id == AuditEntry.unit_id)
                           .where(Unit.lan_code == lan, AuditEntry.at > since).order_by(AuditEntry.id)).all()
    out = []
    for r, name in rows:
        before, after = r.before or {}, r.after or {}
        fields = [f for f in (*after, *(k for k in before if k not in after)) if before.get(f) != after.get(f)]
        out.append(UnitStep(r.unit_id, name, HistoryEntry(
            at=r.at, user=r.user_name, action=AUDIT_ACTIONS.get(r.action, r.action), kind=r.action, version=r.version,
            changes={f: (before.get(f), after.get(f)) for f in fields}, comment=r.comment)))
    return out
