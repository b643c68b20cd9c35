"""Tables of the accounts room (Alembic branch ``accounts``, migration ``accounts_0001``).

* ``accounts_users`` — one row per account; e-mail stored lower-cased and unique;
* ``accounts_tokens`` — API tokens (Bearer) for scripts: digest only, expiry, revocation;
* ``accounts_sessions`` — server-side login sessions of the web pages: digest of the session id,
  its CSRF token, expiry;
* ``accounts_login_failures`` — failed logins per account and per address in the current window,
  one row per key counted up atomically, for throttling across every worker (workers share
  nothing but the database; migration ``accounts_0002``);
* ``accounts_password_links`` — one-time links to choose a password (digest only, 72 hours, one use).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fcatlas.db import Base


class User(Base):
    __tablename__ = "accounts_users"
    __table_args__ = (
        CheckConstraint("role IN ('nationell', 'region')", name="role"),
        CheckConstraint("level IS NULL OR level IN ('foretradare', 'handlaggare')", name="level"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    lan_code: Mapped[str | None] = mapped_column(String(2), nullable=True)
    level: Mapped[str | None] = mapped_column(String(20), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    created_by: Mapped[str] = mapped_column(String(254), nullable=False)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ApiToken(Base):
    __tablename__ = "accounts_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id"), nullable=False, index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LoginSession(Base):
    __tablename__ = "accounts_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id"), nullable=False, index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    csrf_token: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class LoginFailure(Base):
    __tablename__ = "accounts_login_failures"

    #: ``konto:<e-mail>`` or ``adress:<ip>``
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    #: logins tried (and not succeeded) since ``since``
    failures: Mapped[int] = mapped_column(Integer, nullable=False)
    #: the start of the current window
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class PasswordLink(Base):
    """A one-time link to choose a password (``accounts_0003``): a new account's first, or a reset.

    Only the SHA-256 digest of the link's token is kept; the link works once (``used_at``) and
    until ``expires_at`` (72 hours)."""

    __tablename__ = "accounts_password_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id"), nullable=False, index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    #: ``nytt_konto`` or ``aterstall``
    purpose: Mapped[str] = mapped_column(String(20), nullable=False)
    created_by: Mapped[str] = mapped_column(String(254), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
