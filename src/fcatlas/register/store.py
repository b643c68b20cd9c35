"""The register store: units in a database (SQLite file or PostgreSQL), audited and versioned.

>>> reg = Register.open("sqlite:///:memory:")  # doctest: +SKIP
>>> result = reg.import_file("dalarna_2026.csv", round=2026, user="anna")  # doctest: +SKIP
>>> reg.list_units(lan="20", status="i_drift")  # doctest: +SKIP

Rules
-----
* An import is read → plan → write: what the register holds about the file's units is read,
  :func:`fcatlas.register.import_plan.plan_import` decides (without a database) what changes,
  and one database transaction writes it: the file's accepted rows are all stored, or nothing
  is (a crash or kill in the middle leaves the database as it was).
* ``Register(session)`` works in the caller's unit of work (the caller commits);
  :meth:`Register.open` gives the CLI a register with its own session on the process's one
  engine (:func:`fcatlas.db.open_engine`: the schema is checked, never migrated).
* Re-importing the same file changes nothing: ids are stable, unchanged units are not written,
  no audit entry and no import record are added.
* Every change of a unit writes an audit entry (who, when, before, after) and bumps ``version``;
  :meth:`Register.update_unit` refuses a change based on an old version (:class:`ConflictError`).
* Each import belongs to an inventory round (a year). The round snapshot keeps what that round
  said about each unit; :meth:`Register.diff` compares two rounds.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pandas as pd
from sqlalchemy import String, Table, bindparam, func, insert, literal, select, update
from sqlalchemy.orm import Session

from fcatlas.db import SessionStore, acting_user, open_engine, utcnow
from fcatlas.domain import GOVERNANCE_FIELDS, LAST_YEAR, Status
from fcatlas.errors import (
    CodeError,
    ConfigError,
    ConflictError,
    FcatlasError,
    InputFileError,
    InvalidInputError,
    StorageError,
)
from fcatlas.fmt import missing
from fcatlas.geography import admin
from fcatlas.register import intake, rules
from fcatlas.register.geocode import Geocoder, distance_m
from fcatlas.register.import_plan import (
    Closure,
    ImportPlan,
    RegisterState,
    UnitChange,
    closing,
    plan_import,
    protected_fields,
    resolve_ids,
)
from fcatlas.register.import_plan import jsonable as _jsonable
from fcatlas.register.import_plan import same as _same
from fcatlas.register.models import UNIT_FIELDS, AuditEntry, ImportRecord, RoundUnit, Unit
from fcatlas.settings import to_sqlalchemy_url

MOVE_THRESHOLD_M = 100.0
#: Rows per executemany batch when storing an import (all inside the one transaction).
CHUNK = 500

_PUBLIC_NAMES = {"has_mvc": "mvc", "has_bvc": "bvc", "has_of": "of", "has_soc": "soc"}
COLUMNS = [
    "id", "name", "kommun_code", "kommun_name", "lan_code", "lan_name", "category", "status",
    "status_date", "mvc", "bvc", "of", "soc", "co_located", "other_partners", "address", "postcode",
    "locality", "lat", "lon", "precision", "stated_accuracy", "source_coordinates", "note",
    *GOVERNANCE_FIELDS, "round", "status_reason",
]
_BOOL_COLUMNS = ["mvc", "bvc", "of", "soc", "co_located", *GOVERNANCE_FIELDS]

#: Fields a person may change with update_unit (public names).
EDITABLE = rules.EDITABLE


class InvalidChangeError(InvalidInputError):
    """A requested change of a unit breaks the register's rules (Swedish message); ``field`` is
    the unit field it is about (``None`` when it is about the change as a whole)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class ImportResult:
    """What an import did."""

    file: Path
    round: int
    n_rows: int
    n_accepted: int
    n_rejected: int
    n_new: int
    n_changed: int
    n_unchanged: int
    import_id: int | None
    problems: list[intake.RowProblem]
    notes: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    #: Accepted units of this import placed at their kommun's point (no coordinates, no postcode).
    n_at_kommun_point: int = 0
    #: Units of the file's regions that the round no longer lists and that were closed
    #: (``id``, ``name``, ``kommun_code``, ``reason``).
    closed: list[dict[str, Any]] = field(default_factory=list)
    #: Units that are missing from the file but were left open (rows were rejected, or --delvis).
    left_open: list[dict[str, Any]] = field(default_factory=list)
    #: The stored units the import changed, field by field (and the values a person entered kept).
    changed: list[UnitChange] = field(default_factory=list)

    @property
    def n_closed(self) -> int:
        return len(self.closed)

    @property
    def ok(self) -> bool:
        return self.n_rejected == 0


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)




