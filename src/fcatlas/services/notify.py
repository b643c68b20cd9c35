"""E-mail as the use cases send it: event mails after a change commits, and the due reminders.

* **Event mails** — an account created or a password link sent; a round opened; a region's list
  returned (with the comment), approved or published; a grant year decided; a grant report
  returned or approved. The service that makes the change calls one of the ``*_mail`` functions
  here in its transaction: the mails are *queued on the session* and sent only after that
  transaction commits (nothing is sent for a change that is rolled back).
* **Reminders** (:func:`queue_reminders`, ``fcatlas notify``) — 14 and 3 days before the deadline
  of a round or of a grant report to the regions that have not submitted, and once when it is
  overdue.

Every mail is claimed in the mail log under a unique key before it is sent and logged with its
recipient and time after (:mod:`fcatlas.mail.log`): a reminder already sent, or being sent by
another run at the same time, is not sent again, so ``fcatlas notify`` can run every hour.

The SMTP server comes from ``session.info["fcatlas.mail"]`` when a face or a test put a
:class:`~fcatlas.mail.config.MailConfig` (or ``None``: no mail) there, else from the environment
(``FCATLAS_SMTP_URL``, ``FCATLAS_MAIL_FROM``, ``FCATLAS_PUBLIC_URL``). With no SMTP server nothing
is queued or sent, and :func:`mail_config` tells the caller so.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, SessionTransaction

from fcatlas.accounts import store as accounts_store
from fcatlas.accounts.roles import Actor
from fcatlas.db import utcnow as utcnow  # the services stamp their mails with it
from fcatlas.fmt import local_time
from fcatlas.geography.admin import region_name
from fcatlas.mail import log as mail_log
from fcatlas.mail import messages, smtp
from fcatlas.mail.config import NOT_CONFIGURED as NOT_CONFIGURED
from fcatlas.mail.config import MailConfig
from fcatlas.mail.log import LoggedMail as LoggedMail
from fcatlas.mail.messages import KIND_LABELS as KIND_LABELS
from fcatlas.settings import Settings

CONFIG_KEY = "fcatlas.mail"
_OUTBOX_KEY = "fcatlas.mail.utkorg"
_HOOKED_KEY = "fcatlas.mail.krok"
#: days before a deadline at which a reminder goes out
REMINDER_DAYS = (14, 3)

REGION_PAGE = "/region"
GRANT_PAGE = "/region/statsbidrag"
PASSWORD_PAGE = "/konto/valj-losenord"

_log = logging.getLogger("fcatlas.mail")


def mail_config(session: Session) -> MailConfig | None:
    """The SMTP configuration mail from this session goes through; ``None``: no mail is sent."""
    if CONFIG_KEY in session.info:
        config: MailConfig | None = session.info[CONFIG_KEY]
        return config
    return MailConfig.from_settings(Settings.from_env())


def use_mail(session: Session, config: MailConfig | None) -> None:
    """Send this session's mail through ``config`` (``None``: send none), whatever the environment says."""
    session.info[CONFIG_KEY] = config


# -- the outbox of a session ------------------------------------------------------------------
@dataclass(frozen=True)
class Outgoing:
    """A mail to send, with what its log entry says."""

    message: messages.Message
    entry: mail_log.Entry


@dataclass
class Delivery:
    """The mails a change queued; filled in when they have been sent (after the commit)."""

    configured: bool
    queued: list[Outgoing] = field(default_factory=list)
    #: (mail, None when sent, else the reason) for every mail this process claimed and tried
    outcomes: list[tuple[Outgoing, str | None]] = field(default_factory=list)
    #: mails left out because their key was already claimed (sent before, or by another run)
    skipped: list[Outgoing] = field(default_factory=list)

    @property
    def sent(self) -> list[Outgoing]:
        return [o for o, err in self.outcomes if err is None]

    @property
    def failed(self) -> list[tuple[Outgoing, str]]:
        return [(o, err) for o, err in self.outcomes if err is not None]


