"""Which areas are "areas of large exclusion" (områden där utanförskapet är stort).

The definition is always a parameter, never a constant. Two kinds exist:

* ``omradestyp:1,2`` — RegSO whose områdestyp (of the analysis year, or of a year stated as
  ``omradestyp:1,2@2022``) is in the given set. This is the default (types 1–2).
* ``lista:FILE`` — an explicit list of RegSO codes, e.g. Utanförskapets karta (SCB/Boverket 2024),
  one code per line or a CSV with a column ``regso_code``.

This module never opens a file: a face reads ``lista:FILE`` through the one table reader
(:mod:`fcatlas.tables`), turns the table into codes with :func:`codes_from_table` and passes them
to :func:`parse_exclusion` (see :mod:`fcatlas.cli.exclusion`).

>>> d = parse_exclusion("omradestyp:1,2")
>>> d.label
'områdestyp 1, 2'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from fcatlas.errors import ConfigError, InputFileError
from fcatlas.geography.codes import REGSO_RE

if TYPE_CHECKING:
    from fcatlas.tables import RawTable

DEFAULT_EXCLUSION = "omradestyp:1,2"


@dataclass(frozen=True)
class ExclusionDefinition:
    """A named, parameterised definition of areas of large exclusion."""

    kind: str  # "omradestyp" | "lista"
    types: frozenset[int] = frozenset()
    year: int | None = None  # None: the analysis year
    codes: frozenset[str] = frozenset()
    source: str = ""
    spec: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        """A Swedish label for tables, legends and reports."""
        if self.kind == "omradestyp":
            y = f" ({self.year})" if self.year else ""
            return "områdestyp " + ", ".join(str(t) for t in sorted(self.types)) + y
        return f"lista {Path(self.source).name} ({len(self.codes)} RegSO)"

    def mask(self, areas: pd.DataFrame, omradestyp_by_year: pd.DataFrame | None = None) -> pd.Series:
        """Boolean Series: which rows of ``areas`` are exclusion areas.

        ``areas`` needs ``regso_code`` and, for the områdestyp kind, ``omradestyp``. When the
        definition names its own year, ``omradestyp_by_year`` (long table ``regso_code, year,
        omradestyp``) supplies that year's types.
        """
        if self.kind == "lista":
            unknown = sorted(self.codes - set(areas["regso_code"].astype(str)))
            if unknown:
                # a code that does not exist would be counted in the label but not in the sums
                shown = ", ".join(unknown[:10]) + (f" … ({len(unknown)} st)" if len(unknown) > 10 else "")
                raise ConfigError(
                    f"listan {Path(self.source).name}: {len(unknown)} RegSO-koder finns inte i datapaketet: {shown}. "
                    "Rätta eller ta bort dem (RegSO-indelningen 2020)"
                )
            return areas["regso_code"].isin(self.codes)
        if self.year is not None:
            if omradestyp_by_year is None:
                raise ConfigError(
                    f"definitionen {self.spec!r} anger år {self.year}; områdestyp per år behövs"
                )
            t = omradestyp_by_year.loc[omradestyp_by_year["year"] == self.year]
            if t.empty:
                years = sorted(omradestyp_by_year["year"].dropna().unique().tolist())
                raise ConfigError(
                    f"områdestyp för {self.year} finns inte; tillgängliga år: "
                    + ", ".join(str(y) for y in years)
                )
            types = areas["regso_code"].map(t.set_index("regso_code")["omradestyp"])
        else:
            types = areas["omradestyp"]
        return types.isin(sorted(self.types)).fillna(False).astype(bool)

    @property
    def public_spec(self) -> str:
        """The definition as written, a list named by its file name (never a local path).

        >>> ExclusionDefinition("lista", codes=frozenset({"2080R001"}), source="/hem/a/karta.txt",
        ...                     spec="lista:/hem/a/karta.txt").public_spec
        'lista:karta.txt'
        """
        if self.kind == "lista":
            return f"lista:{Path(self.source).name}"
        return self.spec

    def to_dict(self) -> dict[str, object]:
        return {
            "spec": self.public_spec,
            "kind": self.kind,
            "label": self.label,
            "omradestyper": sorted(self.types),
            "year": self.year,
            "n_codes": len(self.codes) if self.kind == "lista" else None,
            "source": Path(self.source).name if self.source else None,
        }

    def to_data(self) -> dict[str, object]:
        """The definition as plain data to store (JSON): the kind, the områdestyper and their
        year, or a list's codes and file name (never a local path). :meth:`from_data` reads it back.

        >>> d = parse_exclusion("omradestyp:1,2@2022")
        >>> ExclusionDefinition.from_data(d.to_data()) == d, d.to_data()
        (True, {'kind': 'omradestyp', 'types': [1, 2], 'year': 2022})
        """
        if self.kind == "lista":
            return {"kind": "lista", "codes": sorted(self.codes), "source": Path(self.source).name}
        return {"kind": self.kind, "types": sorted(self.types), "year": self.year}

    @classmethod
    def from_data(cls, data: dict[str, object]) -> ExclusionDefinition:
        """The definition stored by :meth:`to_data` (its ``spec`` written again)."""
        if data.get("kind") == "lista":
            codes = data.get("codes")
            source = str(data.get("source") or "")
            return cls("lista", codes=frozenset(str(c) for c in codes) if isinstance(codes, list) else frozenset(),
                       source=source, spec=f"lista:{source}")
        types = data.get("types")
        typed = frozenset(int(str(t)) for t in types) if isinstance(types, list) else frozenset()
        year = data.get("year")
        y = None if year is None else int(str(year))
        spec = "omradestyp:" + ",".join(str(t) for t in sorted(typed)) + (f"@{y}" if y else "")
        return cls("omradestyp", types=typed, year=y, spec=spec)


def list_file(spec: str | None) -> str | None:
    """The file named by a ``lista:FILE`` definition (``None`` for any other definition).

    >>> list_file("lista:karta.csv"), list_file("omradestyp:1,2")
    ('karta.csv', None)
    """
    kind, _, rest = (spec or "").strip().partition(":")
    return rest.strip() if kind.strip().lower() in ("lista", "list") else None


def as_definition(exclusion: str | ExclusionDefinition | None) -> ExclusionDefinition:
    """A definition a face built passes through (e.g. from a ``lista:FIL`` it read); text is
    parsed by :func:`parse_exclusion` (``None``: the default ``omradestyp:1,2``)."""
    return exclusion if isinstance(exclusion, ExclusionDefinition) else parse_exclusion(exclusion)


def parse_exclusion(spec: str | None, codes: Iterable[str] | None = None) -> ExclusionDefinition:
    """Parse ``omradestyp:1,2[@YYYY]`` or ``lista:FILE`` (also ``list:FILE``).

    A list's RegSO ``codes`` are read by the caller (:func:`codes_from_table` on the file read by
    the face); without them a list definition is refused — this room opens no file.

    Raises :class:`ConfigError` with a Swedish message on anything else.
    """
    text = (spec or DEFAULT_EXCLUSION).strip()
    kind, _, rest = text.partition(":")
    kind = kind.strip().lower()
    if kind in ("omradestyp", "områdestyp"):
        return _omradestyp(text, rest)
    if kind in ("lista", "list"):
        source = rest.strip()
        if codes is None:
            raise ConfigError(
                f"utanförskapsdefinitionen {text!r}: listan {Path(source).name!r} har inte lästs; en lista "
                "anges bara på kommandoraden (--exclusion lista:FIL)"
            )
        return ExclusionDefinition("lista", codes=_checked(codes, source), source=source, spec=text)
    raise ConfigError(
        f"okänd utanförskapsdefinition {text!r}; använd 'omradestyp:1,2' (områdestyp per RegSO) "
        "eller 'lista:FIL' (t.ex. Utanförskapets karta, en RegSO-kod per rad)"
    )


def _omradestyp(text: str, rest: str) -> ExclusionDefinition:
    body, _, year_s = rest.partition("@")
    try:
        types = frozenset(int(p) for p in body.split(",") if p.strip())
    except ValueError:
        types = frozenset()
    if not types or not types <= {1, 2, 3, 4, 5}:
        raise ConfigError(
            f"utanförskapsdefinitionen {text!r}: områdestyper ska vara heltal 1–5, t.ex. 'omradestyp:1,2'"
        )
    year = None
    if year_s.strip():
        if not re.fullmatch(r"[0-9]{4}", year_s.strip()):
            raise ConfigError(f"utanförskapsdefinitionen {text!r}: året ska vara fyrsiffrigt")
        year = int(year_s)
    return ExclusionDefinition("omradestyp", types=types, year=year, spec=text)


def _checked(codes: Iterable[str], source: str) -> frozenset[str]:
    out = frozenset(str(c).strip() for c in codes)
    bad = sorted(c for c in out if not REGSO_RE.match(c))
    if bad:
        raise ConfigError(f"listan {Path(source).name}: {bad[0]!r} är ingen RegSO-kod (väntat KKKKRNNN, t.ex. 2080R001)")
    return out


def code_list_header(cells: Iterable[str]) -> bool:
    """The header row of a code list in CSV form: it has a column ``regso_code``."""
    return "regso_code" in {c.strip().lower() for c in cells}


def codes_from_table(table: RawTable) -> frozenset[str]:
    """RegSO codes of a list read by the one table reader (:func:`fcatlas.tables.read_table`
    with :func:`code_list_header`, headers left unchecked and no data rows required): the
    column ``regso_code`` of a CSV, or one code per line. Every code is checked; a bad one is an
    error naming the file, its row and (in a CSV) the column."""
    header = [h.strip().lower() for h in table.headers]
    codes: set[str] = set()
    if "regso_code" in header:
        col = header.index("regso_code")
        for row_no, cells in table.rows:
            _add_code(table.file, codes, cells[col] if col < len(cells) else "", row_no, "regso_code")
        return frozenset(codes)
    sep = table.delimiter or ";"
    for row_no, cells in [(table.header_row, table.headers), *table.rows]:
        _add_code(table.file, codes, sep.join(cells).strip(sep + " "), row_no, None)
    return frozenset(codes)


def _add_code(path: Path, codes: set[str], raw: str, row: int, column: str | None) -> None:
    code = raw.strip()
    if not REGSO_RE.match(code):
        raise InputFileError(
            path, f"{code!r} är ingen RegSO-kod (väntat KKKKRNNN, t.ex. 2080R001)", row=row, column=column
        )
    codes.add(code)
