"""Issue 22 (8): downloads for people (Swedish headers and labels, ';', BOM, decimal comma; xlsx
with a filter and a frozen header), the import template, and last year's list as the starting
file — imported again unchanged, it changes nothing."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from fcatlas.accounts.roles import Actor, Level
from fcatlas.db import unit_of_work
from fcatlas.fmt import today
from fcatlas.services import downloads, imports, rounds, units

NAT = Actor.national("n@socialstyrelsen.se")
H20 = Actor.region_user("h20@regiondalarna.se", lan_code="20", level=Level.HANDLAGGARE)


def test_issue22_table_download_is_for_people(reg):
    with unit_of_work(reg.engine) as s:
        df = units.visible_units(s, actor=NAT, lan="20").items[["name", "category", "mvc", "lat", "status"]]
    csv = downloads.table_file(df, fmt="csv")
    text = csv.content.decode("utf-8")
    assert text.startswith("\ufeffNamn;Kategori;MVC;Latitud;Status")
    assert ";Familjecentral;ja;60,62" in text and "True" not in text and "i_drift" not in text
    book = openpyxl.load_workbook(io.BytesIO(downloads.table_file(df, fmt="xlsx").content))
    ws = book["Enheter"]
    assert ws["A1"].value == "Namn" and ws.freeze_panes == "A2" and ws.auto_filter.ref


def test_issue22_template_and_starting_file_round_trip(reg):
    template = downloads.import_template().content.decode("utf-8-sig")
    assert template.startswith("Id;Namn;Kommunkod;Kommun;Adress") and template.count("\n") == 1
    eng = reg.engine
    with unit_of_work(eng) as s:
        rounds.open_round(s, actor=NAT, name=2027, deadline=today() + dt.timedelta(days=30))
        start = downloads.starting_file(s, actor=H20, lan="20")
    with unit_of_work(eng) as s:
        p = imports.preview(s, actor=H20, name=2027, lan="20", file_name=start.file_name, content=start.content)
    assert p.rejected == [] and p.closed == [] and p.new == [] and p.n_changed == 0, p.changed


def test_issue23_people_download_keeps_missing_values_empty():
    """A nullable column with missing values (pandas' NA, e.g. an area's distance where no centre
    is measured) is an empty cell, never a server error (Örebro's area download gave 500)."""
    import pandas as pd

    from fcatlas.outputs.register_export import people_frame

    df = pd.DataFrame({"nearest_centre_km": pd.array([1.5, None], dtype="Float64"),
                       "exclusion": pd.array([True, None], dtype="boolean")})
    out = people_frame(df, decimal_comma=True)
    assert out.iloc[:, 0].tolist() == ["1,5", ""] and out.iloc[:, 1].tolist() == ["ja", ""]