def _queue(session: Session, outgoing: list[Outgoing]) -> Delivery:
    """Send ``outgoing`` once the session's transaction commits."""
    config = mail_config(session)
    delivery = Delivery(configured=config is not None, queued=outgoing if config is not None else [])
    if config is None or not outgoing:
        return delivery
    session.info.setdefault(_OUTBOX_KEY, []).append(delivery)
    if not session.info.get(_HOOKED_KEY):
        session.info[_HOOKED_KEY] = True
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_soft_rollback", _after_rollback)
    return delivery


def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint: its mails are not sent
        session.info.pop(_OUTBOX_KEY, None)


def _after_commit(session: Session) -> None:
    deliveries: list[Delivery] = session.info.pop(_OUTBOX_KEY, [])
    if not deliveries:
        return
    config = mail_config(session)
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    for delivery in deliveries:
        if config is None:
            continue
        try:
            deliver(engine, config, delivery)
        except Exception:  # noqa: BLE001 - the change is committed; a mail that fails must not undo it
            _log.exception("e-posten efter ändringen kunde inte skickas")


def deliver(engine: Engine, config: MailConfig, delivery: Delivery) -> None:
    """Claim each queued mail in the log (its own committed transaction), send the ones won, and
    log each as sent or failed as soon as the server has answered."""
    won: list[Outgoing] = []
    with Session(engine) as s, s.begin():
        for o in delivery.queued:
            (won if mail_log.claim(s, entry=o.entry, now=utcnow()) else delivery.skipped).append(o)
    by_message = {id(o.message): o for o in won}

    def done(message: messages.Message, error: str | None) -> None:
        o = by_message[id(message)]
        delivery.outcomes.append((o, error))
        with Session(engine) as s, s.begin():
            mail_log.finish(s, key=o.entry.key, error=error, now=utcnow())

    smtp.send(config, [o.message for o in won], done)


# -- building the mails -----------------------------------------------------------------------
def _region_mails(session: Session, config: MailConfig, *, kind: str, lan: str, key: str, actor: Actor,
                  path: str, round_year: int | None = None, grant_year: int | None = None,
                  **context: Any) -> list[Outgoing]:
    """One mail of ``kind`` to every active account of region ``lan``; the log key is ``key``
    and the recipient."""
    out = []
    for u in accounts_store.region_accounts(session, lan_code=lan):
        m = messages.build(kind, to=u.email, region=region_name(lan), link=config.link(path), **context)
        out.append(Outgoing(m, mail_log.Entry(key=f"{key}:{u.email}", kind=kind, recipient=u.email,
                                              subject=m.subject, caused_by=actor.name, user_id=u.id, lan_code=lan,
                                              round_year=round_year, grant_year=grant_year)))
    return out


def round_opened_mail(session: Session, *, actor: Actor, year: int, deadline: dt.date) -> Delivery:
    """Every region's accounts: round ``year`` is open, with its deadline."""
    config = mail_config(session)
    if config is None:
        return Delivery(configured=False)
    from fcatlas.geography.admin import lan_table

    out: list[Outgoing] = []
    for lan in sorted(lan_table()["lan_code"]):
        out += _region_mails(session, config, kind="omgang_oppnad", lan=lan, key=f"omgang_oppnad:{year}",
                             actor=actor, path=REGION_PAGE, round_year=year, year=year, deadline=deadline)
    return _queue(session, out)


def list_mail(session: Session, *, actor: Actor, kind: str, year: int, lan: str, at: dt.datetime,
              comment: str | None = None, deadline: dt.date | None = None) -> Delivery:
    """A region's accounts: its list in round ``year`` was returned (``lista_returnerad``, with the
    comment and the deadline), approved (``lista_godkand``) or published (``lista_publicerad``)."""
    config = mail_config(session)
    if config is None:
        return Delivery(configured=False)
    return _queue(session, _region_mails(
        session, config, kind=kind, lan=lan, key=f"{kind}:{year}:{lan}:{at.isoformat()}", actor=actor,
        path=REGION_PAGE, round_year=year, year=year, comment=comment or "", deadline=deadline))


