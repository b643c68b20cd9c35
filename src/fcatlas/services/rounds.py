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
from fcatlas.domain import FIRST_YEAR, LAST_YEAR, plausible_year
from fcatlas.errors import ConfigError, ConflictError
from fcatlas.geography.codes import lan_code as lan_code  # the faces read a län here too
from fcatlas.register import rounds as store
from fcatlas.register.workflow import REGION_STATUS_LABELS, Action, RegionStatus
from fcatlas.services import notify


def round_year(value: str | int) -> int:
    """A round's name is its year (``'2027'``)."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4 and plausible_year(int(text))):
        raise ConfigError(f"omgångens namn ska vara ett årtal {FIRST_YEAR}–{LAST_YEAR}, t.ex. 2027 (fick {value!r})")
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
    info = store.open_round(session, year=round_year(name), deadline=deadline, user=actor.name)
    notify.round_opened_mail(session, actor=actor, year=info.year, deadline=info.deadline)  # after the commit
    return info


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
    year = round_year(name)
    state = store.transition(session, year=year, lan=lan_code(lan), action=Action.RETURN, user=actor.name,
                             comment=comment)
    notify.list_mail(session, actor=actor, kind="lista_returnerad", year=year, lan=state.lan_code,
                     at=state.changed_at or notify.utcnow(), comment=state.comment,
                     deadline=store.get_round(session, year=year).deadline)
    return state


def approve(session: Session, *, actor: Actor, name: str | int, lan: str) -> store.RegionState:
    actor.require(actor.may_review(), "godkänna en regions lista")
    year = round_year(name)
    state = store.transition(session, year=year, lan=lan_code(lan), action=Action.APPROVE, user=actor.name)
    notify.list_mail(session, actor=actor, kind="lista_godkand", year=year, lan=state.lan_code,
                     at=state.changed_at or notify.utcnow())
    return state


def publish(session: Session, *, actor: Actor, name: str | int) -> list[str]:
    actor.require(actor.may_review(), "publicera en inventeringsomgång")
    year = round_year(name)
    published = store.publish(session, year=year, user=actor.name)
    notify.published_mails(session, actor=actor, year=year, lans=published, at=notify.utcnow())
    return published


def current_round(session: Session) -> store.RoundInfo | None:
    """The open round (the latest one if several), else the latest published, else ``None``."""
    from fcatlas.register.workflow import RoundStatus

    rounds = store.list_rounds(session)
    open_ = [r for r in rounds if r.status is RoundStatus.OPEN]
    pick = open_ or rounds
    return pick[-1] if pick else None


def require_current_round(session: Session, *, purpose: str = "") -> store.RoundInfo:
    """The current round (:func:`current_round`), else a conflict: there is none to work in
    (``purpose`` ends the message, e.g. ``"att importera till"``)."""
    rnd = current_round(session)
    if rnd is None:
        raise ConflictError(" ".join(["det finns ingen öppen inventeringsomgång", purpose]).strip())
    return rnd


@dataclass(frozen=True)
class Change:
    kind: str  # 'ny', 'borttagen', 'ändrad'
    unit_id: str
    name: str
    what: str


def changes_since_published(session: Session, *, actor: Actor, lan: str) -> list[Change]:
    """What a region's list as it stands changes against what the public sees (the last
    published list): new units, units no longer in the list, and changed name, category or status."""
    from fcatlas.accounts.roles import ANONYMOUS
    from fcatlas.domain import CATEGORY_LABELS, STATUS_LABELS
    from fcatlas.services.units import visible_units

    code = lan_code(lan)
    actor.require(actor.may_see_drafts(code), f"se region {code}s lista")
    now = visible_units(session, actor=actor, lan=code, limit=10**9).items.set_index("id")
    pub = visible_units(session, actor=ANONYMOUS, lan=code, limit=10**9).items.set_index("id")
    labels = {**{k.value: v for k, v in CATEGORY_LABELS.items()}, **{k.value: v for k, v in STATUS_LABELS.items()}}
    out = [Change("ny", uid, str(now.at[uid, "name"]), labels.get(str(now.at[uid, "category"]), ""))
           for uid in now.index.difference(pub.index)]
    out += [Change("borttagen", uid, str(pub.at[uid, "name"]), "finns inte längre i listan")
            for uid in pub.index.difference(now.index)]
    fields = {"name": "namn", "category": "kategori", "status": "status"}
    for uid in now.index.intersection(pub.index):
        diffs = [f"{sv}: {labels.get(str(pub.at[uid, f]), pub.at[uid, f])} → {labels.get(str(now.at[uid, f]), now.at[uid, f])}"
                 for f, sv in fields.items() if str(pub.at[uid, f]) != str(now.at[uid, f])]
        if diffs:
            out.append(Change("ändrad", uid, str(now.at[uid, "name"]), "; ".join(diffs)))
    return sorted(out, key=lambda c: ({"ny": 0, "ändrad": 1, "borttagen": 2}[c.kind], c.name))


@dataclass(frozen=True)
class GrowthRow:
    """One published round: operating units per category (nation or one län) and the län whose
    lists it holds."""

    round: int
    by_category: dict[str, int]
    lans: list[str]

    @property
    def centres(self) -> int:
        from fcatlas.domain import CENTRE_CATEGORIES

        return sum(self.by_category.get(c.value, 0) for c in CENTRE_CATEGORIES)


def growth(session: Session, *, actor: Actor, lan: str | None = None) -> list[GrowthRow]:
    """Operating units per category after each published round, for the nation or one län — the
    public picture of each round (anyone may read it)."""
    from fcatlas.domain import Category, Status

    code = lan_code(lan) if lan is not None else None
    rows = store.published_counts(session, lan=code)
    out: list[GrowthRow] = []
    for r in sorted({int(x["round"]) for x in rows}):
        mine = [x for x in rows if x["round"] == r]
        cats = {c.value: sum(int(x["n"]) for x in mine if x["category"] == c.value
                             and x["status"] == Status.I_DRIFT.value) for c in Category}
        out.append(GrowthRow(r, cats, sorted({str(x["lan_code"]) for x in mine})))
    return out
