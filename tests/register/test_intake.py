"""Intake of regions' files in their own shape: encodings, separators, aliases, categories,
coordinates (WGS 84 / SWEREF 99 TM), postal codes, row-level rejections with file/row/column."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from fcatlas.errors import InputFileError
from fcatlas.register import intake
from fcatlas.register.geocode import Geocoder, check_in_kommun, kommun_point, to_sweref

from .helpers import HEADER, dalarna_lines, write

BRITS = "Familjecentral Britsarvet;Falun;2080;ja;ja;ja;ja;ja;i drift;60.6209423;15.6227411;exakt;"


def parse(path: Path, geocoder: Geocoder | None = None) -> intake.Submission:
    return intake.parse_submission(path, geocoder)


def only_error(sub: intake.Submission) -> intake.RowProblem:
    errors = [p for p in sub.problems if p.severity == "fel"]
    assert len(errors) == 1, errors
    return errors[0]


def test_windows_1252_comma_separated(tmp_path: Path, shared_data: Path) -> None:
    lines = [ln.replace(";", ",") for ln in dalarna_lines(shared_data) if "Anmärkning" in ln or "Älvdalen" in ln]
    lines = [",".join(ln.split(",")[:12]) for ln in lines]  # notes contain commas: drop them
    f = write(tmp_path / "a.csv", lines, encoding="cp1252")
    sub = parse(f)
    assert sub.table.encoding == "cp1252" and sub.table.delimiter == ","
    (u,) = sub.units
    assert u.fields["name"] == "Familjeenheten Älvdalen"
    assert u.fields["category"] == "annan_samverkan"
    assert u.id == "2039-familjeenheten-alvdalen"


def test_utf16_with_bom_and_tabs(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_bytes(("\n".join([HEADER, BRITS]).replace(";", "\t") + "\n").encode("utf-16"))
    sub = parse(f)
    assert sub.table.delimiter == "\t" and [u.fields["name"] for u in sub.units] == ["Familjecentral Britsarvet"]


def test_tolerant_headers_and_values(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", [
        "ENHETSNAMN;kommun;KOMMUN-KOD;BMM;bvc;ÖF;SOC;samlokaliserade;status;lat;lon;Län;Postnummer;Extra",
        "Fc Sopranen;borlänge;2081;x;X;1;✓;Ja;I DRIFT;60,5050581;15,4674607;Dalarnas län;781 70;vad som helst",
        "Fc Norr;Borlänge;2081;;x;;x;nej;Planerad;;;20;;",
    ])
    sub = parse(f)
    # only the word that a unit without position sits at its kommun's point
    assert all("kommunens mittpunkt" in p.reason and p.severity == "varning" for p in sub.problems)
    assert sub.notes == ["Kolumner som inte används: 'Extra'"]
    a, b = sub.units
    assert (a.fields["category"], a.fields["status"], a.fields["postcode"]) == ("familjecentral", "i_drift", "78170")
    assert a.fields["lat"] == 60.5050581
    assert (b.fields["category"], b.fields["status"], b.fields["has_mvc"], b.fields["co_located"]) == (
        "annan_samverkan", "planerad", False, False)
    assert b.fields["precision"] == "kommun"
    assert (b.fields["lat"], b.fields["lon"]) == kommun_point("2081")


def test_typ_column_alone(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", [
        "Namn;Kommunkod;Typ",
        "A;2080;Familjecentral",
        "B;2080;Familjecentralsliknande verksamhet",
        "C;2080;Annan form av samverkan",
        "D;2080;Öppen förskola",
    ])
    sub = parse(f)
    assert sub.notes == ["Kolumnen Status saknas: alla enheter räknas som i drift."]
    a, b, c = sub.units
    assert [u.fields["category"] for u in sub.units] == ["familjecentral", "familjecentralsliknande", "annan_samverkan"]
    assert a.fields["has_mvc"] is True and a.fields["co_located"] is True
    assert (b.fields["has_bvc"], b.fields["has_mvc"], b.fields["co_located"]) == (True, None, True)
    assert (c.fields["has_bvc"], c.fields["co_located"]) == (None, None)
    assert all(u.fields["status"] == "i_drift" for u in sub.units)
    err = only_error(sub)
    assert (err.row, err.column) == (5, "Typ") and "ingen kategori" in err.reason


def test_typ_must_agree_with_services(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", [
        "Namn;Kommunkod;MVC;BVC;ÖF;SOC;Samlokaliserad;Typ",
        "A;2080;ja;ja;ja;ja;nej;familjecentral",
        "B;2080;nej;ja;ja;nej;ja;familjecentralsliknande",
        "C;2080;nej;nej;nej;ja;ja;annan samverkan",
    ])
    sub = parse(f)
    assert [u.fields["name"] for u in sub.units] == ["B"]
    errs = {p.row: p for p in sub.problems}
    assert errs[2].column == "Typ" and "ger annan_samverkan" in errs[2].reason
    assert errs[4].column == "BVC" and "minst två" in errs[4].reason


def test_typ_decides_co_location_when_column_missing(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", [
        "Namn;Kommunkod;MVC;BVC;ÖF;SOC;Typ",
        "A;2080;ja;ja;ja;ja;familjecentral",
        "B;2080;ja;ja;ja;ja;annan samverkan",
        "C;2080;nej;nej;ja;ja;annan samverkan",
        "D;2080;nej;ja;ja;nej;familjecentral",
    ])
    sub = parse(f)
    co = {u.fields["name"]: u.fields["co_located"] for u in sub.units}
    assert co == {"A": True, "B": False, "C": None}
    assert only_error(sub).row == 5


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ("Fc;Falun;2081;ja;ja;ja;ja;ja;i drift;;", "Kommunkod", "stämmer inte med kommunnamnet 'Falun'"),
        ("Fc;Falun;9999;ja;ja;ja;ja;ja;i drift;;", "Kommunkod", "finns inte bland Sveriges 290"),
        ("Fc;Falun;20800;ja;ja;ja;ja;ja;i drift;;", "Kommunkod", "ingen kommunkod"),
        ("Fc;Atlantis;;ja;ja;ja;ja;ja;i drift;;", "Kommun", "ingen kommun heter 'Atlantis'"),
        ("Fc;;;ja;ja;ja;ja;ja;i drift;;", "Kommunkod", "kommun saknas"),
        (";Falun;2080;ja;ja;ja;ja;ja;i drift;;", "Namn", "namn saknas"),
        ("Fc;Falun;2080;ja;kanske;ja;ja;ja;i drift;;", "BVC", "'kanske' är inte ja eller nej"),
        ("Fc;Falun;2080;ja;ja;ja;ja;;i drift;;", "Samlokaliserad", "kan inte klassificeras"),
        ("Fc;Falun;2080;ja;ja;ja;ja;ja;;;", "Status", "status saknas"),
        ("Fc;Falun;2080;ja;ja;ja;ja;ja;stängd för gott;;", "Status", "ingen status"),
        ("Fc;Falun;2080;ja;ja;ja;ja;ja;i drift;60.6;", "Longitud", "bara den ena koordinaten"),
        ("Fc;Falun;2080;ja;ja;ja;ja;ja;i drift;60°37'N;15.6", "Latitud", "inget tal"),
        ("Fc;Falun;2080;ja;ja;ja;ja;ja;i drift;15.62;60.62", "Latitud/Longitud", "omvänd ordning"),
        ("Fc;Falun;2080;ja;ja;ja;ja;ja;i drift;52.52;13.40", "Latitud/Longitud", "ligger inte i Sverige"),
        ("Fc;Falun;2080;ja;ja;ja;ja;ja;i drift;59.3293;18.0686", "Latitud/Longitud",
         "ligger i Stockholm kommun"),
        ("Fc;Falun;2080;ja;ja;ja;ja;ja;i drift;540000;6720000", "Latitud/Longitud", "omvänd ordning"),
        ("Fc;Falun;2080;ja;ja;ja;ja;ja;i drift;57.3;11.3", "Latitud/Longitud", "utanför Sveriges kommuner"),
    ],
)
def test_row_rejections_name_row_column_reason(tmp_path: Path, cells: str, column: str, reason: str) -> None:
    f = write(tmp_path / "a.csv", [
        "Namn;Kommun;Kommunkod;MVC;BVC;Öppen förskola;Socialtjänst;Samlokaliserad;Status;Latitud;Longitud",
        BRITS.rsplit(";", 2)[0],
        cells,
    ])
    sub = parse(f)
    assert [u.fields["name"] for u in sub.units] == ["Familjecentral Britsarvet"]
    err = only_error(sub)
    assert (err.row, err.column) == (3, column)
    assert reason in err.reason, err.reason
    assert err.values["Namn"] == cells.split(";")[0]  # original values kept for the report


def test_lan_must_contain_kommun(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", ["Namn;Kommunkod;Län;Typ", "A;2080;Dalarna;familjecentral",
                                   "B;2080;Region Dalarna;familjecentral", "C;2080;01;familjecentral",
                                   "D;2080;Narnia;familjecentral"])
    sub = parse(f)
    assert [u.fields["name"] for u in sub.units] == ["A", "B"]
    errs = {p.row: p.reason for p in sub.problems}
    assert errs[4] == "Falun kommun ligger i Dalarnas län, inte i Stockholms län"
    assert "inget län" in errs[5]


def test_sweref_coordinates_are_detected_and_kept(tmp_path: Path) -> None:
    e, n = to_sweref(60.6209423, 15.6227411)
    f = write(tmp_path / "a.csv", [
        "Namn;Kommunkod;Typ;N;E", f"A;2080;familjecentral;{n:.2f};{e:.2f}",
        f"B;2080;familjecentral;{n:.0f};{e:.0f}",
    ])
    sub = parse(f)
    a, b = sub.units
    assert a.fields["lat"] == pytest.approx(60.6209423, abs=1e-7)
    assert a.fields["lon"] == pytest.approx(15.6227411, abs=1e-7)
    assert a.fields["precision"] == "exakt"
    assert a.fields["source_coordinates"] == f"SWEREF 99 TM: {n:.2f}; {e:.2f}"
    assert b.fields["lat"] == pytest.approx(60.6209423, abs=1e-5)


def test_xy_columns_accept_either_order(tmp_path: Path) -> None:
    e, n = to_sweref(60.6209423, 15.6227411)
    f = write(tmp_path / "a.csv", ["Namn;Kommunkod;Typ;X;Y", f"A;2080;familjecentral;{n:.1f};{e:.1f}",
                                   f"B;2080;familjecentral;{e:.1f};{n:.1f}", "C;2080;familjecentral;15.62;60.62"])
    sub = parse(f)
    assert [round(u.fields["lat"], 4) for u in sub.units] == [60.6209, 60.6209, 60.62]


def test_tolerance_is_a_parameter(tmp_path: Path) -> None:
    # a point 1.0–1.5 km outside Falun's boundary: accepted with 2 km, rejected with 500 m
    geoms = __import__("fcatlas.register.geocode", fromlist=["_kommun_index"])._kommun_index()[0]
    falun = geoms["2080"]
    from shapely import Point
    b = falun.boundary
    x0, y0 = b.interpolate(0.3, normalized=True).coords[0]
    cand = None
    for dx, dy in ((1200, 0), (-1200, 0), (0, 1200), (0, -1200)):
        p = Point(x0 + dx, y0 + dy)
        if not falun.contains(p) and 1000 < falun.distance(p) < 1500:
            cand = p
            break
    assert cand is not None
    from fcatlas.register.geocode import to_wgs84
    lat, lon = to_wgs84(cand.x, cand.y)
    assert check_in_kommun(lat, lon, "2080", 2000) > 1000
    f = write(tmp_path / "a.csv", ["Namn;Kommunkod;Typ;Latitud;Longitud", f"A;2080;familjecentral;{lat};{lon}"])
    assert len(parse(f).units) == 1
    strict = intake.parse_submission(f, tolerance_m=500)
    assert not strict.units and "tolerans 0.5 km" in only_error(strict).reason


def test_postcode_centroid_and_fallbacks(tmp_path: Path, shared_data: Path) -> None:
    geo = Geocoder.from_path(shared_data / "postnummer")
    assert geo.has_postcodes
    f = write(tmp_path / "a.csv", [
        "Namn;Kommunkod;Typ;Adress;Postnummer;Ort",
        "A;2080;familjecentral;Britsarvsvägen 1;791 71;Falun",
        "B;2080;familjecentral;;;",
        "C;2080;familjecentral;;18600;",  # Vallentuna's postal code: too far from Falun
        "D;2080;familjecentral;;999 99;",  # not in GeoNames
        "E;2080;familjecentral;;7917;",
    ])
    sub = parse(f, geo)
    by = {u.fields["name"]: u.fields for u in sub.units}
    assert by["A"]["precision"] == "ort"  # 791 71 shares its GeoNames point with 73 other Falun codes
    se = __import__("fcatlas.geography.sources.postcodes", fromlist=["x"]).read_geonames(
        shared_data / "postnummer" / "SE.txt").set_index("postal_code")
    assert (by["A"]["lat"], by["A"]["lon"]) == (se.at["79171", "lat"], se.at["79171", "lon"])
    assert by["A"]["address"] == "Britsarvsvägen 1" and by["A"]["locality"] == "Falun"
    assert by["B"]["precision"] == by["C"]["precision"] == by["D"]["precision"] == "kommun"
    warnings: dict[int | None, list[str]] = {}
    for p in sub.problems:
        if p.severity == "varning":
            warnings.setdefault(p.row, []).append(p.reason)
    assert "hör enligt postnummerregistret till kommun 0115" in warnings[4][0]
    assert "ligger i Vallentuna kommun, 158.2 km från Falun kommun" in warnings[4][1]
    assert "finns inte i GeoNames-filen" in warnings[5][0]
    assert "samma punkt som 73 andra postnummer" in warnings[2][0]
    for row in (3, 4, 5):  # every fall back to the kommun point is said in the error report
        assert "placeras i kommunens mittpunkt" in warnings[row][-1]
    assert set(warnings) == {2, 3, 4, 5}
    err = only_error(sub)
    assert (err.row, err.column) == (6, "Postnummer")
    # without a postcode file: kommun point
    plain = parse(f)
    assert {u.fields["precision"] for u in plain.units} == {"kommun"}


def test_precision_column_of_an_export_is_respected(tmp_path: Path) -> None:
    lat, lon = kommun_point("2080")
    f = write(tmp_path / "a.csv", ["name;kommun_code;category;lat;lon;precision",
                                   f"A;2080;familjecentral;{lat};{lon};kommun"])
    (u,) = parse(f).units
    assert u.fields["precision"] == "kommun"


def test_three_digit_kommun_code_from_excel(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", ["Namn;Kommunkod;Typ", "A;180;familjecentral", "B;2080.0;familjecentral"])
    assert [u.fields["kommun_code"] for u in parse(f).units] == ["0180", "2080"]


def test_duplicate_rows_second_is_rejected(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", [HEADER, BRITS, BRITS.replace("Britsarvet", "BRITSARVET ")])
    sub = parse(f)
    assert len(sub.units) == 1
    err = only_error(sub)
    assert err.row == 3 and "samma enhet som rad 2" in err.reason


def test_likely_duplicates_by_name_and_distance(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", [
        "Namn;Kommunkod;Typ;Latitud;Longitud",
        "Familjecentralen Sopranen;2081;familjecentral;60.5050581;15.4674607",
        "Familjecentral Sopranen;2081;familjecentral;60.49;15.42",
        "Barnens hus;2081;familjecentral;60.5052;15.4675",
        "Familjecentralen Sopranen;2080;familjecentral;;",
    ])
    sub = parse(f)
    dups = intake.likely_duplicates(sub.units)
    found = {(u.row, reason.split(" (")[0]) for u, _, reason in dups}
    assert found == {(3, "liknande namn som rad 2"), (4, "ligger 16 m från rad 2")}
    existing = [{"id": "x", "name": "Sopranens familjecentral", "kommun_code": "2081", "lat": 60.5050581,
                 "lon": 15.4674607, "precision": "exakt"}]
    dups = intake.likely_duplicates(sub.units[:1], existing)
    assert [(u.row, other) for u, other, _ in dups] == [(2, "x")]
    assert "befintlig enhet 'x'" in dups[0][2]


def test_explicit_id_column(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", ["Id;Namn;Kommunkod;Typ", "fc-1;A;2080;familjecentral", "fc 2;B;2080;familjecentral"])
    sub = parse(f)
    assert [u.id for u in sub.units] == ["fc-1"]
    assert only_error(sub).column == "Id"


def test_unit_ids_are_stable_and_safe() -> None:
    assert intake.make_unit_id("2039", "Familjeenheten Älvdalen") == "2039-familjeenheten-alvdalen"
    assert intake.make_unit_id("2080", "===") == intake.make_unit_id("2080", "===")
    assert intake.make_unit_id("2080", "===").startswith("2080-x")
    long = intake.make_unit_id("2080", "Familjecentral " * 20)
    assert len(long) <= 100 and long != intake.make_unit_id("2080", "Familjecentral " * 21)


def test_extra_cells_and_control_characters_and_long_cells(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", [
        "Namn;Kommunkod;Typ;Anmärkning",
        "A;2080;familjecentral;ok;överskott",
        "B\x07;2080;familjecentral;",
        "C" * 201 + ";2080;familjecentral;",
        "D;2080;familjecentral;" + "x" * 2001,
        'E;2080;familjecentral;"rad ett\nrad två"',
    ])
    sub = parse(f)
    assert [u.fields["name"] for u in sub.units] == ["E"]
    assert sub.units[0].fields["note"] == "rad ett\nrad två"
    reasons = {p.row: p.reason for p in sub.problems}
    assert "5 celler men rubrikraden 4" in reasons[2]
    assert "styrtecken" in reasons[3]
    assert "201 tecken, högst 200" in reasons[4]
    assert "2001 tecken, högst 2000" in reasons[5]


@pytest.mark.parametrize(
    ("content", "reason", "row"),
    [
        (b"", "filen är tom", None),
        (b"Namn;Kommunkod\r\n", "rubrikrad men inga enheter", None),
        (b"Kommun;Typ\r\nFalun;familjecentral\r\n", "kolumnen Namn saknas", 1),
        (b"Namn;Typ\r\nA;familjecentral\r\n", "Kommunkod eller Kommun saknas", 1),
        (b"Namn;Kommunkod\r\nA;2080\r\n", "eller en kolumn Typ", 1),
        (b"Namn;Kommunkod;MVC;BVC\r\nA;2080;ja;ja\r\n", "tjänstekolumner saknas", 1),
        (b"Namn;Kommunkod;MVC;BVC;\xc3\x96F;SOC\r\nA;2080;ja;ja;ja;ja\r\n", "Samlokaliserad saknas", 1),
        (b"Namn;Kommunkod;Typ;Namn\r\nA;2080;fc;A\r\n", "finns två gånger", 1),
        (b"Namn;Kommunkod;Typ;;X\r\nA;2080;fc;;1\r\n", "saknar namn", 1),
        (b"Namn;Kommunkod;Typ;Lat\r\nA;2080;fc;1\r\n", "inte dess par", 1),
        (b"Namn;Kommunkod;Typ\r\nA;2080;\"fc\r\n", "trasig CSV", 2),
        (b'Namn;Kommunkod;Typ\r\n"A"x;2080;fc\r\n', "trasig CSV", 2),
        (b"Namn;Kommunkod;Typ\r\nA\x00;2080;fc\r\n", "NUL-tecken", 2),
        (b"Namn;Kommunkod;Typ\r\n\x81\x8d\x8f;2080;fc\r\n", "går inte att läsa som UTF-8 eller Windows-1252", 2),
        (b"PK\x03\x04garbage", "Excel-fil", None),
        (b"Namn;Kommunkod;Typ;Kommunnr\r\nA;2080;fc;2080\r\n", "betyder samma sak", 1),
        (b"Namn;Kommunkod;Typ;Kommun kod\r\nA;2080;fc;2080\r\n", "finns två gånger", 1),
    ],
)
def test_file_level_errors(tmp_path: Path, content: bytes, reason: str, row: int | None) -> None:
    f = tmp_path / "lista.csv"
    f.write_bytes(content)
    with pytest.raises(InputFileError) as err:
        intake.parse_submission(f)
    assert reason in err.value.reason, err.value.reason
    assert err.value.file == str(f)
    if row is not None:
        assert err.value.row == row


def test_xlsx_input_with_numbers_dates_and_formulas(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Namn", "Kommunkod", "MVC", "BVC", "Öppen förskola", "Socialtjänst", "Samlokaliserad", "Status",
               "Statusdatum", "Latitud", "Longitud"])
    import datetime as dt
    ws.append(["Familjecentral Britsarvet", 2080, "ja", "ja", "ja", "ja", "ja", "i drift", dt.datetime(2024, 3, 1),
               60.6209423, 15.6227411])
    ws.append(["=cmd|' /C calc'!A0", 2080, 1, 1, 1, 1, 1, "planerad", None, None, None])
    ws.append(["Stockholmsfc", 180, "ja", "ja", "ja", "ja", "ja", "i drift", "2024-13-01", None, None])
    f = tmp_path / "lista.xlsx"
    wb.save(f)
    sub = parse(f)
    assert sub.table.kind == "xlsx"
    a, b = sub.units
    assert a.fields["status_date"] == "2024-03-01" and a.fields["lat"] == 60.6209423
    assert b.fields["name"] == "=cmd|' /C calc'!A0" and b.fields["category"] == "familjecentral"
    err = only_error(sub)
    assert (err.row, err.column) == (4, "Statusdatum")


def test_round_from_filename() -> None:
    assert intake.round_from_filename("dalarna_2026.csv") == 2026
    assert intake.round_from_filename("lista-2023-v2.xlsx") == 2023
    assert intake.round_from_filename("lista.csv") is None
    assert intake.round_from_filename("lista_120261.csv") is None


def test_pluggable_address_geocoder_is_validated(tmp_path: Path) -> None:
    asked: list[tuple[str, str | None, str | None, str]] = []

    def lookup(address: str, postcode: str | None, locality: str | None, kommun: str) -> tuple[float, float] | None:
        asked.append((address, postcode, locality, kommun))
        return {"Britsarvsvägen 1": (60.6209423, 15.6227411), "Sveavägen 1": (59.3293, 18.0686)}.get(address)

    def broken(*_: object) -> tuple[float, float]:
        raise TimeoutError("ingen kontakt")

    f = write(tmp_path / "a.csv", ["Namn;Kommunkod;Typ;Adress;Ort", "A;2080;familjecentral;Britsarvsvägen 1;Falun",
                                   "B;2080;familjecentral;Sveavägen 1;", "C;2080;familjecentral;Okänd väg 3;",
                                   "D;2080;familjecentral;;"])
    sub = intake.parse_submission(f, Geocoder(online=lookup))
    by = {u.fields["name"]: u.fields for u in sub.units}
    assert (by["A"]["precision"], by["A"]["lat"]) == ("adress", 60.6209423)
    assert by["B"]["precision"] == by["C"]["precision"] == by["D"]["precision"] == "kommun"
    assert asked[0] == ("Britsarvsvägen 1", None, "Falun", "2080") and len(asked) == 3
    assert any("ligger i Stockholm kommun" in p.reason for p in sub.problems if p.row == 3)
    failing = intake.parse_submission(f, Geocoder(online=broken))
    assert {u.fields["precision"] for u in failing.units} == {"kommun"}
    assert any("TimeoutError: ingen kontakt" in p.reason for p in failing.problems)
    # off by default
    assert {u.fields["precision"] for u in intake.parse_submission(f).units} == {"kommun"}


def test_xlsx_title_rows_above_header_are_skipped_and_named(tmp_path: Path, shared_data: Path) -> None:
    """Regression: a title in A1 and a blank row 2 (header on row 3) made the whole file fail
    with 'kolumnen Namn saknas'."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Inventering av familjecentraler, Region Dalarna 2026"])
    ws.append([])
    for ln in dalarna_lines(shared_data):
        ws.append(ln.split(";"))
    f = tmp_path / "lista.xlsx"
    wb.save(f)
    sub = parse(f)
    assert sub.table.header_row == 3
    assert len(sub.units) == 15 and not [p for p in sub.problems if p.severity == "fel"]
    assert sub.units[0].row == 4  # row numbers stay those a person sees in Excel
    assert any("Rubrikraden är rad 3" in n for n in sub.notes)


