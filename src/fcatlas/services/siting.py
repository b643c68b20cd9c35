"""Siting (``fcatlas site``): the problem built from the operator's files or from the atlas run
(children per area, the register's centres fixed, reach as in the atlas), solved, and the
ranked table of new sites. The faces parse options and print; the analysis is
:mod:`fcatlas.analysis.siting`.

The operator's files (``--demand``, ``--candidates``) need numpy and the solver only (issue
24.5): pandas is imported for a cost table, a table or CSV output and the atlas run; the geo
stack (pyproj, geopandas) for lat, lon coordinates (the projection) and the atlas run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from fcatlas.analysis import siting
from fcatlas.domain import SitingObjective
from fcatlas.errors import ConfigError, InputFileError

if TYPE_CHECKING:
    import pandas as pd

    from fcatlas.geography.sources.points import PointTable


def solve(prob: siting.SitingProblem, *, objective: SitingObjective, p: int, target_share: float | None,
          constraints: siting.Constraints, time_limit: float) -> siting.SitingResult:
    """``tackning`` (maximal covering with ``p`` new sites), ``antal`` (fewest sites reaching
    ``target_share``) or ``avstand`` (p-median)."""
    if objective is SitingObjective.ANTAL:
        assert target_share is not None
        return siting.set_covering(prob, target_share, constraints, time_limit=time_limit)
    if objective is SitingObjective.AVSTAND:
        return siting.p_median(prob, p, constraints, time_limit=time_limit)
    return siting.maximal_covering(prob, p, constraints, time_limit=time_limit)


# -- any demand, any candidates ----------------------------------------------------------------


@dataclass(frozen=True)
class FilesProblem:
    problem: siting.SitingProblem
    candidates: PointTable
    #: the candidates' groups (kommun) when the file has them
    groups: list[Any] | None


def _project(dem: PointTable, cand: PointTable, demand_path: Path, cand_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates in metres: x, y as given, or lat, lon in a local azimuthal equidistant
    projection centred on the points (distances true from the centre, good within a region)."""
    kinds = {dem.coordinates, cand.coordinates}
    if len(kinds) > 1:
        raise ConfigError(f"{demand_path} och {cand_path} har olika sorters koordinater (x, y i den ena, lat, lon "
                          "i den andra); använd samma i båda")
    if kinds == {"xy"}:
        return dem.xy(), cand.xy()
    from pyproj import Transformer

    lat = np.concatenate([dem.lat, cand.lat])
    lon = np.concatenate([dem.lon, cand.lon])
    tr = Transformer.from_crs("EPSG:4326", f"+proj=aeqd +lat_0={np.mean(lat):.6f} +lon_0={np.mean(lon):.6f} "
                              "+datum=WGS84 +units=m", always_xy=True)
    x, y = tr.transform(lon, lat)
    xy = np.column_stack([x, y])
    return xy[: len(dem.ids)], xy[len(dem.ids):]


def problem_from_files(*, demand: Path, candidates: Path, cost: Path | None, radius: float | None,
                       fixed: str | None, objective: SitingObjective) -> FilesProblem:
    """The problem of a demand file and a candidate file (existing sites: the column ``fixed``
    and ``fixed`` ids); distances from a cost table, else straight lines within ``radius``."""
    from fcatlas.geography.sources.points import read_costs, read_point_table

    dem = read_point_table(demand, "demand")
    cand = read_point_table(candidates, "candidates")
    if radius is not None and (not np.isfinite(radius) or radius < 0):
        raise ConfigError("--radius ska vara ett icke-negativt tal (meter)")
    dxy, cxy = _project(dem, cand, demand, candidates)
    fixed_ids = {i for i, f in zip(cand.ids, cand.fixed, strict=True) if f} | set(siting.parse_ids(fixed))
    unknown = sorted(set(siting.parse_ids(fixed)) - set(cand.ids))
    if unknown:
        raise ConfigError(f"--fixed: platsen {unknown[0]!r} finns inte i {candidates}")
    groups: list[Any] | None = list(cand.groups) if any(g is not None for g in cand.groups) else None
    if cost is not None:
        costs = read_costs(cost)
        try:
            prob = siting.SitingProblem.from_cost_matrix(dem.ids, dem.weight, cand.ids, costs, radius,
                                                         fixed=sorted(fixed_ids), groups=groups, candidate_xy=cxy)
        except siting.SitingError as exc:
            raise ConfigError(f"{cost}: {exc}") from None
    else:
        if radius is None and objective is not SitingObjective.AVSTAND:
            raise ConfigError("--radius (meter) behövs, eller en kostnadstabell med --cost")
        prob = siting.SitingProblem.from_points(
            dem.ids, dxy, dem.weight, cand.ids, cxy, radius or 0.0,
            fixed=sorted(fixed_ids), groups=groups, keep_distances=np.inf if objective is SitingObjective.AVSTAND else None)
    return FilesProblem(prob, cand, groups)


def files_table(result: siting.SitingResult, candidates: PointTable) -> pd.DataFrame:
    """The chosen sites in rank order with what each adds."""
    import pandas as pd

    names = dict(zip(candidates.ids, candidates.names, strict=True))
    return pd.DataFrame({
        "rank": range(1, len(result.selected) + 1),
        "site_id": result.selected,
        "site_name": [names.get(s, s) for s in result.selected],
        "gain": [siting._clean(g) for g in result.gains],
        "n_newly_covered": [len(n) for n in result.newly_covered],
        "newly_covered": [",".join(n) for n in result.newly_covered],
    })


