"""Secrets: argon2id password hashes and random tokens kept only as digests.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile).
Tokens (API tokens, login session ids, CSRF tokens) are 32 random bytes; the database keeps
their SHA-256 digest, never the token itself.

>>> h = hash_password("ett långt lösenord")
>>> h.startswith("$argon2id$"), verify_password(h, "ett långt lösenord"), verify_password(h, "fel")
(True, True, False)
>>> len(token_digest("abc"))
64
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from fcatlas.errors import ConfigError

_HASHER = PasswordHasher()
#: a hash to verify against when the account does not exist, so both answers take as long; made on
#: first use (one argon2 hash, ~0.1 s), not at import, which every CLI command and test process paid
_dummy_hash: list[str] = []
_dummy_lock = threading.Lock()

#: argon2 hashes (64 MiB each) running at once in this process; see :func:`limit_concurrent_hashes`
_SLOTS = threading.BoundedSemaphore(2)
#: password checks made by this process (a count, for the throttle's tests and for operators)
_checked = [0]
_count_lock = threading.Lock()


def limit_concurrent_hashes(n: int) -> None:
    """At most ``n`` password hashes or checks at once in this process (the web service sets it
    from ``FCATLAS_LOGIN_SAMTIDIGA``, default 2); the others wait their turn, so a burst of
    logins cannot take a worker's memory."""
    global _SLOTS
    _SLOTS = threading.BoundedSemaphore(max(1, n))


def password_checks() -> int:
    """How many passwords this process has checked against a hash."""
    return _checked[0]


MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short or too long (Swedish message)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ConfigError(f"lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ConfigError(f"lösenordet får ha högst {MAX_PASSWORD_LENGTH} tecken")
    if "\x00" in password:
        raise ConfigError("lösenordet får inte innehålla NUL-tecken")


def _dummy() -> str:
    """The dummy hash, made once per process (the first caller makes it, the others wait for it)."""
    if not _dummy_hash:
        with _dummy_lock:
            if not _dummy_hash:
                _dummy_hash.append(_HASHER.hash("fcatlas-ingen-sadan-anvandare"))
    return _dummy_hash[0]


def hash_password(password: str) -> str:
    with _SLOTS:
        return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; a missing hash is checked against a dummy (same time)."""
    with _SLOTS:
        with _count_lock:
            _checked[0] += 1
        try:
            return _HASHER.verify(stored_hash or _dummy(), password) and stored_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def new_token() -> str:
    """A new random token, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two strings."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
