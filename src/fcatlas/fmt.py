"""Swedish number formatting shared by every room (imports nothing of ours)."""

from __future__ import annotations


def thousands(value: object, sep: str = " ") -> str:
    """A whole number with Swedish digit grouping.

    >>> thousands(1500000)
    '1 500 000'
    >>> thousands(1500000, "\\u202f") == "1\\u202f500\\u202f000"
    True
    """
    return f"{int(value):,}".replace(",", sep)  # type: ignore[call-overload]
