"""``fcatlas grant …``: the state grant 2026–2030 — allocation, scenarios, plan, annex, follow-up."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
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
    frame_text,
    print_frame,
)
from fcatlas.domain import DEFAULT_FIXED_SEK, FIRST_YEAR, LAST_YEAR
from fcatlas.errors import ConfigError
from fcatlas.fmt import thousands

if TYPE_CHECKING:
    import pandas as pd

    from fcatlas.cli.grant_files import BasisSource
    from fcatlas.geography.exclusion import ExclusionDefinition
    from fcatlas.grants.basis import Basis
    from fcatlas.grants.plan import GrantPlan

grant_app = typer.Typer(
    name="grant",
    help=(
        "Statsbidraget för familjecentraler 2026–2030: fördelning enligt nyckeln (fast belopp per "
        "region + andel barn 0–6 år i områden med stort utanförskap), scenarier, flerårsplan, "
        "beslutsbilaga och uppföljning av återrapporterna."
    ),
    no_args_is_help=True,
)
report_app = typer.Typer(
    name="report",
    help=("Uppföljning: mottagarnas årliga återrapporter (mall, import, lista, sammanställning) och deras steg: "
          "skicka in (regionens företrädare), returnera och godkänna (nationell nivå)."),
    no_args_is_help=True,
)
grant_app.add_typer(report_app, name="report")

#: Plausible grant years (dates are computed from them: deadlines the year after, payouts).
GRANT_YEARS = (FIRST_YEAR, LAST_YEAR)
_DB_HELP = DB_HELP
_TOTAL_HELP = "Årets totalbelopp i hela kronor, t.ex. 51365000 (mellanslag och _ tillåts)."
_EXCL_HELP = "Definition av områden med stort utanförskap: 'omradestyp:1,2', 'omradestyp:1,2@2022' eller 'lista:FIL'."


class GrantFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


def install(app: typer.Typer) -> None:
    """Attach this module's commands (and ``grant year …``) to the main app."""
    from fcatlas.cli.grant_year import year_app

    grant_app.add_typer(year_app, name="year")
    app.add_typer(grant_app, name="grant")


# -- helpers -----------------------------------------------------------------------------------


def _sek(text: str, what: str = "--total") -> int:
    t = str(text).strip().replace(" ", "").replace("_", "").replace("\u00a0", "")
    if not re.fullmatch(r"[0-9]+", t):  # ASCII digits only: "²".isdigit() is true but int() refuses it
        raise ConfigError(f"{what}: {text!r} är inget belopp i hela kronor (t.ex. 51365000)")
    return int(t)


def _per_year(text: str, years: list[int], option: str, example: str) -> dict[int, str]:
    """``VALUE`` for every year, or ``2026=VALUE,2027=VALUE`` (every year must be given)."""
    if "=" not in text:
        return dict.fromkeys(years, text.strip())
    out: dict[int, str] = {}
    for part in text.split(","):
        y, _, v = part.partition("=")
        if not re.fullmatch(r"\d{4}", y.strip()) or not v.strip():
            raise ConfigError(f"{option}: {part!r} ska ha formen ÅR={example}")
        out[int(y)] = v.strip()
    missing = [y for y in years if y not in out]
    if missing:
        raise ConfigError(f"{option} saknar värde för år " + ", ".join(map(str, missing)))
    return {y: out[y] for y in years}


def _totals(text: str, years: list[int]) -> dict[int, int]:
    """``60000000`` (every year) or ``2026=60000000,2027=61000000``."""
    per = _per_year(text, years, "--total", "BELOPP, t.ex. 2026=60000000")
    return {y: _sek(v, "--total" if "=" not in text else f"--total {y}") for y, v in per.items()}


def _years(text: str) -> list[int]:
    m = re.fullmatch(r"\s*([0-9]{4})\s*[-–]\s*([0-9]{4})\s*", text)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        if b < a:
            raise ConfigError(f"--years {text!r}: slutåret är före startåret")
        ys = list(range(a, b + 1))
    else:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not all(re.fullmatch(r"[0-9]{4}", p) for p in parts):
            raise ConfigError(f"--years {text!r}: ange t.ex. 2026-2030 eller 2026,2027")
        ys = sorted({int(p) for p in parts})
    if not ys:
        raise ConfigError("--years: inga år")
    bad = [y for y in ys if not GRANT_YEARS[0] <= y <= GRANT_YEARS[1]]
    if bad:
        raise ConfigError(f"--years {text!r}: {bad[0]} är inget rimligt bidragsår "
                          f"({GRANT_YEARS[0]}–{GRANT_YEARS[1]})")
    return ys


