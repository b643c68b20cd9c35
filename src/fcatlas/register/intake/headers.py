"""Headers of a region's list: the Swedish names (and their tolerant aliases) of every field,
which column holds which field, and what to do when the header is not understood."""

from __future__ import annotations

from collections.abc import Iterable

from fcatlas.errors import InputFileError
from fcatlas.register.rules import FIELD_LABELS, SERVICE_FIELDS
from fcatlas.tables import RawTable, fold

# field -> header aliases (folded)
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "enhetsid", "enhetid"),
    "name": ("namn", "enhet", "enhetsnamn", "enhetensnamn", "verksamhet", "verksamhetsnamn", "verksamhetensnamn",
             "familjecentral", "familjecentralensnamn", "namnpaenheten", "namnpaverksamheten", "name"),
    "kommun_name": ("kommun", "kommunnamn", "kommunname"),
    "kommun_code": ("kommunkod", "kommunnr", "kommunnummer", "kommuncode"),
    "lan": ("lan", "lanskod", "lanscode", "lancode", "lankod"),
    "lan_name": ("lannamn", "lanname", "region"),
    "address": ("adress", "besoksadress", "gatuadress", "address"),
    "postcode": ("postnummer", "postnr", "postcode"),
    "locality": ("ort", "postort", "locality"),
    "mvc": ("mvc", "bmm", "mvcbmm", "modrahalsovard", "barnmorskemottagning"),
    "bvc": ("bvc", "barnhalsovard", "barnavardscentral"),
    "of": ("of", "oppenforskola", "oppnaforskolan"),
    "soc": ("soc", "socialtjanst", "socialtjansten", "socialtjanstforebyggande"),
    "co_located": ("samlokaliserad", "samlokalisering", "samlokaliserade", "colocated"),
    "category": ("typ", "kategori", "category", "verksamhetstyp"),
    "other_partners": ("ovrigasamverkanspartner", "ovrigapartner", "andraparter", "otherpartners"),
    "status": ("status",),
    "status_date": ("statusdatum", "datum", "startdatum", "statusdate"),
    "coord_a": ("latitud", "lat", "latitude", "nord", "northing", "n", "sweref99n", "sweref99tmn"),
    "coord_b": ("longitud", "lon", "long", "lng", "longitude", "ost", "easting", "e", "sweref99e",
                "sweref99tme"),
    "coord_x": ("x",),
    "coord_y": ("y",),
    "stated_accuracy": ("koordinatnoggrannhet", "noggrannhet", "lagesnoggrannhet", "statedaccuracy"),
    "precision": ("precision", "lagesprecision"),
    "note": ("anmarkning", "kommentar", "ovrigt", "notering", "note"),
    # governance (optional; ja/nej/okänt)
    "gov_steering_group": ("styrgrupp", "ledningsgrupp", "styrgruppledningsgrupp", "ledningsstyrgrupp",
                           "styrellerledningsgrupp", "ledningsellerstyrgrupp", "govsteeringgroup"),
    "gov_coordinator": ("samordnare", "koordinator", "samordnarekoordinator", "govcoordinator"),
    "gov_written_agreement": ("skriftligtsamverkansavtal", "samverkansavtal", "skriftligtavtal",
                              "govwrittenagreement"),
    "gov_joint_plan": ("gemensamverksamhetsplan", "verksamhetsplan", "govjointplan"),
    "gov_joint_followup": ("gemensamuppfoljning", "uppfoljning", "govjointfollowup"),
    "gov_joint_meetings": ("gemensammamotenforallaaktorer", "gemensammamotenforsamtligaaktorer",
                           "gemensammamoten", "motenforallaaktorer", "govjointmeetings"),
}
#: Columns of our own export that carry nothing to import.
IGNORED = frozenset({"round", "firstround", "version", "sourcecoordinates", "omgang", "statusreason",
                     "orsaktillstatus"})
_ALIAS_TO_FIELD = {alias: f for f, aliases in ALIASES.items() for alias in aliases}


def header_like(cells: Iterable[str]) -> bool:
    """A row that names a unit column and a kommun column, i.e. a header row."""
    found = {_ALIAS_TO_FIELD.get(fold(c)) for c in cells}
    return "name" in found and bool(found & {"kommun_code", "kommun_name"})


def map_headers(table: RawTable) -> tuple[dict[str, int], list[str]]:
    """field -> column index, and the headers that were not understood (ignored)."""
    mapping: dict[str, int] = {}
    unknown: list[str] = []
    for i, h in enumerate(table.headers):
        key = fold(h)
        f = _ALIAS_TO_FIELD.get(key)
        if f is None:
            if key not in IGNORED:
                unknown.append(h)
            continue
        if f in mapping:
            raise InputFileError(
                table.file,
                f"kolumnerna {table.headers[mapping[f]]!r} och {h!r} betyder samma sak "
                f"({FIELD_LABELS[f]}); ta bort den ena",
                row=table.header_row,
                column=h,
            )
        mapping[f] = i
    _check_mapping(table, mapping)
    return mapping, unknown


