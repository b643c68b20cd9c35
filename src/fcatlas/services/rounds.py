"""The inventory round, end to end: open → prepare → submit → return/approve → publish → close.

Publishing makes the approved lists public and leaves every other region's list open until its
deadline (the round's, or the region's extended one) or until the national level closes the
round; the national level can reopen a submitted or approved (unpublished) list.

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
from fcatlas.fmt import today as swedish_today
from fcatlas.geography.codes import lan_code as lan_code  # the faces read a län here too
from fcatlas.register import rounds as store
from fcatlas.register.workflow import (
    EDITABLE,
    REGION_STATUS_LABELS,
    Action,
    RegionStatus,
    RoundStatus,
    check_deadline,
    check_editable,
    check_future,
)
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
    #: the region's deadline (its own extended one, else the round's)
    deadline: dt.date | None = None
    #: the region has its own (extended) deadline
    extended: bool = False
    #: the region's approved list is published in this round
    published: bool = False

    @property
    def submitted(self) -> bool:
        return self.status in (RegionStatus.SUBMITTED, RegionStatus.APPROVED)


@dataclass(frozen=True)
class RoundOverview:
    round: store.RoundInfo
    regions: list[RegionRow]


def open_round(session: Session, *, actor: Actor, name: str | int, deadline: dt.date,
               today: dt.date | None = None) -> store.RoundInfo:
    """Open a round (its name is its year) with a deadline that has not passed."""
    actor.require(actor.may_review(), "öppna en inventeringsomgång")
    year = round_year(name)
    check_future(deadline, today or swedish_today())
    info = store.open_round(session, year=year, deadline=deadline, user=actor.name)
    notify.round_opened_mail(session, actor=actor, year=info.year, deadline=info.deadline)  # after the commit
    return info


def overview(session: Session, *, actor: Actor, name: str | int) -> RoundOverview:
    """The round and the regions' statuses: all 21 for the national level, the own region for a
    region's user, none for the public."""
    year = round_year(name)
    info = store.get_round(session, year=year)
    states = store.region_states(session, year=year)
    from fcatlas.geography.admin import lan_names

    rows = [_region_row(info, code, states.get(code)) for code in sorted(lan_names()) if actor.may_see_drafts(code)]
    return RoundOverview(info, rows)


def _region_row(info: store.RoundInfo, code: str, state: store.RegionState | None) -> RegionRow:
    s = state or store.RegionState(code, RegionStatus.OPEN, None, None, None)
    return RegionRow(code, s.status, REGION_STATUS_LABELS[s.status], s.comment, s.changed_by, s.changed_at,
                     s.deadline or info.deadline, s.deadline is not None, s.published)


def region_state(session: Session, *, name: str | int, lan: str) -> store.RegionState:
    """Where region ``lan``'s list stands in round ``name``."""
    return store.region_state(session, year=round_year(name), lan=lan_code(lan))


def ensure_may_edit(session: Session, *, actor: Actor, name: str | int, lan: str) -> None:
    """The check before an import or a unit edit: the actor may prepare the region's list, and
    the list is still open in the round."""
    code = lan_code(lan)
    actor.require(actor.may_edit_region(code), f"ändra region {code}s lista")
    store.ensure_editable(session, year=round_year(name), lan=code)


def submit(session: Session, *, actor: Actor, name: str | int, lan: str) -> store.RegionState:
    code = lan_code(lan)
    actor.require(actor.may_submit_region(code), f"skicka in region {code}s lista (det gör regionens företrädare)")
    year = round_year(name)
    info, state = store.get_round(session, year=year), store.region_state(session, year=year, lan=code)
    check_deadline(state.deadline or info.deadline, swedish_today())
    return store.transition(session, year=year, lan=code, action=Action.SUBMIT, user=actor.name)


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
    """Publish the approved lists not yet published; every other region's list stays open."""
    actor.require(actor.may_review(), "publicera en inventeringsomgång")
    year = round_year(name)
    published = store.publish(session, year=year, user=actor.name)
    notify.published_mails(session, actor=actor, year=year, lans=published, at=notify.utcnow())
    return published


def reopen(session: Session, *, actor: Actor, name: str | int, lan: str, comment: str = "",
           deadline: dt.date | None = None) -> store.RegionState:
    """Reopen region ``lan``'s submitted or approved (not yet published) list: the region can
    change and submit it again; ``deadline`` gives the region more time at once."""
    actor.require(actor.may_review(), "återöppna en regions lista")
    year, code = round_year(name), lan_code(lan)
    if store.region_state(session, year=year, lan=code).published:
        raise ConflictError(f"region {code}s lista är publicerad i omgången {year}; rättelser görs i nästa "
                                  "inventeringsomgång")
    if deadline is not None:
        set_deadline(session, actor=actor, name=year, lan=code, deadline=deadline)
    return store.transition(session, year=year, lan=code, action=Action.REOPEN, user=actor.name, comment=comment)


def set_deadline(session: Session, *, actor: Actor, name: str | int, lan: str, deadline: dt.date,
                 today: dt.date | None = None) -> store.RegionState:
    """Give one region its own deadline (an extension); a day that has passed is refused."""
    actor.require(actor.may_review(), "ändra en regions sista dag")
    check_future(deadline, today or swedish_today(), "den nya sista dagen")
    return store.set_region_deadline(session, year=round_year(name), lan=lan_code(lan), deadline=deadline,
                                     user=actor.name)


