"""``fcatlas grant year …``: a grant year stored in the database, set up, compared and decided
through the same services as the national grant pages (:mod:`fcatlas.services.grants`), and the
annex from the stored decision (``fcatlas grant annex --year ÅR --db …``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from fcatlas.cli.common import (
    DB_HELP,
    OutputFormat,
    acting,
    console,
    database_session,
    err_console,
    print_frame,
)
from fcatlas.domain import DEFAULT_FIXED_SEK, FIRST_YEAR, LAST_YEAR
from fcatlas.errors import ConfigError
from fcatlas.fmt import thousands

if TYPE_CHECKING:
    from fcatlas.grants.basis import Basis

year_app = typer.Typer(
    name="year",
    help=(
        "Ett bidragsår i databasen, som på webbsidan Statsbidrag: lägg upp året med totalbelopp och "
        "underlag (setup), se förhandsvisningen (show), jämför med ett annat underlag (compare), "
        "besluta (decide) och lista åren (list). Bilagan ur beslutet: 'fcatlas grant annex --year ÅR --db …'."
    ),
    no_args_is_help=True,
)

_YEAR = typer.Option(..., "--year", min=FIRST_YEAR, max=LAST_YEAR, help="Bidragsår, t.ex. 2026.")
_DB = typer.Option(None, "--db", help=DB_HELP)
_EXCL_HELP = "Definition av områden med stort utanförskap: 'omradestyp:1,2', 'omradestyp:1,2@2022' eller 'lista:FIL'."
#: the year's status (a string, or an enum whose value is the string) as the pages name it
_STATUS_LABELS = {"forberedd": "förberedd (ej beslutad)", "beslutad": "beslutad"}


def _given_basis(bundle: Path | None, basis: Path | None, exclusion: str | None, data_year: int | None) -> Basis | None:
    """The basis of ``--basis FIL`` or ``--bundle PAKET`` (``--exclusion``, ``--data-year``), if any."""
    if bundle is None and basis is None:
        if exclusion or data_year:
            raise ConfigError("--exclusion och --data-year gäller bara med --bundle")
        return None
    from fcatlas.cli.grant import _basis

    return _basis(bundle, basis, exclusion, data_year)


def _deadline(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"--deadline {text!r}: ange ÅÅÅÅ-MM-DD") from None


def _print_year(y: Any) -> None:
    status = _STATUS_LABELS.get(str(getattr(y.status, "value", y.status)), str(y.status))
    decided = f", beslutat {y.decided_at:%Y-%m-%d} av {y.decided_by}" if y.decided_by and y.decided_at else ""
    console.print(f"Statsbidrag {y.year}: {status}{decided}. Totalbelopp {thousands(y.total_sek)} kr, fast belopp "
                  f"{thousands(y.fixed_sek)} kr per berättigad region{' (alla regioner)' if y.include_all else ''}, "
                  f"sista dag för återrapporten {y.report_deadline.isoformat()}.", highlight=False)
    if y.basis_source:
        console.print(f"Underlag: {y.basis_definition} ({y.basis_source}"
                      f"{', barn ' + str(y.basis_data_year) if y.basis_data_year else ''}).", highlight=False)
    for n in y.notes:
        err_console.print(f"[yellow]Obs:[/] {n}", highlight=False, soft_wrap=True)


def _print_allocation(alloc: Any, format: OutputFormat) -> None:
    import pandas as pd

    df = pd.DataFrame([{"region_code": r.region_code, "region_name": r.region_name, "eligible": r.eligible,
                        "basis_children": r.basis_children, "share": r.share, "fixed_sek": r.fixed_sek,
                        "variable_sek": r.variable_sek, "total_sek": r.total_sek} for r in alloc.rows])
    if format is not OutputFormat.table:
        print_frame(df, format)
        return
    shown = pd.DataFrame({"Län": df["region_code"], "Region": df["region_name"], "Barn 0–6": df["basis_children"],
                          "Andel": df["share"].map(lambda v: f"{100 * v:.2f} %".replace(".", ",")),
                          "Fast (kr)": df["fixed_sek"], "Rörlig (kr)": df["variable_sek"],
                          "Totalt (kr)": df["total_sek"]})
    kind = "beslutad fördelning" if alloc.decided else "förhandsvisning (inget beslut)"
    print_frame(shown, format, title=f"Statsbidrag {alloc.year.year}: {kind}")
    console.print(f"Summa: {thousands(alloc.total_sek)} kr", highlight=False)


@year_app.command("setup")
def setup_command(
    year: int = _YEAR,
    total: str = typer.Option(..., "--total", help="Årets totalbelopp i hela kronor, t.ex. 51365000."),
    fixed: str | None = typer.Option(None, "--fixed", help="Fast belopp per berättigad region (kr); standard " + thousands(DEFAULT_FIXED_SEK) + "."),
    include_all: bool = typer.Option(False, "--include-all", help="Alla regioner får den fasta delen."),
    deadline: str | None = typer.Option(None, "--deadline", help="Sista dag för återrapporten (standard 31 januari året efter)."),
    basis: Path | None = typer.Option(None, "--basis", help="Underlaget som CSV: region_code;basis_children."),
    bundle: Path | None = typer.Option(None, "--bundle", help="Datapaket att räkna underlaget ur."),
    exclusion: str | None = typer.Option(None, "--exclusion", help=_EXCL_HELP + " Standard omradestyp:1,2."),
    data_year: int | None = typer.Option(None, "--data-year", help="År för antal barn (standard: paketets senaste)."),
    db: str | None = _DB,
) -> None:
    """Lägg upp (eller ändra) ett bidragsår som inte är beslutat: totalbelopp, fast belopp, sista dag
    och underlag. Utan --basis/--bundle behåller ett befintligt år sitt underlag. Som formuläret på
    sidan Statsbidrag (nationell).

    Exempel: fcatlas grant year setup --year 2026 --total 51365000 --basis underlag.csv --db register.sqlite
    """
    from fcatlas.cli.grant import _sek
    from fcatlas.grants.allocation import DEFAULT_FIXED_SEK
    from fcatlas.services import grants

    b = _given_basis(bundle, basis, exclusion, data_year)
    with database_session(db) as s:
        y = grants.setup_year(s, actor=acting(s), year=year, total_sek=_sek(total),
                              fixed_sek=_sek(fixed, "--fixed") if fixed else DEFAULT_FIXED_SEK,
                              include_all=include_all, deadline=_deadline(deadline), basis=b)
    _print_year(y)
    if not y.basis_source:
        console.print(f"Året saknar underlag: ange --basis FIL eller --bundle PAKET (fcatlas grant year setup "
                      f"--year {year} …).", highlight=False)


@year_app.command("show")
def show_command(
    year: int = _YEAR,
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv eller json."),
    db: str | None = _DB,
) -> None:
    """Visa ett bidragsår och dess fördelning: förhandsvisningen för ett förberett år (nationell
    nivå), den beslutade fördelningen för ett beslutat (offentlig)."""
    from fcatlas.services import grants

    with database_session(db, must_exist=True) as s:
        actor = acting(s)
        y = grants.get_year(s, actor=actor, year=year)
        alloc = grants.allocation(s, actor=actor, year=year) if y.basis_source or y.decided else None
    if format is OutputFormat.table:
        _print_year(y)
    if alloc is not None:
        _print_allocation(alloc, format)


@year_app.command("compare")
def compare_command(
    year: int = _YEAR,
    basis: Path | None = typer.Option(None, "--basis", help="Scenariots underlag som CSV."),
    bundle: Path | None = typer.Option(None, "--bundle", help="Datapaket att räkna scenariots underlag ur."),
    exclusion: str | None = typer.Option(None, "--exclusion", help="Scenariots definition: " + _EXCL_HELP),
    data_year: int | None = typer.Option(None, "--data-year", help="År för antal barn i scenariot."),
    total_b: str | None = typer.Option(None, "--total-b", help="Annat totalbelopp i scenariot (kr)."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv eller json."),
    db: str | None = _DB,
) -> None:
    """Jämför årets fördelning (A) med samma år under ett annat underlag (B); inget sparas. Som
    scenariojämförelsen på årets sida."""
    import pandas as pd

    from fcatlas.cli.grant import _sek
    from fcatlas.services import grants

    b = _given_basis(bundle, basis, exclusion, data_year)
    if b is None:
        raise ConfigError("ange scenariots underlag: --basis FIL eller --bundle PAKET (med --exclusion)")
    with database_session(db, must_exist=True) as s:
        cmp = grants.compare_scenario(s, actor=acting(s), year=year, basis_b=b,
                                      total_b_sek=_sek(total_b, "--total-b") if total_b else None)
    df = pd.DataFrame([vars(r) for r in cmp.rows])
    if format is OutputFormat.table:
        df = df.rename(columns={"region_code": "Län", "region_name": "Region", "basis_a": "Barn A",
                                "basis_b": "Barn B", "total_a_sek": "A (kr)", "total_b_sek": "B (kr)",
                                "change_sek": "Förändring (kr)", "change_pct": "Förändring (%)"})
        df["Förändring (%)"] = df["Förändring (%)"].map(lambda v: "" if v is None or pd.isna(v)
                                                        else f"{v:+.1f}".replace(".", ","))
    print_frame(df, format, title=f"Jämförelse {year}: A = {cmp.definition_a}, B = {cmp.definition_b}")


@year_app.command("decide")
def decide_command(year: int = _YEAR, db: str | None = _DB) -> None:
    """Besluta årets fördelning: beloppen sparas (hela kronor, exakt totalbeloppet), året kan inte
    längre ändras och varje region med ett belopp får en återrapport att fylla i."""
    from fcatlas.services import grants

    with database_session(db, must_exist=True) as s:
        alloc = grants.decide(s, actor=acting(s), year=year)
    console.print(f"Statsbidraget för {year} är beslutat: {thousands(alloc.total_sek)} kr till "
                  f"{sum(r.total_sek > 0 for r in alloc.rows)} regioner. Bilagan: fcatlas grant annex --year {year} "
                  "--xlsx FIL --pdf FIL", highlight=False)


@year_app.command("list")
def list_command(
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv eller json."),
    db: str | None = _DB,
) -> None:
    """Lista bidragsåren (beslutade för alla, förberedda för den nationella nivån)."""
    import pandas as pd

    from fcatlas.services import grants

    with database_session(db, must_exist=True) as s:
        years = grants.list_years(s, actor=acting(s))
    df = pd.DataFrame([{"year": y.year, "status": str(getattr(y.status, "value", y.status)),
                        "total_sek": y.total_sek, "fixed_sek": y.fixed_sek, "basis": y.basis_definition,
                        "decided_by": y.decided_by or "",
                        "decided_at": y.decided_at.date().isoformat() if y.decided_at else ""} for y in years],
                      columns=["year", "status", "total_sek", "fixed_sek", "basis", "decided_by", "decided_at"])
    if format is OutputFormat.table:
        df["status"] = df["status"].map(lambda v: _STATUS_LABELS.get(v, v))
        df.columns = ["År", "Status", "Totalt (kr)", "Fast (kr)", "Underlag", "Beslutat av", "Beslutat"]
    print_frame(df, format, title="Bidragsår")


def annex_from_decision(year: int, db: str | None, xlsx: Path | None, pdf: Path | None) -> None:
    """``fcatlas grant annex --year ÅR``: the annex of the stored decision, the same bytes as the
    web's ``/api/v1/grants/years/ÅR/annex.xlsx`` and ``annex.pdf``."""
    from fcatlas.files import check_output, write_bytes
    from fcatlas.services import grants

    for out in (xlsx, pdf):
        if out is not None:
            check_output(out)
    with database_session(db, must_exist=True) as s:
        actor = acting(s)
        made = [(out, grants.annex(s, actor=actor, year=year, fmt=fmt)[1])
                for out, fmt in ((xlsx, "xlsx"), (pdf, "pdf")) if out is not None]
    for out, content in made:
        write_bytes(out, content)
        console.print(f"Skrev {out}", highlight=False)
