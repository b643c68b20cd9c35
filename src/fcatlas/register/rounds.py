"""Storage of the inventory rounds (keyword-only functions on a ``Session``; the caller commits).

No permission checks here: :mod:`fcatlas.services.rounds` makes them and then calls these.
Publication works on snapshots: approving a region copies its units as they stand into the
round's snapshot (``register_round_units``), and the public sees, per region, the snapshot of
the last round in which that region's approved list was published — never a draft. A round
stays open after a publication: the regions not yet approved go on until their deadline (the
round's or their own extended one) or until the national level closes the round.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, func, insert, literal, select, update
from sqlalchemy.orm import Session

from fcatlas.db import utcnow
from fcatlas.errors import ConflictError, NotFoundError
from fcatlas.fmt import today as swedish_today
from fcatlas.register.models import (
    UNIT_FIELDS,
    AuditEntry,
    InventoryRound,
    RoundEvent,
    RoundRegion,
    RoundUnit,
    Unit,
)
from fcatlas.register.workflow import (
    ACTION_LABELS,
    EDITABLE,
    REGION_STATUS_LABELS,
    TRANSITIONS,
    Action,
    RegionStatus,
    RoundStatus,
    check_comment,
    check_deadline,
    check_editable,
    next_status,
)


@dataclass(frozen=True)
class RegionState:
    lan_code: str
    status: RegionStatus
    comment: str | None
    changed_by: str | None
    changed_at: dt.datetime | None
    #: the region's own extended deadline (``None``: the round's)
    deadline: dt.date | None = None
    #: when the region's approved list was published in this round
    published_at: dt.datetime | None = None

    @property
    def published(self) -> bool:
        return self.published_at is not None


@dataclass(frozen=True)
class RoundInfo:
    year: int
    deadline: dt.date
    status: RoundStatus
    opened_by: str
    #: the round's first publication (the round stays open after it)
    published_at: dt.datetime | None
    closed_by: str | None = None
    closed_at: dt.datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status is RoundStatus.OPEN


def _info(r: InventoryRound) -> RoundInfo:
    return RoundInfo(r.round_year, r.deadline, RoundStatus(r.status), r.opened_by, r.published_at, r.closed_by,
                     r.closed_at)


def _region(rr: RoundRegion) -> RegionState:
    # a row with nobody in changed_by was only locked by a change to the list (lock_open_list)
    return RegionState(rr.lan_code, RegionStatus(rr.status), rr.comment, rr.changed_by or None,
                       rr.changed_at if rr.changed_by else None, rr.deadline, rr.published_at)


def get_round(session: Session, *, year: int) -> RoundInfo:
    r = session.get(InventoryRound, int(year))
    if r is None:
        raise NotFoundError(f"inventeringsomgången {year} finns inte")
    return _info(r)


def list_rounds(session: Session) -> list[RoundInfo]:
    return [_info(r) for r in session.scalars(select(InventoryRound).order_by(InventoryRound.round_year))]


def _event(session: Session, year: int, lan: str | None, action: str, user: str, at: dt.datetime,
           comment: str | None = None) -> None:
    session.add(RoundEvent(round_year=year, lan_code=lan, action=action, user_name=user, at=at, comment=comment))


def open_round(session: Session, *, year: int, deadline: dt.date, user: str,
               now: dt.datetime | None = None) -> RoundInfo:
    """Open round ``year``; at most one round may be open at a time."""
    ts = now or utcnow()
    if session.get(InventoryRound, year) is not None:
        raise ConflictError(f"inventeringsomgången {year} finns redan")
    still_open = session.scalar(select(InventoryRound.round_year).where(InventoryRound.status == RoundStatus.OPEN))
    if still_open is not None:
        raise ConflictError(f"omgången {still_open} är fortfarande öppen; stäng den först")
    r = InventoryRound(round_year=year, deadline=deadline, status=RoundStatus.OPEN.value, opened_by=user,
                       opened_at=ts)
    session.add(r)
    session.flush()
    _event(session, year, None, "oppnad", user, ts)
    return _info(r)


def region_state(session: Session, *, year: int, lan: str) -> RegionState:
    get_round(session, year=year)
    rr = session.get(RoundRegion, (year, lan))
    if rr is None:
        return RegionState(lan, RegionStatus.OPEN, None, None, None)
    return _region(rr)


def current_round_with_region(session: Session, *, lan: str | None) -> tuple[RoundInfo | None, RegionState | None]:
    """The current round — the open one (the latest if several), else the latest — and region
    ``lan``'s stored state in it (``None`` if the region has done nothing in it yet, or without
    ``lan``): one query."""
    ir, rr = InventoryRound, RoundRegion
    stmt = (select(ir, rr).outerjoin(rr, and_(rr.round_year == ir.round_year, rr.lan_code == lan))
            if lan is not None else select(ir, literal(None)))
    rows = session.execute(stmt.order_by(ir.round_year)).all()
    open_ = [row for row in rows if row[0].status == RoundStatus.OPEN.value]
    pick = (open_ or rows)[-1:]
    if not pick:
        return None, None
    rnd, region = pick[0]
    return _info(rnd), None if region is None else _region(region)


def region_states(session: Session, *, year: int) -> dict[str, RegionState]:
    """The state of every region that has done something in the round (others are *öppen*)."""
    get_round(session, year=year)
    return {rr.lan_code: _region(rr) for rr in session.scalars(select(RoundRegion).where(RoundRegion.round_year == year))}


def ensure_editable(session: Session, *, year: int, lan: str, today: dt.date | None = None) -> None:
    """Refuse a change to region ``lan``'s list in round ``year`` once submitted or approved, in a
    closed round, or after the region's deadline."""
    info = get_round(session, year=year)
    state = region_state(session, year=year, lan=lan)
    check_editable(state.status, info.status)
    check_deadline(state.deadline or info.deadline, today or swedish_today())