def _close(session: Session, closure: Closure, import_id: int | None = None) -> None:
    """Write a :func:`~fcatlas.register.import_plan.closing` (refused if the unit changed meanwhile)."""
    ut = _table(Unit)
    res = session.execute(update(ut).where(ut.c.id == closure.unit_id, ut.c.version == closure.expected_version)
                          .values(**closure.values))
    if res.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(f"enheten {closure.unit_id!r} ändrades av någon annan samtidigt; försök igen")
    session.execute(insert(_table(AuditEntry)).values(**closure.audit, import_id=import_id))


#: the audit entry's columns of a unit change, in the order of :func:`_change_statement`'s binds
_AUDIT_COLUMNS = ("unit_id", "action", "user_name", "at", "version", "before", "after", "comment")


@functools.lru_cache(maxsize=256)  # one per set of changed fields that occurs
def _change_statement(fields: tuple[str, ...], postgresql: bool, guarded: bool) -> Any:
    """A unit's version-checked ``UPDATE … RETURNING`` of ``fields``, built once per set of
    fields (values bound: ``u_id``, ``u_expected``, ``u_version``, ``u_now``, ``v_<field>``).

    On PostgreSQL its audit entry is part of it (``WITH upd AS (UPDATE …), aud AS (INSERT …
    SELECT … FROM upd) SELECT * FROM upd``, binds ``a_<column>``): one round trip, atomic even in
    autocommit, and an audit entry only when the update happened; ``guarded`` adds
    :func:`fcatlas.register.rounds.open_list_guard` (bind ``list_lan``)."""
    from fcatlas.register.rounds import open_list_guard

    ut, at = _table(Unit), _table(AuditEntry)
    checks = [ut.c.id == bindparam("u_id"), ut.c.version == bindparam("u_expected")]
    if guarded:
        checks.append(open_list_guard())
    values = {f: bindparam(f"v_{f}", type_=ut.c[f].type) for f in fields}
    change = (update(ut).where(*checks)
              .values(**values, version=bindparam("u_version"), updated_at=bindparam("u_now", type_=ut.c.updated_at.type))
              .returning(*ut.c))
    if not postgresql:
        return change
    upd = change.cte("upd")
    audit = [bindparam(f"a_{k}", type_=at.c[k].type).label(k) if k != "unit_id" else upd.c.id.label(k)
             for k in _AUDIT_COLUMNS]
    aud = insert(at).from_select(list(_AUDIT_COLUMNS), select(*audit).select_from(upd)).cte("aud")
    return select(upd).add_cte(aud)


