"""Listed children 0–6 per health centre over time: trends per centre, kommun and län (pure).

Input is the long table of :meth:`fcatlas.economics.store.ListedStore.frame` (or any frame with
the same columns): ``centre_id, name, kommun_code, year, children`` (and optionally ``women``,
``regi``). One row per centre and year in which the centre had listed patients.

Opened and closed centres are handled as such, never as zero:

* a centre (or kommun, län) first seen **after** the from-year is compared from its first year,
  and the note names that year (``öppnade 2021; förändring från 2021``);
* a centre last seen **before** the to-year has no to-year count and no change; the note names
  its last year (``nedlagd: sista år 2023``). Its children are still part of the kommun and län
  totals of the years in which it existed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import pandas as pd

from fcatlas.economics.errors import EconomicsError

Level = Literal["vardcentral", "kommun", "lan"]
LEVELS: tuple[str, ...] = ("vardcentral", "kommun", "lan")
LEVEL_LABELS = {"vardcentral": "Vårdcentral", "kommun": "Kommun", "lan": "Län"}

#: Columns of :func:`trend` (the CSV contract of ``fcatlas listade trend``).
TREND_COLUMNS = [
    "niva_kod",
    "namn",
    "kommun_code",
    "fran_ar",
    "till_ar",
    "fran",
    "till",
    "forandring",
    "forandring_procent",
    "anmarkning",
]

LISTED_COLUMNS = ["centre_id", "name", "kommun_code", "year", "children", "women", "regi"]


def series(
    listed: pd.DataFrame,
    level: str = "vardcentral",
    kommun_names: Mapping[str, str] | None = None,
    lan_names: Mapping[str, str] | None = None,
    value: str = "children",
) -> pd.DataFrame:
    """Yearly sums per unit of ``level``: ``niva_kod, namn, kommun_code, year, value``.

    ``kommun_code`` is empty on län level. Names of kommuner and län come from the mappings
    (codes are used when a name is missing).
    """
    _check_level(level)
    if listed.empty:
        return pd.DataFrame(columns=["niva_kod", "namn", "kommun_code", "year", "value"])
    df = listed.copy()
    df["year"] = df["year"].astype(int)
    df["value"] = df[value].astype("Int64")
    kn = dict(kommun_names or {})
    ln = dict(lan_names or {})
    if level == "vardcentral":
        last_name = df.sort_values("year").groupby("centre_id")["name"].last()
        out = pd.DataFrame(df.groupby(["centre_id", "kommun_code", "year"], as_index=False)["value"].sum(min_count=1))
        out = out.rename(columns={"centre_id": "niva_kod"})
        out["namn"] = out["niva_kod"].map(last_name)
    elif level == "kommun":
        out = pd.DataFrame(df.groupby(["kommun_code", "year"], as_index=False)["value"].sum(min_count=1))
        out["niva_kod"] = out["kommun_code"]
        out["namn"] = out["kommun_code"].map(lambda c: kn.get(c, c))
    else:
        df["lan_code"] = df["kommun_code"].str[:2]
        out = pd.DataFrame(df.groupby(["lan_code", "year"], as_index=False)["value"].sum(min_count=1))
        out["niva_kod"] = out["lan_code"]
        out["namn"] = out["lan_code"].map(lambda c: ln.get(c, c))
        out["kommun_code"] = ""
    result = pd.DataFrame(out[["niva_kod", "namn", "kommun_code", "year", "value"]])
    return result.sort_values(["niva_kod", "year"]).reset_index(drop=True)


def trend(
    listed: pd.DataFrame,
    from_year: int,
    to_year: int,
    level: str = "vardcentral",
    kommun_names: Mapping[str, str] | None = None,
    lan_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Change in listed children 0–6 per unit between ``from_year`` and ``to_year``.

    Returns :data:`TREND_COLUMNS`, sorted by change (largest decrease first; units without a
    change, i.e. closed ones, last), then by code. Counts are nullable integers,
    ``forandring_procent`` is rounded to one decimal (empty when the from-count is 0).

    Examples
    --------
    >>> df = pd.DataFrame({"centre_id": ["a", "a", "b"], "name": ["A", "A", "B"],
    ...                    "kommun_code": ["2080"] * 3, "year": [2020, 2025, 2021],
    ...                    "children": [100, 80, 50]})
    >>> t = trend(df, 2020, 2025)
    >>> t[["niva_kod", "fran", "till", "forandring"]].values.tolist()
    [['a', 100, 80, -20], ['b', 50, <NA>, <NA>]]
    """
    from_year, to_year = int(from_year), int(to_year)
    if from_year >= to_year:
        raise EconomicsError(f"--fran ({from_year}) ska vara ett tidigare år än --till ({to_year})")
    s = series(listed, level, kommun_names, lan_names)
    years = sorted(set(s["year"])) if not s.empty else []
    if from_year not in years and to_year not in years:
        have = ", ".join(str(y) for y in years) or "inga år"
        raise EconomicsError(f"det finns inga listade barn för {from_year} eller {to_year} (databasen har {have})")
    rows = []
    groups: dict[str, dict[int, int]] = {}
    label: dict[str, tuple[str, str]] = {}
    for code, name, kommun, year, value in zip(s["niva_kod"].astype(str), s["namn"].astype(str),
                                               s["kommun_code"].astype(str), s["year"], s["value"], strict=True):
        label[code] = (name, kommun)  # rows are sorted by year: the last name wins
        if pd.notna(value) and from_year <= int(year) <= to_year:
            groups.setdefault(code, {})[int(year)] = int(value)
    for code in sorted(groups):
        by_year = groups[code]
        first, last = min(by_year), max(by_year)
        name, kommun = label[code]
        notes = []
        if from_year in by_year:
            f_year = from_year
        else:
            f_year = first
            notes.append(f"öppnade {first}; förändring från {first}")
        if to_year in by_year:
            t_year: int | None = to_year
        else:
            t_year = None
            notes.append(f"nedlagd: sista år {last} ({int(by_year[last])} barn)")
        fran = int(by_year[f_year])
        till = int(by_year[t_year]) if t_year is not None else None
        change = till - fran if till is not None and t_year != f_year else None
        if till is not None and t_year == f_year:
            notes.append(f"finns bara {t_year}")
        pct = round(100.0 * change / fran, 1) if change is not None and fran else None
        rows.append({
            "niva_kod": str(code), "namn": name, "kommun_code": kommun, "fran_ar": f_year,
            "till_ar": t_year, "fran": fran, "till": till, "forandring": change,
            "forandring_procent": pct, "anmarkning": "; ".join(notes),
        })
    out = pd.DataFrame(rows, columns=TREND_COLUMNS)
    for col in ("fran_ar", "till_ar", "fran", "till", "forandring"):
        out[col] = out[col].astype("Int64")
    out["forandring_procent"] = out["forandring_procent"].astype("Float64")
    out = out.sort_values(["forandring", "niva_kod"], na_position="last", kind="stable").reset_index(drop=True)
    out.attrs.update({"fran_ar": from_year, "till_ar": to_year, "niva": level})
    return out


