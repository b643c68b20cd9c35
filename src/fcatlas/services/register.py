"""The register as the CLI's ``fcatlas register …`` commands use it: list, compare rounds, and the
single-unit changes of the local operator (close, rename, merge).

Each function opens the register at ``url`` (a SQLAlchemy URL or a SQLite file path) on the
process's engine, and each change is its own transaction, as :class:`Register.open` gives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from fcatlas.register.store import MOVE_THRESHOLD_M, Register


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


def list_units(*, url: str, lan: str | None = None, category: str | None = None, status: str | None = None,
               round: int | None = None) -> pd.DataFrame:
    """The units (current state, or what inventory round ``round`` said), filtered."""
    with Register.open(url) as reg:
        return reg.list_units(lan=lan, category=category, status=status, round=round)


def diff(*, url: str, round_a: int, round_b: int, move_threshold_m: float = MOVE_THRESHOLD_M) -> pd.DataFrame:
    """What changed from inventory round A to round B (see :meth:`Register.diff`)."""
    with Register.open(url) as reg:
        return reg.diff(round_a, round_b, move_threshold_m=move_threshold_m)


def close_unit(*, url: str, unit_id: str, reason: str, user: str | None = None,
               date: str | None = None) -> dict[str, Any]:
    """Close a unit (status nedlagd) with a reason; its history is kept. Returns the unit."""
    with Register.open(url) as reg:
        return reg.close_unit(unit_id, reason, user=user, date=date)


def rename_unit(*, url: str, unit_id: str, new_name: str, user: str | None = None) -> Renamed:
    """Give a unit a new name; it keeps its id and history."""
    with Register.open(url) as reg:
        before = str(reg.get_unit(unit_id)["name"])
        return Renamed(before, reg.rename_unit(unit_id, new_name, user=user))


def merge_units(*, url: str, keep_id: str, duplicate_id: str, user: str | None = None) -> Merged:
    """Merge a duplicate into the unit that is kept (the duplicate is closed, "sammanslagen med …")."""
    with Register.open(url) as reg:
        dup = reg.get_unit(duplicate_id)
        return Merged(dup, reg.merge_units(keep_id, duplicate_id, user=user))
