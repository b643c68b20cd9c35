"""Listed children and the health centres' economics from the operator's files and the
database (``fcatlas listade …``, ``fcatlas ekonomi …``): importing the listed children, the
centres that carry the family-centre addon (named in a file or linked from the register) and
the settlement of visits between centres. The faces parse options and print.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from fcatlas.errors import ConfigError, InputFileError, Problem, problems_error


@contextmanager
def _listed_store(url: str) -> Iterator[Any]:
    from fcatlas.economics.store import ListedStore

    store = ListedStore.open(url)
    try:
        yield store
    finally:
        store.close()


@dataclass(frozen=True)
class ListedImport:
    rows: list[Any]  # fcatlas.economics.intake listed rows
    summary: Any  # what the store replaced, per year


def import_listed(*, url: str, file: Path) -> ListedImport:
    """Read a file of listed children per centre and year (every bad row at once; nothing is
    stored then) and replace each of its years in the database, in one transaction."""
    from fcatlas.economics.intake import read_listed

    rows = read_listed(file)
    with _listed_store(url) as store:
        summary = store.replace(rows, source=file.name)
    return ListedImport(rows, summary)


def listed_table(*, url: str, years: list[int] | None = None) -> pd.DataFrame:
    """The listed children (and women) per centre and year; all years, or ``years``."""
    with _listed_store(url) as store:
        return store.frame(years) if years is not None else store.frame()  # type: ignore[no-any-return]


def qualified_centres(*, url: str, year: int, names_file: Path | None, from_register: bool,
                      on_note: Callable[[str], None] | None = None) -> list[Any]:
    """The centres with the addon (:class:`fcatlas.economics.payment.Centre`, with their listed
    children and women of ``year``): named in ``names_file``, or the centres that the
    register's family centres in operation link to (``on_note`` hears of each unit that links
    to none)."""
    from fcatlas.economics.intake import centre_key, read_names
    from fcatlas.economics.payment import Centre, link_register_units
    from fcatlas.economics.store import match_centres

    if (names_file is None) == (not from_register):
        raise ConfigError("ange antingen --vardcentraler FIL eller --fran-registret")
    listed = listed_table(url=url, years=[year])
    if listed.empty:
        raise ConfigError(f"det finns inga listade barn för {year} i databasen; importera med 'fcatlas listade import'")
    if names_file is not None:
        names = read_names(names_file)
        found, bad = match_centres([(n.row, n.name) for n in names], listed)
        if bad:
            col = names[0].column
            raise problems_error(names_file, [Problem(str(names_file), r, col, why) for r, _, why in bad])
        ids = [found[n.name] for n in names]
    else:
        from fcatlas.register.store import Register

        reg = Register.open(url)
        try:
            units = reg.list_units(category="familjecentral", status="i_drift")
        finally:
            reg.close()
        if units.empty:
            raise ConfigError("registret har inga familjecentraler i drift")
        links, unlinked = link_register_units(units, listed, centre_key)
        for _, why in unlinked:
            if on_note:
                on_note(why)
        if not links:
            raise ConfigError("ingen familjecentral i registret kunde kopplas till en vårdcentral med listade")
        ids = sorted(set(links.values()))
    by_id = listed.set_index("centre_id")
    out = []
    for cid in ids:
        row: Any = by_id.loc[cid]
        women = row["women"]
        out.append(Centre(str(row["name"]), int(row["children"]), None if pd.isna(women) else int(women)))
    return out


def settle_visit_file(*, file: Path, year: int | None, price: int, url: str | None) -> Any:
    """The settlement (:func:`fcatlas.economics.visits.settle`) of a file of visits between
    centres at ``price`` kronor per visit: one year (``year``, or the file's only year). One
    spelling per centre; with ``url`` the names are checked against the listed centres and
    written as stored."""
    from fcatlas.economics.intake import centre_key, read_visits
    from fcatlas.economics.visits import Visits, settle

    rows = read_visits(file)
    if year is not None:
        no_year = [r for r in rows if r.year is None]
        if no_year:
            raise InputFileError(file, "kolumnen År saknas eller är tom; --ar kan inte användas", row=no_year[0].row)
        rows = [r for r in rows if r.year == year]
        if not rows:
            raise ConfigError(f"filen har inga besök år {year}")
    else:
        years = sorted({r.year for r in rows if r.year is not None})
        if len(years) > 1:
            raise ConfigError("filen har besök från flera år (" + ", ".join(map(str, years)) + "); välj ett med --ar")
    # one spelling per centre ("Mora" = "Vårdcentral Mora"): the stored name, else the first seen
    canonical: dict[str, str] = {}
    for r in rows:
        for n in (r.listed_at, r.visited):
            canonical.setdefault(centre_key(n), n)
    if url is not None:
        canonical = _stored_names(url, file, rows, canonical, year)
    name = {n: canonical[centre_key(n)] for r in rows for n in (r.listed_at, r.visited)}
    return settle([Visits(name[r.listed_at], name[r.visited], r.count) for r in rows], price)


def _stored_names(url: str, file: Path, rows: list[Any], canonical: dict[str, str],
                  year: int | None) -> dict[str, str]:
    """Every centre of a visits file matched to a listed centre (the year's, else the latest
    year's); an unknown name is a problem on each row where it stands."""
    from fcatlas.economics.intake import centre_key
    from fcatlas.economics.store import match_centres

    with _listed_store(url) as store:
        years_db = store.years()
        if not years_db:
            raise ConfigError("databasen har inga listade vårdcentraler att pröva namnen mot")
        listed = store.frame([year if year is not None and year in years_db else years_db[-1]])
    found, bad = match_centres([(None, n) for n in canonical.values()], listed)
    if bad:
        unknown = {centre_key(name): why for _, name, why in bad}
        problems = [Problem(str(file), r.row, col, unknown[centre_key(val)])
                    for r in rows for col, val in (("Listad vid", r.listed_at), ("Besökt", r.visited))
                    if centre_key(val) in unknown]
        raise problems_error(file, problems)
    stored = dict(zip(listed["centre_id"], listed["name"], strict=True))
    return {k: str(stored[found[n]]) for k, n in canonical.items()}