class Register(SessionStore):
    """The family-centre register in a database.

    ``Register(session)`` works inside the caller's unit of work (the caller commits);
    :meth:`open` gives the CLI a register with its own session, each call one transaction.
    """

    @classmethod
    def open(cls, url: str) -> Register:
        """The register at ``url`` (SQLAlchemy URL or a SQLite file path) on the process's engine.

        The schema must be current (an empty database is created); nothing is migrated.
        """
        return cls(open_engine(to_sqlalchemy_url(str(url))))

    def __enter__(self) -> Register:
        return self

    # ----------------------------------------------------------------------------------- reading

    def list_units(
        self,
        lan: str | None = None,
        category: str | None = None,
        status: str | None = None,
        round: int | None = None,
    ) -> pd.DataFrame:
        """Units as a DataFrame (columns :data:`COLUMNS`).

        Without ``round``: the current state of every unit, ``round`` being the last round that
        reported it. With ``round``: what that round said (its snapshot).
        """
        # values in the forms the import accepts: "i drift", "annan samverkan", "Örebro", "18", "T"
        try:
            if category is not None:
                category = intake.category_of(category).value
            if status is not None:
                status = intake.status_of(status).value
            if lan is not None:
                lan = intake.lan_code_of(lan)
        except CodeError as exc:
            raise ConfigError(str(exc)) from None
        if round is None:
            t = Unit.__table__
            stmt = select(t.c.id, t.c.last_round.label("round"), *[t.c[f] for f in UNIT_FIELDS],
                          t.c.status_reason)
        else:
            t = RoundUnit.__table__
            stmt = select(t.c.unit_id.label("id"), t.c.round_year.label("round"), *[t.c[f] for f in UNIT_FIELDS],
                          literal(None, String).label("status_reason"))
            stmt = stmt.where(t.c.round_year == int(round))
        if lan is not None:
            stmt = stmt.where(t.c.lan_code == lan)
        if category is not None:
            stmt = stmt.where(t.c.category == category)
        if status is not None:
            stmt = stmt.where(t.c.status == status)
        with self.transaction() as conn:
            rows = [dict(r._mapping) for r in conn.execute(stmt)]
        return self._frame(rows)

    @staticmethod
    def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
        """Rows of units (the models' column names) as a DataFrame of :data:`COLUMNS`, sorted by
        län, kommun, name and id: the services as booleans that may be missing, ``lat``/``lon`` as
        floats, ``round`` as an integer and text as plain Python objects with ``None`` for missing
        (the same on SQLite and PostgreSQL). Built a column at a time from Python lists — a
        register's few hundred units take well under a millisecond, where converting column by
        column in pandas took 10 ms even for no rows (it is read again after every change of a
        draft)."""
        return _units_frame(rows)

    def unit_exists(self, unit_id: str) -> bool:
        with self.transaction() as conn:
            return conn.execute(select(Unit.id).where(Unit.id == unit_id)).first() is not None

    def unit_lan(self, unit_id: str) -> str | None:
        """The län code of a unit, or None when the register has no such unit."""
        with self.transaction() as conn:
            row = conn.execute(select(Unit.lan_code).where(Unit.id == unit_id)).first()
        return None if row is None else str(row[0])

    def get_unit(self, unit_id: str) -> dict[str, Any]:
        """The current state of one unit (public names, plus ``version``)."""
        with self.transaction() as conn:
            row = conn.execute(select(Unit.__table__).where(Unit.id == unit_id)).first()
        if row is None:
            raise StorageError(f"enheten {unit_id!r} finns inte i registret")
        d = dict(row._mapping)
        return {_PUBLIC_NAMES.get(k, k): v for k, v in d.items()}

    def rounds(self) -> list[int]:
        with self.transaction() as conn:
            return [int(r[0]) for r in conn.execute(select(RoundUnit.round_year).distinct().order_by(RoundUnit.round_year))]

    def audit(self, unit_id: str | None = None) -> pd.DataFrame:
        """The audit trail (oldest first): ``unit_id, action, user, at, version, before, after``."""
        t = AuditEntry.__table__
        stmt = select(t.c.id, t.c.unit_id, t.c.action, t.c.user_name.label("user"), t.c.at, t.c.version,
                      t.c.before, t.c.after, t.c.import_id, t.c.comment).order_by(t.c.id)
        if unit_id is not None:
            stmt = stmt.where(t.c.unit_id == unit_id)
        with self.transaction() as conn:
            return pd.DataFrame([dict(r._mapping) for r in conn.execute(stmt)],
                                columns=["id", "unit_id", "action", "user", "at", "version", "before", "after",
                                         "import_id", "comment"])

    def imports(self) -> pd.DataFrame:
        with self.transaction() as conn:
            rows = [dict(r._mapping) for r in conn.execute(select(ImportRecord.__table__).order_by(ImportRecord.id))]
        return pd.DataFrame(rows, columns=[c.name for c in ImportRecord.__table__.columns])

    def counts(self) -> dict[str, int]:
        """Row counts of the register's tables (handy for checking that nothing changed)."""
        out = {}
        with self.transaction() as conn:
            for m in (Unit, RoundUnit, AuditEntry, ImportRecord):
                out[m.__tablename__] = int(conn.execute(select(func.count()).select_from(m)).scalar_one())
        return out

    # ----------------------------------------------------------------------------------- import

    def import_file(
        self,
        path: str | Path,
        round: int | None = None,
        user: str | None = None,
        geocoder: Geocoder | None = None,
        tolerance_m: float | None = None,
        partial: bool = False,
        header_row: int | None = None,
        erase_blanks: bool = False,
    ) -> ImportResult:
        """Read, validate and store a region's list in one transaction.

        The file is the region's *whole* list for the round: units of the file's regions (län)
        that the register has as open but the file no longer lists are closed as of the round
        (status ``nedlagd``, reason ``saknas i inventering <round>``; their history is kept).
        ``partial=True`` (``--delvis``) says the file is only a part, and nothing is closed.

        Parameters
        ----------
        path : path
            CSV or XLSX as the region sent it.
        round : int, optional
            Inventory round (year). Default: a year 2000–2099 in the file name, else this year.
        user : str, optional
            Who imports (for the audit); default the login name.
        geocoder : Geocoder, optional
            Places units without coordinates (postal codes); default kommun points only.
        tolerance_m : float, optional
            How far outside the stated kommun given coordinates may lie (default 2 km).
        partial : bool
            The file is not the region's whole list (nothing is closed).
        header_row : int, optional
            The header's row number when it cannot be found by itself (``--rubrikrad``).
        erase_blanks : bool
            Empty cells empty the fields, also values a person entered on the web (by default
            those are kept where the file leaves them empty).

        Raises
        ------
        InputFileError
            A file-level problem (nothing stored). Row problems do not raise: rejected rows are
            in ``ImportResult.problems`` and the accepted ones are stored.
        """
        p = Path(path)
        if round is None:
            round = intake.round_from_filename(p) or utcnow().year
        if not 1990 <= int(round) <= LAST_YEAR:
            raise ConfigError(f"inventeringsomgången {round} är inget rimligt år")
        sub = intake.parse_submission(intake.read_table(p, header_row=header_row), geocoder, tolerance_m)
        return self.store_submission(sub, int(round), acting_user(user), partial=partial, erase_blanks=erase_blanks)

    def plan_submission(self, sub: intake.Submission, round: int, user: str, *, partial: bool = False,
                        erase_blanks: bool = False) -> ImportPlan:
        """What storing ``sub`` would change, as a plan (nothing is written): the preview's
        closed units by name, each changed field from what to what, the values kept."""
        session = self.session
        kommuner = sorted({u.fields["kommun_code"] for u in sub.units})
        sub, _warnings = resolve_ids(sub, self._known(session, kommuner), duplicates=False)
        state = self._state(session, sub, round)
        return plan_import(sub, round, state, user=user, at=utcnow(), partial=partial, erase_blanks=erase_blanks)

    def store_submission(
        self, sub: intake.Submission, round: int, user: str, partial: bool = False, erase_blanks: bool = False
    ) -> ImportResult:
        """Store the accepted units of a parsed submission (one transaction); unless ``partial``,
        close the units of the file's regions that it no longer lists (see :meth:`import_file`).

        Read → plan → write: what the register holds about the file's units is read, the pure
        :func:`~fcatlas.register.import_plan.plan_import` decides what changes, and
        :meth:`write_plan` writes it, all in one transaction.
        """
        try:
            with self.transaction() as session:
                kommuner = sorted({u.fields["kommun_code"] for u in sub.units})
                sub, warnings = resolve_ids(sub, self._known(session, kommuner))
                state = self._state(session, sub, round)
                plan = plan_import(sub, round, state, user=user, at=utcnow(), partial=partial,
                                   erase_blanks=erase_blanks)
                import_id = self.write_plan(session, plan, sub)
        except FcatlasError:
            raise
        except Exception as exc:
            if concurrent_write(exc):
                raise StorageError(
                    "en annan import till samma register pågick samtidigt; den här importen avbröts och "
                    "ingenting av den sparades. Försök igen om en stund."
                ) from exc
            raise StorageError(f"importen avbröts och ingenting sparades: {type(exc).__name__}") from exc
        return ImportResult(
            file=sub.file, round=round, n_rows=sub.n_rows, n_accepted=len(sub.units),
            n_rejected=len(sub.rejected_rows), n_new=plan.n_new, n_changed=plan.n_changed,
            n_unchanged=plan.n_unchanged, import_id=import_id, problems=[*sub.problems, *warnings],
            notes=sub.notes, headers=list(sub.table.headers),
            n_at_kommun_point=sum(u.fields.get("precision") == "kommun" for u in sub.units),
            closed=plan.closed, left_open=plan.left_open, changed=plan.changed,
        )

    @staticmethod
    def _known(session: Session, kommuner: list[str]) -> list[dict[str, Any]]:
        """The stored units of ``kommuner`` (to give file rows their stored ids)."""
        if not kommuner:
            return []
        ut = _table(Unit)
        return [dict(r._mapping) for r in session.execute(
            select(ut.c.id, ut.c.name, ut.c.kommun_code, ut.c.lat, ut.c.lon, ut.c.precision, ut.c.merged_into)
            .where(ut.c.kommun_code.in_(kommuner)))]

    @staticmethod
    def _state(session: Session, sub: intake.Submission, round: int) -> RegisterState:
        """What the register holds about the units of ``sub`` and their län (for the plan)."""
        ut, rt = _table(Unit), _table(RoundUnit)
        state = RegisterState()
        ids = [u.id for u in sub.units]
        for chunk in range(0, len(ids), CHUNK):
            part = ids[chunk:chunk + CHUNK]
            for r in session.execute(select(ut).where(ut.c.id.in_(part))):
                state.current[r.id] = dict(r._mapping)
            for r in session.execute(select(rt).where(rt.c.round_year == round, rt.c.unit_id.in_(part))):
                state.snapshots[r.unit_id] = dict(r._mapping)
            at = _table(AuditEntry)
            state.edited.update(protected_fields([
                (r.unit_id, r.action, r.after) for r in session.execute(
                    select(at.c.unit_id, at.c.action, at.c.after)
                    .where(at.c.unit_id.in_(part), at.c.action.in_(("create", "import", "update")))
                    .order_by(at.c.id))]))
        lans = sorted({u.fields["lan_code"] for u in sub.units})
        if lans:
            state.open_in_lans = [dict(r._mapping) for r in session.execute(
                select(ut).where(ut.c.lan_code.in_(lans), ut.c.status != Status.NEDLAGD.value,
                                 ut.c.last_round <= round)
                .order_by(ut.c.kommun_code, ut.c.name))]
        return state

    @staticmethod
    def write_plan(session: Session, plan: ImportPlan, sub: intake.Submission) -> int | None:
        """Write an import plan in ``session`` (the caller's transaction): the import record, new
        units, changed units (refused if changed meanwhile), round snapshots, audit entries and
        closed units. Returns the import's id (``None`` when the plan changes nothing)."""
        if not plan.writes_anything:
            return None
        ut, rt, at, it = _table(Unit), _table(RoundUnit), _table(AuditEntry), _table(ImportRecord)
        import_id = int(session.execute(insert(it).values(
            round_year=plan.round, file_name=str(sub.file)[:500], file_sha256=sub.table.sha256,
            imported_at=plan.at, user_name=plan.user, n_rows=sub.n_rows, n_accepted=len(sub.units),
            n_rejected=len(sub.rejected_rows), n_new=plan.n_new, n_changed=plan.n_changed,
        ).returning(it.c.id)).scalar_one())
        for chunk in _chunks(plan.new_units):  # executemany per table; units first (the others refer to them)
            session.execute(insert(ut), chunk)
        for upd in plan.updates:
            res = session.execute(update(ut).where(ut.c.id == upd.unit_id, ut.c.version == upd.expected_version)
                                  .values(**upd.values))
            if res.rowcount != 1:  # type: ignore[attr-defined]
                raise ConflictError(f"enheten {upd.unit_id!r} ändrades av någon annan under importen; importera igen")
        for chunk in _chunks([{**row, "import_id": import_id} for row in plan.new_snapshots]):
            session.execute(insert(rt), chunk)
        for row in plan.changed_snapshots:
            values = {k: v for k, v in row.items() if k not in ("round_year", "unit_id")}
            session.execute(update(rt).where(rt.c.round_year == row["round_year"], rt.c.unit_id == row["unit_id"])
                            .values(**values, import_id=import_id))
        for chunk in _chunks([{**row, "import_id": import_id} for row in plan.audit]):
            session.execute(insert(at), chunk)
        for closure in plan.closures:
            _close(session, closure, import_id)
        return import_id

    # ----------------------------------------------------------------------------------- editing

    def lock_unit(self, unit_id: str) -> dict[str, Any] | None:
        """The stored row of one unit (column names), locked for update until the transaction
        ends (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite locks at the write); ``None`` if there
        is no such unit."""
        ut = _table(Unit)
        with self.transaction() as conn:
            row = conn.execute(select(ut).where(ut.c.id == unit_id).with_for_update()).first()
        return None if row is None else dict(row._mapping)

    def update_unit(self, unit_id: str, changes: dict[str, Any], expected_version: int, user: str,
                    current: dict[str, Any] | None = None, guard_lan: str | None = None) -> dict[str, Any]:
        """Change a unit (see :meth:`_update_unit`); database failures become :class:`StorageError`.

        ``current``: the unit's row as the caller read it (:meth:`lock_unit`, or
        :func:`fcatlas.register.rounds.unit_for_edit` without a lock: the version check of the
        ``UPDATE`` refuses the change if the row has changed since), saving a second read.
        ``guard_lan`` (PostgreSQL): the ``UPDATE`` also requires that län's list open in the open
        round, and locks it against a submission until the change commits
        (:func:`fcatlas.register.rounds.open_list_guard`); when that fails, the change is refused
        as when the version is stale (the caller finds out which)."""
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return self._update_unit(unit_id, changes, expected_version, user, current, guard_lan)
        except SQLAlchemyError as exc:
            raise StorageError(f"ändringen av {unit_id!r} sparades inte: {exc}") from exc

    def _update_unit(self, unit_id: str, changes: dict[str, Any], expected_version: int, user: str,
                     current: dict[str, Any] | None = None, guard_lan: str | None = None) -> dict[str, Any]:
        """Change a unit, refusing the change if someone else changed it since ``expected_version``.

        ``changes`` uses the public names (``name``, ``status``, ``mvc`` … ``co_located``,
        ``lat``/``lon``, ``address`` …). Changed services or co-location re-classify the unit by
        :func:`fcatlas.domain.classify`; a ``category`` given must agree with it. New coordinates
        must lie in (or within 2 km of) the kommun and get precision ``exakt``.

        The unit read under a row lock (unless ``current`` is given), then one version-checked
        ``UPDATE … RETURNING`` with its audit entry: on PostgreSQL one statement
        (:func:`_change_with_audit`, atomic even in autocommit), on SQLite the audit entry and
        then the ``UPDATE`` in the caller's transaction (a stale version raises, and the caller's
        rollback takes the audit entry with it).

        Returns the unit's new state. Raises :class:`ConflictError` on a stale version,
        :class:`InvalidChangeError` on a change that breaks the rules.
        """
        unknown = set(changes) - EDITABLE
        if unknown:
            raise InvalidChangeError(
                f"fälten {', '.join(sorted(unknown))} kan inte ändras (tillåtna: {', '.join(sorted(EDITABLE))})"
            )
        at = _table(AuditEntry)
        with self.transaction() as conn:
            cur = current if current is not None else self.lock_unit(unit_id)
            if cur is None:
                raise StorageError(f"enheten {unit_id!r} finns inte i registret")
            if cur["version"] != expected_version:
                raise ConflictError(
                    f"enheten {unit_id!r} har ändrats av någon annan (version {cur['version']}, du utgick från "
                    f"version {expected_version}); läs in den igen och gör om ändringen"
                )
            inverse = {v: k for k, v in _PUBLIC_NAMES.items()}
            try:  # the rules of an import (register/rules.py), with the same reasons
                new = rules.check_edit({_PUBLIC_NAMES.get(k, k): cur[k] for k in UNIT_FIELDS}, changes, user=user)
            except rules.RuleError as exc:
                raise InvalidChangeError(str(exc), field=rules.field_of(exc.column)) from None
            stored = {inverse.get(k, k): v for k, v in new.items()}
            diff = {f: stored[f] for f in UNIT_FIELDS if not _same(cur[f], stored[f])}
            if not diff:
                return {_PUBLIC_NAMES.get(k, k): v for k, v in cur.items()}
            version = cur["version"] + 1
            now = utcnow()
            audit = {"unit_id": unit_id, "action": "update", "user_name": user[:200], "at": now, "version": version,
                     "before": _jsonable({f: cur[f] for f in diff}), "after": _jsonable(diff), "comment": None}
            postgresql = conn.get_bind().dialect.name == "postgresql"
            binds = {"u_id": unit_id, "u_expected": expected_version, "u_version": version, "u_now": now,
                     **{f"v_{f}": v for f, v in diff.items()}}
            if guard_lan is not None:
                binds["list_lan"] = guard_lan
            change = _change_statement(tuple(sorted(diff)), postgresql, guard_lan is not None)
            if postgresql:
                row = conn.execute(change, binds | {f"a_{k}": v for k, v in audit.items() if k != "unit_id"}).first()
            else:  # SQLite: two statements in the caller's transaction (the file is locked from the first write)
                conn.execute(insert(at).values(**audit))
                row = conn.execute(change, binds).first()
            if row is None:  # the caller rolls back (on SQLite the audit entry with it)
                raise ConflictError(f"enheten {unit_id!r} har ändrats av någon annan; läs in den igen")
        return {_PUBLIC_NAMES.get(k, k): v for k, v in row._mapping.items()}

    def _current(self, conn: Any, unit_id: str) -> dict[str, Any]:
        row = conn.execute(select(_table(Unit)).where(Unit.id == unit_id)).first()
        if row is None:
            raise StorageError(f"enheten {unit_id!r} finns inte i registret (se 'fcatlas register list')")
        return dict(row._mapping)

    def close_unit(self, unit_id: str, reason: str, user: str | None = None, date: str | None = None) -> dict[str, Any]:
        """Close a unit (status nedlagd) with a reason; its history is kept."""
        if not reason.strip():
            raise InvalidChangeError("ange en orsak (--orsak), t.ex. 'flyttade in i Familjecentralen Norr'")
        if date is not None:
            try:
                dt.date.fromisoformat(date)
            except ValueError:
                raise InvalidChangeError(f"datumet {date!r} ska vara ÅÅÅÅ-MM-DD") from None
        with self.transaction() as conn:
            cur = self._current(conn, unit_id)
            if cur["status"] == Status.NEDLAGD.value:
                raise InvalidChangeError(f"enheten {unit_id!r} är redan nedlagd ({cur['status_reason'] or 'ingen orsak'})")
            _close(conn, closing(cur, reason=reason.strip(), closed_round=None, user=acting_user(user), at=utcnow(),
                                 status_date=date))
        return self.get_unit(unit_id)

    def rename_unit(self, unit_id: str, new_name: str, user: str | None = None) -> dict[str, Any]:
        """Give a unit a new name; it keeps its id and history, and later imports that list it
        under the new name update it (they do not add a new unit)."""
        cur = self.get_unit(unit_id)
        if not new_name.strip():
            raise InvalidChangeError("det nya namnet får inte vara tomt")
        return self.update_unit(unit_id, {"name": new_name.strip()}, cur["version"], acting_user(user))

    def merge_units(self, keep_id: str, duplicate_id: str, user: str | None = None) -> dict[str, Any]:
        """Merge a duplicate into the unit that is kept: the duplicate is closed ("sammanslagen
        med …"), keeps its history, and later imports that list it update the kept unit."""
        if keep_id == duplicate_id:
            raise InvalidChangeError("en enhet kan inte slås samman med sig själv")
        with self.transaction() as conn:
            keep = self._current(conn, keep_id)
            dup = self._current(conn, duplicate_id)
            if keep["merged_into"]:
                raise InvalidChangeError(f"{keep_id!r} är själv sammanslagen med {keep['merged_into']!r}")
            if dup["merged_into"]:
                raise InvalidChangeError(f"{duplicate_id!r} är redan sammanslagen med {dup['merged_into']!r}")
            if keep["lan_code"] != dup["lan_code"]:
                raise InvalidChangeError(
                    f"enheterna ligger i olika län ({keep['lan_code']} och {dup['lan_code']}); det är inga dubbletter"
                )
            _close(conn, closing(dup, reason=f"sammanslagen med {keep_id}", closed_round=None, user=acting_user(user),
                                 at=utcnow(), merged_into=keep_id))
        return self.get_unit(keep_id)

    # ----------------------------------------------------------------------------------- rounds

    def diff(self, round_a: int, round_b: int, move_threshold_m: float = MOVE_THRESHOLD_M) -> pd.DataFrame:
        """What changed from inventory round A to round B.

        Rows: ``change`` (``new``, ``closed``, ``not_reported``, ``reclassified``,
        ``status_changed``, ``moved``), ``id``, ``name``, ``kommun_code``, ``kommun_name``,
        ``lan_code``, ``before``, ``after``, ``distance_m``. A unit of round A missing in round B
        is ``closed`` when its län reported in round B, else ``not_reported``; a unit whose status
        became ``nedlagd`` is ``closed`` too. ``moved``: more than ``move_threshold_m`` metres.
        """
        known = self.rounds()
        for r in (round_a, round_b):
            if r not in known:
                raise ConfigError(
                    f"omgången {r} finns inte i registret (finns: {', '.join(map(str, known)) or 'inga'})"
                )
        a = self.list_units(round=round_a).set_index("id")
        b = self.list_units(round=round_b).set_index("id")
        lans_b = set(b["lan_code"])
        out: list[dict[str, Any]] = []

        def add(change: str, uid: str, row: pd.Series, before: Any, after: Any, dist: float | None = None) -> None:
            out.append({"change": change, "id": uid, "name": row["name"], "kommun_code": row["kommun_code"],
                        "kommun_name": row["kommun_name"], "lan_code": row["lan_code"],
                        "before": before, "after": after, "distance_m": dist})

        for uid in b.index.difference(a.index):
            add("new", uid, b.loc[uid], None, b.loc[uid, "category"])
        for uid in a.index.difference(b.index):
            row = a.loc[uid]
            add("closed" if row["lan_code"] in lans_b else "not_reported", uid, row, row["status"], None)
        for uid in a.index.intersection(b.index):
            ra, rb = a.loc[uid], b.loc[uid]
            if ra["category"] != rb["category"]:
                add("reclassified", uid, rb, ra["category"], rb["category"])
            if ra["status"] != rb["status"]:
                kind = "closed" if rb["status"] == Status.NEDLAGD else "status_changed"
                add(kind, uid, rb, ra["status"], rb["status"])
            d = distance_m(ra["lat"], ra["lon"], rb["lat"], rb["lon"])
            if d > move_threshold_m:
                add("moved", uid, rb, f"{ra['lat']:.6f}, {ra['lon']:.6f}", f"{rb['lat']:.6f}, {rb['lon']:.6f}",
                    round(d, 1))
        order = {"new": 0, "closed": 1, "not_reported": 2, "reclassified": 3, "status_changed": 4, "moved": 5}
        df = pd.DataFrame(out, columns=["change", "id", "name", "kommun_code", "kommun_name", "lan_code", "before",
                                        "after", "distance_m"])
        if len(df):
            df = df.sort_values(["change", "lan_code", "kommun_code", "id"], key=lambda s: s.map(order) if s.name == "change" else s)
        return df.reset_index(drop=True)


