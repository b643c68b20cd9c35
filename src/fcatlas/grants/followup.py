"""The yearly follow-up of the grant: what a recipient reports, the rules it must meet, and the
report template (CSV/XLSX with Swedish headers).

Each recipient (a region, by län code) reports per grant year: the amount received, the amounts
used per permitted purpose, the staff financed (FTE and role), the family centres concerned
(ids of units in the register), the unused amount to be repaid, and a free-text account.

Statuses (ASCII values, Swedish labels) and their allowed transitions::

    ej_paborjad ──► utkast ──► inskickad ──► godkand
         │                      ▲   │
         └──────────────────────┘   ▼
                         utkast ◄─ returnerad ─► inskickad

Storage is in :mod:`fcatlas.grants.store`; this module has the rules and the file format.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any

from fcatlas.domain import MAX_SEK, plausible_year
from fcatlas.errors import InputFileError, InvalidInputError, Problem
from fcatlas.files import atomic_output, neutralise, read_input_bytes, write_bytes, xlsx_workbook
from fcatlas.geography.sources.textfile import Record
from fcatlas.grants.allocation import fmt_sek, lan_names
from fcatlas.tables import EMPTY_SHEET, read_table

#: Limits of the stored fields (see :mod:`fcatlas.grants.store`): FTE is kept with two decimals,
#: so more decimals are refused rather than rounded silently.
MAX_FTE = Decimal(1_000_000)
MAX_ROLE = 200
MAX_UNIT_ID = 100  # = the register's id column


class ReportStatus(StrEnum):
    NOT_STARTED = "ej_paborjad"
    DRAFT = "utkast"
    SUBMITTED = "inskickad"
    RETURNED = "returnerad"
    APPROVED = "godkand"


STATUS_LABELS: dict[ReportStatus, str] = {
    ReportStatus.NOT_STARTED: "Ej påbörjad",
    ReportStatus.DRAFT: "Utkast",
    ReportStatus.SUBMITTED: "Inskickad",
    ReportStatus.RETURNED: "Returnerad för komplettering",
    ReportStatus.APPROVED: "Godkänd",
}

#: Allowed status changes.
TRANSITIONS: dict[ReportStatus, frozenset[ReportStatus]] = {
    ReportStatus.NOT_STARTED: frozenset({ReportStatus.DRAFT, ReportStatus.SUBMITTED}),
    ReportStatus.DRAFT: frozenset({ReportStatus.SUBMITTED}),
    ReportStatus.SUBMITTED: frozenset({ReportStatus.RETURNED, ReportStatus.APPROVED}),
    ReportStatus.RETURNED: frozenset({ReportStatus.DRAFT, ReportStatus.SUBMITTED}),
    ReportStatus.APPROVED: frozenset(),
}

#: Statuses in which the content of a report may still be changed.
EDITABLE = frozenset({ReportStatus.NOT_STARTED, ReportStatus.DRAFT, ReportStatus.RETURNED})


class Purpose(StrEnum):
    """The permitted uses of the grant (Socialstyrelsen)."""

    COORDINATOR = "coordinator"
    NEW_CENTRES = "new_centres"
    DEVELOP_CENTRES = "develop_centres"
    NEEDS_ANALYSIS = "needs_analysis"


PURPOSE_LABELS: dict[Purpose, str] = {
    Purpose.COORDINATOR: "Länssamordnare eller processutvecklare",
    Purpose.NEW_CENTRES: "Nya familjecentraler i områden med stort utanförskap",
    Purpose.DEVELOP_CENTRES: "Vidareutveckling av befintliga familjecentraler i sådana områden",
    Purpose.NEEDS_ANALYSIS: "Behovs- och lägesanalys",
}


#: Control characters no text of a report may hold (a database refuses NUL; the others are noise).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ReportError(InvalidInputError):
    """A report breaks a rule, or a status change is not allowed (Swedish message)."""

    def __init__(self, message: str, findings: list[Finding] | None = None) -> None:
        self.findings = findings or []
        super().__init__(message)


def parse_status(value: str) -> ReportStatus:
    """A status from its value or its Swedish label (case-insensitive; å/ä/ö tolerated)."""
    key = _fold(value)
    for s in ReportStatus:
        if key in (_fold(s.value), _fold(STATUS_LABELS[s]), _fold(STATUS_LABELS[s].split()[0])):
            return s
    raise ReportError(
        f"okänd status {value!r}; välj "
        + ", ".join(f"{s.value} ({STATUS_LABELS[s]})" for s in ReportStatus)
    )


def _fold(text: str) -> str:
    t = str(text).strip().lower().replace("å", "a").replace("ä", "a").replace("ö", "o")
    return re.sub(r"[\s_-]+", "_", t)


def check_transition(old: ReportStatus, new: ReportStatus) -> None:
    if new not in TRANSITIONS[old]:
        allowed = ", ".join(STATUS_LABELS[s].lower() for s in sorted(TRANSITIONS[old])) or "ingen"
        raise ReportError(
            f"statusen kan inte ändras från {STATUS_LABELS[old].lower()} till {STATUS_LABELS[new].lower()}; "
            f"tillåtet från {STATUS_LABELS[old].lower()}: {allowed}"
        )


@dataclass
class ReportData:
    """The content of one report (one recipient, one grant year)."""

    region_code: str
    year: int
    amount_received_sek: int = 0
    uses: dict[str, int] = field(default_factory=dict)
    fte: Decimal | None = None
    role: str = ""
    unit_ids: list[str] = field(default_factory=list)
    unused_sek: int | None = None
    account: str = ""
    submitted_at: dt.datetime | None = None

    @property
    def used_sek(self) -> int:
        return sum(int(v) for v in self.uses.values())


@dataclass(frozen=True)
class Finding:
    """One check result: ``field`` is the ReportData attribute (or ``uses.<purpose>``)."""

    field: str
    reason: str
    severity: str = "fel"  # "fel" blocks saving/submitting, "varning" does not

    def __str__(self) -> str:
        return f"{FIELD_LABELS.get(self.field.split('.')[0], self.field)}: {self.reason}"


FIELD_LABELS = {
    "region_code": "Länskod",
    "year": "År",
    "amount_received_sek": "Mottaget belopp (kr)",
    "uses": "Använt per ändamål",
    "fte": "Årsarbetskrafter",
    "role": "Roll",
    "unit_ids": "Familjecentraler (id i registret)",
    "unused_sek": "Ej använt belopp att återbetala (kr)",
    "account": "Redovisning",
    "submitted_at": "Inskickad datum",
}


def check_report(
    report: ReportData,
    unit_exists: Callable[[str], bool] | None = None,
    deadline: dt.date | None = None,
    *,
    unit_lan: Callable[[str], str | None] | None = None,
    allocated_sek: int | None = None,
) -> list[Finding]:
    """All findings for ``report`` (errors and warnings), in field order.

    Rules: a real län code; a plausible year; non-negative whole kronor; only permitted
    purposes; used ≤ received; the unused amount equals received − used when given; a role when
    staff are financed; linked centres exist (when ``unit_exists`` is given) and lie in the
    reporting region (when ``unit_lan`` is given); a received amount other than the decided
    ``allocated_sek`` is a warning with both figures; submission after ``deadline`` is a warning.
    """
    return [
        *_check_sizes(report),
        *_check_amount(report, allocated_sek),
        *_check_uses(report),
        *_check_staff(report),
        *_check_units(report, unit_exists, unit_lan),
        *_check_late(report, deadline),
    ]


def _check_sizes(report: ReportData) -> list[Finding]:
    """Amounts beyond reason and texts with control characters."""
    f: list[Finding] = []
    for name, value in (("amount_received_sek", report.amount_received_sek), ("unused_sek", report.unused_sek),
                        *((f"uses.{k}", v) for k, v in report.uses.items())):
        if value is not None and value > MAX_SEK:
            f.append(Finding(name, f"{fmt_sek(value)} kr är orimligt stort (högst {fmt_sek(MAX_SEK)} kr)"))
    for name, text in (("role", report.role), ("account", report.account),
                       *(("unit_ids", u) for u in report.unit_ids)):
        if CONTROL_CHARS.search(text or ""):
            f.append(Finding(name, "texten innehåller otillåtna styrtecken (t.ex. NUL); skriv om den"))
    return f


def _check_amount(report: ReportData, allocated_sek: int | None) -> list[Finding]:
    """The region, the year and the amount received (against the decided allocation)."""
    f: list[Finding] = []
    if report.region_code not in lan_names():
        f.append(Finding("region_code", f"{report.region_code!r} är ingen länskod (två siffror, t.ex. 18)"))
    if not plausible_year(report.year):
        f.append(Finding("year", f"{report.year} är inget rimligt bidragsår"))
    if report.amount_received_sek < 0:
        f.append(Finding("amount_received_sek", "beloppet får inte vara negativt"))
    elif allocated_sek is not None and report.amount_received_sek != allocated_sek:
        diff = report.amount_received_sek - allocated_sek
        f.append(Finding(
            "amount_received_sek",
            f"mottaget belopp {fmt_sek(report.amount_received_sek)} kr skiljer sig från beslutad fördelning "
            f"{fmt_sek(allocated_sek)} kr ({'+' if diff > 0 else '−'}{fmt_sek(abs(diff))} kr); kontrollera beloppet",
            "varning",
        ))
    return f


def _check_uses(report: ReportData) -> list[Finding]:
    """Only permitted purposes, used ≤ received, unused = received − used."""
    f: list[Finding] = []
    permitted = {p.value for p in Purpose}
    for key, amount in report.uses.items():
        if key not in permitted:
            f.append(
                Finding(
                    f"uses.{key}",
                    f"{key!r} är inget tillåtet ändamål; tillåtna är: "
                    + "; ".join(PURPOSE_LABELS[p] for p in Purpose),
                )
            )
        elif amount < 0:
            f.append(Finding(f"uses.{key}", f"beloppet för {PURPOSE_LABELS[Purpose(key)].lower()} är negativt"))
    used = report.used_sek
    if used > report.amount_received_sek:
        f.append(
            Finding(
                "uses",
                f"använt belopp {fmt_sek(used)} kr är större än mottaget belopp {fmt_sek(report.amount_received_sek)} kr",
            )
        )
    if report.unused_sek is not None:
        if report.unused_sek < 0:
            f.append(Finding("unused_sek", "beloppet får inte vara negativt"))
        elif report.unused_sek != report.amount_received_sek - used and used <= report.amount_received_sek:
            f.append(
                Finding(
                    "unused_sek",
                    f"ska vara mottaget − använt = {fmt_sek(report.amount_received_sek - used)} kr, "
                    f"angivet {fmt_sek(report.unused_sek)} kr",
                )
            )
    return f


def _check_staff(report: ReportData) -> list[Finding]:
    """Full-time equivalents, the role they finance and the length of the linked ids."""
    f: list[Finding] = []
    if report.fte is not None:
        if report.fte < 0:
            f.append(Finding("fte", "antalet årsarbetskrafter får inte vara negativt"))
        elif report.fte >= MAX_FTE or report.fte != report.fte.quantize(Decimal("0.01")):
            f.append(Finding("fte", f"{report.fte} årsarbetskrafter: ange ett tal under {MAX_FTE} med högst två "
                             "decimaler (t.ex. 0,75)"))
        elif report.fte > 0 and not report.role.strip():
            f.append(Finding("role", "ange vilken roll (t.ex. länssamordnare) bidraget finansierar"))
    if len(report.role) > MAX_ROLE:
        f.append(Finding("role", f"rollen har {len(report.role)} tecken, högst {MAX_ROLE} tillåts"))
    for uid in report.unit_ids:
        if len(uid) > MAX_UNIT_ID:
            f.append(Finding("unit_ids", f"{uid[:40]!r}… är för långt för ett id ({len(uid)} tecken, högst {MAX_UNIT_ID})"))
    return f


def _check_units(report: ReportData, unit_exists: Callable[[str], bool] | None,
                 unit_lan: Callable[[str], str | None] | None) -> list[Finding]:
    """Linked centres exist in the register and lie in the reporting region."""
    f: list[Finding] = []
    for uid in report.unit_ids:
        lan = unit_lan(uid) if unit_lan is not None else None
        if unit_exists is not None and lan is None and not unit_exists(uid):
            f.append(Finding("unit_ids", f"enheten {uid!r} finns inte i registret"))
        elif lan is not None and lan != report.region_code:
            f.append(Finding("unit_ids", f"enheten {uid!r} hör till {_region(lan)}, inte till "
                                         f"{_region(report.region_code)}; länka bara regionens egna enheter"))
    return f


def _check_late(report: ReportData, deadline: dt.date | None) -> list[Finding]:
    if deadline is not None and report.submitted_at is not None and is_late(report.submitted_at, deadline):
        return [
            Finding(
                "submitted_at",
                f"inskickad {local_date(report.submitted_at).isoformat()}, efter sista dag {deadline.isoformat()}",
                "varning",
            )
        ]
    return []


def _region(code: str) -> str:
    from fcatlas.geography.admin import REGION_NAMES

    return f"{REGION_NAMES.get(code, 'region')} ({code})"


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [x for x in findings if x.severity == "fel"]


def local_date(ts: dt.datetime) -> dt.date:
    """The Swedish calendar date of a timestamp (naive timestamps are taken as UTC)."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.UTC)
    try:
        from zoneinfo import ZoneInfo

        return ts.astimezone(ZoneInfo("Europe/Stockholm")).date()
    except Exception:  # pragma: no cover - no tz database
        return ts.astimezone(dt.UTC).date()