def published_mails(session: Session, *, actor: Actor, year: int, lans: list[str], at: dt.datetime) -> Delivery:
    """The accounts of every region whose approved list round ``year`` published."""
    config = mail_config(session)
    if config is None:
        return Delivery(configured=False)
    out: list[Outgoing] = []
    for lan in lans:
        out += _region_mails(session, config, kind="lista_publicerad", lan=lan,
                             key=f"lista_publicerad:{year}:{lan}:{at.isoformat()}", actor=actor, path=f"/?lan={lan}",
                             round_year=year, year=year)
    return _queue(session, out)


def grant_decided_mails(session: Session, *, actor: Actor, year: int, amounts: dict[str, int],
                        deadline: dt.date) -> Delivery:
    """The accounts of every region with an amount: the grant for ``year`` is decided."""
    config = mail_config(session)
    if config is None:
        return Delivery(configured=False)
    out: list[Outgoing] = []
    for lan, amount in sorted(amounts.items()):
        if amount > 0:
            out += _region_mails(session, config, kind="bidrag_beslutat", lan=lan, key=f"bidrag_beslutat:{year}:{lan}",
                                 actor=actor, path=GRANT_PAGE, grant_year=year, year=year, amount=amount,
                                 deadline=deadline)
    return _queue(session, out)


def report_mail(session: Session, *, actor: Actor, kind: str, year: int, lan: str, at: dt.datetime,
                comment: str | None = None) -> Delivery:
    """A region's accounts: its grant report for ``year`` was returned (``rapport_returnerad``,
    with the comment) or approved (``rapport_godkand``)."""
    config = mail_config(session)
    if config is None:
        return Delivery(configured=False)
    return _queue(session, _region_mails(
        session, config, kind=kind, lan=lan, key=f"{kind}:{year}:{lan}:{at.isoformat()}", actor=actor,
        path=GRANT_PAGE, grant_year=year, year=year, comment=comment or ""))


@dataclass(frozen=True)
class PasswordLink:
    """A one-time link to choose a password, as made for an account."""

    account: accounts_store.UserInfo
    #: the link: absolute when mail is configured, else the path (the page shows it to pass on)
    link: str
    expires_at: dt.datetime
    delivery: Delivery

    @property
    def mailed(self) -> bool:
        """Whether the link goes out by e-mail (after the commit); else the caller hands it over."""
        return self.delivery.configured


def password_link_mail(session: Session, *, actor: Actor, account: accounts_store.UserInfo, token: str,
                       expires_at: dt.datetime, new_account: bool) -> PasswordLink:
    """The account's one-time link (``konto_skapat`` for a new account, else ``losenord_aterstall``),
    mailed to the account after the commit. The token is in the mail only, never in the log."""
    from urllib.parse import quote

    from fcatlas.accounts.roles import LEVEL_LABELS, Level

    path = f"{PASSWORD_PAGE}?token={quote(token)}"
    config = mail_config(session)
    if config is None:
        return PasswordLink(account, path, expires_at, Delivery(configured=False))
    kind = "konto_skapat" if new_account else "losenord_aterstall"
    role = ("Socialstyrelsen" if account.role == "nationell"
            else f"{region_name(account.lan_code or '')}, {LEVEL_LABELS[Level(account.level or 'handlaggare')]}")
    m = messages.build(kind, to=account.email, email=account.email, role=role, created_by=actor.name,
                       valid_until=expires_at, link=config.link(path))
    entry = mail_log.Entry(key=f"{kind}:{account.id}:{expires_at.isoformat()}", kind=kind, recipient=account.email,
                           subject=m.subject, caused_by=actor.name, user_id=account.id, lan_code=account.lan_code)
    return PasswordLink(account, config.link(path), expires_at, _queue(session, [Outgoing(m, entry)]))


