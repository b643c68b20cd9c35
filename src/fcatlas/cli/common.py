"""Shared CLI plumbing: Swedish error output, exit codes, progress bars, output formats."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from fcatlas.errors import FcatlasError

if TYPE_CHECKING:
    import pandas as pd

console = Console()
err_console = Console(stderr=True)

#: exit codes: 1 = bad input or request, 2 = usage (typer), 3 = offline/storage
EXIT_INPUT = 1
EXIT_ENV = 3


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def run(app: typer.Typer) -> None:
    """Run ``app``; any :class:`FcatlasError` becomes a Swedish message and exit code 1.

    Nothing ends in a traceback: a file-system error, a database error or (a bug) any other
    exception is a Swedish message with exit code 1 (``FCATLAS_DEBUG=1`` shows the traceback).
    """
    try:
        _configure_limits()
        rc = app(standalone_mode=False)
    except FcatlasError as exc:
        err_console.print(f"[bold red]Fel:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(EXIT_INPUT)
    except (KeyboardInterrupt, SystemExit):
        raise
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("Avbrutet.")
        sys.exit(130)
    except Exception as exc:
        # usage errors (bad option value, unknown option): click's, or typer's vendored copy of it
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            ctx = getattr(exc, "ctx", None)
            where = ctx.command_path if ctx is not None else "fcatlas"
            err_console.print(f"[bold red]Fel:[/] {swedish_usage_message(exc.format_message())}", highlight=False)
            err_console.print(f"Se '{where} --help'.", highlight=False)
            sys.exit(int(exc.exit_code))
        if os.environ.get("FCATLAS_DEBUG"):
            raise
        err_console.print(f"[bold red]Fel:[/] {unexpected_message(exc)}", highlight=False, soft_wrap=True)
        sys.exit(EXIT_INPUT)
    # with standalone_mode=False click returns the code of typer.Exit instead of exiting
    sys.exit(rc if isinstance(rc, int) else 0)


def _configure_limits() -> None:
    from fcatlas.files import configure
    from fcatlas.settings import Settings

    s = Settings.from_env()
    configure(max_bytes=s.max_input_bytes, max_rows=s.max_input_rows)
    from fcatlas.db import sqlite_file
    from fcatlas.files import protect

    default_db = sqlite_file(s.database_url)
    if default_db is not None:  # never written over, even by a command that does not open it
        protect(default_db, "databasen")


def unexpected_message(exc: BaseException) -> str:
    """A Swedish message for an exception that is not one of ours (never a traceback)."""
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        return f"en fil kunde inte läsas eller skrivas{where}: {exc.strerror or exc}"
    try:
        from sqlalchemy.exc import SQLAlchemyError

        from fcatlas.register.store import concurrent_write
    except ImportError:  # pragma: no cover
        SQLAlchemyError = ()  # type: ignore[assignment,misc]  # noqa: N806
    if SQLAlchemyError and isinstance(exc, SQLAlchemyError):
        if concurrent_write(exc):
            return "databasen används av någon annan just nu (t.ex. en import som pågår); försök igen om en stund"
        orig = getattr(exc, "orig", None)
        return f"databasen svarade med ett fel: {type(orig or exc).__name__}"
    if isinstance(exc, MemoryError):
        return "minnet tog slut; är filen orimligt stor?"
    return (f"oväntat fel ({type(exc).__name__}: {str(exc)[:200]}). Det här är ett fel i fcatlas; "
            "kör igen med FCATLAS_DEBUG=1 och rapportera utskriften")


_USAGE_PHRASES = (
    ("Invalid value for", "Ogiltigt värde för"),
    ("No such command", "Kommandot finns inte:"),
    ("No such option", "Flaggan finns inte:"),
    ("Missing option", "Flagga saknas:"),
    ("Missing argument", "Argument saknas:"),
    ("Missing parameter", "Parameter saknas:"),
    ("Got unexpected extra argument", "Oväntat extra argument"),
    ("Got unexpected extra arguments", "Oväntade extra argument"),
    ("Option '", "Flaggan '"),
    ("requires an argument", "kräver ett värde"),
    ("Input should be a valid integer, unable to parse string as an integer", "ska vara ett heltal"),
    ("Input should be a valid number, unable to parse string as a number", "ska vara ett tal"),
    ("is not one of", "är inte ett av"),
    ("Value error, ", ""),
    ("does not exist", "finns inte"),
)


def swedish_usage_message(text: str) -> str:
    """click/typer's English usage errors in Swedish (the common phrases; the rest as is).

    >>> swedish_usage_message("No such command 'nope'.")
    "Kommandot finns inte: 'nope'."
    """
    for en, sv in _USAGE_PHRASES:
        text = text.replace(en, sv)
    return text.replace(":: ", ": ").replace("  ", " ")


@contextmanager
def progress(description: str, total: float | None = None) -> Iterator[Any]:
    """A rich progress bar on stderr; yields an ``advance(n=1, text=None)`` callable."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f}" if total else ""),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as prog:
        task = prog.add_task(description, total=total)

        def advance(n: float = 1, text: str | None = None) -> None:
            if text:
                prog.update(task, description=text)
            prog.advance(task, n)

        yield advance


def database_url(db: str | None) -> str:
    """The register database from ``--db`` (URL or plain SQLite path), else from the settings."""
    from fcatlas.settings import Settings, to_sqlalchemy_url

    return to_sqlalchemy_url(db) if db else Settings.from_env().database_url


def frame_text(df: pd.DataFrame, fmt: OutputFormat) -> str:
    """A DataFrame as CSV or as JSON records (dates in ISO form)."""
    if fmt is OutputFormat.csv:
        from fcatlas.files import neutralise_frame

        return str(neutralise_frame(df).to_csv(index=False, lineterminator="\n"))
    records = json.loads(df.to_json(orient="records", force_ascii=False, date_format="iso"))
    return json.dumps(records, ensure_ascii=False, indent=1) + "\n"


def print_frame(df: pd.DataFrame, fmt: OutputFormat, title: str | None = None) -> None:
    """Print a DataFrame as a rich table, CSV or JSON (records) on stdout."""
    import pandas as pd

    if fmt is not OutputFormat.table:
        sys.stdout.write(frame_text(df, fmt))
        return
    table = Table(title=title, show_lines=False)
    for col in df.columns:
        table.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(df[col]) else "left")
    for row in df.itertuples(index=False):
        table.add_row(*["" if pd.isna(v) else str(v) for v in row])
    console.print(table)
    console.print(f"{len(df)} rader")
