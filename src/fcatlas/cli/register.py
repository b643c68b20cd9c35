"""``fcatlas register …``: import regions' lists, list, export and compare inventory rounds."""

from __future__ import annotations

import os
import sys
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
    print_frame,
)
from fcatlas.domain import CATEGORY_LABELS, LAST_YEAR, STATUS_LABELS, Category, Status
from fcatlas.errors import ConfigError, InvalidInputError

if TYPE_CHECKING:
    import pandas as pd

register_app = typer.Typer(
    name="register",
    help="Registret över familjecentraler: importera regionernas listor, lista, exportera, jämför omgångar.",
    no_args_is_help=True,
)

POSTNUMMER_ENV = "FCATLAS_POSTNUMMER"
MAX_SHOWN_PROBLEMS = 50

_DB_HELP = DB_HELP

_CHANGE_LABELS = {
    "new": "ny",
    "closed": "nedlagd/borta",
    "not_reported": "länet ej inrapporterat",
    "reclassified": "ny kategori",
    "status_changed": "ny status",
    "moved": "flyttad",
}


class RowsRejectedError(InvalidInputError):
    """Some rows of an import were rejected (the accepted ones were stored)."""


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    geojson = "geojson"


def _existing(db: str | None) -> Any:
    """A unit of work on the register's database; commands that only read (or change existing
    units) refuse a database that does not exist rather than create an empty one."""
    return database_session(db, must_exist=True)


@register_app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="Regionens fil (CSV eller XLSX)."),
    round: int | None = typer.Option(
        None, "--round", min=1990, max=LAST_YEAR, help="Inventeringsomgång (år). Standard: ett årtal i filnamnet, annars i år."
    ),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    postnummer: Path | None = typer.Option(
        None, "--postnummer",
        help=f"GeoNames SE.txt (eller katalogen med den) för att placera enheter utan koordinater. "
        f"Standard: {POSTNUMMER_ENV}. Utan fil används kommunens mittpunkt.",
    ),
    tolerans: float = typer.Option(
        2.0, "--tolerans", min=0.0, max=50.0,
        help="Hur långt (km) utanför den angivna kommunen givna koordinater får ligga.",
    ),
    rapport: Path | None = typer.Option(
        None, "--rapport", help="Var felrapporten (CSV) skrivs. Standard: bredvid filen, t.ex. lista.fel.csv."
    ),
    user: str | None = typer.Option(None, "--user", help="Vem som importerar (för ändringsloggen)."),
    delvis: bool = typer.Option(
        False, "--delvis",
        help="Filen är bara en del av regionens lista: enheter som saknas i den stängs inte.",
    ),
    rubrikrad: int | None = typer.Option(
        None, "--rubrikrad", min=1, help="Radnumret där rubrikerna står, om de inte hittas av sig själva.",
    ),
) -> None:
    """Importera en regions lista. Godkända rader sparas i en transaktion; avvisade rader hamnar i en
    felrapport. Att importera samma fil igen ändrar ingenting.

    Filen är regionens hela lista för omgången: regionens enheter som inte finns med stängs
    (status nedlagd, orsak "saknas i inventering ÅR"; historiken finns kvar). Använd --delvis
    för en fil som bara är en del av listan."""
    from fcatlas.services import register
    from fcatlas.services.imports import FileImport

    pc_path = postnummer or (Path(os.environ[POSTNUMMER_ENV]) if os.environ.get(POSTNUMMER_ENV) else None)
    request = FileImport(file=file, round=round, postcodes=pc_path, tolerance_km=tolerans,
                         partial=delvis, header_row=rubrikrad)
    with database_session(db) as s:
        done = register.import_file(s, actor=acting(s, user=user), request=request)
    result = done.result
    _print_import(file, result, done.has_postcodes)
    if result.problems:
        _show_problems(result.problems)
        _write_report(result, rapport)
    if result.n_rejected:
        kept = (
            f"De {result.n_accepted} godkända raderna sparades."
            if result.n_accepted
            else "Ingen rad godkändes; ingenting sparades."
        )
        # an FcatlasError: printed as "Fel: …" with exit code 1 by cli.common.run
        raise RowsRejectedError(
            f"{result.n_rejected} rader avvisades och sparades INTE. {kept} Rätta raderna i felrapporten och "
            "importera filen igen."
        )


