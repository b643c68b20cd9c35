"""Which areas are "areas of large exclusion" (områden där utanförskapet är stort).

The definition is always a parameter, never a constant. Two kinds exist:

* ``omradestyp:1,2`` — RegSO whose områdestyp (of the analysis year, or of a year stated as
  ``omradestyp:1,2@2022``) is in the given set. This is the default (types 1–2).
* ``lista:FILE`` — an explicit list of RegSO codes, e.g. Utanförskapets karta (SCB/Boverket 2024),
  one code per line or a CSV with a column ``regso_code``.

>>> d = parse_exclusion("omradestyp:1,2")
>>> d.label
'områdestyp 1, 2'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from fcatlas.errors import ConfigError, InputFileError
from fcatlas.files import read_input_bytes
from fcatlas.geography.codes import REGSO_RE
from fcatlas.geography.sources.textfile import decode_bytes, records, sniff_delimiter

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


def parse_exclusion(spec: str | None) -> ExclusionDefinition:
    """Parse ``omradestyp:1,2[@YYYY]`` or ``lista:FILE`` (also ``list:FILE``).

    Raises :class:`ConfigError` with a Swedish message on anything else.
    """
    text = (spec or DEFAULT_EXCLUSION).strip()
    kind, _, rest = text.partition(":")
    kind = kind.strip().lower()
    if kind in ("omradestyp", "områdestyp"):
        body, _, year_s = rest.partition("@")
        try:
            types = frozenset(int(p) for p in body.split(",") if p.strip())
        except ValueError:
            raise ConfigError(
                f"utanförskapsdefinitionen {text!r}: områdestyper ska vara heltal 1–5, t.ex. "
                "'omradestyp:1,2'"
            ) from None
        if not types or not types <= {1, 2, 3, 4, 5}:
            raise ConfigError(
                f"utanförskapsdefinitionen {text!r}: områdestyper ska vara heltal 1–5, t.ex. "
                "'omradestyp:1,2'"
            )
        year = None
        if year_s.strip():
            if not re.fullmatch(r"[0-9]{4}", year_s.strip()):
                raise ConfigError(f"utanförskapsdefinitionen {text!r}: året ska vara fyrsiffrigt")
            year = int(year_s)
        return ExclusionDefinition("omradestyp", types=types, year=year, spec=text)
    if kind in ("lista", "list"):
        path = Path(rest.strip())
        return ExclusionDefinition("lista", codes=read_code_list(path), source=str(path), spec=text)
    raise ConfigError(
        f"okänd utanförskapsdefinition {text!r}; använd 'omradestyp:1,2' (områdestyp per RegSO) "
        "eller 'lista:FIL' (t.ex. Utanförskapets karta, en RegSO-kod per rad)"
    )


def read_code_list(path: Path) -> frozenset[str]:
    """Read RegSO codes: one per line, or a CSV (``,``, ``;`` or tab) with column ``regso_code``;
    every line checked. UTF-8 (with or without BOM) or Windows-1252, as Excel saves it."""
    data = read_input_bytes(path)  # a regular file, within the size cap
    if not data.strip(b"\xef\xbb\xbf \r\n\t"):
        raise InputFileError(path, "filen är tom; väntat en RegSO-kod per rad")
    text = decode_bytes(path, data, ("utf-8-sig", "cp1252"))[0]
    codes: set[str] = set()
    first = text.split("\n", 1)[0]
    if "regso_code" in first.lower():
        recs = [r for r in records(path, text, sniff_delimiter(text)) if not r.blank]
        header = [h.strip().lower() for h in recs[0].fields]
        col = header.index("regso_code") if "regso_code" in header else None
        if col is None:
            raise InputFileError(path, f"kolumnen regso_code saknas i rubrikraden ({', '.join(header)})", row=1)
        for rec in recs[1:]:
            raw = rec.fields[col] if col < len(rec.fields) else ""
            _add_code(path, codes, raw, rec.line, "regso_code")
    else:
        for i, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                _add_code(path, codes, line, i, None)
    return frozenset(codes)


def _add_code(path: Path, codes: set[str], raw: str, row: int, column: str | None) -> None:
    code = raw.strip()
    if not REGSO_RE.match(code):
        raise InputFileError(
            path, f"{code!r} är ingen RegSO-kod (väntat KKKKRNNN, t.ex. 2080R001)", row=row, column=column
        )
    codes.add(code)