def _definition(exclusion: str | None) -> ExclusionDefinition | None:
    """The exclusion definition of ``--exclusion`` (a ``lista:FIL`` read here, by the face)."""
    from fcatlas.cli.exclusion import exclusion_definition

    return exclusion_definition(exclusion) if exclusion else None


def _scenario_spec(spec: str) -> str | ExclusionDefinition:
    """A scenario of ``compare``: ``fil:BASIS.csv`` as it is, an exclusion definition built."""
    if spec.startswith(("fil:", "file:", "basis:")):
        return spec
    return _definition(spec) or spec


def _basis(bundle: Path | None, basis: Path | None, exclusion: str | None, data_year: int | None) -> Basis:
    from fcatlas.cli.grant_files import BasisSource, read_basis

    return read_basis(BasisSource(bundle=bundle, file=basis, exclusion=_definition(exclusion), data_year=data_year))


def _print_notes(notes: list[str]) -> None:
    for n in notes:
        err_console.print(f"[yellow]Obs:[/] {n}", highlight=False, soft_wrap=True)


def _write_frame(df: pd.DataFrame, fmt: GrantFormat, out: Path | None, title: str | None = None) -> None:
    if fmt is GrantFormat.table:
        print_frame(df, OutputFormat.table, title=title)
        if out is not None:
            raise ConfigError("--out kräver --format csv, json eller xlsx")
        return
    if fmt is GrantFormat.xlsx:  # handled by callers
        raise ConfigError("xlsx stöds inte här")
    text = frame_text(df, OutputFormat(fmt.value))
    if out is None:
        sys.stdout.write(text)
    else:
        from fcatlas.files import write_text

        write_text(out, text)
        err_console.print(f"Skrev {out}", highlight=False)


# -- allocate ----------------------------------------------------------------------------------


@grant_app.command("allocate")
def allocate_command(
    year: int = typer.Option(..., "--year", min=FIRST_YEAR, max=LAST_YEAR, help="Bidragsår, t.ex. 2026."),
    total: str = typer.Option(..., "--total", help=_TOTAL_HELP),
    fixed: str = typer.Option(str(DEFAULT_FIXED_SEK), "--fixed", help="Fast belopp per berättigad region (kr)."),
    bundle: Path | None = typer.Option(None, "--bundle", help="Datapaket (fcatlas data build)."),
    exclusion: str | None = typer.Option(None, "--exclusion", help=_EXCL_HELP + " Standard omradestyp:1,2."),
    data_year: int | None = typer.Option(None, "--data-year", help="År för antal barn (standard: paketets senaste)."),
    basis: Path | None = typer.Option(
        None, "--basis", help="Underlag som CSV: region_code;basis_children[;region_name] (; eller ,)."
    ),
    include_all: bool = typer.Option(
        False, "--include-all", help="Alla regioner i underlaget får den fasta delen, även utan utanförskapsområde."
    ),
    format: GrantFormat = typer.Option(GrantFormat.table, "--format", help="table, csv, json eller xlsx."),
    out: Path | None = typer.Option(None, "--out", help="Utfil (krävs för xlsx)."),
) -> None:
    """Fördela ett års statsbidrag: fast del per region + rörlig del efter andel barn 0–6 år.

    Exempel: fcatlas grant allocate --year 2026 --total 51365000 --basis underlag.csv
    """
    import pandas as pd

    from fcatlas.grants.allocation import CONTRACT_COLUMNS
    from fcatlas.services import grants

    b = _basis(bundle, basis, exclusion, data_year)
    result = grants.allocate_basis(basis=b, year=year, total_sek=_sek(total), fixed_sek=_sek(fixed, "--fixed"),
                                   include_all=include_all)
    _print_notes(b.notes)
    if format is GrantFormat.xlsx:
        if out is None:
            raise ConfigError("ange --out FIL.xlsx för Excel")
        from fcatlas.outputs.grant_annex import write_annex_xlsx

        plan = grants.plan_years(bases={year: b}, totals={year: _sek(total)}, fixed_sek=_sek(fixed, "--fixed"),
                                 include_all=include_all)
        write_annex_xlsx(plan, out)
        err_console.print(f"Skrev {out}", highlight=False)
        return
    if format is GrantFormat.table:
        shown = pd.DataFrame(
            {
                "Län": result["region_code"],
                "Region": result["region_name"],
                "Barn 0–6": result["basis_children"],
                "Andel": result["share"].map(lambda v: f"{100 * v:.2f} %".replace(".", ",")),
                "Fast (kr)": result["fixed_sek"],
                "Rörlig (kr)": result["variable_sek"],
                "Totalt (kr)": result["total_sek"],
            }
        )
        print_frame(shown, OutputFormat.table,
                    title=f"Statsbidrag {year}: {b.definition} ({b.source})")
        console.print(f"Summa: {thousands(result['total_sek'].sum())} kr", highlight=False)
        if out is not None:
            raise ConfigError("--out kräver --format csv, json eller xlsx")
        return
    _write_frame(result[CONTRACT_COLUMNS], format, out)


