"""Roles and the acting user (pure: no database, no I/O).

The permission rules live here and nowhere else; services call them as their first line, and
both faces (CLI, web) therefore agree.

>>> a = Actor.region_user("a@region.se", lan_code="20", level=Level.HANDLAGGARE)
>>> a.may_edit_region("20"), a.may_submit_region("20"), a.may_edit_region("18")
(True, False, False)
>>> ANONYMOUS.may_see_drafts("20")
False
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fcatlas.errors import PermissionDeniedError


class Role(StrEnum):
    NATIONELL = "nationell"
    REGION = "region"


class Level(StrEnum):
    FORETRADARE = "foretradare"
    HANDLAGGARE = "handlaggare"


ROLE_LABELS = {Role.NATIONELL: "nationell (Socialstyrelsen)", Role.REGION: "region"}
LEVEL_LABELS = {Level.FORETRADARE: "företrädare", Level.HANDLAGGARE: "handläggare"}


@dataclass(frozen=True)
class Actor:
    """Who is acting: an account, the local operator of the CLI, or an anonymous visitor."""

    name: str
    role: Role | None = None
    lan_code: str | None = None
    level: Level | None = None
    user_id: int | None = None

    @classmethod
    def national(cls, name: str, user_id: int | None = None) -> Actor:
        return cls(name=name, role=Role.NATIONELL, user_id=user_id)

    @classmethod
    def region_user(cls, name: str, *, lan_code: str, level: Level, user_id: int | None = None) -> Actor:
        return cls(name=name, role=Role.REGION, lan_code=lan_code, level=level, user_id=user_id)

    @property
    def is_anonymous(self) -> bool:
        return self.role is None

    @property
    def is_national(self) -> bool:
        return self.role is Role.NATIONELL

    def describe(self) -> str:
        """Swedish description, e.g. ``region 20 (handläggare)``."""
        if self.role is None:
            return "anonym besökare"
        if self.role is Role.NATIONELL:
            return "nationell (Socialstyrelsen)"
        level = LEVEL_LABELS[self.level] if self.level else "okänd nivå"
        return f"region {self.lan_code} ({level})"

    # -- the rules -----------------------------------------------------------------------
    def may_manage_accounts(self) -> bool:
        return self.is_national

    def may_see_drafts(self, lan_code: str) -> bool:
        """Unpublished units and reports of a region: its own users and the national level."""
        return self.is_national or (self.role is Role.REGION and self.lan_code == lan_code)

    def may_edit_region(self, lan_code: str) -> bool:
        """Import, edit units, draft reports of a region."""
        return self.may_see_drafts(lan_code) and not self.is_anonymous

    def may_submit_region(self, lan_code: str) -> bool:
        """Submit a region's list or grant report: its authorised representative only."""
        return self.role is Role.REGION and self.lan_code == lan_code and self.level is Level.FORETRADARE

    def may_review(self) -> bool:
        """Open rounds, return, approve, publish, decide grants: the national level."""
        return self.is_national

    def require(self, allowed: bool, what: str) -> None:
        """Raise :class:`PermissionDeniedError` in Swedish unless ``allowed``."""
        if not allowed:
            if self.is_anonymous:
                raise PermissionDeniedError(f"du måste logga in för att {what}")
            raise PermissionDeniedError(f"{self.describe()} får inte {what}")


ANONYMOUS = Actor(name="anonym")
