"""The inventory round as a state machine (pure rules, no database).

Socialstyrelsen (``nationell``) opens a round with a deadline; each region prepares its list
(import or unit edits) while its status is *öppen* or *returnerad*; the region's företrädare
submits it (*inskickad*: no more edits); the national level returns it with a comment
(*returnerad*, editable again) or approves it (*godkänd*); publishing makes the approved lists
public and leaves every other region's list open until its deadline (the round's, or the
region's extended one) or until the national level closes the round (*stängd*). The national
level can reopen a submitted or approved (not yet published) list (*öppen* again).

>>> next_status(RegionStatus.OPEN, Action.SUBMIT)
<RegionStatus.SUBMITTED: 'inskickad'>
>>> next_status(RegionStatus.APPROVED, Action.SUBMIT)
Traceback (most recent call last):
...
fcatlas.errors.ConflictError: kan inte skicka in: listan är godkänd
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from fcatlas.domain import comment_given
from fcatlas.errors import ConfigError, ConflictError
from fcatlas.fmt import swedish_date


class RoundStatus(StrEnum):
    #: regions prepare and submit (also after a publication, until their deadline)
    OPEN = "oppen"
    #: closed by the national level: no list changes any more
    CLOSED = "stangd"


ROUND_STATUS_LABELS = {RoundStatus.OPEN: "öppen", RoundStatus.CLOSED: "stängd"}


class RegionStatus(StrEnum):
    OPEN = "oppen"
    SUBMITTED = "inskickad"
    RETURNED = "returnerad"
    APPROVED = "godkand"


class Action(StrEnum):
    SUBMIT = "skicka_in"
    RETURN = "returnera"
    APPROVE = "godkann"
    REOPEN = "ateroppna"


REGION_STATUS_LABELS = {
    RegionStatus.OPEN: "öppen",
    RegionStatus.SUBMITTED: "inskickad",
    RegionStatus.RETURNED: "returnerad",
    RegionStatus.APPROVED: "godkänd",
}
ACTION_LABELS = {Action.SUBMIT: "skicka in", Action.RETURN: "returnera", Action.APPROVE: "godkänna",
                 Action.REOPEN: "återöppna"}

#: from which statuses each action may be taken, and where it leads
TRANSITIONS: dict[Action, tuple[frozenset[RegionStatus], RegionStatus]] = {
    Action.SUBMIT: (frozenset({RegionStatus.OPEN, RegionStatus.RETURNED}), RegionStatus.SUBMITTED),
    Action.RETURN: (frozenset({RegionStatus.SUBMITTED}), RegionStatus.RETURNED),
    Action.APPROVE: (frozenset({RegionStatus.SUBMITTED}), RegionStatus.APPROVED),
    Action.REOPEN: (frozenset({RegionStatus.SUBMITTED, RegionStatus.APPROVED}), RegionStatus.OPEN),
}

#: statuses in which the region may still change its list
EDITABLE = frozenset({RegionStatus.OPEN, RegionStatus.RETURNED})


def next_status(current: RegionStatus, action: Action) -> RegionStatus:
    """Where ``action`` leads from ``current``; a Swedish :class:`ConflictError` if not allowed."""
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        raise ConflictError(f"kan inte {ACTION_LABELS[action]}: listan är {REGION_STATUS_LABELS[current]}")
    return target


def check_editable(status: RegionStatus, round_status: RoundStatus) -> None:
    """Refuse changes to a region's list that is submitted or approved, or in a closed round."""
    if round_status is RoundStatus.CLOSED:
        raise ConflictError("omgången är stängd; ändringar görs i nästa inventeringsomgång")
    if status not in EDITABLE:
        raise ConflictError(
            f"regionens lista är {REGION_STATUS_LABELS[status]} och kan inte ändras "
            "(den nationella nivån kan returnera den)"
        )


def check_deadline(deadline: dt.date, today: dt.date) -> None:
    """Refuse a change or a submission after the region's deadline (its last day included).

    >>> check_deadline(dt.date(2027, 10, 31), dt.date(2027, 10, 31))
    >>> check_deadline(dt.date(2027, 10, 31), dt.date(2027, 11, 1))
    Traceback (most recent call last):
    ...
    fcatlas.errors.ConflictError: sista dag för regionens lista var 31 oktober 2027; Socialstyrelsen kan ge regionen mer tid
    """
    if today > deadline:
        raise ConflictError(f"sista dag för regionens lista var {swedish_date(deadline)}; "
                            "Socialstyrelsen kan ge regionen mer tid")


def check_future(deadline: dt.date, today: dt.date, what: str = "sista dag") -> None:
    """A deadline being set must not have passed (today is allowed)."""
    if deadline < today:
        raise ConflictError(f"{what} {swedish_date(deadline)} har redan passerat; välj ett datum från och med "
                          f"{swedish_date(today)}")


def check_comment(comment: str) -> str:
    """A return needs a comment that tells the region what to fix."""
    if not comment_given(comment):
        raise ConfigError("en returnering behöver en kommentar som säger vad regionen ska rätta")
    text = comment.strip()
    if len(text) > 4000:
        raise ConfigError("kommentaren får vara högst 4 000 tecken")
    return text