# -- reminders --------------------------------------------------------------------------------
def reminder_stage(deadline: dt.date, today: dt.date) -> str | None:
    """Which reminder is due on ``today`` for ``deadline``: ``'14'`` (14 days or fewer left),
    ``'3'`` (3 or fewer), ``'forsenad'`` (past it) or ``None`` (more than 14 days left). A run
    that missed a stage sends only the latest one.

    >>> [reminder_stage(dt.date(2027, 10, 31), dt.date(2027, 10, d)) for d in (16, 17, 28, 31)]
    [None, '14', '3', '3']
    >>> reminder_stage(dt.date(2027, 10, 31), dt.date(2027, 11, 1))
    'forsenad'
    """
    days = (deadline - today).days
    if days < 0:
        return "forsenad"
    for limit in sorted(REMINDER_DAYS):
        if days <= limit:
            return str(limit)
    return None


def _round_reminders(session: Session, config: MailConfig, actor: Actor, today: dt.date) -> list[Outgoing]:
    from fcatlas.geography.admin import lan_table
    from fcatlas.register import rounds as round_store
    from fcatlas.register.workflow import RegionStatus, RoundStatus

    out: list[Outgoing] = []
    for r in round_store.list_rounds(session):
        if r.status is not RoundStatus.OPEN:
            continue
        states = round_store.region_states(session, year=r.year)
        for lan in sorted(lan_table()["lan_code"]):
            s = states.get(lan)
            if s is not None and s.status not in (RegionStatus.OPEN, RegionStatus.RETURNED):
                continue
            deadline = (s.deadline if s is not None else None) or r.deadline  # a region's own, else the round's
            stage = reminder_stage(deadline, today)
            if stage is None:
                continue
            kind = "forsenad_lista" if stage == "forsenad" else "paminnelse_lista"
            out += _region_mails(session, config, kind=kind, lan=lan, key=f"{kind}:{r.year}:{lan}:{deadline}:{stage}",
                                 actor=actor, path=REGION_PAGE, round_year=r.year, year=r.year, deadline=deadline,
                                 days=(deadline - today).days)
    return out


def _report_reminders(session: Session, config: MailConfig, actor: Actor, today: dt.date) -> list[Outgoing]:
    from fcatlas.grants.followup import ReportStatus
    from fcatlas.grants.store import GrantStore

    due = (ReportStatus.NOT_STARTED, ReportStatus.DRAFT, ReportStatus.RETURNED)
    out: list[Outgoing] = []
    for v in GrantStore.in_session(session).reports():
        stage = reminder_stage(v.deadline, today)
        if v.status not in due or stage is None:
            continue
        lan, year = v.data.region_code, v.data.year
        kind = "forsenad_rapport" if stage == "forsenad" else "paminnelse_rapport"
        out += _region_mails(session, config, kind=kind, lan=lan, key=f"{kind}:{year}:{lan}:{v.deadline}:{stage}",
                             actor=actor, path=GRANT_PAGE, grant_year=year, year=year, deadline=v.deadline,
                             days=(v.deadline - today).days)
    return out


def queue_reminders(session: Session, *, actor: Actor, today: dt.date | None = None) -> Delivery:
    """Queue the reminders due on ``today`` (default: today in Swedish time) that have not been
    sent: they go out when the caller commits. ``Delivery.configured`` is ``False`` when no SMTP
    server is configured (nothing is queued)."""
    actor.require(actor.may_review(), "skicka påminnelser")
    config = mail_config(session)
    if config is None:
        return Delivery(configured=False)
    day = today or local_time(utcnow()).date()
    due = _round_reminders(session, config, actor, day) + _report_reminders(session, config, actor, day)
    return _queue(session, [o for o in due if not mail_log.was_claimed(session, key=o.entry.key)])


def mail_log_entries(session: Session, *, actor: Actor, limit: int = 200) -> list[LoggedMail]:
    """The mail log, newest first (the national level)."""
    actor.require(actor.may_manage_accounts(), "se e-postloggen")
    return mail_log.entries(session, limit=limit)
