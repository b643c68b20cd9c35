"""Issue 13: the needs and situation analysis (``fcatlas rapport``).

Every figure in the report is read back out of the HTML (``data-key``/``data-value``) and
compared with the atlas's ``summary.json``/``areas.csv`` (written by ``fcatlas atlas`` on the
same data) and with the grant store.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fcatlas.domain import GOVERNANCE_FIELDS

GOV_HEADERS = ["Styrgrupp", "Samordnare", "Skriftligt samverkansavtal", "Gemensam verksamhetsplan",
               "Gemensam uppföljning", "Gemensamma möten för alla aktörer"]
GOV_VALUES = ["Ja", "JA", "x", "nej", "-", "", "okänt", "Nej"]

def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The ``fcatlas`` command as a user runs it (in-process, :mod:`cli_runner`)."""
    from cli_runner import fcatlas

    return fcatlas(*args)


def read_areas_csv(path: Path) -> pd.DataFrame:
    """:func:`fcatlas.outputs.atlas.read_areas_csv`, imported when first used: the outputs module
    loads matplotlib, which collecting the tests need not."""
    from fcatlas.outputs.atlas import read_areas_csv as read

    return read(path)


class _Figures(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, str] = {}
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "data-key" in a:
            key = str(a["data-key"])
            assert key not in self.figures or self.figures[key] == a.get("data-value"), f"{key} twice, different"
            self.figures[key] = str(a.get("data-value") or "")
        for attr in ("src", "href"):
            v = a.get(attr) or ""
            if re.match(r"^(https?:)?//", v):
                self.external.append(v)


def figures(html: str) -> _Figures:
    p = _Figures()
    p.feed(html)
    return p


def _num(v: str) -> float | None:
    return None if v == "" else float(v)


@pytest.fixture(scope="module")
def demo_case(demo_bundle, tmp_path_factory):
    """The demo bundle, a register with two rounds (the second with governance columns) and a
    grant report; ``fcatlas atlas`` and ``fcatlas rapport`` run on the same data."""
    from fcatlas.geography.demo import write_demo_register
    from fcatlas.grants.followup import ReportData
    from fcatlas.grants.store import GrantStore
    from fcatlas.register.store import Register

    d = tmp_path_factory.mktemp("report")
    src = write_demo_register(demo_bundle, d / "enheter.csv")
    df = pd.read_csv(src, sep=";", dtype=str, keep_default_na=False)
    first = d / "enheter_2025.csv"
    df.iloc[:-1].to_csv(first, sep=";", index=False)
    gov = df.copy()
    for j, h in enumerate(GOV_HEADERS):
        gov[h] = [GOV_VALUES[(i + j) % len(GOV_VALUES)] for i in range(len(gov))]
    second = d / "enheter_2026.csv"
    gov.to_csv(second, sep=";", index=False)
    db = d / "register.sqlite"
    with Register.open(f"sqlite:///{db}") as reg:
        assert reg.import_file(first, round=2025, user="t").n_rejected == 0
        assert reg.import_file(second, round=2026, user="t").n_rejected == 0
    store = GrantStore.open(f"sqlite:///{db}")
    store.open_year(2026, {"20": 1_500_000})
    store.submit(ReportData(region_code="20", year=2026, amount_received_sek=1_500_000,
                            uses={"coordinator": 900_000, "needs_analysis": 100_000}, fte=Decimal("1.0"),
                            role="Länssamordnare", unused_sek=500_000))
    store.open_year(2027, {"20": 1_600_000})
    grants = store.frame()
    store.close()
    text = d / "egen.md"
    text.write_text("Vår **bakgrund** <script>alert(1)</script>\n\n<!-- plats: rekommendationer -->\n"
                    "* Starta en familjecentral i Hedemora\n", encoding="utf-8")
    bundle = str(demo_bundle.path)
    r = run_cli("atlas", "--bundle", bundle, "--db", str(db), "--lan", "20", "--out", str(d / "atlas"), "--maps", "none")
    assert r.returncode == 0, r.stderr
    r = run_cli("rapport", "--bundle", bundle, "--db", str(db), "--lan", "20", "--out", str(d / "rapport"),
                "--text", str(text))
    assert r.returncode == 0, r.stderr
    return {"dir": d, "db": db, "gov": gov, "grants": grants, "bundle": demo_bundle,
            "summary": json.loads((d / "atlas" / "summary.json").read_text(encoding="utf-8")),
            "areas": read_areas_csv(d / "atlas" / "areas.csv"),
            "html": (d / "rapport" / "rapport.html").read_text(encoding="utf-8"),
            "pdf": d / "rapport" / "rapport.pdf"}