def is_late(submitted_at: dt.datetime, deadline: dt.date) -> bool:
    """Submitted after the deadline day (Swedish time)."""
    return local_date(submitted_at) > deadline


# -- the report template -----------------------------------------------------------------------

#: (key, Swedish header) of the template, in order. Purpose columns have the purpose as key.
TEMPLATE_COLUMNS: list[tuple[str, str]] = [
    ("region_code", "Länskod"),
    ("region_name", "Region"),
    ("year", "År"),
    ("amount_received_sek", "Mottaget belopp (kr)"),
    (Purpose.COORDINATOR.value, "Länssamordnare/processutvecklare (kr)"),
    (Purpose.NEW_CENTRES.value, "Nya familjecentraler (kr)"),
    (Purpose.DEVELOP_CENTRES.value, "Vidareutveckling av befintliga familjecentraler (kr)"),
    (Purpose.NEEDS_ANALYSIS.value, "Behovs- och lägesanalys (kr)"),
    ("fte", "Årsarbetskrafter"),
    ("role", "Roll"),
    ("unit_ids", "Familjecentraler (id i registret)"),
    ("unused_sek", "Ej använt belopp att återbetala (kr)"),
    ("account", "Redovisning"),
    ("submitted", "Inskickad datum"),
]
REQUIRED = ("region_code", "year", "amount_received_sek")
_HEADER_TO_KEY = {re.sub(r"\s+", " ", h.strip().lower()): k for k, h in TEMPLATE_COLUMNS}
HEADER = dict(TEMPLATE_COLUMNS)