def _check_mapping(table: RawTable, mapping: dict[str, int]) -> None:
    """The columns a list needs: a name, a kommun, the services (or a Typ), one coordinate pair."""
    p, row = table.file, table.header_row
    if "name" not in mapping:
        raise InputFileError(p, "kolumnen Namn saknas (enhetens namn). " + header_help(table, "name"), row=row)
    if "kommun_code" not in mapping and "kommun_name" not in mapping:
        raise InputFileError(p, "kolumnen Kommunkod eller Kommun saknas. " + header_help(table, "kommun_name"),
                             row=row)
    services = [f for f in SERVICE_FIELDS if f in mapping]
    if services and len(services) < 4:
        missing = ", ".join(FIELD_LABELS[f] for f in SERVICE_FIELDS if f not in mapping)
        raise InputFileError(p, f"tjänstekolumner saknas: {missing} (alla fyra behövs, eller en kolumn Typ)", row=row)
    if not services and "category" not in mapping:
        raise InputFileError(
            p,
            "kolumner för tjänsterna (MVC, BVC, Öppen förskola, Socialtjänst och Samlokaliserad) eller en "
            "kolumn Typ med kategorin saknas",
            row=row,
        )
    if services and "co_located" not in mapping and "category" not in mapping:
        raise InputFileError(
            p, "kolumnen Samlokaliserad saknas; utan den (eller en kolumn Typ) kan enheterna inte "
            "klassificeras", row=row,
        )
    has_ab = "coord_a" in mapping or "coord_b" in mapping
    has_xy = "coord_x" in mapping or "coord_y" in mapping
    if has_ab and has_xy:
        raise InputFileError(p, "både Latitud/Longitud och X/Y finns; behåll ett par", row=row)
    for a, b in (("coord_a", "coord_b"), ("coord_x", "coord_y")):
        if (a in mapping) != (b in mapping):
            have = a if a in mapping else b
            raise InputFileError(
                p, f"kolumnen {table.headers[mapping[have]]!r} finns men inte dess par "
                f"({FIELD_LABELS[b if have == a else a]})", row=row,
            )


_KNOWN_FOR = {
    "name": "Namn, Enhet, Enhetens namn, Verksamhetens namn, Familjecentral",
    "kommun_name": "Kommun, Kommunnamn, Kommunkod",
}


def _known_score(cells: Iterable[str]) -> int:
    """How many cells of a row are (or closely resemble) known column names."""
    from difflib import get_close_matches

    n = 0
    for c in cells:
        k = fold(c)
        if k and (k in _ALIAS_TO_FIELD or get_close_matches(k, list(_ALIAS_TO_FIELD), n=1, cutoff=0.8)):
            n += 1
    return n


def header_help(table: RawTable, wanted: str) -> str:
    """What to do when the header is not understood: which row looks like the header, which
    columns were found, the nearest known names, and ``--rubrikrad N``."""
    from difflib import get_close_matches

    parts: list[str] = []
    found = [h for h in table.headers if h.strip()]
    shown = ", ".join(repr(h) for h in found[:12]) + (" …" if len(found) > 12 else "")
    parts.append(f"Rubrikraden lästes från rad {table.header_row}: {shown or 'inga kolumner'}.")
    others = [(n, cells) for n, cells in table.top if n != table.header_row]
    best = max(others, key=lambda r: _known_score(r[1]), default=None)
    if best is not None and _known_score(best[1]) > _known_score(table.headers):
        cols = ", ".join(repr(c) for c in best[1][:8] if c.strip())
        parts.append(f"Rad {best[0]} ser ut som rubrikraden ({cols}); läs filen med --rubrikrad {best[0]}.")
    near = []
    for h in found:
        k = fold(h)
        if k in _ALIAS_TO_FIELD:
            continue
        m = get_close_matches(k, list(_ALIAS_TO_FIELD), n=1, cutoff=0.6)
        if m:
            near.append(f"{h!r} liknar {FIELD_LABELS[_ALIAS_TO_FIELD[m[0]]]}")
    if near:
        parts.append("Närmaste kända namn: " + "; ".join(near[:6]) + ".")
    parts.append(f"Kända namn för kolumnen: {_KNOWN_FOR[wanted]}. Byt namn på kolumnen, eller ange vilken rad "
                 "rubrikerna står på med --rubrikrad N.")
    return " ".join(parts)
