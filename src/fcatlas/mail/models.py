"""The mail log (Alembic branch ``mail``, migration ``mail_0001``).

``mail_log`` — one row per mail: its kind, recipient (and the recipient's account), the round,
grant year and län it is about, who or what caused it, when it was sent, and a unique key
(``dedupe_key``) that a mail claims *before* it is sent: a second claim of the same key (the
next hourly ``fcatlas notify``, or one running at the same time) finds it taken and sends nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fcatlas.db import Base


class MailLog(Base):
    __tablename__ = "mail_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    recipient: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lan_code: Mapped[str | None] = mapped_column(String(2), nullable=True)
    round_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    grant_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    #: ``skickas`` (claimed, being sent), ``skickad`` or ``misslyckad``
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    caused_by: Mapped[str] = mapped_column(String(254), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
