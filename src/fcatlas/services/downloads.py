"""Downloads of the published picture: the register (CSV, XLSX, GeoJSON, GeoPackage) and the
atlas Excel file — the same writers as ``fcatlas register export`` and ``fcatlas atlas``."""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from fcatlas.accounts.roles import Actor
from fcatlas.register import rounds as round_store
from fcatlas.register.store import Register
from fcatlas.services.memo import Memo

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
}


@dataclass(frozen=True)
class Download:
    content: bytes
    media_type: str
    file_name: str


def published_register(session: Session, *, lan: str | None = None) -> Any:
    """The published units (as the public sees them), with the register export's columns."""
    return Register._frame(round_store.published_rows(session, lan=lan))


def register_file(session: Session, *, actor: Actor, fmt: str, lan: str | None = None) -> Download:
    """The published register in ``fmt`` (csv, xlsx, geojson, gpkg). Anyone may download it."""
    from fcatlas.outputs import register_export as ex

    df = published_register(session, lan=lan)
    name = f"familjecentraler{'_' + lan if lan else ''}.{fmt}"
    if fmt == "csv":
        return Download(ex.units_to_csv(df).encode("utf-8"), FORMATS[fmt], name)
    if fmt == "geojson":
        return Download(ex.geojson_text(df).encode("utf-8"), FORMATS[fmt], name)
    if fmt == "xlsx":
        buf = io.BytesIO()
        ex.units_to_xlsx(df, buf, title="Familjecentraler – publicerat register")
        return Download(buf.getvalue(), FORMATS[fmt], name)
    with tempfile.TemporaryDirectory(prefix="fcatlas-dl-") as tmp:  # GeoPackage: SQLite needs a file
        path = Path(tmp) / name
        ex.units_to_gpkg(df, path)
        return Download(path.read_bytes(), FORMATS[fmt], name)


def table_file(df: Any, *, fmt: str, name: str = "familjecentraler", areas: str | None = None) -> Download:
    """The map's table as the page shows it (``/tabell.csv``, ``/tabell.xlsx``), written like
    every other download: text cells through the formula guard, never a formula. ``areas``: the
    table is of areas (the sheet's name, e.g. ``Luckor``), with the atlas workbook's headers."""
    from fcatlas.outputs import register_export as ex

    headers: dict[str, str] | None = None
    if areas is not None:
        from fcatlas.outputs.excel import AREA_HEADERS

        headers = AREA_HEADERS
    if fmt == "csv":  # for a Swedish Excel: Swedish headers, ja/nej, decimal comma, ';' and BOM
        return Download(ex.frame_to_csv(ex.people_frame(df, decimal_comma=True, headers=headers)), FORMATS[fmt],
                        f"{name}.csv")
    buf = io.BytesIO()
    ex.people_xlsx(ex.people_frame(df, decimal_comma=False, headers=headers), buf, sheet=areas or "Enheter")
    return Download(buf.getvalue(), FORMATS["xlsx"], f"{name}.xlsx")


def import_template() -> Download:
    """An empty list in the import's own columns (Swedish headers, ``;``, BOM) to fill in."""
    from fcatlas.outputs import register_export as ex

    return Download(ex.import_file_csv([]), FORMATS["csv"], "mall_familjecentraler.csv")


def starting_file(session: Session, *, actor: Actor, lan: str) -> Download:
    """Region ``lan``'s list as it stands (last year's, before this year's changes), closed units
    left out, in the import's own columns: the starting file of this year's list. Imported again
    unchanged, it changes nothing."""
    from fcatlas.outputs import register_export as ex
    from fcatlas.services.units import visible_unit_rows

    actor.require(actor.may_see_drafts(lan), f"hämta region {lan}s lista")
    rows, _ = visible_unit_rows(session, actor=actor, lan=lan, limit=100_000)
    units = [r for r in rows if r["status"] != "nedlagd"]
    return Download(ex.import_file_csv(units), FORMATS["csv"], f"lista_{lan}.csv")


def atlas_file(session: Session, bundle: Any, *, actor: Actor, lan: str | None = None,
               memo: Memo | None = None) -> Download:
    """``atlas.xlsx`` for the country or one län, on the units ``actor`` may see."""
    from fcatlas.services.areas import atlas_for
    from fcatlas.services.outlook import atlas_excel

    run = atlas_for(session, bundle, actor=actor, lan=lan, memo=memo)
    name = f"atlas{'_' + lan if lan else ''}.xlsx"
    buf = io.BytesIO()
    atlas_excel(bundle, run.result, buf)  # the same workbook as 'fcatlas atlas' writes
    return Download(buf.getvalue(), FORMATS["xlsx"], name)
