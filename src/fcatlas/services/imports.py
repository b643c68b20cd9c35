"""A region's list through the web: *preview* (read and check every row, store nothing in the
register) and *confirm* (store it with exactly the rules of ``fcatlas register import``).

The uploaded bytes are kept with the preview, so that what is confirmed is exactly what was
previewed; a unit of another region in the file is a rejected row, never stored.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from sqlalchemy import Table, update
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import Actor
from fcatlas.errors import ConflictError, NotFoundError, PayloadTooLargeError, UnsupportedMediaTypeError
from fcatlas.register import intake
from fcatlas.register.models import PendingImport
from fcatlas.register.rounds import lock_open_list
from fcatlas.register.store import ImportResult, Register
from fcatlas.services.rounds import ensure_may_edit, lan_code, round_year

SUFFIXES = (".csv", ".txt", ".xlsx")
#: an xlsx whose parts unpack to more than this is refused before it is read
MAX_XLSX_UNPACKED = 200 * 1024 * 1024


def check_xlsx_size(file_name: str, content: bytes, limit: int | None = None) -> None:
    """Refuse an xlsx whose declared unpacked size is too large (a zip bomb), before reading it."""
    import io
    import zipfile

    if not file_name.lower().endswith(".xlsx"):
        return
    limit = MAX_XLSX_UNPACKED if limit is None else limit
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile:
        return  # the intake says in Swedish that it is no Excel file
    if unpacked > limit:
        raise PayloadTooLargeError(
            f"Excel-filen {file_name!r} packas upp till {unpacked // (1024 * 1024)} MB; högst "
            f"{limit // (1024 * 1024)} MB tas emot"
        )


@dataclass(frozen=True)
class Rejected:
    row: int | None
    column: str | None
    reason: str


@dataclass(frozen=True)
class Preview:
    id: int
    accepted: int
    rejected: list[Rejected]
    warnings: list[Rejected] = field(default_factory=list)


@dataclass(frozen=True)
class Confirmed:
    id: int
    accepted: int
    new: int
    changed: int
    unchanged: int
    closed: int


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name.strip() or "lista.csv"
    if not base.lower().endswith(SUFFIXES):
        raise UnsupportedMediaTypeError(f"filen {base!r} är varken CSV eller Excel (xlsx)")
    return re.sub(r"[^\w.\- åäöÅÄÖ]", "_", base)[:200]


def _parse(file_name: str, content: bytes, lan: str) -> intake.Submission:
    """Read and check the upload as the CLI reads a file; units of another län become rejected rows."""
    sub = intake.parse_submission(intake.read_upload(content, file_name))
    keep, problems = [], list(sub.problems)
    for u in sub.units:
        if u.fields.get("lan_code") == lan:
            keep.append(u)
        else:
            problems.append(intake.RowProblem(u.row, None, f"enheten ligger i län {u.fields.get('lan_code')}, "
                                                           f"inte i region {lan}; den hör till en annan regions lista"))
    sub.units, sub.problems = keep, problems
    return sub


def _problems(sub: intake.Submission, severity: str) -> list[Rejected]:
    return [Rejected(p.row, p.column, p.reason) for p in sub.problems if p.severity == severity]


def preview(session: Session, *, actor: Actor, name: str | int, lan: str, file_name: str,
            content: bytes) -> Preview:
    """Check an uploaded list for region ``lan`` in round ``name``; nothing enters the register."""
    code = lan_code(lan)
    ensure_may_edit(session, actor=actor, name=name, lan=code)
    safe = _safe_name(file_name)
    check_xlsx_size(safe, content)
    sub = _parse(safe, content, code)
    rejected = _problems(sub, "fel")
    rec = PendingImport(round_year=round_year(name), lan_code=code, file_name=safe, content=content,
                        user_name=actor.name, created_at=dt.datetime.now(dt.UTC), n_accepted=len(sub.units),
                        n_rejected=len(sub.rejected_rows))
    session.add(rec)
    session.flush()
    return Preview(rec.id, len(sub.units), rejected, _problems(sub, "varning"))


def confirm(session: Session, *, actor: Actor, import_id: int) -> Confirmed:
    """Store a previewed list in the register as its region's list for the round, and mark the
    preview saved, in one transaction (committed here): a confirm that loses a race, fails or
    dies with its worker leaves the preview unsaved and the register unchanged.

    The mark is a conditional ``UPDATE … WHERE confirmed_at IS NULL``: of two confirms at once one
    marks it, the other waits and is refused (409); the region's list is locked open for the
    import (:func:`fcatlas.register.rounds.lock_open_list`)."""
    rec = session.get(PendingImport, import_id)
    if rec is None or not actor.may_see_drafts(rec.lan_code):
        raise NotFoundError(f"förhandsgranskningen {import_id} finns inte")
    ensure_may_edit(session, actor=actor, name=rec.round_year, lan=rec.lan_code)
    if rec.confirmed_at is not None:
        raise ConflictError(f"förhandsgranskningen {import_id} är redan sparad")
    sub = _parse(rec.file_name, rec.content, rec.lan_code)
    round_, lan, user = rec.round_year, rec.lan_code, actor.name
    t = cast(Table, PendingImport.__table__)
    marked = session.execute(update(t).where(t.c.id == import_id, t.c.confirmed_at.is_(None))
                             .values(confirmed_at=dt.datetime.now(dt.UTC)))
    if marked.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(f"förhandsgranskningen {import_id} är redan sparad")
    lock_open_list(session, lan=lan)
    result = Register(session).store_submission(sub, round_, user)
    session.commit()
    return Confirmed(import_id, len(sub.units), result.n_new, result.n_changed, result.n_unchanged,
                     int(getattr(result, "n_closed", 0)))


# -- a region's list from a file on the operator's machine (fcatlas register import) ----------


@dataclass(frozen=True)
class FileImport:
    """What to import: the file, its round (default: a year in the file name, else this year),
    who imports (for the change log), the postcode file that places units without coordinates,
    how far (km) outside the stated kommun coordinates may lie, whether the file is only part of
    the region's list, and the header's row when it is not found by itself."""

    file: Path
    round: int | None = None
    user: str | None = None
    postcodes: Path | None = None
    tolerance_km: float = 2.0
    partial: bool = False
    header_row: int | None = None


@dataclass(frozen=True)
class FileImported:
    result: ImportResult
    #: whether a postcode file placed units without coordinates (else at the kommun's point)
    has_postcodes: bool


def import_file(*, url: str, request: FileImport) -> FileImported:
    """Read, check and store a region's list in the register at ``url`` (one transaction for
    the accepted rows, as ``Register.import_file``)."""
    from fcatlas.register.geocode import Geocoder

    geocoder = Geocoder.from_path(request.postcodes, tolerance_m=request.tolerance_km * 1000)
    with Register.open(url) as reg:
        result = reg.import_file(request.file, round=request.round, user=request.user, geocoder=geocoder,
                                 tolerance_m=request.tolerance_km * 1000, partial=request.partial,
                                 header_row=request.header_row)
    return FileImported(result, geocoder.has_postcodes)


@dataclass(frozen=True)
class ProblemReport:
    #: where the report was written (None: nowhere could be written)
    written: Path | None
    #: ``(where, why)`` of every place tried in vain
    failures: list[tuple[Path, str]] = field(default_factory=list)


def write_problem_report(result: ImportResult, *, target: Path | None) -> ProblemReport:
    """Write the rejected rows and warnings of an import as CSV: to ``target``, or by default
    beside the file (then, if that fails, in the current directory). The accepted rows are
    stored by now: a report that cannot be written never hides that."""
    from fcatlas.errors import FcatlasError
    from fcatlas.outputs.register_export import problems_to_csv
    from fcatlas.register.store import default_report_path

    first = target or default_report_path(result.file)
    failures: list[tuple[Path, str]] = []
    tried: set[str] = set()
    for where in (first, None if target else Path.cwd() / first.name):
        if where is None or str(where) in tried:
            continue
        try:
            return ProblemReport(problems_to_csv(result.problems, result.headers, str(result.file), where), failures)
        except (OSError, FcatlasError) as exc:
            tried.add(str(where))
            failures.append((where, str(exc)))
    return ProblemReport(None, failures)