@dataclass(frozen=True)
class ClosePreview:
    """What closing a round does: the regions whose list is not approved (by status), and the
    approved lists still waiting for publication (closing is refused while there are any)."""

    round: store.RoundInfo
    not_submitted: list[RegionRow]
    submitted_not_approved: list[RegionRow]
    waiting_for_publication: list[str]


def close_preview(session: Session, *, actor: Actor, name: str | int) -> ClosePreview:
    actor.require(actor.may_review(), "stänga en inventeringsomgång")
    ov = overview(session, actor=actor, name=name)
    return ClosePreview(ov.round, [r for r in ov.regions if r.status in EDITABLE],
                        [r for r in ov.regions if r.status is RegionStatus.SUBMITTED],
                        store.unpublished_approved(session, year=ov.round.year))


def close_round(session: Session, *, actor: Actor, name: str | int) -> list[str]:
    """Close the round: no list changes any more. Returns the län whose list was not approved."""
    actor.require(actor.may_review(), "stänga en inventeringsomgång")
    from fcatlas.geography.admin import lan_table

    return store.close_round(session, year=round_year(name), user=actor.name,
                             lans=sorted(str(c) for c in lan_table()["lan_code"]))


@dataclass(frozen=True)
class RegionSteps:
    """Which steps of the round a region's page may offer now (the same checks as the services
    make, so that a page never offers a step the server refuses), and why not."""

    may_edit: bool
    may_submit: bool
    why_not: str | None
    deadline: dt.date | None


def region_steps(session: Session, *, actor: Actor, lan: str, today: dt.date | None = None) -> RegionSteps:
    """What ``actor`` may do with region ``lan``'s list in the current round, and if nothing, why."""
    return region_view(session, actor=actor, lan=lan, today=today).steps


@dataclass(frozen=True)
class RegionView:
    """A region's place in the current round, as its page shows it: the round (``None`` before the
    first), the region's row (``None`` unless ``actor`` may see the region's drafts) and its steps."""

    round: store.RoundInfo | None
    state: RegionRow | None
    steps: RegionSteps


#: why a region cannot hand in its list when no round is open (the page's status line has already
#: said that no round is open: this says what happens next)
NO_OPEN_ROUND = ("Listan kan lämnas när den nationella nivån öppnar nästa inventeringsomgång; "
                 "då kan du importera, ändra och skicka in regionens enheter här.")


def region_view(session: Session, *, actor: Actor, lan: str, today: dt.date | None = None) -> RegionView:
    """:func:`current_round`, the region's row of :func:`overview` and :func:`region_steps` for
    region ``lan`` — one query (the rounds with the region's state in each), the same rules."""
    from fcatlas.errors import FcatlasError

    code = lan_code(lan)
    rnd, state = store.current_round_with_region(session, lan=code)
    if rnd is None:
        return RegionView(None, None, RegionSteps(False, False, NO_OPEN_ROUND, None))
    row = _region_row(rnd, code, state) if actor.may_see_drafts(code) else None
    deadline = (state.deadline if state else None) or rnd.deadline
    if rnd.status is not RoundStatus.OPEN:
        steps = RegionSteps(False, False, NO_OPEN_ROUND, None)
    elif not actor.may_edit_region(code):
        steps = RegionSteps(False, False, "Ditt konto kan inte ändra regionens lista.", deadline)
    else:
        try:
            check_editable(state.status if state else RegionStatus.OPEN, rnd.status)
            check_deadline(deadline, today or swedish_today())
        except FcatlasError as exc:
            text = str(exc)
            steps = RegionSteps(False, False, text[:1].upper() + text[1:] + ".", deadline)
        else:
            steps = RegionSteps(True, actor.may_submit_region(code), None, deadline)
    return RegionView(rnd, row, steps)


def current_round(session: Session) -> store.RoundInfo | None:
    """The open round (the latest one if several), else the latest closed one, else ``None``
    (:func:`fcatlas.register.rounds.current_round_with_region`, the one rule)."""
    return store.current_round_with_region(session, lan=None)[0]


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
    from fcatlas.services.units import visible_unit_rows

    code = lan_code(lan)
    actor.require(actor.may_see_drafts(code), f"se region {code}s lista")
    # plain rows, not DataFrames: the review page is read again after every change of the list
    now = {r["id"]: r for r in visible_unit_rows(session, actor=actor, lan=code, limit=10**9)[0]}
    pub = {r["id"]: r for r in visible_unit_rows(session, actor=ANONYMOUS, lan=code, limit=10**9)[0]}
    labels = {**{k.value: v for k, v in CATEGORY_LABELS.items()}, **{k.value: v for k, v in STATUS_LABELS.items()}}
    out = [Change("ny", uid, str(r["name"]), labels.get(str(r["category"]), "")) for uid, r in now.items()
           if uid not in pub]
    out += [Change("borttagen", uid, str(r["name"]), "finns inte längre i listan") for uid, r in pub.items()
            if uid not in now]
    fields = {"name": "namn", "category": "kategori", "status": "status"}
    for uid in sorted(now.keys() & pub.keys()):
        was, is_ = pub[uid], now[uid]
        diffs = [f"{sv}: {labels.get(str(was[f]), was[f])} → {labels.get(str(is_[f]), is_[f])}"
                 for f, sv in fields.items() if str(was[f]) != str(is_[f])]
        if diffs:
            out.append(Change("ändrad", uid, str(is_["name"]), "; ".join(diffs)))
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
