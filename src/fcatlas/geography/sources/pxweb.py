"""SCB's statistical database through PxWebApi 2.0 (JSON-stat2), with an on-disk cache.

Base ``https://statistikdatabasen.scb.se/api/v2/``. ``GET tables/{id}/metadata`` describes a
table; ``POST tables/{id}/data?lang=sv&outputFormat=json-stat2`` with a body
``{"selection": [{"variableCode": …, "valueCodes": […]}, …]}`` returns a JSON-stat2 dataset:
dimension ids and sizes, category indexes and labels, and one flat ``value`` array in row-major
order. SCB allows about 30 calls per 10 s and 150,000 cells per call, so large selections are
split. The data are open (CC0).

Population by age per DeSO/RegSO comes from table ``TAB6574`` (FolkmDesoAldKon), whose ages are
five-year bands (``0-4 år``, ``5-9 år`` …): children 0–6 are then ``0–4 + 2/5 × 5–9`` and are
flagged as estimated; a table with single years gives exact counts. The same parser reads saved
responses from disk, so a bundle can be built offline from files fetched earlier.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fcatlas.errors import FcatlasError, InputFileError
from fcatlas.geography.codes import split_vintage
from fcatlas.geography.sources.http import CachedHttp

BASE_URL = "https://statistikdatabasen.scb.se/api/v2/"
AGE_TABLE = "TAB6574"
MAX_CELLS = 150_000
CALLS_PER_10S = 30

_AGE_RE = re.compile(r"^\s*(\d+)\s*(?:([-+])\s*(\d*))?\s*år\s*$")
#: The first reference year SCB publishes in the 2025 division (DeSO 2025 / RegSO 2025).
FIRST_YEAR_2025 = 2024
#: SCB's codelists for the Region variable, per level and division (PxWebApi 2.0 ``codeList``).
CODELISTS: dict[tuple[str, int], str] = {
    ("deso", 2018): "vs_DeSO2018", ("regso", 2020): "vs_RegSO2020",
    ("deso", 2025): "vs_DeSO2025", ("regso", 2025): "vs_RegSO2025",
}
#: How a code of the 2025 division is spelt in the statistical database.
SUFFIX = {"deso": "_DeSO2025", "regso": "_RegSO2025"}


class PxWebClient:
    """SCB's PxWebApi 2.0: cache first, rate limited, Swedish errors (see :class:`CachedHttp`).

    Parameters
    ----------
    cache_dir : Path
        Responses are stored under ``cache_dir/pxweb`` and reused.
    base_url : str
        API base; tests point it at a local server.
    offline : bool
        Never touch the network; a request missing from the cache is an :class:`OfflineError`.
    """

    def __init__(
        self,
        cache_dir: Path,
        base_url: str = BASE_URL,
        offline: bool = False,
        timeout: float = 30.0,
        min_interval: float = 10.0 / CALLS_PER_10S,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.http = CachedHttp(Path(cache_dir) / "pxweb", offline=offline, timeout=timeout,
                               min_interval=min_interval, what="SCB:s API")

    @property
    def calls(self) -> int:
        return self.http.calls

    def metadata(self, table_id: str) -> dict[str, Any]:
        return dict(self.http.json("GET", f"{self.base_url}tables/{table_id}/metadata",
                                   {"lang": "sv", "outputFormat": "json-stat2"}))

    def data(self, table_id: str, selection: dict[str, Sequence[str]],
             codelists: dict[str, str] | None = None) -> dict[str, Any]:
        """POST a selection; ``codelists`` names the ``codeList`` to apply per variable
        (PxAPI-2's ``VariableSelection.codeList``, e.g. ``{"Region": "vs_RegSO2025"}``)."""
        body = {"selection": [
            {"variableCode": k, **({"codeList": codelists[k]} if codelists and k in codelists else {}),
             "valueCodes": list(v)}
            for k, v in selection.items()]}
        return dict(self.http.json("POST", f"{self.base_url}tables/{table_id}/data",
                                   {"lang": "sv", "outputFormat": "json-stat2"}, body))


# ---------------------------------------------------------------------------------------------
# JSON-stat2
# ---------------------------------------------------------------------------------------------


def jsonstat_frame(doc: dict[str, Any], source: str = "JSON-stat2") -> pd.DataFrame:
    """Flatten a JSON-stat 2.0 dataset into one row per cell: a code and a label column per
    dimension, ``value`` (float, NaN where SCB has no value) and ``status`` (the cell's status
    symbol, e.g. ``..``; missing where the cell has none).

    Follows the JSON-stat 2.0 format: ``value`` as a dense array or a sparse object
    ``{"cell index": value}``; ``status`` as one string for every cell, an array or a sparse
    object; a category ``index`` as an array of codes or an object ``{code: position}``, or
    absent for a single-category dimension that has only a ``label``. Cells are in row-major
    order of ``id`` (the last dimension varies fastest).

    >>> doc = {"version": "2.0", "class": "dataset", "id": ["Region", "Tid"], "size": [2, 1],
    ...        "dimension": {"Region": {"category": {"index": {"20": 1, "00": 0}}},
    ...                      "Tid": {"category": {"label": {"2023": "2023"}}}},
    ...        "value": {"1": 5}, "status": {"0": ".."}}
    >>> jsonstat_frame(doc)[["Region", "value", "status"]].to_dict("records")
    [{'Region': '00', 'value': nan, 'status': '..'}, {'Region': '20', 'value': 5.0, 'status': nan}]
    """
    try:
        ids: list[str] = list(doc["id"])
        sizes: list[int] = [int(s) for s in doc["size"]]
        dims = doc["dimension"]
        values = doc.get("value")
    except (KeyError, TypeError, ValueError) as exc:
        raise InputFileError(source, f"inget JSON-stat2-dataset (saknar eller fel i {exc})") from exc
    if doc.get("class", "dataset") != "dataset":
        raise InputFileError(source, f"JSON-stat2-klassen är {doc.get('class')!r}, väntat 'dataset'")
    if len(ids) != len(sizes):
        raise InputFileError(source, f"id har {len(ids)} dimensioner men size {len(sizes)}")
    n = int(np.prod(sizes)) if sizes else 0
    flat = _jsonstat_values(values, n, sizes, source)
    flags = _jsonstat_status(doc.get("status"), n, source)
    out: dict[str, Any] = {}
    grids = np.unravel_index(np.arange(n), sizes) if n else [np.array([], dtype=int)] * len(ids)
    for dim_id, size, grid in zip(ids, sizes, grids, strict=True):
        try:
            cat = dims[dim_id]["category"]
        except (KeyError, TypeError):
            raise InputFileError(source, f"dimensionen {dim_id} saknar category") from None
        codes = _jsonstat_codes(dim_id, cat, size, source)
        labels = cat.get("label", {})
        code_arr = np.array(codes, dtype=object)
        out[dim_id] = code_arr[grid]
        out[f"{dim_id}_label"] = np.array([labels.get(c, c) for c in codes], dtype=object)[grid]
    out["value"] = flat
    out["status"] = flags
    return pd.DataFrame(out)


def _jsonstat_values(values: Any, n: int, sizes: list[int], source: str) -> np.ndarray:
    """The ``n`` cell values, dense or sparse (NaN where absent)."""
    if isinstance(values, dict):  # sparse form {"index": value}
        flat = np.full(n, np.nan)
        for k, v in values.items():
            flat[_cell(k, n, source, "value")] = _number(v, k, source)
        return flat
    if isinstance(values, list):
        if len(values) != n:
            raise InputFileError(
                source, f"value har {len(values)} värden men dimensionerna ger {n} ({' × '.join(map(str, sizes))})"
            )
        return np.array([_number(v, i, source) for i, v in enumerate(values)], dtype=float)
    raise InputFileError(source, "värden (value) saknas i JSON-stat2-datasetet")


def _jsonstat_status(status: Any, n: int, source: str) -> np.ndarray:
    """The ``n`` cells' status symbols: one for all, an array or a sparse object (None where absent)."""
    flags = np.full(n, None, dtype=object)
    if isinstance(status, str):
        flags[:] = status
    elif isinstance(status, list):
        if len(status) != n:
            raise InputFileError(source, f"status har {len(status)} värden men dimensionerna ger {n}")
        flags[:] = status
    elif isinstance(status, dict):
        for k, v in status.items():
            flags[_cell(k, n, source, "status")] = v
    elif status is not None:
        raise InputFileError(source, f"status ska vara text, lista eller objekt, inte {type(status).__name__}")
    return flags


def _jsonstat_codes(dim_id: str, cat: dict[str, Any], size: int, source: str) -> list[Any]:
    """A dimension's category codes in position order (``index`` as array or object, else the labels)."""
    index = cat.get("index")
    if isinstance(index, list):
        codes = list(index)
    elif isinstance(index, dict):
        codes = [c for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
        if sorted(index.values()) != list(range(len(index))):
            raise InputFileError(source, f"dimensionen {dim_id}: index ska numrera kategorierna 0…{len(index) - 1}")
    else:
        codes = list(cat.get("label", {}))
    if len(codes) != size:
        raise InputFileError(source, f"dimensionen {dim_id} har {len(codes)} kategorier, size säger {size}")
    return codes


def _cell(key: object, n: int, source: str, what: str) -> int:
    """A sparse object's key as a cell position, checked against the number of cells."""
    try:
        i = int(str(key))
    except ValueError:
        raise InputFileError(source, f"{what}: nyckeln {key!r} är ingen cellposition") from None
    if not 0 <= i < n:
        raise InputFileError(source, f"{what}: cellposition {i} ligger utanför 0…{n - 1}")
    return i


def _number(v: object, where: object, source: str) -> float:
    if v is None:
        return np.nan
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise InputFileError(source, f"value i cell {where} är {v!r}, väntat ett tal eller null")
    return float(v)


def age_range(label: str) -> tuple[int, int] | None:
    """Ages covered by an SCB age label, inclusive: ``"0-4 år"`` → (0, 4), ``"80- år"`` and
    ``"100+ år"`` → (80, 120) / (100, 120), ``"3 år"`` → (3, 3); ``"totalt"`` → None."""
    m = _AGE_RE.match(label)
    if not m:
        return None
    lo = int(m.group(1))
    if m.group(2) is None:
        return (lo, lo)
    if m.group(2) == "+":
        return (lo, OPEN_TOP) if not m.group(3) else None
    hi = int(m.group(3)) if m.group(3) else OPEN_TOP
    return (lo, hi) if hi >= lo else None


#: The upper end of an open age class (``80- år``, ``100+ år``).
OPEN_TOP = 120
#: A partition must reach at least this age (women 16–54).
_NEEDED_TOP = 54


def age_partition(labels: dict[str, str]) -> dict[str, tuple[int, int]]:
    """One non-overlapping partition of ages from 0 out of a table's age codes (``code → label``).

    SCB tables may mix single years, 5-year and 10-year classes in one variable (TAB6471 has
    ``0 år``, ``0-4 år``, ``0-9 år`` … and ``100+ år`` three times): taking every code would count
    people twice. Single years are preferred, then 5-year classes, then 10-year classes (each
    with an open top class such as ``100+ år``); a table with none of these whole is partitioned
    greedily, narrowest class first. Returns ``code → (lo, hi)`` in age order, covering 0–54 at
    least, else a Swedish error.

    >>> age_partition({"t": "totalt", "a": "0-4 år", "b": "0 år", "c": "1-4 år", "d": "5-54 år"})
    {'b': (0, 0), 'c': (1, 4), 'd': (5, 54)}
    """
    ranges = {c: r for c, lab in labels.items() if (r := age_range(str(lab))) is not None}
    for width in (1, 5, 10, None):
        picked = _walk(ranges, width)
        if picked is not None:
            return picked
    shown = ", ".join(sorted({str(labels[c]) for c in ranges})[:8]) or "inga"
    raise FcatlasError(f"åldrarna i tabellen bildar ingen följd från 0 till {_NEEDED_TOP} år utan överlapp "
                       f"(fanns: {shown})")


def _walk(ranges: dict[str, tuple[int, int]], width: int | None) -> dict[str, tuple[int, int]] | None:
    """From age 0 upwards, the narrowest class (of ``width`` years or open at the top; any class
    when ``width`` is None) that starts where the last one ended (first in table order among
    equals); None when the run does not reach age 54."""
    out: dict[str, tuple[int, int]] = {}
    age = 0
    while age <= OPEN_TOP:
        starts = [(hi - lo, i, c) for i, (c, (lo, hi)) in enumerate(ranges.items())
                  if lo == age and (width is None or hi - lo + 1 == width or hi == OPEN_TOP)]
        if not starts:
            break
        _, _, code = min(starts)
        out[code] = ranges[code]
        age = ranges[code][1] + 1
    return out if age > _NEEDED_TOP else None


@dataclass(frozen=True)
class AgeGroup:
    lo: int
    hi: int
    sex: str | None  # None = both; "kvinnor"


CHILDREN_0_6 = AgeGroup(0, 6, None)
WOMEN_16_54 = AgeGroup(16, 54, "kvinnor")


def _weights(ranges: dict[str, tuple[int, int]], group: AgeGroup) -> tuple[dict[str, float], bool]:
    """Weight per age code (of one partition, :func:`age_partition`) for ``group`` assuming ages
    spread evenly inside a class; and whether the result is exact (only whole classes)."""
    weights: dict[str, float] = {}
    exact = True
    covered = 0
    for code, (lo, hi) in ranges.items():
        overlap = min(hi, group.hi) - max(lo, group.lo) + 1
        if overlap <= 0:
            continue
        w = overlap / (hi - lo + 1)
        weights[code] = w
        covered += overlap
        if w < 1:
            exact = False
    if covered != group.hi - group.lo + 1:
        raise FcatlasError(
            f"åldrarna i tabellen täcker inte {group.lo}–{group.hi} år (täcker {covered} år)"
        )
    return weights, exact


def population_by_age(doc: dict[str, Any], source: str = "JSON-stat2") -> pd.DataFrame:
    """Children 0–6 and women 16–54 per area and year from a population-by-age dataset.

    Returns ``code, level, vintage, year, children_0_6, children_0_6_estimated, women_16_54,
    women_16_54_estimated``. Region codes with a vintage suffix (``_DeSO2025``) keep the vintage;
    rows other than DeSO/RegSO (riket, län, kommun) are left out.
    """
    df = jsonstat_frame(doc, source)
    dims = [c for c in df.columns if not c.endswith("_label") and c not in ("value", "status")]
    region = next((d for d in dims if d.lower() == "region"), None)
    age = next((d for d in dims if d.lower() in ("alder", "ålder")), None)
    sex = next((d for d in dims if d.lower() in ("kon", "kön")), None)
    tid = next((d for d in dims if d.lower() == "tid"), None)
    missing = [n for n, d in (("Region", region), ("Alder", age), ("Tid", tid)) if d is None]
    if missing:
        raise InputFileError(source, f"dimensionerna {', '.join(missing)} saknas (fanns: {', '.join(dims)})")
    assert region and age and tid
    # content dimension(s) other than these must be single-valued
    for d in dims:
        if d not in (region, age, sex, tid) and df[d].nunique() > 1:
            raise InputFileError(source, f"dimensionen {d} har flera värden; välj ett (t.ex. Antal)")
    sex_label = df[f"{sex}_label"].str.lower() if sex else pd.Series("totalt", index=df.index)
    sex_label = sex_label.where(~sex_label.str.startswith("totalt"), "totalt")  # "totalt, samtliga män och kvinnor"
    age_labels = df[age].astype(str)  # codes: one label may stand for several codes (100+ år)
    ranges = age_partition(dict(zip(age_labels, df[f"{age}_label"].astype(str), strict=True)))
    out_parts = []
    for name, group in (("children_0_6", CHILDREN_0_6), ("women_16_54", WOMEN_16_54)):
        weights, exact = _weights(ranges, group)
        if group.sex is None:
            sexes = {"totalt"} if (sex_label == "totalt").any() else {"män", "kvinnor"}
        else:
            sexes = {group.sex}
        sel = age_labels.isin(weights) & sex_label.isin(sexes)
        if not sel.any():
            continue
        part = df.loc[sel, [region, tid]].copy()
        part["v"] = df.loc[sel, "value"] * age_labels[sel].map(weights)
        agg = part.groupby([region, tid], sort=False)["v"].sum(min_count=1).rename(name)
        out_parts.append((agg, f"{name}_estimated", not exact))
    if not out_parts:
        raise InputFileError(source, "inga åldersgrupper för barn 0–6 eller kvinnor 16–54 hittades")
    res = pd.concat([p[0] for p in out_parts], axis=1).reset_index()
    for agg_part, flag, value in out_parts:
        # only a count can be an estimate: a row without one (no population there) is not flagged
        res[flag] = bool(value) & res[agg_part.name].notna().to_numpy()
    for col in ("children_0_6", "women_16_54"):
        if col not in res:
            res[col] = np.nan
            res[f"{col}_estimated"] = False
        res[col] = res[col].round().astype("Int64")
    parsed = res[region].map(_safe_split)
    res["code"] = parsed.map(lambda v: v.code if v else None)
    res["level"] = parsed.map(lambda v: v.level if v else None)
    res["vintage"] = parsed.map(lambda v: v.year if v else None)
    res["year"] = res[tid].astype(str).str[:4].astype(int)
    res = res.loc[res["level"].isin(["deso", "regso"])]
    cols = ["code", "level", "vintage", "year", "children_0_6", "children_0_6_estimated",
            "women_16_54", "women_16_54_estimated"]
    return res[cols].reset_index(drop=True)


def _safe_split(raw: object):
    try:
        return split_vintage(str(raw))
    except FcatlasError:
        return None


def _first_category(cat: dict[str, Any]) -> list[str]:
    """The code of a dimension's first category (``index`` as a list or as ``{code: position}``)."""
    index = cat.get("index")
    if isinstance(index, list):
        return [str(index[0])] if index else []
    if isinstance(index, dict) and index:
        return [min(index, key=lambda c: index[c])]
    return [str(c) for c in list(cat.get("label", {}))[:1]]


def read_age_files(folder: Path) -> pd.DataFrame:
    """Every ``*.json`` JSON-stat2 response in ``folder`` → :func:`population_by_age` rows."""
    frames = []
    for f in sorted(folder.glob("*.json")):
        try:
            doc = json.loads(f.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputFileError(f, f"ogiltig JSON ({exc})") from exc
        frames.append(population_by_age(doc, str(f)))
    if not frames:
        raise InputFileError(folder, "inga JSON-stat2-filer (*.json) i katalogen")
    out = pd.concat(frames, ignore_index=True)
    dup = out.duplicated(["code", "vintage", "year"], keep=False)
    if dup.any():
        first = out.loc[dup].iloc[0]
        raise InputFileError(folder, f"{first['code']} år {first['year']} finns i flera filer")
    return out


def fetch_population_by_age(
    client: PxWebClient,
    region_codes: Sequence[str],
    years: Sequence[int],
    table_id: str = AGE_TABLE,
    out_dir: Path | None = None,
    progress: Callable[[int], object] | None = None,
    division: int = 2018,
    level: str | None = None,
) -> list[dict[str, Any]]:
    """Fetch population by age and sex for the given DeSO/RegSO codes (plain codes of the
    bundle's ``division``: 2018 = DeSO 2018 / RegSO 2020, 2025 = DeSO 2025 / RegSO 2025) and
    years; split to stay under SCB's cell limit. Each response is returned and, with ``out_dir``,
    saved as ``<table>_<n>.json`` for :func:`read_age_files`.

    Ages are one non-overlapping partition chosen from the table's metadata (:func:`age_partition`).
    SCB gives reference years up to 2023 in DeSO 2018 / RegSO 2020 (codelists ``vs_DeSO2018`` /
    ``vs_RegSO2020``, plain codes) and from 2024 in DeSO 2025 / RegSO 2025 (codelists
    ``vs_DeSO2025`` / ``vs_RegSO2025``, codes suffixed ``_DeSO2025`` / ``_RegSO2025``): a year the
    division does not have is a Swedish error, not an empty answer. The codelist is sent only
    when the table's metadata lists it.
    """
    _check_division_years(years, division)
    meta = client.metadata(table_id)
    mdf_dims = meta.get("dimension", {})
    var = {k.lower(): k for k in mdf_dims}
    try:
        region_var, age_var, sex_var, time_var = var["region"], var["alder"], var["kon"], var["tid"]
    except KeyError as exc:
        raise FcatlasError(f"tabellen {table_id} saknar variabeln {exc}") from exc
    ages = list(age_partition(mdf_dims[age_var]["category"].get("label", {})))
    sex_cat = mdf_dims[sex_var]["category"]
    sexes = [c for c, lab in sex_cat.get("label", {}).items() if lab.lower() in ("män", "kvinnor")]
    content = [k for k in mdf_dims if k not in (region_var, age_var, sex_var, time_var)]
    codes = _request_codes(region_codes, division, level)
    codelists = _codelists(mdf_dims[region_var], region_var, division, level or _level_of(codes))
    per_region = len(ages) * len(sexes) * len(years)
    chunk = max(1, MAX_CELLS // max(per_region, 1))
    docs = []
    for i in range(0, len(codes), chunk):
        sel: dict[str, Sequence[str]] = {
            region_var: codes[i : i + chunk],
            age_var: ages,
            sex_var: sexes,
            time_var: [str(y) for y in years],
        }
        for c in content:
            sel[c] = _first_category(mdf_dims[c]["category"])
        doc = client.data(table_id, sel, codelists)
        docs.append(doc)
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / f"{table_id}{'_2025' if division == 2025 else ''}_{i // chunk + 1:03d}.json").write_text(
                json.dumps(doc, ensure_ascii=False), encoding="utf-8"
            )
        if progress:
            progress(len(codes[i : i + chunk]))
    return docs


def _check_division_years(years: Sequence[int], division: int) -> None:
    """Years up to 2023 exist in the 2018 division only, years from 2024 in the 2025 division only."""
    if division not in (2018, 2025):
        raise FcatlasError(f"okänd indelning {division}; välj 2018 (DeSO 2018/RegSO 2020) eller 2025")
    wrong = [y for y in years if (y >= FIRST_YEAR_2025) != (division == 2025)]
    if wrong:
        names = {2018: "DeSO 2018/RegSO 2020", 2025: "DeSO 2025/RegSO 2025"}
        right = 2025 if division == 2018 else 2018
        raise FcatlasError(
            f"SCB redovisar år {', '.join(map(str, wrong))} i {names[right]}, inte i paketets {names[division]} "
            f"(år t.o.m. 2023 i 2018 års indelning, fr.o.m. 2024 i 2025 års); hämta med ett paket på "
            f"{names[right]} eller för andra år")


def _level_of(codes: Sequence[str]) -> str:
    levels = {vc.level if (vc := _safe_split(c)) else None for c in codes}
    return "deso" if levels == {"deso"} else "regso"


def _request_codes(region_codes: Sequence[str], division: int, level: str | None) -> list[str]:
    """Codes as the statistical database spells them for ``division`` (suffix for 2025)."""
    out = []
    for raw in region_codes:
        vc = _safe_split(raw)
        if vc is None or vc.level not in ("deso", "regso") or (level and vc.level != level):
            raise FcatlasError(f"{raw!r} är ingen {'DeSO- eller RegSO' if not level else level}-kod")
        if vc.year is not None and (vc.year == 2025) != (division == 2025):
            raise FcatlasError(f"{raw!r} hör inte till indelningen {division}")
        out.append(vc.code + SUFFIX[vc.level] if division == 2025 else vc.code)
    return out


def _codelists(region_meta: dict[str, Any], region_var: str, division: int, level: str) -> dict[str, str] | None:
    """``{Region: vs_…}`` when the table's metadata offers the division's codelist."""
    vintage = division if level == "deso" or division == 2025 else 2020
    wanted = CODELISTS[(level, vintage)]
    listed = {str(c.get("id")) for c in (region_meta.get("extension") or {}).get("codelists") or []}
    return {region_var: wanted} if wanted in listed else None
