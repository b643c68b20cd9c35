"""The report's charts (matplotlib, Agg) as PNG bytes, in the house style of the maps.

Swedish labels, the maps' colour-blind-safe palettes (ColorBrewer RdYlBu for områdestyp,
Okabe–Ito for series), numbers with narrow no-break spaces as thousands separators, and the
source under every chart.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from fcatlas.domain import OMRADESTYP_LABELS  # noqa: E402
from fcatlas.fmt import thousands  # noqa: E402
from fcatlas.outputs.maps import NO_DATA, OMRADESTYP_COLOURS, draw_map  # noqa: E402

THIN = "\u202f"
#: Okabe–Ito: blue, vermillion, bluish green, reddish purple
SERIES = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
DPI = 150


def _thousands_axis(ax: Axes, axis: str = "x") -> None:
    f = FuncFormatter(lambda v, _p: thousands(round(v), THIN) if abs(v) >= 1000 else f"{v:g}")
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(f)


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": "fcatlas"}, bbox_inches="tight", pad_inches=0.05)
    plt.close(fig)
    return buf.getvalue()


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)


def map_png(result: Any, geoms: dict[str, Any], lan: str | None, manifest: dict[str, Any]) -> bytes:
    """The atlas map of the län (or of Sweden) drawn by :func:`fcatlas.outputs.maps.draw_map`."""
    from fcatlas.outputs.atlas import map_layers

    with tempfile.TemporaryDirectory() as d:
        files = draw_map(map_layers(result, geoms, lan, manifest), Path(d) / "karta", dpi=DPI, formats=("png",))
        return files[0].read_bytes()


def omradestyp_png(counts: pd.DataFrame, year: int, what: str) -> bytes:
    """Stacked horizontal bars: RegSO per områdestyp per kommun/län for one year."""
    c = counts.loc[counts["year"] == year].sort_values("code", ascending=False)
    h = max(2.2, 0.26 * len(c) + 1.3)
    fig, ax = plt.subplots(figsize=(5.0, h))
    left = pd.Series(0.0, index=c.index)
    for k in range(1, 6):
        v = c[f"n_typ_{k}"].astype(float)
        ax.barh(c["name"], v, left=left, color=OMRADESTYP_COLOURS[k], edgecolor="#777777", linewidth=0.3,
                label=f"{k} {OMRADESTYP_LABELS[k].lower()}")
        left += v
    if c["n_typ_unknown"].sum():
        ax.barh(c["name"], c["n_typ_unknown"], left=left, color=NO_DATA, edgecolor="#777777", linewidth=0.3,
                label="områdestyp saknas")
    ax.set_xlabel(f"Antal RegSO ({year})", fontsize=8.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _thousands_axis(ax)
    _style(ax)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="Områdestyp",
              title_fontsize=7.5, alignment="left")
    ax.set_title(f"RegSO efter områdestyp per {what}, {year}", fontsize=10, loc="left")
    return _png(fig)  # bbox_inches="tight" keeps the legend outside the bars


def children_trend_png(children: pd.DataFrame, exclusion_label: str, estimated: bool) -> bytes:
    """Children 0–6 in the whole scope and in exclusion areas, per bundle year."""
    t = children.groupby("year")[["children_0_6", "children_0_6_exclusion"]].sum().sort_index()
    years = [int(y) for y in t.index]
    fig, axes = plt.subplots(1, 2, figsize=(7.0, 2.6))
    for ax, col, title, colour in ((axes[0], "children_0_6", "Alla områden", SERIES[0]),
                                   (axes[1], "children_0_6_exclusion", f"Utanförskapsområden ({exclusion_label})",
                                    SERIES[1])):
        v = t[col].astype(float)
        ax.plot(years, v, marker="o", color=colour, lw=1.8)
        for x, y in zip(years, v, strict=True):
            ax.annotate(thousands(y, THIN), (x, y), textcoords="offset points", xytext=(0, 6), ha="center",
                        fontsize=7.5)
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_ylim(0.0, max(float(v.max()) * 1.18, 1.0))
        _thousands_axis(ax, "y")
        _style(ax)
        ax.set_title(title, fontsize=9, loc="left")
        if len(years) == 1:
            ax.set_xlim(years[0] - 1, years[0] + 1)
        else:
            pad = 0.12 * (years[-1] - years[0])
            ax.set_xlim(years[0] - pad, years[-1] + pad)
    axes[0].set_ylabel("Barn 0–6 år" + (" (skattat)" if estimated else ""), fontsize=8.5)
    fig.tight_layout()
    return _png(fig)


def coverage_png(by_group: pd.DataFrame, what: str) -> bytes:
    """Share of children 0–6 within reach of a centre per kommun/län (only where it is known)."""
    t = by_group.sort_values("code", ascending=False)
    share = t["coverage_share"].astype("Float64")
    h = max(2.2, 0.26 * len(t) + 1.0)
    fig, ax = plt.subplots(figsize=(7.0, h))
    known = share.notna().to_numpy()
    ax.barh(t["name"], share.fillna(0).astype(float) * 100, color=[SERIES[0] if k else NO_DATA for k in known])
    for i, (v, k) in enumerate(zip(share, known, strict=True)):
        label = f"{float(v) * 100:.0f} %".replace(".", ",") if k else "okänt (gräns saknas)"
        ax.text((float(v) * 100 if k else 0) + 1, i, label, va="center", fontsize=7)
    ax.set_xlim(0, 112)
    ax.set_xlabel("Andel av barnen 0–6 år med familjecentral inom räckhåll (%)", fontsize=8.5)
    _style(ax)
    ax.set_title(f"Täckning per {what}", fontsize=10, loc="left")
    fig.tight_layout()
    return _png(fig)
