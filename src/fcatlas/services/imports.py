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
from typing import Any, cast

from sqlalchemy import Table, update
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import Actor
from fcatlas.errors import ConflictError, NotFoundError, PayloadTooLargeError, UnsupportedMediaTypeError
from fcatlas.register import intake
from fcatlas.register.import_plan import UnitChange
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
    """What a previewed list would do, before anything is stored: the rows refused and warned
    about, and — by name — every new unit, every stored unit that changes (each field from what
    to what, and the values entered on the web that are kept), every unit that would be closed
    (``hela listan``) or is left open (``bara enheterna i filen``, or rows were refused)."""

    id: int
    accepted: int
    rejected: list[Rejected]
    warnings: list[Rejected] = field(default_factory=list)
    new: list[dict[str, Any]] = field(default_factory=list)
    changed: list[UnitChange] = field(default_factory=list)
    closed: list[dict[str, Any]] = field(default_factory=list)
    left_open: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    #: ``bara enheterna i filen``: nothing missing from the file is closed
    partial: bool = False
    #: empty cells empty the fields, even values entered on the web
    erase_blanks: bool = False
    file_name: str = ""
    round: int = 0
    lan_code: str = ""

    @property
    def n_changed(self) -> int:
        return sum(1 for c in self.changed if c.changes)

    @property
    def n_kept(self) -> int:
        return sum(1 for c in self.changed if c.kept)


@dataclass(frozen=True)
class Confirmed:
    """The receipt of a stored list: the counts, the round and the region, who and when."""

    id: int
    accepted: int
    new: int
    changed: int
    unchanged: int
    closed: int
    round: int = 0
    lan_code: str = ""
    file_name: str = ""
    user: str = ""
    at: dt.datetime | None = None


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
            content: bytes, partial: bool = False, erase_blanks: bool = False) -> Preview:
    """Check an uploaded list for region ``lan`` in round ``name`` and say what storing it would
    change; nothing enters the register. ``partial``: the file is only some of the region's
    units (nothing missing is closed); ``erase_blanks``: empty cells empty fields entered on the
    web too."""
    code = lan_code(lan)
    ensure_may_edit(session, actor=actor, name=name, lan=code)
    safe = _safe_name(file_name)
    check_xlsx_size(safe, content)
    sub = _parse(safe, content, code)
    rec = PendingImport(round_year=round_year(name), lan_code=code, file_name=safe, content=content,
                        user_name=actor.name, created_at=dt.datetime.now(dt.UTC), n_accepted=len(sub.units),
                        n_rejected=len(sub.rejected_rows), partial=bool(partial), erase_blanks=bool(erase_blanks))
    session.add(rec)
    session.flush()
    return _preview_of(session, rec, sub, actor)


def _pending(session: Session, actor: Actor, import_id: int) -> PendingImport:
    rec = session.get(PendingImport, import_id)
    if rec is None or not actor.may_see_drafts(rec.lan_code):
        raise NotFoundError(f"förhandsgranskningen {import_id} finns inte")
    return rec


def show_preview(session: Session, *, actor: Actor, import_id: int, partial: bool | None = None,
                 erase_blanks: bool | None = None) -> Preview:
    """A preview again (e.g. after the choice between ``hela listan`` and ``bara enheterna i
    filen``, which is remembered for the confirmation); nothing enters the register."""
    rec = _pending(session, actor, import_id)
    if rec.confirmed_at is not None:
        raise ConflictError(f"förhandsgranskningen {import_id} är redan sparad")
    ensure_may_edit(session, actor=actor, name=rec.round_year, lan=rec.lan_code)
    if partial is not None:
        rec.partial = bool(partial)
    if erase_blanks is not None:
        rec.erase_blanks = bool(erase_blanks)
    session.flush()
    return _preview_of(session, rec, _parse(rec.file_name, rec.content, rec.lan_code), actor)


def _preview_of(session: Session, rec: PendingImport, sub: intake.Submission, actor: Actor) -> Preview:
    plan = Register(session).plan_submission(sub, rec.round_year, actor.name, partial=rec.partial,
                                             erase_blanks=rec.erase_blanks)
    left_open = plan.left_open
    if rec.partial and not sub.rejected_rows:  # name what a whole list would have closed
        whole = Register(session).plan_submission(sub, rec.round_year, actor.name, partial=False,
                                                  erase_blanks=rec.erase_blanks)
        left_open = whole.closed
    return Preview(rec.id, len(sub.units), _problems(sub, "fel"), _problems(sub, "varning"), plan.added,
                   sorted(plan.changed, key=lambda c: (c.kommun_code, c.name)), plan.closed, left_open,
                   plan.n_unchanged, rec.partial, rec.erase_blanks, rec.file_name, rec.round_year, rec.lan_code)


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
    round_, lan, user, file_name = rec.round_year, rec.lan_code, actor.name, rec.file_name
    partial, erase_blanks, at = bool(rec.partial), bool(rec.erase_blanks), dt.datetime.now(dt.UTC)
    t = cast(Table, PendingImport.__table__)
    marked = session.execute(update(t).where(t.c.id == import_id, t.c.confirmed_at.is_(None))
                             .values(confirmed_at=at))
    if marked.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(f"förhandsgranskningen {import_id} är redan sparad")
    lock_open_list(session, lan=lan)
    result = Register(session).store_submission(sub, round_, user, partial=partial, erase_blanks=erase_blanks)
    session.commit()
    return Confirmed(import_id, len(sub.units), result.n_new, result.n_changed, result.n_unchanged,
                     result.n_closed, round_, lan, file_name, user, at)


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
    #: empty cells empty the fields, also values entered on the web
    erase_blanks: bool = False


@dataclass(frozen=True)
class FileImported:
    result: ImportResult
    #: whether a postcode file placed units without coordinates (else at the kommun's point)
    has_postcodes: bool


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
