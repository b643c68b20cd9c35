"""``fcatlas site``: where new centres reach the most children, with the existing centres kept."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fcatlas.cli.atlas import _CAT_HELP, _DB_HELP, _EXCL_HELP, _REACH_HELP
from fcatlas.cli.common import OutputFormat, console, frame_text, print_frame, progress
from fcatlas.errors import ConfigError
from fcatlas.fmt import thousands

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


class Objective(StrEnum):
    tackning = "tackning"
    antal = "antal"
    avstand = "avstand"


class Vikt(StrEnum):
    barn_utanforskap = "barn-utanforskap"
    barn = "barn"
    barn_viktat = "barn-viktat"


OBJECTIVE_LABELS = {
    "tackning": "största täckning med p nya platser",
    "antal": "färsta nya platser som når målandelen",
    "avstand": "minsta viktade avstånd (p-median)",
}
STATUS_LABELS = {
    "optimal": "bevisat optimal",
    "time_limit": "tidsgränsen nåddes (bästa hittade lösning)",
    "infeasible": "saknar lösning",
    "unbounded": "obegränsad",
    "error": "lösaren misslyckades",
}


def site_command(
    demand: Annotated[Path | None, typer.Option("--demand", help="Efterfrågan: CSV/XLSX med id, weight och x, y (meter, projicerat) eller lat, lon.")] = None,
    candidates: Annotated[Path | None, typer.Option("--candidates", "--kandidater", help="Kandidatplatser: CSV/XLSX med id och x, y eller lat, lon; valfritt fixed (1 = befintlig), name, kommun. Med --bundle: egna kandidater (t.ex. vårdcentraler), x, y i SWEREF 99 TM eller lat, lon; utan: mittpunkten i varje RegSO i länet.")] = None,
    cost: Annotated[Path | None, typer.Option("--cost", help="Valfri kostnadstabell i långt format: candidate, demand, distance (meter, t.ex. vägavstånd).")] = None,
    radius: Annotated[float | None, typer.Option("--radius", help="Räckvidd i meter (samma enhet som koordinaterna/avstånden).")] = None,
    p: Annotated[int, typer.Option("-p", help="Antal nya platser (utöver de befintliga).")] = 1,
    fixed: Annotated[str | None, typer.Option("--fixed", help="Befintliga platser, kommaseparerade id (utöver kolumnen fixed / registrets familjecentraler i drift).")] = None,
    objective: Annotated[Objective, typer.Option("--objective", help="tackning (största täckning), antal (färsta platser till --mal-andel) eller avstand (p-median).")] = Objective.tackning,
    mal_andel: Annotated[float | None, typer.Option("--mal-andel", help="Målandel av vikten för --objective antal, t.ex. 0.9.")] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Tidsgräns för lösaren i sekunder.")] = 60.0,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Utdata: table, csv eller json.")] = OutputFormat.table,
    kurva: Annotated[int | None, typer.Option("--kurva", help="Marginalnytta: täckt vikt för p = 0..N (optimalt för varje p).")] = None,
    utvardera: Annotated[str | None, typer.Option("--utvardera", help="Utvärdera ett förslag: kommaseparerade kandidat-id; visar vad varje plats tillför.")] = None,
    max_per_kommun: Annotated[int | None, typer.Option("--max-per-kommun", help="Högst så många nya platser per kommun (kolumnen kommun; med --bundle kommunen platsen ligger i).")] = None,
    uteslut: Annotated[str | None, typer.Option("--uteslut", help="Kandidater som inte får väljas, kommaseparerade id.")] = None,
    min_avstand: Annotated[float | None, typer.Option("--min-avstand", help="Minsta avstånd i meter mellan två platser (nya sinsemellan och till befintliga).")] = None,
    bundle: Annotated[Path | None, typer.Option("--bundle", help="Datapaketets katalog: efterfrågan = barn 0–6 år per RegSO, registrets familjecentraler i drift är befintliga.")] = None,
    db: Annotated[str | None, typer.Option("--db", help=_DB_HELP)] = None,
    lan: Annotated[str | None, typer.Option("--lan", help="Län (länskod, t.ex. 20): efterfrågan och kandidater i länet.")] = None,
    year: Annotated[int | None, typer.Option("--year", help="År för områdestyp och folkmängd (standard: senaste).")] = None,
    exclusion: Annotated[str | None, typer.Option("--exclusion", help=_EXCL_HELP)] = None,
    reach: Annotated[str | None, typer.Option("--reach", help=_REACH_HELP)] = None,
    categories: Annotated[str | None, typer.Option("--categories", help=_CAT_HELP)] = None,
    vikt: Annotated[Vikt, typer.Option("--vikt", help="Med --bundle: barn-utanforskap (barn 0–6 i utanförskapsområden, standard), barn (alla områden) eller barn-viktat (barn × faktor efter områdestyp: 1 = 5, 2 = 4, 3 = 3, 4 = 2, 5 = 1).")] = Vikt.barn_utanforskap,
    out: Annotated[Path | None, typer.Option("--out", help="Med --bundle: katalog för lokalisering.csv, .xlsx, .json och kartan.")] = None,
    dpi: Annotated[int, typer.Option("--dpi", help="Upplösning för kartans PNG.")] = 200,
) -> None:
    """Lokalisering: var når nya familjecentraler flest barn, med de befintliga kvar?

    Väljer p nya platser bland kandidaterna så att flest (vikt) når en plats inom räckvidd;
    befintliga platser är fasta: de räknas som täckande och ingår inte i p. Lösningen är
    bevisat optimal (HiGHS, blandad heltalsprogrammering) inom tidsgränsen – status och MIP-gap
    skrivs ut – och en girig lösning visas bredvid.

    Med --bundle: efterfrågan = barn 0–6 år per RegSO (--vikt), befintliga = registrets
    familjecentraler i drift, räckvidd per tätortsklass exakt som i atlasen (--reach). Skriver en
    rangordnad tabell, en Excel-fil och en karta i --out.

    Exempel:
      fcatlas site --bundle paket --db register.sqlite --lan 20 -p 2 --out lokalisering
      fcatlas site --demand barn.csv --candidates platser.csv --radius 2000 -p 3 --format json
    """
    if time_limit <= 0:
        raise ConfigError("--time-limit ska vara större än 0 sekunder")
    if objective is Objective.antal and mal_andel is None:
        raise ConfigError("--objective antal kräver --mal-andel (t.ex. 0.9)")
    if mal_andel is not None and objective is not Objective.antal:
        objective = Objective.antal
    if bundle is not None:
        if radius is not None:
            raise ConfigError("--radius gäller inte med --bundle; där anges räckvidden i km per tätortsklass med "
                              "--reach (standard C=2,B=5,A=10, som i atlasen)")
        if demand is not None or cost is not None:
            raise ConfigError("--bundle tar efterfrågan ur datapaketet; ange inte --demand eller --cost")
        _bundle_run(bundle, db, lan, year, exclusion, reach, categories, vikt.value, candidates, p, fixed,
                    objective.value, mal_andel, time_limit, fmt, kurva, utvardera, max_per_kommun, uteslut,
                    min_avstand, out, dpi)
        return
    if demand is None or candidates is None:
        raise ConfigError("ange --demand och --candidates (eller --bundle för datapaketets barn och registrets "
                          "familjecentraler); se 'fcatlas site --help'")
    _generic_run(demand, candidates, cost, radius, p, fixed, objective.value, mal_andel, time_limit, fmt, kurva,
                 utvardera, max_per_kommun, uteslut, min_avstand)


# ---------------------------------------------------------------------------------------------
# Shared
# ---------------------------------------------------------------------------------------------


def _constraints(max_per_kommun: int | None, uteslut: str | None, min_avstand: float | None) -> Any:
    from fcatlas.analysis.siting import Constraints, parse_ids

    if max_per_kommun is not None and max_per_kommun < 0:
        raise ConfigError("--max-per-kommun ska vara 0 eller mer")
    if min_avstand is not None and min_avstand < 0:
        raise ConfigError("--min-avstand ska vara 0 eller mer (meter)")
    return Constraints(max_per_group=max_per_kommun, excluded=frozenset(parse_ids(uteslut)), min_distance=min_avstand)


def _solve(prob: Any, objective: str, p: int, mal_andel: float | None, cons: Any, time_limit: float) -> Any:
    from fcatlas.analysis import siting

    if objective == "antal":
        assert mal_andel is not None
        return siting.set_covering(prob, mal_andel, cons, time_limit=time_limit)
    if objective == "avstand":
        return siting.p_median(prob, p, cons, time_limit=time_limit)
    return siting.maximal_covering(prob, p, cons, time_limit=time_limit)


def _num(v: float | None) -> str:
    if v is None:
        return "–"
    return thousands(int(round(v))) if abs(v - round(v)) < 1e-9 else f"{v:,.1f}".replace(",", " ").replace(".", ",")


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v * 100:.1f} %".replace(".", ",")


def _print_summary(res: Any, unit: str) -> None:
    obj = OBJECTIVE_LABELS[res.objective]
    n_new, n_fix = len(res.selected), len(res.fixed)
    console.print(f"[bold]Lokalisering – {obj}[/]: {n_new} {'ny plats' if n_new == 1 else 'nya platser'} utöver "
                  f"{n_fix} {'befintlig' if n_fix == 1 else 'befintliga'}")
    console.print(f"  Inom räckhåll: {_num(res.covered_weight)} av {_num(res.total_weight)} {unit} ({_pct(res.share)}); "
                  f"de befintliga når {_num(res.fixed_weight)}")
    if res.objective == "avstand" and res.weighted_distance is not None:
        console.print(f"  Viktat avstånd: {_num(res.weighted_distance)}")
    if res.target_share is not None:
        console.print(f"  Målandel: {_pct(res.target_share)}")
    gap = "–" if res.mip_gap is None else f"{res.mip_gap:.2g}"
    console.print(f"  Lösare: {STATUS_LABELS.get(res.status, res.status)} (MIP-gap {gap}), {res.seconds:.2f} s")
    if res.greedy is not None:
        g = res.greedy
        console.print(f"  Girig lösning (jämförelse): {_num(g.covered_weight)} {unit} med "
                      f"{', '.join(g.selected) or 'inga platser'}")


def _emit_result(res: Any, table: pd.DataFrame, fmt: OutputFormat, unit: str, show_gain: bool = True) -> None:
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(res.to_dict(), ensure_ascii=False, indent=1) + "\n")
    elif fmt is OutputFormat.csv:
        sys.stdout.write(frame_text(table, fmt))
    else:
        _print_summary(res, unit)
        show = table.copy()
        show["gain"] = show["gain"].map(_num)
        if not show_gain:
            show = show.drop(columns="gain")
        print_frame(_swedish(show), OutputFormat.table)


_TABLE_HEADERS = {
    "rank": "Rang", "site_id": "Plats", "site_name": "Namn", "kommun_name": "Kommun", "gain": "Tillförd vikt",
    "children_0_6_gain": "Barn 0–6 (nytt)", "area_names": "Områden inom räckhåll (nytt)",
    "newly_covered": "Nya efterfrågepunkter", "n_newly_covered": "Antal nya punkter",
}


def _swedish(t: pd.DataFrame) -> pd.DataFrame:
    keep = [c for c in t.columns if c in _TABLE_HEADERS]
    return t[keep].rename(columns=_TABLE_HEADERS)


def _curve_table(curve: pd.DataFrame, fmt: OutputFormat) -> None:
    import pandas as pd
    if fmt is not OutputFormat.table:
        sys.stdout.write(frame_text(curve, fmt))
        return
    show = pd.DataFrame({
        "Nya platser": curve["p"],
        "Täckt vikt": curve["covered_weight"].map(_num),
        "Andel": curve["share"].map(_pct),
        "Tillskott": curve["marginal_gain"].map(lambda v: "–" if v is None or pd.isna(v) else _num(v)),
        "Status": curve["status"].map(lambda s: STATUS_LABELS.get(s, s)),
        "Platser": curve["selected"],
    })
    console.print("[bold]Marginalnytta[/]: täckt vikt för varje antal nya platser (optimalt för varje antal)")
    print_frame(show, OutputFormat.table)


def _eval_table(ev: pd.DataFrame, fmt: OutputFormat) -> None:
    import pandas as pd
    if fmt is not OutputFormat.table:
        sys.stdout.write(frame_text(ev, fmt))
        return
    show = pd.DataFrame({
        "Plats": ev["site"],
        "Tillför ensam": ev["gain_alone"].map(_num),
        "Tillför i ordning": ev["gain_in_order"].map(_num),
        "Nya efterfrågepunkter": ev["newly_covered"].str.slice(0, 80),
    })
    console.print("[bold]Utvärdering av förslaget[/] (utöver de befintliga platserna)")
    print_frame(show, OutputFormat.table)


# ---------------------------------------------------------------------------------------------
# Generic: any demand, any candidates
# ---------------------------------------------------------------------------------------------


def _project(dem: pd.DataFrame, cand: pd.DataFrame, demand_path: Path, cand_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates in metres: x, y as given, or lat, lon in a local azimuthal equidistant
    projection centred on the points (distances true from the centre, good within a region)."""
    import numpy as np
    kinds = {dem.attrs.get("coordinates"), cand.attrs.get("coordinates")}
    if len(kinds) > 1:
        raise ConfigError(f"{demand_path} och {cand_path} har olika sorters koordinater (x, y i den ena, lat, lon "
                          "i den andra); använd samma i båda")
    if kinds == {"xy"}:
        return dem[["x", "y"]].to_numpy(float), cand[["x", "y"]].to_numpy(float)
    from pyproj import Transformer

    lat = np.concatenate([dem["lat"].to_numpy(float), cand["lat"].to_numpy(float)])
    lon = np.concatenate([dem["lon"].to_numpy(float), cand["lon"].to_numpy(float)])
    tr = Transformer.from_crs("EPSG:4326", f"+proj=aeqd +lat_0={np.mean(lat):.6f} +lon_0={np.mean(lon):.6f} "
                              "+datum=WGS84 +units=m", always_xy=True)
    x, y = tr.transform(lon, lat)
    xy = np.column_stack([x, y])
    return xy[: len(dem)], xy[len(dem):]


