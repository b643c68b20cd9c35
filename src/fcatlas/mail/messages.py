"""The mails fcatlas sends, in Swedish, as plain text and HTML from the templates beside this file.

Each kind has one template ``templates/<kind>.txt``: its first line is ``Ämne: …`` (the subject),
the rest the plain-text body, paragraphs separated by blank lines; a paragraph that is only a
link becomes a link in the HTML part (``templates/_layout.html``). Dates are written
``31 oktober 2027``, times in Swedish time.

>>> m = build("lista_godkand", to="a@region.se", region="Region Dalarna", year=2027,
...           link="https://fcatlas.example.se/region")
>>> m.subject
'Region Dalarnas lista i omgången 2027 är godkänd'
>>> "https://fcatlas.example.se/region" in m.text, '<a href="https://fcatlas.example.se/region"' in m.html
(True, True)
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import jinja2

from fcatlas.fmt import local_time, swedish_date, swedish_time, thousands

TEMPLATES = Path(__file__).parent / "templates"
FOOTER = "Det här brevet skickades automatiskt av fcatlas, Socialstyrelsens tjänst för familjecentraler. " \
         "Svara inte på det."

#: every kind of mail, as the mail log names it
KIND_LABELS: dict[str, str] = {
    "konto_skapat": "Nytt konto (länk för att välja lösenord)",
    "losenord_aterstall": "Länk för att välja nytt lösenord",
    "omgang_oppnad": "Omgången har öppnat",
    "lista_returnerad": "Listan returnerad",
    "lista_godkand": "Listan godkänd",
    "lista_publicerad": "Listan publicerad",
    "bidrag_beslutat": "Statsbidraget beslutat",
    "rapport_returnerad": "Återrapporten returnerad",
    "rapport_godkand": "Återrapporten godkänd",
    "paminnelse_lista": "Påminnelse om listan",
    "forsenad_lista": "Listan är försenad",
    "paminnelse_rapport": "Påminnelse om återrapporten",
    "forsenad_rapport": "Återrapporten är försenad",
}


@functools.cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["html"]),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=False)
    env.filters["svdatum"] = swedish_date  # dates and times written as on the pages
    env.filters["svtid"] = swedish_time
    env.filters["kronor"] = lambda v: f"{thousands(int(v))} kr"
    return env


@dataclass(frozen=True)
class Message:
    """One mail to one recipient, as built (not yet sent)."""

    kind: str
    to: str
    subject: str
    text: str
    html: str

    def email(self, sender: str, now: dt.datetime | None = None) -> EmailMessage:
        """The MIME message: plain text with an HTML alternative."""
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = self.to
        msg["Subject"] = self.subject
        msg["Date"] = format_datetime(local_time(now or dt.datetime.now(dt.UTC)))
        msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(self.text)
        msg.add_alternative(self.html, subtype="html")
        return msg


@dataclass(frozen=True)
class _Paragraph:
    text: str
    lines: list[str]
    link: bool
    label: str


def _paragraphs(body: str) -> list[_Paragraph]:
    out = []
    for block in body.strip().split("\n\n"):
        block = block.strip("\n")
        if not block.strip():
            continue
        is_link = block.startswith(("http://", "https://", "/")) and not any(c.isspace() for c in block.strip())
        out.append(_Paragraph(block, block.split("\n"), is_link, block))
    return out


def build(kind: str, *, to: str, **context: Any) -> Message:
    """The message of ``kind`` to ``to`` with ``context`` filled in (every name the template uses)."""
    if kind not in KIND_LABELS:
        raise KeyError(kind)
    rendered = _env().get_template(f"{kind}.txt").render(**context)
    first, _, body = rendered.partition("\n")
    subject = first.removeprefix("Ämne:").strip()
    paragraphs = _paragraphs(body)
    text = "\n\n".join(p.text for p in paragraphs) + "\n\n-- \n" + FOOTER + "\n"
    html = _env().get_template("_layout.html").render(subject=subject, paragraphs=paragraphs, footer=FOOTER)
    return Message(kind, to, subject, text, html)
