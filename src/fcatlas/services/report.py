"""The needs and situation analysis (behovs- och lägesanalys) as a use case.

:func:`build_report` runs the atlas through :func:`fcatlas.services.atlas.run_atlas` (the same
computation as ``fcatlas atlas``), reads the register's inventory rounds and the grant
follow-up from the same database, and assembles the report's tables with
:func:`fcatlas.analysis.report.report_tables`, and the outlook for children 0–6 with
:func:`fcatlas.services.outlook.scope_outlook`. :func:`write_report` renders them to
``rapport.html`` and ``rapport.pdf``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from fcatlas.analysis.report import ReportTables, report_tables
from fcatlas.geography.exclusion import ExclusionDefinition
from fcatlas.services.atlas import AtlasRun, register_file_missing, run_atlas
from fcatlas.services.outlook import OutlookTables, scope_outlook
from fcatlas.settings import to_sqlalchemy_url


@dataclass
class Report:
    """A report ready to render: the atlas run, its tables and the region's own text."""

    run: AtlasRun
    tables: ReportTables
    text_sections: dict[str, str]  # place → Markdown (the region's own words)
    text_file: Path | None = None
    #: children 0–6 to 2030 per kommun and RegSO (:func:`fcatlas.services.outlook.scope_outlook`)
    outlook: OutlookTables | None = None


def _register_rounds(url: str | None) -> tuple[list[int], pd.DataFrame | None]:
    """The register's inventory rounds and the diff previous → latest (``None`` with < 2 rounds)."""
    if url is None or register_file_missing(url) is not None:
        return [], None
    from fcatlas.register.store import Register

    with Register.open(url) as reg:
        rounds = reg.rounds()
        if len(rounds) < 2:
            return rounds, None
        return rounds, reg.diff(rounds[-2], rounds[-1])


def _grants(url: str | None) -> pd.DataFrame | None:
    """The grant follow-up reports in the database (``None`` when there is no database)."""
    if url is None or register_file_missing(url) is not None:
        return None
    from fcatlas.grants.store import GrantStore

    store = GrantStore.open(url)
    try:
        return store.frame()
    finally:
        store.close()


def build_report(
    bundle: Any,
    *,
    db_url: str | None,
    lan: str | None = None,
    year: int | None = None,
    exclusion: str | ExclusionDefinition | None = None,
    reach: str | None = None,
    categories: str | None = None,
    text_file: str | Path | None = None,
    on_stage: Callable[[str], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> Report:
    """Compute everything the report shows. ``text_file``: the region's own sections (Markdown
    with place markers, see :func:`fcatlas.outputs.report.markdown.split_places`)."""
    from fcatlas.outputs.report.markdown import read_text_sections

    sections = read_text_sections(text_file) if text_file is not None else {}
    url = to_sqlalchemy_url(db_url) if db_url is not None else None
    run = run_atlas(bundle, db_url=url, lan=lan, year=year, exclusion=exclusion, reach=reach,
                    categories=categories, on_stage=on_stage, on_warning=on_warning)
    if on_stage:
        on_stage("Läser inventeringsomgångar och statsbidrag")
    rounds, changes = _register_rounds(url)
    grants = _grants(url)
    if on_stage:
        on_stage("Sammanställer rapportens tabeller")
    areas_by_year = {y: bundle.areas("regso", year=y) for y in bundle.years}
    tables = report_tables(run.result, areas_by_year=areas_by_year, omradestyp_by_year=bundle.omradestyp_by_year(),
                           rounds=rounds, round_changes=changes, grants=grants)
    if on_stage:
        on_stage("Gör prognosen för barn 0–6 år")
    return Report(run=run, tables=tables, text_sections=sections,
                  text_file=Path(text_file) if text_file is not None else None,
                  outlook=scope_outlook(bundle, run.result))


def write_report(report: Report, out_dir: str | Path, pdf: bool = True,
                 on_stage: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Write ``rapport.html`` (self-contained) and ``rapport.pdf`` into ``out_dir``."""
    from fcatlas.outputs.report import write_report_files

    return write_report_files(report, Path(out_dir), pdf=pdf, on_stage=on_stage)