def _print_import(file: Path, result: Any, has_postcodes: bool) -> None:
    """What an import read, stored and closed (stdout), and the notes (stderr)."""
    for note in result.notes:
        err_console.print(f"[yellow]Obs:[/] {note}", highlight=False)
    console.print(
        f"{file.name}: {result.n_rows} rader lästa (omgång {result.round}): {result.n_accepted} godkända, "
        f"{result.n_rejected} avvisade. Sparat: {result.n_new} nya, {result.n_changed} ändrade, "
        f"{result.n_unchanged} oförändrade, {result.n_closed} stängda.",
        highlight=False,
    )
    if result.closed:
        console.print(
            f"Stängda (finns i registret men inte i filen; status nedlagd, orsak \"saknas i inventering "
            f"{result.round}\"):", highlight=False,
        )
        for c in result.closed:
            console.print(f"  {c['id']}  {c['name']} ({c['kommun_name']})", highlight=False, soft_wrap=True)
        console.print("Var filen bara en del av regionens lista? Importera den med --delvis. En stängd enhet "
                      "öppnas igen när en senare import listar den.", highlight=False)
    if result.left_open:
        err_console.print(
            f"[yellow]Obs:[/] {len(result.left_open)} enheter i registret saknas i filen men stängdes inte, "
            "eftersom rader avvisades. Rätta felrapporten och importera filen igen.", highlight=False,
        )
    if not has_postcodes:
        n_kommun = result.n_at_kommun_point  # this import's units only
        if n_kommun:
            err_console.print(
                f"[yellow]Obs:[/] ingen postnummerfil (--postnummer eller {POSTNUMMER_ENV}); {n_kommun} enheter "
                "utan koordinater har placerats i kommunens mittpunkt (precision 'kommun').",
                highlight=False,
            )


def _write_report(result: Any, rapport: Path | None) -> None:
    """Write the problem report; say where, or say that it could not be written."""
    from fcatlas.services.imports import write_problem_report

    report = write_problem_report(result, target=rapport)
    for where, why in report.failures:
        err_console.print(f"[yellow]Obs:[/] felrapporten kunde inte skrivas till {where}: {why}", highlight=False)
    if report.written is None:
        raise RowsRejectedError(
            f"Importen sparades: {result.n_new} nya, {result.n_changed} ändrade, {result.n_unchanged} "
            f"oförändrade ({result.n_accepted} godkända rader). Men felrapporten med {len(result.problems)} "
            f"avvisade rader och varningar kunde inte skrivas ({', '.join(str(w) for w, _ in report.failures)}); "
            "ange en skrivbar fil med --rapport och importera igen (redan sparade enheter ändras inte)."
        )
    console.print(f"Felrapport: {report.written}", highlight=False)


def _show_problems(problems) -> None:
    from rich.table import Table

    table = Table(title="Avvisade rader och varningar", show_lines=False)
    for col in ("Rad", "Kolumn", "Typ", "Orsak"):
        table.add_column(col)
    for p in problems[:MAX_SHOWN_PROBLEMS]:
        table.add_row(
            "" if p.row is None else str(p.row), p.column or "",
            "[red]fel[/]" if p.severity == "fel" else "[yellow]varning[/]", p.reason,
        )
    err_console.print(table)
    if len(problems) > MAX_SHOWN_PROBLEMS:
        err_console.print(f"… och {len(problems) - MAX_SHOWN_PROBLEMS} till (se felrapporten).")


_TABLE_COLUMNS = {
    "id": "Id", "name": "Namn", "kommun_name": "Kommun", "category": "Kategori", "status": "Status",
    "precision": "Läge", "stated_accuracy": "Angiven noggrannhet", "round": "Omgång",
}
_REASON_COLUMN = {"status_reason": "Orsak"}


