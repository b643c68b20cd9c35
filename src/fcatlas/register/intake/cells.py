"""The cells of a region's list: text as a person typed it, turned into values by the unit
rules (:mod:`fcatlas.register.rules`), and the stable id of a unit."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from fcatlas.register import rules


def make_unit_id(kommun_code: str, name: str) -> str:
    """Stable id from kommun and name: ``2080-familjecentral-britsarvet``.

    >>> make_unit_id("2080", "Familjecentral Britsarvet")
    '2080-familjecentral-britsarvet'
    """
    t = unicodedata.normalize("NFKD", name).lower()
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    slug = re.sub(r"[^0-9a-z]+", "-", t).strip("-")
    digest = hashlib.sha1(unicodedata.normalize("NFC", name.strip().lower()).encode()).hexdigest()[:10]
    if not slug:
        return f"{kommun_code}-x{digest}"
    if len(slug) > 70:
        slug = slug[:60].rstrip("-") + "-" + digest
    return f"{kommun_code}-{slug}"


def kommun_of_cells(cells: dict[str, str], labels: dict[str, str]) -> str:
    """The kommun of a row: its code, its name, or both (which must agree)."""
    return rules.kommun(cells.get("kommun_code", ""), cells.get("kommun_name", ""), labels)


def check_cells(cells: dict[str, str], labels: dict[str, str]) -> None:
    """Text hygiene of every cell first: never cut or clean silently."""
    for f, value in cells.items():
        rules.check_text(f, value, labels[f])


def cell(cells: dict[str, str], f: str) -> str | None:
    """A cell's text without surrounding space, ``None`` when blank or absent."""
    v = cells.get(f, "").strip()
    return v or None
