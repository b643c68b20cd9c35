"""Charts of listed children (matplotlib, Agg): PNG (print resolution) or SVG by file suffix.

* :func:`line_chart_per_kommun` — small multiples, one panel per kommun, listed children 0–6 per
  year (one colour, Okabe–Ito blue, so no colour has to be told apart);
* :func:`change_bar_chart` — horizontal bars of the change per unit; decreases in vermillion,
  increases in blue (Okabe–Ito, colour-blind safe), each bar labelled with its value.

Swedish labels; thousands separated by a thin space (U+202F), minus as U+2212.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from fcatlas.errors import ConfigError  # noqa: E402
from fcatlas.fmt import thousands  # noqa: E402

BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREY = "#555555"
THIN = "\u202f"
FORMATS = (".png", ".svg")


def fmt_int(v: float) -> str:
    """Whole number with thin-space thousands and a real minus sign.

    >>> fmt_int(-1234) == "\u22121\u202f234"
    True
    """
    n = int(round(v))
    return ("\u2212" if n < 0 else "") + thousands(abs(n), THIN)


def _check(path: Path) -> None:
    if path.suffix.lower() not in FORMATS:
        raise ConfigError(f"{path.name}: diagram skrivs som .png eller .svg")


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=200 if path.suffix.lower() == ".png" else None, bbox_inches="tight",
                metadata={"Date": None} if path.suffix.lower() == ".svg" else None)
    plt.close(fig)
    return path


def line_chart_per_kommun(series: pd.DataFrame, path: str | Path, title: str, note: str = "") -> Path:
    """One panel per kommun (``niva_kod, namn, year, value`` from
    :func:`fcatlas.economics.listed.series` on kommun level)."""
    p = Path(path)
    _check(p)
    groups = [(str(n), g.sort_values("year")) for (_, n), g in series.groupby(["niva_kod", "namn"], sort=True)]
    if not groups:
        raise ConfigError("det finns inga listade barn att rita")
    cols = min(4, len(groups))
    rows = math.ceil(len(groups) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows + 0.8), squeeze=False)
    fmt = FuncFormatter(lambda v, _pos: fmt_int(v))
    for ax, (name, g) in zip(axes.flat, groups, strict=False):
        ax.plot(g["year"], g["value"].astype(float), color=BLUE, marker="o", markersize=3, linewidth=1.6)
        ax.set_title(name, fontsize=9)
        ax.yaxis.set_major_formatter(fmt)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
        ax.tick_params(labelsize=7)
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    for ax in list(axes.flat)[len(groups):]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=12)
    fig.supylabel("Listade barn 0–6 år", fontsize=9)
    fig.supxlabel("År" + (f"\n{note}" if note else ""), fontsize=8)
    fig.tight_layout()
    return _save(fig, p)


def change_bar_chart(trend_table: pd.DataFrame, path: str | Path, title: str, note: str = "") -> Path:
    """Horizontal bars of ``forandring`` per unit (units without a change are left out)."""
    p = Path(path)
    _check(p)
    t = trend_table.loc[trend_table["forandring"].notna()].sort_values("forandring", ascending=False)
    if t.empty:
        raise ConfigError("ingen enhet har en förändring att rita")
    labels = [f"{n} (från {int(y)})" if a else str(n)
              for n, y, a in zip(t["namn"], t["fran_ar"], t["anmarkning"].astype(str).str.startswith("öppnade"),
                                 strict=True)]
    values = [int(v) for v in t["forandring"]]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(values) + 1.6))
    colours = [VERMILLION if v < 0 else BLUE for v in values]
    ax.barh(range(len(values)), values, color=colours)
    ax.set_yticks(range(len(values)), labels, fontsize=8)
    ax.axvline(0, color=GREY, linewidth=0.8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_int(v)))
    span = max(abs(v) for v in values) or 1
    for i, v in enumerate(values):
        ax.text(v + (span * 0.01 if v >= 0 else -span * 0.01), i, fmt_int(v), va="center",
                ha="left" if v >= 0 else "right", fontsize=7)
    ax.set_xlim(-span * 1.25 if min(values) < 0 else 0, span * 1.25 if max(values) > 0 else span * 0.1)
    ax.set_xlabel("Förändring, antal listade barn 0–6 år" + (f"\n{note}" if note else ""), fontsize=9)
    ax.set_title(title, fontsize=11)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return _save(fig, p)
