"""Swedish number formatting shared by every room (imports nothing of ours)."""

from __future__ import annotations

import datetime as dt
import re


def thousands(value: object, sep: str = " ") -> str:
    """A whole number with Swedish digit grouping.

    >>> thousands(1500000)
    '1 500 000'
    >>> thousands(1500000, "\\u202f") == "1\\u202f500\\u202f000"
    True
    """
    return f"{int(value):,}".replace(",", sep)  # type: ignore[call-overload]


MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")
#: the time zone of every time a person reads (pages, mails, downloads)
TIME_ZONE = "Europe/Stockholm"


def local_time(ts: dt.datetime) -> dt.datetime:
    """A stored time (UTC, or naive = UTC) in Swedish time.

    >>> local_time(dt.datetime(2027, 1, 31, 13, 5, tzinfo=dt.UTC)).strftime("%H:%M")
    '14:05'
    """
    from zoneinfo import ZoneInfo

    ts = ts if ts.tzinfo is not None else ts.replace(tzinfo=dt.UTC)
    return ts.astimezone(ZoneInfo(TIME_ZONE))


def today() -> dt.date:
    """Today in Sweden (deadlines are Swedish days)."""
    return local_time(dt.datetime.now(dt.UTC)).date()


def swedish_date(d: dt.date | dt.datetime | None) -> str:
    """The one way a date is written for people: ``31 januari 2027`` (a time in Swedish time).

    >>> swedish_date(dt.date(2027, 1, 31)), swedish_date(dt.datetime(2027, 1, 31, 23, 30, tzinfo=dt.UTC))
    ('31 januari 2027', '1 februari 2027')
    """
    if d is None:
        return "–"
    if isinstance(d, dt.datetime):
        d = local_time(d).date()
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def swedish_time(ts: dt.datetime | None) -> str:
    """A time for people, in Swedish time: ``31 januari 2027 kl. 14.05``.

    >>> swedish_time(dt.datetime(2027, 1, 31, 13, 5, tzinfo=dt.UTC))
    '31 januari 2027 kl. 14.05'
    """
    if ts is None:
        return "–"
    t = local_time(ts)
    return f"{swedish_date(t.date())} kl. {t:%H.%M}"


def decimal_comma(value: float | None, digits: int = 6) -> str:
    """A number with a decimal comma (for people's CSV and pages); ``''`` for nothing.

    >>> decimal_comma(60.60712345, 5), decimal_comma(None)
    ('60,60712', '')
    """
    if value is None or value != value:
        return ""
    return f"{float(value):.{digits}f}".replace(".", ",")


#: Å, Ä and Ö after Z, in that order (Swedish alphabetical order); other letters as they are
_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}"})


def sort_key(value: object) -> str:
    """A name's place in a Swedish list: case does not matter, Å Ä Ö come after Z, and numbers
    are in the order of their value ("Falun 2" before "Falun 10").

    >>> sorted(["Falun 10", "Ösmo", "falun 2", "Ängelholm", "Åre", "Avesta"], key=sort_key)
    ['Avesta', 'falun 2', 'Falun 10', 'Åre', 'Ängelholm', 'Ösmo']
    """
    text = ("" if value is None else str(value)).lower().translate(_SWEDISH_ORDER)
    return re.sub(r"[0-9]+", lambda m: m.group().zfill(12), text)


def missing(value: object) -> bool:
    """Whether a cell holds no value: ``None``, a float NaN or pandas' ``NA`` (told by its type's
    name: this module imports no pandas).

    >>> import pandas as pd
    >>> [missing(v) for v in (None, float("nan"), pd.NA, 0, "", False)]
    [True, True, True, False, False, False]
    """
    return value is None or (isinstance(value, float) and value != value) or type(value).__name__ == "NAType"
