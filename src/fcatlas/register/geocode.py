"""Offline geocoding of register units and validation of given coordinates.

Precision recorded per unit (see :data:`PRECISIONS`):

* ``exakt`` — the file gave coordinates (WGS 84 or SWEREF 99 TM, detected by magnitude);
* ``postnummer`` — the centroid of the unit's postal code (GeoNames ``SE.txt``);
* ``ort`` — GeoNames gives the postal code only its locality's point, shared with many other
  postal codes (all 176 Örebro codes sit on one coordinate): the place, not the postal code;
* ``kommun`` — a point of the kommun (its centroid, or a point guaranteed inside the kommun
  when the centroid falls outside, e.g. for archipelago shapes).

Given coordinates are validated: inside Sweden and inside the stated kommun or within a
tolerance of it (default 2 km, a parameter). Postal-code centroids farther than the tolerance
from the stated kommun are not used (the unit falls back to the kommun point with a warning).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from fcatlas.geography import admin
from fcatlas.geography.sources import postcodes as pc

PRECISIONS = ("exakt", "postnummer", "ort", "kommun")
#: A GeoNames point shared by at least this many postal codes is a locality's point (``ort``).
SHARED_POINT_MIN = 2
#: Precision of a position found by a plugged-in online address geocoder (off by default, so it
#: never occurs unless one is passed to :class:`Geocoder`).
PRECISION_ADDRESS = "adress"

#: An optional online address geocoder: ``(address, postcode, locality, kommun_code) -> (lat, lon)``
#: or ``None``. fcatlas ships none; tests and offline use never need one.
AddressGeocoder = Callable[[str, str | None, str | None, str], tuple[float, float] | None]
DEFAULT_TOLERANCE_M = 2000.0

#: WGS 84 and SWEREF 99 TM value ranges that cover Sweden (with a margin); they do not overlap,
#: so the magnitude of a pair tells the system and the order.
WGS84_LAT = (55.0, 69.2)
WGS84_LON = (10.5, 24.3)
SWEREF_N = (6_100_000.0, 7_700_000.0)
SWEREF_E = (250_000.0, 930_000.0)

_TO_WGS84 = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)
_TO_SWEREF = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)


class LocationError(ValueError):
    """A position could not be accepted; ``str()`` is the Swedish reason."""


def to_sweref(lat: float, lon: float) -> tuple[float, float]:
    """(easting, northing) in EPSG:3006."""
    e, n = _TO_SWEREF.transform(lon, lat)
    return float(e), float(n)


def to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """(lat, lon) in WGS 84."""
    lon, lat = _TO_WGS84.transform(easting, northing)
    return float(lat), float(lon)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in metres (in SWEREF 99 TM) between two WGS 84 points."""
    e1, n1 = to_sweref(lat1, lon1)
    e2, n2 = to_sweref(lat2, lon2)
    return float(np.hypot(e1 - e2, n1 - n2))


def _in(v: float, r: tuple[float, float]) -> bool:
    return r[0] <= v <= r[1]


def detect_system(a: float, b: float, either_order: bool = False) -> tuple[str, float, float]:
    """Tell WGS 84 from SWEREF 99 TM by magnitude.

    ``a`` is the value of the latitude/northing column, ``b`` of the longitude/easting column.
    With ``either_order`` (columns named X/Y, whose order differs between traditions) the pair
    is accepted in both orders. Returns ``(system, lat, lon)`` with ``system`` ``"WGS 84"`` or
    ``"SWEREF 99 TM"``.

    >>> detect_system(60.6, 15.6)[0]
    'WGS 84'
    >>> detect_system(6_720_000, 540_000)[0]
    'SWEREF 99 TM'
    """
    if _in(a, WGS84_LAT) and _in(b, WGS84_LON):
        return "WGS 84", a, b
    if _in(a, SWEREF_N) and _in(b, SWEREF_E):
        lat, lon = to_wgs84(b, a)
        return "SWEREF 99 TM", lat, lon
    if _in(b, WGS84_LAT) and _in(a, WGS84_LON):
        if either_order:
            return "WGS 84", b, a
        raise LocationError(
            f"koordinaterna ({a}, {b}) ser ut att stå i omvänd ordning: latitud (55–69) ska stå i "
            "latitudkolumnen och longitud (10–24) i longitudkolumnen"
        )
    if _in(b, SWEREF_N) and _in(a, SWEREF_E):
        if either_order:
            lat, lon = to_wgs84(a, b)
            return "SWEREF 99 TM", lat, lon
        raise LocationError(
            f"koordinaterna ({a}, {b}) ser ut att stå i omvänd ordning: northing (N, 6–7 miljoner) ska "
            "stå i den norra kolumnen och easting (E) i den östra"
        )
    raise LocationError(
        f"koordinaterna ({a}, {b}) ligger inte i Sverige, varken som WGS 84 (latitud 55–69, longitud "
        "10–24) eller som SWEREF 99 TM (N 6 100 000–7 700 000, E 250 000–930 000)"
    )