@dataclass(frozen=True)
class UnitForEdit:
    """A unit's stored row (column names), as read (not locked: the change that follows checks the
    version), and the state of its region's list in the open round (``None`` without an open
    round)."""

    row: dict[str, Any]
    round_status: RoundStatus | None
    region_status: RegionStatus | None
    #: the region's deadline in the open round (its own, else the round's)
    deadline: dt.date | None = None
    #: who saved the unit last and when (its newest audit entry; ``None`` without one)
    last_saved: tuple[str, dt.datetime] | None = None

    def ensure_editable(self, today: dt.date | None = None) -> None:
        """:func:`ensure_editable` for the open round, if there is one."""
        if self.round_status is not None:
            check_editable(self.region_status or RegionStatus.OPEN, self.round_status)
        if self.deadline is not None:
            check_deadline(self.deadline, today or swedish_today())


@functools.cache
def _unit_for_edit_statement() -> Any:
    """:func:`unit_for_edit`'s query, built once (the unit's id a bound parameter ``unit_id``)."""
    ut, ir, rr, at = Unit.__table__, InventoryRound.__table__, RoundRegion.__table__, AuditEntry.__table__
    is_open = ir.c.status == RoundStatus.OPEN.value
    last_by, last_at = (select(c).where(at.c.unit_id == ut.c.id).order_by(at.c.id.desc()).limit(1).scalar_subquery()
                        for c in (at.c.user_name, at.c.at))  # the newest entry, from the index (unit_id, id)
    round_status = select(ir.c.status).where(is_open).limit(1).scalar_subquery()
    region_status = (select(rr.c.status).join(ir, ir.c.round_year == rr.c.round_year)
                     .where(is_open, rr.c.lan_code == ut.c.lan_code).limit(1).scalar_subquery())
    deadline = (select(func.coalesce(rr.c.deadline, ir.c.deadline))
                .select_from(ir.outerjoin(rr, and_(rr.c.round_year == ir.c.round_year, rr.c.lan_code == ut.c.lan_code)))
                .where(is_open).limit(1).scalar_subquery())
    return (select(ut, round_status.label("_round_status"), region_status.label("_region_status"),
                   deadline.label("_deadline"), last_by.label("_last_by"), last_at.label("_last_at"))
            .where(ut.c.id == bindparam("unit_id")))


def unit_for_edit(session: Session, *, unit_id: str) -> UnitForEdit | None:
    """Read unit ``unit_id`` together with its region's state in the open round and who saved it
    last (for a 412 without another query) — one query; ``None`` if there is no such unit. No
    lock is taken: the change that follows is a version-checked ``UPDATE``, so a change made
    meanwhile makes it fail (412) rather than be overwritten, and the row is locked only from that
    ``UPDATE`` to the commit."""
    found = session.execute(_unit_for_edit_statement(), {"unit_id": unit_id}).first()
    if found is None:
        return None
    row = dict(found._mapping)
    rs, gs, dl = row.pop("_round_status"), row.pop("_region_status"), row.pop("_deadline")
    by, at = row.pop("_last_by"), row.pop("_last_at")
    if isinstance(dl, str):  # SQLite returns a date from a subquery as text
        dl = dt.date.fromisoformat(dl)
    if isinstance(at, str):  # … and a timestamp
        at = dt.datetime.fromisoformat(at)
    return UnitForEdit(row, RoundStatus(rs) if rs is not None else None,
                       RegionStatus(gs) if gs is not None else None, dl,
                       (by, at) if by is not None and at is not None else None)


