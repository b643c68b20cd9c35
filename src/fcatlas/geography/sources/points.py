"""Point tables for siting: demand points, candidate sites and long cost tables (CSV or XLSX).

CSV files are decoded and their separator sniffed by :mod:`.textfile` (``;``, ``,`` or tab;
UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252). Column names are matched without
regard to case, and a few Swedish and publishers' names are understood (``namn``, ``vikt``,
``latitud``, ``Latitude``, ``Populärnamn`` …). Every bad cell is reported with file, row and
column; nothing is dropped silently.

Demand: ``id, weight`` and ``x, y`` (metres, projected) or ``lat, lon`` (WGS 84).
Candidates: ``id`` and coordinates; optional ``name``, ``fixed`` (1 = existing) and ``kommun``.
Costs: ``candidate, demand, distance`` (metres).

The points are read without pandas (:func:`read_point_table`: lists and numpy arrays), so that
``fcatlas site`` on two CSV files starts fast (issue 24.5); :func:`read_points` gives the same
table as a DataFrame, and the cost table is read with pandas.

>>> _number("1 234,5")
1234.5
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from fcatlas.errors import InputFileError, Problem, problems_error
from fcatlas.geography.sources.textfile import decode_bytes, records, sniff_delimiter

if TYPE_CHECKING:
    import pandas as pd

MAX_ROWS = 1_000_000
_MISSING = {"", "null", "none", "na", "nan", "-"}

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "kod", "code", "utbudspunktid", "regso_code"),
    "name": ("name", "namn", "populärnamn", "benämning"),
    "weight": ("weight", "vikt", "barn", "children_0_6"),
    "x": ("x", "easting", "sweref99y", "ost"),
    "y": ("y", "northing", "sweref99x", "nord"),
    "lat": ("lat", "latitud", "latitude"),
    "lon": ("lon", "lng", "long", "longitud", "longitude"),
    "fixed": ("fixed", "befintlig", "fast"),
    "group": ("kommun", "kommun_code", "kommunkod", "group", "grupp"),
    "candidate": ("candidate", "kandidat"),
    "demand": ("demand", "efterfrågan", "efterfragan"),
    "distance": ("distance", "avstånd", "avstand", "cost", "kostnad"),
}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().lower()


@dataclass
class Rows:
    """A table as a header and ``(row number as a person sees it, cells)``."""

    file: Path
    headers: list[str]
    rows: list[tuple[int, list[str]]]


def read_rows(path: str | Path) -> Rows:
    """Header and rows of a CSV or XLSX file (first sheet); Swedish errors for what cannot be read."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(p, "filen finns inte")
    if p.is_dir():
        raise InputFileError(p, "är en katalog, väntat en fil")
    raw = p.read_bytes()
    if not raw.strip(b"\xef\xbb\xbf \r\n\t"):
        raise InputFileError(p, "filen är tom")
    if raw[:4] == b"PK\x03\x04" or p.suffix.lower() in (".xlsx", ".xlsm"):
        recs = _xlsx_records(p, raw)
    else:
        text, _enc = decode_bytes(p, raw, ("utf-8-sig", "utf-16", "cp1252"))
        delim = sniff_delimiter(text, ",;\t")
        recs = [(r.line, r.fields) for r in records(p, text, delim) if not r.blank]
    if not recs:
        raise InputFileError(p, "filen har ingen rubrikrad")
    if len(recs) > MAX_ROWS + 1:
        raise InputFileError(p, f"filen har fler än {MAX_ROWS} rader")
    head_line, headers = recs[0]
    headers = [h.strip() for h in headers]
    seen: dict[str, int] = {}
    for h in headers:
        if not h:
            raise InputFileError(p, "en kolumn saknar rubrik", row=head_line)
        if _fold(h) in seen:
            raise InputFileError(p, f"kolumnen {h!r} förekommer två gånger", row=head_line, column=h)
        seen[_fold(h)] = 1
    return Rows(p, headers, recs[1:])


def _xlsx_records(p: Path, raw: bytes) -> list[tuple[int, list[str]]]:
    import warnings
    import zipfile

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError) as exc:
        raise InputFileError(p, f"filen kunde inte läsas som Excel-fil (xlsx): {exc}") from None
    out: list[tuple[int, list[str]]] = []
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # a hostile file may declare a huge sheet; stream what is there
        empty_run = 0
        for idx, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else (repr(int(v)) if isinstance(v, float) and v.is_integer() and abs(v) < 1e15
                                           else str(v)) for v in values]
            while cells and not cells[-1].strip():
                cells.pop()
            if not cells:
                empty_run += 1
                if empty_run > 1000:
                    break
                continue
            empty_run = 0
            out.append((idx, cells))
            if len(out) > MAX_ROWS + 1:
                break
    except Exception as exc:
        raise InputFileError(p, f"Excel-filen är trasig: {type(exc).__name__}") from None
    finally:
        wb.close()
    return out