def _chunks(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rows[i:i + CHUNK] for i in range(0, len(rows), CHUNK)]


def concurrent_write(exc: BaseException) -> bool:
    """Whether a database error means another writer got there first (locked database, unique
    key taken meanwhile, serialization failure or deadlock) — try again later."""
    from sqlalchemy.exc import IntegrityError, OperationalError

    if isinstance(exc, IntegrityError):
        return True
    if isinstance(exc, OperationalError):
        text = str(getattr(exc, "orig", exc)).lower()
        return any(w in text for w in ("locked", "busy", "deadlock", "serialize", "could not obtain lock"))
    return False


def default_report_path(input_file: str | Path, cwd: Path | None = None) -> Path:
    """``dalarna_2026.csv`` → ``dalarna_2026.fel.csv`` beside it.

    When the input's folder is read-only (no write permission bits, as for published reference
    data, or not writable for this user) the report goes to the current directory instead, so a
    shared data folder is never written to.
    """
    import os
    import stat

    p = Path(input_file)
    name = p.stem + ".fel.csv"
    folder = p.resolve().parent
    try:
        mode = folder.stat().st_mode
        writable = bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) and os.access(folder, os.W_OK)
    except OSError:
        writable = False
    return folder / name if writable else (cwd or Path.cwd()) / name