def _snapshot(session: Session, year: int, lan: str) -> int:
    """Copy region ``lan``'s units as they stand into round ``year``'s snapshot."""
    session.execute(delete(RoundUnit).where(RoundUnit.round_year == year, RoundUnit.lan_code == lan))
    cols = [Unit.__table__.c[f] for f in UNIT_FIELDS]
    rows = [dict(r._mapping) for r in session.execute(select(Unit.__table__.c.id, *cols)
                                                       .where(Unit.__table__.c.lan_code == lan))]
    if rows:
        session.execute(insert(RoundUnit), [{"round_year": year, "unit_id": r.pop("id"), **r} for r in rows])
    return len(rows)


def _ensure_row(session: Session, year: int, lan: str, ts: dt.datetime) -> None:
    """Region ``lan``'s row in round ``year`` (*öppen* when it is new), inserted if missing —
    ``INSERT … ON CONFLICT DO NOTHING``, so two first steps at once do not collide."""
    values = {"round_year": year, "lan_code": lan, "status": RegionStatus.OPEN.value, "changed_by": "",
              "changed_at": ts}
    t = cast(Table, RoundRegion.__table__)
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(t).values(**values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(t).values(**values).on_conflict_do_nothing())


def transition(session: Session, *, year: int, lan: str, action: Action, user: str, comment: str = "",
               now: dt.datetime | None = None) -> RegionState:
    """Submit, return (with a comment) or approve region ``lan``'s list in round ``year``.

    The state is checked in the statement that changes it (``UPDATE … WHERE status IN (…)``, the
    statuses the action may start from): of two steps taken at once exactly one changes the row;
    the other waits for it, then finds the row no longer in a state it may start from and is
    refused (:class:`ConflictError`, 409) — it changes nothing."""
    ts = now or utcnow()
    info = get_round(session, year=year)
    if info.status is RoundStatus.CLOSED:
        raise ConflictError(f"omgången {year} är stängd och kan inte ändras")
    current = region_state(session, year=year, lan=lan).status
    target = next_status(current, action)  # the rule's own refusal, in its words
    text = check_comment(comment) if action is Action.RETURN else (comment.strip() or None)
    _ensure_row(session, year, lan, ts)
    allowed = sorted(s.value for s in TRANSITIONS[action][0])
    t = cast(Table, RoundRegion.__table__)
    values: dict[str, Any] = {"status": target.value, "comment": text, "changed_by": user, "changed_at": ts}
    if target is RegionStatus.APPROVED:
        values["approved_at"] = ts
    changed = session.execute(update(t).where(t.c.round_year == year, t.c.lan_code == lan, t.c.status.in_(allowed))
                              .values(**values))
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.expire_all()
        now_status = RegionStatus(str(session.scalar(select(t.c.status).where(t.c.round_year == year,
                                                                           t.c.lan_code == lan))))
        raise ConflictError(f"kan inte {ACTION_LABELS[action]}: listan blev {REGION_STATUS_LABELS[now_status]} "
                            "medan du arbetade (någon annan hann före); läs in sidan igen")
    session.expire_all()
    if target is RegionStatus.APPROVED:
        _snapshot(session, year, lan)
    _event(session, year, lan, action.value, user, ts, text)
    session.flush()
    return RegionState(lan, target, text, user, ts)


def _open_list(lan: Any) -> Any:
    """Region ``lan``'s row in the open round if its list is open, locked ``FOR SHARE``."""
    rr, ir = cast(Table, RoundRegion.__table__), cast(Table, InventoryRound.__table__)
    return (select(rr.c.lan_code).join(ir, ir.c.round_year == rr.c.round_year)
            .where(ir.c.status == RoundStatus.OPEN.value, rr.c.lan_code == lan,
                   rr.c.status.in_(sorted(s.value for s in EDITABLE)))
            .with_for_update(read=True, of=rr))


def _share_open_list(session: Session, lan: str) -> bool:
    """Whether region ``lan``'s row in the open round exists and is open, locked ``FOR SHARE``
    until the transaction ends (PostgreSQL)."""
    return session.execute(_open_list(lan)).first() is not None


