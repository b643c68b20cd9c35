"""Logging in through an organisation's own identity provider (OpenID Connect): the person the
provider vouches for is matched to an fcatlas account, which keeps its role and län.

The faces do the protocol (redirects, the code exchange, the ID token's signature and claims);
here an already verified claim becomes a login session, or a refusal that says whom to ask."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fcatlas.accounts import store
from fcatlas.accounts.models import User
from fcatlas.accounts.roles import Actor
from fcatlas.errors import ConfigError, NotFoundError


class UnknownPersonError(NotFoundError):
    """The provider's person has no active account here (the page says whom to ask)."""

    def __init__(self, message: str, who: str) -> None:
        super().__init__(message)
        self.who = who


def match_account(session: Session, *, claim_value: str) -> Actor:
    """The active account whose e-mail address is ``claim_value`` (the provider's verified e-mail
    or another configured claim); :class:`UnknownPersonError` when there is none."""
    try:
        email = store.normalise_email(claim_value)
    except ConfigError:
        email = claim_value.strip().lower()[:254]
    user = session.scalar(select(User).where(User.email == email, User.active.is_(True)))
    if user is None:
        raise UnknownPersonError(f"det finns inget aktivt konto i fcatlas för {claim_value.strip()!r}",
                                 claim_value.strip())
    return store.actor_of(user)


def login_session(session: Session, *, claim_value: str, previous_session_id: str | None = None) -> tuple[Actor, str]:
    """A login session of the web pages for the account matched by ``claim_value``: ``(actor,
    session_id)``; the browser's previous session, if any, ends. The caller commits."""
    actor = match_account(session, claim_value=claim_value)
    if previous_session_id:
        store.end_session(session, session_id=previous_session_id)
    sid, _ = store.start_session(session, actor=actor)
    return actor, sid


def log_in(engine: Engine, *, claim_value: str, previous_session_id: str | None = None) -> tuple[Actor, str]:
    """:func:`login_session` in its own unit of work on ``engine`` (committed)."""
    from fcatlas.db import unit_of_work

    with unit_of_work(engine) as session:
        return login_session(session, claim_value=claim_value, previous_session_id=previous_session_id)