def test_every_summary_figure_equals_summary_json(demo_case):
    f = figures(demo_case["html"]).figures
    s = demo_case["summary"]
    checked = 0
    for key, value in f.items():
        if not key.startswith("summary."):
            continue
        name = key.removeprefix("summary.")
        if name in s and isinstance(s[name], int | float) and not isinstance(s[name], bool):
            assert _num(value) == s[name], key
        elif name.startswith("n_") and name[2:] in s:
            assert _num(value) == len(s[name[2:]]), key
        elif name == "coverage_share":
            assert _num(value) == pytest.approx(s["children_0_6_covered"] / s["children_0_6_coverage_known"], abs=1e-5)
        elif name == "children_0_6_coverage_unknown":
            assert _num(value) == s["children_0_6_total"] - s["children_0_6_coverage_known"]
        elif name in ("population", "population_exclusion", "population_exclusion_share"):
            a = demo_case["areas"]
            pop, exc = a["population"].sum(), a.loc[a["exclusion"], "population"].sum()
            want = {"population": pop, "population_exclusion": exc, "population_exclusion_share": exc / pop}[name]
            assert _num(value) == pytest.approx(want, rel=1e-5), key
        else:
            raise AssertionError(f"okänd nyckel {key}")
        checked += 1
    assert checked >= 15
    for cat, by_status in s["units_by_category"].items():
        assert _num(f[f"units.{cat}.i_drift"]) == by_status["i_drift"]
    assert _num(f["units.planerad"]) == sum(v["planerad"] for v in s["units_by_category"].values())


def test_kommun_children_coverage_and_gaps_equal_areas_csv(demo_case):
    f = figures(demo_case["html"]).figures
    a = demo_case["areas"]
    cov = a["covered"].astype("boolean")
    year = demo_case["summary"]["parameters"]["year"]
    for k, g in a.groupby("kommun_code"):
        c = g["covered"].astype("boolean")
        assert _num(f[f"group.{k}.children_0_6"]) == g["children_0_6"].sum()
        assert _num(f[f"children.{year}.{k}.children_0_6"]) == g["children_0_6"].sum()
        assert _num(f[f"group.{k}.children_0_6_covered"]) == g.loc[c.fillna(False).astype(bool), "children_0_6"].sum()
        assert _num(f[f"group.{k}.n_exclusion_areas"]) == g["exclusion"].sum()
        assert _num(f[f"group.{k}.children_0_6_exclusion"]) == g.loc[g["exclusion"], "children_0_6"].sum()
        assert _num(f[f"children.{year}.{k}.children_0_6_exclusion"]) == g.loc[g["exclusion"], "children_0_6"].sum()
        for t in range(1, 6):
            assert _num(f[f"otyp.{year}.{k}.{t}"]) == (g["omradestyp"] == t).sum()
    gaps = a.loc[a["exclusion"] & ~cov.fillna(True).astype(bool)]
    shown = {k.split(".")[1] for k in f if k.startswith("gap.")}
    assert shown == set(gaps["regso_code"]) == set(demo_case["summary"]["exclusion_areas_without_centre"])
    for r in gaps.itertuples():
        assert _num(f[f"gap.{r.regso_code}.children_0_6"]) == r.children_0_6
        assert _num(f[f"gap.{r.regso_code}.nearest_centre_km"]) == pytest.approx(r.nearest_centre_km, abs=1e-3)
    ranks = sorted((int(_num(f[f"gap.{c}.rank"]) or 0), -_num(f[f"gap.{c}.children_0_6"])) for c in shown)
    assert [r for r, _ in ranks] == list(range(1, len(shown) + 1))
    assert [c for _, c in ranks] == sorted(c for _, c in ranks)  # most children first


def test_similar_areas_have_a_centre_within_reach(demo_case):
    f = figures(demo_case["html"]).figures
    a = demo_case["areas"].set_index("regso_code")
    gaps = set(demo_case["summary"]["exclusion_areas_without_centre"])
    shown = {k: v for k, v in f.items() if k.startswith("similar.") and k.endswith(".regso_code")}
    assert shown
    assert {k.split(".")[1] for k in shown} == gaps  # every gap has its places to learn from
    for key, code in shown.items():
        _, gap, rank, _ = key.split(".")
        assert 1 <= int(rank) <= 3
        assert bool(a.loc[code, "covered"]) is True  # a centre within reach
        assert a.loc[code, "kommun_code"] != a.loc[gap, "kommun_code"]  # elsewhere
        assert _num(f[f"similar.{gap}.{rank}.children_0_6"]) == a.loc[code, "children_0_6"]
        assert _num(f[f"similar.{gap}.{rank}.omradestyp"]) == a.loc[code, "omradestyp"]


