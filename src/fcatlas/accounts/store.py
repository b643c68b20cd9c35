"""Accounts, API tokens, login sessions and login throttling on a SQLAlchemy ``Session``.

Every function is keyword-only and takes the unit of work (``session``) and, where it changes
something on somebody's behalf, the acting user (``actor``); the permission check is its first
line. The caller commits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Table, case, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fcatlas.accounts.credentials import (
    check_password_rules,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)
from fcatlas.accounts.models import ApiToken, LoginFailure, LoginSession, PasswordLink, User
from fcatlas.accounts.roles import Actor, Level, Role
from fcatlas.errors import (
    AuthenticationError,
    ConfigError,
    ConflictError,
    NotFoundError,
    StorageError,
    ThrottledError,
)

#: the stored hash of an account that has not chosen a password yet: no password matches it
NO_PASSWORD = "!inget-losenord"
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
def add_user(session: Session, *, actor: Actor, email: str, password: str | None, role: str,
             lan_code: str | None = None, level: str | None = None,
             now: dt.datetime | None = None) -> UserInfo:
    """Create an account. A region account without ``level`` is a ``handlaggare``. Without a
    ``password`` the account cannot log in until it has chosen one (:func:`create_password_link`)."""
    actor.require(actor.may_manage_accounts(), "skapa konton")
    e = normalise_email(email)
    r, lan, lv = _role_fields(role, lan_code, level)
    if password is not None:
        check_password_rules(password)
    if session.scalar(select(User.id).where(User.email == e)) is not None:
        raise ConflictError(f"kontot {e} finns redan")
    ts = now or utcnow()
    u = User(email=e, password_hash=NO_PASSWORD if password is None else hash_password(password), role=r.value, lan_code=lan,
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
def _count_up(conn: Any, key: str, ts: dt.datetime, since: dt.datetime) -> int:
    """One more login for ``key`` in its window (a new window when the last began before
    ``since``): ``UPDATE … SET failures = failures + 1 … RETURNING failures``, atomic, so parallel
    logins each get their own number; a first login inserts the row."""
    t = cast(Table, LoginFailure.__table__)
    old = t.c.since <= since
    bump = (update(t).where(t.c.key == key)
            .values(failures=case((old, 1), else_=t.c.failures + 1), since=case((old, ts), else_=t.c.since))
            .returning(t.c.failures))
    n = conn.execute(bump).scalar()
    if n is None:
        try:
            with conn.begin_nested():
                conn.execute(insert(t).values(key=key, failures=1, since=ts))
            return 1
        except IntegrityError:  # another login inserted it meanwhile: count on it
            n = conn.execute(bump).scalar()
    return int(n or 0)


def _count_attempt(session: Session, keys: tuple[str, ...], ts: dt.datetime, since: dt.datetime) -> list[int]:
    """Count a login for each key *before* its password is checked, committed at once in a
    transaction of its own (every worker sees it while this login is still checking): each of N
    parallel logins gets its own number, and only the first ``per_account`` may check a password."""
    bind = session.get_bind()
    if isinstance(bind, Connection):  # a session on a caller's connection: counted in its transaction
        return [_count_up(session, k, ts, since) for k in keys]
    with bind.begin() as conn:
        return [_count_up(conn, k, ts, since) for k in keys]


def authenticate(session: Session, *, email: str, password: str, address: str,
                 throttle: Throttle = Throttle(), now: dt.datetime | None = None) -> Actor:
    """Check e-mail and password, throttled per account and per address.

    Every login counts for the account and the address before the password is checked (committed
    at once, see :func:`_count_attempt`); past the limit it is refused unchecked. A success
    clears the account's count and takes its own login off the address's. Every failure gives the
    same message.
    """
    ts = now or utcnow()
    try:
        e = normalise_email(email)
    except ConfigError:
        e = email.strip().lower()[:254]
    keys = (f"konto:{e}", f"adress:{address}")
    n_account, n_address = _count_attempt(session, keys, ts, ts - throttle.window)
    if n_account > throttle.per_account or n_address > throttle.per_address:
        minutes = int(throttle.window.total_seconds() // 60)
        raise ThrottledError(f"för många misslyckade inloggningar; försök igen om {minutes} minuter",
                             retry_after_s=int(throttle.window.total_seconds()))
    user = session.scalar(select(User).where(User.email == e))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        raise AuthenticationError(LOGIN_FAILED)
    t = cast(Table, LoginFailure.__table__)
    session.execute(delete(t).where(t.c.key == keys[0]))
    session.execute(update(t).where(t.c.key == keys[1], t.c.failures > 0).values(failures=t.c.failures - 1))
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


def enable_user(session: Session, *, actor: Actor, email: str) -> UserInfo:
    """Enable a disabled account again (it logs in with the password it had)."""
    actor.require(actor.may_manage_accounts(), "aktivera konton")
    u = _get(session, email)
    u.active = True
    return _info(u)


def change_own_password(session: Session, *, actor: Actor, current: str, new: str,
                        now: dt.datetime | None = None) -> UserInfo:
    """The acting account's new password, given its current one; all its logins end."""
    u = session.get(User, actor.user_id) if actor.user_id is not None else None
    if u is None or not u.active:
        raise AuthenticationError("du måste vara inloggad för att byta lösenord")
    if not verify_password(u.password_hash, current):
        raise AuthenticationError("det nuvarande lösenordet stämmer inte")
    return set_password(session, actor=actor, email=u.email, password=new, now=now)


