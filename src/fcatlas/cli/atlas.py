"""``fcatlas atlas`` and ``fcatlas similar``: the atlas of family centres and similar areas."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fcatlas.cli.common import OutputFormat, console, database_url, err_console, print_frame, progress
from fcatlas.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

_DB_HELP = (
    "Registrets databas: en SQLAlchemy-URL eller en SQLite-fil (standard: FCATLAS_DB eller "
    "fcatlas.sqlite i FCATLAS_HOME)."
)
_EXCL_HELP = (
    "Definition av utanförskapsområden: 'omradestyp:1,2' (standard), 'omradestyp:1,2@2022' eller "
    "'lista:FIL' (en RegSO-kod per rad, t.ex. Utanförskapets karta)."
)
_REACH_HELP = (
    "Räckvidd i km fågelvägen från områdets mittpunkt, per tätortsklass: 'C=2,B=5,A=10' (standard; "
    "C centralort, B annan tätort, A landsbygd) eller ett tal för alla."
)
_CAT_HELP = (
    "Kategorier som räknas som familjecentral, kommaseparerade (standard: "
    "familjecentral,familjecentralsliknande)."
)


class MapChoice(StrEnum):
    auto = "auto"
    national = "national"
    lan = "lan"
    all = "all"
    none = "none"


def _lan(code: str | None) -> str | None:
    from fcatlas.services.atlas import parse_lan

    return parse_lan(code)


def atlas_command(
    bundle: Annotated[Path, typer.Option("--bundle", help="Datapaketets katalog.")],
    out: Annotated[Path, typer.Option("--out", help="Katalog där atlasen skrivs.")],
    db: Annotated[str | None, typer.Option("--db", help=_DB_HELP)] = None,
    lan: Annotated[str | None, typer.Option("--lan", help="Bara ett län: kod (18), bokstav (T) eller namn (Örebro).")] = None,
    year: Annotated[int | None, typer.Option("--year", help="År för områdestyp och folkmängd (standard: senaste).")] = None,
    exclusion: Annotated[str | None, typer.Option("--exclusion", help=_EXCL_HELP)] = None,
    reach: Annotated[str | None, typer.Option("--reach", help=_REACH_HELP)] = None,
    categories: Annotated[str | None, typer.Option("--categories", help=_CAT_HELP)] = None,
    maps: Annotated[
        MapChoice,
        typer.Option("--maps", help="Kartor: auto (länet; utan --lan Sverige + län med RegSO-gränser), "
                     "national, lan (varje län), all, none."),
    ] = MapChoice.auto,
    dpi: Annotated[int, typer.Option("--dpi", help="Upplösning för PNG (minst 200 för tryck).")] = 200,
) -> None:
    """Skapa atlasen: Excel-fil, kartor, areas.csv och summary.json.

    Kopplar registrets enheter till DeSO/RegSO/kommun, besvarar de fyra frågorna (var finns
    familjecentraler, var är utanförskapet stort, var saknas familjecentraler där, hur många
    barn bor där), räknar täckning och luckor per län, kommun och områdestyp.

    Exempel: fcatlas atlas --bundle paket --db register.sqlite --lan 20 --out atlas-dalarna
    """
    from fcatlas.cli.exclusion import exclusion_definition
    from fcatlas.outputs.atlas import write_atlas
    from fcatlas.services.atlas import run_atlas
    from fcatlas.services.outlook import scope_outlook

    if dpi < 72:
        raise ConfigError("--dpi ska vara minst 72 (200 eller mer för tryck)")
    lan_code = _lan(lan)
    from fcatlas.files import check_output
    from fcatlas.geography.bundle import Bundle

    check_output(out, folder=True, what="utkatalogen")  # before the analysis, not after it
    opened = Bundle.open(bundle)
    manifest = opened.manifest
    n_lan = int(manifest.get("tables", {}).get("lan", {}).get("rows", 21))
    with_regso = manifest.get("geometry", {}).get("lan_with_regso_geometry", [])
    n_maps = {
        "auto": 1 if lan_code else 1 + len(with_regso),
        "national": 1,
        "lan": 1 if lan_code else n_lan,
        "all": 1 if lan_code else 1 + n_lan,
        "none": 0,
    }[maps.value]
    with progress("Atlas", total=5 + 3 + n_maps) as advance:
        run = run_atlas(opened, db_url=database_url(db), lan=lan_code, year=year, exclusion=exclusion_definition(exclusion), reach=reach,
                        categories=categories, on_stage=lambda text: advance(1, text), on_warning=err_console.print)
        b, res, geoms = run.bundle, run.result, run.geoms
        advance(1, "Gör prognosen för barn 0–6 år")
        outlook = scope_outlook(b, res)
        files = write_atlas(res, b.manifest, geoms, out, maps=maps.value, dpi=dpi,
                            on_stage=lambda text: advance(1, text), outlook=outlook)
    _print_summary(res, out, files)


def _print_summary(res: Any, out: Path, files: dict[str, list[Path]]) -> None:
    from fcatlas.outputs.atlas import console_lines

    for line in console_lines(res, out, files):
        console.print(line, highlight=False, soft_wrap=True)


def similar_command(
    regso_code: Annotated[str, typer.Argument(help="RegSO-kod, t.ex. 2081R004.")],
    bundle: Annotated[Path, typer.Option("--bundle", help="Datapaketets katalog.")],
    db: Annotated[str | None, typer.Option("--db", help=_DB_HELP)] = None,
    k: Annotated[int, typer.Option("-k", help="Antal liknande områden.")] = 10,
    within_lan: Annotated[str | None, typer.Option("--within-lan", help="Sök bara i detta län.")] = None,
    within_kommun: Annotated[str | None, typer.Option("--within-kommun", help="Sök bara i denna kommun.")] = None,
    weights: Annotated[
        str | None,
        typer.Option("--weights", help="Vikter, t.ex. 'children_0_6=2,omradestyp=1,exclusion=1,centre=1,urbanity=1'."),
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="År (standard: senaste).")] = None,
    exclusion: Annotated[str | None, typer.Option("--exclusion", help=_EXCL_HELP)] = None,
    reach: Annotated[str | None, typer.Option("--reach", help=_REACH_HELP)] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Utdata: table, csv eller json.")] = OutputFormat.table,
) -> None:
    """Hitta de k RegSO som mest liknar ett område.

    Egenskaper (standardiserade): barn 0–6 år, områdestyp, utanförskapsområde, familjecentral
    inom räckhåll, tätortsgrad. Varje rad visar avståndet per egenskap (d_…), så att det syns
    varför områdena liknar varandra.

    Exempel: fcatlas similar 2081R004 --bundle paket --db register.sqlite -k 5
    """
    import pandas as pd

    from fcatlas.analysis.similar import FEATURE_LABELS, FEATURES, parse_weights
    from fcatlas.cli.exclusion import exclusion_definition
    from fcatlas.geography.codes import validate
    from fcatlas.services.atlas import run_atlas, similar

    code = validate("regso", regso_code)
    w = parse_weights(weights)
    lan_code = _lan(within_lan)
    kommun_code = validate("kommun", within_kommun) if within_kommun else None
    with progress("Liknande områden", total=5) as advance:
        from fcatlas.geography.bundle import Bundle

        run = run_atlas(Bundle.open(bundle), db_url=database_url(db), year=year, exclusion=exclusion_definition(exclusion), reach=reach,
                        on_stage=lambda t: advance(1, t), on_warning=err_console.print)
    res = run.result
    out = similar(run, regso_code=code, k=k, weights=w, within_lan=lan_code, within_kommun=kommun_code)
    if fmt is OutputFormat.table:
        t = res.areas_all.set_index("regso_code").loc[code]
        target = out.attrs["target"]
        desc = ", ".join(
            f"{FEATURE_LABELS[f]} {_fmt(target[f])}" for f in FEATURES
        )
        console.print(f"[bold]Områden som liknar {code} {t['name']} ({t['kommun_name']})[/]")
        console.print(f"  {desc}")
        level = target.get("coverage_level")
        if level:
            from fcatlas.analysis.coverage import COVERAGE_LEVEL_LABELS

            console.print(f"  Familjecentral inom räckhåll bygger på: {COVERAGE_LEVEL_LABELS.get(level, level)}",
                          highlight=False)
        console.print("  Vikter: " + ", ".join(f"{f}={w[f]:g}" for f in FEATURES))
        short = {"children_0_6": "barn", "omradestyp": "områdestyp", "exclusion": "utanförskap",
                 "centre": "familjecentral", "urbanity": "tätortsgrad"}

        def why(r: pd.Series) -> str:
            parts = sorted(((float(r[f"d_{f}"]), f) for f in FEATURES), reverse=True)
            return ", ".join(f"{short[f]} {d:.2f}".replace(".", ",") for d, f in parts[:2] if d > 0) or "lika"

        show = pd.DataFrame({
            "#": out["rank"],
            "RegSO": out["regso_code"],
            "Område": out["name"].str.slice(0, 30),
            "Kommun": out["kommun_name"],
            "Barn 0–6": out["children_0_6"].round().astype("Int64"),
            "Typ": out["omradestyp"].round().astype("Int64"),
            "Avstånd": out["distance"].round(2),
            "Störst skillnad": out.apply(why, axis=1),
        })
        print_frame(show, OutputFormat.table)
        console.print("Alla delavstånd (d_…) finns med --format csv eller json.")
        return
    print_frame(out, fmt)


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    return f"{v:g}" if isinstance(v, float) else str(v)


def install(app: typer.Typer) -> None:
    """Attach this module's commands to the main app."""
    app.command("atlas")(atlas_command)
    app.command("similar")(similar_command)