def test_grant_figures_equal_the_grant_store(demo_case):
    f = figures(demo_case["html"]).figures
    g = demo_case["grants"]
    assert len(g) == 2
    for r in g.itertuples():
        k = f"grant.{r.region_code}.{r.year}"
        assert _num(f[f"{k}.amount_received_sek"]) == r.amount_received_sek
        assert _num(f[f"{k}.used_sek"]) == r.used_sek
        assert _num(f[f"{k}.coordinator_sek"]) == r.coordinator_sek
        assert _num(f[f"{k}.needs_analysis_sek"]) == r.needs_analysis_sek
    assert "Inskickad" in demo_case["html"] and "Ej påbörjad" in demo_case["html"]


def test_governance_counts_come_from_the_register(demo_case):
    f = figures(demo_case["html"]).figures
    from fcatlas.register.intake import governance_value
    from fcatlas.register.store import Register

    with Register.open(f"sqlite:///{demo_case['db']}") as reg:
        u = reg.list_units()
    centres = u.loc[(u["status"] == "i_drift") & u["category"].isin(["familjecentral", "familjecentralsliknande"])]
    for field, header in zip(GOVERNANCE_FIELDS, GOV_HEADERS, strict=True):
        # the stored values are the file's values parsed (Ja/JA/x → ja, nej → nej, -/blank/okänt → okänt)
        by_name = dict(zip(demo_case["gov"]["Namn"], demo_case["gov"][header], strict=True)) \
            if "Namn" in demo_case["gov"] else None
        if by_name:
            for r in u.itertuples():
                want = governance_value(by_name[r.name])
                got = getattr(r, field)
                assert (None if pd.isna(got) else bool(got)) == want
        v = centres[field]
        assert _num(f[f"gov.{field}.n_yes"]) == int((v == True).sum())  # noqa: E712
        assert _num(f[f"gov.{field}.n_no"]) == int((v == False).sum())  # noqa: E712
        assert _num(f[f"gov.{field}.n_unknown"]) == int(v.isna().sum())
    assert "9 av 10 har ett skriftligt samverkansavtal" in demo_case["html"]
    assert "96 % har gemensamma möten" in demo_case["html"]


def test_round_change_and_own_words(demo_case):
    html = demo_case["html"]
    assert "Förändringar från inventeringsomgång 2025 till 2026" in html
    assert "Regionens egen text" in html and "<strong>bakgrund</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Regionens slutsatser och fortsatt arbete" in html and "Starta en familjecentral i Hedemora" in html


def test_html_is_self_contained(demo_case):
    p = figures(demo_case["html"])
    assert p.external == []
    assert "url(http" not in demo_case["html"] and "@import" not in demo_case["html"]
    assert demo_case["html"].count('src="data:image/png;base64,') == 4


def test_pdf_renders_and_first_pages_convert_to_png(demo_case, tmp_path):
    pdf = demo_case["pdf"]
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert shutil.which("pdftoppm"), "poppler (pdftoppm) saknas"
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "4", "-png", str(pdf), str(tmp_path / "s")], check=True)
    pages = sorted(tmp_path.glob("s-*.png"))
    assert len(pages) == 4 and all(p.stat().st_size > 2000 for p in pages)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Sida 1 av" in text and "Innehåll" in text and "SYNTETISKA EXEMPELDATA" in text
    # the table of contents carries page numbers
    assert re.search(r"Sammanfattning\s*\.*\s*\d+", text)


def test_register_without_governance_columns_says_unknown(demo_bundle, tmp_path):
    from fcatlas.geography.demo import write_demo_register
    from fcatlas.outputs.report import render_html
    from fcatlas.register.store import Register
    from fcatlas.services.report import build_report

    src = write_demo_register(demo_bundle, tmp_path / "enheter.csv")
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    with Register.open(db) as reg:
        reg.import_file(src, round=2026, user="t")
    rep = build_report(demo_bundle, db_url=db, lan="20")
    html = render_html(rep)
    f = figures(html).figures
    base = rep.tables.governance_base
    assert base > 0
    for field in GOVERNANCE_FIELDS:
        assert _num(f[f"gov.{field}.n_unknown"]) == base
        assert _num(f[f"gov.{field}.n_yes"]) == 0 and _num(f[f"gov.{field}.n_no"]) == 0
        assert f"gov.{field}.share_yes" not in f  # no share of nothing
    assert "uppgifterna är <strong>okända</strong>, inte noll" in html
    assert "Databasen har inga uppgifter om statsbidraget" in html
    assert "Registret har bara en inventeringsomgång (2026)" in html
    assert "ingen textfil angavs" in html


