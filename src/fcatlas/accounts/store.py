"""Accounts, API tokens, login sessions and login throttling on a SQLAlchemy ``Session``.

Every function is keyword-only and takes the unit of work (``session``) and, where it changes
something on somebody's behalf, the acting user (``actor``); the permission check is its first
line. The caller commits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from fcatlas.accounts.credentials import (
    check_password_rules,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)
from fcatlas.accounts.models import ApiToken, LoginAttempt, LoginSession, User
from fcatlas.accounts.roles import Actor, Level, Role
from fcatlas.errors import (
    AuthenticationError,
    ConfigError,
    ConflictError,
    NotFoundError,
    StorageError,
    ThrottledError,
)

#: the local part: dot-separated atoms of letters, digits and RFC 5322's atext signs (no quotes,
#: angle brackets, spaces or control characters; quoted local parts are not accepted)
_LOCAL_RE = re.compile(r"^[\w!#$%&'*+/=?^`{|}~-]+(\.[\w!#$%&'*+/=?^`{|}~-]+)*$")
#: a domain label after IDNA encoding (letters, digits, inner hyphens; at most 63 characters)
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
#: the one answer to every failed login, whatever the cause (no account enumeration)
LOGIN_FAILED = "fel e-postadress eller lösenord"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(ts: dt.datetime) -> dt.datetime:
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Throttle:
    """Failed logins allowed per window, per account and per address."""

    per_account: int = 5
    per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class UserInfo:
    """An account as shown to people (never the password hash)."""

    id: int
    email: str
    role: str
    lan_code: str | None
    level: str | None
    active: bool
    created_at: dt.datetime
    created_by: str


def normalise_email(email: str) -> str:
    """Trimmed and lower-cased; refused in Swedish when it is no e-mail address.

    The one check of an address, for the CLI and the web alike: a local part of letters, digits,
    dots and RFC 5322's atext signs, ``@``, and a domain of at least two labels (Swedish letters
    allowed, checked in their IDNA form) whose last is a top-level domain of letters.

    >>> normalise_email("  Anna.Andersson@RegionDalarna.se ")
    'anna.andersson@regiondalarna.se'
    >>> normalise_email('"><script>alert(1)</script>@x.se')
    Traceback (most recent call last):
    ...
    fcatlas.errors.ConfigError: '"><script>alert(1)</script>@x.se' är ingen giltig e-postadress
    """
    e = email.strip().lower()
    if not _valid_email(e):
        raise ConfigError(f"{email.strip()!r} är ingen giltig e-postadress")
    return e


def _valid_email(e: str) -> bool:
    if len(e) > 254 or e.count("@") != 1 or not e.isprintable():
        return False
    local, domain = e.split("@")
    if not (0 < len(local) <= 64) or not _LOCAL_RE.fullmatch(local):
        return False
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except (UnicodeError, ValueError):
        return False
    labels = ascii_domain.split(".")
    if len(labels) < 2 or len(ascii_domain) > 253 or not all(_LABEL_RE.fullmatch(x) for x in labels):
        return False
    top = labels[-1]
    return (top.isalpha() and len(top) >= 2) or top.startswith("xn--")


def _role_fields(role: str, lan_code: str | None, level: str | None) -> tuple[Role, str | None, Level | None]:
    try:
        r = Role(role)
    except ValueError:
        raise ConfigError(f"okänd roll {role!r}: välj 'nationell' eller 'region'") from None
    if r is Role.NATIONELL:
        if lan_code or level:
            raise ConfigError("rollen 'nationell' har inget län och ingen nivå (ta bort --lan och --niva)")
        return r, None, None
    if not lan_code:
        raise ConfigError("rollen 'region' kräver ett län (--lan, t.ex. 20 för Dalarnas län)")
    from fcatlas.geography.admin import lan_name

    code = lan_code.strip().zfill(2)
    lan_name(code)  # raises CodeError in Swedish for an unknown län
    try:
        lv = Level(level or Level.HANDLAGGARE.value)
    except ValueError:
        raise ConfigError(f"okänd nivå {level!r}: välj 'foretradare' eller 'handlaggare'") from None
    return r, code, lv


def _info(u: User) -> UserInfo:
    return UserInfo(u.id, u.email, u.role, u.lan_code, u.level, u.active, _aware(u.created_at), u.created_by)


def _get(session: Session, email: str) -> User:
    u = session.scalar(select(User).where(User.email == normalise_email(email)))
    if u is None:
        raise NotFoundError(f"det finns inget konto {email.strip()!r}")
    return u


def actor_of(user: User | UserInfo) -> Actor:
    """The acting user of an account."""
    if user.role == Role.NATIONELL.value:
        return Actor.national(user.email, user_id=user.id)
    return Actor.region_user(user.email, lan_code=user.lan_code or "", level=Level(user.level or Level.HANDLAGGARE),
                             user_id=user.id)


# -- accounts ---------------------------------------------------------------------------------
def add_user(session: Session, *, actor: Actor, email: str, password: str, role: str,
             lan_code: str | None = None, level: str | None = None,
             now: dt.datetime | None = None) -> UserInfo:
    """Create an account. A region account without ``level`` is a ``handlaggare``."""
    actor.require(actor.may_manage_accounts(), "skapa konton")
    e = normalise_email(email)
    r, lan, lv = _role_fields(role, lan_code, level)
    check_password_rules(password)
    if session.scalar(select(User.id).where(User.email == e)) is not None:
        raise ConflictError(f"kontot {e} finns redan")
    ts = now or utcnow()
    u = User(email=e, password_hash=hash_password(password), role=r.value, lan_code=lan,
             level=lv.value if lv else None, active=True, created_at=ts, created_by=actor.name,
             password_changed_at=ts)
    session.add(u)
    session.flush()
    return _info(u)


def list_users(session: Session, *, actor: Actor) -> list[UserInfo]:
    actor.require(actor.may_manage_accounts(), "se kontona")
    return [_info(u) for u in session.scalars(select(User).order_by(User.role, User.lan_code, User.email))]


def _end_logins(session: Session, user_id: int, now: dt.datetime) -> None:
    session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
    session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                    .values(revoked_at=now))


def disable_user(session: Session, *, actor: Actor, email: str, now: dt.datetime | None = None) -> UserInfo:
    """Disable an account: it can no longer log in; its sessions end and its tokens are revoked."""
    actor.require(actor.may_manage_accounts(), "stänga av konton")
    u = _get(session, email)
    u.active = False
    _end_logins(session, u.id, now or utcnow())
    return _info(u)


def set_password(session: Session, *, actor: Actor, email: str, password: str,
                 now: dt.datetime | None = None) -> UserInfo:
    """A new password (by the national level, or by the account itself); all its logins end."""
    u = _get(session, email)
    actor.require(actor.may_manage_accounts() or actor.user_id == u.id, "byta lösenord för andras konton")
    check_password_rules(password)
    ts = now or utcnow()
    u.password_hash = hash_password(password)
    u.password_changed_at = ts
    _end_logins(session, u.id, ts)
    return _info(u)


# -- API tokens -------------------------------------------------------------------------------
def create_token(session: Session, *, actor: Actor, email: str, days: int = 90,
                 lifetime: dt.timedelta | None = None, now: dt.datetime | None = None) -> tuple[str, dt.datetime]:
    """A new Bearer token for ``email`` valid ``days`` (or ``lifetime``): returned once, stored only
    as its digest."""
    u = _get(session, email)
    actor.require(actor.may_manage_accounts() or actor.user_id == u.id, "skapa nycklar för andras konton")
    if not u.active:
        raise ConfigError(f"kontot {u.email} är avstängt")
    if lifetime is None and not 1 <= days <= 366:
        raise ConfigError("en nyckel gäller 1–366 dagar")
    ts = now or utcnow()
    token = new_token()
    expires = ts + (lifetime or dt.timedelta(days=days))
    session.add(ApiToken(user_id=u.id, digest=token_digest(token), created_at=ts, expires_at=expires))
    session.flush()
    return token, expires


def revoke_tokens(session: Session, *, actor: Actor, email: str, now: dt.datetime | None = None) -> int:
    """Revoke every valid token of ``email``; returns how many."""
    u = _get(session, email)
    actor.require(actor.may_manage_accounts() or actor.user_id == u.id, "återkalla andras nycklar")
    res = session.execute(update(ApiToken).where(ApiToken.user_id == u.id, ApiToken.revoked_at.is_(None))
                          .values(revoked_at=now or utcnow()))
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


def actor_from_token(session: Session, *, token: str, now: dt.datetime | None = None) -> Actor:
    """The account behind a Bearer token, if valid, unrevoked, unexpired and the account active."""
    ts = now or utcnow()
    row = session.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                          .where(ApiToken.digest == token_digest(token))).first()
    if row is None:
        raise AuthenticationError("ogiltig eller utgången nyckel")
    tok, user = row
    if tok.revoked_at is not None or _aware(tok.expires_at) <= ts or not user.active:
        raise AuthenticationError("ogiltig eller utgången nyckel")
    return actor_of(user)


# -- logging in -------------------------------------------------------------------------------
def _failures(session: Session, key: str, since: dt.datetime) -> int:
    return int(session.scalar(select(func.count()).select_from(LoginAttempt)
                              .where(LoginAttempt.key == key, LoginAttempt.at > since)) or 0)


def authenticate(session: Session, *, email: str, password: str, address: str,
                 throttle: Throttle = Throttle(), now: dt.datetime | None = None) -> Actor:
    """Check e-mail and password, throttled per account and per address.

    Every failure gives the same message and records one attempt for the account and one for the
    address (the caller commits even on failure, so that attempts count across workers).
    """
    ts = now or utcnow()
    since = ts - throttle.window
    try:
        e = normalise_email(email)
    except ConfigError:
        e = email.strip().lower()[:254]
    keys = (f"konto:{e}", f"adress:{address}")
    if (_failures(session, keys[0], since) >= throttle.per_account
            or _failures(session, keys[1], since) >= throttle.per_address):
        minutes = int(throttle.window.total_seconds() // 60)
        raise ThrottledError(f"för många misslyckade inloggningar; försök igen om {minutes} minuter",
                             retry_after_s=int(throttle.window.total_seconds()))
    user = session.scalar(select(User).where(User.email == e))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        session.add_all([LoginAttempt(key=k, at=ts) for k in keys])
        session.flush()
        raise AuthenticationError(LOGIN_FAILED)
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == keys[0]))
    return actor_of(user)


def start_session(session: Session, *, actor: Actor, hours: int = 8,
                  now: dt.datetime | None = None) -> tuple[str, str]:
    """A new login session for ``actor`` (a fresh id at every login): ``(session_id, csrf_token)``."""
    if actor.user_id is None:
        raise StorageError("bara konton kan logga in")
    ts = now or utcnow()
    sid, csrf = new_token(), new_token()
    session.add(LoginSession(user_id=actor.user_id, digest=token_digest(sid), csrf_token=csrf,
                             created_at=ts, expires_at=ts + dt.timedelta(hours=hours)))
    session.flush()
    return sid, csrf


def session_actor(session: Session, *, session_id: str, now: dt.datetime | None = None) -> tuple[Actor, str]:
    """The actor and CSRF token of a valid login session."""
    ts = now or utcnow()
    row = session.execute(select(LoginSession, User).join(User, User.id == LoginSession.user_id)
                          .where(LoginSession.digest == token_digest(session_id))).first()
    if row is None or _aware(row[0].expires_at) <= ts or not row[1].active:
        raise AuthenticationError("inloggningen har gått ut; logga in igen")
    return actor_of(row[1]), row[0].csrf_token


def end_session(session: Session, *, session_id: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.digest == token_digest(session_id)))