def region_accounts(session: Session, *, lan_code: str | None = None) -> list[UserInfo]:
    """The active region accounts (of one län, or of every län): whom a region's mail goes to."""
    stmt = select(User).where(User.active.is_(True), User.role == Role.REGION.value)
    if lan_code is not None:
        stmt = stmt.where(User.lan_code == lan_code)
    return [_info(u) for u in session.scalars(stmt.order_by(User.lan_code, User.email))]


# -- one-time links to choose a password ------------------------------------------------------
#: how long a link works
LINK_LIFETIME = dt.timedelta(hours=72)
LINK_NEW_ACCOUNT, LINK_RESET = "nytt_konto", "aterstall"
LINK_INVALID = "länken är ogiltig, redan använd eller har gått ut; be Socialstyrelsen om en ny"


def create_password_link(session: Session, *, actor: Actor, email: str, purpose: str = LINK_RESET,
                         now: dt.datetime | None = None) -> tuple[str, UserInfo, dt.datetime]:
    """A new one-time link for ``email`` to choose a password: ``(token, account, expires_at)``.
    The token is returned once and stored only as its digest; earlier unused links of the account
    stop working."""
    actor.require(actor.may_manage_accounts(), "skicka länkar för att välja lösenord")
    if purpose not in (LINK_NEW_ACCOUNT, LINK_RESET):
        raise ConfigError(f"okänt syfte {purpose!r} för en lösenordslänk")
    u = _get(session, email)
    if not u.active:
        raise ConflictError(f"kontot {u.email} är avstängt; aktivera det först")
    ts = now or utcnow()
    session.execute(update(PasswordLink).where(PasswordLink.user_id == u.id, PasswordLink.used_at.is_(None))
                    .values(used_at=ts))
    token = new_token()
    expires = ts + LINK_LIFETIME
    session.add(PasswordLink(user_id=u.id, digest=token_digest(token), purpose=purpose, created_by=actor.name,
                             created_at=ts, expires_at=expires))
    session.flush()
    return token, _info(u), expires


def _valid_link(session: Session, token: str, now: dt.datetime) -> tuple[PasswordLink, User]:
    row = session.execute(select(PasswordLink, User).join(User, User.id == PasswordLink.user_id)
                          .where(PasswordLink.digest == token_digest(token))).first()
    if row is None or row[0].used_at is not None or _aware(row[0].expires_at) <= now or not row[1].active:
        raise AuthenticationError(LINK_INVALID)
    return row[0], row[1]


def password_link_account(session: Session, *, token: str, now: dt.datetime | None = None) -> UserInfo:
    """The account a valid, unused, unexpired link is for (:class:`AuthenticationError` otherwise)."""
    return _info(_valid_link(session, token, now or utcnow())[1])


def use_password_link(session: Session, *, token: str, password: str, now: dt.datetime | None = None) -> Actor:
    """Choose the password through a one-time link; the link is used up (once, also when two
    requests use it at the same time: only the one whose UPDATE finds it unused wins) and every
    login of the account ends."""
    ts = now or utcnow()
    link, user = _valid_link(session, token, ts)
    check_password_rules(password)
    used = session.execute(update(PasswordLink).where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None))
                           .values(used_at=ts))
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise AuthenticationError(LINK_INVALID)
    user.password_hash = hash_password(password)
    user.password_changed_at = ts
    _end_logins(session, user.id, ts)
    session.flush()
    return actor_of(user)