def _prognos_csv(bundle: str, *args: str) -> pd.DataFrame:
    """``fcatlas ekonomi prognos … --format csv`` as a table, one row per unit and year."""
    import io

    r = run_cli("ekonomi", "prognos", "--bundle", bundle, *args, "--format", "csv")
    assert r.returncode == 0, r.stderr
    return pd.read_csv(io.StringIO(r.stdout), dtype={"kod": str, "kommun_code": str})


def _latest_and_2030(p: pd.DataFrame) -> dict[str, dict[str, int]]:
    out = {}
    for kod, g in p.groupby("kod"):
        obs = g.loc[~g["prognos"]].sort_values("ar").iloc[-1]
        fc = g.loc[g["prognos"] & (g["ar"] == 2030)].iloc[0]
        out[str(kod)] = {"last_year": int(obs["ar"]), "last": int(obs["barn_0_6"]), "forecast": int(fc["barn_0_6"]),
                         "low": int(fc["lag"]), "high": int(fc["hog"]),
                         "change": int(fc["barn_0_6"]) - int(obs["barn_0_6"])}
    return out


def test_outlook_section_equals_the_prognos_command(demo_case):
    """Issue 15, item 5: the report's 'where need grows or shrinks' shows `fcatlas ekonomi prognos`."""
    html = demo_case["html"]
    f = figures(html).figures
    bundle = str(demo_case["bundle"].path)
    kom = _latest_and_2030(_prognos_csv(bundle, "--lan", "20"))
    assert len(kom) == len({k for k in demo_case["areas"]["kommun_code"]})
    for kod, v in kom.items():
        for name in ("last", "forecast", "low", "high", "change"):
            assert _num(f[f"outlook.kommun.{kod}.{name}"]) == v[name], (kod, name)
    assert _num(f["outlook.n_kommuner_up"]) == sum(v["change"] > 0 for v in kom.values())
    assert _num(f["outlook.n_kommuner_down"]) == sum(v["change"] < 0 for v in kom.values())
    assert "Var behovet växer eller minskar" in html and "PROGNOS, inte utfall" in html
    assert "Metod: linjär trend (minsta kvadrat) över åren 2020–2023" in html
    assert "barn 0–6 år per RegSO 2020–2023" in html  # source and vintage of the outlook
    # the areas growing most: the same figures, exclusion areas first, largest growth first
    reg = _latest_and_2030(_prognos_csv(bundle, "--lan", "20", "--niva", "regso"))
    shown = list(dict.fromkeys(k.split(".")[2] for k in f if k.startswith("outlook.regso.")))
    assert shown
    excl = demo_case["areas"].set_index("regso_code")["exclusion"].astype(bool)
    flags = [bool(excl[c]) for c in shown]
    assert flags == sorted(flags, reverse=True)
    for flag in (True, False):
        part = [c for c in shown if bool(excl[c]) is flag]
        growth = {c: v["change"] for c, v in reg.items() if bool(excl[c]) is flag and v["change"] > 0}
        best = sorted(growth, key=lambda c: (-growth[c], c))[:10]
        assert part == best
    for c in shown:
        for name in ("last", "forecast", "low", "high", "change"):
            assert _num(f[f"outlook.regso.{c}.{name}"]) == reg[c][name], (c, name)


def test_atlas_outlook_sheet_equals_the_prognos_command(demo_case):
    """Issue 15, item 5: atlas.xlsx has 'Prognos barn 0–6' per kommun and RegSO, equal to the command."""
    import openpyxl

    from fcatlas.outputs.excel import SHEET_OUTLOOK

    wb = openpyxl.load_workbook(demo_case["dir"] / "atlas" / "atlas.xlsx")
    ws = wb[SHEET_OUTLOOK]
    note = str(ws["A1"].value)
    assert note.startswith("PROGNOS, inte utfall") and "Metod: linjär trend" in note
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref.startswith("A2:")
    assert ws.auto_filter.ref.split(":")[1].rstrip("0123456789") == openpyxl.utils.get_column_letter(ws.max_column)
    headers = [c.value for c in ws[2]]
    rows = [dict(zip(headers, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=3)]
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)
    bundle = str(demo_case["bundle"].path)
    for level, niva in (("Kommun", "kommun"), ("RegSO", "regso")):
        want = _latest_and_2030(_prognos_csv(bundle, "--lan", "20", "--niva", niva))
        got = {r["Kod"]: r for r in rows if r["Nivå"] == level}
        assert set(got) == set(want)
        for kod, v in want.items():
            g = got[kod]
            assert (g["Senaste observerade år"], g["Barn 0–6 år senaste år (utfall)"], g["Prognosår"],
                    g["PROGNOS barn 0–6 år"], g["PROGNOS lågt"], g["PROGNOS högt"],
                    g["Förändring (prognos − senaste)"]) == (v["last_year"], v["last"], 2030, v["forecast"],
                                                             v["low"], v["high"], v["change"]), kod
    excl = demo_case["areas"].set_index("regso_code")["exclusion"].astype(bool)
    assert all(r["Utanförskapsområde"] == ("Ja" if excl[r["Kod"]] else "Nej") for r in rows if r["Nivå"] == "RegSO")


