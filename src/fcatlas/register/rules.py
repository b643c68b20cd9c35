"""The rules of a unit in the register — one set, used by the import of a region's list
(:mod:`fcatlas.register.intake`) and by the change of a single unit (:func:`check_edit`, called by
:meth:`fcatlas.register.store.Register.update_unit`).

Each rule takes a value (the text of a cell, or a typed value of an edit) and the label of its
field as a person sees it (the column of the file, or the Swedish field name of
:data:`FIELD_LABELS`), and either gives the value as it is stored or raises :class:`RuleError`
naming that label and the reason in Swedish. So an edit is refused for exactly what a row of an
import is refused for, with the same reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from fcatlas.domain import (
    CATEGORY_LABELS,
    GOVERNANCE_FIELDS,
    GOVERNANCE_LABELS,
    LAST_YEAR,
    Category,
    NotACollaborationError,
    Service,
    Status,
    classify,
    implied_by,
)
from fcatlas.errors import CodeError
from fcatlas.geography import admin, codes
from fcatlas.geography.sources.postcodes import normalise_postcode
from fcatlas.register.geocode import DEFAULT_TOLERANCE_M, LocationError, check_in_kommun, detect_system
from fcatlas.tables import fold

#: Longest text accepted per field (longer values are refused, never cut).
MAX_LENGTH = {
    "id": 100,
    "name": 200,
    "address": 200,
    "locality": 100,
    "other_partners": 500,
    "stated_accuracy": 100,
    "note": 2000,
    "coord_a": 30,
    "coord_b": 30,
    "coord_x": 30,
    "coord_y": 30,
    "postcode": 20,
    "status_date": 30,
}
DEFAULT_MAX_LENGTH = 100
#: Plausible years of a status date (from 1900; the upper bound is the one year rule's).
MIN_YEAR, MAX_YEAR = 1900, LAST_YEAR

#: Swedish labels of the fields (how a person calls a field in messages).
FIELD_LABELS = {
    "id": "Id", "name": "Namn", "kommun_name": "Kommun", "kommun_code": "Kommunkod", "lan": "Län",
    "lan_name": "Län", "address": "Adress", "postcode": "Postnummer", "locality": "Ort", "mvc": "MVC",
    "bvc": "BVC", "of": "Öppen förskola", "soc": "Socialtjänst", "co_located": "Samlokaliserad",
    "category": "Typ", "other_partners": "Övriga samverkanspartner", "status": "Status",
    "status_date": "Statusdatum", "coord_a": "Latitud", "coord_b": "Longitud", "coord_x": "X",
    "coord_y": "Y", "stated_accuracy": "Koordinatnoggrannhet", "precision": "Lägesprecision",
    "note": "Anmärkning", "lat": "Latitud", "lon": "Longitud", **GOVERNANCE_LABELS,
}
SERVICE_FIELDS: dict[str, Service] = {"mvc": Service.MVC, "bvc": Service.BVC, "of": Service.OF, "soc": Service.SOC}
#: Text fields of a unit (hygiene and length rules apply).
TEXT_FIELDS = ("name", "address", "locality", "other_partners", "stated_accuracy", "note", "postcode",
               "status_date")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n\t]")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

_YES = frozenset({"ja", "j", "yes", "y", "x", "1", "sant", "true"})
_NO = frozenset({"nej", "n", "no", "0", "falskt", "false"})
_TICKS = frozenset({"✓", "✔", "☑", "✗"})
_UNKNOWN = frozenset({"", "okant", "vetej", "uppgiftsaknas", "saknas", "unknown"})

STATUS_WORDS: dict[str, Status] = {
    "idrift": Status.I_DRIFT, "drift": Status.I_DRIFT, "aktiv": Status.I_DRIFT, "oppen": Status.I_DRIFT,
    "planerad": Status.PLANERAD, "planerat": Status.PLANERAD, "planering": Status.PLANERAD,
    "underuppbyggnad": Status.PLANERAD,
    "avsiktsforklaring": Status.AVSIKTSFORKLARING,
    "nedlagd": Status.NEDLAGD, "stangd": Status.NEDLAGD, "avvecklad": Status.NEDLAGD,
}
CATEGORY_WORDS: dict[str, Category] = {
    "familjecentral": Category.FAMILJECENTRAL, "fc": Category.FAMILJECENTRAL,
    "familjecentralsliknande": Category.FAMILJECENTRALSLIKNANDE,
    "familjecentralsliknandeverksamhet": Category.FAMILJECENTRALSLIKNANDE,
    "annansamverkan": Category.ANNAN_SAMVERKAN, "annanformavsamverkan": Category.ANNAN_SAMVERKAN,
    "samverkan": Category.ANNAN_SAMVERKAN,
}

#: The län letters still used in many registers (länsbokstav) → län code.
LAN_LETTERS = codes.LAN_LETTERS


def field_of(label: str | None) -> str | None:
    """The unit field whose Swedish label is ``label`` (:data:`FIELD_LABELS`), or ``None``."""
    return next((f for f, text in FIELD_LABELS.items() if text == label), None) if label else None


class RuleError(Exception):
    """A value breaks a unit rule: ``column`` is the label of its field (or ``None``),
    ``reason`` says why in Swedish."""

    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.column}: {self.reason}" if self.column else self.reason


def short(text: str, n: int = 40) -> str:
    """A value quoted for a message, cut after ``n`` characters."""
    return repr(text if len(text) <= n else text[:n] + "…")


# -- text ----------------------------------------------------------------------------------------


def check_text(field: str, value: str, column: str | None) -> None:
    """Text hygiene: no control characters, no line breaks (except in a note), not too long —
    a value is never cut or cleaned silently."""
    if _CONTROL.search(value):
        raise RuleError(column, "cellen innehåller otillåtna styrtecken")
    limit = MAX_LENGTH.get(field, DEFAULT_MAX_LENGTH)
    if len(value.strip()) > limit:
        raise RuleError(column, f"cellen har {len(value.strip())} tecken, högst {limit} tillåts")
    if field != "note" and _LINE_BREAK.search(value.strip()):
        raise RuleError(column, "cellen innehåller radbrytningar eller tabbar")


def name(value: str, column: str | None) -> str:
    """A unit's name: not blank."""
    text = value.strip()
    if not text:
        raise RuleError(column, "namn saknas")
    return text


