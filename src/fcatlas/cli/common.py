"""Shared CLI plumbing: Swedish error output, exit codes, progress bars, output formats."""

from __future__ import annotations

import importlib.abc
import importlib.util
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum, StrEnum
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from fcatlas.errors import FcatlasError, kind_of
from fcatlas.fmt import thousands

if TYPE_CHECKING:
    import pandas as pd

# soft_wrap: long lines (messages, commands printed for the user to copy) are never broken by
# inserted newlines; the terminal wraps them visually and a copy gives the whole line
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

#: exit code of an error that is not an fcatlas error (a bug, a file-system error); fcatlas's own
#: errors exit with their kind's code (:data:`fcatlas.errors.ERROR_KINDS`); 2 is typer's usage error
EXIT_INPUT = 1


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


_TYPE_NAMES = {"path": "sökväg", "int": "heltal", "str": "text", "float": "tal", "int range": "heltal",
               "float range": "tal", "file": "fil", "dir": "katalog", "datetime": "datum"}
HELP_OPTION_TEXT = "Visa den här hjälpen och avsluta."


def swedish_typer() -> None:
    """typer's help in Swedish: panel titles, ``[krävs]``, ``[standard: …]``, the help option's
    text, Swedish type names and no ``<bool>`` on flags (called before the app runs).

    typer's help is drawn by ``typer.rich_utils``, whose import (rich's markdown, traceback and
    pretty printing) costs a tenth of a second that a command that shows no help need not pay
    (issue 24.5): it is translated when it is first imported, or now if it already is."""
    from typer import core
    from typer._click import formatting

    if not getattr(core, "_fcatlas_swedish", False):
        core._fcatlas_swedish = True  # type: ignore[attr-defined]
        _swedish_types(core, formatting)
    rich_utils = sys.modules.get("typer.rich_utils")
    if rich_utils is not None:
        _swedish_rich_utils(rich_utils)
    elif not any(isinstance(f, _AfterImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport("typer.rich_utils", _swedish_rich_utils))


def _swedish_types(core: Any, formatting: Any) -> None:
    for cls in (core.TyperOption, core.TyperArgument):
        original = cls.display_type_rich

        def display(self: Any, ctx: Any, _original: Any = original) -> str | None:
            if getattr(self, "is_flag", False):
                return None
            text = _original(self, ctx)
            if isinstance(text, str) and text.startswith("<") and text.endswith(">"):
                inner = text[1:-1]
                return f"<{_TYPE_NAMES.get(inner, inner)}>"
            return text

        cls.display_type_rich = display
    original_usage = formatting.HelpFormatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        original_usage(self, prog, args.replace("[OPTIONS]", "[FLAGGOR]").replace("COMMAND [ARGS]...",
                                                                                   "KOMMANDO [ARGUMENT]..."),
                       "Användning: " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage


def _swedish_rich_utils(rich_utils: Any) -> None:
    rich_utils.REQUIRED_LONG_STRING = "[krävs]"
    rich_utils.DEFAULT_STRING = "[standard: {}]"
    rich_utils.ENVVAR_STRING = "[miljövariabel: {}]"
    rich_utils.DEPRECATED_STRING = "(utgår) "
    rich_utils.ARGUMENTS_PANEL_TITLE = "Argument"
    rich_utils.OPTIONS_PANEL_TITLE = "Flaggor"
    rich_utils.COMMANDS_PANEL_TITLE = "Kommandon"
    rich_utils.ERRORS_PANEL_TITLE = "Fel"
    rich_utils.ABORTED_TEXT = "Avbrutet."
    rich_utils.RICH_HELP = "Se [blue]'{command_path} {help_option}'[/] för hjälp."
    if getattr(rich_utils, "_fcatlas_swedish", False):
        return
    rich_utils._fcatlas_swedish = True
    original_help = rich_utils._get_parameter_help

    def parameter_help(*, param: Any, ctx: Any, markup_mode: Any) -> Any:
        if getattr(param, "help", None) == "Show this message and exit.":
            param.help = HELP_OPTION_TEXT
        return original_help(param=param, ctx=ctx, markup_mode=markup_mode)

    rich_utils._get_parameter_help = parameter_help
    rich_utils.OptionHighlighter.highlights = [
        h.replace("Usage: ", "Användning: ") for h in rich_utils.OptionHighlighter.highlights
    ]


_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})(?:\.[0-9]{1,17})?")


