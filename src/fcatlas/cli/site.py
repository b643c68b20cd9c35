"""``fcatlas site``: where new centres reach the most children, with the existing centres kept."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fcatlas.cli.atlas import _CAT_HELP, _DB_HELP, _EXCL_HELP, _REACH_HELP
from fcatlas.cli.common import (
    OutputFormat,
    console,
    database_url,
    err_console,
    frame_text,
    print_frame,
    progress,
)
from fcatlas.domain import SitingObjective as Objective
from fcatlas.errors import ConfigError
from fcatlas.fmt import thousands

if TYPE_CHECKING:
    import pandas as pd


class Vikt(StrEnum):
    barn_utanforskap = "barn-utanforskap"
    barn = "barn"
    barn_viktat = "barn-viktat"


OBJECTIVE_LABELS = {
    Objective.TACKNING: "största täckning med p nya platser",
    Objective.ANTAL: "färsta nya platser som når målandelen",
    Objective.AVSTAND: "minsta viktade avstånd (p-median)",
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
    objective: Annotated[Objective, typer.Option("--objective", help="tackning (största täckning), antal (färsta platser till --mal-andel) eller avstand (p-median).")] = Objective.TACKNING,
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
    if objective is Objective.ANTAL and mal_andel is None:
        raise ConfigError("--objective antal kräver --mal-andel (t.ex. 0.9)")
    if mal_andel is not None and objective is not Objective.ANTAL:
        objective = Objective.ANTAL
    if bundle is not None:
        if radius is not None:
            raise ConfigError("--radius gäller inte med --bundle; där anges räckvidden i km per tätortsklass med "
                              "--reach (standard C=2,B=5,A=10, som i atlasen)")
        if demand is not None or cost is not None:
            raise ConfigError("--bundle tar efterfrågan ur datapaketet; ange inte --demand eller --cost")
        _bundle_run(bundle, db, lan, year, exclusion, reach, categories, vikt.value, candidates, p, fixed,
                    objective, mal_andel, time_limit, fmt, kurva, utvardera, max_per_kommun, uteslut,
                    min_avstand, out, dpi)
        return
    if demand is None or candidates is None:
        raise ConfigError("ange --demand och --candidates (eller --bundle för datapaketets barn och registrets "
                          "familjecentraler); se 'fcatlas site --help'")
    _generic_run(demand, candidates, cost, radius, p, fixed, objective, mal_andel, time_limit, fmt, kurva,
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


def _solve(prob: Any, objective: Objective, p: int, mal_andel: float | None, cons: Any, time_limit: float) -> Any:
    from fcatlas.services.siting import solve

    return solve(prob, objective=objective, p=p, target_share=mal_andel, constraints=cons, time_limit=time_limit)


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
    if res.objective is Objective.AVSTAND and res.weighted_distance is not None:
        console.print(f"  Viktat avstånd: {_num(res.weighted_distance)}")
    if res.target_share is not None:
        console.print(f"  Målandel: {_pct(res.target_share)}")
    gap = "–" if res.mip_gap is None else f"{res.mip_gap:.2g}"
    console.print(f"  Lösare: {STATUS_LABELS.get(res.status, res.status)} (MIP-gap {gap}), {res.seconds:.2f} s")
    if res.greedy is not None:
        g = res.greedy
        console.print(f"  Girig lösning (jämförelse): {_num(g.covered_weight)} {unit} med "
                      f"{', '.join(g.selected) or 'inga platser'}")


def _emit_result(res: Any, table: Callable[[], pd.DataFrame], fmt: OutputFormat, unit: str,
                 show_gain: bool = True) -> None:
    """Print ``res``: JSON (the result itself; the ranked ``table`` is not built, so pandas stays
    unimported on that path), CSV or a table."""
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(res.to_dict(), ensure_ascii=False, indent=1) + "\n")
        return
    frame = table()
    if fmt is OutputFormat.csv:
        sys.stdout.write(frame_text(frame, fmt))
    else:
        _print_summary(res, unit)
        show = frame.copy()
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


def _generic_run(demand: Path, candidates: Path, cost: Path | None, radius: float | None, p: int, fixed: str | None,
                 objective: Objective, mal_andel: float | None, time_limit: float, fmt: OutputFormat, kurva: int | None,
                 utvardera: str | None, max_per_kommun: int | None, uteslut: str | None,
                 min_avstand: float | None) -> None:
    from fcatlas.analysis import siting
    from fcatlas.services.siting import files_table, problem_from_files

    built = problem_from_files(demand=demand, candidates=candidates, cost=cost, radius=radius, fixed=fixed,
                               objective=objective)
    prob, groups = built.problem, built.groups
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
    _emit_result(res, lambda: files_table(res, built.candidates), fmt, "(vikt)")


# ---------------------------------------------------------------------------------------------
# From the bundle: children per area, the register's centres fixed, reach as in the atlas
# ---------------------------------------------------------------------------------------------


def _bundle_run(bundle: Path, db: str | None, lan: str | None, year: int | None, exclusion: str | None,
                reach: str | None, categories: str | None, vikt: str, cand_path: Path | None, p: int,
                fixed: str | None, objective: Objective, mal_andel: float | None, time_limit: float, fmt: OutputFormat,
                kurva: int | None, utvardera: str | None, max_per_kommun: int | None, uteslut: str | None,
                min_avstand: float | None, out: Path | None, dpi: int) -> None:
    from fcatlas.analysis import siting
    from fcatlas.cli.exclusion import exclusion_definition
    from fcatlas.geography.bundle import Bundle
    from fcatlas.services.atlas import parse_lan, run_atlas
    from fcatlas.services.siting import problem_from_atlas, site_tables

    if objective is Objective.AVSTAND:
        raise ConfigError("--objective avstand finns bara med --demand/--candidates; med --bundle används "
                          "atlasens räckvidd (tackning eller antal)")
    lan_code = parse_lan(lan)
    if out is None and not (utvardera or kurva is not None):
        raise ConfigError("ange --out KATALOG för tabellen, Excel-filen och kartan")
    cons = _constraints(max_per_kommun, uteslut, min_avstand)
    with progress("Lokalisering", total=7) as advance:
        run = run_atlas(Bundle.open(bundle), db_url=database_url(db), lan=lan_code, year=year,
                        exclusion=exclusion_definition(exclusion),
                        reach=reach, categories=categories, on_stage=lambda t: advance(1, t),
                        on_warning=err_console.print)
        b, res, geoms = run.bundle, run.result, run.geoms
        advance(1, "Kandidater och efterfrågan")
        ap = problem_from_atlas(run, lan=lan_code, weight=vikt, candidates=cand_path, fixed=fixed)
        prob, unknown = ap.problem, ap.unknown
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
    sites, areas = site_tables(result, ap)
    defs = _definitions(res, b, vikt, objective, p, mal_andel, cons, result, unknown, cand_path, time_limit)
    assert out is not None
    from fcatlas.outputs.siting import write_siting

    files = write_siting(out, result, sites, areas, defs, res, geoms, b.manifest, dpi=dpi)
    _emit_result(result, lambda: sites.drop(columns=["x", "y"]), fmt, unit, show_gain=vikt == "barn-viktat")
    if fmt is OutputFormat.table:
        if len(unknown):
            console.print(f"  [yellow]{len(unknown)} områden saknar gräns i datapaketet och ingår inte.[/]")
        console.print(f"  Vikt: {siting.weight_label(vikt)}")
        console.print(f"  Skrev {', '.join(str(f.relative_to(out)) for f in files)} i {out}/")


def _definitions(res: Any, b: Any, vikt: str, objective: Objective, p: int, mal_andel: float | None, cons: Any,
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
        ("Lösare", f"HiGHS (highspy), tidsgräns {time_limit:g} s: {STATUS_LABELS.get(result.status, result.status)}, "
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