# -- compare -----------------------------------------------------------------------------------


@grant_app.command("compare")
def compare_command(
    year: int = typer.Option(..., "--year", min=FIRST_YEAR, max=LAST_YEAR, help="Bidragsår."),
    total: str = typer.Option(..., "--total", help=_TOTAL_HELP + " Samma belopp i båda scenarierna om inte --total-b anges."),
    a: str = typer.Option(..., "--a", help="Scenario A: " + _EXCL_HELP + " Eller 'fil:UNDERLAG.csv'."),
    b: str = typer.Option(..., "--b", help="Scenario B (som --a)."),
    bundle: Path | None = typer.Option(None, "--bundle", help="Datapaket för scenarier som är definitioner."),
    a_data_year: int | None = typer.Option(None, "--a-data-year", help="År för antal barn i A."),
    b_data_year: int | None = typer.Option(None, "--b-data-year", help="År för antal barn i B."),
    total_b: str | None = typer.Option(None, "--total-b", help="Annat totalbelopp i B."),
    fixed: str = typer.Option(str(DEFAULT_FIXED_SEK), "--fixed", help="Fast belopp per berättigad region (kr)."),
    include_all: bool = typer.Option(False, "--include-all", help="Alla regioner får den fasta delen."),
    format: GrantFormat = typer.Option(GrantFormat.table, "--format", help="table, csv, json eller xlsx."),
    out: Path | None = typer.Option(None, "--out", help="Utfil."),
) -> None:
    """Jämför fördelningen under två definitioner eller årgångar, med förändring per region.

    Exempel: fcatlas grant compare --bundle paket --year 2026 --total 60000000
    --a omradestyp:1,2@2022 --b omradestyp:1,2@2023
    """
    import pandas as pd

    from fcatlas.cli import grant_files
    from fcatlas.services import grants

    ba = grant_files.scenario_basis(_scenario_spec(a), bundle=bundle, data_year=a_data_year)
    bb = grant_files.scenario_basis(_scenario_spec(b), bundle=bundle, data_year=b_data_year)
    fx = _sek(fixed, "--fixed")
    scenarios = grants.compare_bases(basis_a=ba, basis_b=bb, year=year, total_a_sek=_sek(total),
                                     total_b_sek=_sek(total_b, "--total-b") if total_b else _sek(total),
                                     fixed_sek=fx, include_all=include_all)
    cmp = scenarios.table
    _print_notes(scenarios.notes)
    err_console.print(
        f"A: {ba.definition} ({ba.source}{', barn ' + str(ba.data_year) if ba.data_year else ''})\n"
        f"B: {bb.definition} ({bb.source}{', barn ' + str(bb.data_year) if bb.data_year else ''})",
        highlight=False,
    )
    if format is GrantFormat.xlsx:
        if out is None:
            raise ConfigError("ange --out FIL.xlsx för Excel")
        heads = {"region_code": "Länskod", "region_name": "Region", "basis_a": f"Underlag A ({ba.definition})",
                 "basis_b": f"Underlag B ({bb.definition})", "total_a_sek": "Belopp A (kr)",
                 "total_b_sek": "Belopp B (kr)", "change_sek": "Förändring (kr)", "change_pct": "Förändring (%)"}
        from fcatlas.files import XLSX_OPTIONS, atomic_output, neutralise_frame

        with atomic_output(out) as tmp, pd.ExcelWriter(tmp, engine="xlsxwriter",
                                                       engine_kwargs={"options": XLSX_OPTIONS}) as xw:
            neutralise_frame(cmp.rename(columns=heads)).to_excel(xw, sheet_name="Jämförelse", index=False)
        err_console.print(f"Skrev {out}", highlight=False)
        return
    if format is GrantFormat.table:
        shown = cmp.rename(columns={"region_code": "Län", "region_name": "Region", "basis_a": "Barn A",
                                    "basis_b": "Barn B", "total_a_sek": "A (kr)", "total_b_sek": "B (kr)",
                                    "change_sek": "Förändring (kr)", "change_pct": "Förändring (%)"})
        shown["Förändring (%)"] = cmp["change_pct"].map(
            lambda v: "" if pd.isna(v) else f"{v:+.1f}".replace(".", ",")
        )
    else:
        shown = cmp
    _write_frame(shown, format, out, title=f"Jämförelse {year}: A = {ba.definition}, B = {bb.definition}")