def plain_coercion() -> None:
    """Options of plain types (text, whole numbers, decimals, flags, paths, choices) take their
    value without pydantic.

    typer coerces every option's value through a pydantic ``TypeAdapter`` it builds on first use:
    pydantic's import and an adapter for each of ``fcatlas site``'s 25 options cost a tenth of a
    second (issue 24.5). Here a plain value (``20``, ``2.5``, a path, one of the choices) is taken
    as that adapter takes it; anything else, and every value the plain reading refuses, goes
    through typer's own coercion, so the value and any error message are typer's. Without the
    typer internals this relies on, typer coerces everything itself."""
    try:
        from typer import core
        from typer._coercion import RuntimeParam
        from typer._param_types import coerce_cli_choice, coerce_cli_path
    except ImportError:  # pragma: no cover  (another typer: its own coercion)
        return
    found = getattr(core, "build_runtime_param", None)
    if not callable(found) or getattr(found, "_fcatlas_plain", False):
        return
    original: Callable[[Any], Any] = found

    class PlainParam(RuntimeParam):
        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return _plain_value(self.annotation, self.parameter_info, value, param, ctx, coerce_cli_choice,
                                    coerce_cli_path)
            except Exception:  # typer's coercion below gives the value, or typer's message
                pass
            full = self.__dict__.get("_full")
            if full is None:
                full = original(self.__dict__["_descriptor"])
                object.__setattr__(self, "_full", full)
            return full._coerce_value(value, param=param, ctx=ctx)

    def build(descriptor: Any) -> Any:
        if not _plain_kind(descriptor):
            return original(descriptor)
        rp = PlainParam(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)
        object.__setattr__(rp, "_descriptor", descriptor)
        return rp

    build._fcatlas_plain = True  # type: ignore[attr-defined]
    core.build_runtime_param = build


class _NotPlain(Exception):
    """A value the plain reading leaves to typer."""


def _plain_kind(descriptor: Any) -> bool:
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or info.parser is not None or info.min is not None \
            or info.max is not None or info.clamp:
        return False
    a = descriptor.annotation
    return a in (str, int, float, bool, Path) or (isinstance(a, type) and issubclass(a, Enum))


def _plain_value(annotation: Any, info: Any, value: Any, param: Any, ctx: Any, choice: Any, path: Any) -> Any:
    if (annotation is str and isinstance(value, str)) or (annotation is bool and isinstance(value, bool)):
        return value
    if annotation is int and (type(value) is int or (isinstance(value, str) and _INT.fullmatch(value))):
        return int(value)
    if annotation is float and (type(value) is float or (isinstance(value, str) and _FLOAT.fullmatch(value))):
        return float(value)
    if annotation is Path and isinstance(value, str) and value and info.path_type is None:
        return path(Path(value), info, path_type=Path, param=param, ctx=ctx)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return choice(value, choices=list(annotation), case_sensitive=info.case_sensitive, ctx=ctx)
    raise _NotPlain


class _AfterImport(importlib.abc.MetaPathFinder):
    """Calls ``then(module)`` as soon as the module ``name`` has been imported (once)."""

    def __init__(self, name: str, then: Callable[[ModuleType], None]) -> None:
        self.name, self.then = name, then

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)  # the real finders find it; this one has done its work
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _ThenLoader(spec.loader, self.then)
        return spec


class _ThenLoader(importlib.abc.Loader):
    def __init__(self, loader: Any, then: Callable[[ModuleType], None]) -> None:
        self.loader, self.then = loader, then

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        module: ModuleType | None = self.loader.create_module(spec)
        return module

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        self.then(module)

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename … of the real loader
        return getattr(self.loader, name)


def unwrap_help(text: str | None) -> str | None:
    """A docstring's paragraphs as whole lines: single line breaks (from the source's line
    length) become spaces, so that help is never broken mid-sentence; lists stay lists.

    >>> unwrap_help("Importera en lista.\\nRader sparas.\\n\\nExempel: fcatlas x")
    'Importera en lista. Rader sparas.\\n\\nExempel: fcatlas x'
    """
    if not text:
        return text
    import inspect

    out = []
    for para in inspect.cleandoc(text).split("\n\n"):
        lines = para.split("\n")
        if any(ln.lstrip().startswith(("- ", "* ", "• ")) for ln in lines[1:]):
            out.append(para)
        else:
            out.append(" ".join(ln.strip() for ln in lines))
    return "\n\n".join(out)


