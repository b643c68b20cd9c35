"""Readers for SCB's exports: the real files, and every malformed case with its exact message."""

from pathlib import Path

import pytest

from fcatlas.errors import InputFileError, UnmatchedRowsError
from fcatlas.geography.sources import scb_files
from fcatlas.geography.sources.scb_files import normalise_label

KEY = "regso/koppling-deso2018-regso2020.csv"
KEY_HEADER = "\ufeffKommun,Kommunnamn,DeSO_2018,RegSO_2020,RegSOkod_2020\r\n"


@pytest.fixture(scope="module")
def key(shared_data):
    return scb_files.read_key(shared_data / KEY)


def test_real_key(key):
    assert len(key) == 5984
    assert key["regso_code"].nunique() == 3363
    assert key["kommun_code"].nunique() == 290
    assert (key.loc[key.kommun_code.str.startswith("20")].regso_code.nunique()) == 119


@pytest.mark.parametrize("year,counts", [
    (2022, {1: 160, 2: 289, 3: 855, 4: 1770, 5: 289}),
    (2023, {1: 162, 2: 293, 3: 835, 4: 1781, 5: 292}),
])
def test_real_omradestyp_every_record_accounted_for(shared_data, key, year, counts):
    y, df, rep = scb_files.read_omradestyp(shared_data / f"omradestyp/regso_socioekonomisk_index_{year}.csv", key)
    assert y == year
    assert len(df) == 3363
    assert df["omradestyp"].value_counts().to_dict() == counts
    assert rep.data_rows + rep.metadata_rows == rep.records == 3404
    assert rep.metadata_rows == 41


def test_real_population_with_label_quirks(shared_data, key):
    df, rep = scb_files.read_population(shared_data / "population/deso_foreign_born.csv", key)
    assert df["regso_code"].nunique() == 3363
    assert df.loc[df.year == 2023, "population"].sum() == 10_551_707
    assert rep.data_rows == 3363 and rep.other_rows == 3363 and rep.records == 6726
    dalarna = df.loc[(df.year == 2023) & df.regso_code.str.startswith("20"), "population"].sum()
    assert dalarna == 287_253


def test_label_normalisation_handles_the_known_quirks():
    assert normalise_label("Botkyrka (Tuna )") == "Botkyrka (Tuna)"
    assert normalise_label("Sotenäs (Kungshamn-Smögen-Hovenäset-Väjern)") == normalise_label(
        "Sotenäs (Kungshamn–Smögen-Hovenäset–Väjern)")


# -- malformed inputs ---------------------------------------------------------------------------

def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return p


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError) as exc:
        scb_files.read_key(tmp_path / "saknas.csv")
    assert str(exc.value) == f"{tmp_path / 'saknas.csv'}: filen finns inte"


def test_empty_file(tmp_path):
    p = _write(tmp_path, "tom.csv", "\ufeff\r\n")
    with pytest.raises(InputFileError) as exc:
        scb_files.read_key(p)
    assert str(exc.value) == f"{p}: filen är tom"


def test_wrong_encoding(tmp_path):
    p = _write(tmp_path, "latin1.csv", KEY_HEADER.encode("utf-8") + "2080,Falun,2080C1010,Västra,2080R001\r\n".encode("cp1252"))
    with pytest.raises(InputFileError) as exc:
        scb_files.read_key(p)
    assert str(exc.value) == (f"{p}, rad 2: fel teckenkodning: byte 0xe4 går inte att läsa som UTF-8 "
                              "(filen verkar vara sparad som Windows-1252 (ANSI); spara den som UTF-8)")


def test_wrong_header(tmp_path):
    p = _write(tmp_path, "k.csv", "Kommun;Namn\r\n2080;Falun\r\n")
    with pytest.raises(InputFileError) as exc:
        scb_files.read_key(p)
    assert str(exc.value) == (f"{p}, rad 1: fel rubrikrad ['Kommun', 'Namn']; väntat "
                              "Kommun,Kommunnamn,DeSO_2018,RegSO_2020,RegSOkod_2020 "
                              "(SCB:s kopplingstabell DeSO 2018 – RegSO 2020) eller "
                              "Kommun,Kommunnamn,DeSO_2025,RegSO_2025,RegSOkod_2025 (DeSO 2025 – RegSO 2025)")


