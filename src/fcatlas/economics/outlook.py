"""Outlook for children 0–6 per area and kommun up to 2030 (pure; every value flagged).

Method (stated in every output row, :data:`METHOD`):

* **Central path**: the least-squares linear trend over the observed years, anchored at the last
  observed value (``last + slope × years ahead``), never below zero.
* **Range** (low–high): the lowest and highest observed change between two consecutive observed
  years, per year, carried forward from the last value; widened to at least ``±band`` (default
  2 %) of the last value per year ahead, so a short or smooth history does not give a false
  certainty. Low is never below zero.

At least two observed years are needed. Counts flagged ``children_0_6_estimated`` in the bundle
(population × a share) make the outlook an estimate of an estimate; ``skattat`` says so.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import pandas as pd

from fcatlas.economics.errors import EconomicsError

DEFAULT_TO_YEAR = 2030
DEFAULT_BAND = Fraction(2, 100)

OUTLOOK_COLUMNS = ["niva", "kod", "namn", "kommun_code", "ar", "barn_0_6", "lag", "hog", "prognos", "skattat", "metod"]


def method_text(band: Fraction = DEFAULT_BAND, years: list[int] | None = None) -> str:
    span = f" {min(years)}–{max(years)}" if years else ""
    pct = f"{float(band) * 100:g}".replace(".", ",")
    return (
        f"linjär trend (minsta kvadrat) över åren{span}, från senaste värdet; intervall: lägsta/högsta "
        f"observerade årsförändring, minst ±{pct} % av senaste värdet per år"
    )


def outlook(
    series: pd.DataFrame,
    level: str,
    to_year: int = DEFAULT_TO_YEAR,
    band: Fraction = DEFAULT_BAND,
) -> pd.DataFrame:
    """Observed and projected children 0–6 per unit up to ``to_year``.

    Parameters
    ----------
    series : DataFrame
        ``kod, namn, kommun_code, year, children`` and optionally ``estimated`` (bool), one row
        per unit and observed year.
    level : str
        Written to ``niva`` (``regso``, ``deso``, ``kommun``, ``lan``).

    Returns
    -------
    DataFrame
        :data:`OUTLOOK_COLUMNS`: observed rows (``prognos`` False, low = high = the count) and one
        row per unit and year after the last observed year up to ``to_year`` (``prognos`` True).

    Examples
    --------
    >>> s = pd.DataFrame({"kod": ["x"] * 3, "namn": ["X"] * 3, "kommun_code": ["2080"] * 3,
    ...                   "year": [2021, 2022, 2023], "children": [100, 96, 90]})
    >>> o = outlook(s, "kommun", 2025)
    >>> o.loc[o["prognos"], ["ar", "barn_0_6", "lag", "hog"]].values.tolist()
    [[2024, 85, 84, 92], [2025, 80, 78, 94]]
    """
    if series.empty:
        raise EconomicsError("det finns inga barn 0–6 år att göra en prognos på")
    years_all = sorted({int(y) for y in series["year"]})
    if len(years_all) < 2:
        raise EconomicsError(
            f"prognosen behöver minst två år med barn 0–6 år; underlaget har bara {years_all[0]}"
        )
    if to_year <= max(years_all):
        raise EconomicsError(f"prognosåret {to_year} ska ligga efter det senaste observerade året {max(years_all)}")
    text = method_text(band, years_all)
    rows = []
    data = series.loc[series["children"].notna()].sort_values(["kod", "year"], kind="stable")
    est_col = data["estimated"].astype(bool).tolist() if "estimated" in data.columns else [False] * len(data)
    units: dict[str, dict[str, Any]] = {}
    for code, name, kommun, year, value, e in zip(data["kod"].astype(str), data["namn"].astype(str),
                                                   data["kommun_code"].astype(str), data["year"], data["children"],
                                                   est_col, strict=True):
        u = units.setdefault(code, {"ys": [], "vs": [], "est": False})
        u["ys"].append(int(year))
        u["vs"].append(int(value))
        u["est"] = u["est"] or bool(e)
        u["name"], u["kommun"] = name, kommun
    for code in sorted(units):
        u = units[code]
        ys, vs, est, name, kommun = u["ys"], u["vs"], u["est"], u["name"], u["kommun"]
        for y, v in zip(ys, vs, strict=True):
            rows.append([level, str(code), name, kommun, y, v, v, v, False, est, ""])
        if len(ys) < 2:
            continue
        slope = _slope(ys, vs)
        steps = [Fraction(vs[i + 1] - vs[i], ys[i + 1] - ys[i]) for i in range(len(ys) - 1)]
        last_y, last_v = ys[-1], vs[-1]
        lo_step = min(min(steps), -band * last_v)
        hi_step = max(max(steps), band * last_v)
        lo_step = min(lo_step, slope)
        hi_step = max(hi_step, slope)
        for y in range(last_y + 1, to_year + 1):
            h = y - last_y
            mid = max(0, _round(last_v + slope * h))
            lo = max(0, _round(last_v + lo_step * h))
            hi = max(0, _round(last_v + hi_step * h))
            rows.append([level, str(code), name, kommun, y, mid, min(lo, mid), max(hi, mid), True, est, text])
    out = pd.DataFrame(rows, columns=OUTLOOK_COLUMNS)
    for col in ("ar", "barn_0_6", "lag", "hog"):
        out[col] = out[col].astype("int64")
    out.attrs["metod"] = text
    return out


def _slope(xs: list[int], ys: list[int]) -> Fraction:
    n = len(xs)
    mx = Fraction(sum(xs), n)
    my = Fraction(sum(ys), n)
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return Fraction(0) if sxx == 0 else Fraction(sxy) / Fraction(sxx)


def _round(v: Fraction) -> int:
    """Round half away from zero (stated, not banker's rounding)."""
    return int(math.floor(v + Fraction(1, 2))) if v >= 0 else -int(math.floor(-v + Fraction(1, 2)))


SUMMARY_COLUMNS = ["kod", "namn", "kommun_code", "senaste_ar", "senaste", "ar", "barn_0_6", "lag", "hog",
                   "forandring", "skattat"]


def latest_and_target(res: pd.DataFrame, to_year: int) -> pd.DataFrame:
    """One row per unit of an :func:`outlook` result: the last observed year and count, the
    forecast for ``to_year`` with low–high, and the change (forecast − last observed).

    A unit with fewer than two observed years has no forecast (``<NA>``).

    Examples
    --------
    >>> s = pd.DataFrame({"kod": ["x"] * 3, "namn": ["X"] * 3, "kommun_code": ["2080"] * 3,
    ...                   "year": [2021, 2022, 2023], "children": [100, 96, 90]})
    >>> latest_and_target(outlook(s, "kommun", 2025), 2025)[["senaste", "barn_0_6", "forandring"]].values.tolist()
    [[90, 80, -10]]
    """
    obs = res.loc[~res["prognos"]].sort_values(["kod", "ar"], kind="stable").groupby("kod", sort=True).last()
    fc = res.loc[res["prognos"] & (res["ar"] == to_year)].set_index("kod")
    out = pd.DataFrame({"kod": obs.index.astype(str), "namn": obs["namn"].to_numpy(),
                        "kommun_code": obs["kommun_code"].to_numpy(), "senaste_ar": obs["ar"].to_numpy(),
                        "senaste": obs["barn_0_6"].to_numpy()})
    out["ar"] = int(to_year)
    for col in ("barn_0_6", "lag", "hog"):
        out[col] = out["kod"].map(fc[col]).astype("Int64")
    out["forandring"] = (out["barn_0_6"] - out["senaste"]).astype("Int64")
    est = res.groupby("kod")["skattat"].any()
    out["skattat"] = out["kod"].map(est).astype(bool)
    return out[SUMMARY_COLUMNS].reset_index(drop=True)