class ReportFileError(InputFileError):
    """A report file has problems; every one is listed with row, column and reason."""

    def __init__(self, file: str | Path, problems: list[Problem]) -> None:
        head = "\n".join(f"  {p}" for p in problems[:30])
        more = f"\n  … och {len(problems) - 30} till" if len(problems) > 30 else ""
        super().__init__(file, f"{len(problems)} fel i rapportfilen:\n{head}{more}", problems=problems)
        self.problem = Problem(str(file), problems[0].row, problems[0].column, problems[0].reason)


@dataclass
class ImportedReport:
    """A report read from a file, with the row it came from."""

    data: ReportData
    row: int


def read_reports(
    path: str | Path,
    unit_exists: Callable[[str], bool] | None = None,
    deadlines: Callable[[int], dt.date] | None = None,
    unit_lan: Callable[[str], str | None] | None = None,
    content: bytes | None = None,
) -> list[ImportedReport]:
    """Read and check a report file (CSV with ``;`` or ``,``, or XLSX; headers as in
    :data:`TEMPLATE_COLUMNS`). All problems of the file — its header and every row — are
    collected and reported at once; when there is any error a :class:`ReportFileError` lists
    them (file, row, column — always a column of the template — and reason). Warnings (late
    submission) do not stop the import. ``content``: the file's bytes when they are already read
    (an upload; ``path`` then only names the file), else the file at ``path`` is read.
    """
    p = Path(path)
    header, rows = _read_table(p, content)
    keys, problems = _header_keys(p, header)
    # the rows are checked too, so that one round of corrections is enough (a missing required
    # column is reported once, above, not on every row)
    absent = {req for req in REQUIRED if req not in keys}
    out: list[ImportedReport] = []
    seen: dict[tuple[str, int], int] = {}
    for rowno, values in rows:
        data, row_problems = _report_row(p, rowno, values, keys, absent,
                                         (unit_exists, deadlines, unit_lan))
        if row_problems or absent:
            problems.extend(row_problems)
            continue
        key = (data.region_code, data.year)
        if key in seen:
            problems.append(
                Problem(str(p), rowno, HEADER["region_code"],
                        f"rapporten för {key[0]} år {key[1]} finns redan på rad {seen[key]}")
            )
            continue
        seen[key] = rowno
        out.append(ImportedReport(data, rowno))
    if problems:
        raise ReportFileError(p, problems)
    if not out:
        raise InputFileError(p, "filen har inga rapportrader")
    return out


