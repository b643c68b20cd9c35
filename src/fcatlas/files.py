"""Safe files: what every writer and every intake of fcatlas goes through.

* :func:`neutralise` / :func:`neutralise_frame` — text that a spreadsheet would run as a formula
  (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return; OWASP's rule) gets a leading
  apostrophe in every CSV and XLSX we write, headers and names from bundles or basis files
  included. Numbers (also negative ones) stay numbers.
* :func:`atomic_output` — an output file is written to a unique temporary file beside it and
  renamed into place only when complete; a bad ``--out`` (a folder, a missing or read-only
  folder) is a Swedish error, and no command writes over its database or one of its inputs
  (those are registered with :func:`protect` when they are opened or read).
* :func:`output_to` — the same for a writer that may be given a binary stream instead of a path
  (a web download written into memory).
* :func:`read_input_bytes` — an input file is read only when it is a regular file, and never
  more than a byte cap (``FCATLAS_MAX_FILE_MB``). Its bytes then go to the one table reader
  (:mod:`fcatlas.tables`), which also takes the bytes of an upload.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from fcatlas.errors import InputFileError, InvalidInputError

if TYPE_CHECKING:
    import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")

#: Default caps on one input file (overridden from the settings by the faces, see :func:`configure`).
MAX_INPUT_BYTES = 10_000_000
MAX_INPUT_ROWS = 50_000
_limits = {"bytes": MAX_INPUT_BYTES, "rows": MAX_INPUT_ROWS}


class OutputError(InvalidInputError):
    """An output file or folder cannot be written where it was asked to be."""


def configure(max_bytes: int | None = None, max_rows: int | None = None) -> None:
    """Set the caps on input files (from :class:`fcatlas.settings.Settings`)."""
    if max_bytes:
        _limits["bytes"] = int(max_bytes)
    if max_rows:
        _limits["rows"] = int(max_rows)


def max_input_bytes() -> int:
    return _limits["bytes"]


def max_input_rows() -> int:
    return _limits["rows"]


# -- formula injection -------------------------------------------------------------------------


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would treat as a formula with an apostrophe.

    Anything that is not text (numbers, dates, None) is returned as it is; so is text that is a
    plain number such as ``-12.5``.

    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise("-12.5"), neutralise("Familjecentral"), neutralise(-3)
    ('-12.5', 'Familjecentral', -3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell and every column name neutralised."""
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            out[col] = s.map(neutralise).astype(object).where(s.notna(), s)
    out.columns = [neutralise(str(c)) if isinstance(c, str) else c for c in out.columns]
    return out


#: xlsxwriter options: text is always written as text (never a formula, URL or number).
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xlsx_workbook(path: str | Path, options: dict[str, Any] | None = None) -> Any:
    """An ``xlsxwriter.Workbook`` whose sheets write every text cell as neutralised text
    (:func:`neutralise`; characters XML cannot hold become U+FFFD), never as a formula or URL."""
    return _safe_workbook_class()(str(path), {**XLSX_OPTIONS, **(options or {})})


_CLASSES: dict[str, Any] = {}


def _safe_workbook_class() -> Any:
    if "wb" not in _CLASSES:
        import xlsxwriter
        from xlsxwriter.worksheet import Worksheet

        class SafeWorksheet(Worksheet):
            def _write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> Any:
                return super()._write_string(row, col, _XML_ILLEGAL.sub("\ufffd", neutralise(str(string))),
                                             cell_format)

        class SafeWorkbook(xlsxwriter.Workbook):
            worksheet_class = SafeWorksheet

        _CLASSES["wb"] = SafeWorkbook
    return _CLASSES["wb"]


# -- protected paths ---------------------------------------------------------------------------

_PROTECTED: dict[str, str] = {}


def protect(path: str | Path, what: str) -> None:
    """Never write an output over ``path`` (a database file or an input file) in this process.

    ``what`` names it in Swedish, e.g. ``"databasen"`` or ``"indatafilen"``.
    """
    try:
        key = str(Path(path).expanduser().resolve())
    except (OSError, RuntimeError, ValueError):
        return
    _PROTECTED.setdefault(key, what)


def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a == b


def _protected_hit(target: Path, folder: bool) -> tuple[str, str] | None:
    for key, what in _PROTECTED.items():
        p = Path(key)
        if _same(target, p):
            return key, what
        if folder and (target == p or target in p.parents):
            return key, what
    return None