def unit_id(value: str, column: str | None) -> str:
    if not _ID_RE.match(value):
        raise RuleError(column, f"{short(value)} är inget giltigt id (bokstäver, siffror, . _ -)")
    return value


# -- yes/no ----------------------------------------------------------------------------------------


def yes_no(value: str | bool | None, column: str | None, empty: bool | None) -> bool | None:
    """``ja``/``nej``/``x``/``1``/``0`` (or a bool); ``empty`` for a blank value."""
    if isinstance(value, bool) or value is None:
        return empty if value is None else value
    t = str(value).strip()
    if not t:
        return empty
    if t in _TICKS:
        return t != "✗"
    k = fold(t)
    if k in _YES:
        return True
    if k in _NO:
        return False
    raise RuleError(column, f"{short(t)} är inte ja eller nej (väntat ja/nej/x/1/0)")


def governance_value(value: str | bool | None, column: str | None = "") -> bool | None:
    """A governance value: ja → True, nej → False, okänt → None.

    Ja: ``ja``, ``x``, ``1``, ``✓`` (any case); nej: ``nej``, ``0``, ``✗``; okänt: blank, ``-``,
    ``?``, ``okänt``, ``vet ej``.

    >>> [governance_value(v) for v in ("Ja", "JA", "x", "nej", "-", "", "okänt")]
    [True, True, True, False, None, None, None]
    """
    if isinstance(value, bool) or value is None:
        return value
    t = str(value).strip()
    if t in ("-", "–", "—", "?") or fold(t) in _UNKNOWN:
        return None
    try:
        return yes_no(t, column, None)
    except RuleError:
        raise RuleError(column, f"{short(t)} är inte ja, nej eller okänt (väntat ja/nej/x/-/tomt)") from None