def _generic_run(demand: Path, candidates: Path, cost: Path | None, radius: float | None, p: int, fixed: str | None,
                 objective: str, mal_andel: float | None, time_limit: float, fmt: OutputFormat, kurva: int | None,
                 utvardera: str | None, max_per_kommun: int | None, uteslut: str | None,
                 min_avstand: float | None) -> None:
    import numpy as np
    import pandas as pd

    from fcatlas.analysis import siting
    from fcatlas.geography.sources.points import read_costs, read_points

    dem = read_points(demand, "demand")
    cand = read_points(candidates, "candidates")
    if radius is not None and (not np.isfinite(radius) or radius < 0):
        raise ConfigError("--radius ska vara ett icke-negativt tal (meter)")
    dxy, cxy = _project(dem, cand, demand, candidates)
    fixed_ids = set(cand.loc[cand["fixed"].astype(bool), "id"]) | set(siting.parse_ids(fixed))
    unknown = sorted(set(siting.parse_ids(fixed)) - set(cand["id"]))
    if unknown:
        raise ConfigError(f"--fixed: platsen {unknown[0]!r} finns inte i {candidates}")
    groups = cand["group"].tolist() if cand["group"].notna().any() else None
    if cost is not None:
        costs = read_costs(cost)
        try:
            prob = siting.SitingProblem.from_cost_matrix(dem["id"].tolist(), dem["weight"].to_numpy(float),
                                                         cand["id"].tolist(), costs, radius, fixed=sorted(fixed_ids),
                                                         groups=groups, candidate_xy=cxy)
        except siting.SitingError as exc:
            raise ConfigError(f"{cost}: {exc}") from None
    else:
        if radius is None and objective != "avstand":
            raise ConfigError("--radius (meter) behövs, eller en kostnadstabell med --cost")
        prob = siting.SitingProblem.from_points(
            dem["id"].tolist(), dxy, dem["weight"].to_numpy(float), cand["id"].tolist(), cxy, radius or 0.0,
            fixed=sorted(fixed_ids), groups=groups, keep_distances=np.inf if objective == "avstand" else None)
    cons = _constraints(max_per_kommun, uteslut, min_avstand)
    if max_per_kommun is not None and groups is None:
        raise ConfigError(f"--max-per-kommun kräver kolumnen kommun i {candidates}")
    if utvardera:
        _eval_table(siting.evaluate(prob, siting.parse_ids(utvardera)), fmt)
        return
    if kurva is not None:
        _curve_table(siting.gain_curve(prob, kurva, cons, time_limit=time_limit), fmt)
        return
    res = _solve(prob, objective, p, mal_andel, cons, time_limit)
    names = dict(zip(cand["id"], cand["name"], strict=True))
    table = pd.DataFrame({
        "rank": range(1, len(res.selected) + 1),
        "site_id": res.selected,
        "site_name": [names.get(s, s) for s in res.selected],
        "gain": [siting._clean(g) for g in res.gains],
        "n_newly_covered": [len(n) for n in res.newly_covered],
        "newly_covered": [",".join(n) for n in res.newly_covered],
    })
    _emit_result(res, table, fmt, "(vikt)")