def _header_keys(p: Path, header: list[Any]) -> tuple[list[str | None], list[Problem]]:
    """The template key of every column (``None``: not understood) and the header's problems."""
    problems: list[Problem] = []
    keys: list[str | None] = []
    for h in header:
        norm = re.sub(r"\s+", " ", str(h or "").strip().lower())
        key = _HEADER_TO_KEY.get(norm)
        if key is None and norm:
            if "(kr)" in norm:
                problems.append(
                    Problem(
                        str(p), 1, str(h),
                        "inget tillåtet ändamål; bidraget får bara användas till: "
                        + "; ".join(PURPOSE_LABELS[q] for q in Purpose),
                    )
                )
            else:
                problems.append(
                    Problem(str(p), 1, str(h), "okänd kolumn; se mallen (fcatlas grant report template)")
                )
        keys.append(key)
    for req in REQUIRED:
        if req not in keys:
            problems.append(Problem(str(p), 1, HEADER[req], "kolumnen saknas"))
    return keys, problems


_Lookups = tuple[
    Callable[[str], bool] | None, Callable[[int], dt.date] | None, Callable[[str], str | None] | None
]


def _report_row(p: Path, rowno: int, values: list[Any], keys: list[str | None], absent: set[str],
                lookups: _Lookups) -> tuple[ReportData, list[Problem]]:
    """A row as a report and its problems (every cell and every rule of the report, at once)."""
    rec = {k: v for k, v in zip(keys, values, strict=False) if k is not None}
    row_problems: list[Problem] = []

    def bad(key: str, reason: str) -> None:
        row_problems.append(Problem(str(p), rowno, HEADER[key], reason))

    extra = [v for v in values[len(keys):] if _text(v)]
    if extra:
        row_problems.append(Problem(
            str(p), rowno, f"kolumn {len(keys) + 1}",
            f"raden har {len(keys) + len(extra)} ifyllda celler men rubrikraden {len(keys)} kolumner "
            f"(t.ex. {_text(extra[0])[:40]!r}); kontrollera avgränsare och citattecken",
        ))
    data = _report_data(rec, absent, bad)
    unit_exists, deadlines, unit_lan = lookups
    deadline = deadlines(data.year) if deadlines and data.year else None
    reported = {q.column for q in row_problems}
    for finding in errors(check_report(data, unit_exists, deadline, unit_lan=unit_lan)):
        column = _template_column(finding.field)
        if finding.field in ("region_code", "year") or column in reported and finding.field != "unit_ids":
            continue  # already said about this cell
        if finding.field == "uses" and _int(rec.get("amount_received_sek")) is None:
            continue
        row_problems.append(Problem(str(p), rowno, column, finding.reason))
    return data, row_problems