# -- where ---------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def kommun_lookup() -> tuple[dict[str, str], dict[str, str]]:
    """kommun code -> name, län code -> name (admin's tables, once)."""
    t = admin.kommun_table()
    names = {str(c): str(n) for c, n in zip(t["kommun_code"], t["kommun_name"], strict=True)}
    lt = admin.lan_table()
    lans = {str(c): str(n) for c, n in zip(lt["lan_code"], lt["lan_name"], strict=True)}
    return names, lans


def kommun_code(text: str, column: str | None) -> str:
    """A kommun code as people write it (``2080``, ``180`` for 0180, ``2080.0``): one of the 290."""
    t = text.strip()
    if re.fullmatch(r"\d+\.0+", t):
        t = t.split(".")[0]
    if re.fullmatch(r"\d{3}", t):
        t = "0" + t  # Excel drops the leading zero of 01xx–09xx
    if not re.fullmatch(r"\d{4}", t):
        raise RuleError(column, f"{short(text.strip())} är ingen kommunkod (fyra siffror, t.ex. 2080)")
    if t not in kommun_lookup()[0]:
        raise RuleError(column, f"kommunkoden {t!r} finns inte bland Sveriges 290 kommuner")
    return t


def kommun(code_text: str, name_text: str, labels: Mapping[str, str]) -> str:
    """The kommun of a code, a name or both (which must agree)."""
    names = kommun_lookup()[0]
    code = kommun_code(code_text, labels.get("kommun_code")) if code_text.strip() else None
    if name_text.strip():
        try:
            by_name = admin.kommun_by_name(name_text.strip())
        except CodeError as exc:
            if code is None:
                raise RuleError(labels.get("kommun_name"), str(exc)) from None
            raise RuleError(labels.get("kommun_name"), f"{exc}; kommunkoden {code} är {names[code]}") from None
        if code is not None and by_name != code:
            raise RuleError(
                labels.get("kommun_code"),
                f"kommunkoden {code} ({names[code]}) stämmer inte med kommunnamnet {name_text.strip()!r} ({by_name})",
            )
        code = by_name
    if code is None:
        raise RuleError(labels.get("kommun_code") or labels.get("kommun_name"), "kommun saknas")
    return code


def lan_code(text: str, column: str | None) -> str:
    """A län as people write it — ``18``, ``T``, ``Örebro``, ``Region Örebro län`` — as its code
    (:func:`fcatlas.geography.codes.lan_code`, the one reading of a län), refused for ``column``."""
    try:
        return codes.lan_code(text)
    except CodeError as exc:
        raise RuleError(column, str(exc)) from None


def check_lan(kommun: str, stated_text: str, column: str | None) -> None:
    """A stated län must be the kommun's."""
    stated = lan_code(stated_text, column)
    if stated != kommun[:2]:
        names, lans = kommun_lookup()
        raise RuleError(column, f"{names[kommun]} kommun ligger i {lans[kommun[:2]]}, inte i {lans[stated]}")


def postcode(text: str, column: str | None) -> str | None:
    """A postcode: five digits (``79171``, ``791 71``); blank → None."""
    if not str(text).strip():
        return None
    code = normalise_postcode(str(text))
    if code is None:
        raise RuleError(column, f"{short(str(text))} är inget postnummer (fem siffror)")
    return code


def number(text: str, column: str | None) -> float:
    """A number as people write it (``60,62``, ``6 720 000``, a minus sign)."""
    t = text.strip().replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    if t.count(",") == 1 and "." not in t:
        t = t.replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", t):
        raise RuleError(column, f"{short(text)} är inget tal (väntat t.ex. 60.6209 eller 6720000)")
    return float(t)


