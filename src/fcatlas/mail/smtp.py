"""Sending through an SMTP server (:mod:`smtplib`): one connection for a batch of messages.

A failure is returned per message (in Swedish), never raised: the caller logs it, and what was
sent before it stays sent.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from collections.abc import Callable, Iterable

from fcatlas.mail.config import MailConfig
from fcatlas.mail.messages import Message


def _connect(config: MailConfig) -> smtplib.SMTP:
    if config.tls:
        server: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout_s,
                                                context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(config.host, config.port, timeout=config.timeout_s)
    try:
        server.ehlo()
        if config.starttls:
            server.starttls(context=ssl.create_default_context())
            server.ehlo()
        if config.user:
            _login(server, config.user, config.password or "")
    except BaseException:
        server.close()
        raise
    return server


def _login(server: smtplib.SMTP, user: str, password: str) -> None:
    """AUTH as smtplib does it; AUTH PLAIN in UTF-8 (RFC 4616) for a user or password that is not
    ASCII, which :meth:`smtplib.SMTP.login` cannot send."""
    if (user + password).isascii():
        server.login(user, password)
        return
    blob = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, resp = server.docmd("AUTH", f"PLAIN {blob}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, resp)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "mottagaren nekades av e-postservern"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "e-postservern godtog inte användarnamnet eller lösenordet i FCATLAS_SMTP_URL"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"e-postservern svarade {exc.smtp_code}"
    if isinstance(exc, OSError):
        return f"e-postservern kunde inte nås ({type(exc).__name__})"
    return f"e-posten kunde inte skickas ({type(exc).__name__})"


def send(config: MailConfig, messages: Iterable[Message],
         done: Callable[[Message, str | None], None]) -> None:
    """Send ``messages`` over one connection; ``done(message, error)`` is called for each, with
    ``None`` when the server accepted it, else the reason in Swedish. A connection lost after a
    message is opened again for the next; a server that cannot be reached fails the rest."""
    server: smtplib.SMTP | None = None
    unreachable: str | None = None
    for m in messages:
        if unreachable is not None:  # no second wait for a server that could not be reached
            done(m, unreachable)
            continue
        try:
            if server is None:
                try:
                    server = _connect(config)
                except Exception as exc:  # noqa: BLE001 - every message is marked failed with the reason
                    unreachable = _reason(exc)
                    done(m, unreachable)
                    continue
            server.send_message(m.email(config.sender))
        except Exception as exc:  # noqa: BLE001 - one refused recipient does not stop the rest
            done(m, _reason(exc))
            if server is not None and isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
                server.close()
                server = None
            continue
        done(m, None)
    if server is not None:
        try:
            server.quit()
        except Exception:  # noqa: BLE001 - the messages are sent; a failing goodbye changes nothing
            server.close()