# -- plan and annex ----------------------------------------------------------------------------


def _plan(years: str, total: str, fixed: str, bundle: Path | None, exclusion: str | None,
          data_year: str | None, basis: str | None, include_all: bool, instalments: int,
          first_payout: str) -> GrantPlan:
    from fcatlas.cli.grant_files import read_bases
    from fcatlas.services.grants import plan_years

    ys = _years(years)
    m = re.fullmatch(r"(\d{1,2})-(\d{1,2})", first_payout.strip())
    if not m or not (1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 31):
        raise ConfigError(f"--first-payout {first_payout!r}: ange MM-DD, t.ex. 03-31")
    bases = read_bases(_sources_per_year(ys, bundle, basis, exclusion, data_year))
    return plan_years(bases=bases, totals=_totals(total, ys), fixed_sek=_sek(fixed, "--fixed"),
                      include_all=include_all, instalments=instalments,
                      first_payout=(int(m.group(1)), int(m.group(2))))


def _sources_per_year(ys: list[int], bundle: Path | None, basis: str | None, exclusion: str | None,
                      data_year: str | None) -> dict[int, BasisSource]:
    """Where each grant year's basis comes from: ``--basis FIL`` or ``--basis 2026=a.csv,2027=b.csv``;
    ``--data-year 2023`` or ``--data-year 2026=2022,2027=2023`` with ``--bundle``."""
    from fcatlas.cli.grant_files import BasisSource

    files = _per_year(basis, ys, "--basis", "FIL, t.ex. 2026=underlag_2026.csv") if basis else dict.fromkeys(ys)
    dyears = _per_year(data_year, ys, "--data-year", "ÅR, t.ex. 2026=2023") if data_year else dict.fromkeys(ys)
    definition = _definition(exclusion)
    out = {}
    for y in ys:
        dy, file = dyears[y], files[y]
        if dy is not None and not re.fullmatch(r"\d{4}", dy):
            raise ConfigError(f"--data-year {dy!r}: ange ett årtal, t.ex. 2023")
        out[y] = BasisSource(bundle=bundle, file=Path(file) if file else None, exclusion=definition,
                             data_year=int(dy) if dy is not None else None)
    return out


_YEARS_OPT = typer.Option("2026-2030", "--years", help="Bidragsår, t.ex. 2026-2030 eller 2026,2027.")
_PLAN_TOTAL = typer.Option(..., "--total", help="Belopp per år: ett belopp för alla år eller 2026=…,2027=….")
_FIXED_OPT = typer.Option(str(DEFAULT_FIXED_SEK), "--fixed", help="Fast belopp per berättigad region (kr).")
_BUNDLE_OPT = typer.Option(None, "--bundle", help="Datapaket.")
_EXCL_OPT = typer.Option(None, "--exclusion", help=_EXCL_HELP)
_DATA_YEAR_OPT = typer.Option(
    None, "--data-year", help="År för antal barn: ett år för alla bidragsår, eller 2026=2022,2027=2023.")
_BASIS_OPT = typer.Option(None, "--basis", help="Underlag som CSV: en fil för alla år, eller 2026=a.csv,2027=b.csv.")
_INCLUDE_ALL_OPT = typer.Option(False, "--include-all", help="Alla regioner får den fasta delen.")
_INSTALMENTS_OPT = typer.Option(1, "--instalments", help="Utbetalningar per år: 1, 2, 3, 4, 6 eller 12.")
_FIRST_PAYOUT_OPT = typer.Option("03-31", "--first-payout", help="Första utbetalningsdag varje år (MM-DD).")