@register_app.command("list")
def list_command(
    lan: str | None = typer.Option(None, "--lan", help="Län: kod (18), bokstav (T) eller namn (Örebro)."),
    category: str | None = typer.Option(
        None, "--category", help="familjecentral, familjecentralsliknande eller 'annan samverkan'."
    ),
    status: str | None = typer.Option(None, "--status", help="'i drift', planerad, avsiktsförklaring eller nedlagd."),
    round: int | None = typer.Option(None, "--round", min=1990, max=LAST_YEAR, help="Visa vad en viss inventeringsomgång sa."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv eller json."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Lista enheterna i registret."""
    from fcatlas.services import register

    with _existing(db) as s:
        df = register.list_units(s, actor=acting(s), request=register.UnitQuery(lan, category, status, round))
    if format is OutputFormat.table:
        columns = {**_TABLE_COLUMNS, **(_REASON_COLUMN if df["status_reason"].notna().any() else {})}
        shown = df[list(columns)].copy()
        shown["category"] = shown["category"].map(lambda v: CATEGORY_LABELS[Category(v)])
        shown["status"] = shown["status"].map(lambda v: STATUS_LABELS[Status(v)])
        print_frame(shown.rename(columns=columns), format, title="Familjecentraler i registret")
    else:
        print_frame(_for_machine(df), format)


def _for_machine(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in ("mvc", "bvc", "of", "soc", "co_located"):
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


@register_app.command("export")
def export_command(
    format: ExportFormat = typer.Option(..., "--format", help="csv, xlsx eller geojson (WGS 84)."),
    out: Path | None = typer.Option(None, "--out", help="Utfil. Utan den skrivs csv/geojson till skärmen."),
    lan: str | None = typer.Option(None, "--lan", help="Bara ett län (länskod)."),
    category: str | None = typer.Option(None, "--category", help="Bara en kategori."),
    status: str | None = typer.Option(None, "--status", help="Bara en status."),
    round: int | None = typer.Option(None, "--round", min=1990, max=LAST_YEAR, help="En viss inventeringsomgång."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Exportera registret till CSV, XLSX eller GeoJSON (WGS 84)."""
    from fcatlas.files import check_output, write_text
    from fcatlas.outputs import register_export as rx
    from fcatlas.services import register

    if out is not None:
        check_output(out)  # before any work: never over the database, a folder or a missing folder
    with _existing(db) as s:
        df = register.list_units(s, actor=acting(s), request=register.UnitQuery(lan, category, status, round))
    if format is ExportFormat.xlsx:
        if out is None:
            raise ConfigError("ange --out FIL.xlsx för Excel-exporten")
        rx.units_to_xlsx(df, out)
    elif format is ExportFormat.csv:
        text = rx.units_to_csv(df)
        if out is None:
            sys.stdout.write(text)
            return
        write_text(out, text)
    else:
        text = rx.geojson_text(df)
        if out is None:
            sys.stdout.write(text)
            return
        write_text(out, text)
    err_console.print(f"{len(df)} enheter skrivna till {out}", highlight=False)


@register_app.command("diff")
def diff_command(
    round_a: int = typer.Argument(..., min=1990, max=LAST_YEAR, help="Den tidigare omgången, t.ex. 2023."),
    round_b: int = typer.Argument(..., min=1990, max=LAST_YEAR, help="Den senare omgången, t.ex. 2025."),
    min_flytt: float = typer.Option(100.0, "--min-flytt", min=0.0, help="Flyttad = mer än så många meter."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv eller json."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Jämför två inventeringsomgångar: nya, nedlagda, omklassade och flyttade enheter."""
    from fcatlas.services import register

    with _existing(db) as s:
        df = register.diff(s, actor=acting(s), request=register.RoundComparison(round_a, round_b, min_flytt))
    if format is OutputFormat.table:
        shown = df.copy()
        shown["change"] = shown["change"].map(_CHANGE_LABELS)
        shown = shown.rename(columns={
            "change": "Förändring", "id": "Id", "name": "Namn", "kommun_name": "Kommun", "before": "Före",
            "after": "Efter", "distance_m": "Avstånd (m)",
        })[["Förändring", "Id", "Namn", "Kommun", "Före", "Efter", "Avstånd (m)"]]
        print_frame(shown, format, title=f"Från omgång {round_a} till {round_b}")
        if df.empty:
            console.print("Inga skillnader.")
    else:
        print_frame(df, format)


@register_app.command("close")
def close_command(
    unit_id: str = typer.Argument(..., help="Enhetens id (se 'fcatlas register list')."),
    orsak: str = typer.Option(..., "--orsak", help="Varför enheten stängs, t.ex. 'flyttade in i Norr'."),
    datum: str | None = typer.Option(None, "--datum", help="Statusdatum ÅÅÅÅ-MM-DD (valfritt)."),
    user: str | None = typer.Option(None, "--user", help="Vem som ändrar (för ändringsloggen)."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Stäng en enhet (status nedlagd) med en orsak. Historiken finns kvar."""
    from fcatlas.services import register

    with _existing(db) as s:
        u = register.close_unit(s, actor=acting(s, user=user), request=register.CloseUnit(unit_id, orsak, datum))
    console.print(f"{u['id']} ({u['name']}) är nu nedlagd: {u['status_reason']}.", highlight=False)


@register_app.command("rename")
def rename_command(
    unit_id: str = typer.Argument(..., help="Enhetens id."),
    new_name: str = typer.Argument(..., help="Det nya namnet."),
    user: str | None = typer.Option(None, "--user", help="Vem som ändrar (för ändringsloggen)."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Byt namn på en enhet. Id och historik behålls, och senare listor med det nya namnet
    uppdaterar samma enhet (i stället för att lägga till en ny)."""
    from fcatlas.services import register

    with _existing(db) as s:
        done = register.rename_unit(s, actor=acting(s, user=user), request=register.RenameUnit(unit_id, new_name))
    u = done.unit
    console.print(f"{u['id']}: {done.before!r} heter nu {u['name']!r}.", highlight=False)


@register_app.command("merge")
def merge_command(
    keep_id: str = typer.Argument(..., help="Enheten som behålls."),
    duplicate_id: str = typer.Argument(..., help="Dubbletten, som stängs och slås samman med den första."),
    user: str | None = typer.Option(None, "--user", help="Vem som ändrar (för ändringsloggen)."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Slå samman en dubblett (t.ex. en som importen varnade för) med enheten som behålls.
    Dubbletten stängs med orsaken "sammanslagen med …" och räknas inte längre; dess historik
    finns kvar, och senare listor som nämner den uppdaterar enheten som behålls."""
    from fcatlas.services import register

    with _existing(db) as s:
        done = register.merge_units(s, actor=acting(s, user=user),
                                    request=register.MergeUnits(keep_id, duplicate_id))
    dup, keep = done.duplicate, done.kept
    console.print(f"{duplicate_id} ({dup['name']}) är sammanslagen med {keep['id']} ({keep['name']}).",
                  highlight=False)


@register_app.command("history")
def history_command(
    unit_id: str = typer.Argument(..., help="Enhetens id (se 'fcatlas register list')."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv eller json."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """En enhets historik, senaste först: vad som gjordes, av vem, när, och vilka fält som ändrades
    från vad till vad (samma som historiken på webbsidan och i API:t)."""
    import pandas as pd

    from fcatlas.services import register
    from fcatlas.services.units import field_label, field_value

    with _existing(db) as s:
        entries = register.history(s, actor=acting(s), unit_id=unit_id)
    rows = [{"at": h.at.strftime("%Y-%m-%d %H:%M") if h.at else "", "user": h.user, "action": h.action,
             "version": h.version,
             "changes": "; ".join(f"{field_label(f)}: {field_value(f, b)} → {field_value(f, a)}"
                                  for f, (b, a) in h.changes.items()),
             "comment": h.comment or ""} for h in entries]
    df = pd.DataFrame(rows, columns=["at", "user", "action", "version", "changes", "comment"])
    if format is OutputFormat.table:
        df.columns = ["När", "Vem", "Vad", "Version", "Ändringar", "Kommentar"]
    print_frame(df, format, title=f"Historik för {unit_id}")


def install(app: typer.Typer) -> None:
    """Attach ``fcatlas register …`` to the main app."""
    app.add_typer(register_app, name="register")