# -- from the atlas run ------------------------------------------------------------------------


@dataclass(frozen=True)
class AtlasProblem:
    problem: siting.SitingProblem
    #: the demand areas (children per RegSO) and those left out for want of a boundary
    demand: pd.DataFrame
    unknown: pd.DataFrame
    #: the candidates linked to areas, and the register's centres (fixed)
    candidates: pd.DataFrame
    centres: pd.DataFrame


def _candidate_units(path: Path) -> pd.DataFrame:
    """Candidate file → units-shaped table (lat, lon in WGS 84) for the atlas's linking."""
    import pandas as pd

    from fcatlas.analysis.linking import to_wgs84
    from fcatlas.geography.sources.points import read_points

    c = read_points(path, "candidates")
    if c.attrs.get("coordinates") == "xy":
        lon, lat = to_wgs84(c["x"].to_numpy(float), c["y"].to_numpy(float))
    else:
        lon, lat = c["lon"].to_numpy(float), c["lat"].to_numpy(float)
    return pd.DataFrame({"id": c["id"], "name": c["name"], "kommun_code": pd.NA, "category": "familjecentral",
                         "status": "i_drift", "lat": lat, "lon": lon, "precision": "exakt", "_row": c["row"],
                         "_fixed": c["fixed"]})


def problem_from_atlas(run: Any, *, lan: str | None, weight: str, candidates: Path | None,
                       fixed: str | None) -> AtlasProblem:
    """The problem of an atlas run (:class:`fcatlas.services.atlas.AtlasRun`): demand = children
    per RegSO weighted by ``weight``, existing = the register's centres in operation (and
    ``fixed`` ids), candidates = the file's sites or every RegSO's centre in the län."""
    from fcatlas.analysis import linking  # the geo stack: only the bundle's path needs it
    from fcatlas.analysis.coverage import centres_mask

    b, res, geoms = run.bundle, run.result, run.geoms
    u = res.units_all
    centres = u.loc[centres_mask(u, res.params.centre_categories) & u["located"].astype(bool)]
    extra_fixed = set(siting.parse_ids(fixed))
    if candidates is not None:
        cand_units = _candidate_units(candidates)
        extra_fixed |= set(cand_units.loc[cand_units["_fixed"].astype(bool), "id"])
    else:
        cand_units = siting.candidates_from_areas(res.areas_all, lan)
    cl = linking.link_units(cand_units.drop(columns=[c for c in ("_row", "_fixed") if c in cand_units]),
                            b.table("deso"), geoms["kommun"], regso_geom=geoms["regso"],
                            deso_geom=geoms["deso"], kommun_names=b.kommuner())
    if candidates is not None:
        outside = ~cl["kommun_code"].notna().to_numpy()
        if outside.any():
            r = cand_units.loc[outside, "_row"].iloc[0]
            raise InputFileError(candidates, "platsen ligger utanför Sveriges kommuner (kontrollera koordinaterna; "
                                 "x, y ska vara SWEREF 99 TM)", row=int(r))
    demand, unknown = siting.demand_from_areas(res.areas_all, lan, weight)
    if not len(demand):
        raise ConfigError("ingen efterfrågan: inga områden med känd gräns och barn i urvalet"
                          + (f" ({len(unknown)} områden saknar gräns i datapaketet)" if len(unknown) else ""))
    prob = siting.problem_from_atlas(demand, centres, cl, extra_fixed=extra_fixed)
    return AtlasProblem(prob, demand, unknown, cl, centres)


def site_tables(result: siting.SitingResult, ap: AtlasProblem) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ranked table of new sites and the demand areas before/after."""
    import pandas as pd

    demand, cl, centres = ap.demand, ap.candidates, ap.centres
    sites_all = pd.concat([cl, centres], ignore_index=True).drop_duplicates("id").set_index("id")
    d = demand.set_index("regso_code")
    rows = []
    for rank, (sid, gain, newly) in enumerate(zip(result.selected, result.gains, result.newly_covered, strict=True),
                                              start=1):
        s = sites_all.loc[sid]
        rows.append({
            "rank": rank, "site_id": sid, "site_name": s["name"], "kommun_code": s["kommun_code"],
            "kommun_name": s.get("kommun_name"), "gain": siting._clean(gain),
            "children_0_6_gain": int(d.loc[newly, "children_0_6"].astype("Float64").fillna(0).sum()) if newly else 0,
            "areas": ";".join(newly),
            "area_names": "; ".join(f"{str(d.loc[c, 'name'])} ({c})" for c in newly),
            "lat": s["lat"], "lon": s["lon"], "x": s["x"], "y": s["y"],
        })
    cols = ["rank", "site_id", "site_name", "kommun_code", "kommun_name", "gain", "children_0_6_gain", "areas",
            "area_names", "lat", "lon", "x", "y"]
    sites = pd.DataFrame(rows, columns=cols)
    by_site = {c: sid for sid, newly in zip(result.selected, result.newly_covered, strict=True) for c in newly}
    a = demand.copy()
    a["new_site"] = a["regso_code"].map(by_site)
    a["covered_after"] = a["covered"].astype("boolean") | a["new_site"].notna()
    a = a.sort_values(["covered_after", "weight"], ascending=[True, False])
    return sites, a