def _columns(t: Rows, wanted: tuple[str, ...]) -> dict[str, int]:
    folded = {_fold(h): i for i, h in enumerate(t.headers)}
    out = {}
    for key in wanted:
        for alias in ALIASES[key]:
            if alias in folded:
                out[key] = folded[alias]
                break
    return out


def _number(text: str) -> float:
    s = text.strip().replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    v = float(s)
    if not math.isfinite(v):
        raise ValueError(text)
    return v


def _cell(cells: list[str], i: int | None) -> str:
    return cells[i].strip() if i is not None and i < len(cells) else ""


def _point_columns(t: Rows, kind: str) -> tuple[dict[str, int], tuple[str, ...]]:
    """The columns of a points file and its coordinate pair (``x, y`` or ``lat, lon``); a
    missing column, or no data rows, is an error."""
    cols = _columns(t, ("id", "name", "weight", "x", "y", "lat", "lon", "fixed", "group"))
    what = "efterfrågefilen" if kind == "demand" else "kandidatfilen"
    need = ["id"] + (["weight"] if kind == "demand" else [])
    missing = [k for k in need if k not in cols]
    coord: tuple[str, ...]
    if "x" in cols and "y" in cols:
        coord = ("x", "y")
    elif "lat" in cols and "lon" in cols:
        coord = ("lat", "lon")
    else:
        coord = ()
        missing.append("x, y eller lat, lon")
    if missing:
        raise InputFileError(
            t.file, f"{what} saknar kolumnen/kolumnerna {', '.join(missing)} (rubriker: {', '.join(t.headers)})",
            row=1)
    if not t.rows:
        raise InputFileError(t.file, f"{what} har en rubrikrad men inga rader")
    return cols, coord