def _report_data(rec: dict[str, Any], absent: set[str], bad: Callable[[str, str], None]) -> ReportData:
    """The report of a row's cells, with what could be read; ``bad`` is told about each cell
    that cannot be read."""
    code = _text(rec.get("region_code"))
    if code.isdigit() and len(code) == 1:
        code = "0" + code
    if "region_code" in absent:
        pass
    elif not code:
        bad("region_code", "värdet saknas")
    elif code not in lan_names():
        bad("region_code", f"{code!r} är ingen länskod (två siffror, t.ex. 18)")
    year = _int(rec.get("year"))
    if "year" not in absent and (year is None or not plausible_year(year)):
        bad("year", f"{_text(rec.get('year'))!r} är inget årtal (t.ex. 2026)")
    received = _int(rec.get("amount_received_sek"))
    if received is None and "amount_received_sek" not in absent:
        bad("amount_received_sek", _money_reason(rec.get("amount_received_sek")))
    uses: dict[str, int] = {}
    for purpose in Purpose:
        raw = rec.get(purpose.value)
        if _text(raw) == "":
            continue
        v = _int(raw)
        if v is None or v < 0:
            bad(purpose.value, _money_reason(raw, allow_empty=True))
        else:
            uses[purpose.value] = v
    return ReportData(
        region_code=code,
        year=year or 0,
        amount_received_sek=received or 0,
        uses=uses,
        fte=_fte(rec, bad),
        role=_text(rec.get("role")),
        unit_ids=[u for u in re.split(r"[,;\s]+", _text(rec.get("unit_ids"))) if u],
        unused_sek=_optional_money(rec, "unused_sek", bad),
        account=_text(rec.get("account")),
        submitted_at=_submitted(rec, bad),
    )


