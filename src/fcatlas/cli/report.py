"""``fcatlas rapport``: the needs and situation analysis (behovs- och lägesanalys) as HTML and PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fcatlas.cli.atlas import _CAT_HELP, _DB_HELP, _EXCL_HELP, _REACH_HELP
from fcatlas.cli.common import console, database_url, err_console, progress


def rapport_command(
    bundle: Annotated[Path, typer.Option("--bundle", help="Datapaketets katalog.")],
    out: Annotated[Path, typer.Option("--out", help="Katalog där rapport.html och rapport.pdf skrivs.")],
    db: Annotated[str | None, typer.Option("--db", help=_DB_HELP)] = None,
    lan: Annotated[str | None, typer.Option("--lan", help="Länets kod, t.ex. 20. Utan --lan: nationell översikt "
                                                          "med alla län sida vid sida.")] = None,
    year: Annotated[int | None, typer.Option("--ar", "--year", help="Analysår för områdestyp och folkmängd "
                                                                    "(standard: senaste i datapaketet).")] = None,
    exclusion: Annotated[str | None, typer.Option("--exclusion", help=_EXCL_HELP)] = None,
    reach: Annotated[str | None, typer.Option("--reach", help=_REACH_HELP)] = None,
    categories: Annotated[str | None, typer.Option("--categories", help=_CAT_HELP)] = None,
    text: Annotated[Path | None, typer.Option(
        "--text", help="Regionens egna avsnitt i Markdown (UTF-8). En rad '<!-- plats: NAMN -->' inleder texten "
                       "för en plats: inledning, familjecentraler, socioekonomi, tackning, styrning, statsbidrag, "
                       "rekommendationer. Text före första markeringen hamnar i inledningen.")] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Skriv också rapport.pdf (A4).")] = True,
) -> None:
    """Skapa en behovs- och lägesanalys för ett län (eller en nationell översikt) som HTML och PDF.

    Avsnitt: sammanfattning (de fyra frågorna), familjecentraler (karta, tabell, kommuner utan
    familjecentral, förändring sedan förra inventeringen), socioekonomi (RegSO per områdestyp och
    år, områden som bytt typ), barn 0–6 år per år, täckning och luckor (med liknande områden som
    har familjecentral), styrning (jämfört med de nationella siffrorna), statsbidraget och
    regionens egna avsnitt från --text. Siffrorna beräknas som i 'fcatlas atlas'.

    Exempel: fcatlas rapport --bundle paket --db register.sqlite --lan 20 --out rapport-dalarna
    """
    from fcatlas.cli.exclusion import exclusion_definition
    from fcatlas.geography.bundle import Bundle
    from fcatlas.services.report import build_report, write_report

    definition = exclusion_definition(exclusion)
    with progress("Rapport", total=11 + (1 if pdf else 0)) as advance:
        rep = build_report(Bundle.open(bundle), db_url=database_url(db), lan=lan, year=year, exclusion=definition,
                           reach=reach, categories=categories, text_file=text,
                           on_stage=lambda t: advance(1, t), on_warning=err_console.print)
        files = write_report(rep, out, pdf=pdf, on_stage=lambda t: advance(1, t))
    t = rep.tables
    where = "hela Sverige" if t.scope == "national" else f"län {t.lan_code}"
    console.print(f"[bold]Behovs- och lägesanalys för {where}, {t.year}[/]")
    for f in files.values():
        console.print(f"  Skrev {f}", highlight=False)


def install(app: typer.Typer) -> None:
    """Attach this module's commands to the main app."""
    app.command("rapport")(rapport_command)