def totals(listed: pd.DataFrame, from_year: int, to_year: int) -> dict[str, int | None]:
    """All listed children in ``from_year`` and ``to_year`` and the change (whole table).

    >>> df = pd.DataFrame({"centre_id": ["a", "b"], "name": ["A", "B"], "kommun_code": ["2080"] * 2,
    ...                    "year": [2020, 2025], "children": [10, 7]})
    >>> totals(df, 2020, 2025)
    {'fran': 10, 'till': 7, 'forandring': -3}
    """
    def total(y: int) -> int | None:
        part = listed.loc[listed["year"].astype(int) == y, "children"]
        return int(part.sum()) if len(part) else None

    f, t = total(int(from_year)), total(int(to_year))
    return {"fran": f, "till": t, "forandring": (t - f) if f is not None and t is not None else None}


def decreases(trend_table: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The ``top`` largest decreases (most negative change first)."""
    t = trend_table.loc[trend_table["forandring"].notna() & (trend_table["forandring"] < 0)]
    return t.sort_values(["forandring", "niva_kod"], kind="stable").head(top).reset_index(drop=True)


def increases(trend_table: pd.DataFrame) -> pd.DataFrame:
    """Every unit with an increase (largest first)."""
    t = trend_table.loc[trend_table["forandring"].notna() & (trend_table["forandring"] > 0)]
    return t.sort_values(["forandring", "niva_kod"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise EconomicsError(f"okänd nivå {level!r}; välj vardcentral, kommun eller lan")