def coordinates(a: float, b: float, kommun: str, tolerance_m: float, column: str | None,
                either_order: bool = False) -> tuple[str, float, float]:
    """``(system, lat, lon)`` of a coordinate pair in WGS 84 or SWEREF 99 TM (told by magnitude,
    :func:`~fcatlas.register.geocode.detect_system`) that lies in Sweden, in (or within
    ``tolerance_m`` of) the kommun."""
    try:
        system, lat, lon = detect_system(a, b, either_order=either_order)
        check_in_kommun(lat, lon, kommun, tolerance_m)
    except LocationError as exc:
        raise RuleError(column, str(exc)) from None
    return system, float(lat), float(lon)


# -- what ----------------------------------------------------------------------------------------


def status(text: str, column: str | None) -> Status:
    """A status as the import accepts it (``i drift``, ``i_drift``, ``planerad``, ``stängd`` …)."""
    st = str(text).strip()
    if not st:
        raise RuleError(column, "status saknas (i drift, planerad, avsiktsförklaring eller nedlagd)")
    found = STATUS_WORDS.get(fold(st))
    if found is None:
        raise RuleError(column, f"{short(st)} är ingen status (väntat i drift, planerad, avsiktsförklaring eller nedlagd)")
    return found


def category(text: str, column: str | None) -> Category:
    found = CATEGORY_WORDS.get(fold(str(text)))
    if found is None:
        raise RuleError(
            column,
            f"{short(str(text))} är ingen kategori (väntat familjecentral, familjecentralsliknande eller annan samverkan)",
        )
    return found


def status_date(text: str, column: str | None) -> str | None:
    """``ÅÅÅÅ-MM-DD``, ``ÅÅÅÅ-MM`` or ``ÅÅÅÅ`` with a plausible year (a time after a date is
    dropped); blank → None."""
    t = str(text).strip()
    if not t:
        return None
    for pattern, fmt in ((r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "%Y-%m-%d"), (r"[0-9]{4}-[0-9]{2}", "%Y-%m"),
                         (r"[0-9]{4}", "%Y")):
        if re.fullmatch(pattern, t):
            try:
                year = dt.datetime.strptime(t, fmt).year
            except ValueError:
                break
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise RuleError(column, f"{short(t)}: året ska ligga mellan {MIN_YEAR} och {MAX_YEAR}")
            return t
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+", t):
        try:  # the time must be a time too: 2026-01-01T25:99 is no date
            when = dt.datetime.fromisoformat(t)
        except ValueError:
            when = None
        if when is not None and MIN_YEAR <= when.year <= MAX_YEAR:
            return t[:10]
    raise RuleError(column, f"{short(t)} är inget datum (väntat ÅÅÅÅ-MM-DD, ÅÅÅÅ-MM eller ÅÅÅÅ)")


Services = dict[str, bool | None]


def classification(
    services: Services, co_located: bool | None, typ: Category | None, labels: Mapping[str, str],
) -> tuple[Category, Services, bool | None]:
    """Category, services and co-location of a unit, checked against each other.

    ``services`` maps ``mvc``/``bvc``/``of``/``soc`` to yes/no, or to ``None`` when the services
    are not given (then the category ``typ`` is needed, and implies what it can). With services,
    the category follows from them (:func:`fcatlas.domain.classify`) and a ``typ`` given must
    agree; without co-location the ``typ`` decides between the two possible categories.
    """
    if all(v is not None for v in services.values()):
        return _by_services({f: bool(v) for f, v in services.items()}, co_located, typ, labels)
    if typ is None:
        raise RuleError(labels.get("category"), "Typ saknas")
    certain, implied_co_located = implied_by(typ)
    if implied_co_located is not None:
        if co_located is False:
            raise RuleError(
                labels.get("co_located"),
                f"{CATEGORY_LABELS[typ].lower()} är per definition samlokaliserad; Samlokaliserad säger nej",
            )
        co_located = implied_co_located
    out: Services = {f: (True if SERVICE_FIELDS[f] in certain else services.get(f)) for f in SERVICE_FIELDS}
    return typ, out, co_located