__all__ = [
    "COLUMNS",
    "ImportResult",
    "InputFileError",
    "InvalidChangeError",
    "Register",
    "default_report_path",
]


def unit_order(row: Mapping[str, Any]) -> tuple[tuple[bool, str], ...]:
    """The register's order of units (public column names): by län, kommun, name and id, a
    missing value last (as pandas sorts them)."""
    return tuple((True, "") if missing(row.get(c)) else (False, str(row.get(c)))
                 for c in ("lan_code", "kommun_code", "name", "id"))


def _units_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import numpy as np

    named = sorted(({_PUBLIC_NAMES.get(k, k): v for k, v in r.items()} for r in rows), key=unit_order)
    kn, ln = admin.kommun_names(), admin.lan_names()
    for r in named:
        r["kommun_name"] = kn.get(str(r.get("kommun_code")))
        r["lan_name"] = ln.get(str(r.get("lan_code")))
    data: dict[str, Any] = {}
    for c in COLUMNS:
        values: list[Any] = [r.get(c) for r in named]
        if c in _BOOL_COLUMNS:
            data[c] = pd.array([None if missing(v) else bool(v) for v in values], dtype="boolean")
        elif c in ("lat", "lon"):
            data[c] = np.array([np.nan if missing(v) else float(v) for v in values], dtype="float64")
        elif c == "round":
            data[c] = np.array([int(v) for v in values], dtype="int64")
        else:
            data[c] = pd.Series([None if missing(v) else v for v in values], dtype=object)
    return pd.DataFrame(data, columns=COLUMNS, copy=False)
