"""Accounts as the faces use them: managing accounts and API tokens, logging in (throttled) and
out, and finding the acting user of a Bearer token or a login-session cookie.

Every function takes the unit of work (``session``) and keyword-only arguments; the caller
commits (a failed login too, so that its attempt counts for every worker). The permission
checks are the first line of the store functions called here (:mod:`fcatlas.accounts.store`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from fcatlas.accounts import store

# re-exported for the faces: the throttle they build from their settings, the accounts' result
# type, the bound on password hashes at once (FCATLAS_LOGIN_SAMTIDIGA) and the count of checks
from fcatlas.accounts.credentials import limit_concurrent_hashes as limit_concurrent_hashes
from fcatlas.accounts.credentials import password_checks as password_checks
from fcatlas.accounts.models import User
from fcatlas.accounts.roles import Actor
from fcatlas.accounts.store import Throttle as Throttle
from fcatlas.accounts.store import UserInfo as UserInfo
from fcatlas.errors import NotFoundError
from fcatlas.services import notify
from fcatlas.services.notify import PasswordLink as PasswordLink  # re-exported: what the faces show


# -- accounts ---------------------------------------------------------------------------------
def add_user(session: Session, *, actor: Actor, email: str, password: str | None, role: str,
             lan_code: str | None = None, level: str | None = None) -> UserInfo:
    """Create an account (a region account without ``level`` is a ``handlaggare``)."""
    return store.add_user(session, actor=actor, email=email, password=password, role=role,
                          lan_code=lan_code, level=level)


def create_account(session: Session, *, actor: Actor, email: str, role: str, lan_code: str | None = None,
                   level: str | None = None) -> PasswordLink:
    """Create an account without a password and make its one-time link (72 hours, one use) to
    choose one: mailed to the account after the commit, or — with no SMTP server configured —
    returned for the caller to hand over (:attr:`PasswordLink.mailed`)."""
    info = store.add_user(session, actor=actor, email=email, password=None, role=role, lan_code=lan_code,
                          level=level)
    token, info, expires = store.create_password_link(session, actor=actor, email=info.email,
                                                      purpose=store.LINK_NEW_ACCOUNT)
    return notify.password_link_mail(session, actor=actor, account=info, token=token, expires_at=expires,
                                     new_account=True)


def send_password_link(session: Session, *, actor: Actor, email: str) -> PasswordLink:
    """A new one-time link for ``email`` to choose a new password (earlier links stop working);
    mailed after the commit, as :func:`create_account`. The current password works until then."""
    token, info, expires = store.create_password_link(session, actor=actor, email=email, purpose=store.LINK_RESET)
    return notify.password_link_mail(session, actor=actor, account=info, token=token, expires_at=expires,
                                     new_account=False)


def password_link_account(session: Session, *, token: str) -> UserInfo:
    """The account a one-time link is for, while it is valid (``AuthenticationError`` otherwise)."""
    return store.password_link_account(session, token=token)


def valid_password_link(session: Session, *, token: str) -> UserInfo | None:
    """The account a one-time link is for while it is valid, else ``None`` (a page that asks)."""
    from fcatlas.errors import AuthenticationError

    try:
        return store.password_link_account(session, token=token)
    except AuthenticationError:
        return None


def choose_password(session: Session, *, token: str, password: str) -> Actor:
    """Choose a password through a one-time link (used up; every login of the account ends)."""
    return store.use_password_link(session, token=token, password=password)


def change_password(session: Session, *, actor: Actor, current: str, new: str) -> tuple[UserInfo, str]:
    """The acting account's new password, given the current one: every login of the account ends
    and a new login session begins for the one who changed it (``(account, session_id)``)."""
    info = store.change_own_password(session, actor=actor, current=current, new=new)
    sid, _ = store.start_session(session, actor=actor)
    return info, sid


def mail_configured(session: Session) -> bool:
    """Whether mail is sent at all (an SMTP server is configured)."""
    return notify.mail_config(session) is not None


def mail_log(session: Session, *, actor: Actor, limit: int = 100) -> list[notify.LoggedMail]:
    """The newest mails sent, for the national level."""
    return notify.mail_log_entries(session, actor=actor, limit=limit)


def enable_user(session: Session, *, actor: Actor, email: str) -> UserInfo:
    """Enable a disabled account again."""
    return store.enable_user(session, actor=actor, email=email)


def list_users(session: Session, *, actor: Actor) -> list[UserInfo]:
    """Every account, by role, län and e-mail (never a password hash)."""
    return store.list_users(session, actor=actor)


def disable_user(session: Session, *, actor: Actor, email: str) -> UserInfo:
    """Disable an account: it can no longer log in; its sessions end and its tokens are revoked."""
    return store.disable_user(session, actor=actor, email=email)


def set_password(session: Session, *, actor: Actor, email: str, password: str) -> UserInfo:
    """A new password (by the national level, or by the account itself); all its logins end."""
    return store.set_password(session, actor=actor, email=email, password=password)


def create_token(session: Session, *, actor: Actor, email: str, days: int = 90) -> tuple[str, dt.datetime]:
    """A new Bearer token for ``email`` valid ``days``: ``(token, expires_at)``, the token shown once."""
    return store.create_token(session, actor=actor, email=email, days=days)


def revoke_tokens(session: Session, *, actor: Actor, email: str) -> int:
    """Revoke every valid token of ``email``; returns how many."""
    return store.revoke_tokens(session, actor=actor, email=email)


def active_account(session: Session, *, email: str) -> Actor:
    """The acting user of the active account ``email`` (the CLI acts on a region företrädare's
    behalf when it submits the region's list); :class:`NotFoundError` when there is none."""
    user = session.scalar(select(User).where(User.email == store.normalise_email(email), User.active.is_(True)))
    if user is None:
        raise NotFoundError(f"det finns inget aktivt konto {email.strip()!r}")
    return store.actor_of(user)


# -- logging in and out -----------------------------------------------------------------------
def login_token(session: Session, *, email: str, password: str, address: str, throttle: Throttle,
                lifetime: dt.timedelta) -> tuple[str, dt.datetime]:
    """E-mail and password (throttled per account and per address) for a Bearer token valid
    ``lifetime``: ``(token, expires_at)``. A failed login raises ``AuthenticationError`` or
    ``ThrottledError`` after recording its attempt (the caller commits even then)."""
    actor = store.authenticate(session, email=email, password=password, address=address, throttle=throttle)
    return store.create_token(session, actor=actor, email=actor.name, lifetime=lifetime)


def login_session(session: Session, *, email: str, password: str, address: str, throttle: Throttle,
                  previous_session_id: str | None = None) -> tuple[Actor, str]:
    """E-mail and password (throttled as :func:`login_token`) for a new login session of the web
    pages: ``(actor, session_id)``. The browser's previous session, if any, ends."""
    actor = store.authenticate(session, email=email, password=password, address=address, throttle=throttle)
    if previous_session_id:
        store.end_session(session, session_id=previous_session_id)
    sid, _ = store.start_session(session, actor=actor)
    return actor, sid


def logout(session: Session, *, session_id: str) -> None:
    """End a login session (nothing happens for one that is unknown or already over)."""
    store.end_session(session, session_id=session_id)


def session_actor(session: Session, *, session_id: str) -> tuple[Actor, str]:
    """The actor and CSRF token of a valid login session (``AuthenticationError`` otherwise)."""
    return store.session_actor(session, session_id=session_id)


def token_actor(session: Session, *, token: str) -> Actor:
    """The account behind a valid Bearer token (``AuthenticationError`` otherwise)."""
    return store.actor_from_token(session, token=token)