def _fte(rec: dict[str, Any], bad: Callable[[str, str], None]) -> Decimal | None:
    if not _text(rec.get("fte")):
        return None
    try:
        fte = Decimal(_text(rec.get("fte")).replace(",", "."))
        if not fte.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        bad("fte", f"{_text(rec.get('fte'))!r} är inget tal (t.ex. 0,5)")
        return None
    return fte


def _optional_money(rec: dict[str, Any], key: str, bad: Callable[[str, str], None]) -> int | None:
    if not _text(rec.get(key)):
        return None
    v = _int(rec.get(key))
    if v is None:
        bad(key, _money_reason(rec.get(key)))
    return v


def _submitted(rec: dict[str, Any], bad: Callable[[str, str], None]) -> dt.datetime | None:
    if not _text(rec.get("submitted")):
        return None
    submitted = _date(rec.get("submitted"))
    if submitted is None:
        bad("submitted", f"{_text(rec.get('submitted'))!r} är inget datum (ÅÅÅÅ-MM-DD)")
        return None
    return dt.datetime.combine(submitted, dt.time(12, 0), tzinfo=dt.UTC)


def read_allocation_file(path: str | Path) -> dict[str, int]:
    """Region code → whole kronor from an allocation CSV (``grant allocate --format csv``:
    columns ``region_code`` and ``total_sek``; ``;`` or ``,``).

    Every amount must be a non-negative whole number of kronor written with the digits 0–9
    (``1500000``, ``1 500 000``); ``1500000.99``, ``-5``, ``abc``, an empty cell or a region
    twice is an error naming the row — a figure is never rounded, cut or skipped.
    """
    p = Path(path)
    table = read_table(read_input_bytes(p), p, check_headers=False, require_rows=False)
    header = [h.strip() for h in table.headers]
    for col in ("region_code", "total_sek"):
        if col not in header:
            raise InputFileError(p, "kolumnen saknas (väntat region_code och total_sek, som i "
                                    "'grant allocate --format csv')", row=table.header_row, column=col)
    ci, ai = header.index("region_code"), header.index("total_sek")
    problems: list[Problem] = []
    out: dict[str, int] = {}
    seen: dict[str, int] = {}
    for r in (Record(line, fields) for line, fields in table.rows):
        if any(f.strip() for f in r.fields[len(header):]):
            problems.append(Problem(str(p), r.line, None, f"raden har {len(r.fields)} fält men rubrikraden "
                                    f"{len(header)}; kontrollera avgränsare (ett belopp med decimalkomma?)"))
            continue
        code = r.fields[ci].strip() if ci < len(r.fields) else ""
        raw = r.fields[ai].strip() if ai < len(r.fields) else ""
        if re.fullmatch(r"[0-9]", code):
            code = "0" + code
        if code not in lan_names():
            problems.append(Problem(str(p), r.line, "region_code", f"{code!r} är ingen länskod (två siffror, t.ex. 18)"))
            continue
        if code in seen:
            problems.append(Problem(str(p), r.line, "region_code", f"region {code} finns redan på rad {seen[code]}"))
            continue
        seen[code] = r.line
        amount = _whole_kronor(raw)
        if amount is None:
            problems.append(Problem(str(p), r.line, "total_sek",
                                    f"{raw[:40]!r} är inget belopp i hela kronor ≥ 0 (t.ex. 1500000)"
                                    if raw else "beloppet saknas"))
            continue
        if amount > MAX_SEK:
            problems.append(Problem(str(p), r.line, "total_sek", f"{raw[:40]} kr är orimligt stort"))
            continue
        out[code] = amount
    if problems:
        raise ReportFileError(p, problems)
    if not out:
        raise InputFileError(p, "filen har inga rader med belopp")
    return out


