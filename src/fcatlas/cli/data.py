"""``fcatlas data build|info|fetch`` and ``fcatlas areas``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from fcatlas.cli.common import OutputFormat, console, err_console, print_frame, progress
from fcatlas.errors import ConfigError
from fcatlas.fmt import thousands

#: Swedish column headers for the table view (csv/json keep the machine names).
TABLE_HEADERS = {
    "deso_code": "DeSO",
    "regso_code": "RegSO",
    "name": "Namn",
    "kommun_code": "Kommunkod",
    "kommun_name": "Kommun",
    "omradestyp": "Områdestyp",
    "population": "Folkmängd",
    "children_0_6": "Barn 0–6 år",
    "children_0_6_estimated": "Skattat",
}

data_app = typer.Typer(
    help=(
        "Referensdata: bygg och granska datapaket med SCB:s områden (RegSO/DeSO), områdestyp, "
        "folkmängd och barn 0–6 år."
    ),
    no_args_is_help=True,
)


@data_app.command("build")
def build_command(
    src: Annotated[Path, typer.Option("--from", help="Katalog med SCB:s filer, ordnad som ../shared/data.")],
    out: Annotated[Path, typer.Option("--out", help="Katalog där datapaketet skrivs.")],
    children_share: Annotated[
        float | None,
        typer.Option(
            "--andel-barn",
            help="Andel 0–6 år av folkmängden, t.ex. 0.074; används bara där SCB:s åldersdata saknas "
            "(raderna flaggas som skattade). Standard: rikets andel 2023, 0.074.",
        ),
    ] = None,
    overwrite: Annotated[bool, typer.Option("--skriv-over", help="Ersätt ett befintligt datapaket.")] = False,
    allow_incomplete: Annotated[bool, typer.Option(
        "--tillat-ofullstandig",
        help="Bygg även om en områdestypsfil inte täcker alla RegSO (året markeras som ofullständigt; "
        "bidragsnyckeln vägrar det året).")] = False,
) -> None:
    """Bygg ett datapaket av SCB:s filer.

    Läser kopplingstabellen DeSO–RegSO, områdestyp per RegSO (en fil per år), folkmängd per
    RegSO, DeSO-gränser (GeoPackage, EPSG:3006) och, om de finns, SCB:s åldersdata
    (befolkning_alder/*.json från 'fcatlas data fetch').

    Exempel: fcatlas data build --from ../shared/data --out paket
    """
    from fcatlas.geography.build import DEFAULT_CHILDREN_SHARE, build_bundle

    if children_share is None:
        children_share = DEFAULT_CHILDREN_SHARE
    steps = 7
    with progress("Bygger datapaket", total=steps) as advance:
        manifest = build_bundle(src, out, children_share=children_share, overwrite=overwrite,
                                progress=lambda msg: advance(1, msg), allow_incomplete=allow_incomplete)
    for year, info in sorted((manifest.get("incomplete_omradestyp") or {}).items()):
        err_console.print(f"[yellow]Obs:[/] områdestyp {year} är ofullständig: {info['missing']} av {info['of']} "
                          f"RegSO saknas i {info['file']}.", highlight=False)
    _print_summary(out, manifest)


def _print_summary(path: Path, m: dict) -> None:
    t = m["tables"]
    from fcatlas.geography.bundle import division_name

    console.print(f"[bold]Datapaket[/] {path}  ({m['label']})")
    console.print(f"  Indelning: {division_name(m.get('division'))}")
    if m.get("synthetic"):
        console.print("[bold yellow]SYNTETISKA EXEMPELDATA – inte verklig statistik[/]")
    console.print(
        f"  RegSO: {thousands(t['regso']['rows'])}  DeSO: {thousands(t['deso']['rows'])}  "
        f"kommuner: {t['kommun']['rows']}  län: {t['lan']['rows']}"
    )
    y = m["years"]
    console.print(f"  Områdestyp år: {', '.join(map(str, y['omradestyp']))}")
    console.print(f"  Folkmängd år: {', '.join(map(str, y['population'])) or '–'}")
    est = m["children_0_6_estimate"]
    if m.get("synthetic") or est.get("share") is None:
        console.print(f"  Barn 0–6 år: påhittade värden ({est.get('method', 'syntetiska värden')})")
    else:
        share = f"{est['share'] * 100:.1f}".replace(".", ",")
        console.print(
            f"  Barn 0–6 år: {est['rows_from_age_data']} rader från SCB:s åldersdata, "
            f"{est['rows_estimated']} skattade (andel {share} % av folkmängden)"
        )
    for year, counts in m.get("omradestyp_counts", {}).items():
        console.print(f"  Områdestyp {year}: " + ", ".join(f"typ {k}: {v}" for k, v in counts.items()))
    g = m["geometry"]
    console.print(f"  Gränser: {g['regso']} RegSO och {g['deso']} DeSO (län {', '.join(g['lan_with_regso_geometry']) or '–'})")


@data_app.command("info")
def info_command(
    bundle: Annotated[Path, typer.Argument(help="Datapaketets katalog.")],
    as_json: Annotated[bool, typer.Option("--json", help="Skriv hela manifestet som JSON.")] = False,
    verify: Annotated[bool, typer.Option("--kontrollera", help="Kontrollera tabellernas kontrollsummor.")] = False,
) -> None:
    """Visa vad som finns i ett datapaket: källor, årgångar, antal rader."""
    from fcatlas.geography.bundle import Bundle

    b = Bundle.open(bundle, verify=verify)
    if as_json:
        typer.echo(json.dumps(b.manifest, ensure_ascii=False, indent=2))
        return
    _print_summary(bundle, b.manifest)
    console.print("  Källor:")
    for s in b.manifest["sources"]:
        console.print(f"   – {s['file']}: {s['what']} ({s['publisher']})", highlight=False)
    if verify:
        console.print("  Kontrollsummor: OK")


@data_app.command("fetch")
def fetch_command(
    out: Annotated[Path, typer.Option("--out", help="Katalog för svaren, t.ex. DATA/befolkning_alder.")],
    bundle: Annotated[Path, typer.Option("--bundle", help="Datapaket vars områdeskoder hämtas.")],
    years: Annotated[str, typer.Option("--ar", help="År, kommaseparerade, t.ex. 2022,2023.")],
    lan: Annotated[str | None, typer.Option("--lan", help="Bara detta län.")] = None,
    level: Annotated[str, typer.Option("--niva", help="regso eller deso.")] = "regso",
    table: Annotated[str, typer.Option("--tabell", help="SCB-tabell med folkmängd efter ålder.")] = "TAB6574",
    base_url: Annotated[str, typer.Option("--api", help="PxWebApi 2.0-adress.")] = "https://statistikdatabasen.scb.se/api/v2/",
) -> None:
    """Hämta befolkning efter ålder och kön från SCB:s API (kräver internet).

    År t.o.m. 2023 hämtas i DeSO 2018/RegSO 2020, år fr.o.m. 2024 i DeSO 2025/RegSO 2025 (SCB:s
    kodlistor vs_RegSO2025 m.fl.); paketets indelning avgör vilka år som går att hämta.

    Svaren sparas som JSON-stat2 i --out och cachas; bygg sedan om paketet med
    'fcatlas data build', som då räknar barn 0–6 år och kvinnor 16–54 år per område.
    """
    from fcatlas.geography.bundle import Bundle
    from fcatlas.geography.sources.pxweb import PxWebClient, fetch_population_by_age
    from fcatlas.settings import Settings

    if level not in ("regso", "deso"):
        raise ConfigError(f"--niva ska vara regso eller deso, inte {level!r}")
    try:
        year_list = [int(y) for y in years.split(",")]
    except ValueError:
        raise ConfigError(f"--ar ska vara årtal åtskilda med komma, inte {years!r}") from None
    b = Bundle.open(bundle)
    codes = b.areas(level, lan=lan)[f"{level}_code"].tolist()  # type: ignore[arg-type]
    settings = Settings.from_env()
    client = PxWebClient(settings.cache, base_url=base_url, offline=settings.offline)
    with progress("Hämtar från SCB", total=len(codes)) as advance:
        docs = fetch_population_by_age(client, codes, year_list, table_id=table, out_dir=out, progress=advance,
                                       division=b.division, level=level)
    console.print(f"Sparade {len(docs)} svar i {out} ({client.calls} anrop till SCB).")


def areas_command(
    bundle: Annotated[Path, typer.Option("--bundle", help="Datapaketets katalog.")],
    level: Annotated[str, typer.Option("--level", help="regso eller deso.")] = "regso",
    lan: Annotated[str | None, typer.Option("--lan", help="Län: kod (20), bokstav (W) eller namn (Dalarna).")] = None,
    kommun: Annotated[str | None, typer.Option("--kommun", help="Kommunkod, t.ex. 2080.")] = None,
    omradestyp: Annotated[str | None, typer.Option("--omradestyp", help="Områdestyper, t.ex. 1,2.")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Årgång för områdestyp och folkmängd (standard: senaste).")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table, csv eller json.")] = OutputFormat.table,
) -> None:
    """Lista områden (RegSO eller DeSO) med områdestyp, folkmängd och barn 0–6 år.

    Exempel: fcatlas areas --bundle paket --lan 20 --omradestyp 1,2
    """
    from fcatlas.geography.bundle import Bundle

    if level not in ("regso", "deso"):
        raise ConfigError(f"--level ska vara regso eller deso, inte {level!r}")
    types = None
    if omradestyp:
        try:
            types = [int(t) for t in omradestyp.split(",") if t.strip()]
        except ValueError:
            raise ConfigError(f"--omradestyp ska vara heltal 1–5 åtskilda med komma, inte {omradestyp!r}") from None
    if lan is not None:
        from fcatlas.register.intake import lan_code_of

        lan = lan_code_of(lan)
    b = Bundle.open(bundle)
    df = b.areas(level, year=year, lan=lan, kommun=kommun, omradestyp=types)  # type: ignore[arg-type]
    if b.synthetic and fmt is OutputFormat.table:
        err_console.print("[yellow]Syntetiska exempeldata – inte verklig statistik.[/]")
    if fmt is OutputFormat.table:
        show = df.drop(columns=[c for c in ("lan_name", "lan_code", "women_16_54", "year") if c in df.columns])
        # "skattat" only where there is a count to be an estimate; blank where there is none
        flag = show["children_0_6_estimated"].map({True: "ja", False: "nej"}).where(show["children_0_6"].notna(), "")
        show = show.assign(children_0_6_estimated=flag)
        show = show.rename(columns=TABLE_HEADERS)
        print_frame(show, fmt, title=f"Områden {b.check_year(year)}")
    else:
        print_frame(df, fmt)


@data_app.command("fetch-boundaries")
def fetch_boundaries_command(
    out: Annotated[Path, typer.Option("--out", help="GeoPackage som skrivs, t.ex. DATA/deso/deso_20.gpkg.")],
    layer: Annotated[str, typer.Option("--lager", help="WFS-lager hos SCB, t.ex. stat:DeSO_2018.")],
    lan: Annotated[str | None, typer.Option("--lan", help="Bara detta län (filtrerar på länskod).")] = None,
    url: Annotated[str, typer.Option("--wfs", help="WFS-adress.")] = "https://geodata.scb.se/geoserver/stat/wfs",
) -> None:
    """Hämta DeSO- eller RegSO-gränser från SCB:s öppna WFS (kräver internet).

    Gränserna sparas som GeoPackage i SWEREF 99 TM och cachas. Lägg filen i DATA/deso/ och
    bygg om paketet med 'fcatlas data build'.
    """
    from fcatlas.geography.sources.http import CachedHttp
    from fcatlas.geography.sources.scb_wfs import fetch_boundaries
    from fcatlas.settings import Settings

    settings = Settings.from_env()
    http = CachedHttp(settings.cache / "wfs", offline=settings.offline, what="SCB:s WFS")
    with progress("Hämtar gränser från SCB") as advance:
        gdf = fetch_boundaries(http, layer, out, lan=lan, url=url, progress=advance)
    console.print(f"Sparade {len(gdf)} områden i {out}.")


@data_app.command("compare")
def compare_command(
    old: Annotated[Path, typer.Option("--fran", help="Datapaket på DeSO 2018 / RegSO 2020 (t.ex. bidragets underlag 2023).")],
    new: Annotated[Path, typer.Option("--till", help="Datapaket på DeSO 2025 / RegSO 2025 (uppföljningsåret).")],
    key: Annotated[Path, typer.Option("--nyckel", help="SCB:s nyckel DeSO 2018 – DeSO 2025 (DeSO_2018,DeSO_2025,Folkmängd).")],
    year_from: Annotated[int, typer.Option("--ar-fran", help="År i det gamla paketet.")] = 2023,
    year_to: Annotated[int, typer.Option("--ar-till", help="År i det nya paketet.")] = 2025,
    kommun: Annotated[str | None, typer.Option("--kommun", help="Bara denna kommun, t.ex. 2403.")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table, csv eller json.")] = OutputFormat.table,
) -> None:
    """Jämför ett år i DeSO 2018 / RegSO 2020 med ett år i DeSO 2025 / RegSO 2025, per RegSO 2025.

    Det gamla årets siffror förs över till RegSO 2025 genom SCB:s nyckel DeSO 2018 – DeSO 2025
    (delade områden fördelas efter folkmängd) och markeras som överförda; områdestyp förs bara
    över där ett RegSO 2025 kommer helt från ett RegSO 2020.

    Exempel: fcatlas data compare --fran paket --till paket2025 --nyckel nyckel.csv --kommun 2403
    """
    from fcatlas.geography.bundle import Bundle
    from fcatlas.geography.divisions import compare_years, read_correspondence

    df = compare_years(Bundle.open(old), Bundle.open(new), read_correspondence(key), year_from, year_to, kommun=kommun)
    if fmt is not OutputFormat.table:
        print_frame(df, fmt)
        return
    show = df.assign(carried=df["carried"].map({True: "ja", False: "nej"}))
    show = show.rename(columns={"regso_code": "RegSO 2025", "name": "Namn", "from_regso": "Från RegSO 2020",
                                "carried": f"{year_from} överfört", f"omradestyp_{year_from}": f"Typ {year_from}",
                                f"population_{year_from}": f"Folkmängd {year_from}",
                                f"children_0_6_{year_from}": f"Barn 0–6 {year_from}",
                                f"omradestyp_{year_to}": f"Typ {year_to}", f"population_{year_to}": f"Folkmängd {year_to}",
                                f"children_0_6_{year_to}": f"Barn 0–6 {year_to}", "children_change": "Förändring barn"})
    print_frame(show.drop(columns=["kommun_code"]), fmt,
                title=f"{year_from} (RegSO 2020, överfört) mot {year_to} (RegSO 2025)")
    err_console.print(f"Siffrorna för {year_from} är överförda från RegSO 2020 genom nyckeln {key.name} "
                      "(delade områden fördelade efter folkmängd) och är skattningar.", highlight=False)
