"""Issue 21.15: e-mail addresses are checked properly, in one place, for the CLI and the web."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from fcatlas.accounts.store import normalise_email
from fcatlas.errors import ConfigError

PW = "ett långt lösenord\n"
BAD = ['"><script>alert(1)</script>@x.se', '"><script>…@x.se', "a@b", "a b@x.se", "a..b@x.se", ".a@x.se",
       "a@-x.se", "a@x..se", "a@@x.se", "<a>@x.se", "a\n@x.se", "a\x00@x.se", "a@x.s", "(a)@x.se", "a@x_y.se"]


@pytest.mark.parametrize("bad", BAD)
def test_issue21_bad_addresses_are_refused(bad: str) -> None:
    with pytest.raises(ConfigError, match="ingen giltig e-postadress"):
        normalise_email(bad)


@pytest.mark.parametrize("good", ["anna@regiondalarna.se", "Anna.Andersson@Region-Dalarna.se", "a+b@x.se",
                                  "åsa@räksmörgås.se", "o'brien@x.co.uk"])
def test_issue21_real_addresses_are_accepted(good: str) -> None:
    assert normalise_email(good) == good.strip().lower()


def test_issue21_user_add_refuses_markup_in_the_address(cli, tmp_path):
    db = str(tmp_path / "k.sqlite")
    r = cli("user", "add", '"><script>…@x.se', "--roll", "nationell", "--db", db, input=PW)
    assert r.returncode == 1 and "ingen giltig e-postadress" in r.stderr and "Traceback" not in r.stderr
    eng = create_engine(f"sqlite:///{db}")
    with eng.connect() as c:
        tables = {row[0] for row in c.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
        users = c.execute(text("SELECT count(*) FROM accounts_users")).scalar() if "accounts_users" in tables else 0
    eng.dispose()
    assert users == 0
