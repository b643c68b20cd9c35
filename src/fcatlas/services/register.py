"""The register's use cases as the CLI's ``fcatlas register …`` commands run them: import a
region's list, list, compare rounds, a unit's history, and the single-unit changes (close,
rename, merge).

Every function takes the caller's unit of work (``session``; the caller commits), the acting
user (``actor``) and a request, keyword-only, and checks the actor's rights first. The checks
and their Swedish messages are the web's: a change of a unit goes through
:func:`fcatlas.services.units.editable_unit` (the same as an edit on the web page or a ``PATCH``
in the API), a list through :func:`fcatlas.services.rounds.ensure_may_edit`'s rule (the same as
an upload on the web), so a region's handläggare acting through the CLI (``fcatlas --som``) is
refused exactly where the web refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import Actor
from fcatlas.domain import LAST_YEAR
from fcatlas.register import rounds as round_store
from fcatlas.register.store import MOVE_THRESHOLD_M, Register
from fcatlas.services.imports import FileImport, FileImported
from fcatlas.services.units import HistoryEntry, editable_unit, unit_history, visible_units


@dataclass(frozen=True)
class UnitQuery:
    """Which units: of one län (code, letter or name), category and status; ``round``: as that
    inventory round said (its snapshot) instead of as they stand."""

    lan: str | None = None
    category: str | None = None
    status: str | None = None
    round: int | None = None


@dataclass(frozen=True)
class RoundComparison:
    """Two inventory rounds to compare; moved = more than ``move_threshold_m`` metres."""

    round_a: int
    round_b: int
    move_threshold_m: float = MOVE_THRESHOLD_M


@dataclass(frozen=True)
class CloseUnit:
    """Close ``unit_id`` (status nedlagd) for ``reason``, as of ``date`` (ÅÅÅÅ-MM-DD) if given."""

    unit_id: str
    reason: str
    date: str | None = None


@dataclass(frozen=True)
class RenameUnit:
    unit_id: str
    new_name: str


@dataclass(frozen=True)
class MergeUnits:
    """Merge ``duplicate_id`` into ``keep_id`` (the duplicate is closed, "sammanslagen med …")."""

    keep_id: str
    duplicate_id: str


@dataclass(frozen=True)
class Renamed:
    #: the unit's name before
    before: str
    #: the unit after the change (``id``, ``name``, …)
    unit: dict[str, Any]


@dataclass(frozen=True)
class Merged:
    #: the duplicate as it was before the merge
    duplicate: dict[str, Any]
    #: the unit that is kept, after the merge
    kept: dict[str, Any]


def list_units(session: Session, *, actor: Actor, request: UnitQuery) -> pd.DataFrame:
    """The units ``actor`` may see, filtered: every unit as it stands for the national level (or
    as round ``request.round`` said); for a region's user, the own region as it stands and the
    rest as published — what the web's table shows them. Earlier rounds: the national level."""
    if request.round is not None or actor.is_national:
        actor.require(actor.is_national, "se vad en tidigare inventeringsomgång sa om enheterna")
        return Register(session).list_units(lan=request.lan, category=request.category, status=request.status,
                                            round=request.round)
    from fcatlas.errors import CodeError, ConfigError
    from fcatlas.register import intake

    try:
        lan = intake.lan_code_of(request.lan) if request.lan else None
        wanted = {"category": intake.category_of(request.category).value if request.category else None,
                  "status": intake.status_of(request.status).value if request.status else None}
    except CodeError as exc:
        raise ConfigError(str(exc)) from None
    df = visible_units(session, actor=actor, lan=lan, limit=10**9).items.drop(columns="version")
    for column, value in wanted.items():
        if value is not None:
            df = df.loc[df[column] == value]
    return df.reset_index(drop=True)


def diff(session: Session, *, actor: Actor, request: RoundComparison) -> pd.DataFrame:
    """What changed from inventory round A to round B (see :meth:`Register.diff`): every region's
    snapshots, for the national level."""
    actor.require(actor.is_national, "jämföra inventeringsomgångar")
    return Register(session).diff(request.round_a, request.round_b, move_threshold_m=request.move_threshold_m)


def history(session: Session, *, actor: Actor, unit_id: str) -> list[HistoryEntry]:
    """A unit's history, newest first (the web's :func:`fcatlas.services.units.unit_history`)."""
    return unit_history(session, actor=actor, unit_id=unit_id)


def close_unit(session: Session, *, actor: Actor, request: CloseUnit) -> dict[str, Any]:
    """Close a unit (status nedlagd) with a reason; its history is kept. Returns the unit."""
    editable_unit(session, actor=actor, unit_id=request.unit_id)
    return Register(session).close_unit(request.unit_id, request.reason, user=actor.name, date=request.date)


def rename_unit(session: Session, *, actor: Actor, request: RenameUnit) -> Renamed:
    """Give a unit a new name; it keeps its id and history."""
    before = str(editable_unit(session, actor=actor, unit_id=request.unit_id).row["name"])
    return Renamed(before, Register(session).rename_unit(request.unit_id, request.new_name, user=actor.name))


def merge_units(session: Session, *, actor: Actor, request: MergeUnits) -> Merged:
    """Merge a duplicate into the unit that is kept: both must be changeable by ``actor``."""
    editable_unit(session, actor=actor, unit_id=request.keep_id)
    editable_unit(session, actor=actor, unit_id=request.duplicate_id)
    reg = Register(session)
    dup = reg.get_unit(request.duplicate_id)
    return Merged(dup, reg.merge_units(request.keep_id, request.duplicate_id, user=actor.name))


def import_file(session: Session, *, actor: Actor, request: FileImport) -> FileImported:
    """Read, check and store a region's list from a file (the accepted rows in the caller's unit
    of work). The actor must be allowed to prepare every region the file lists (national rights,
    or that region's), and where the round is one of the inventory rounds, each region's list
    must still be open in it — the rules of an upload on the web."""
    from fcatlas.register import intake
    from fcatlas.register.geocode import Geocoder
    from fcatlas.register.store import utcnow
    from fcatlas.services.rounds import ensure_may_edit

    actor.require(not actor.is_anonymous, "importera en regions lista")
    geocoder = Geocoder.from_path(request.postcodes, tolerance_m=request.tolerance_km * 1000)
    year = request.round or intake.round_from_filename(request.file) or utcnow().year
    if not 1990 <= int(year) <= LAST_YEAR:
        from fcatlas.errors import ConfigError

        raise ConfigError(f"inventeringsomgången {year} är inget rimligt år")
    sub = intake.parse_submission(intake.read_table(request.file, header_row=request.header_row), geocoder,
                                  request.tolerance_km * 1000)
    in_workflow = year in {r.year for r in round_store.list_rounds(session)}
    for lan in sorted({str(u.fields["lan_code"]) for u in sub.units}):
        if in_workflow:
            ensure_may_edit(session, actor=actor, name=year, lan=lan)
        else:
            actor.require(actor.may_edit_region(lan), f"ändra region {lan}s lista")
    result = Register(session).store_submission(sub, int(year), actor.name, partial=request.partial)
    return FileImported(result, geocoder.has_postcodes)