@lru_cache(maxsize=1)
def _kommun_index() -> tuple[dict[str, shapely.Geometry], dict[str, tuple[float, float]], shapely.STRtree,
                             list[str], dict[str, str]]:
    k = admin.kommuner()  # EPSG:3006
    geoms: dict[str, shapely.Geometry] = {}
    points: dict[str, tuple[float, float]] = {}
    names: dict[str, str] = {}
    for code, name, geom in zip(k["kommun_code"], k["kommun_name"], k.geometry, strict=True):
        shapely.prepare(geom)
        geoms[str(code)] = geom
        names[str(code)] = str(name)
        c = geom.centroid
        if not geom.contains(c):
            c = geom.point_on_surface()
        points[str(code)] = to_wgs84(c.x, c.y)
    codes = list(geoms)
    tree = shapely.STRtree([geoms[c] for c in codes])
    return geoms, points, tree, codes, names


def kommun_point(kommun_code: str) -> tuple[float, float]:
    """(lat, lon) of the kommun's centroid (or a point inside it when the centroid is outside)."""
    return _kommun_index()[1][kommun_code]


def kommun_at(lat: float, lon: float) -> str | None:
    """The kommun code containing the point, or ``None`` (outside every kommun)."""
    geoms, _, tree, codes, _ = _kommun_index()
    e, n = to_sweref(lat, lon)
    hits = tree.query(shapely.Point(e, n), predicate="intersects")
    return codes[int(hits[0])] if len(hits) else None


def check_in_kommun(lat: float, lon: float, kommun_code: str, tolerance_m: float = DEFAULT_TOLERANCE_M) -> float:
    """Raise :class:`LocationError` unless the point is inside ``kommun_code`` or within
    ``tolerance_m`` metres of it; returns the distance to the kommun (0 inside)."""
    geoms, _, _, _, names = _kommun_index()
    geom = geoms[kommun_code]
    e, n = to_sweref(lat, lon)
    if shapely.contains_xy(geom, e, n):
        return 0.0
    d = float(shapely.distance(geom, shapely.Point(e, n)))
    if d <= tolerance_m:
        return d
    other = kommun_at(lat, lon)
    where = f"i {names[other]} kommun" if other else "utanför Sveriges kommuner (i havet eller utomlands)"
    raise LocationError(
        f"läget ({lat:.6f}, {lon:.6f}) ligger {where}, {d / 1000:.1f} km från {names[kommun_code]} kommun "
        f"(tolerans {tolerance_m / 1000:g} km)"
    )


@dataclass
class Location:
    lat: float
    lon: float
    precision: str
    warnings: list[str] = field(default_factory=list)


