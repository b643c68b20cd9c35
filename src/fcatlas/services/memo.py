"""What a service may be handed to remember its finished computations: a :class:`Memo`.

Services are plain functions and keep nothing between calls. A face that answers many requests
(the web service) passes its own store (:class:`fcatlas.web.cache.Computed`) as ``memo=``; the key
a service gives holds everything the result depends on — the database, the picture's data
version (:func:`fcatlas.services.units.data_version`), the bundle and the parameters — so a
change of the data is a new key, never a stale hit. Without a memo (the CLI, the tests) the
result is computed directly.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")


class Memo(Protocol):
    """A store of finished results, keyed by what they depend on."""

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result remembered under ``key``, else ``compute()`` (remembered under ``key``)."""
        ...


def remembered(memo: Memo | None, key: Callable[[], Hashable], compute: Callable[[], T]) -> T:
    """``compute()`` through ``memo`` under ``key()`` (the key is only built when there is a
    memo: it may cost a query), or directly without one."""
    if memo is None:
        return compute()
    return memo.get_or_compute(key(), compute)


def database_of(session: Session) -> str:
    """The database ``session`` works on, as part of a key (its URL without the password)."""
    return str(session.get_bind().engine.url)