@grant_app.command("plan")
def plan_command(
    total: str = _PLAN_TOTAL,
    years: str = _YEARS_OPT,
    fixed: str = _FIXED_OPT,
    bundle: Path | None = _BUNDLE_OPT,
    exclusion: str | None = _EXCL_OPT,
    data_year: str | None = _DATA_YEAR_OPT,
    basis: str | None = _BASIS_OPT,
    include_all: bool = _INCLUDE_ALL_OPT,
    instalments: int = _INSTALMENTS_OPT,
    first_payout: str = _FIRST_PAYOUT_OPT,
    schedule: bool = typer.Option(False, "--schedule", help="Visa utbetalningsplanen per region i stället."),
    format: GrantFormat = typer.Option(GrantFormat.table, "--format", help="table, csv, json eller xlsx."),
    out: Path | None = typer.Option(None, "--out", help="Utfil."),
) -> None:
    """Flerårsplan 2026–2030 med belopp per region och år, och utbetalningsplanen."""
    plan = _plan(years, total, fixed, bundle, exclusion, data_year, basis, include_all, instalments, first_payout)
    _print_notes(plan.notes())
    if format is GrantFormat.xlsx:
        if out is None:
            raise ConfigError("ange --out FIL.xlsx för Excel")
        from fcatlas.outputs.grant_annex import write_annex_xlsx

        write_annex_xlsx(plan, out)
        err_console.print(f"Skrev {out}", highlight=False)
        return
    df = plan.schedule if schedule else plan.summary()
    if format is GrantFormat.table:
        from fcatlas.outputs.grant_annex import plan_table_headers

        df = df.rename(columns=plan_table_headers(list(df.columns)))
    _write_frame(df, format, out, title="Utbetalningsplan" if schedule else f"Plan {years}")


@grant_app.command("annex")
def annex_command(
    total: str | None = typer.Option(None, "--total", help="Belopp per år: ett belopp för alla år eller 2026=…,2027=…."),
    years: str = _YEARS_OPT,
    fixed: str = _FIXED_OPT,
    bundle: Path | None = _BUNDLE_OPT,
    exclusion: str | None = _EXCL_OPT,
    data_year: str | None = _DATA_YEAR_OPT,
    basis: str | None = _BASIS_OPT,
    include_all: bool = _INCLUDE_ALL_OPT,
    instalments: int = _INSTALMENTS_OPT,
    first_payout: str = _FIRST_PAYOUT_OPT,
    xlsx: Path | None = typer.Option(None, "--xlsx", help="Excel-bilaga (ett blad per år + Metod och källor)."),
    pdf: Path | None = typer.Option(None, "--pdf", help="PDF-bilaga (tabeller och metodtext)."),
    year: int | None = typer.Option(
        None, "--year", min=FIRST_YEAR, max=LAST_YEAR,
        help="Bilagan ur ett beslutat år i databasen (fcatlas grant year decide), samma som webbens bilaga.",
    ),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP + " Bara med --year."),
) -> None:
    """Beslutsbilaga i Excel och/eller PDF: ur ett beslutat år i databasen (--year ÅR --db …), eller
    en plan ur filer (--total med --basis eller --bundle)."""
    if xlsx is None and pdf is None:
        raise ConfigError("ange --xlsx FIL och/eller --pdf FIL")
    if year is not None:
        if total is not None or basis is not None or bundle is not None:
            raise ConfigError("--year tar bilagan ur beslutet i databasen; ange inte --total, --basis eller --bundle")
        from fcatlas.cli.grant_year import annex_from_decision

        annex_from_decision(year, db, xlsx, pdf)
        return
    if total is None:
        raise ConfigError("ange --year ÅR (bilagan ur ett beslutat år i databasen) eller --total med --basis/--bundle")
    if db is not None:
        raise ConfigError("--db gäller bara med --year (bilagan ur ett beslutat år)")
    from fcatlas.outputs.grant_annex import write_annex_pdf, write_annex_xlsx

    plan = _plan(years, total, fixed, bundle, exclusion, data_year, basis, include_all, instalments, first_payout)
    _print_notes(plan.notes())
    if xlsx is not None:
        write_annex_xlsx(plan, xlsx)
        console.print(f"Skrev {xlsx}", highlight=False)
    if pdf is not None:
        write_annex_pdf(plan, pdf)
        console.print(f"Skrev {pdf}", highlight=False)


# -- follow-up ---------------------------------------------------------------------------------


@contextmanager
def _session(db: str | None, read_only: bool = False) -> Iterator[Any]:
    """One unit of work on the database (linked units are checked against its register).
    ``read_only``: a database that does not exist is refused, not created empty."""
    with database_session(db, must_exist=read_only) as session:
        yield session


