"""Done-when of issue 3, against SQLite and the real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fcatlas.register.store import Register


def test_import_dalarna_gives_the_documented_register(db_url: str, dalarna: Path) -> None:
    with Register.open(db_url) as reg:
        result = reg.import_file(dalarna, user="test")
        assert (result.round, result.n_rows, result.n_accepted, result.n_rejected) == (2026, 15, 15, 0)
        assert [p.severity for p in result.problems] == ["varning"]  # Malung-Sälen 1/2: a person decides
        assert "Malung-Sälen 1" in result.problems[0].reason and result.problems[0].row == 16
        df = reg.list_units()

    assert len(df) == 15 and df["id"].is_unique
    assert set(df["lan_code"]) == {"20"}
    centres = df[(df["status"] == "i_drift") & (df["category"] == "familjecentral")]
    assert len(centres) == 9
    assert centres["kommun_code"].nunique() == 8
    assert sorted(centres["kommun_name"]) == sorted(
        ["Mora", "Leksand", "Rättvik", "Gagnef", "Falun", "Falun", "Borlänge", "Ludvika", "Avesta"]
    )
    planned = df[df["status"] == "planerad"]
    assert planned[["kommun_code", "kommun_name", "category"]].values.tolist() == [
        ["2061", "Smedjebacken", "familjecentral"]
    ]
    other = df[df["category"] == "annan_samverkan"].sort_values("kommun_code")
    assert other[["kommun_code", "kommun_name", "status"]].values.tolist() == [
        ["2034", "Orsa", "i_drift"], ["2039", "Älvdalen", "i_drift"]
    ]
    assert other["co_located"].tolist() == [False, False]
    intent = df[df["status"] == "avsiktsforklaring"]
    assert sorted(intent["kommun_name"]) == ["Malung-Sälen", "Malung-Sälen", "Vansbro"]
    assert df["category"].value_counts().to_dict() == {"familjecentral": 13, "annan_samverkan": 2}

    # precision per row: every row has coordinates → exakt; the file's own accuracy is kept
    assert (df["precision"] == "exakt").all()
    exact = df[df["stated_accuracy"] == "exakt"]
    assert sorted(exact["name"]) == ["Familjecentral Britsarvet", "Familjecentral Elsborg"]
    assert (df.loc[df["stated_accuracy"] != "exakt", "stated_accuracy"] == "ungefärlig").all()
    brits = df.set_index("id").loc["2080-familjecentral-britsarvet"]
    assert (brits["lat"], brits["lon"]) == (60.6209423, 15.6227411)
    assert brits["source_coordinates"] == "WGS 84: 60.6209423; 15.6227411"
    assert (df["round"] == 2026).all()

    # the contract columns and types
    for col in ("id", "name", "kommun_code", "kommun_name", "lan_code", "category", "status", "lat", "lon",
                "precision", "round", "mvc", "bvc", "of", "soc", "co_located", "address", "postcode"):
        assert col in df.columns
    assert df["lat"].dtype == "float64" and df["round"].dtype == "int64"
    assert df["mvc"].all() and df["bvc"].all() and df["soc"].all()
    assert df.set_index("kommun_name").loc["Älvdalen", "of"] == False  # noqa: E712


def test_reimport_changes_nothing(db_url: str, dalarna: Path) -> None:
    with Register.open(db_url) as reg:
        reg.import_file(dalarna, user="first")
        before = reg.list_units()
        counts = reg.counts()
        versions = {uid: reg.get_unit(uid)["version"] for uid in before["id"]}
        again = reg.import_file(dalarna, user="second")
        assert (again.n_new, again.n_changed, again.n_unchanged) == (0, 0, 15)
        assert again.import_id is None
        assert reg.counts() == counts
        pd.testing.assert_frame_equal(reg.list_units(), before)
        assert {uid: reg.get_unit(uid)["version"] for uid in before["id"]} == versions
        assert set(reg.audit()["user"]) == {"first"}
        assert reg.unit_exists("2080-familjecentral-elsborg")
        assert not reg.unit_exists("2080-familjecentral-nowhere")


def test_filters(db_url: str, dalarna: Path) -> None:
    with Register.open(db_url) as reg:
        reg.import_file(dalarna, user="t")
        assert len(reg.list_units(lan="20")) == 15
        assert len(reg.list_units(lan="01")) == 0
        assert len(reg.list_units(category="annan_samverkan")) == 2
        assert len(reg.list_units(status="planerad", category="familjecentral")) == 1
        assert len(reg.list_units(round=2026)) == 15
        assert len(reg.list_units(round=2023)) == 0
