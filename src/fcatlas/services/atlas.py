"""Run the atlas: open the register, read the bundle, call :func:`~fcatlas.analysis.atlas.compute_atlas`.

One function, :func:`run_atlas`, used by ``fcatlas atlas``, ``fcatlas similar`` and
``fcatlas rapport`` (and later the web), so that every face shows the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from fcatlas.analysis.atlas import AtlasResult
from fcatlas.errors import ConfigError
from fcatlas.geography.codes import lan_code
from fcatlas.geography.exclusion import ExclusionDefinition
from fcatlas.settings import to_sqlalchemy_url

GEOMETRY_LEVELS = ("kommun", "lan", "regso", "deso")


@dataclass
class AtlasRun:
    """An atlas run: the bundle, the analysis result, the boundaries and the register's units."""

    bundle: Any  # fcatlas.geography.bundle.Bundle
    result: AtlasResult
    geoms: dict[str, gpd.GeoDataFrame]
    units: pd.DataFrame
    db_url: str | None
    #: Swedish warnings (rich markup) for the person running it, e.g. a missing register file.
    warnings: list[str] = field(default_factory=list)


def parse_categories(spec: str | None) -> frozenset[str]:
    """``"familjecentral,familjecentralsliknande"`` → the category values (default: the centre
    categories of :mod:`fcatlas.domain`)."""
    from fcatlas.domain import CENTRE_CATEGORIES, Category

    if not spec:
        return frozenset(c.value for c in CENTRE_CATEGORIES)
    valid = {c.value for c in Category}
    cats = {p.strip() for p in spec.split(",") if p.strip()}
    bad = sorted(cats - valid)
    if bad or not cats:
        raise ConfigError(f"okänd kategori {', '.join(bad) or spec!r}; välj bland {', '.join(sorted(valid))}")
    return frozenset(cats)


def parse_lan(code: str | None) -> str | None:
    """A län as the import accepts it — ``20``, ``1`` → ``01``, ``W``, ``Dalarna``, ``Region Örebro
    län`` — as its code, checked against the 21 län; ``None`` stays ``None``."""
    return None if code is None else lan_code(code)


def register_file_missing(url: str) -> Path | None:
    """The SQLite file of ``url`` when it does not exist (nothing to read, nothing to create)."""
    if url.startswith("sqlite:///"):
        f = Path(url.removeprefix("sqlite:///"))
        if not f.is_file():
            return f
    return None


def load_units(url: str) -> tuple[pd.DataFrame, list[str]]:
    """The register's units at ``url``; an empty table and a warning when the SQLite file is missing."""
    from fcatlas.analysis.linking import UNIT_COLUMNS

    missing = register_file_missing(url)
    if missing is not None:
        return pd.DataFrame(columns=UNIT_COLUMNS), [
            f"[yellow]Varning:[/] registret {missing} finns inte; kartan och tabellerna visas utan enheter. "
            "Importera en lista med 'fcatlas register import FIL --db …'."
        ]
    from fcatlas.register.store import Register

    with Register.open(url) as reg:
        return reg.list_units(), []


def run_atlas(  # noqa: PLR0913  # the CLI's options and the web's inputs, one keyword each
    bundle: Any,
    *,
    db_url: str | None,
    lan: str | None = None,
    year: int | None = None,
    exclusion: str | ExclusionDefinition | None = None,
    reach: str | None = None,
    categories: str | None = None,
    on_stage: Callable[[str], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    units: pd.DataFrame | None = None,
    area_facts: pd.DataFrame | None = None,
    linked_before: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> AtlasRun:
    """Run every analysis of the atlas on ``bundle`` (a :class:`~fcatlas.geography.bundle.Bundle`)
    and the register at ``db_url`` (a SQLAlchemy URL; ``None``: no register).

    Parameters are the CLI's text forms: ``exclusion`` like ``omradestyp:1,2`` (or a definition
    the face built, e.g. from a list it read, :mod:`fcatlas.cli.exclusion`), ``reach`` like
    ``C=2,B=5,A=10``, ``categories`` comma-separated. ``on_stage`` is called with a Swedish stage
    name before each stage; ``on_warning`` with each warning as it arises. ``area_facts``: what
    :func:`area_facts_of` gives for the year, if the caller keeps it (the web service);
    ``linked_before``: an earlier run's ``(units, result.units_all)`` whose links are taken again
    for the same units (the web service: a draft's atlas beside the published one).
    """
    from fcatlas.analysis.atlas import AtlasParams, compute_atlas
    from fcatlas.analysis.coverage import parse_reach
    from fcatlas.analysis.linking import UNIT_COLUMNS
    from fcatlas.geography.exclusion import as_definition

    excl = as_definition(exclusion)
    params_reach = parse_reach(reach)
    cats = parse_categories(categories)
    lan_code = parse_lan(lan)
    if on_stage:
        on_stage("Läser datapaketet")
    y = bundle.check_year(year)
    geoms = {k: bundle.geometries(k) for k in GEOMETRY_LEVELS}
    if on_stage:
        on_stage("Läser registret")
    warnings: list[str] = []
    if units is None:  # else given by the caller (the web service: the units the acting user may see)
        if db_url is None:
            units = pd.DataFrame(columns=UNIT_COLUMNS)
        else:
            units, warnings = load_units(to_sqlalchemy_url(db_url))
    for w in warnings:
        if on_warning:
            on_warning(w)
    params = AtlasParams(year=y, exclusion=excl, centre_categories=cats, reach_km=params_reach, lan=lan_code)
    res = compute_atlas(
        bundle.areas("regso", year=y),
        units,
        bundle.table("deso"),
        bundle.kommuner(),
        bundle.lan_table(),
        params,
        kommun_geom=geoms["kommun"],
        regso_geom=geoms["regso"],
        deso_geom=geoms["deso"],
        omradestyp_by_year=bundle.omradestyp_by_year(),
        on_stage=on_stage,
        area_facts=area_facts,
        linked_before=linked_before,
    )
    return AtlasRun(bundle=bundle, result=res, geoms=geoms, units=units, db_url=db_url, warnings=warnings)


def area_facts_of(bundle: Any, year: int | None = None) -> pd.DataFrame:
    """:func:`fcatlas.analysis.linking.area_facts` of the bundle's RegSO for ``year`` (its latest by
    default): the same for every atlas run on the bundle and year."""
    from fcatlas.analysis.linking import area_facts

    y = bundle.check_year(year)
    return area_facts(bundle.areas("regso", year=y)["regso_code"], bundle.geometries("regso"),
                      bundle.geometries("deso"), bundle.table("deso"))


def similar(run: AtlasRun, *, regso_code: str, k: int = 10, weights: dict[str, float] | None = None,
            within_lan: str | None = None, within_kommun: str | None = None) -> pd.DataFrame:
    """The ``k`` RegSO most like ``regso_code`` in an atlas run (the same answers as the atlas),
    optionally within one län or kommun; ``attrs["target"]`` holds the area's own features."""
    from fcatlas.analysis.similar import similar_areas

    return similar_areas(run.result.areas_all, regso_code, k=k, weights=weights, within_lan=within_lan,
                         within_kommun=within_kommun)