def check_output(path: str | Path, *, folder: bool = False, what: str = "utfilen") -> Path:
    """The resolved output path, or a Swedish :class:`OutputError` when it cannot be written.

    ``folder=True`` for an output that is a folder (replaced as a whole).
    """
    raw = Path(path).expanduser()
    if str(path).strip() == "":
        raise OutputError(f"{what}: ingen sökväg angiven")
    try:
        target = raw.resolve()
    except (OSError, RuntimeError) as exc:
        raise OutputError(f"{what} {str(raw)!r} kan inte användas ({exc})") from None
    if folder:
        if target.exists() and not target.is_dir():
            raise OutputError(f"{what} {str(raw)!r} är en fil; ange en katalog")
    elif target.is_dir():
        raise OutputError(f"{what} {str(raw)!r} är en katalog; ange ett filnamn, t.ex. {raw / 'ut.csv'}")
    parent = target.parent
    if folder:  # missing folders are created: check the nearest one that exists
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
    if not parent.exists():
        raise OutputError(f"{what} {str(raw)!r}: katalogen {str(parent)!r} finns inte; skapa den först")
    if not parent.is_dir():
        raise OutputError(f"{what} {str(raw)!r}: {str(parent)!r} är ingen katalog")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{what} {str(raw)!r}: katalogen {str(parent)!r} är skrivskyddad")
    if target.exists() and not folder and not os.access(target, os.W_OK):
        raise OutputError(f"{what} {str(raw)!r} är skrivskyddad")
    hit = _protected_hit(target, folder)
    if hit is not None:
        key, kind = hit
        inside = "" if Path(key) == target else f" (som ligger i {str(raw)!r})"
        raise OutputError(
            f"{what} {str(raw)!r} skulle skriva över {kind} {key!r}{inside}; välj ett annat namn"
        )
    return target


@contextmanager
def atomic_output(path: str | Path, *, what: str = "utfilen") -> Iterator[Path]:
    """Yield a temporary file beside ``path``; when the block ends without error it replaces
    ``path`` in one step (``os.replace``), otherwise it is removed and ``path`` is untouched.

    The temporary file keeps the suffix of ``path`` (writers that choose a format by suffix
    work unchanged).
    """
    target = check_output(path, what=what)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}",
                                        dir=target.parent)
    except OSError as exc:
        raise OutputError(f"{what} {str(path)!r} kan inte skrivas ({exc.strerror or exc})") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            yield tmp
        except OSError as exc:
            raise OutputError(f"{what} {str(path)!r} kunde inte skrivas ({exc.strerror or exc})") from None
        mask = os.umask(0)
        os.umask(mask)
        try:
            os.chmod(tmp, 0o666 & ~mask)
            os.replace(tmp, target)
        except OSError as exc:
            raise OutputError(f"{what} {str(path)!r} kunde inte skrivas ({exc.strerror or exc})") from None
    finally:
        if tmp.exists():
            tmp.unlink()


#: Where an output goes: a path (written atomically) or a binary stream such as ``io.BytesIO``.
Target = str | Path | IO[bytes]


def is_stream(target: Target) -> bool:
    """Whether an output target is a binary stream rather than a path."""
    return not isinstance(target, str | Path) and hasattr(target, "write")


@contextmanager
def output_to(target: Target, *, suffix: str = "", what: str = "utfilen") -> Iterator[Path]:
    """Yield the file a writer writes: for a path, :func:`atomic_output`; for a binary stream, a
    temporary file (with ``suffix``, for writers that choose a format by it) whose bytes are
    copied into the stream when the block ends without error, and which is removed either way."""
    if isinstance(target, str | Path):
        with atomic_output(target, what=what) as tmp:
            yield tmp
        return
    with tempfile.TemporaryDirectory(prefix="fcatlas-ut-") as folder:
        tmp = Path(folder) / f"ut{suffix}"
        yield tmp
        with open(tmp, "rb") as f:
            shutil.copyfileobj(f, target)


def write_text(path: str | Path, text: str, encoding: str = "utf-8", *, what: str = "utfilen") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_output`)."""
    with atomic_output(path, what=what) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)


def write_bytes(path: str | Path, data: bytes, *, what: str = "utfilen") -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_output`)."""
    with atomic_output(path, what=what) as tmp:
        tmp.write_bytes(data)
    return Path(path)


# -- reading inputs ----------------------------------------------------------------------------


def read_input_bytes(path: str | Path, max_bytes: int | None = None) -> bytes:
    """The bytes of an input file: only a regular file, at most ``max_bytes`` (default: the
    configured cap). The file is then protected from being written over (:func:`protect`).

    Raises
    ------
    InputFileError
        Missing, a folder, not a regular file (a device, a pipe), too large or unreadable.
    """
    p = Path(path)
    cap = int(max_bytes or _limits["bytes"])
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputFileError(p, "filen finns inte") from None
    except IsADirectoryError:
        raise InputFileError(p, "det är en katalog, inte en fil") from None
    except OSError as exc:
        raise InputFileError(p, f"filen kunde inte läsas ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputFileError(p, "det är en katalog, inte en fil")
        if not stat.S_ISREG(st.st_mode):
            raise InputFileError(p, "är ingen vanlig fil (t.ex. en enhet eller en pipe); ange en CSV- eller Excel-fil")
        if st.st_size > cap:
            raise InputFileError(p, f"filen är {st.st_size / 1e6:.1f} MB, högst {cap / 1e6:g} MB tillåts")
        chunks: list[bytes] = []
        total = 0
        with os.fdopen(fd, "rb", closefd=False) as f:
            while True:
                chunk = f.read(min(1 << 20, cap + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                if total > cap:
                    raise InputFileError(p, f"filen är större än {cap / 1e6:g} MB, som är högsta tillåtna")
    except OSError as exc:
        raise InputFileError(p, f"filen kunde inte läsas ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    protect(p, "indatafilen")
    return b"".join(chunks)
