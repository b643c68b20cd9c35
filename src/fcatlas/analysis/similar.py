"""Similar areas: the k RegSO most like a given one (pure).

Features (one number per area, each standardised to mean 0 / standard deviation 1 over the
whole table passed in, so that a filter does not change the scale):

* ``children_0_6`` — number of children 0–6;
* ``omradestyp`` — SCB's area type 1–5;
* ``exclusion`` — 1 if the area is an exclusion area by the chosen definition, else 0;
* ``centre`` — 1 if an operating centre is inside or within reach, 0 if not: the atlas's own
  answer (``covered``, see :func:`fcatlas.analysis.coverage.coverage_verdict`); where the atlas
  says unknown, unknown here too (the mean, z = 0);
* ``urbanity`` — mean of the area's DeSO letters scored C = 1, B = 0.5, A = 0.

Distance: ``sqrt(Σ w_f · (z_f(area) − z_f(target))²)``. Each result carries the per-feature
distance ``d_<feature> = sqrt(w_f) · |z_f(area) − z_f(target)|`` so that
``distance² = Σ d_<feature>²`` — the explanation of why an area is (dis)similar.
Missing values are set to the mean (z = 0).

>>> parse_weights("children_0_6=2, exclusion=0")["children_0_6"]
2.0
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from fcatlas.errors import CodeError, ConfigError

FEATURES = ("children_0_6", "omradestyp", "exclusion", "centre", "urbanity")
FEATURE_LABELS = {
    "children_0_6": "barn 0–6 år",
    "omradestyp": "områdestyp",
    "exclusion": "utanförskapsområde",
    "centre": "familjecentral inom räckhåll",
    "urbanity": "tätortsgrad",
}
DEFAULT_WEIGHTS: dict[str, float] = dict.fromkeys(FEATURES, 1.0)


def parse_weights(spec: str | Mapping[str, float] | None) -> dict[str, float]:
    """``"children_0_6=2,omradestyp=1"`` → full weight dict (unnamed features keep 1)."""
    w = dict(DEFAULT_WEIGHTS)
    if not spec:
        return w
    items = spec.items() if isinstance(spec, Mapping) else (
        p.partition("=")[::2] for p in str(spec).split(",") if p.strip()
    )
    for k, v in items:
        key = str(k).strip()
        if key not in w:
            raise ConfigError(
                f"okänd egenskap {key!r} i vikterna; välj bland " + ", ".join(FEATURES)
            )
        try:
            val = float(v)
        except (TypeError, ValueError):
            raise ConfigError(f"vikten för {key} ska vara ett tal, fick {v!r}") from None
        if not np.isfinite(val) or val < 0:
            raise ConfigError(f"vikten för {key} ska vara ett icke-negativt tal, fick {v!r}")
        w[key] = val
    if not any(w.values()):
        raise ConfigError("minst en vikt måste vara större än 0")
    return w


def feature_table(areas: pd.DataFrame) -> pd.DataFrame:
    """Raw feature values per area (index = ``regso_code``).

    ``areas`` needs ``regso_code, children_0_6, omradestyp, exclusion, covered, urbanity_score``.
    """
    f = pd.DataFrame(index=areas["regso_code"].to_numpy())
    f["children_0_6"] = areas["children_0_6"].astype("Float64").to_numpy()
    f["omradestyp"] = areas["omradestyp"].astype("Float64").to_numpy()
    f["exclusion"] = areas["exclusion"].astype(bool).astype(float).to_numpy()
    # the same answer as the atlas: one source of truth for coverage
    f["centre"] = areas["covered"].astype("boolean").astype("Float64").to_numpy()
    f["urbanity"] = areas["urbanity_score"].astype("Float64").to_numpy()
    return f.astype(float)


def standardise(f: pd.DataFrame) -> pd.DataFrame:
    """z-scores per column (population std); constant columns become 0; NaN → 0 (the mean)."""
    mean = f.mean()
    std = f.std(ddof=0).replace(0.0, np.nan)
    z = (f - mean) / std
    return z.fillna(0.0)


def similar_areas(
    areas: pd.DataFrame,
    regso_code: str,
    k: int = 10,
    weights: Mapping[str, float] | None = None,
    within_lan: str | None = None,
    within_kommun: str | None = None,
) -> pd.DataFrame:
    """The ``k`` areas most similar to ``regso_code`` (the area itself excluded).

    Returns ``rank, regso_code, name, kommun_code, kommun_name, lan_code, distance``, the raw
    feature values and ``d_<feature>`` for each feature. Row 0 of ``.attrs["target"]`` holds
    the target's raw values.
    """
    if k < 1:
        raise ConfigError("k ska vara minst 1")
    w = parse_weights(weights)
    codes = areas["regso_code"].astype(str)
    if regso_code not in set(codes):
        raise CodeError(f"RegSO {regso_code!r} finns inte i datapaketet för det valda året")
    raw = feature_table(areas)
    z = standardise(raw)
    target = z.loc[regso_code]
    sw = np.sqrt(np.array([w[f] for f in FEATURES]))
    diff = (z[list(FEATURES)] - target[list(FEATURES)]).abs() * sw
    dist = np.sqrt((diff**2).sum(axis=1))
    out = areas[["regso_code", "name", "kommun_code", "kommun_name", "lan_code"]].copy()
    out.index = raw.index
    out["distance"] = dist.round(4)
    for f in FEATURES:
        out[f] = raw[f]
        out[f"d_{f}"] = diff[f].round(4)
    if "coverage_level" in areas:  # which level the centre answer rests on (as in the atlas)
        out["coverage_level"] = areas["coverage_level"].to_numpy()
    mask = out["regso_code"] != regso_code
    if within_lan:
        mask &= out["lan_code"] == within_lan
    if within_kommun:
        mask &= out["kommun_code"] == within_kommun
    res = out.loc[mask].sort_values(["distance", "regso_code"]).head(k).reset_index(drop=True)
    res.insert(0, "rank", range(1, len(res) + 1))
    res.attrs["target"] = {"regso_code": regso_code, **{f: _num(raw.at[regso_code, f]) for f in FEATURES}}
    if "coverage_level" in out:
        res.attrs["target"]["coverage_level"] = str(out.at[regso_code, "coverage_level"])
    res.attrs["weights"] = dict(w)
    return res


def _num(v: Any) -> float | None:
    return None if pd.isna(v) else float(v)