def test_unknown_code_shape_in_key(tmp_path):
    p = _write(tmp_path, "k.csv", KEY_HEADER + "2080,Falun,2080C1010,Centrum,2080R001\r\n2080,Falun,2080X1020,Centrum,2080R001\r\n")
    with pytest.raises(InputFileError) as exc:
        scb_files.read_key(p)
    assert str(exc.value) == f"{p}, rad 3, kolumn 'DeSO_2018': '2080X1020' är ingen giltig kod"


def test_broken_quoting(tmp_path):
    p = _write(tmp_path, "k.csv", KEY_HEADER + '2080,"Falun,2080C1010,Centrum,2080R001\r\n')
    with pytest.raises(InputFileError) as exc:
        scb_files.read_key(p)
    assert "rad 2" in str(exc.value) and "trasig CSV" in str(exc.value)


def _small_key(tmp_path):
    p = _write(tmp_path, "k.csv", KEY_HEADER
               + "2080,Falun,2080C1010,Centrum,2080R001\r\n"
               + "2080,Falun,2080C1020,Norr–Söder,2080R002\r\n")
    return scb_files.read_key(p)


def test_omradestyp_label_that_matches_no_area_lists_every_row(tmp_path):
    key = _small_key(tmp_path)
    p = _write(tmp_path, "o.csv", "\ufeff,2022\r\nFalun (Centrum),1\r\nFalun (Atlantis),2\r\nMora (Centrum),3\r\n")
    with pytest.raises(UnmatchedRowsError) as exc:
        scb_files.read_omradestyp(p, key)
    assert [str(pr) for pr in exc.value.problems] == [
        f"{p}, rad 3, kolumn 'Område': etiketten 'Falun (Atlantis)' matchar inget RegSO i nyckeln",
        f"{p}, rad 4, kolumn 'Område': etiketten 'Mora (Centrum)' matchar inget RegSO i nyckeln",
    ]
    assert str(exc.value).startswith(f"{p}: 2 rader kunde inte matchas:")


def test_omradestyp_value_out_of_range(tmp_path):
    key = _small_key(tmp_path)
    p = _write(tmp_path, "o.csv", "\ufeffOmråde,2023\r\nFalun (Centrum),7\r\n")
    with pytest.raises(InputFileError) as exc:
        scb_files.read_omradestyp(p, key)
    assert str(exc.value) == f"{p}, rad 2, kolumn '2023': områdestyp '7' är inte 1–5"


def test_omradestyp_missing_value_is_kept_and_reported(tmp_path):
    key = _small_key(tmp_path)
    p = _write(tmp_path, "o.csv", "\ufeff,2022\r\nFalun (Centrum),..\r\nFalun (Norr-Söder),2\r\n,\r\nKälla:,\r\nSCB,\r\n")
    year, df, rep = scb_files.read_omradestyp(p, key)
    assert rep.missing_values == ["2080R001"]
    assert rep.metadata_rows == 3 and rep.data_rows == 2
    assert df.set_index("regso_code")["omradestyp"].isna().to_dict() == {"2080R001": True, "2080R002": False}


def test_omradestyp_wrong_header(tmp_path):
    key = _small_key(tmp_path)
    p = _write(tmp_path, "o.csv", "Område,År 2022\r\nFalun (Centrum),1\r\n")
    with pytest.raises(InputFileError) as exc:
        scb_files.read_omradestyp(p, key)
    assert str(exc.value) == (f"{p}, rad 1: fel rubrikrad 'Område,År 2022'; väntat två kolumner: områdesetikett "
                              "och ett årtal (t.ex. ',2022' eller 'Område,2023')")


def test_omradestyp_duplicate_label(tmp_path):
    key = _small_key(tmp_path)
    p = _write(tmp_path, "o.csv", "\ufeff,2022\r\nFalun (Centrum),1\r\nFalun (Centrum ),2\r\n")
    with pytest.raises(InputFileError) as exc:
        scb_files.read_omradestyp(p, key)
    assert str(exc.value) == f"{p}, rad 3, kolumn 'Område': 'Falun (Centrum )' förekommer redan på rad 2"