# ---------------------------------------------------------------------------------------------
# From the bundle: children per area, the register's centres fixed, reach as in the atlas
# ---------------------------------------------------------------------------------------------


def _bundle_candidates(path: Path, b: Any, geoms: dict[str, Any]) -> pd.DataFrame:
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


def _bundle_run(bundle: Path, db: str | None, lan: str | None, year: int | None, exclusion: str | None,
                reach: str | None, categories: str | None, vikt: str, cand_path: Path | None, p: int,
                fixed: str | None, objective: str, mal_andel: float | None, time_limit: float, fmt: OutputFormat,
                kurva: int | None, utvardera: str | None, max_per_kommun: int | None, uteslut: str | None,
                min_avstand: float | None, out: Path | None, dpi: int) -> None:
    from fcatlas.analysis import linking, siting
    from fcatlas.analysis.coverage import centres_mask
    from fcatlas.cli.atlas import _analyse, _lan
    from fcatlas.errors import InputFileError
    from fcatlas.geography.bundle import Bundle

    if objective == "avstand":
        raise ConfigError("--objective avstand finns bara med --demand/--candidates; med --bundle används "
                          "atlasens räckvidd (tackning eller antal)")
    lan_code = _lan(lan)
    if out is None and not (utvardera or kurva is not None):
        raise ConfigError("ange --out KATALOG för tabellen, Excel-filen och kartan")
    cons = _constraints(max_per_kommun, uteslut, min_avstand)
    with progress("Lokalisering", total=7) as advance:
        opened = Bundle.open(bundle)
        b, res, geoms = _analyse(opened, db, lan_code, year, exclusion, reach, categories,
                                 on_stage=lambda t: advance(1, t))
        advance(1, "Kandidater och efterfrågan")
        u = res.units_all
        centres = u.loc[centres_mask(u, res.params.centre_categories) & u["located"].astype(bool)]
        extra_fixed = set(siting.parse_ids(fixed))
        if cand_path is not None:
            cand_units = _bundle_candidates(cand_path, b, geoms)
            extra_fixed |= set(cand_units.loc[cand_units["_fixed"].astype(bool), "id"])
        else:
            cand_units = siting.candidates_from_areas(res.areas_all, lan_code)
        cl = linking.link_units(cand_units.drop(columns=[c for c in ("_row", "_fixed") if c in cand_units]),
                                b.table("deso"), geoms["kommun"], regso_geom=geoms["regso"],
                                deso_geom=geoms["deso"], kommun_names=b.kommuner())
        if cand_path is not None:
            outside = ~cl["kommun_code"].notna().to_numpy()
            if outside.any():
                r = cand_units.loc[outside, "_row"].iloc[0]
                raise InputFileError(cand_path, "platsen ligger utanför Sveriges kommuner (kontrollera koordinaterna; "
                                     "x, y ska vara SWEREF 99 TM)", row=int(r))
        demand, unknown = siting.demand_from_areas(res.areas_all, lan_code, vikt)
        if not len(demand):
            raise ConfigError("ingen efterfrågan: inga områden med känd gräns och barn i urvalet"
                              + (f" ({len(unknown)} områden saknar gräns i datapaketet)" if len(unknown) else ""))
        prob = siting.problem_from_atlas(demand, centres, cl, extra_fixed=extra_fixed)
        advance(1, "Löser")
        if utvardera:
            ev = siting.evaluate(prob, siting.parse_ids(utvardera))
        elif kurva is not None:
            curve = siting.gain_curve(prob, kurva, cons, time_limit=time_limit)
        else:
            result = _solve(prob, objective, p, mal_andel, cons, time_limit)
    unit = "barn 0–6 år" if vikt != "barn-viktat" else "(viktade barn)"
    if utvardera:
        _eval_table(ev, fmt)
        return
    if kurva is not None:
        _curve_table(curve, fmt)
        if out is not None:
            from fcatlas.files import check_output, neutralise_frame, write_text

            check_output(out, folder=True, what="utkatalogen").mkdir(parents=True, exist_ok=True)
            write_text(out / "marginalnytta.csv", str(neutralise_frame(curve).to_csv(index=False, lineterminator="\n")))
        return
    sites, areas = _site_tables(result, prob, demand, cl, centres)
    defs = _definitions(res, b, vikt, objective, p, mal_andel, cons, result, unknown, cand_path, time_limit)
    assert out is not None
    from fcatlas.outputs.siting import write_siting

    files = write_siting(out, result, sites, areas, defs, res, geoms, b.manifest, dpi=dpi)
    table = sites.drop(columns=["x", "y"])
    _emit_result(result, table, fmt, unit, show_gain=vikt == "barn-viktat")
    if fmt is OutputFormat.table:
        if len(unknown):
            console.print(f"  [yellow]{len(unknown)} områden saknar gräns i datapaketet och ingår inte.[/]")
        console.print(f"  Vikt: {siting.weight_label(vikt)}")
        console.print(f"  Skrev {', '.join(str(f.relative_to(out)) for f in files)} i {out}/")