def test_national_overview_lists_every_lan(demo_case, tmp_path):
    from fcatlas.outputs.report import render_html
    from fcatlas.services.report import build_report

    rep = build_report(demo_case["bundle"], db_url=f"sqlite:///{demo_case['db']}")
    html = render_html(rep)
    f = figures(html).figures
    assert rep.tables.scope == "national" and rep.tables.group == "lan"
    for code in rep.run.result.lan["lan_code"]:
        assert f"group.{code}.children_0_6" in f
    assert "Nationell översikt" in html
    assert _num(f["summary.children_0_6_total"]) == rep.run.result.summary["children_0_6_total"]
    # the outlook covers every kommun of the country
    assert rep.outlook is not None and set(rep.outlook.kommuner["kod"]) == set(rep.run.result.kommuner["kommun_code"])
    assert all(f"outlook.kommun.{k}.forecast" in f for k in rep.outlook.kommuner["kod"])


def test_text_file_errors_are_swedish(tmp_path):
    from fcatlas.errors import InputFileError
    from fcatlas.outputs.report.markdown import read_text_sections

    p = tmp_path / "t.md"
    p.write_text("a\n<!-- plats: okänd -->\nb\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"rad 2.*okänd plats"):
        read_text_sections(p)
    with pytest.raises(InputFileError, match="finns inte"):
        read_text_sections(tmp_path / "saknas.md")
    p.write_bytes("å".encode("latin-1"))
    with pytest.raises(InputFileError, match="UTF-8"):
        read_text_sections(p)


@pytest.fixture(scope="module")
def dalarna_report(real_bundle, shared_data, tmp_path_factory):
    from fcatlas.register.store import Register
    from fcatlas.services.report import build_report, write_report

    d = tmp_path_factory.mktemp("dalarna")
    db = f"sqlite:///{d / 'register.sqlite'}"
    with Register.open(db) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", user="t")
    rep = build_report(real_bundle, db_url=db, lan="20")
    files = write_report(rep, d / "rapport")
    return rep, files


def test_dalarna_report_on_the_real_bundle(dalarna_report):
    rep, files = dalarna_report
    html = files["html"].read_text(encoding="utf-8")
    f = figures(html).figures
    s = rep.run.result.summary
    assert _num(f["units.familjecentral.i_drift"]) == 9  # Region Dalarna's nine centres
    assert _num(f["summary.kommuner_total"]) == 15
    assert _num(f["summary.n_kommuner_with_centre"]) == 8
    for k in ("exclusion_areas_total", "exclusion_areas_covered", "children_0_6_in_exclusion_areas",
              "children_0_6_in_exclusion_areas_covered", "children_0_6_total"):
        assert _num(f[f"summary.{k}"]) == s[k]
    assert "Smedjebacken" in html and "Vansbro" in html  # kommuner without an operating centre
    assert "(skattat)" in html  # the shared data has no age breakdown
    assert "okända" in html  # dalarna_2026.csv has no governance columns
    assert _num(f["summary.areas_total"]) == 119  # Dalarna's 119 RegSO
    assert files["pdf"].stat().st_size > 50_000


@given(st.text(alphabet=st.sampled_from(list("<>/\"'=&!()[]*#-_ \nabcimgscrptonerlhf:")), max_size=200))
def test_own_words_never_become_markup_or_requests(text):
    from fcatlas.outputs.report.markdown import to_html

    html = to_html(text).lower()
    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    assert "javascript:" not in re.sub(r">[^<]*<", "><", html)  # only inside text, never an attribute


@given(st.text(max_size=30))
def test_governance_cell_is_yes_no_unknown_or_a_row_error(text):
    from fcatlas.register.intake import _RowError, governance_value

    try:
        v = governance_value(text, "Styrgrupp")
    except _RowError as exc:
        assert exc.column == "Styrgrupp"
    else:
        assert v in (True, False, None)
