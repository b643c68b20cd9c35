"""Map images of the atlas (matplotlib, Agg): PNG (print resolution), SVG and PDF.

What a map shows (decided here, and written on the map itself):

* **RegSO coloured by områdestyp** (ColorBrewer RdYlBu, 5 classes, colour-blind safe) where
  the bundle has RegSO boundaries for the area shown; exclusion areas get a thick black outline.
* Where RegSO boundaries are missing (most of Sweden in the shared data, and always on the
  national map, where RegSO would be too small to see), **kommuner are coloured by the share of
  the population living in exclusion areas** (5 classes, sequential, colour-blind safe).
* Kommun borders (thin) and län borders (thick); units by category with distinct shapes *and*
  colours (Okabe–Ito): filled circle = familjecentral, triangle = familjecentralsliknande,
  diamond = annan samverkan, hollow square = planerad / avsiktsförklaring.
* Siting maps add the proposed new sites (numbered orange stars) and a thick purple outline
  round the areas they bring within reach.
* Swedish legend, scale bar, north arrow, title, sources and date; a red banner
  "SYNTETISKA EXEMPELDATA" when the bundle is synthetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import LineCollection, PatchCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, PathPatch, Rectangle  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402

from fcatlas.domain import CATEGORY_LABELS, OMRADESTYP_LABELS, Category, Status  # noqa: E402

OMRADESTYP_COLOURS = {1: "#d7191c", 2: "#fdae61", 3: "#ffffbf", 4: "#abd9e9", 5: "#2c7bb6"}
NO_DATA = "#e0e0e0"
#: classes of the share of population in exclusion areas (lower bound inclusive)
SHARE_CLASSES: list[tuple[float, float, str, str]] = [
    (0.0, 0.0, "#f7f7f7", "0 %"),
    (0.0, 0.10, "#fee391", "under 10 %"),
    (0.10, 0.25, "#fec44f", "10–25 %"),
    (0.25, 0.50, "#ec7014", "25–50 %"),
    (0.50, 1.01, "#8c2d04", "50 % eller mer"),
]
UNIT_STYLE: dict[Category, dict[str, Any]] = {
    Category.FAMILJECENTRAL: dict(marker="o", color="#0072B2", size=46),
    Category.FAMILJECENTRALSLIKNANDE: dict(marker="^", color="#009E73", size=56),
    Category.ANNAN_SAMVERKAN: dict(marker="D", color="#CC79A7", size=40),
}
PLANNED_STYLE: dict[str, Any] = dict(marker="s", color="none", edgecolor="#333333", size=40, label="Planerad / avsiktsförklaring")
FORMATS = ("png", "svg", "pdf")


@dataclass
class MapLayers:
    """Everything a map draws, already filtered to the area shown (EPSG:3006)."""

    kommun: gpd.GeoDataFrame  # kommun_code, geometry (+ exclusion_population_share)
    lan: gpd.GeoDataFrame  # lan_code, geometry
    regso: gpd.GeoDataFrame | None  # regso_code, geometry, omradestyp, exclusion
    units: pd.DataFrame  # x, y, category, status
    title: str
    subtitle: str = ""
    sources: str = ""
    exclusion_label: str = "områdestyp 1, 2"
    year: int | None = None
    synthetic: bool = False
    children_estimated: bool = False
    notes: list[str] = field(default_factory=list)
    #: zoomed views (title, (minx, miny, maxx, maxy)) drawn beside the map, e.g. towns with exclusion areas
    insets: list[tuple[str, tuple[float, float, float, float]]] = field(default_factory=list)
    #: proposed new sites (siting): ``x, y, rank`` — drawn as numbered stars
    proposed: pd.DataFrame | None = None
    #: areas the proposed sites bring within reach (siting): ``geometry`` — a thick purple outline
    highlight: gpd.GeoDataFrame | None = None


PROPOSED_STYLE: dict[str, Any] = dict(marker="*", color="#E69F00", size=240, label="Föreslagen ny plats (nummer = rang)")
HIGHLIGHT_STYLE: dict[str, Any] = dict(color="#7B3294", lw=2.4, label="Kommer inom räckhåll med förslaget")


def _proposed(ax: Axes, layers: MapLayers, shrink: float = 1.0, labels: bool = True) -> None:
    """Newly covered areas (outline) and the proposed sites (numbered stars)."""
    if layers.highlight is not None and len(layers.highlight):
        _lines(ax, layers.highlight.boundary, HIGHLIGHT_STYLE["color"], HIGHLIGHT_STYLE["lw"], zorder=6)
    p = layers.proposed
    if p is None or not len(p):
        return
    ax.scatter(p["x"], p["y"], marker=PROPOSED_STYLE["marker"], s=PROPOSED_STYLE["size"] * shrink,
               c=PROPOSED_STYLE["color"], edgecolors="black", linewidths=0.8, zorder=12)
    if labels:
        for x, y, rank in zip(p["x"], p["y"], p["rank"], strict=True):
            ax.annotate(str(rank), (x, y), xytext=(6, 6), textcoords="offset points", fontsize=9,
                        fontweight="bold", zorder=13,
                        bbox=dict(facecolor="white", edgecolor="#333333", lw=0.5, pad=1.0, alpha=0.9))


def _geom_path(geom: object) -> MplPath | None:
    """A shapely (Multi)Polygon as one compound matplotlib path (holes included)."""
    parts = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly is None or poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)
            if len(xy) < 3:
                continue
            codes = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            codes[0] = MplPath.MOVETO
            codes[-1] = MplPath.CLOSEPOLY
            parts.append(MplPath(xy, codes))
    return MplPath.make_compound_path(*parts) if parts else None


def _fill(ax: Axes, geoms: Sequence[object], colours: Sequence[str], zorder: int,
          edgecolor: str = "none", lw: float = 0.0) -> None:
    """Fill polygons (without geopandas' plotting, which redraws the figure on every call)."""
    patches, cols = [], []
    for g, c in zip(geoms, colours, strict=True):
        p = _geom_path(g)
        if p is not None:
            patches.append(PathPatch(p))
            cols.append(c)
    if patches:
        ax.add_collection(PatchCollection(patches, facecolors=cols, edgecolors=edgecolor, linewidths=lw,
                                          zorder=zorder))


def _lines(ax: Axes, geoms: Sequence[object], colour: str, lw: float, zorder: int) -> None:
    segs = []
    for g in geoms:
        for line in getattr(g, "geoms", [g]):
            if line is not None and not line.is_empty:
                segs.append(np.asarray(line.coords)[:, :2])
    if segs:
        ax.add_collection(LineCollection(segs, colors=colour, linewidths=lw, zorder=zorder))


def spread_shared_points(u: pd.DataFrame, spacing: float) -> tuple[pd.DataFrame, list[tuple[float, float, int]]]:
    """Units that share one point (a postcode or kommun point many units got) side by side.

    Returns the units with ``x``/``y`` moved apart in a row centred on the shared point
    (``spacing`` map units between symbols) and, per shared point, ``(x, y, count)`` for a
    count label. Units with their own point are not moved.

    >>> u = pd.DataFrame({"x": [0.0, 0.0, 0.0, 5.0], "y": [1.0, 1.0, 1.0, 1.0]})
    >>> moved, groups = spread_shared_points(u, 2.0)
    >>> moved["x"].tolist(), groups
    ([-2.0, 0.0, 2.0, 5.0], [(0.0, 1.0, 3)])
    """
    out = u.copy()
    groups: list[tuple[float, float, int]] = []
    ok = out["x"].notna() & out["y"].notna()
    if not ok.any():
        return out, groups
    key = out.loc[ok, "x"].round(0).astype("int64").astype(str) + ":" + out.loc[ok, "y"].round(0).astype(
        "int64").astype(str)
    for _, idx in key.groupby(key).groups.items():
        n = len(idx)
        if n < 2:
            continue
        x0, y0 = float(out.at[idx[0], "x"]), float(out.at[idx[0], "y"])  # type: ignore[arg-type]
        for i, j in enumerate(idx):
            out.at[j, "x"] = x0 + (i - (n - 1) / 2) * spacing
        groups.append((x0, y0, n))
    return out, groups


def _units(ax: Axes, u: pd.DataFrame, shrink: float, spacing: float = 0.0) -> None:
    if not len(u):
        return
    if spacing > 0:
        u, groups = spread_shared_points(u, spacing * max(shrink, 0.5))
        for x, y, n in groups:
            ax.text(x, y + spacing * 1.1, f"{n} enheter", fontsize=5.5, ha="center", va="bottom", zorder=10,
                    color="#222222", bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    status = u["status"].astype(str)
    planned = u.loc[status.isin([Status.PLANERAD, Status.AVSIKTSFORKLARING]) & u["x"].notna()]
    if len(planned):
        ax.scatter(planned["x"], planned["y"], marker=PLANNED_STYLE["marker"], s=PLANNED_STYLE["size"] * shrink,
                   facecolors="none", edgecolors=PLANNED_STYLE["edgecolor"], linewidths=1.0, zorder=8)
    for cat, st in UNIT_STYLE.items():
        sub = u.loc[(status == Status.I_DRIFT) & (u["category"].astype(str) == cat) & u["x"].notna()]
        if len(sub):
            ax.scatter(sub["x"], sub["y"], marker=st["marker"], s=st["size"] * shrink, c=st["color"],
                       edgecolors="white", linewidths=0.7, zorder=9)


def _inset(fig: Figure, rect: Sequence[float], number: int, title: str, box: Sequence[float],
           layers: MapLayers) -> None:
    """A zoomed view of ``box`` with RegSO by områdestyp, exclusion outlines and units."""
    import shapely

    iax = fig.add_axes((rect[0], rect[1], rect[2], rect[3]))
    clip = shapely.box(*box)
    if layers.regso is not None and len(layers.regso):
        r = layers.regso.loc[layers.regso.intersects(clip)]
        cols = [OMRADESTYP_COLOURS.get(int(t), NO_DATA) if pd.notna(t) else NO_DATA for t in r["omradestyp"]]
        _fill(iax, r.geometry, cols, zorder=2, edgecolor="#777777", lw=0.3)
        exc = r.loc[r["exclusion"].astype(bool)]
        _lines(iax, exc.boundary, "black", 1.2, zorder=3)
    k = layers.kommun.loc[layers.kommun.intersects(clip)]
    _lines(iax, k.boundary, "#555555", 0.5, zorder=4)
    _units(iax, layers.units, 0.8, spacing=(box[2] - box[0]) * 0.02)
    _proposed(iax, layers, shrink=0.6)
    iax.set_xlim(box[0], box[2])
    iax.set_ylim(box[1], box[3])
    iax.set_aspect("equal")
    iax.set_xticks([])
    iax.set_yticks([])
    width_km = (box[2] - box[0]) / 1000
    iax.set_title(f"{number}. {title} ({width_km:.0f} km brett)", fontsize=7.5, loc="left", pad=2)
    for sp in iax.spines.values():
        sp.set_color("#333333")


def _share_colour(v: float | None) -> str:
    if v is None or pd.isna(v):
        return NO_DATA
    if v <= 0:
        return SHARE_CLASSES[0][2]
    for lo, hi, col, _ in SHARE_CLASSES[1:]:
        if lo <= v < hi:
            return col
    return SHARE_CLASSES[-1][2]


def _nice_length(width_m: float) -> float:
    target = width_m / 5
    for km in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500):
        if km * 1000 >= target:
            return km * 1000.0
    return 500_000.0


def _scale_bar(ax: Axes, bounds: Sequence[float], land: object | None = None) -> None:
    """A two-part scale bar in the corner (bottom left or right) that covers the least land."""
    minx, miny, maxx, maxy = bounds
    w, h = maxx - minx, maxy - miny
    length = _nice_length(w)
    y0 = miny + 0.03 * h
    bh = 0.008 * h
    candidates = [minx + 0.04 * w, maxx - 0.04 * w - length]
    x0 = candidates[0]
    if land is not None:
        import shapely

        def overlap(x: float) -> float:
            box = shapely.box(x - 0.02 * w, y0 - 0.01 * h, x + length + 0.02 * w, y0 + 0.05 * h)
            return float(shapely.intersection(box, land).area)

        x0 = min(candidates, key=overlap)
    half = length / 2
    ax.add_patch(Rectangle((x0, y0), half, bh, facecolor="black", edgecolor="black", lw=0.6, zorder=20))
    ax.add_patch(Rectangle((x0 + half, y0), half, bh, facecolor="white", edgecolor="black", lw=0.6, zorder=20))
    for pos, text in ((x0, "0"), (x0 + half, f"{half / 1000:g}"), (x0 + length, f"{length / 1000:g} km")):
        ax.text(pos, y0 + bh * 1.8, text, ha="center", va="bottom", fontsize=7, zorder=20,
                bbox=dict(facecolor="white", edgecolor="none", alpha=0.7, pad=0.5))


def _north_arrow(ax: Axes, bounds: Sequence[float]) -> None:
    minx, miny, maxx, maxy = bounds
    w, h = maxx - minx, maxy - miny
    x, y = maxx - 0.06 * w, maxy - 0.10 * h
    ax.annotate("N", xy=(x, y + 0.06 * h), xytext=(x, y), ha="center", va="top", fontsize=10, fontweight="bold",
                arrowprops=dict(arrowstyle="-|>", color="black", lw=1.2), zorder=20)


def draw_map(layers: MapLayers, out_base: str | Path, dpi: int = 200, formats: Sequence[str] = FORMATS) -> list[Path]:
    """Draw one map and save it as ``out_base.png/.svg/.pdf``. Returns the files written."""
    kommun = layers.kommun
    minx, miny, maxx, maxy = (kommun.total_bounds if len(kommun) else layers.lan.total_bounds)
    padx, pady = (maxx - minx) * 0.03, (maxy - miny) * 0.03
    bounds = (minx - padx, miny - pady, maxx + padx, maxy + pady)
    fig, ax, lax = _figure(bounds)
    tol = max(bounds[2] - bounds[0], bounds[3] - bounds[1]) / 4000
    land, legends = _draw_areas(ax, layers, tol)
    legends = _draw_units(ax, layers, bounds) + legends
    legends.append(("Gränser", [Line2D([], [], color="#555555", lw=0.6, label="Kommungräns"),
                                Line2D([], [], color="#111111", lw=1.2, label="Länsgräns")]))
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for s in ax.spines.values():
        s.set_color("#999999")
    _scale_bar(ax, bounds, land=land)
    _north_arrow(ax, bounds)
    y = _draw_legends(fig, lax, legends, layers)
    if layers.insets and y > 0:
        _draw_insets(fig, ax, lax, layers, y)
    _draw_titles(fig, layers)
    return _save(fig, out_base, formats, dpi, layers.title)


def _figure(bounds: Sequence[float]) -> tuple[Any, plt.Axes, plt.Axes]:
    """The figure: the map on the left, a column for legends and insets on the right."""
    w, h = bounds[2] - bounds[0], bounds[3] - bounds[1]
    map_h = 9.0
    map_w = min(max(map_h * w / h, 4.5), 11.0)
    fig = plt.figure(figsize=(map_w + 4.2, map_h + 1.6))
    top = 1 - 1.05 / (map_h + 1.6)
    bottom = 0.55 / (map_h + 1.6)
    ax = fig.add_axes((0.02, bottom, map_w / (map_w + 4.2) - 0.02, top - bottom))
    lax = fig.add_axes((map_w / (map_w + 4.2) + 0.01, bottom, 4.0 / (map_w + 4.2) - 0.02, top - bottom - 0.02))
    lax.axis("off")
    return fig, ax, lax


Legend = tuple[str, list[Any]]


def _draw_areas(ax: plt.Axes, layers: MapLayers, tol: float) -> tuple[Any, list[Legend]]:
    """Kommuner filled by their share in exclusion areas, RegSO (where present) by områdestyp
    with the exclusion areas outlined, and the borders; returns the land and the legends."""
    kommun = layers.kommun
    has_regso = layers.regso is not None and len(layers.regso) > 0
    legends: list[Legend] = []
    # kommun fill: share of the population in exclusion areas
    kfill = kommun.copy()
    kfill["geometry"] = kfill.geometry.simplify(tol)
    share = kfill.get("exclusion_population_share", pd.Series(pd.NA, index=kfill.index))
    kfill["_c"] = [_share_colour(None if pd.isna(v) else float(v)) for v in share]
    regso_kommuner = set(layers.regso["regso_code"].str[:4]) if has_regso else set()  # type: ignore[index]
    kfill.loc[kfill["kommun_code"].isin(regso_kommuner), "_c"] = "#f4f4f4"
    _fill(ax, kfill.geometry, kfill["_c"], zorder=1)
    kborder = kommun.boundary.simplify(tol)
    if has_regso:
        kborder = _draw_regso(ax, layers, tol, regso_kommuner, legends)
    if set(kommun["kommun_code"]) - regso_kommuner:
        handles = [Patch(facecolor=c, edgecolor="#999999", label=lbl) for _, _, c, lbl in SHARE_CLASSES]
        handles.append(Patch(facecolor=NO_DATA, edgecolor="#999999", label="uppgift saknas"))
        legends.append((f"Kommuner: andel av folkmängden\ni utanförskapsområden ({layers.exclusion_label})", handles))
    _lines(ax, kborder, "#555555", 0.45, zorder=4)
    _lines(ax, layers.lan.boundary.simplify(tol), "#111111", 0.9, zorder=5)
    return kfill.geometry.union_all(), legends


def _draw_regso(ax: plt.Axes, layers: MapLayers, tol: float, regso_kommuner: set[str],
                legends: list[Legend]) -> Any:
    """RegSO by områdestyp with the exclusion areas outlined; returns the kommun borders (from
    the RegSO where they exist: they match the areas exactly)."""
    assert layers.regso is not None
    kommun = layers.kommun
    r = layers.regso.copy()
    r["geometry"] = r.geometry.simplify(tol)
    r["_c"] = [OMRADESTYP_COLOURS.get(int(t), NO_DATA) if pd.notna(t) else NO_DATA for t in r["omradestyp"]]
    _fill(ax, r.geometry, r["_c"], zorder=2, edgecolor="#777777", lw=0.2)
    rk = r.assign(kommun_code=r["regso_code"].str[:4]).dissolve(by="kommun_code")
    kborder = pd.concat([
        kommun.loc[~kommun["kommun_code"].isin(regso_kommuner)].boundary.simplify(tol),
        rk.boundary,
    ])
    exc = r.loc[r["exclusion"].astype(bool)]
    if len(exc):
        _lines(ax, exc.boundary, "black", 1.4, zorder=3)
    yr = f" {layers.year}" if layers.year else ""
    handles = [Patch(facecolor=OMRADESTYP_COLOURS[t], edgecolor="#777777", label=f"{t} {OMRADESTYP_LABELS[t].lower()}")
               for t in range(1, 6)]
    handles.append(Patch(facecolor="none", edgecolor="black", linewidth=1.4,
                         label=f"Utanförskapsområde ({layers.exclusion_label})"))
    legends.append((f"RegSO efter områdestyp{yr}", handles))
    return kborder


def _draw_units(ax: plt.Axes, layers: MapLayers, bounds: Sequence[float]) -> list[Legend]:
    """The register's units (and a proposal, when there is one); returns their legends."""
    u = layers.units
    unit_handles: list[Artist] = []
    # many units: smaller symbols so that they do not hide the map
    shrink = min(1.0, (150 / max(len(u), 1)) ** 0.5) if len(u) else 1.0
    shrink = max(shrink, 0.35)
    # units that share a point (postcode or kommun points) are drawn side by side with a count
    _units(ax, u, shrink, spacing=(bounds[2] - bounds[0]) * 0.012)
    for cat, st in UNIT_STYLE.items():
        unit_handles.append(Line2D([], [], marker=st["marker"], color="none", markerfacecolor=st["color"],
                                   markeredgecolor="white", markersize=8, label=f"{CATEGORY_LABELS[cat]} (i drift)"))
    unit_handles.append(Line2D([], [], marker="s", color="none", markerfacecolor="none",
                               markeredgecolor="#333333", markersize=7, label=PLANNED_STYLE["label"]))
    legends: list[Legend] = [("Enheter", unit_handles)]
    if layers.proposed is not None or layers.highlight is not None:
        _proposed(ax, layers)
        legends.insert(0, ("Förslag", [
            Line2D([], [], marker=PROPOSED_STYLE["marker"], color="none", markerfacecolor=PROPOSED_STYLE["color"],
                   markeredgecolor="black", markersize=13, label=PROPOSED_STYLE["label"]),
            Patch(facecolor="none", edgecolor=HIGHLIGHT_STYLE["color"], linewidth=HIGHLIGHT_STYLE["lw"],
                  label=HIGHLIGHT_STYLE["label"]),
        ]))
    return legends


def _draw_legends(fig: Any, lax: plt.Axes, legends: list[Legend], layers: MapLayers) -> float:
    """The legends and notes stacked in the right column; returns the height left below them."""
    y = 1.0
    renderer = fig.canvas.get_renderer()
    for title, entries in legends:
        leg = lax.legend(handles=entries, title=title, loc="upper left", bbox_to_anchor=(0.0, y), frameon=False,
                         fontsize=8, title_fontsize=9, alignment="left")
        lax.add_artist(leg)
        bb = leg.get_window_extent(renderer).transformed(lax.transAxes.inverted())
        y = bb.y0 - 0.03
    notes = list(layers.notes)
    if layers.children_estimated:
        notes.append("Barn 0–6 år är skattade (folkmängd × andel).")
    if notes:
        t = lax.text(0.0, max(y, 0.0), "\n".join(notes), va="top", ha="left", fontsize=7, wrap=True,
                     transform=lax.transAxes)
        y = t.get_window_extent(renderer).transformed(lax.transAxes.inverted()).y0 - 0.02
    return y


def _draw_insets(fig: Any, ax: plt.Axes, lax: plt.Axes, layers: MapLayers, y: float) -> None:
    """As many inset maps as fit below the legends, two per row, each outlined on the map."""
    lpos = lax.get_position()
    fig_w, fig_h = fig.get_size_inches()
    col_w_in = lpos.width * fig_w
    avail_in = (y - 0.02) * lpos.height * fig_h
    side_in = min((col_w_in - 0.25) / 2, 2.1)
    rows = int(avail_in // (side_in + 0.3))
    shown = layers.insets[: max(0, min(len(layers.insets), rows * 2))]
    for i, (title, box) in enumerate(shown):
        row, col = divmod(i, 2)
        x0 = lpos.x0 + col * (side_in + 0.2) / fig_w
        top_y = lpos.y0 + (y - 0.02) * lpos.height - row * (side_in + 0.3) / fig_h
        _inset(fig, (x0, top_y - (side_in + 0.05) / fig_h, side_in / fig_w, side_in / fig_h), i + 1, title, box,
               layers)
        ax.add_patch(Rectangle((box[0], box[1]), box[2] - box[0], box[3] - box[1], facecolor="none",
                               edgecolor="#333333", lw=0.8, zorder=15))
        ax.text(box[2], box[3], f" {i + 1}", fontsize=8, fontweight="bold", va="bottom", ha="left", zorder=15)


def _draw_titles(fig: Any, layers: MapLayers) -> None:
    """Title, subtitle, sources and (synthetic data) the watermark."""
    fig.text(0.02, 0.975, layers.title, ha="left", va="top", fontsize=15, fontweight="bold")
    if layers.subtitle:
        fig.text(0.02, 0.94, layers.subtitle, ha="left", va="top", fontsize=9.5, color="#333333")
    footer = f"Källor: {layers.sources}" if layers.sources else ""
    footer += f"\nKarta: fcatlas, {date.today().isoformat()}. Projektion SWEREF 99 TM (EPSG:3006)."
    fig.text(0.02, 0.015, footer, ha="left", va="bottom", fontsize=7, color="#333333")
    if layers.synthetic:
        fig.text(0.5, 0.5, "SYNTETISKA EXEMPELDATA", ha="center", va="center", fontsize=34, color="#cc0000",
                 alpha=0.35, rotation=30, fontweight="bold", zorder=100)
        fig.text(0.98, 0.975, "SYNTETISKA EXEMPELDATA – inte verkliga uppgifter", ha="right", va="top",
                 fontsize=10, color="white", fontweight="bold",
                 bbox=dict(facecolor="#cc0000", edgecolor="none", pad=4))


def _save(fig: Any, out_base: str | Path, formats: Sequence[str], dpi: int, title: str) -> list[Path]:
    out = Path(out_base)
    out.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        p = out.with_suffix(f".{fmt}")
        with plt.rc_context({"svg.fonttype": "none"}):  # SVG text stays text (searchable, editable)
            fig.savefig(p, dpi=dpi if fmt == "png" else None, format=fmt, metadata=_metadata(fmt, title))
        written.append(p)
    plt.close(fig)
    return written


def _metadata(fmt: str, title: str) -> dict[str, str] | None:
    if fmt == "png":
        return {"Title": title, "Software": "fcatlas"}
    if fmt == "pdf":
        return {"Title": title, "Creator": "fcatlas"}
    if fmt == "svg":
        return {"Title": title}
    return None
