"""The inventory round, end to end: open → prepare → submit → return/approve → publish.

>>> from fcatlas.accounts.roles import ANONYMOUS
>>> ANONYMOUS.may_review()
False
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from fcatlas.accounts.roles import Actor
from fcatlas.errors import ConfigError
from fcatlas.register import rounds as store
from fcatlas.register.workflow import REGION_STATUS_LABELS, Action, RegionStatus


def lan_code(value: str) -> str:
    """A län code among Sweden's 21 (``'20'``), refused in Swedish otherwise."""
    from fcatlas.geography.admin import lan_table

    code = str(value).strip().zfill(2)
    if code not in set(lan_table()["lan_code"]):
        raise ConfigError(f"länskoden {value!r} finns inte bland Sveriges 21 län")
    return code


def round_year(value: str | int) -> int:
    """A round's name is its year (``'2027'``)."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2100):
        raise ConfigError(f"omgångens namn ska vara ett årtal 2000–2100, t.ex. 2027 (fick {value!r})")
    return int(text)


@dataclass(frozen=True)
class RegionRow:
    lan_code: str
    status: RegionStatus
    label: str
    comment: str | None
    changed_by: str | None
    changed_at: dt.datetime | None


@dataclass(frozen=True)
class RoundOverview:
    round: store.RoundInfo
    regions: list[RegionRow]


def open_round(session: Session, *, actor: Actor, name: str | int, deadline: dt.date) -> store.RoundInfo:
    actor.require(actor.may_review(), "öppna en inventeringsomgång")
    return store.open_round(session, year=round_year(name), deadline=deadline, user=actor.name)


def overview(session: Session, *, actor: Actor, name: str | int) -> RoundOverview:
    """The round and the regions' statuses: all 21 for the national level, the own region for a
    region's user, none for the public."""
    year = round_year(name)
    info = store.get_round(session, year=year)
    states = store.region_states(session, year=year)
    from fcatlas.geography.admin import lan_table

    rows = []
    for code in sorted(lan_table()["lan_code"]):
        if not actor.may_see_drafts(code):
            continue
        s = states.get(code) or store.RegionState(code, RegionStatus.OPEN, None, None, None)
        rows.append(RegionRow(code, s.status, REGION_STATUS_LABELS[s.status], s.comment, s.changed_by, s.changed_at))
    return RoundOverview(info, rows)


def ensure_may_edit(session: Session, *, actor: Actor, name: str | int, lan: str) -> None:
    """The check before an import or a unit edit: the actor may prepare the region's list, and
    the list is still open in the round."""
    code = lan_code(lan)
    actor.require(actor.may_edit_region(code), f"ändra region {code}s lista")
    store.ensure_editable(session, year=round_year(name), lan=code)


def submit(session: Session, *, actor: Actor, name: str | int, lan: str) -> store.RegionState:
    code = lan_code(lan)
    actor.require(actor.may_submit_region(code), f"skicka in region {code}s lista (det gör regionens företrädare)")
    return store.transition(session, year=round_year(name), lan=code, action=Action.SUBMIT, user=actor.name)


def return_list(session: Session, *, actor: Actor, name: str | int, lan: str, comment: str) -> store.RegionState:
    actor.require(actor.may_review(), "returnera en regions lista")
    return store.transition(session, year=round_year(name), lan=lan_code(lan), action=Action.RETURN,
                            user=actor.name, comment=comment)


def approve(session: Session, *, actor: Actor, name: str | int, lan: str) -> store.RegionState:
    actor.require(actor.may_review(), "godkänna en regions lista")
    return store.transition(session, year=round_year(name), lan=lan_code(lan), action=Action.APPROVE,
                            user=actor.name)


def publish(session: Session, *, actor: Actor, name: str | int) -> list[str]:
    actor.require(actor.may_review(), "publicera en inventeringsomgång")
    return store.publish(session, year=round_year(name), user=actor.name)