@functools.cache
def open_list_guard() -> Any:
    """PostgreSQL: a condition for a change's ``UPDATE`` (one statement with it): the list of the
    region bound as ``list_lan`` exists in the open round and is open, and is locked ``FOR
    SHARE`` by the statement until it commits — :func:`lock_open_list`'s shared path inside the
    change itself. False when the region's row is missing or the list no longer open (the
    caller then takes :func:`lock_open_list`'s way, which creates the row or says why the list
    is closed). Built once."""
    shared = _open_list(bindparam("list_lan")).cte("open_list")
    return select(shared.c.lan_code).exists()


def lock_open_list(session: Session, *, lan: str, now: dt.datetime | None = None) -> None:
    """Before a change to region ``lan``'s list (an edit, a confirmed import): in the open round,
    the list is checked to be still open *and locked* in one statement (``UPDATE … SET status =
    status WHERE status IN ('oppen', 'returnerad')``), until the change commits. A submission
    meanwhile waits for the change, or the change for the submission — and is then refused
    (409): a submitted list is never changed. Nothing happens without an open round.

    On PostgreSQL the list is first locked *shared* (``SELECT … FOR SHARE``, one statement with
    the open round): edits of one region do not wait for each other, while a submission's
    ``UPDATE`` of the row still waits for them, and an edit that waited for a submission finds
    the list no longer open (the row is checked again after the wait) and takes the path below,
    which refuses it."""
    if session.get_bind().dialect.name == "postgresql" and _share_open_list(session, lan):
        return
    year = session.scalar(select(InventoryRound.round_year).where(InventoryRound.status == RoundStatus.OPEN.value))
    if year is None:
        return
    t = cast(Table, RoundRegion.__table__)
    _ensure_row(session, year, lan, now or utcnow())
    locked = session.execute(update(t).where(t.c.round_year == year, t.c.lan_code == lan,
                                             t.c.status.in_(sorted(s.value for s in EDITABLE)))
                             .values(status=t.c.status))
    if locked.rowcount != 1:  # type: ignore[attr-defined]
        status = session.scalar(select(t.c.status).where(t.c.round_year == year, t.c.lan_code == lan))
        check_editable(RegionStatus(str(status)), RoundStatus.OPEN)


def publish(session: Session, *, year: int, user: str, now: dt.datetime | None = None) -> list[str]:
    """Publish round ``year``: every approved region's list not yet published becomes that
    region's public picture; the other regions' lists stay open (the round is not closed).
    Returns the län published; refuses when no approved list waits for publication."""
    ts = now or utcnow()
    r = session.get(InventoryRound, int(year))
    if r is None:
        raise NotFoundError(f"inventeringsomgången {year} finns inte")
    if r.status == RoundStatus.CLOSED.value:
        raise ConflictError(f"omgången {year} är stängd")
    t = cast(Table, RoundRegion.__table__)
    waiting = (t.c.round_year == year) & (t.c.status == RegionStatus.APPROVED.value) & t.c.published_at.is_(None)
    approved = sorted(session.scalars(update(t).where(waiting).values(published_at=ts).returning(t.c.lan_code)))
    if not approved:
        raise ConflictError(f"ingen godkänd lista väntar på publicering i omgången {year}; det finns inget att publicera")
    if r.published_at is None:
        r.published_by, r.published_at = user, ts
    _event(session, year, None, "publicerad", user, ts, ", ".join(approved))
    session.flush()
    session.expire_all()
    return approved


def unpublished_approved(session: Session, *, year: int) -> list[str]:
    """The län whose approved list in round ``year`` is not yet published."""
    return sorted(session.scalars(select(RoundRegion.lan_code).where(
        RoundRegion.round_year == year, RoundRegion.status == RegionStatus.APPROVED.value,
        RoundRegion.published_at.is_(None))))


def close_round(session: Session, *, year: int, user: str, lans: list[str],
                now: dt.datetime | None = None) -> list[str]:
    """Close round ``year``: no list can change any more; the regions not approved keep the
    list they last had published. ``lans`` are all län; returns those whose list was not
    approved (named in the round's log). Refused while an approved list waits for publication."""
    ts = now or utcnow()
    r = session.get(InventoryRound, int(year))
    if r is None:
        raise NotFoundError(f"inventeringsomgången {year} finns inte")
    waiting = unpublished_approved(session, year=year)
    if waiting:
        raise ConflictError(f"godkända listor väntar på publicering ({', '.join(waiting)}); publicera dem "
                            "innan omgången stängs")
    t = cast(Table, InventoryRound.__table__)
    closed = session.execute(update(t).where(t.c.round_year == year, t.c.status == RoundStatus.OPEN.value)
                             .values(status=RoundStatus.CLOSED.value, closed_by=user, closed_at=ts))
    if closed.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(f"omgången {year} är redan stängd")
    states = region_states(session, year=year)
    missing = [code for code in sorted(lans)
               if code not in states or states[code].status is not RegionStatus.APPROVED]
    _event(session, year, None, "stangd", user, ts, ", ".join(missing) or None)
    session.flush()
    session.expire_all()
    return missing


