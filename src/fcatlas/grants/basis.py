"""The basis of the grant key: children 0–6 years in areas of large exclusion, per region.

Two sources:

* :func:`basis_from_bundle` — sums ``children_0_6`` per län over the RegSO that an
  :class:`~fcatlas.geography.exclusion.ExclusionDefinition` marks, from an opened
  :class:`~fcatlas.geography.bundle.Bundle` (the caller opens it; no file access here beyond the
  bundle's own tables);
* :func:`read_basis_file` — a CSV table the user provides (``region_code;basis_children``,
  optional ``region_name``; ``;`` or ``,``; UTF-8 or Windows-1252).

Both return a :class:`Basis`: the table plus where it came from and whether any count is an
estimate (the shared data have no age breakdown, so a bundle built from them estimates children
0–6 as population × a share; annexes must say so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from fcatlas.errors import BundleError, InputFileError
from fcatlas.files import read_input_bytes
from fcatlas.grants.allocation import MAX_BASIS, _as_int, region_names
from fcatlas.tables import RawTable, read_table

if TYPE_CHECKING:
    from fcatlas.geography.bundle import Bundle
    from fcatlas.geography.exclusion import ExclusionDefinition

BASIS_COLUMNS = ["region_code", "region_name", "basis_children", "n_areas", "estimated"]


@dataclass
class Basis:
    """A basis table with its provenance.

    ``table`` has :data:`BASIS_COLUMNS`: one row per region (all 21 from a bundle; the file's
    rows from a file); ``n_areas`` is the number of exclusion areas (None from a file without
    that column); ``estimated`` whether any child count behind the row is an estimate.
    """

    table: pd.DataFrame
    source: str
    definition: str
    data_year: int | None = None
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    #: the definition the children were counted under (as data); ``None`` for a basis file
    exclusion: ExclusionDefinition | None = None

    @property
    def estimated(self) -> bool:
        return bool(self.table["estimated"].any())

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "definition": self.definition,
            "data_year": self.data_year,
            "estimated": self.estimated,
            "notes": list(self.notes),
            "sources": list(self.sources),
        }


ESTIMATE_NOTE = (
    "Antalet barn 0–6 år är skattat (folkmängd × andel barn 0–6 år) där åldersfördelning per "
    "område saknas i underlaget; beloppen är därför preliminära tills SCB:s faktiska antal används."
)


def basis_from_bundle(
    bundle: Bundle,
    exclusion: ExclusionDefinition,
    year: int | None = None,
) -> Basis:
    """Children 0–6 in the exclusion areas per län, from ``bundle`` for data year ``year``.

    Parameters
    ----------
    bundle : Bundle
        An opened bundle.
    exclusion : ExclusionDefinition
        Which RegSO count (e.g. ``parse_exclusion("omradestyp:1,2@2022")``).
    year : int, optional
        The data year of the child counts (default: the bundle's latest year).

    Raises :class:`BundleError` when an exclusion area has no child count.
    """
    y = bundle.check_year(year)
    for used in {y, exclusion.year} - {None} if exclusion.kind == "omradestyp" else set():
        note = bundle.incomplete_note(int(used))  # type: ignore[arg-type]
        if note:
            raise BundleError(note + " Bidragsnyckeln kan inte beräknas på ett ofullständigt år; bygg "
                              "datapaketet med en komplett fil eller välj ett annat år.")
    areas = bundle.areas(level="regso", year=y)
    mask = exclusion.mask(areas, bundle.omradestyp_by_year())
    hit = areas.loc[mask.to_numpy()]
    missing = hit.loc[hit["children_0_6"].isna(), "regso_code"].tolist()
    if missing:
        raise BundleError(
            f"datapaketet saknar antal barn 0–6 år {y} för {len(missing)} områden med stort "
            f"utanförskap (t.ex. {', '.join(missing[:5])}); underlaget kan inte beräknas"
        )
    names = region_names()
    rows = []
    for code in sorted(names):
        sub = hit.loc[hit["lan_code"] == code]
        est = sub["children_0_6_estimated"].fillna(False).astype(bool) if len(sub) else pd.Series([], dtype=bool)
        rows.append(
            {
                "region_code": code,
                "region_name": names[code],
                "basis_children": int(sub["children_0_6"].astype("int64").sum()) if len(sub) else 0,
                "n_areas": int(len(sub)),
                "estimated": bool(est.any()),
            }
        )
    table = pd.DataFrame(rows, columns=BASIS_COLUMNS)
    table["n_areas"] = table["n_areas"].astype("Int64")
    notes = []
    if table["estimated"].any():
        notes.append(ESTIMATE_NOTE)
        estimate = bundle.manifest.get("children_0_6_estimate") or {}
        if isinstance(estimate.get("share"), int | float):
            share = f"{100 * float(estimate['share']):.1f}".replace(".", ",")
            notes.append(
                f"I datapaketet är andelen barn 0–6 år satt till {share} % av folkmängden i varje område."
            )
    if getattr(bundle, "synthetic", False):
        notes.append("Datapaketet är syntetiskt (demodata); beloppen är bara ett exempel.")
    # the bundle by its name and date, never a local path (annexes are sent to others)
    label = getattr(bundle, "label", "") or "utan namn"
    created = str(bundle.manifest.get("created") or "")[:10]
    source = f"datapaket '{label}'" + (f", skapat {created}" if created else "")
    sources = []
    for src in bundle.manifest.get("sources", []) or []:
        if isinstance(src, dict):
            what = str(src.get("what", ""))
            pub = str(src.get("publisher", ""))
            f = str(src.get("file", ""))
            sources.append(", ".join(x for x in (pub, what, f) if x))
    return Basis(table, source=source, definition=exclusion.label, data_year=y, notes=notes, sources=sources,
                 exclusion=exclusion)


def read_basis_file(path: str | Path) -> Basis:
    """:func:`read_basis` of the file at ``path`` (read through :mod:`fcatlas.files`: a regular
    file within the byte cap)."""
    return read_basis(read_input_bytes(path), path)


def read_basis(data: bytes, name: str | Path) -> Basis:
    """Read a basis file's bytes (``name`` names it in messages): ``region_code``,
    ``basis_children``, optional ``region_name``, ``n_areas`` and ``estimated`` (``ja``/``nej``).
    A CSV in any separator and encoding the register accepts (:mod:`fcatlas.tables`), or XLSX;
    the header on row 1. Every problem is reported with file, row and column.
    """
    p = Path(name)
    table = read_table(data, p, check_headers=False, require_rows=False)
    if table.header_row != 1:
        raise InputFileError(p, "rubrikraden saknas; väntat region_code;basis_children på rad 1", row=1)
    header = [h.strip().lower() for h in table.headers]
    for col in ("region_code", "basis_children"):
        if col not in header:
            raise InputFileError(
                p,
                f"kolumnen {col!r} saknas; rubrikraden ska innehålla region_code och basis_children "
                f"(fick {', '.join(header)})",
                row=1,
            )
    known = {"region_code", "region_name", "basis_children", "n_areas", "estimated"}
    unknown = [h for h in header if h and h not in known]
    if unknown:
        raise InputFileError(
            p, f"okänd kolumn; tillåtna är {', '.join(sorted(known))}", row=1, column=unknown[0]
        )
    return _basis_rows(p, table, header)



def _basis_areas(p: Path, lineno: int, rec: dict[str, str]) -> int | None:
    """The optional number of areas of a basis row."""
    if not rec.get("n_areas"):
        return None
    n_areas = _as_int(rec["n_areas"])
    if n_areas is None or n_areas < 0:
        raise InputFileError(p, f"{rec['n_areas']!r} är inget antal", row=lineno, column="n_areas")
    return n_areas


def _basis_estimated(p: Path, lineno: int, rec: dict[str, str]) -> bool:
    """The optional 'estimated' flag of a basis row (ja/nej)."""
    if not rec.get("estimated"):
        return False
    flag = rec["estimated"].lower()
    if flag not in ("ja", "nej", "true", "false", "1", "0"):
        raise InputFileError(p, f"{rec['estimated']!r}: ange ja eller nej", row=lineno, column="estimated")
    return flag in ("ja", "true", "1")

def _basis_rows(p: Path, raw: RawTable, header: list[str]) -> Basis:
    names = region_names()
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for lineno, values in raw.rows:
        if raw.kind == "xlsx":  # a workbook's empty cells at the end of a row are not read
            values = values + [""] * (len(header) - len(values))
        if len(values) != len(header):
            raise InputFileError(
                p, f"raden har {len(values)} fält, rubrikraden {len(header)} (avgränsare {raw.delimiter!r})",
                row=lineno,
            )
        rec = dict(zip(header, (v.strip() for v in values), strict=True))
        code = rec["region_code"]
        if code.isdigit() and len(code) == 1:
            code = "0" + code
        if code not in names:
            raise InputFileError(
                p, f"{rec['region_code']!r} är ingen länskod (två siffror, t.ex. 18)", row=lineno, column="region_code"
            )
        if code in seen:
            raise InputFileError(
                p, f"regionen {code} finns redan på rad {seen[code]}", row=lineno, column="region_code"
            )
        seen[code] = lineno
        b = _as_int(rec["basis_children"])
        if rec["basis_children"] == "":
            raise InputFileError(p, "värdet saknas", row=lineno, column="basis_children")
        if b is None or b < 0 or b > MAX_BASIS:
            raise InputFileError(
                p,
                f"{rec['basis_children']!r} är inget icke-negativt heltal (antal barn 0–6 år)"
                if b is None or b < 0 else f"{b} barn är orimligt många (högst {MAX_BASIS})",
                row=lineno,
                column="basis_children",
            )
        n_areas = _basis_areas(p, lineno, rec)
        est = _basis_estimated(p, lineno, rec)
        rows.append(
            {
                "region_code": code,
                "region_name": rec.get("region_name") or names[code],
                "basis_children": b,
                "n_areas": n_areas,
                "estimated": est,
            }
        )
    if not rows:
        raise InputFileError(p, "filen har inga datarader")
    missing = [c for c in sorted(names) if c not in seen]
    if missing:
        # a region left out would silently lose its fixed part and its share
        listed = ", ".join(f"{c} {names[c]}" for c in missing)
        raise InputFileError(
            p,
            f"{len(missing)} av 21 regioner saknas i underlaget: {listed}. Underlaget ska ha en rad per region; "
            "skriv 0 för en region utan barn i områden med stort utanförskap",
            column="region_code",
        )
    table = pd.DataFrame(rows, columns=BASIS_COLUMNS)
    table["n_areas"] = table["n_areas"].astype("Int64")
    table["basis_children"] = table["basis_children"].astype("int64")
    notes = [ESTIMATE_NOTE] if table["estimated"].any() else []
    return Basis(table.sort_values("region_code").reset_index(drop=True), source=f"fil {p.name}",
                 definition="enligt underlagsfilen", notes=notes)