def _deadlines(spec: list[str]) -> Callable[[int], dt.date]:
    from fcatlas.grants.plan import report_deadline

    fixed: dt.date | None = None
    per_year: dict[int, dt.date] = {}
    for s in spec:
        y, sep, d = s.partition("=")
        try:
            if sep:
                per_year[int(y)] = dt.date.fromisoformat(d.strip())
            else:
                fixed = dt.date.fromisoformat(s.strip())
        except ValueError:
            raise ConfigError(f"--deadline {s!r}: ange ÅÅÅÅ-MM-DD eller ÅR=ÅÅÅÅ-MM-DD") from None
    return lambda year: per_year.get(year) or fixed or report_deadline(year)


def _date(text: str | None, what: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{what} {text!r}: ange ÅÅÅÅ-MM-DD") from None


@report_app.command("template")
def template_command(
    out: Path = typer.Option(..., "--out", help="Mallen: .xlsx eller .csv (semikolon, UTF-8)."),
    example: bool = typer.Option(True, "--example/--empty", help="Med eller utan exempelrad."),
) -> None:
    """Skriv mallen för återrapporten (svenska rubriker)."""
    from fcatlas.grants.followup import write_template

    write_template(out, example=example)
    console.print(f"Skrev {out}", highlight=False)


@report_app.command("open")
def open_command(
    year: int = typer.Option(..., "--year", min=FIRST_YEAR, max=LAST_YEAR, help="Bidragsår."),
    allocation: Path = typer.Option(
        ..., "--allocation", help="Fördelningen som CSV (från 'grant allocate --format csv'): region_code, total_sek."
    ),
    deadline: str | None = typer.Option(None, "--deadline", help="Sista dag (standard 31 januari året efter)."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Lägg upp en ej påbörjad rapport per mottagare med mottaget belopp."""

    from fcatlas.grants.followup import read_allocation_file
    from fcatlas.services import grants

    amounts = read_allocation_file(allocation)
    with _session(db) as s:
        n = grants.open_reports(s, actor=acting(s), year=year, amounts=amounts,
                                deadline=_date(deadline, "--deadline"))
    console.print(f"{n} nya rapporter för {year} (ej påbörjade).", highlight=False)


@report_app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="Rapporter enligt mallen (CSV eller XLSX), en rad per mottagare och år."),
    submit: bool = typer.Option(False, "--submit", help="Skicka in rader utan inskickningsdatum nu."),
    deadline: list[str] = typer.Option(
        [], "--deadline", help="Sista dag: ÅÅÅÅ-MM-DD för alla år eller ÅR=ÅÅÅÅ-MM-DD (standard 31 jan året efter)."
    ),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Importera återrapporter. Alla fel i filen visas (rad, kolumn, orsak); inget sparas då.
    Rader med inskickningsdatum registreras som inskickade det datumet."""
    from fcatlas.services import grants

    with _session(db) as s:
        done = grants.import_reports(s, actor=acting(s), file=file, submit=submit, deadlines=_deadlines(deadline))
    for r in done.reports:
        if r.allocated_sek is not None:
            diff = r.amount_received_sek - r.allocated_sek
            err_console.print(
                f"[yellow]Varning:[/] {file.name}, rad {r.row}, kolumn 'Mottaget belopp (kr)': "
                f"{thousands(r.amount_received_sek)} kr men beslutad fördelning för "
                f"{r.region_code} år {r.year} är {thousands(r.allocated_sek)} kr "
                f"({'+' if diff > 0 else '−'}{thousands(abs(diff))} kr). Rapporten sparas; kontrollera beloppet.",
                highlight=False, soft_wrap=True,
            )
        if r.late:
            err_console.print(
                f"[yellow]Obs:[/] {file.name}, rad {r.row}: rapporten för {r.region_code} år "
                f"{r.year} kom in efter sista dag {r.deadline.isoformat()}.",
                highlight=False,
            )
    console.print(
        f"{file.name}: {len(done.reports)} rapporter importerade ({done.n_submitted} inskickade varav "
        f"{done.n_late} försenade, {done.n_draft} utkast).",
        highlight=False,
    )


_LIST_SHOWN = {
    "region_code": "Län", "year": "År", "status_label": "Status", "allocated_sek": "Beslutat (kr)",
    "amount_received_sek": "Mottaget (kr)",
    "used_sek": "Använt (kr)", "unused_sek": "Återbetala (kr)", "fte": "Åa", "deadline": "Sista dag",
    "submitted_at": "Inskickad", "late": "Försenad",
}


@report_app.command("list")
def list_command(
    year: int | None = typer.Option(None, "--year", min=FIRST_YEAR, max=LAST_YEAR, help="Bara ett år."),
    region: str | None = typer.Option(None, "--region", help="Bara en region: länskod (18) eller namn (Örebro)."),
    status: str | None = typer.Option(None, "--status", help="ej_paborjad, utkast, inskickad, returnerad eller godkand."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv eller json."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Lista återrapporterna."""
    from fcatlas.grants.followup import parse_status

    st = parse_status(status) if status else None
    if region is not None:
        from fcatlas.register.intake import lan_code_of

        region = lan_code_of(region)
    from fcatlas.services import grants

    with _session(db, read_only=True) as s:
        df = grants.report_frame(s, actor=acting(s), year=year, region_code=region, status=st)
    if format is OutputFormat.table:
        shown = df[list(_LIST_SHOWN)].copy()
        shown["late"] = shown["late"].map({True: "ja", False: ""})
        # regions that have not reported have no date (None, or NaN once pandas saw the column)
        shown["submitted_at"] = shown["submitted_at"].map(lambda v: v[:10] if isinstance(v, str) else "")
        print_frame(shown.rename(columns=_LIST_SHOWN), format, title="Återrapporter")
    else:
        print_frame(df, format)


def _transitioned(region: str, year: int, report: Any) -> None:
    from fcatlas.grants.followup import STATUS_LABELS

    v = report.view
    late = " (efter sista dag)" if v.late and v.status.value == "inskickad" else ""
    console.print(f"Rapporten för {v.data.region_code} år {year}: {STATUS_LABELS[v.status].lower()}{late}.",
                  highlight=False)


_REGION_ARG = typer.Argument(..., help="Länskod, t.ex. 18.")
_YEAR_ARG = typer.Argument(..., min=FIRST_YEAR, max=LAST_YEAR, help="Bidragsår.")


@report_app.command("submit")
def submit_command(region: str = _REGION_ARG, year: int = _YEAR_ARG,
                   db: str | None = typer.Option(None, "--db", help=_DB_HELP)) -> None:
    """Skicka in regionens återrapport (kontrolleras; kan inte ändras efteråt). Det gör regionens
    företrädare: fcatlas --som EPOST grant report submit …"""
    from fcatlas.services import grants

    with _session(db, read_only=True) as s:
        r = grants.submit_report(s, actor=acting(s), year=year, lan=region)
    _transitioned(region, year, r)


@report_app.command("return")
def return_command(
    region: str = _REGION_ARG,
    year: int = _YEAR_ARG,
    kommentar: str = typer.Option(..., "--kommentar", help="Vad regionen ska komplettera."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Returnera en inskickad återrapport till regionen med vad som ska kompletteras (nationell nivå)."""
    from fcatlas.services import grants

    with _session(db, read_only=True) as s:
        r = grants.return_report(s, actor=acting(s), year=year, lan=region, comment=kommentar)
    _transitioned(region, year, r)


@report_app.command("approve")
def approve_command(region: str = _REGION_ARG, year: int = _YEAR_ARG,
                    db: str | None = typer.Option(None, "--db", help=_DB_HELP)) -> None:
    """Godkänn en inskickad återrapport (nationell nivå); den blir då offentlig."""
    from fcatlas.services import grants

    with _session(db, read_only=True) as s:
        r = grants.approve_report(s, actor=acting(s), year=year, lan=region)
    _transitioned(region, year, r)


@report_app.command("show")
def show_command(
    region: str = typer.Argument(..., help="Länskod."),
    year: int = typer.Argument(..., min=FIRST_YEAR, max=LAST_YEAR, help="Bidragsår."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Visa en rapport med kontroller och statushistorik."""
    from fcatlas.grants.followup import PURPOSE_LABELS, STATUS_LABELS, Purpose
    from fcatlas.services import grants

    with _session(db, read_only=True) as s:
        detail = grants.report_detail(s, actor=acting(s), year=year, region_code=region)
    v, hist, findings = detail.view, detail.history, detail.findings
    d = v.data
    console.print(f"[bold]Rapport {region} år {year}[/] – {v.status_label}", highlight=False)
    console.print(f"  Mottaget: {thousands(d.amount_received_sek)} kr", highlight=False)
    if v.allocated_sek is not None:
        console.print(f"  Beslutad fördelning: {thousands(v.allocated_sek)} kr", highlight=False)
    for p in Purpose:
        console.print(f"  {PURPOSE_LABELS[p]}: {thousands(d.uses.get(p.value, 0))} kr", highlight=False)
    unused = f"{thousands(d.unused_sek)} kr" if d.unused_sek is not None else "–"
    console.print(f"  Ej använt att återbetala: {unused}", highlight=False)
    fte = f"{d.fte:.2f}".replace(".", ",") if d.fte is not None else "–"
    console.print(f"  Årsarbetskrafter: {fte} {d.role}", highlight=False)
    console.print(f"  Familjecentraler: {', '.join(d.unit_ids) or '–'}", highlight=False)
    console.print(f"  Sista dag: {v.deadline.isoformat()}", highlight=False)
    for f in findings:
        console.print(f"  [{'red' if f.severity == 'fel' else 'yellow'}]{f.severity}:[/] {f}", highlight=False)
    console.print("  Historik:")
    for h in hist:
        label = STATUS_LABELS.get(h["to_status"], h["to_status"])
        console.print(f"    {h['at']:%Y-%m-%d} {label} {h['comment']}", highlight=False)


@report_app.command("summary")
def summary_command(
    year: int | None = typer.Option(None, "--year", min=FIRST_YEAR, max=LAST_YEAR, help="Bara ett år."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv eller json."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Nationell sammanställning per år: status, belopp per ändamål, årsarbetskrafter."""
    import pandas as pd

    from fcatlas.services import grants

    with _session(db, read_only=True) as s:
        df = grants.report_summary(s, actor=acting(s), year=year)
    if format is OutputFormat.table:
        from fcatlas.outputs.grant_annex import SUMMARY_HEADERS

        if df.empty:
            console.print("Inga rapporter.")
            return
        t = df.set_index("year").T
        shown = pd.DataFrame({"Uppgift": [SUMMARY_HEADERS.get(str(i), str(i)) for i in t.index]})
        for y in t.columns:
            shown[str(y)] = [
                (f"{v:.2f}".replace(".", ",") if k == "fte" else thousands(v))
                for k, v in zip(t.index, t[y], strict=True)
            ]
        print_frame(shown, format, title="Nationell sammanställning")
    else:
        print_frame(df, format)


@report_app.command("overdue")
def overdue_command(
    today: str | None = typer.Option(None, "--today", help="Dagens datum (standard: idag)."),
    year: int | None = typer.Option(None, "--year", min=FIRST_YEAR, max=LAST_YEAR, help="Bara ett år."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv eller json."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Rapporter som inte kommit in i tid (eller kom in efter sista dag)."""
    d = _date(today, "--today") or dt.date.today()
    from fcatlas.services import grants

    with _session(db, read_only=True) as s:
        df = grants.overdue(s, actor=acting(s), today=d, year=year)
    if format is OutputFormat.table:
        cols = ["region_code", "year", "status_label", "deadline", "days_late", "submitted_at"]
        df = df.assign(submitted_at=df["submitted_at"].map(lambda v: v[:10] if isinstance(v, str) else ""))
        print_frame(df[cols].rename(columns={"region_code": "Län", "year": "År", "status_label": "Status",
                                             "deadline": "Sista dag", "days_late": "Dagar sen",
                                             "submitted_at": "Inskickad"}), format, title=f"Försenade per {d}")
    else:
        print_frame(df, format)


@report_app.command("export")
def export_command(
    out: Path = typer.Option(..., "--out", help="Excel-fil."),
    year: int | None = typer.Option(None, "--year", min=FIRST_YEAR, max=LAST_YEAR, help="Bara ett år."),
    today: str | None = typer.Option(None, "--today", help="Datum för listan över försenade (standard: idag)."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Exportera rapporterna, den nationella sammanställningen och de försenade till Excel."""
    from fcatlas.outputs.grant_annex import write_followup_xlsx

    d = _date(today, "--today") or dt.date.today()
    from fcatlas.services import grants

    with _session(db, read_only=True) as s:
        actor = acting(s)
        write_followup_xlsx(grants.report_frame(s, actor=actor, year=year), grants.report_summary(s, actor=actor, year=year),
                            grants.overdue(s, actor=actor, today=d, year=year), out)
    console.print(f"Skrev {out}", highlight=False)
