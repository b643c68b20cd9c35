"""The seed's worked examples and the commands' Swedish errors (row and field named)."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from pathlib import Path

import dalarna
import pandas as pd
import pytest

from fcatlas.economics.costs import FOUR_SERVICES, Party, check_shares, equal_parties, split_cost
from fcatlas.economics.errors import EconomicsError
from fcatlas.economics.intake import read_names, read_shares, read_visits
from fcatlas.economics.listed import trend
from fcatlas.economics.outlook import outlook
from fcatlas.economics.payment import DEFAULT_POT_SEK, AddonParams, Centre, addon_payment, compare
from fcatlas.economics.visits import DEFAULT_VISIT_PRICE_SEK, settle
from fcatlas.errors import InputFileError


def test_defaults_are_dalarnas_2026_values() -> None:
    p = AddonParams()
    assert (p.rate_child_sek, p.rate_woman_sek, p.pot_sek) == (90, 55, 2_300_000) and DEFAULT_POT_SEK == 2_300_000
    assert DEFAULT_VISIT_PRICE_SEK == 600


def test_addon_within_the_pot_pays_the_rates_and_reports_the_unused_part() -> None:
    r = addon_payment([Centre("Britsarvet", 1100, 2900), Centre("Sopranen", 1500, 3800)])
    assert r.table["belopp"].tolist() == [1100 * 90 + 2900 * 55, 1500 * 90 + 3800 * 55]
    assert r.unused_sek == 2_300_000 - r.total_sek and not r.scaled


def test_addon_over_the_pot_is_scaled_by_largest_remainder_to_exactly_the_pot() -> None:
    cs = [Centre(f"VC {i}", 3000 + i, 7000 + 3 * i) for i in range(9)]
    r = addon_payment(cs, AddonParams(90, 55, 2_300_000))
    before = [c.children * 90 + (c.women or 0) * 55 for c in cs]
    assert sum(before) > 2_300_000 and r.scaled
    assert r.total_sek == int(r.table["belopp"].sum()) == 2_300_000 and r.unused_sek == 0
    exact = [Fraction(b * 2_300_000, sum(before)) for b in before]
    floors = [int(e) for e in exact]
    extra = 2_300_000 - sum(floors)
    winners = sorted(range(9), key=lambda i: (-(exact[i] - floors[i]), -before[i], i))[:extra]
    assert r.table["belopp"].tolist() == [f + (1 if i in winners else 0) for i, f in enumerate(floors)]


def test_compare_two_parameter_sets_side_by_side() -> None:
    cs = [Centre("A", 10_000, 20_000), Centre("B", 5_000, 9_000)]
    t, ra, rb = compare(cs, AddonParams(90, 55, 2_100_000), AddonParams(90, 55, 2_300_000))
    assert t.columns.tolist() == ["vardcentral", "barn", "kvinnor", "belopp_a", "belopp_b", "skillnad"]
    assert int(t["belopp_a"].sum()) == 2_100_000 and int(t["belopp_b"].sum()) == 2_300_000
    assert (t["skillnad"] == t["belopp_b"] - t["belopp_a"]).all()


def test_negative_counts_and_duplicates_are_refused() -> None:
    with pytest.raises(EconomicsError, match="negativt"):
        addon_payment([Centre("A", -1, 0)])
    with pytest.raises(EconomicsError, match="mer än en gång"):
        addon_payment([Centre("A", 1, 0), Centre("A", 2, 0)])


def test_seed_examples_of_shared_costs() -> None:
    # a municipality with 45 % of the area pays 45 % of the electricity
    t = split_cost(37_001, [Party("Kommun", 45), Party("Region", 55)])
    assert t["belopp"].tolist() == [16_650, 20_351] and t["belopp"].sum() == 37_001
    # common costs equally on the four services
    t = split_cost(10_002, equal_parties())
    assert t["part"].tolist() == FOUR_SERVICES and t["belopp"].tolist() == [2501, 2501, 2500, 2500]
    # Västmanland: the region pays at most 50 % of the rent; the rest goes to the others by area
    t = split_cost(300_000, [Party("Region", 70, cap_share=Fraction(1, 2)), Party("ÖF", 20), Party("SOC", 10)])
    assert t["belopp"].tolist() == [150_000, 100_000, 50_000]
    assert t["belopp_utan_tak"].tolist() == [210_000, 60_000, 30_000]
    with pytest.raises(EconomicsError, match="taken räcker inte"):
        split_cost(100, [Party("Region", 1, cap_share=Fraction(1, 2))])


def test_agreed_shares_must_sum_to_100_and_each_stay_under_100() -> None:
    check_shares([Party("a", Fraction(3333, 100)), Party("b", Fraction(3333, 100)), Party("c", Fraction(3334, 100))])
    with pytest.raises(EconomicsError, match="summerar till 90 %"):
        check_shares([Party("a", 45), Party("b", 45)])
    with pytest.raises(EconomicsError, match="över 100 %"):
        check_shares([Party("a", 120), Party("b", -20)])


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("Part;Andel\nRegion;120\nKommun;-20\n", "rad 2, kolumn 'Andel': andelen 120 är över 100 %"),
        ("Part;Andel\nRegion;45\nKommun;45\n", "kolumn 'Andel': andelarna summerar till 90 %, inte 100 %"),
        ("Part;Yta (m²)\nRegion;-3\n", "rad 2, kolumn 'Yta (m²)': ytan är negativ (-3)"),
        ("Part;Yta;Tak\nRegion;30;150 %\n", "rad 2, kolumn 'Tak': taket 150 % är över 100 %"),
        ("Part;Yta\nRegion;30\nregion;20\n", "rad 3, kolumn 'Part': parten 'region' står redan på rad 2"),
    ],
)
def test_share_file_errors(tmp_path: Path, text: str, where: str) -> None:
    f = tmp_path / "s.csv"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        read_shares(f)
    assert where in str(err.value)


def test_share_file_with_decimal_comma_and_cap_in_kronor(tmp_path: Path) -> None:
    f = tmp_path / "s.csv"
    f.write_text("Part;Andel (%);Tak\nRegion;33,5;50 000 kr\nKommun;66,5;\n", encoding="utf-8")
    rows = read_shares(f)
    assert [(r.weight, r.cap_sek) for r in rows] == [(Fraction(67, 2), 50_000), (Fraction(133, 2), None)]
    t = split_cost(200_000, [Party(r.party, r.weight, r.cap_share, r.cap_sek) for r in rows])
    assert t["belopp"].tolist() == [50_000, 150_000]


def test_visits_file_errors_and_settlement(tmp_path: Path) -> None:
    f = tmp_path / "b.csv"
    f.write_text("Listad vid;Besökt;Antal;År\nA;B;-2;2025\nA;A;3;2025\nA;B;x;2025\n", encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        read_visits(f)
    msg = str(err.value)
    assert "rad 2, kolumn 'Antal': antalet besök är negativt (-2)" in msg
    assert "rad 3, kolumn 'Besökt': samma vårdcentral som Listad vid" in msg
    assert "rad 4, kolumn 'Antal'" in msg
    f.write_text("Listad vid;Besökt;Antal;År\nA;B;10;2025\nB;A;4;2025\nA;B;1;2025\nC;A;2;2025\n", encoding="utf-8")
    from fcatlas.economics.visits import Visits

    s = settle([Visits(r.listed_at, r.visited, r.count) for r in read_visits(f)])
    assert s.pairs[["vardcentral_a", "vardcentral_b", "brutto_a_till_b", "brutto_b_till_a", "netto_belopp"]].values.tolist() == [
        ["A", "B", 6600, 2400, 4200], ["A", "C", 0, 1200, 1200]]
    assert dict(zip(s.positions["vardcentral"], s.positions["netto"], strict=True)) == {"A": -3000, "B": 4200, "C": -1200}


def test_centre_list_as_plain_lines_or_a_column(tmp_path: Path) -> None:
    f = tmp_path / "v.txt"
    f.write_text("Vårdcentral Orsa\n\nVårdcentral Mora\n", encoding="utf-8")
    assert [(n.row, n.name) for n in read_names(f)] == [(1, "Vårdcentral Orsa"), (3, "Vårdcentral Mora")]
    f = tmp_path / "v.csv"
    f.write_text("Kommun;Vårdcentral\nOrsa;Vårdcentral Orsa\nMora;Mora\nMora;VC Mora\n", encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        read_names(f)
    assert "rad 4, kolumn 'Vårdcentral': 'VC Mora' står redan på rad 3" in str(err.value)


def test_tillagg_cli_names_unknown_centres_and_prints_totals(tmp_path: Path, cli) -> None:
    db = tmp_path / "r.sqlite"
    assert cli("listade", "import", dalarna.write_csv(tmp_path / "l.csv"), "--db", db).returncode == 0
    names = tmp_path / "v.csv"
    names.write_text("Vårdcentral\nBritsarvet\nVårdcentral Atlantis\nJakobsgårdarna\n", encoding="utf-8")
    r = cli("ekonomi", "tillagg", "--db", db, "--ar", "2025", "--vardcentraler", names)
    assert r.returncode == 1
    assert "rad 3, kolumn 'Vårdcentral': vårdcentralen 'Vårdcentral Atlantis' finns inte bland de listade" in r.stderr
    names.write_text("Vårdcentral\nBritsarvet\nSopranen är inte här\n".replace("Sopranen är inte här", "Jakobsgårdarna"),
                     encoding="utf-8")
    r = cli("ekonomi", "tillagg", "--db", db, "--ar", "2025", "--vardcentraler", names, "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(rows[0]) == ["vardcentral", "barn", "kvinnor", "belopp_fore_tak", "belopp"]
    c = dalarna.counts()
    brits = c[("Vårdcentral Britsarvet", "Falun")][2025]
    assert rows[0]["vardcentral"] == "Vårdcentral Britsarvet" and int(rows[0]["barn"]) == brits
    assert int(rows[0]["belopp"]) == brits * 90 + round(brits * 2.6) * 55
    r = cli("ekonomi", "tillagg", "--db", db, "--ar", "2025", "--vardcentraler", names, "--pott", "100000")
    assert "Summa" in r.stdout and "100 000" in r.stdout and "skalas ned" in r.stdout
    r = cli("ekonomi", "jamfor", "--db", db, "--ar", "2025", "--vardcentraler", names, "--pott", "100000",
            "--pott-b", "2300000", "--format", "json")
    t = json.loads(r.stdout)
    assert sum(x["belopp_a"] for x in t) == 100_000 and all(x["skillnad"] > 0 for x in t)


def test_besok_cli_checks_names_against_the_listed(tmp_path: Path, cli) -> None:
    db = tmp_path / "r.sqlite"
    assert cli("listade", "import", dalarna.write_csv(tmp_path / "l.csv"), "--db", db).returncode == 0
    f = tmp_path / "b.csv"
    f.write_text("Listad vid;Besökt;Antal;År\nVårdcentral Orsa;Vårdcentral Mora;5;2025\nVC Okänd;Vårdcentral Mora;1;2025\n",
                 encoding="utf-8")
    r = cli("ekonomi", "besok", f, "--db", db)
    assert r.returncode == 1 and "rad 3, kolumn 'Listad vid': vårdcentralen 'VC Okänd' finns inte" in r.stderr
    f.write_text("Listad vid;Besökt;Antal;År\nVårdcentral Orsa;Vårdcentral Mora;5;2025\nMora;Orsa;2;2025\n"
                 "Vårdcentral Orsa;Vårdcentral Mora;7;2024\n", encoding="utf-8")
    r = cli("ekonomi", "besok", f, "--ar", "2025", "--visa", "saldo", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    # "Mora" and "Vårdcentral Mora" are the same centre; only 2025 counts
    assert {x["vardcentral"]: int(x["netto"]) for x in rows} == {"Vårdcentral Mora": 1800, "Vårdcentral Orsa": -1800}


def test_trend_opened_and_closed_are_not_zero() -> None:
    df = pd.DataFrame({
        "centre_id": ["a"] * 3 + ["b"] * 2 + ["c"] * 2,
        "name": ["A"] * 3 + ["B"] * 2 + ["C"] * 2,
        "kommun_code": ["2080"] * 7,
        "year": [2020, 2022, 2025, 2022, 2025, 2020, 2023],
        "children": [100, 90, 80, 40, 55, 30, 20],
    })
    t = trend(df, 2020, 2025).set_index("niva_kod")
    assert (t.loc["b", "fran_ar"], t.loc["b", "forandring"]) == (2022, 15)
    assert t.loc["b", "anmarkning"] == "öppnade 2022; förändring från 2022"
    assert pd.isna(t.loc["c", "till"]) and pd.isna(t.loc["c", "forandring"])
    assert t.loc["c", "anmarkning"] == "nedlagd: sista år 2023 (20 barn)"
    k = trend(df, 2020, 2025, "kommun", {"2080": "Falun"})
    assert k[["namn", "fran", "till", "forandring"]].values.tolist() == [["Falun", 130, 135, 5]]


def test_outlook_is_flagged_states_its_method_and_brackets_the_central_path() -> None:
    s = pd.DataFrame({"kod": ["2080"] * 4, "namn": ["Falun"] * 4, "kommun_code": ["2080"] * 4,
                      "year": [2020, 2021, 2022, 2023], "children": [4000, 3900, 3850, 3700]})
    o = outlook(s, "kommun")
    f = o.loc[o["prognos"]]
    assert f["ar"].tolist() == list(range(2024, 2031))
    assert (f["lag"] <= f["barn_0_6"]).all() and (f["barn_0_6"] <= f["hog"]).all()
    assert f["barn_0_6"].tolist()[0] == 3700 - 95  # least-squares slope −95/year, from the last value
    assert f["metod"].str.contains("linjär trend").all() and not o.loc[~o["prognos"], "metod"].any()
    with pytest.raises(EconomicsError, match="minst två år"):
        outlook(s.iloc[:1], "kommun")


def test_qualifying_centres_from_the_register(tmp_path: Path, cli, shared_data: Path) -> None:
    db = tmp_path / "r.sqlite"
    assert cli("register", "import", shared_data / "familjecentraler" / "dalarna_2026.csv", "--db", db).returncode == 0
    assert cli("listade", "import", dalarna.write_csv(tmp_path / "l.csv"), "--db", db).returncode == 0
    r = cli("ekonomi", "tillagg", "--db", db, "--ar", "2025", "--fran-registret", "--format", "csv")
    assert r.returncode == 0, r.stderr
    paid = [x["vardcentral"] for x in csv.DictReader(io.StringIO(r.stdout))]
    # Britsarvet by name, Mora/Leksand/Rättvik/Gagnef/Avesta by kommun name; planned and
    # non-co-located units (Smedjebacken, Orsa, Älvdalen …) never
    assert paid == ["Vårdcentral Avesta", "Vårdcentral Britsarvet", "Vårdcentral Gagnef", "Vårdcentral Leksand",
                    "Vårdcentral Mora", "Vårdcentral Rättvik"]
    assert "Familjecentral Elsborg: ingen vårdcentral" in r.stderr
    r = cli("ekonomi", "tillagg", "--db", db, "--ar", "2025")
    assert r.returncode == 1 and "ange antingen --vardcentraler FIL eller --fran-registret" in r.stderr
