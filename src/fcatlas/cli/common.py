"""Shared CLI plumbing: Swedish error output, exit codes, progress bars, output formats."""

from __future__ import annotations

import json
import re
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
from fcatlas.fmt import thousands

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
    """Run ``app``; any :class:`FcatlasError` becomes a Swedish message and exit code 1."""
    try:
        rc = app(standalone_mode=False)
    except FcatlasError as exc:
        err_console.print(f"[bold red]Fel:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(EXIT_INPUT)
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
        raise
    # with standalone_mode=False click returns the code of typer.Exit instead of exiting
    sys.exit(rc if isinstance(rc, int) else 0)


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
        return str(df.to_csv(index=False, lineterminator="\n"))
    records = json.loads(df.to_json(orient="records", force_ascii=False, date_format="iso"))
    return json.dumps(records, ensure_ascii=False, indent=1) + "\n"


#: Column names whose numbers are labels, not amounts (never grouped: 2026, not 2 026).
_PLAIN_NUMBER = re.compile(r"(år|omgång|rad|version|kod|#)(\b|$)|(^|_)(year|round|row|code|version)(_|$)", re.I)


def cell_text(value: Any, plain: bool = False) -> str:
    """One table cell as a Swedish reader expects it: ``1 500 000``, ``0,25``, ``ja``, empty for
    missing; ``plain`` numbers (years, codes, row numbers) without digit grouping.

    >>> cell_text(1500000), cell_text(2.5), cell_text(2026, plain=True), cell_text(float("nan"))
    ('1 500 000', '2,5', '2026', '')
    """
    import numbers

    import pandas as pd

    if value is None or (not isinstance(value, str | bytes) and bool(pd.isna(value))):
        return ""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "ja" if value else "nej"
    if isinstance(value, numbers.Integral):
        return str(int(value)) if plain else thousands(value)
    if isinstance(value, numbers.Real):
        v = float(value)
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v)) if plain else thousands(v)
        text = f"{v:,}" if not plain else repr(v)
        return text.replace(",", " ").replace(".", ",")
    return str(value)


def print_frame(df: pd.DataFrame, fmt: OutputFormat, title: str | None = None) -> None:
    """Print a DataFrame as a rich table, CSV or JSON (records) on stdout.

    In the table numbers get Swedish digit grouping and decimal comma, and are never cut or
    wrapped: a too narrow terminal wraps the text columns instead.
    """
    import pandas as pd

    if fmt is not OutputFormat.table:
        sys.stdout.write(frame_text(df, fmt))
        return
    table = Table(title=title, show_lines=False)
    columns: list[list[str]] = []
    for col in df.columns:
        plain = bool(_PLAIN_NUMBER.search(str(col)))
        columns.append([cell_text(v, plain) for v in df[col]])
    for col, cells in zip(df.columns, columns, strict=True):
        numeric = pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])
        if numeric:
            width = max([len(c) for c in cells] + [1])
            table.add_column(str(col), justify="right", no_wrap=True, min_width=width, overflow="ignore")
        else:
            table.add_column(str(col), justify="left", overflow="fold")
    for i in range(len(df)):
        table.add_row(*[cells[i] for cells in columns])
    console.print(table)
    console.print(f"{thousands(len(df))} rader")
