"""The mail configuration, from the settings (environment ``FCATLAS_SMTP_URL`` …).

>>> c = MailConfig.parse("smtp://anna%40x.se:hemligt@127.0.0.1:2525?starttls", "fcatlas@x.se",
...                      "https://fcatlas.example.se/")
>>> (c.host, c.port, c.tls, c.starttls, c.user, c.password, c.public_url)
('127.0.0.1', 2525, False, True, 'anna@x.se', 'hemligt', 'https://fcatlas.example.se')
>>> MailConfig.parse("smtps://mail.example.se", "a@x.se", "http://localhost:8000").port
465
>>> MailConfig.parse("", "", "") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from fcatlas.errors import ConfigError
from fcatlas.settings import Settings

NOT_CONFIGURED = ("ingen e-postserver är inställd (FCATLAS_SMTP_URL), så ingen e-post skickas")


@dataclass(frozen=True)
class MailConfig:
    """Where mail goes out, who sends it and where its links lead."""

    host: str
    port: int
    sender: str
    public_url: str
    tls: bool = False  # smtps://: TLS from the start
    starttls: bool = False  # smtp://…?starttls: upgraded after EHLO
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_s: float = 30.0

    @classmethod
    def parse(cls, url: str, sender: str, public_url: str) -> MailConfig | None:
        """The configuration of an SMTP URL; ``None`` when ``url`` is empty (no mail is sent)."""
        url = url.strip()
        if not url:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ConfigError(f"FCATLAS_SMTP_URL ska börja med smtp:// eller smtps:// (fick {parts.scheme or url!r})")
        try:
            port = parts.port
        except ValueError:
            raise ConfigError("FCATLAS_SMTP_URL har ett ogiltigt portnummer") from None
        if not parts.hostname:
            raise ConfigError("FCATLAS_SMTP_URL saknar servernamn, t.ex. smtp://127.0.0.1:2525")
        query = {k.lower() for k in parse_qs(parts.query, keep_blank_values=True)}
        unknown = query - {"starttls"}
        if unknown:
            raise ConfigError(f"FCATLAS_SMTP_URL: okänd inställning {', '.join(sorted(unknown))} (bara ?starttls)")
        if not sender.strip() or "@" not in sender:
            raise ConfigError("FCATLAS_MAIL_FROM ska vara avsändarens e-postadress när FCATLAS_SMTP_URL är satt")
        public = public_url.strip().rstrip("/")
        if not public.startswith(("http://", "https://")):
            raise ConfigError("FCATLAS_PUBLIC_URL ska vara webbtjänstens adress, t.ex. https://fcatlas.example.se, "
                              "när FCATLAS_SMTP_URL är satt (länkarna i e-posten leder dit)")
        tls = parts.scheme == "smtps"
        return cls(host=parts.hostname, port=port or (465 if tls else 25), sender=sender.strip(),
                   public_url=public, tls=tls, starttls="starttls" in query,
                   user=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password is not None else None)

    @classmethod
    def from_settings(cls, settings: Settings) -> MailConfig | None:
        return cls.parse(settings.smtp_url, settings.mail_from, settings.public_url)

    def link(self, path: str) -> str:
        """An absolute link to ``path`` of the web service."""
        return f"{self.public_url}{path}"
