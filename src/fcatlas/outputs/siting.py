"""Write a siting run from the bundle: ranked table (CSV), Excel file, map and JSON.

Rendering only: the sites are chosen by :mod:`fcatlas.analysis.siting`; the map reuses the
atlas's län map (:func:`fcatlas.outputs.atlas.map_layers`) with the proposed sites and the
newly covered areas drawn on top; the Excel file follows the atlas's conventions (autofilter,
frozen header, text never a formula).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from fcatlas.analysis.atlas import AtlasResult
from fcatlas.analysis.siting import SitingResult
from fcatlas.outputs.atlas import map_layers
from fcatlas.outputs.excel import Col, _Writer
from fcatlas.outputs.maps import draw_map

SHEET_SITES = "Förslag"
SHEET_AREAS = "Områden"
SHEET_CURVE = "Marginalnytta"

#: Columns of ``lokalisering.csv`` (the contract), in order.
SITES_CSV_COLUMNS = [
    "rank", "site_id", "site_name", "kommun_code", "kommun_name", "gain", "children_0_6_gain",
    "areas", "area_names", "lat", "lon",
]
SITE_COLS = [
    Col("rank", "Rang", "int"),
    Col("site_id", "Plats, id", "code"),
    Col("site_name", "Plats"),
    Col("kommun_code", "Kommunkod", "code"),
    Col("kommun_name", "Kommun"),
    Col("gain", "Tillförd vikt", "km"),
    Col("children_0_6_gain", "Barn 0–6 år som når en familjecentral (nytt)", "int"),
    Col("areas", "Områden inom räckhåll (nytt), koder", "code"),
    Col("area_names", "Områden inom räckhåll (nytt)"),
    Col("lat", "Latitud", "float"),
    Col("lon", "Longitud", "float"),
]
AREA_COLS = [
    Col("regso_code", "RegSO-kod", "code"),
    Col("name", "Område"),
    Col("kommun_code", "Kommunkod", "code"),
    Col("kommun_name", "Kommun"),
    Col("omradestyp", "Områdestyp", "int"),
    Col("exclusion", "Utanförskapsområde", "bool"),
    Col("children_0_6", "Barn 0–6 år", "int"),
    Col("weight", "Vikt", "km"),
    Col("reach_km", "Räckvidd (km)", "km"),
    Col("covered", "Inom räckhåll i dag", "bool"),
    Col("covered_after", "Inom räckhåll med förslaget", "bool"),
    Col("new_site", "Når genom föreslagen plats"),
]
CURVE_COLS = [
    Col("p", "Antal nya platser", "int"),
    Col("covered_weight", "Täckt vikt", "km"),
    Col("share", "Andel täckt", "share"),
    Col("marginal_gain", "Tillskott av den senaste platsen", "km"),
    Col("status", "Lösarens status"),
    Col("selected", "Platser", "code"),
]


def write_siting(
    out_dir: str | Path,
    result: SitingResult,
    sites: pd.DataFrame,
    areas: pd.DataFrame,
    definitions: list[tuple[str, str]],
    atlas: AtlasResult,
    geoms: dict[str, gpd.GeoDataFrame],
    manifest: dict[str, Any],
    curve: pd.DataFrame | None = None,
    dpi: int = 200,
) -> list[Path]:
    """Write ``lokalisering.csv``, ``lokalisering.xlsx``, ``lokalisering.json`` and (with a län)
    ``karta.png/.svg/.pdf`` into ``out_dir``. Returns the files written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    csv_path = out / "lokalisering.csv"
    sites[SITES_CSV_COLUMNS].to_csv(csv_path, index=False, lineterminator="\n")
    files.append(csv_path)
    w = _Writer(out / "lokalisering.xlsx")
    w.table(SHEET_SITES, sites, SITE_COLS)
    w.table(SHEET_AREAS, areas, AREA_COLS)
    if curve is not None:
        w.table(SHEET_CURVE, curve, CURVE_COLS)
    w.definitions(definitions)
    w.close()
    files.append(out / "lokalisering.xlsx")
    js = out / "lokalisering.json"
    js.write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    files.append(js)
    lan = atlas.params.lan
    if lan is not None:
        layers = map_layers(atlas, geoms, lan, manifest)
        where = layers.title.split("–", 1)[-1].strip()
        layers.title = f"Förslag: nya familjecentraler – {where}"
        layers.subtitle = (
            f"{len(result.selected)} nya platser utöver {len(result.fixed)} befintliga. "
            + layers.subtitle
        )
        sel = sites.copy()
        layers.proposed = sel[["x", "y", "rank"]] if len(sel) else None
        regso = geoms.get("regso")
        new_codes = set(areas.loc[areas["new_site"].notna(), "regso_code"])
        if regso is not None and len(regso) and new_codes:
            layers.highlight = regso.loc[regso["regso_code"].isin(new_codes)]
        layers.notes = [*layers.notes, "Lila kontur: område som kommer inom räckhåll med förslaget."]
        files += draw_map(layers, out / "karta", dpi=dpi)
    return files
