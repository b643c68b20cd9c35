"""The accounts service as the faces use it: logging in for a token or a page session (throttled,
failures recorded), logging out, the acting user of a token or a session, and the account on whose
behalf the CLI submits."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import Actor, Role
from fcatlas.db import connect, unit_of_work
from fcatlas.errors import AuthenticationError, NotFoundError, ThrottledError
from fcatlas.services import accounts

OP = Actor.national("cli:test")
PW = "ett långt lösenord"
THROTTLE = accounts.Throttle(per_account=2, per_address=20, window=dt.timedelta(minutes=15))


@pytest.fixture
def engine(db_url: str):
    e = connect(db_url)
    with unit_of_work(e) as s:
        accounts.add_user(s, actor=OP, email="anna@regiondalarna.se", password=PW, role="region", lan_code="20",
                          level="foretradare")
    yield e
    e.dispose()


def test_a_token_login_gives_a_token_that_names_the_account(engine):
    with unit_of_work(engine) as s:
        tok, expires = accounts.login_token(s, email="Anna@RegionDalarna.se", password=PW, address="10.0.0.1",
                                            throttle=THROTTLE, lifetime=dt.timedelta(hours=8))
    assert expires > dt.datetime.now(dt.UTC)
    with unit_of_work(engine) as s:
        who = accounts.token_actor(s, token=tok)
    assert (who.name, who.role, who.lan_code) == ("anna@regiondalarna.se", Role.REGION, "20")


def test_failed_logins_are_throttled_once_committed(engine):
    for _ in range(2):
        with Session(engine) as s:
            with pytest.raises(AuthenticationError, match="fel e-postadress eller lösenord"):
                accounts.login_token(s, email="anna@regiondalarna.se", password="fel lösenord!!", address="a",
                                     throttle=THROTTLE, lifetime=dt.timedelta(hours=1))
            s.commit()  # as the web does: the failed attempt counts for every worker
    with pytest.raises(ThrottledError), unit_of_work(engine) as s:
        accounts.login_session(s, email="anna@regiondalarna.se", password=PW, address="b", throttle=THROTTLE)


def test_a_page_login_replaces_the_previous_session_and_logout_ends_it(engine):
    with unit_of_work(engine) as s:
        _, first = accounts.login_session(s, email="anna@regiondalarna.se", password=PW, address="a",
                                          throttle=THROTTLE)
    with unit_of_work(engine) as s:
        who, second = accounts.login_session(s, email="anna@regiondalarna.se", password=PW, address="a",
                                             throttle=THROTTLE, previous_session_id=first)
    assert who.name == "anna@regiondalarna.se" and second != first
    with unit_of_work(engine) as s:
        with pytest.raises(AuthenticationError):
            accounts.session_actor(s, session_id=first)
        actor, csrf = accounts.session_actor(s, session_id=second)
        assert actor.name == "anna@regiondalarna.se" and csrf
        accounts.logout(s, session_id=second)
    with unit_of_work(engine) as s, pytest.raises(AuthenticationError):
        accounts.session_actor(s, session_id=second)


def test_the_cli_acts_only_for_an_active_account(engine):
    with unit_of_work(engine) as s:
        assert accounts.active_account(s, email=" ANNA@regiondalarna.se ").lan_code == "20"
        accounts.disable_user(s, actor=OP, email="anna@regiondalarna.se")
    with unit_of_work(engine) as s, pytest.raises(NotFoundError, match="inget aktivt konto 'anna@regiondalarna.se'"):
        accounts.active_account(s, email="anna@regiondalarna.se")
