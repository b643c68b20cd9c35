"""Issue 20, point 4: the shared rules of the year's cycle are written once, in
:mod:`fcatlas.domain` (and a län is read once, by :func:`fcatlas.geography.codes.lan_code`).

A static scan of the code (not of docstrings or comments: the doctests may show the amounts they
compute): outside ``domain.py`` no module states the year rule's bounds (2000–2100), the default
fixed amount (815 000 kr) or the largest amount (10**18), and no module but domain defines
``MAX_SEK``, ``DEFAULT_FIXED_SEK``, ``FIRST_YEAR`` or ``LAST_YEAR``.

``web/pages`` and ``cli`` are left out for now (their plumbing is being rewritten on other
branches); :data:`NOT_YET` names them so that the scan can include them when they are done.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

from fcatlas import domain
from fcatlas.geography.codes import lan_code

SRC = Path(__file__).resolve().parents[1] / "src" / "fcatlas"
NOT_YET: tuple[str, ...] = ()
#: ``MAX_SEK`` of the payment model is another limit (10**15: rates times counts stay exact)
OTHER_LIMITS = {("economics/payment.py", "MAX_SEK")}
NAMES = {"MAX_SEK", "DEFAULT_FIXED_SEK", "FIRST_YEAR", "LAST_YEAR"}
YEAR_TEXT = re.compile(r"2000\s*[–-]\s*2100|\|2100\)")
FIXED_TEXT = re.compile(r"[rbuf]*(['\"])815[ _\u00a0]?000\1")


def _modules() -> list[Path]:
    out = []
    for f in sorted(SRC.rglob("*.py")):
        rel = f.relative_to(SRC).as_posix()
        if rel == "domain.py" or rel.startswith(NOT_YET) or "/migrations/" in f"/{rel}":
            continue
        out.append(f)
    return out


def _findings(path: Path, root: Path = SRC) -> list[str]:
    rel = path.relative_to(root).as_posix()
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
              if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)]
    found = []
    for i, t in enumerate(tokens):
        where = f"{rel}:{t.start[0]}"
        if t.type == tokenize.NUMBER and t.string.replace("_", "") in ("2100", "815000"):
            found.append(f"{where}: {t.string}")
        if t.type == tokenize.NUMBER and t.string == "10" and i + 2 < len(tokens) \
                and tokens[i + 1].string == "**" and tokens[i + 2].string == "18":
            found.append(f"{where}: 10**18")
        if t.type == tokenize.STRING and FIXED_TEXT.fullmatch(t.string):
            found.append(f"{where}: {t.string}")
        if t.type == tokenize.STRING and not _docstring(tokens, i) and YEAR_TEXT.search(t.string):
            found.append(f"{where}: {t.string[:40]}")
        if t.type == tokenize.NAME and t.string in NAMES and i + 1 < len(tokens) and tokens[i + 1].string == "=" \
                and (i == 0 or tokens[i - 1].string not in (",", "(", ".")) and (rel, t.string) not in OTHER_LIMITS:
            found.append(f"{where}: defines {t.string}")
    return found


def _docstring(tokens: list[tokenize.TokenInfo], i: int) -> bool:
    """A string standing alone as a statement (a docstring), not a value."""
    before = tokens[i - 1].string if i else ""
    after = tokens[i + 1].string if i + 1 < len(tokens) else ""
    return before in ("", ":", ")", "]") and after not in (",", ")", "]", "+", "%", ".", "}")


def test_issue20_the_shared_rules_are_written_once_in_domain() -> None:
    found = [f for path in _modules() for f in _findings(path)]
    assert not found, "skriv regeln en gång i fcatlas.domain:\n" + "\n".join(found)


def test_issue20_the_scan_sees_what_it_forbids(tmp_path: Path) -> None:
    """The scan itself finds each form it forbids (so that a quiet scan means something)."""
    bad = tmp_path / "fcatlas" / "x.py"
    bad.parent.mkdir()
    bad.write_text('"""Doc 2000–2100, 815 000 kr."""\n'
                   "A = 2000 <= y <= 2100\nB = 815_000\nC = 10**18\nMAX_SEK = 1\nD = 'ett år 2000–2100'\nE = '815000'\n",
                   encoding="utf-8")
    found = _findings(bad, tmp_path / "fcatlas")
    assert [f.split(":")[1] for f in found] == ["2", "3", "4", "5", "6", "7"]


@pytest.mark.parametrize("year, ok", [(domain.FIRST_YEAR, True), (domain.LAST_YEAR, True),
                                      (domain.FIRST_YEAR - 1, False), (domain.LAST_YEAR + 1, False)])
def test_issue20_one_year_rule(year: int, ok: bool) -> None:
    from fcatlas.errors import ConfigError
    from fcatlas.grants.followup import ReportData, check_report
    from fcatlas.grants.years import check_year
    from fcatlas.services.rounds import round_year

    assert domain.plausible_year(year) is ok
    for check in (check_year, round_year):
        if ok:
            assert check(year) == year
        else:
            with pytest.raises(ConfigError):
                check(year)
    findings = check_report(ReportData(region_code="20", year=year, amount_received_sek=0), None, None)
    assert any(f.field == "year" for f in findings) is not ok


def test_issue20_one_reading_of_a_lan() -> None:
    from fcatlas.register.intake import lan_code_of
    from fcatlas.services import atlas, rounds

    for text, code in (("20", "20"), ("1", "01"), ("W", "20"), ("Region Örebro län", "18"), ("Dalarna", "20")):
        assert lan_code(text) == rounds.lan_code(text) == atlas.parse_lan(text) == lan_code_of(text) == code


def test_issue20_defaults_in_one_place() -> None:
    from fcatlas.grants import allocation
    from fcatlas.web.api.grants import YearSetup

    assert allocation.DEFAULT_FIXED_SEK is domain.DEFAULT_FIXED_SEK and allocation.MAX_SEK is domain.MAX_SEK
    assert YearSetup.model_fields["fixed_sek"].default == domain.DEFAULT_FIXED_SEK
    assert domain.comment_given(" x ") and not domain.comment_given(" \t")