def test_population_bad_count_and_header(tmp_path):
    key = _small_key(tmp_path)
    p = _write(tmp_path, "p.csv", '"region","födelseregion","kön","Antal 2023"\r\n"Falun (Centrum)","totalt","totalt",12x\r\n')
    with pytest.raises(InputFileError) as exc:
        scb_files.read_population(p, key)
    assert str(exc.value) == f"{p}, rad 2, kolumn 'Antal 2023': '12x' är inget antal (heltal ≥ 0)"
    q = _write(tmp_path, "q.csv", '"område","2023"\r\n')
    with pytest.raises(InputFileError) as exc:
        scb_files.read_population(q, key)
    assert str(exc.value) == (f"{q}, rad 1: fel rubrikrad 'område,2023'; väntat 'region' följt av kolumner "
                              "'Antal ÅÅÅÅ' (SCB:s export av folkmängd per RegSO)")


# -- review of issue 2: regressions named after what they fix ------------------------------------

def test_omradestyp_semicolon_export_is_read_like_the_comma_export(tmp_path):
    key = _small_key(tmp_path)
    p = _write(tmp_path, "o.csv", "\ufeffOmråde;2023\r\nFalun (Centrum);1\r\nFalun (Norr–Söder);4\r\n;\r\nKälla:;\r\n")
    year, df, rep = scb_files.read_omradestyp(p, key)
    assert year == 2023
    assert df.set_index("regso_code")["omradestyp"].to_dict() == {"2080R001": 1, "2080R002": 4}
    assert rep.data_rows == 2 and rep.metadata_rows == 2


def test_omradestyp_lf_and_crlf_give_the_same_rows_and_line_numbers(tmp_path):
    key = _small_key(tmp_path)
    body = "\ufeff,2022\r\nFalun (Centrum),1\r\nFalun (Atlantis),2\r\n"
    for name, text in (("crlf.csv", body), ("lf.csv", body.replace("\r\n", "\n"))):
        p = _write(tmp_path, name, text)
        with pytest.raises(InputFileError) as exc:
            scb_files.read_omradestyp(p, key)
        assert str(exc.value) == f"{p}, rad 3, kolumn 'Område': etiketten 'Falun (Atlantis)' matchar inget RegSO i nyckeln"


def test_omradestyp_malformed_row_inside_the_data_is_named_not_hidden_behind_later_rows(tmp_path):
    key = _small_key(tmp_path)
    p = _write(tmp_path, "o.csv", "\ufeff,2022\r\nFalun Centrum,1\r\nFalun (Norr-Söder),2\r\n,\r\nKälla:,\r\n")
    with pytest.raises(InputFileError) as exc:
        scb_files.read_omradestyp(p, key)
    assert str(exc.value) == f"{p}, rad 2, kolumn 'Område': etiketten 'Falun Centrum' har inte formen 'Kommun (RegSO-namn)'"


def test_omradestyp_malformed_last_data_row_is_not_dropped_silently(tmp_path):
    key = _small_key(tmp_path)
    p = _write(tmp_path, "o.csv", "\ufeff,2022\r\nFalun (Centrum),1\r\nFalun Norr-Söder),2\r\n,\r\nKälla:,\r\n")
    with pytest.raises(InputFileError) as exc:
        scb_files.read_omradestyp(p, key)
    assert str(exc.value) == (f"{p}, rad 3, kolumn 'Område': etiketten 'Falun Norr-Söder)' har inte formen "
                              "'Kommun (RegSO-namn)'")


def test_omradestyp_row_with_an_extra_column_is_named(tmp_path):
    key = _small_key(tmp_path)
    p = _write(tmp_path, "o.csv", "\ufeff,2022\r\nFalun (Centrum),1,x\r\nFalun (Norr-Söder),2\r\n")
    with pytest.raises(InputFileError) as exc:
        scb_files.read_omradestyp(p, key)
    assert str(exc.value) == f"{p}, rad 2: 3 fält, väntat 2 (etikett och områdestyp)"


