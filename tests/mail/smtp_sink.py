"""A real SMTP server on loopback (aiosmtpd) that keeps every message it accepts."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
from email.message import EmailMessage
from typing import Any


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpSink:
    """``with SmtpSink() as sink:`` — an SMTP server on 127.0.0.1:``sink.port``; ``sink.messages``
    are the messages received (parsed), ``sink.url`` the ``FCATLAS_SMTP_URL`` that reaches it.
    With ``user``/``password`` it asks for AUTH LOGIN/PLAIN (over plain text, on loopback)."""

    def __init__(self, user: str | None = None, password: str | None = None) -> None:
        self.port = _free_port()
        self.user, self.password = user, password
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._lock = threading.Lock()
        self._controller: Any = None

    @property
    def url(self) -> str:
        auth = f"{self.user}:{self.password}@" if self.user else ""
        return f"smtp://{auth}127.0.0.1:{self.port}"

    def env(self, public_url: str = "http://fcatlas.test") -> dict[str, str]:
        return {"FCATLAS_SMTP_URL": self.url, "FCATLAS_MAIL_FROM": "fcatlas@socialstyrelsen.test",
                "FCATLAS_PUBLIC_URL": public_url}

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(msg)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self.user \
            and auth_data.password.decode() == self.password
        return AuthResult(success=ok)

    def __enter__(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        kwargs: dict[str, Any] = {}
        if self.user:
            kwargs = {"authenticator": self._authenticate, "auth_required": True, "auth_require_tls": False}
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **kwargs)
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.envelopes.clear()

    def wait_for(self, address: str, timeout: float = 10.0) -> EmailMessage:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            found = self.to(address)
            if found:
                return found[-1]
            time.sleep(0.05)
        raise AssertionError(f"inget brev till {address} (fick {[m['To'] for m in self.messages]})")


def text_of(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def link_token(msg: EmailMessage) -> str:
    """The one-time token of the password link in a mail."""
    m = re.search(r"valj-losenord\?token=([A-Za-z0-9_\-%]+)", text_of(msg))
    assert m, text_of(msg)
    from urllib.parse import unquote

    return unquote(m.group(1))
