"""The mail log on a SQLAlchemy ``Session`` (keyword-only functions; the caller commits).

A mail is *claimed* (:func:`claim`) in a transaction of its own that commits before the mail is
sent, and *finished* (:func:`finish`) after: sent, or failed with the reason. The key is unique,
so a claim is won once; a failed mail, or one claimed over an hour ago and never finished (its
process died), may be claimed again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from fcatlas.mail.models import MailLog

SENDING, SENT, FAILED = "skickas", "skickad", "misslyckad"
STATUS_LABELS = {SENDING: "skickas", SENT: "skickad", FAILED: "misslyckades"}
#: a claim older than this, never finished, is taken to be from a process that died
STALE = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Entry:
    """What a mail is about, as logged."""

    key: str
    kind: str
    recipient: str
    subject: str
    caused_by: str
    user_id: int | None = None
    lan_code: str | None = None
    round_year: int | None = None
    grant_year: int | None = None


@dataclass(frozen=True)
class LoggedMail:
    """A row of the mail log, as shown to the national level."""

    id: int
    kind: str
    recipient: str
    subject: str
    status: str
    error: str | None
    caused_by: str
    lan_code: str | None
    round_year: int | None
    grant_year: int | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


def _insert_new(session: Session, values: dict[str, object]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: whether the row was inserted (a concurrent
    insert of the same key waits for the other transaction and then inserts nothing)."""
    from sqlalchemy import Table
    from sqlalchemy.dialects import postgresql, sqlite

    table: Table = MailLog.__table__  # type: ignore[assignment]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    return session.execute(stmt.returning(table.c.id)).first() is not None


def claim(session: Session, *, entry: Entry, now: dt.datetime) -> bool:
    """Claim ``entry.key`` for sending: ``True`` when this caller won it (a new key, a failed
    one, or a stale claim), ``False`` when the mail was sent or is being sent by somebody else."""
    values: dict[str, object] = {
        "dedupe_key": entry.key[:300], "kind": entry.kind, "recipient": entry.recipient,
        "user_id": entry.user_id, "lan_code": entry.lan_code, "round_year": entry.round_year,
        "grant_year": entry.grant_year, "subject": entry.subject[:300], "status": SENDING, "error": None,
        "caused_by": entry.caused_by[:254], "created_at": now, "sent_at": None,
    }
    if _insert_new(session, values):
        return True
    retry = update(MailLog).where(
        MailLog.dedupe_key == values["dedupe_key"],
        or_(MailLog.status == FAILED, (MailLog.status == SENDING) & (MailLog.created_at < now - STALE)),
    ).values(status=SENDING, error=None, created_at=now, subject=values["subject"], caused_by=values["caused_by"])
    return bool(session.execute(retry).rowcount)  # type: ignore[attr-defined]


def finish(session: Session, *, key: str, error: str | None, now: dt.datetime) -> None:
    """Record how the claimed mail ``key`` went: sent (``error`` is ``None``) or failed."""
    session.execute(update(MailLog).where(MailLog.dedupe_key == key[:300]).values(
        status=SENT if error is None else FAILED, error=None if error is None else error[:500],
        sent_at=now if error is None else None))


def was_claimed(session: Session, *, key: str) -> bool:
    """Whether a mail with ``key`` has been sent or is being sent."""
    return session.scalar(select(MailLog.id).where(MailLog.dedupe_key == key[:300],
                                                   MailLog.status != FAILED)) is not None


def _aware(ts: dt.datetime | None) -> dt.datetime | None:
    return None if ts is None else ts if ts.tzinfo is not None else ts.replace(tzinfo=dt.UTC)


def entries(session: Session, *, limit: int = 200, recipient: str | None = None) -> list[LoggedMail]:
    """The newest mails first (at most ``limit``), optionally to one recipient."""
    stmt = select(MailLog).order_by(MailLog.created_at.desc(), MailLog.id.desc()).limit(limit)
    if recipient is not None:
        stmt = stmt.where(MailLog.recipient == recipient)
    return [LoggedMail(m.id, m.kind, m.recipient, m.subject, m.status, m.error, m.caused_by, m.lan_code,
                       m.round_year, m.grant_year, _aware(m.created_at) or m.created_at, _aware(m.sent_at))
            for m in session.scalars(stmt)]
