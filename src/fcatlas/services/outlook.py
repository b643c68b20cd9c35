"""The outlook for children 0–6 (:mod:`fcatlas.economics.outlook`) on a bundle.

One place reads the bundle's yearly child counts and calls the economics room, so that
``fcatlas ekonomi prognos``, the atlas's sheet *Prognos barn 0–6* and the report's section
*Var behovet växer eller minskar* show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pandas as pd

from fcatlas.economics.errors import EconomicsError
from fcatlas.economics.outlook import DEFAULT_BAND, DEFAULT_TO_YEAR, latest_and_target, outlook
from fcatlas.errors import ConfigError

#: How many areas the report lists as growing most (exclusion areas, then the others).
TOP_AREAS = 10


def children_series(bundle: Any, level: str, lan: str | None = None, kommun: str | None = None) -> pd.DataFrame:
    """``kod, namn, kommun_code, year, children, estimated`` per kommun or RegSO and bundle year
    (the input of :func:`~fcatlas.economics.outlook.outlook`); kommun counts are the sums of their
    RegSO. A län or kommun without areas in the bundle is a :class:`ConfigError`."""
    years = bundle.table("regso_years")
    regso = bundle.table("regso")
    df = years.merge(regso[["regso_code", "name", "kommun_code", "kommun_name", "lan_code"]], on="regso_code")
    if lan:
        df = df.loc[df["lan_code"] == lan.strip().zfill(2)]
    if kommun:
        df = df.loc[df["kommun_code"] == kommun.strip().zfill(4)]
    if df.empty:
        raise ConfigError("inga områden i paketet för det valda länet/kommunen")
    df = df.loc[df["children_0_6"].notna()]
    est = df["children_0_6_estimated"].astype("boolean").fillna(False).astype(bool)
    df = df.assign(estimated=est)
    if level == "kommun":
        s = df.groupby(["kommun_code", "kommun_name", "year"], as_index=False).agg(
            children=("children_0_6", "sum"), estimated=("estimated", "any"))
        s = s.rename(columns={"kommun_name": "namn"})
        s["kod"] = s["kommun_code"]
    else:
        s = df.rename(columns={"regso_code": "kod", "name": "namn", "children_0_6": "children"})
    out: pd.DataFrame = s[["kod", "namn", "kommun_code", "year", "children", "estimated"]]
    return out


def bundle_outlook(bundle: Any, level: str, lan: str | None = None, kommun: str | None = None,
                   to_year: int = DEFAULT_TO_YEAR, band: Fraction = DEFAULT_BAND) -> pd.DataFrame:
    """:func:`~fcatlas.economics.outlook.outlook` on the bundle's years (what ``fcatlas ekonomi
    prognos`` prints)."""
    return outlook(children_series(bundle, level, lan, kommun), level, to_year, band)


@dataclass
class OutlookTables:
    """The outlook of one scope, ready for the atlas and the report."""

    to_year: int
    method: str  # the method in words ("" when no outlook could be made)
    kommuner: pd.DataFrame  # latest_and_target per kommun
    areas: pd.DataFrame  # latest_and_target per RegSO + kommun_name, exclusion
    growing: pd.DataFrame  # areas with forecast growth: exclusion areas first, TOP_AREAS of each
    estimated: bool
    reason: str | None = None  # why there is no outlook (Swedish), else None


def scope_outlook(bundle: Any, result: Any, to_year: int = DEFAULT_TO_YEAR) -> OutlookTables:
    """The outlook per kommun and RegSO for the scope of an atlas result (its län or Sweden),
    with each RegSO's exclusion flag from the atlas run. A bundle with a single year gives
    empty tables and ``reason``."""
    lan = result.params.lan
    empty = pd.DataFrame()
    try:
        k = bundle_outlook(bundle, "kommun", lan=lan, to_year=to_year)
        r = bundle_outlook(bundle, "regso", lan=lan, to_year=to_year)
    except EconomicsError as exc:
        return OutlookTables(to_year, "", empty, empty, empty, False, reason=str(exc))
    kommuner = latest_and_target(k, to_year)
    areas = latest_and_target(r, to_year)
    info = result.areas_all[["regso_code", "kommun_name", "exclusion"]].drop_duplicates("regso_code")
    areas = areas.merge(info.rename(columns={"regso_code": "kod"}), on="kod", how="left")
    areas["exclusion"] = areas["exclusion"].astype("boolean").fillna(False).astype(bool)
    grow = areas.loc[areas["forandring"].fillna(0) > 0]
    parts = [grow.loc[grow["exclusion"] == flag].sort_values(["forandring", "kod"], ascending=[False, True],
                                                             kind="stable").head(TOP_AREAS)
             for flag in (True, False)]
    growing = pd.concat(parts, ignore_index=True)
    return OutlookTables(to_year, str(k.attrs["metod"]), kommuner, areas, growing,
                         bool(kommuner["skattat"].any()))


def atlas_excel(bundle: Any, result: Any, target: Any) -> Any:
    """``atlas.xlsx`` for an atlas result, with the sheet *Prognos barn 0–6*: the one workbook the
    CLI (:func:`fcatlas.outputs.atlas.write_atlas`) and the web's download both write."""
    from fcatlas.outputs.excel import write_excel

    return write_excel(result, bundle.manifest, target, outlook=scope_outlook(bundle, result))