def test_csv_title_line_with_comma_does_not_fool_the_separator(tmp_path: Path) -> None:
    """Regression: the separator was guessed from the first line only, so a title line with a
    comma made a semicolon file unreadable."""
    f = write(tmp_path / "a.csv", ["Region Dalarna, inventering 2026", "", HEADER, BRITS])
    sub = parse(f)
    assert sub.table.delimiter == ";" and sub.table.header_row == 3
    assert [u.row for u in sub.units] == [4]


def test_missing_header_names_the_header_row_not_the_row_above_data(tmp_path: Path) -> None:
    """Regression: the header row in messages was 'first data row − 1', wrong after blank lines."""
    f = write(tmp_path / "a.csv", ["Namn;Ort", "", "", "FC;Falun"])
    with pytest.raises(InputFileError) as e:
        parse(f)
    assert e.value.problem.row == 1


@pytest.mark.parametrize(
    ("written", "code"),
    [("Malung Sälen", "2023"), ("Falu kommun", "2080"), ("Göteborgs stad", "1480"), ("Region Gotland", "0980"),
     ("Ludvika kommun", "2085"), ("Upplands Bro", "0139"), ("Tranås", "0687")],
)
def test_official_and_loosely_written_kommun_names_resolve(tmp_path: Path, written: str, code: str) -> None:
    """Regression: 'Falu kommun', 'Göteborgs stad' or a space for the dash were rejected as unknown."""
    f = write(tmp_path / "a.csv", ["Namn;Kommun;Typ", f"FC Test;{written};familjecentral"])
    sub = parse(f)
    assert [u.fields["kommun_code"] for u in sub.units] == [code], sub.problems


