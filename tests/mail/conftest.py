"""The mail tests send to a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mail.smtp_sink import SmtpSink  # tests/ is on sys.path (rootdir-relative packages)


@pytest.fixture
def smtp_sink(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpSink]:
    """A running SMTP server that collects messages, and the environment pointing fcatlas at it
    (FCATLAS_SMTP_URL, FCATLAS_MAIL_FROM, FCATLAS_PUBLIC_URL)."""
    pytest.importorskip("aiosmtpd")
    with SmtpSink() as sink:
        for k, v in sink.env().items():
            monkeypatch.setenv(k, v)
        yield sink