def _by_services(services: dict[str, bool], co_located: bool | None, typ: Category | None,
                 labels: Mapping[str, str]) -> tuple[Category, Services, bool | None]:
    present = [SERVICE_FIELDS[f] for f in SERVICE_FIELDS if services[f]]
    try:
        if co_located is not None:
            found = classify(present, co_located)
            if typ is not None and typ != found:
                raise RuleError(
                    labels.get("category"),
                    f"Typ säger {typ.value} men tjänsterna och samlokaliseringen ger {found.value}",
                )
            return found, dict(services), co_located
        if typ is None:
            raise RuleError(labels.get("co_located"), "samlokaliserad ja/nej saknas; enheten kan inte klassificeras")
        together, apart = classify(present, True), classify(present, False)
    except NotACollaborationError as exc:
        raise RuleError(labels.get("bvc"), str(exc)) from None
    if typ not in (together, apart):
        raise RuleError(
            labels.get("category"),
            f"Typ säger {typ.value} men tjänsterna ger {together.value} (samlokaliserade) eller "
            f"{apart.value} (inte samlokaliserade)",
        )
    return typ, dict(services), (typ == together if together != apart else None)


# -- codes as people write them (for the faces' options) -----------------------------------------


def lan_code_of(text: str) -> str:
    """A län as people write it — ``18``, ``T``, ``Örebro``, ``Region Örebro län`` — as its code.

    >>> lan_code_of("Örebro"), lan_code_of("18"), lan_code_of("Region Jämtland Härjedalen")
    ('18', '18', '23')

    Raises :class:`~fcatlas.errors.CodeError` (Swedish message) when it names no län.
    """
    return codes.lan_code(text)


def status_of(text: str) -> Status:
    """A status as the import accepts it (``i drift``, ``i_drift``, ``planerad`` …).

    >>> status_of("i drift"), status_of("i_drift"), status_of("Avsiktsförklaring")
    (<Status.I_DRIFT: 'i_drift'>, <Status.I_DRIFT: 'i_drift'>, <Status.AVSIKTSFORKLARING: 'avsiktsforklaring'>)
    """
    st = STATUS_WORDS.get(fold(text))
    if st is None:
        raise CodeError(f"{short(str(text))} är ingen status (välj i drift, planerad, avsiktsförklaring eller nedlagd)")
    return st


def category_of(text: str) -> Category:
    """A category as the import accepts it (``familjecentral``, ``annan samverkan`` …)."""
    c = CATEGORY_WORDS.get(fold(text))
    if c is None:
        raise CodeError(
            f"{short(str(text))} är ingen kategori (välj familjecentral, familjecentralsliknande eller annan samverkan)"
        )
    return c


# -- a change of one unit ------------------------------------------------------------------------

#: Fields a person may change (public names: ``mvc`` … ``soc`` for the stored ``has_*``).
EDITABLE = frozenset({
    "name", "status", "status_date", "mvc", "bvc", "of", "soc", "co_located", "other_partners",
    "address", "postcode", "locality", "lat", "lon", "stated_accuracy", "note", "category",
    *GOVERNANCE_FIELDS,
})
_CLASSIFYING = ("mvc", "bvc", "of", "soc", "co_located", "category")