def set_region_deadline(session: Session, *, year: int, lan: str, deadline: dt.date, user: str,
                        now: dt.datetime | None = None) -> RegionState:
    """Give region ``lan`` its own deadline in round ``year`` (an extension, or back to any day)."""
    ts = now or utcnow()
    info = get_round(session, year=year)
    if info.status is RoundStatus.CLOSED:
        raise ConflictError(f"omgången {year} är stängd")
    _ensure_row(session, year, lan, ts)
    t = cast(Table, RoundRegion.__table__)
    session.execute(update(t).where(t.c.round_year == year, t.c.lan_code == lan)
                    .values(deadline=None if deadline == info.deadline else deadline))
    session.expire_all()
    rr = session.get(RoundRegion, (year, lan))
    assert rr is not None
    _event(session, year, lan, "sista_dag", user, ts, deadline.isoformat())
    return _region(rr)


def published_rows(session: Session, *, lan: str | None = None) -> list[dict[str, Any]]:
    """The public picture: per region, its units in the last round in which its approved list
    was published (columns ``id``, ``round`` and the unit fields)."""
    latest = (select(RoundRegion.lan_code, func.max(RoundRegion.round_year).label("year"))
              .where(RoundRegion.published_at.is_not(None))
              .group_by(RoundRegion.lan_code).subquery())
    t = RoundUnit.__table__
    stmt = (select(t.c.unit_id.label("id"), t.c.round_year.label("round"), *[t.c[f] for f in UNIT_FIELDS])
            .join(latest, and_(latest.c.lan_code == t.c.lan_code, latest.c.year == t.c.round_year)))
    if lan is not None:
        stmt = stmt.where(t.c.lan_code == lan)
    return [dict(r._mapping) for r in session.execute(stmt)]


def events(session: Session, *, year: int, lan: str | None = None) -> list[dict[str, Any]]:
    stmt = select(RoundEvent).where(RoundEvent.round_year == year).order_by(RoundEvent.id)
    if lan is not None:
        stmt = stmt.where((RoundEvent.lan_code == lan) | RoundEvent.lan_code.is_(None))
    return [{"lan_code": e.lan_code, "action": e.action, "user": e.user_name, "at": e.at, "comment": e.comment}
            for e in session.scalars(stmt)]


def published_counts(session: Session, *, lan: str | None = None) -> list[dict[str, Any]]:
    """Units per published round, län, category and status as the public saw them after that
    round: per region, the snapshot of the last published round up to it that approved the region
    (a region not approved in a round keeps its earlier published list). Rows ``round``,
    ``lan_code``, ``category``, ``status``, ``n``; published rounds in order."""
    published = sorted(session.scalars(select(InventoryRound.round_year).where(
        InventoryRound.published_at.is_not(None))))
    if not published:
        return []
    # a region's list counts once it is published (a round stays open after its first publication)
    approved = session.execute(select(RoundRegion.round_year, RoundRegion.lan_code).where(
        RoundRegion.published_at.is_not(None), RoundRegion.round_year.in_(published)))
    by_lan: dict[str, list[int]] = {}
    for year, code in approved:
        if lan is None or code == lan:
            by_lan.setdefault(code, []).append(int(year))
    t = RoundUnit.__table__
    stmt = (select(t.c.round_year, t.c.lan_code, t.c.category, t.c.status, func.count().label("n"))
            .where(t.c.round_year.in_(published))
            .group_by(t.c.round_year, t.c.lan_code, t.c.category, t.c.status))
    if lan is not None:
        stmt = stmt.where(t.c.lan_code == lan)
    counts: dict[tuple[int, str], list[tuple[str, str, int]]] = {}
    for year, code, cat, status, n in session.execute(stmt):
        counts.setdefault((int(year), str(code)), []).append((str(cat), str(status), int(n)))
    out: list[dict[str, Any]] = []
    for r in published:
        for code, years in sorted(by_lan.items()):
            seen = [y for y in years if y <= r]
            if seen:
                out += [{"round": r, "lan_code": code, "category": c, "status": s, "n": n}
                        for c, s, n in counts.get((max(seen), code), [])]
    return out