def _unwrap_commands(cmd: Any) -> None:
    cmd.help = unwrap_help(cmd.help)
    subs = getattr(cmd, "commands", {})
    # the top-level group's lazy commands: only those loaded (it unwraps the others as it loads them)
    for sub in getattr(subs, "loaded", subs).values():
        _unwrap_commands(sub)


def run(app: typer.Typer, args: list[str] | None = None) -> None:
    """Run ``app`` with ``args`` (default: the process's ``sys.argv``); any :class:`FcatlasError`
    becomes a Swedish message and its kind's exit code. Always ends in :class:`SystemExit`, so a
    test runs a command in-process as a user does (inside ``CliRunner().isolation()``).

    Nothing ends in a traceback: a file-system error, a database error or (a bug) any other
    exception is a Swedish message with exit code 1 (``FCATLAS_DEBUG=1`` shows the traceback).
    """
    swedish_typer()
    plain_coercion()
    argv = list(sys.argv[1:] if args is None else args)
    try:
        if argv and not {"--help", "-h"} & set(argv):
            _configure_limits()  # not for help, which must start fast (no database library loaded)
        command = typer.main.get_command(app)
        _unwrap_commands(command)
        rc = command(args=argv, prog_name="fcatlas", standalone_mode=False)
    except FcatlasError as exc:
        err_console.print(f"[bold red]Fel:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(kind_of(exc)[0])
    except (KeyboardInterrupt, SystemExit):
        raise
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("Avbrutet.")
        sys.exit(130)
    except Exception as exc:
        _fail(exc)
    # with standalone_mode=False click returns the code of typer.Exit instead of exiting
    sys.exit(rc if isinstance(rc, int) else 0)


def _fail(exc: Exception) -> None:
    """Exit with a Swedish message for a usage error (click's, or typer's vendored copy of it:
    its exit code) or any other exception (exit code 1; ``FCATLAS_DEBUG=1`` re-raises it)."""
    if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
        ctx = getattr(exc, "ctx", None)
        where = ctx.command_path if ctx is not None else "fcatlas"
        err_console.print(f"[bold red]Fel:[/] {swedish_usage_message(exc.format_message())}", highlight=False)
        err_console.print(f"Se '{where} --help'.", highlight=False)
        sys.exit(int(exc.exit_code))
    if os.environ.get("FCATLAS_DEBUG"):
        raise exc
    err_console.print(f"[bold red]Fel:[/] {unexpected_message(exc)}", highlight=False, soft_wrap=True)
    sys.exit(EXIT_INPUT)


def _configure_limits() -> None:
    from fcatlas.files import configure
    from fcatlas.settings import Settings

    s = Settings.from_env()
    configure(max_bytes=s.max_input_bytes, max_rows=s.max_input_rows)
    from fcatlas.files import protect

    default_db = s.database_file
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
    if isinstance(exc, SQLAlchemyError):  # isinstance(exc, ()) is False
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
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

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


def database_url(db: str | None, *, must_exist: bool = False) -> str:
    """The register database from ``--db`` (URL or plain SQLite path), else from the settings.

    Without ``--db`` the database used is said on stderr (``FCATLAS_DB`` or the default file),
    so that nobody reads an empty default database by mistake. ``must_exist`` (commands that only
    read): a SQLite file that does not exist is refused instead of created empty.
    """
    from fcatlas.db import sqlite_file
    from fcatlas.errors import ConfigError
    from fcatlas.settings import Settings, to_sqlalchemy_url

    url = to_sqlalchemy_url(db) if db else Settings.from_env().database_url
    file = sqlite_file(url)  # the real path (the URL quotes å, %, ? and #)
    where = str(file) if file is not None else _hide_password(url)
    if db is None:
        import os

        origin = "FCATLAS_DB" if os.environ.get("FCATLAS_DB") else "standard"
        err_console.print(f"Databas: {where} ({origin}; välj en annan med --db)", highlight=False)
    if must_exist and file is not None and not file.is_file():
        raise ConfigError(
            f"databasen {where} finns inte (inget skapas av ett kommando som bara läser). Ange rätt fil med "
            "--db, eller importera en lista först: fcatlas register import FIL --db FIL.sqlite"
        )
    return url


def _hide_password(url: str) -> str:
    import re as _re

    return _re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def frame_text(df: pd.DataFrame, fmt: OutputFormat) -> str:
    """A DataFrame as CSV or as JSON records (dates in ISO form)."""
    if fmt is OutputFormat.csv:
        from fcatlas.files import neutralise_frame

        return str(neutralise_frame(df).to_csv(index=False, lineterminator="\n"))
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
    from rich.table import Table

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
        width = max([len(c) for c in cells] + [1])
        if numeric:
            # never narrower than its widest number (the header may wrap instead)
            table.add_column(str(col), justify="right", min_width=width, overflow="fold")
        else:
            # codes, ids and dates (no spaces: copied as they are) stay whole; long names wrap
            tokens = all(" " not in c for c in cells)
            table.add_column(str(col), justify="left", min_width=width if tokens else min(width, 14),
                             overflow="fold")
    for i in range(len(df)):
        table.add_row(*[cells[i] for cells in columns])
    console.print(table)
    console.print("1 rad" if len(df) == 1 else f"{thousands(len(df))} rader")


#: the help of every ``--db`` option
DB_HELP = "Databas: en SQLAlchemy-URL eller en SQLite-fil (standard: FCATLAS_DB eller fcatlas.sqlite i FCATLAS_HOME)."


#: the global option ``fcatlas --som EPOST``: the CLI acts as that account (its rights, its name)
SOM_HELP = ("Agera som kontot med denna e-postadress, med kontots behörighet (som i webbtjänsten). "
            "Utan den agerar terminalen som den lokala operatören med nationell behörighet.")


def set_acting_account(ctx: typer.Context, email: str | None) -> None:
    """Remember ``fcatlas --som EPOST`` for the command that follows (the app's callback)."""
    ctx.meta["fcatlas_som"] = email.strip() if email and email.strip() else None


def acting_account() -> str | None:
    """The e-mail of ``--som`` given to this run of ``fcatlas``, if any."""
    from typer._click.globals import get_current_context

    ctx = get_current_context(silent=True)
    return None if ctx is None else ctx.meta.get("fcatlas_som")


def operator(user: str | None = None) -> Any:
    """The local operator: whoever runs the CLI against the database, with national rights
    (an :class:`fcatlas.accounts.roles.Actor`), named ``user`` (``--user``) or ``cli:LOGIN``."""
    import getpass

    from fcatlas.accounts.roles import Actor

    return Actor.national(user.strip() if user and user.strip() else f"cli:{getpass.getuser()}")


def acting(session: Any, *, user: str | None = None) -> Any:
    """The actor of this command: the account of ``fcatlas --som EPOST`` (looked up in
    ``session``'s database: an active account, with its role, region and level), else the local
    operator with national rights. ``user`` (a command's ``--user``) names the local operator in
    the change log; it cannot rename an account."""
    from fcatlas.errors import ConfigError
    from fcatlas.services.accounts import active_account

    email = acting_account()
    if email is None:
        return operator(user)
    if user is not None and user.strip() and user.strip().lower() != email.lower():
        raise ConfigError(f"--user {user!r} gäller inte med --som {email!r}: ändringen loggas på kontot")
    return active_account(session, email=email)


def open_database(db: str | None, *, must_exist: bool = False) -> Any:
    """The process's engine of ``--db`` (or the default database) with a current schema.

    A new (empty) database is created; an existing one at an older schema is refused with the
    command that upgrades it (``fcatlas db upgrade``). ``must_exist``: a SQLite file that does not
    exist is refused instead of created empty.
    """
    from fcatlas.db import open_engine

    return open_engine(database_url(db, must_exist=must_exist))



@contextmanager
def database_session(db: str | None, *, must_exist: bool = False) -> Iterator[Any]:
    """One unit of work (a session, committed when the block ends normally) on ``--db`` or the
    default database: what a command hands to the services. ``must_exist``: see
    :func:`database_url`."""
    from fcatlas.db import unit_of_work

    with unit_of_work(open_database(db, must_exist=must_exist)) as session:
        yield session