def test_lan_letter_is_understood(tmp_path: Path) -> None:
    """Regression: the län letters (W = Dalarna) were rejected as 'inget län'."""
    f = write(tmp_path / "a.csv", ["Namn;Kommun;Län;Typ", "FC A;Falun;W;familjecentral", "FC B;Falun;AB;familjecentral"])
    sub = parse(f)
    assert [u.fields["name"] for u in sub.units] == ["FC A"]
    err = only_error(sub)
    assert (err.row, err.column) == (3, "Län") and "Stockholms län" in err.reason


@pytest.mark.parametrize("name_header", ["Enhetens namn", "Verksamhetens namn", "Enhet", "Familjecentral"])
def test_issue8_common_name_headers_below_a_title_row(tmp_path: Path, name_header: str) -> None:
    """Region Örebro län's own Excel list: a title row, then 'Enhetens namn' — not found."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Familjecentraler i Örebro län, inventering 2026"])
    ws.append([name_header, "Kommun", "Typ", "Postnummer"])
    ws.append(["Familjecentralen Vivalla", "Örebro", "Familjecentral", "703 44"])
    ws.append(["Familjecentralen Karlskoga", "Karlskoga", "Familjecentralsliknande", ""])
    f = tmp_path / "orebro.xlsx"
    wb.save(f)
    sub = parse(f)
    assert sub.table.header_row == 2 and [u.row for u in sub.units] == [3, 4]
    assert sub.units[0].fields["name"] == "Familjecentralen Vivalla"


def test_issue8_header_not_found_says_what_to_do(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", [
        "Familjecentraler Region Örebro län",
        "Uppdaterad 2026-03-01",
        "Benämning;Kommun;Typ",
        "FC Vivalla;Örebro;familjecentral",
    ])
    with pytest.raises(InputFileError) as e:
        parse(f)
    reason = e.value.problem.reason
    assert "kolumnen Namn saknas" in reason
    assert "Rubrikraden lästes från rad" in reason
    assert "Rad 3 ser ut som rubrikraden ('Benämning', 'Kommun', 'Typ'); läs filen med --rubrikrad 3" in reason
    assert "Kända namn för kolumnen: Namn, Enhet, Enhetens namn" in reason
    near = write(tmp_path / "b.csv", ["Enhetsnamnet;Kommun;Typ", "FC Vivalla;Örebro;familjecentral"])
    with pytest.raises(InputFileError) as e:
        parse(near)
    assert "'Enhetsnamnet' liknar Namn" in e.value.problem.reason
    # --rubrikrad N reads a header that cannot be recognised by itself (here: far down)
    lines = ["Titel"] + [f"rad {i}" for i in range(12)] + ["Namn;Kommun;Typ", "FC Vivalla;Örebro;familjecentral"]
    far = write(tmp_path / "c.csv", lines)
    sub = intake.parse_submission(intake.read_table(far, header_row=14))
    assert [u.fields["name"] for u in sub.units] == ["FC Vivalla"] and sub.units[0].row == 15
    with pytest.raises(InputFileError, match="rad 40 \\(--rubrikrad\\) är tom eller finns inte"):
        intake.read_table(far, header_row=40)


def test_issue8_shared_postcode_points_are_ort_not_postnummer(tmp_path: Path, shared_data: Path) -> None:
    """GeoNames gives all 176 Örebro postcodes one point: five city units stacked into two symbols."""
    geo = Geocoder.from_path(shared_data / "postnummer")
    f = write(tmp_path / "orebro.csv", [
        "Namn;Kommun;Typ;Postnummer",
        "FC Vivalla;Örebro;familjecentral;703 44",
        "FC Baronbackarna;Örebro;familjecentral;702 32",
        "FC Utan;Örebro;familjecentral;",
    ])
    sub = parse(f, geo)
    by = {u.fields["name"]: u.fields for u in sub.units}
    assert by["FC Vivalla"]["precision"] == by["FC Baronbackarna"]["precision"] == "ort"
    assert (by["FC Vivalla"]["lat"], by["FC Vivalla"]["lon"]) == (by["FC Baronbackarna"]["lat"],
                                                                  by["FC Baronbackarna"]["lon"])
    reasons = {p.row: p.reason for p in sub.problems if p.severity == "varning"}
    assert "samma punkt som 175 andra postnummer (ortens mitt)" in reasons[2]
    assert "enheten placeras i kommunens mittpunkt (inga koordinater och inget postnummer)" in reasons[4]
    assert by["FC Utan"]["precision"] == "kommun"


# -- one set of rules: an edit is refused for what an import row is refused for ---------------------

PARITY_HEADER = ("Namn;Kommun;Kommunkod;MVC;BVC;Öppen förskola;Socialtjänst;Samlokaliserad;Status;Statusdatum;"
                 "Postnummer;Latitud;Longitud;Samordnare")
PARITY_BASE = {
    "Namn": "Fc Paritet", "Kommun": "Falun", "Kommunkod": "2080", "MVC": "ja", "BVC": "ja", "Öppen förskola": "ja",
    "Socialtjänst": "ja", "Samlokaliserad": "ja", "Status": "i drift", "Statusdatum": "", "Postnummer": "",
    "Latitud": "60.6209423", "Longitud": "15.6227411", "Samordnare": "",
}


def _parity_row(**cells: str) -> str:
    row = {**PARITY_BASE, **cells}
    return ";".join(row[h] for h in PARITY_HEADER.split(";"))


@pytest.mark.parametrize(
    ("cells", "change"),
    [
        ({"Namn": ""}, {"name": "  "}),
        ({"Namn": "x" * 201}, {"name": "x" * 201}),
        ({"Namn": "Fc\x01Paritet"}, {"name": "Fc\x01Paritet"}),
        ({"Status": "pausad"}, {"status": "pausad"}),
        ({"Statusdatum": "2026-13-01"}, {"status_date": "2026-13-01"}),
        ({"Statusdatum": "0001"}, {"status_date": "0001"}),
        ({"Postnummer": "ABC"}, {"postcode": "ABC"}),
        ({"BVC": "kanske"}, {"bvc": "kanske"}),
        ({"MVC": "nej", "BVC": "nej", "Socialtjänst": "nej"}, {"mvc": False, "bvc": False, "soc": False}),
        ({"Samordnare": "kanske"}, {"gov_coordinator": "kanske"}),
        ({"Latitud": "59.3293", "Longitud": "18.0686"}, {"lat": 59.3293, "lon": 18.0686}),
        ({"Latitud": "52.52", "Longitud": "13.40"}, {"lat": 52.52, "lon": 13.40}),
        ({"Latitud": "15.62", "Longitud": "60.62"}, {"lat": 15.62, "lon": 60.62}),
    ],
    ids=["blank-name", "long-name", "control-char", "status", "date", "year", "postcode", "yes-no",
         "not-a-collaboration", "governance", "other-kommun", "abroad", "swapped"],
)
def test_an_edit_gets_the_refusal_an_import_row_gets(
    tmp_path: Path, db_url: str, cells: dict[str, str], change: dict[str, object]
) -> None:
    from fcatlas.register.store import InvalidChangeError, Register

    f = write(tmp_path / "a.csv", [PARITY_HEADER, _parity_row(), _parity_row(**cells)])
    err = only_error(parse(f))
    assert err.row == 3 and err.column
    with Register.open(db_url) as reg:
        base = write(tmp_path / "base.csv", [PARITY_HEADER, _parity_row()])
        reg.import_file(base, round=2026, user="t")
        (unit_id,) = reg.list_units()["id"].tolist()
        with pytest.raises(InvalidChangeError) as exc:
            reg.update_unit(unit_id, change, 1, "anna")
        assert str(exc.value) == f"{err.column}: {err.reason}"  # the same field (in Swedish), the same reason
        assert reg.get_unit(unit_id)["version"] == 1


def test_an_edit_accepts_what_an_import_accepts(tmp_path: Path, db_url: str) -> None:
    from fcatlas.register.store import Register

    with Register.open(db_url) as reg:
        reg.import_file(write(tmp_path / "base.csv", [PARITY_HEADER, _parity_row()]), round=2026, user="t")
        (unit_id,) = reg.list_units()["id"].tolist()
        new = reg.update_unit(unit_id, {"status": "stängd", "postcode": "791 71", "status_date": "2026-05-01T00:00",
                                        "gov_coordinator": "x", "soc": "nej"}, 1, "anna")
        assert (new["status"], new["postcode"], new["status_date"]) == ("nedlagd", "79171", "2026-05-01")
        assert (new["gov_coordinator"], new["soc"], new["category"]) == (True, False, "familjecentralsliknande")
