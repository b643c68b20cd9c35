"""Named errors of fcatlas.

Every error a person may see carries a Swedish message. Errors about input files carry the
file, the row (1-based line or record number as a person sees it in an editor or Excel),
the column and the reason, so that the message alone is enough to find and fix the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class FcatlasError(Exception):
    """Base of all fcatlas errors. ``str(err)`` is a complete Swedish message."""


class InvalidInputError(FcatlasError):
    """The kind of every error about what was asked for or sent in: a parameter, a file, a
    change that breaks a rule. The rooms' own errors of this kind derive from it."""


class ConfigError(InvalidInputError):
    """A setting or a command-line parameter is invalid."""


class CodeError(InvalidInputError):
    """A geographic code (län, kommun, RegSO, DeSO) is malformed or unknown."""


class OfflineError(FcatlasError):
    """An online source was needed but could not be reached."""


class BundleError(FcatlasError):
    """A data bundle is missing, incomplete or does not hold what was asked for."""


class StorageError(FcatlasError):
    """The database refused an operation (conflict, missing row, schema out of date)."""


class ConflictError(StorageError):
    """Someone else changed the row since it was read (optimistic locking)."""


@dataclass(frozen=True)
class Problem:
    """One problem in an input file: where it is and why it is a problem."""

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"rad {self.row}")
        if self.column:
            parts.append(f"kolumn {self.column!r}")
        return ", ".join(parts) + f": {self.reason}"


class InputFileError(InvalidInputError):
    """An input file does not have the shape or content that was expected.

    Parameters
    ----------
    file : str or Path
        The file (its name as given by the user).
    reason : str
        What is wrong, in Swedish, including what was expected.
    row : int, optional
        1-based line (text files) or row (spreadsheets) number.
    column : str, optional
        Column name (or letter) concerned.

    Examples
    --------
    >>> str(InputFileError("a.csv", "koden 99 finns inte", row=3, column="Kommunkod"))
    "a.csv, rad 3, kolumn 'Kommunkod': koden 99 finns inte"
    """

    def __init__(
        self,
        file: str | Path,
        reason: str,
        row: int | None = None,
        column: str | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        self.problem = Problem(str(file), row, column, reason)
        self.problems = problems or [self.problem]
        super().__init__(str(self.problem))

    @property
    def file(self) -> str:
        return self.problem.file

    @property
    def row(self) -> int | None:
        return self.problem.row

    @property
    def column(self) -> str | None:
        return self.problem.column

    @property
    def reason(self) -> str:
        return self.problem.reason


class UnmatchedRowsError(InputFileError):
    """Some rows of a file could not be matched; all of them are listed (none is dropped)."""

    def __init__(self, file: str | Path, problems: list[Problem]) -> None:
        head = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  … och {len(problems) - 20} till" if len(problems) > 20 else ""
        super().__init__(
            file,
            f"{len(problems)} rader kunde inte matchas:\n{head}{more}",
            problems=problems,
        )
        # keep the first problem's position for callers that want one place
        self.problem = Problem(str(file), problems[0].row, problems[0].column, self.problem.reason)


def problems_error(file: str | Path, problems: list[Problem]) -> InputFileError:
    """One error for a list of problems: the single problem itself, or all of them listed."""
    if len(problems) == 1:
        p = problems[0]
        return InputFileError(file, p.reason, row=p.row, column=p.column)
    return UnmatchedRowsError(file, problems)


class PermissionDeniedError(FcatlasError):
    """The acting user may not do what was asked (or must log in first)."""


class AuthenticationError(FcatlasError):
    """Login failed: unknown account, wrong password, disabled account or expired token.

    The message never tells which of these it was (no account enumeration)."""


class ThrottledError(FcatlasError):
    """Too many failed logins for an account or an address; try again later."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class NotFoundError(FcatlasError):
    """What was asked for does not exist (an account, a unit, a round)."""


class UnsupportedMediaTypeError(ConfigError):
    """An upload or request body of a type that is not accepted."""


class StaleVersionError(ConflictError):
    """The row was changed since the version the caller read; the message names who saved last."""

    def __init__(self, message: str, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version


class PayloadTooLargeError(ConfigError):
    """An upload larger than the service accepts (bytes, rows or unpacked size)."""


class InvalidDataError(ConflictError):
    """Well-formed data that break a rule of the current state (e.g. a report using more than the
    decided amount); ``problems`` lists each field and reason. HTTP 409, like any step that is not
    allowed now: 400/422 are kept for requests that do not follow the API's schema."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


#: The one table of error kinds, most specific first: the CLI's exit code and the HTTP status of
#: each (``fcatlas.web.problems`` answers with the status, ``fcatlas.cli.common.run`` exits with
#: the code). Every fcatlas error is one of these kinds; the CLI exits 1 for all of them (2 is
#: typer's usage error) and tells them apart by its Swedish message.
ERROR_KINDS: tuple[tuple[type[FcatlasError], int, int], ...] = (
    (UnsupportedMediaTypeError, 1, 415),
    (PayloadTooLargeError, 1, 413),
    (StaleVersionError, 1, 412),
    (ThrottledError, 1, 429),
    (AuthenticationError, 1, 401),
    (PermissionDeniedError, 1, 403),
    (NotFoundError, 1, 404),
    (ConflictError, 1, 409),
    (InputFileError, 1, 422),
    (BundleError, 1, 404),
    (StorageError, 1, 503),
    (OfflineError, 1, 503),
    (InvalidInputError, 1, 400),
    (FcatlasError, 1, 400),
)


def kind_of(exc: FcatlasError) -> tuple[int, int]:
    """The CLI exit code and the HTTP status of ``exc`` (:data:`ERROR_KINDS`)."""
    return next((code, status) for kind, code, status in ERROR_KINDS if isinstance(exc, kind))