@dataclass(frozen=True)
class PointTable:
    """Demand points or candidate sites as read: one entry per data row, in the file's order.

    ``x, y`` or ``lat, lon`` are filled (``coordinates`` says which), the other pair is NaN;
    ``weight`` is NaN where the file has none (candidates); ``groups`` holds ``None`` where empty.
    """

    file: Path
    coordinates: str  # "xy" or "latlon"
    rows: list[int]
    ids: list[str]
    names: list[str]
    weight: np.ndarray
    x: np.ndarray
    y: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    fixed: np.ndarray
    groups: list[str | None]

    def xy(self) -> np.ndarray:
        """The ``(n, 2)`` coordinates in metres (``coordinates == "xy"``)."""
        return np.column_stack([self.x, self.y])

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame: ``row, id, name, weight, x, y, lat, lon, fixed, group``
        (``attrs["coordinates"]`` is ``"xy"`` or ``"latlon"``)."""
        import pandas as pd

        df = pd.DataFrame({"row": np.asarray(self.rows, dtype=np.int64), "id": self.ids, "name": self.names,
                           "weight": self.weight, "x": self.x, "y": self.y, "lat": self.lat, "lon": self.lon,
                           "fixed": self.fixed, "group": pd.Series(self.groups, dtype=object)})
        df.attrs["coordinates"] = self.coordinates
        return df


def read_points(path: str | Path, kind: str) -> pd.DataFrame:
    """Demand points (``kind="demand"``) or candidate sites (``kind="candidates"``) as a DataFrame
    (:meth:`PointTable.frame` of :func:`read_point_table`)."""
    return read_point_table(path, kind).frame()


def read_point_table(path: str | Path, kind: str) -> PointTable:
    """Demand points (``kind="demand"``) or candidate sites (``kind="candidates"``).

    Raises :class:`InputFileError` listing every bad row: a missing or repeated id, a coordinate
    or weight that is missing or not a number, a negative weight, latitude/longitude out of
    range, an unknown ``fixed`` value, or no data rows.
    """
    t = read_rows(path)
    cols, coord = _point_columns(t, kind)
    fast = _plain_points(t, cols, coord)
    if fast is not None:
        return fast
    name = {k: t.headers[i] for k, i in cols.items()}
    problems: list[Problem] = []
    n = len(t.rows)
    num = {k: np.full(n, math.nan) for k in ("weight", "x", "y", "lat", "lon")}
    fixed = np.zeros(n, dtype=bool)
    rows: list[int] = []
    ids: list[str] = []
    names: list[str] = []
    groups: list[str | None] = []
    seen: dict[str, int] = {}
    numbers = (*coord, *(["weight"] if "weight" in cols else []))
    i_id, i_name, i_fixed, i_group = cols["id"], cols.get("name"), cols.get("fixed"), cols.get("group")
    for k, (line, cells) in enumerate(t.rows):
        def bad(key: str | None, reason: str, _line: int = line) -> None:
            problems.append(Problem(str(t.file), _line, name.get(key) if key else None, reason))

        rid = _cell(cells, i_id)
        if not rid:
            bad("id", "id saknas")
        elif rid in seen:
            bad("id", f"id {rid!r} finns redan på rad {seen[rid]}")
        else:
            seen[rid] = line
        rows.append(line)
        ids.append(rid)
        names.append(_cell(cells, i_name) or rid)
        for key in numbers:
            v = _point_number(key, _cell(cells, cols[key]), kind, bad)
            if v is not None:
                num[key][k] = v
        fx = _fold(_cell(cells, i_fixed))
        if fx in _YES:
            fixed[k] = True
        elif fx not in _NO:
            bad("fixed", f"{fx!r} ska vara 1 (befintlig) eller 0")
        groups.append(_cell(cells, i_group) or None)
    if problems:
        raise problems_error(t.file, problems)
    return PointTable(t.file, "xy" if coord == ("x", "y") else "latlon", rows, ids, names, num["weight"], num["x"],
                      num["y"], num["lat"], num["lon"], fixed, groups)


_YES = frozenset(("1", "ja", "j", "yes", "y", "true", "sant", "x"))
_NO = frozenset(("", "0", "nej", "n", "no", "false", "falskt"))
#: a column of plain decimal numbers, one a line (``-12``, ``3.25``)
_PLAIN_NUMBERS = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:\n-?[0-9]+(?:\.[0-9]+)?)*")
_RANGE = {"lat": 90.0, "lon": 180.0}


def _plain_points(t: Rows, cols: dict[str, int], coord: tuple[str, ...]) -> PointTable | None:
    """The common file read a column at a time (issue 24.5: a third of the time of the row by row
    reading): ids present and unique, every number a plain decimal in range, ``fixed`` 0, 1 or
    empty. Anything else is ``None``, and :func:`read_point_table` reads the file row by row and
    names every problem."""
    n = len(t.rows)

    def column(key: str) -> list[str]:
        i = cols[key]
        return [cells[i] if i < len(cells) else "" for _, cells in t.rows]

    ids = [v.strip() for v in column("id")]
    if not all(ids) or len(set(ids)) != n:
        return None
    num = {k: np.full(n, math.nan) for k in ("weight", "x", "y", "lat", "lon")}
    for key in (*coord, *(["weight"] if "weight" in cols else [])):
        texts = column(key)
        if not _PLAIN_NUMBERS.fullmatch("\n".join(texts)):
            return None
        v = np.array(texts).astype(np.float64)
        if (key == "weight" and (v < 0).any()) or (key in _RANGE and (np.abs(v) > _RANGE[key]).any()):
            return None
        num[key] = v
    fixed = np.zeros(n, dtype=bool)
    if "fixed" in cols:
        flags = column("fixed")
        if not set(flags) <= {"", "0", "1"}:
            return None
        fixed = np.asarray(flags) == "1"
    names = [v.strip() for v in column("name")] if "name" in cols else [""] * n
    groups: list[str | None] = [v.strip() or None for v in column("group")] if "group" in cols else [None] * n
    return PointTable(t.file, "xy" if coord == ("x", "y") else "latlon", [line for line, _ in t.rows], ids,
                      [nm or i for nm, i in zip(names, ids, strict=True)], num["weight"], num["x"], num["y"],
                      num["lat"], num["lon"], fixed, groups)


def _point_number(key: str, text: str, kind: str, bad: Callable[[str, str], None]) -> float | None:
    """A coordinate or weight cell as a number (None when missing or not a number: a problem,
    except a missing weight of a candidate). An out-of-range value is a problem but is kept."""
    if _fold(text) in _MISSING:
        if not (key == "weight" and kind != "demand"):
            bad(key, "värde saknas")
        return None
    try:
        v = _number(text)
    except ValueError:
        bad(key, f"{text!r} är inget tal")
        return None
    if key == "weight" and v < 0:
        bad(key, f"vikten {text} är negativ")
    elif key == "lat" and not -90 <= v <= 90:
        bad(key, f"latituden {text} ligger utanför −90…90")
    elif key == "lon" and not -180 <= v <= 180:
        bad(key, f"longituden {text} ligger utanför −180…180")
    return v


def read_costs(path: str | Path) -> pd.DataFrame:
    """A long cost table ``candidate, demand, distance``; returns those columns and ``row``.

    A plain CSV (no quotes) is read in one pass by pandas (millions of pairs in seconds; ids as
    categories of the ids' text, never numbers: ``060750479.01`` stays ``060750479.01``); anything else, or any bad cell, goes through the row-by-row reader, which names
    every bad row."""
    p = Path(path)
    fast = _read_costs_fast(p)
    if fast is not None:
        return fast
    return _read_costs_rows(p)


def _read_costs_fast(p: Path) -> pd.DataFrame | None:
    import pandas as pd

    if not p.is_file() or p.suffix.lower() in (".xlsx", ".xlsm"):
        return None
    raw = p.read_bytes()
    if raw[:4] == b"PK\x03\x04" or b'"' in raw or not raw.strip():
        return None
    try:
        text, _enc = decode_bytes(p, raw, ("utf-8-sig", "utf-16", "cp1252"))
    except InputFileError:
        return None
    if "\n\n" in text.strip("\n") or "\r" in text:
        return None  # blank lines or stray carriage returns: let the careful reader count lines
    delim = sniff_delimiter(text, ",;\t")
    head = [_fold(h) for h in text.split("\n", 1)[0].split(delim)]
    names = {}
    for key in ("candidate", "demand", "distance"):
        hit = [h for h in head if h in ALIASES[key]]
        if not hit:
            return None
        names[key] = text.split("\n", 1)[0].split(delim)[head.index(hit[0])]
    try:
        df = pd.read_csv(io.StringIO(text), sep=delim, usecols=list(names.values()),
                         dtype={names["candidate"]: "string", names["demand"]: "string", names["distance"]: "string"},
                         keep_default_na=False, engine="c")
    except (ValueError, pd.errors.ParserError):
        return None
    df = df.rename(columns={v: k for k, v in names.items()})
    for k in ("candidate", "demand"):  # ids are text: '060750479.01' keeps its zero (category built from str)
        df[k] = df[k].astype("category")
    if not len(df):
        return None
    dist = pd.to_numeric(df["distance"].str.replace(",", ".", regex=False), errors="coerce")
    if dist.isna().any() or (dist < 0).any():
        return None
    for k in ("candidate", "demand"):
        cats = df[k].cat.categories
        if (cats.astype(str).str.strip() == "").any() or (cats.astype(str) != cats.astype(str).str.strip()).any():
            return None
    out = pd.DataFrame({"row": df.index.to_numpy() + 2, "candidate": df["candidate"], "demand": df["demand"],
                        "distance": dist.to_numpy(dtype=float)})
    if out.duplicated(["candidate", "demand"]).any():
        return None
    return out


def _read_costs_rows(p: Path) -> pd.DataFrame:
    import pandas as pd

    t = read_rows(p)
    cols = _columns(t, ("candidate", "demand", "distance"))
    missing = [k for k in ("candidate", "demand", "distance") if k not in cols]
    if missing:
        raise InputFileError(t.file, f"kostnadsfilen saknar kolumnen/kolumnerna {', '.join(missing)}", row=1)
    if not t.rows:
        raise InputFileError(t.file, "kostnadsfilen har en rubrikrad men inga rader")
    problems: list[Problem] = []
    out = []
    for line, cells in t.rows:
        c, d, text = (_cell(cells, cols[k]) for k in ("candidate", "demand", "distance"))
        try:
            v = _number(text)
            if v < 0:
                problems.append(Problem(str(t.file), line, t.headers[cols["distance"]], f"avståndet {text} är negativt"))
        except ValueError:
            problems.append(Problem(str(t.file), line, t.headers[cols["distance"]], f"{text!r} är inget tal"))
            v = math.nan
        for k, val in (("candidate", c), ("demand", d)):
            if not val:
                problems.append(Problem(str(t.file), line, t.headers[cols[k]], "värde saknas"))
        out.append({"row": line, "candidate": c, "demand": d, "distance": v})
    if problems:
        raise problems_error(t.file, problems)
    df = pd.DataFrame(out)
    dup = df.duplicated(["candidate", "demand"])
    if dup.any():
        r = df.loc[dup].iloc[0]
        raise InputFileError(t.file, f"paret {r['candidate']!r}–{r['demand']!r} förekommer två gånger", row=int(r["row"]))
    return df