def check_edit(current: Mapping[str, Any], changes: Mapping[str, Any], *, user: str,
               tolerance_m: float = DEFAULT_TOLERANCE_M) -> dict[str, Any]:
    """The unit ``current`` (public names) with ``changes`` applied, checked by the rules of an
    import: text hygiene and lengths, a name, a known status and a plausible status date, a
    postcode, yes/no services and governance, the category agreeing with the services (changed
    services re-classify the unit), and new coordinates (WGS 84) inside the unit's kommun — they
    get precision ``exakt``. Messages name the field in Swedish (:data:`FIELD_LABELS`).

    Raises :class:`RuleError`.
    """
    unknown = set(changes) - EDITABLE
    if unknown:
        raise RuleError(None, f"fälten {', '.join(sorted(unknown))} kan inte ändras "
                              f"(tillåtna: {', '.join(sorted(EDITABLE))})")
    new = dict(current)
    new.update(changes)
    _edit_texts(new, changes)
    new["name"] = name(str(new["name"] or ""), FIELD_LABELS["name"])
    new["status"] = status(str(new["status"] or ""), FIELD_LABELS["status"]).value
    if "status_date" in changes:
        new["status_date"] = status_date(new["status_date"] or "", FIELD_LABELS["status_date"])
    if "postcode" in changes:
        new["postcode"] = postcode(new["postcode"] or "", FIELD_LABELS["postcode"])
    kommun_code(str(new["kommun_code"]), FIELD_LABELS["kommun_code"])
    for f in (*SERVICE_FIELDS, "co_located"):
        if f in changes:
            new[f] = yes_no(changes[f], FIELD_LABELS[f], None)
    for f in GOVERNANCE_FIELDS:
        if f in changes:
            new[f] = governance_value(changes[f], FIELD_LABELS[f])
    if any(k in changes for k in _CLASSIFYING):
        _edit_classification(new, changes)
    if "lat" in changes or "lon" in changes:
        _edit_position(new, user, tolerance_m)
    return new


def _edit_texts(new: dict[str, Any], changes: Mapping[str, Any]) -> None:
    for f in TEXT_FIELDS:
        if f not in changes or changes[f] is None:
            continue
        if not isinstance(changes[f], str):
            raise RuleError(FIELD_LABELS[f], "ska vara text")
        check_text(f, changes[f], FIELD_LABELS[f])
        new[f] = changes[f].strip() or None


def _edit_classification(new: dict[str, Any], changes: Mapping[str, Any]) -> None:
    services_changed = any(k in changes for k in (*SERVICE_FIELDS, "co_located"))
    typ: Category | None = None
    if "category" in changes:
        typ = category(str(changes["category"] or ""), FIELD_LABELS["category"])
    elif not services_changed and new.get("category"):
        typ = category(str(new["category"]), FIELD_LABELS["category"])
    services: Services = {f: new.get(f) for f in SERVICE_FIELDS}
    unknown = [f for f, v in services.items() if v is None]
    if services_changed and unknown:
        raise RuleError(FIELD_LABELS[unknown[0]], "alla fyra tjänster (ja eller nej) behövs för att klassificera enheten")
    found, services, co_located = classification(services, new.get("co_located"), typ, FIELD_LABELS)
    new.update(services)
    new["co_located"] = co_located
    new["category"] = found.value


def _edit_position(new: dict[str, Any], user: str, tolerance_m: float) -> None:
    column = f"{FIELD_LABELS['lat']}/{FIELD_LABELS['lon']}"
    values = []
    for f in ("lat", "lon"):
        v = new.get(f)
        if isinstance(v, str):
            values.append(number(v, FIELD_LABELS[f]))
        elif isinstance(v, int | float) and not isinstance(v, bool):
            values.append(float(v))
        else:
            raise RuleError(FIELD_LABELS[f], "ska vara ett tal (WGS 84, t.ex. 60.6209 och 15.6227)")
    system, lat, lon = coordinates(values[0], values[1], str(new["kommun_code"]), tolerance_m, column)
    new["lat"], new["lon"], new["precision"] = lat, lon, "exakt"
    new["source_coordinates"] = f"{system}: {values[0]}; {values[1]} (ändrat av {user})"