def _whole_kronor(text: str) -> int | None:
    """Whole non-negative kronor written with ASCII digits (spaces as thousands separators)."""
    t = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("_", "")
    return int(t) if re.fullmatch(r"[0-9]+", t) else None


def _template_column(finding_field: str) -> str:
    """The template's header for a finding (never a name that is not in the template): the
    purposes by their column, "used more than received" on the received amount."""
    key = finding_field.split(".")[-1] if finding_field.startswith("uses.") else finding_field
    if key == "uses":
        key = "amount_received_sek"
    return HEADER.get(key) or HEADER["account"]


def _read_table(p: Path, data: bytes | None = None) -> tuple[list[Any], list[tuple[int, list[Any]]]]:
    """Header and non-empty rows of a report file (the one table reader, :mod:`fcatlas.tables`);
    the header must be on row 1, as in the template."""
    try:
        table = read_table(read_input_bytes(p) if data is None else data, p, check_headers=False, require_rows=False)
    except InputFileError as exc:
        if exc.reason == EMPTY_SHEET:
            raise InputFileError(p, "arbetsbladet är tomt", row=1) from None
        raise
    if table.header_row != 1:
        raise InputFileError(p, "rubrikraden saknas; väntat rubrikraden enligt mallen på rad 1", row=1)
    return list(table.headers), [(row_no, list(cells)) for row_no, cells in table.rows]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = _text(value).replace("\u00a0", "").replace(" ", "").replace("kr", "")
    m = re.fullmatch(r"(-?[0-9]+)(?:[.,]0+)?", text)
    return int(m.group(1)) if m else None


def _money_reason(value: Any, allow_empty: bool = False) -> str:
    t = _text(value)
    if not t:
        return "värdet saknas"
    return f"{t!r} är inget belopp i hela kronor (t.ex. 250000)"


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        d = value.date()
    elif isinstance(value, dt.date):
        d = value
    else:
        text = _text(value)
        try:  # the whole text must be a date or a date and time: 2026-01-01T25:99 is neither
            d = (dt.datetime.fromisoformat(text).date() if len(text) > 10 else dt.date.fromisoformat(text))
        except ValueError:
            return None
    return d if plausible_year(d.year) else None


def template_rows(example: bool = True) -> list[list[Any]]:
    """Header and (optionally) one example row of the template."""
    rows: list[list[Any]] = [[h for _, h in TEMPLATE_COLUMNS]]
    if example:
        rows.append(
            ["18", "Region Örebro län", 2026, 1500000, 900000, 0, 300000, 150000, "1,0",
             "Länssamordnare", "", 150000, "Exempel: samordnare anställd från mars.", "2027-01-20"]
        )
    return rows


def write_template(path: str | Path, example: bool = True) -> Path:
    """Write the report template as XLSX (by suffix) or CSV (``;``, UTF-8 with BOM)."""
    p = Path(path)
    rows = template_rows(example)
    if p.suffix.lower() == ".xlsx":
        with atomic_output(p, what="mallen") as tmp:
            _template_xlsx(rows, tmp)
        return p
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    for r in rows:
        w.writerow([neutralise(v) for v in r])
    write_bytes(p, b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"), what="mallen")
    return p


def _template_xlsx(rows: list[list[Any]], p: Path) -> None:
    wb = xlsx_workbook(p)
    ws = wb.add_worksheet("Rapporter")
    bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    for j, h in enumerate(rows[0]):
        ws.write_string(0, j, h, bold)
        ws.set_column(j, j, 22)
    for i, r in enumerate(rows[1:], start=1):
        for j, v in enumerate(r):
            if isinstance(v, int):
                ws.write_number(i, j, v)
            else:
                ws.write_string(i, j, str(v))
    ws.freeze_panes(1, 0)
    wb.close()