def _site_tables(result: Any, prob: Any, demand: pd.DataFrame, cl: pd.DataFrame,
                 centres: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ranked table of new sites and the demand areas before/after."""
    import pandas as pd

    from fcatlas.analysis import siting

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
            "area_names": "; ".join(f"{d.loc[c, 'name']} ({c})" for c in newly),
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


def _definitions(res: Any, b: Any, vikt: str, objective: str, p: int, mal_andel: float | None, cons: Any,
                 result: Any, unknown: pd.DataFrame, cand_path: Path | None, time_limit: float) -> list[tuple[str, str]]:
    from fcatlas.analysis.siting import weight_label
    from fcatlas.outputs.excel import URBANITY_LABELS, scope_label

    prm = res.params
    reach = ", ".join(f"{URBANITY_LABELS[k]}: {v:g} km" for k, v in prm.reach_km.items())
    gap = "–" if result.mip_gap is None else f"{result.mip_gap:.2g}"
    rows = [
        ("Urval", f"{scope_label(res)}, {prm.year}"),
        ("Mål", OBJECTIVE_LABELS[objective] + (f" (målandel {mal_andel:.0%})" if mal_andel else f" (p = {p})")),
        ("Efterfrågan (vikt)", weight_label(vikt)),
        ("Utanförskapsområde", f"{prm.exclusion.label} (definition '{prm.exclusion.spec}')"),
        ("Befintliga platser", f"registrets enheter i drift i kategorierna {', '.join(sorted(prm.centre_categories))}; "
                               "de är fasta, räknas som täckande och ingår inte i p"),
        ("Kandidater", str(cand_path) if cand_path else "mittpunkten (tyngdpunkten) i varje RegSO i urvalet"),
        ("Räckvidd", reach),
        ("Inom räckhåll", "platsen ligger i området eller inom räckvidden fågelvägen från områdets tyngdpunkt "
                          "(SWEREF 99 TM) – samma regel som i atlasen"),
        ("Villkor", f"högst per kommun: {cons.max_per_group if cons.max_per_group is not None else 'ingen gräns'}; "
                    f"uteslutna: {', '.join(sorted(cons.excluded)) or 'inga'}; minsta avstånd: "
                    f"{f'{cons.min_distance:g} m' if cons.min_distance else 'inget'}"),
        ("Lösare", f"HiGHS (scipy.optimize.milp), tidsgräns {time_limit:g} s: {STATUS_LABELS.get(result.status, result.status)}, "
                   f"MIP-gap {gap}, {result.seconds:.2f} s"),
        ("Resultat", f"{_num(result.covered_weight)} av {_num(result.total_weight)} inom räckhåll ({_pct(result.share)}); "
                     f"de befintliga når {_num(result.fixed_weight)}"),
        ("Girig lösning", "–" if result.greedy is None else
         f"{_num(result.greedy.covered_weight)} med {', '.join(result.greedy.selected) or 'inga platser'}"),
        ("Områden utan gräns", f"{len(unknown)} (ingår inte: avstånd okänt)"),
        ("Datapaket", f"{b.manifest.get('label', '')} (skapat {b.manifest.get('created', '?')})"),
    ]
    if b.manifest.get("synthetic"):
        rows.append(("Syntetiska exempeldata", "Ja – inte verkliga uppgifter"))
    return rows


def install(app: typer.Typer) -> None:
    """Attach this module's commands to the main app."""
    app.command("site")(site_command)