class Geocoder:
    """Places units without coordinates: postal-code centroid, else a kommun point.

    Parameters
    ----------
    postcodes : DataFrame, optional
        :func:`fcatlas.geography.sources.postcodes.read_geonames` output. Without it every unit
        without coordinates gets its kommun point.
    postal_kommun : DataFrame, optional
        :func:`~fcatlas.geography.sources.postcodes.read_postal_to_municipality` output, used to
        warn when a postal code belongs to another kommun.
    tolerance_m : float
        How far outside the stated kommun a position may lie (metres).
    online : callable, optional
        An address geocoder tried first for units with an address (precision ``adress``); off by
        default. Its answers are validated against the kommun like given coordinates; failures
        become warnings and the offline steps follow.
    """

    def __init__(
        self,
        postcodes: pd.DataFrame | None = None,
        postal_kommun: pd.DataFrame | None = None,
        tolerance_m: float = DEFAULT_TOLERANCE_M,
        online: AddressGeocoder | None = None,
    ) -> None:
        self.tolerance_m = float(tolerance_m)
        self.online = online
        self._pc: dict[str, tuple[float, float]] = {}
        if postcodes is not None:
            self._pc = {
                str(c): (float(la), float(lo))
                for c, la, lo in zip(postcodes["postal_code"], postcodes["lat"], postcodes["lon"], strict=True)
            }
        # points GeoNames gives to many postal codes: a locality's point, not the postal code's
        counts: dict[tuple[float, float], int] = {}
        for la, lo in self._pc.values():
            k = (round(la, 4), round(lo, 4))
            counts[k] = counts.get(k, 0) + 1
        self._shared = {k: n for k, n in counts.items() if n >= SHARED_POINT_MIN}
        self._pk: dict[str, str] = {}
        if postal_kommun is not None:
            self._pk = dict(zip(postal_kommun["postal_code"], postal_kommun["kommun_code"], strict=True))
        self.source = "GeoNames (CC BY 4.0)" if self._pc else None

    @classmethod
    def from_path(cls, path: str | Path | None, tolerance_m: float = DEFAULT_TOLERANCE_M) -> Geocoder:
        """From ``SE.txt`` or a folder holding it (``None``: kommun points only)."""
        if path is None:
            return cls(tolerance_m=tolerance_m)
        geo, pm = pc.find_postcode_files(path)
        return cls(
            pc.read_geonames(geo) if geo else None,
            pc.read_postal_to_municipality(pm) if pm else None,
            tolerance_m=tolerance_m,
        )

    @property
    def has_postcodes(self) -> bool:
        return bool(self._pc)

    def locate(
        self, kommun_code: str, postcode: str | None, address: str | None = None, locality: str | None = None
    ) -> Location:
        """Online address position (only with ``online``), else the postal-code centroid
        (``postnummer``) when known and near the kommun, else the kommun point (``kommun``)."""
        warnings: list[str] = []
        if self.online is not None and address:
            try:
                hit_online = self.online(address, postcode, locality, kommun_code)
            except Exception as exc:  # a plugged-in service may fail in any way
                warnings.append(f"adressen kunde inte slås upp ({type(exc).__name__}: {exc})")
                hit_online = None
            if hit_online is not None:
                try:
                    lat, lon = float(hit_online[0]), float(hit_online[1])
                    check_in_kommun(lat, lon, kommun_code, self.tolerance_m)
                except (LocationError, TypeError, ValueError, KeyError) as exc:
                    warnings.append(f"adressens läge används inte: {exc}")
                else:
                    return Location(lat, lon, PRECISION_ADDRESS, warnings)
        if postcode and self._pc:
            other = self._pk.get(postcode)
            if other and other != kommun_code:
                warnings.append(
                    f"postnumret {postcode[:3]} {postcode[3:]} hör enligt postnummerregistret till kommun "
                    f"{other}, inte {kommun_code}"
                )
            hit = self._pc.get(postcode)
            if hit is None:
                warnings.append(
                    f"postnumret {postcode[:3]} {postcode[3:]} finns inte i GeoNames-filen; kommunens "
                    "mittpunkt används"
                )
            else:
                try:
                    check_in_kommun(hit[0], hit[1], kommun_code, self.tolerance_m)
                except LocationError as exc:
                    warnings.append(f"postnumrets mittpunkt används inte: {exc}; kommunens mittpunkt används")
                else:
                    n = self._shared.get((round(hit[0], 4), round(hit[1], 4)))
                    if n:
                        warnings.append(
                            f"postnumret {postcode[:3]} {postcode[3:]} har i GeoNames samma punkt som {n - 1} andra "
                            "postnummer (ortens mitt); läget är ungefärligt (precision 'ort')"
                        )
                        return Location(hit[0], hit[1], "ort", warnings)
                    return Location(hit[0], hit[1], "postnummer", warnings)
        lat, lon = kommun_point(kommun_code)
        why = ("inga koordinater och inget postnummer" if not postcode
               else "inga koordinater och postnumret kunde inte användas" if self._pc
               else "inga koordinater och ingen postnummerfil (--postnummer)")
        warnings.append(f"enheten placeras i kommunens mittpunkt ({why}); den kan inte kopplas till ett område "
                        "— ange koordinater eller postnummer")
        return Location(lat, lon, "kommun", warnings)