def test_omradestyp_data_after_a_stray_note_names_the_note_first(tmp_path):
    key = _small_key(tmp_path)
    p = _write(tmp_path, "o.csv", "\ufeff,2022\r\nFalun (Centrum),1\r\nen anteckning\r\nFalun (Norr-Söder),2\r\n")
    with pytest.raises(UnmatchedRowsError) as exc:
        scb_files.read_omradestyp(p, key)
    assert [str(pr) for pr in exc.value.problems] == [
        f"{p}, rad 3: raden avbryter datablocket: väntat två fält, 'Kommun (RegSO-namn)' och områdestyp 1–5, "
        "fick 'en anteckning'",
        f"{p}, rad 4: dataraden står efter fotnoterna; filen är inte i SCB:s form",
    ]


def test_broken_quoting_message_is_swedish(tmp_path):
    p = _write(tmp_path, "k.csv", KEY_HEADER + '2080,"Falun"x,2080C1010,Centrum,2080R001\r\n')
    with pytest.raises(InputFileError) as exc:
        scb_files.read_key(p)
    assert str(exc.value) == (f"{p}, rad 2: trasig CSV: citattecken mitt i ett fält (väntat kommatecken efter "
                              "avslutande citattecken); kontrollera citattecken")


def test_key_with_an_extra_column_is_named(tmp_path):
    p = _write(tmp_path, "k.csv", KEY_HEADER + "2080,Falun,2080C1010,Centrum,2080R001,x\r\n")
    with pytest.raises(InputFileError) as exc:
        scb_files.read_key(p)
    assert str(exc.value) == f"{p}, rad 2: 6 fält, väntat 5"


def test_key_with_two_names_for_one_kommun_names_both_rows(tmp_path):
    p = _write(tmp_path, "k.csv", KEY_HEADER + "2080,Falun,2080C1010,Centrum,2080R001\r\n"
               + "2080,Falu kommun,2080C1020,Norr,2080R002\r\n")
    with pytest.raises(InputFileError) as exc:
        scb_files.read_key(p)
    assert str(exc.value) == f"{p}, rad 3, kolumn 'Kommunnamn': kommun 2080 heter 'Falun' på rad 2 men 'Falu kommun' här"


def test_key_with_two_names_for_one_regso_names_the_row(tmp_path):
    p = _write(tmp_path, "k.csv", KEY_HEADER + "2080,Falun,2080C1010,Centrum,2080R001\r\n"
               + "2080,Falun,2080C1020,Centrum N,2080R001\r\n")
    with pytest.raises(InputFileError) as exc:
        scb_files.read_key(p)
    assert str(exc.value) == f"{p}, rad 3, kolumn 'RegSO_2020': RegSO 2080R001 heter 'Centrum' på rad 2 men 'Centrum N' här"


def test_population_data_row_after_the_footnotes_is_an_error(tmp_path):
    key = _small_key(tmp_path)
    p = _write(tmp_path, "p.csv", '"region","födelseregion","kön","Antal 2023"\r\n'
               '"Falun (Centrum)","totalt","totalt","120"\r\n\r\n"Källa: SCB"\r\n'
               '"Falun (Norr-Söder)","totalt","totalt","80"\r\n')
    with pytest.raises(InputFileError) as exc:
        scb_files.read_population(p, key)
    assert str(exc.value) == f"{p}, rad 5: dataraden står efter en tom rad (fotnoterna); filen är inte i SCB:s form"


def test_population_footnotes_after_a_blank_row_are_counted_as_metadata(tmp_path):
    key = _small_key(tmp_path)
    p = _write(tmp_path, "p.csv", '"region";"födelseregion";"kön";"Antal 2023"\r\n'
               '"Falun (Centrum)";"totalt";"totalt";"120"\r\n\r\n"Källa: SCB"\r\n')
    df, rep = scb_files.read_population(p, key)
    assert df.to_dict("records") == [{"regso_code": "2080R001", "year": 2023, "population": 120}]
    assert rep.data_rows == 1 and rep.metadata_rows == 2
