"""The inventory round as a state machine (pure rules, no database).

Socialstyrelsen (``nationell``) opens a round with a deadline; each region prepares its list
(import or unit edits) while its status is *öppen* or *returnerad*; the region's företrädare
submits it (*inskickad*: no more edits); the national level returns it with a comment
(*returnerad*, editable again) or approves it (*godkänd*); finally the round is published, and
the public sees every approved region's list as of that round.

>>> next_status(RegionStatus.OPEN, Action.SUBMIT)
<RegionStatus.SUBMITTED: 'inskickad'>
>>> next_status(RegionStatus.APPROVED, Action.SUBMIT)
Traceback (most recent call last):
...
fcatlas.errors.ConflictError: kan inte skicka in: listan är godkänd
"""

from __future__ import annotations

from enum import StrEnum

from fcatlas.domain import comment_given
from fcatlas.errors import ConfigError, ConflictError


class RoundStatus(StrEnum):
    OPEN = "oppen"
    PUBLISHED = "publicerad"


class RegionStatus(StrEnum):
    OPEN = "oppen"
    SUBMITTED = "inskickad"
    RETURNED = "returnerad"
    APPROVED = "godkand"


class Action(StrEnum):
    SUBMIT = "skicka_in"
    RETURN = "returnera"
    APPROVE = "godkann"


REGION_STATUS_LABELS = {
    RegionStatus.OPEN: "öppen",
    RegionStatus.SUBMITTED: "inskickad",
    RegionStatus.RETURNED: "returnerad",
    RegionStatus.APPROVED: "godkänd",
}
ACTION_LABELS = {Action.SUBMIT: "skicka in", Action.RETURN: "returnera", Action.APPROVE: "godkänna"}

#: from which statuses each action may be taken, and where it leads
TRANSITIONS: dict[Action, tuple[frozenset[RegionStatus], RegionStatus]] = {
    Action.SUBMIT: (frozenset({RegionStatus.OPEN, RegionStatus.RETURNED}), RegionStatus.SUBMITTED),
    Action.RETURN: (frozenset({RegionStatus.SUBMITTED}), RegionStatus.RETURNED),
    Action.APPROVE: (frozenset({RegionStatus.SUBMITTED}), RegionStatus.APPROVED),
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
    """Refuse changes to a region's list that is submitted, approved or published."""
    if round_status is RoundStatus.PUBLISHED:
        raise ConflictError("omgången är publicerad; ändringar görs i nästa inventeringsomgång")
    if status not in EDITABLE:
        raise ConflictError(
            f"regionens lista är {REGION_STATUS_LABELS[status]} och kan inte ändras "
            "(den nationella nivån kan returnera den)"
        )


def check_comment(comment: str) -> str:
    """A return needs a comment that tells the region what to fix."""
    if not comment_given(comment):
        raise ConfigError("en returnering behöver en kommentar som säger vad regionen ska rätta")
    text = comment.strip()
    if len(text) > 4000:
        raise ConfigError("kommentaren får vara högst 4 000 tecken")
    return text
