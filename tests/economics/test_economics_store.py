"""Listed children in the database (SQLite and PostgreSQL): import, re-import of a year, nothing
half-stored, the migration matching the models."""

from __future__ import annotations

from pathlib import Path

import dalarna
import pytest

from fcatlas.economics.intake import read_listed
from fcatlas.economics.store import ListedStore
from fcatlas.errors import InputFileError


def test_import_and_reimport_of_a_year_replaces_it(db_url: str, tmp_path: Path) -> None:
    store = ListedStore.open(db_url)
    try:
        s = store.replace(read_listed(dalarna.write_csv(tmp_path / "all.csv")), source="all.csv")
        assert s.years == [2020, 2021, 2022, 2023, 2024, 2025] and s.rows == 28 + 29 * 5
        df = store.frame()
        assert int(df.loc[df["year"] == 2020, "children"].sum()) == 22_054
        assert int(df.loc[df["year"] == 2025, "children"].sum()) == 18_266
        # a corrected 2025 with only two centres replaces the whole year, other years stay
        f = tmp_path / "2025.csv"
        f.write_text("Kommunkod;Vårdcentral;År;Listade barn 0-6\n2080;Vårdcentral Britsarvet;2025;950\n"
                     "2081;Vårdcentral Jakobsgårdarna;2025;1100\n", encoding="utf-8")
        s = store.replace(read_listed(f), source=f.name)
        assert s.years == [2025] and s.replaced == {2025: 29}
        df = store.frame()
        assert sorted(df.loc[df["year"] == 2025, "children"]) == [950, 1100]
        assert df.loc[df["year"] == 2025, "women"].isna().all()
        assert int(df.loc[df["year"] == 2020, "children"].sum()) == 22_054
        assert store.years() == [2020, 2021, 2022, 2023, 2024, 2025]
    finally:
        store.close()


def test_a_file_with_a_bad_row_stores_nothing(db_url: str, tmp_path: Path, cli) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("Vårdcentral;Kommun;År;Listade barn 0–6\nVårdcentral Orsa;Orsa;2024;390\n"
                 "Vårdcentral Mora;Mora;2024;-5\nVårdcentral X;Atlantis;2024;10\n", encoding="utf-8")
    r = cli("listade", "import", f, "--db", db_url)
    assert r.returncode == 1
    assert "rad 3, kolumn 'Listade barn 0–6': antalet listade barn 0–6 är negativt (-5)" in r.stderr
    assert "rad 4, kolumn 'Kommun'" in r.stderr and "Traceback" not in r.stderr
    store = ListedStore.open(db_url)
    try:
        assert store.frame().empty
    finally:
        store.close()


def test_migration_matches_the_models(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from fcatlas.db import Base

    store = ListedStore.open(db_url)
    try:
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert [d for d in diff if "economics_" in repr(d)] == []
    finally:
        store.close()


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("Vårdcentral;Kommun;År;Listade barn 0–6\nVC A;Falun;20x5;10\n", "rad 2, kolumn 'År'"),
        ("Vårdcentral;Kommun;År;Listade barn 0–6\nVC A;Falun;2025;1,5\n", "rad 2, kolumn 'Listade barn 0–6'"),
        ("Vårdcentral;Kommun;År;Listade barn 0–6;Regi\nVC A;Falun;2025;10;kommunal\n", "rad 2, kolumn 'Regi'"),
        ("Vårdcentral;Kommun;År;Listade barn 0–6\nVC A;Falun;2025;10\nVårdcentral A;Falun;2025;11\n", "rad 3"),
        ("Vårdcentral;Kommun;År\nVC A;Falun;2025\n", "rad 1: kolumnen 'Listade barn 0–6' saknas"),
    ],
)
def test_listed_file_errors_name_row_and_column(tmp_path: Path, text: str, where: str) -> None:
    f = tmp_path / "l.csv"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        read_listed(f)
    assert where in str(err.value)


def test_xlsx_with_a_title_row_and_cp1252_csv_are_read(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Listade barn per vårdcentral 2025"])
    ws.append([])
    ws.append(["Kommunkod", "Vårdcentral", "År", "Listade barn 0-6 år", "Listade kvinnor 16-54 år"])
    ws.append([2080, "Vårdcentral Britsarvet", 2025, 950, 2400])
    wb.save(tmp_path / "l.xlsx")
    rows = read_listed(tmp_path / "l.xlsx")
    assert [(r.row, r.kommun_code, r.children, r.women) for r in rows] == [(4, "2080", 950, 2400)]
    f = tmp_path / "l.csv"
    f.write_bytes("Vårdcentral,Kommun,År,Listade barn 0–6\nVårdcentral Särna,Älvdalen,2025,74\n"
                  .replace("–", "-").encode("cp1252"))
    assert read_listed(f)[0].kommun_code == "2039"
