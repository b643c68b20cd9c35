"""The bundle: read-only reference geography in one versioned directory.

Layout (all tables keyed by SCB codes, geometries in SWEREF 99 TM, EPSG:3006)::

    manifest.json        sources, vintages, row counts, checksums, estimation shares
    lan.parquet          GeoParquet: lan_code, lan_name, geometry
    kommun.parquet       GeoParquet: kommun_code, kommun_name, lan_code, geometry
    regso.parquet        regso_code, name, kommun_code, kommun_name, lan_code, lan_name
    deso.parquet         deso_code, regso_code, kommun_code, lan_code
    regso_years.parquet  regso_code, year, omradestyp, population, children_0_6,
                         children_0_6_estimated, women_16_54
    deso_years.parquet   deso_code, year, population, children_0_6, children_0_6_estimated,
                         women_16_54
    regso_geom.parquet   GeoParquet: regso_code, geometry (only areas with known boundaries)
    deso_geom.parquet    GeoParquet: deso_code, geometry

Use :meth:`Bundle.open` and :meth:`Bundle.areas`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import pandas as pd

from fcatlas.errors import BundleError, ConfigError
from fcatlas.geography.codes import validate

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLES = (
    "lan",
    "kommun",
    "regso",
    "deso",
    "regso_years",
    "deso_years",
    "regso_geom",
    "deso_geom",
)
GEO_TABLES = {"lan", "kommun", "regso_geom", "deso_geom"}

AreaLevel = Literal["regso", "deso"]

#: Columns of :meth:`Bundle.areas` (``regso_code`` becomes ``deso_code`` + ``regso_code`` on DeSO).
AREA_COLUMNS = [
    "name",
    "kommun_code",
    "kommun_name",
    "lan_code",
    "lan_name",
    "year",
    "omradestyp",
    "population",
    "children_0_6",
    "children_0_6_estimated",
    "women_16_54",
]


def division_name(division: object) -> str:
    """The manifest's ``division`` entry in words.

    >>> division_name({"deso": 2025, "regso": 2025})
    'DeSO 2025 / RegSO 2025'
    """
    d = division if isinstance(division, dict) else {}
    if d.get("deso") == "syntetisk":
        return "syntetisk indelning"
    return f"DeSO {d.get('deso', 2018)} / RegSO {d.get('regso', 2020)}"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Bundle:
    """An opened bundle directory. Tables are read lazily and cached."""

    path: Path
    manifest: dict[str, Any]

    @classmethod
    def open(cls, path: str | Path, verify: bool = False) -> Bundle:
        """Open a bundle; ``verify=True`` also checks every table's checksum."""
        p = Path(path)
        mf = p / MANIFEST
        if not p.is_dir():
            raise BundleError(f"datapaketet {p} finns inte (bygg det med 'fcatlas data build' eller 'fcatlas demo')")
        if not mf.is_file():
            raise BundleError(f"{p} är inget datapaket: {MANIFEST} saknas")
        try:
            manifest = json.loads(mf.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise BundleError(f"{mf}: trasig JSON ({exc})") from exc
        if manifest.get("format_version") != FORMAT_VERSION:
            raise BundleError(
                f"{mf}: formatversion {manifest.get('format_version')!r} stöds inte (väntat {FORMAT_VERSION}); "
                "bygg om paketet med denna version av fcatlas"
            )
        b = cls(p, manifest)
        for name in TABLES:
            info = manifest.get("tables", {}).get(name)
            if info is None or not (p / info["file"]).is_file():
                raise BundleError(f"datapaketet {p} är ofullständigt: tabellen {name} saknas")
            if verify and sha256(p / info["file"]) != info["sha256"]:
                raise BundleError(f"datapaketet {p}: kontrollsumman för {info['file']} stämmer inte")
        return b

    # -- raw tables ---------------------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        """One table as stored (GeoDataFrame for geometry tables)."""
        return self._tables[name].copy()

    @cached_property
    def _tables(self) -> dict[str, pd.DataFrame]:
        out: dict[str, pd.DataFrame] = {}
        for name in TABLES:
            f = self.path / self.manifest["tables"][name]["file"]
            out[name] = gpd.read_parquet(f) if name in GEO_TABLES else pd.read_parquet(f)
        return out

    # -- facts --------------------------------------------------------------------------------
    @property
    def synthetic(self) -> bool:
        return bool(self.manifest.get("synthetic"))

    @property
    def division(self) -> int:
        """The bundle's division: 2018 (DeSO 2018 / RegSO 2020) or 2025 (DeSO 2025 / RegSO 2025).
        A bundle without the entry, or a synthetic one, is on the 2018 division's code shapes."""
        raw = (self.manifest.get("division") or {}).get("deso")
        return 2025 if raw == 2025 else 2018

    @property
    def division_name(self) -> str:
        """``"DeSO 2018 / RegSO 2020"`` or ``"DeSO 2025 / RegSO 2025"`` (``syntetisk`` for a demo)."""
        return division_name(self.manifest.get("division"))

    @property
    def label(self) -> str:
        return str(self.manifest.get("label", ""))

    @property
    def years(self) -> list[int]:
        """Years with områdestyp (the vintages ``areas(year=…)`` accepts)."""
        return [int(y) for y in self.manifest.get("years", {}).get("omradestyp", [])]

    @property
    def incomplete_years(self) -> dict[int, dict[str, Any]]:
        """Years whose områdestyp file did not cover every RegSO (built with --tillat-ofullstandig)."""
        raw = self.manifest.get("incomplete_omradestyp") or {}
        return {int(y): dict(v) for y, v in raw.items()} if isinstance(raw, dict) else {}

    def incomplete_note(self, year: int) -> str | None:
        """A Swedish note when ``year``'s områdestyp is incomplete, else ``None``."""
        info = self.incomplete_years.get(int(year))
        if info is None:
            return None
        return (f"Områdestyp {year} är ofullständig i datapaketet: {info.get('missing')} av {info.get('of')} RegSO "
                f"saknas i {info.get('file')} (byggt med --tillat-ofullstandig); resultaten för {year} är inte "
                "fullständiga.")

    @property
    def latest_year(self) -> int:
        if not self.years:
            raise BundleError(f"datapaketet {self.path} saknar områdestyp")
        return max(self.years)

    def check_year(self, year: int | None) -> int:
        """``year`` if the bundle has it (default: latest), else a Swedish error listing the years."""
        if year is None:
            return self.latest_year
        if year not in self.years:
            pop_years = [int(y) for y in self.manifest.get("years", {}).get("population", [])]
            also = (
                f" (folkmängd finns för {year}, men inte områdestyp)" if year in pop_years else ""
            )
            raise ConfigError(
                f"året {year} finns inte i datapaketet{also}; tillgängliga år: "
                + ", ".join(str(y) for y in sorted(self.years))
            )
        return year

    def omradestyp_by_year(self) -> pd.DataFrame:
        """Long table ``regso_code, year, omradestyp`` for every year."""
        t = self._tables["regso_years"]
        return t.loc[t["omradestyp"].notna(), ["regso_code", "year", "omradestyp"]].copy()

    # -- the main accessor --------------------------------------------------------------------
    def areas(
        self,
        level: AreaLevel = "regso",
        year: int | None = None,
        lan: str | Iterable[str] | None = None,
        kommun: str | Iterable[str] | None = None,
        omradestyp: Iterable[int] | None = None,
    ) -> pd.DataFrame:
        """One row per area with its attributes for ``year`` (default: the latest).

        Columns: ``regso_code`` (and ``deso_code`` first on DeSO level), then
        :data:`AREA_COLUMNS`. DeSO inherit the områdestyp of their RegSO (SCB sets it per RegSO).
        Counts are nullable integers; ``children_0_6_estimated`` is True where the child count is
        an estimate from population × the share in the manifest.

        A year without områdestyp, a län or kommun code the bundle does not know, a kommun
        outside the given län, or an empty list of types is a :class:`ConfigError` (never an
        empty table).
        """
        y = self.check_year(year)
        regso = self._tables["regso"]
        ry = self._tables["regso_years"]
        ry = ry.loc[ry["year"] == y].drop(columns="year")
        if level == "regso":
            df = regso.merge(ry, on="regso_code", how="left")
            df.insert(0, "year", y)
            cols = ["regso_code", *AREA_COLUMNS]
        elif level == "deso":
            deso = self._tables["deso"]
            dy = self._tables["deso_years"]
            dy = dy.loc[dy["year"] == y].drop(columns="year")
            df = deso.merge(
                regso[["regso_code", "name", "kommun_name", "lan_name"]], on="regso_code", how="left"
            )
            df = df.merge(ry[["regso_code", "omradestyp"]], on="regso_code", how="left")
            df = df.merge(dy, on="deso_code", how="left")
            df["children_0_6_estimated"] = df["children_0_6_estimated"].astype("boolean").fillna(False).astype(bool)
            df["year"] = y
            cols = ["deso_code", "regso_code", *AREA_COLUMNS]
        else:
            raise ConfigError(f"okänd nivå {level!r}; välj regso eller deso")
        df = df[cols]
        lan_codes = self._known_codes("lan", lan)
        if lan_codes is not None:
            df = df.loc[df["lan_code"].isin(lan_codes)]
        kommun_codes = self._known_codes("kommun", kommun)
        if kommun_codes is not None:
            if lan_codes is not None:
                outside = [c for c in kommun_codes if c[:2] not in lan_codes]
                if outside:
                    raise ConfigError(
                        f"kommun {', '.join(outside)} ligger inte i län {', '.join(lan_codes)}; "
                        "ange bara kommunen eller ett län den ligger i"
                    )
            df = df.loc[df["kommun_code"].isin(kommun_codes)]
        if omradestyp is not None:
            types = [int(t) for t in omradestyp]
            bad = [t for t in types if t not in (1, 2, 3, 4, 5)]
            if bad or not types:
                raise ConfigError(f"områdestyp ska vara 1–5, fick {bad or 'ingen'}")
            df = df.loc[df["omradestyp"].isin(types)]
        return df.sort_values(cols[0]).reset_index(drop=True)

    def _known_codes(self, level: Literal["lan", "kommun"], given: str | Iterable[str] | None) -> list[str] | None:
        """``given`` as a list of well-formed codes that exist in the bundle, else a Swedish error."""
        if given is None:
            return None
        codes = [validate(level, c) for c in ([given] if isinstance(given, str) else given)]
        known = set(self._tables[level][f"{level}_code"])
        unknown = [c for c in codes if c not in known]
        if unknown:
            what = {"lan": "länskoden", "kommun": "kommunkoden"}[level]
            among = {"lan": "Sveriges 21 län", "kommun": "Sveriges 290 kommuner"}[level]
            raise ConfigError(f"{what} {', '.join(unknown)} finns inte bland {among}")
        return codes

    def geometries(self, level: Literal["lan", "kommun", "regso", "deso"]) -> gpd.GeoDataFrame:
        """Boundaries in EPSG:3006; RegSO/DeSO only where the bundle has them."""
        name = {"lan": "lan", "kommun": "kommun", "regso": "regso_geom", "deso": "deso_geom"}[level]
        return self._tables[name].copy()

    def kommuner(self) -> pd.DataFrame:
        """Kommun codes, names and län codes (no geometry)."""
        return pd.DataFrame(self._tables["kommun"].drop(columns="geometry"))

    def lan_table(self) -> pd.DataFrame:
        return pd.DataFrame(self._tables["lan"].drop(columns="geometry"))
