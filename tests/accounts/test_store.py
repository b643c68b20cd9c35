"""Accounts, tokens, sessions and throttling on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from fcatlas.accounts import store
from fcatlas.accounts.models import ApiToken, LoginSession, User
from fcatlas.accounts.roles import ANONYMOUS, Actor, Level, Role
from fcatlas.db import connect, unit_of_work
from fcatlas.errors import (
    AuthenticationError,
    CodeError,
    ConfigError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ThrottledError,
)

OP = Actor.national("cli:test")
PW = "ett långt lösenord"
T0 = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def engine(db_url: str):
    e = connect(db_url)
    yield e
    e.dispose()


def _add(engine, email="anna@regiondalarna.se", role="region", lan="20", level="foretradare"):
    with unit_of_work(engine) as s:
        return store.add_user(s, actor=OP, email=email, password=PW, role=role, lan_code=lan, level=level, now=T0)


def test_add_user_stores_argon2id_hash_and_normalised_email(engine):
    info = _add(engine, email="  Anna@RegionDalarna.SE ")
    assert info.email == "anna@regiondalarna.se" and info.lan_code == "20" and info.level == "foretradare"
    with unit_of_work(engine) as s:
        u = s.scalar(select(User))
        assert u.password_hash.startswith("$argon2id$") and PW not in u.password_hash
        assert u.created_by == "cli:test"


def test_region_account_defaults_to_handlaggare_and_national_has_no_lan(engine):
    assert _add(engine, level=None).level == "handlaggare"
    assert _add(engine, email="n@socialstyrelsen.se", role="nationell", lan=None, level=None).lan_code is None


@pytest.mark.parametrize(("kw", "err", "text_"), [
    ({"role": "admin"}, ConfigError, "okänd roll"),
    ({"lan": None}, ConfigError, "kräver ett län"),
    ({"lan": "99"}, CodeError, "99"),
    ({"level": "chef"}, ConfigError, "okänd nivå"),
    ({"role": "nationell"}, ConfigError, "inget län"),
    ({"email": "inte-en-adress"}, ConfigError, "giltig e-postadress"),
])
def test_add_user_refuses_bad_fields_in_swedish(engine, kw, err, text_):
    with pytest.raises(err, match=text_):
        _add(engine, **kw)


def test_duplicate_account_is_a_conflict(engine):
    _add(engine)
    with pytest.raises(ConflictError, match="finns redan"):
        _add(engine, email="ANNA@regiondalarna.se")


def test_short_password_refused(engine):
    with unit_of_work(engine) as s, pytest.raises(ConfigError, match="minst 12"):
        store.add_user(s, actor=OP, email="a@b.se", password="kort", role="nationell")


def test_only_national_manages_accounts(engine):
    region = Actor.region_user("r@x.se", lan_code="20", level=Level.FORETRADARE)
    with unit_of_work(engine) as s:
        for actor in (region, ANONYMOUS):
            with pytest.raises(PermissionDeniedError):
                store.add_user(s, actor=actor, email="a@b.se", password=PW, role="nationell")
            with pytest.raises(PermissionDeniedError):
                store.list_users(s, actor=actor)


def test_authenticate_gives_the_actor_and_one_answer_for_every_failure(engine):
    _add(engine)
    _add(engine, email="av@regiondalarna.se")
    with unit_of_work(engine) as s:
        store.disable_user(s, actor=OP, email="av@regiondalarna.se")
    with unit_of_work(engine) as s:
        a = store.authenticate(s, email="Anna@RegionDalarna.se", password=PW, address="127.0.0.1", now=T0)
    assert (a.role, a.lan_code, a.level) == (Role.REGION, "20", Level.FORETRADARE) and a.user_id
    messages = set()
    for email, pw in [("anna@regiondalarna.se", "fel lösenord!!"), ("okand@x.se", PW),
                      ("av@regiondalarna.se", PW), ("inte en adress", PW)]:
        with unit_of_work(engine) as s, pytest.raises(AuthenticationError) as exc:
            store.authenticate(s, email=email, password=pw, address="127.0.0.2", now=T0)
        messages.add(str(exc.value))
    assert messages == {store.LOGIN_FAILED}


def test_throttling_per_account_then_released_after_the_window(engine):
    _add(engine)
    th = store.Throttle(per_account=3, per_address=100, window=dt.timedelta(minutes=15))
    for i in range(3):
        with unit_of_work(engine) as s, pytest.raises(AuthenticationError):
            store.authenticate(s, email="anna@regiondalarna.se", password="fel lösenord!!",
                               address=f"10.0.0.{i}", throttle=th, now=T0)
    with unit_of_work(engine) as s, pytest.raises(ThrottledError, match="för många misslyckade") as exc:
        store.authenticate(s, email="anna@regiondalarna.se", password=PW, address="10.0.0.9", throttle=th, now=T0)
    assert exc.value.retry_after_s == 900
    later = T0 + dt.timedelta(minutes=16)
    with unit_of_work(engine) as s:
        assert store.authenticate(s, email="anna@regiondalarna.se", password=PW, address="10.0.0.9",
                                  throttle=th, now=later).user_id


def test_throttling_per_address_across_accounts(engine):
    _add(engine)
    th = store.Throttle(per_account=100, per_address=4)
    for i in range(4):
        with unit_of_work(engine) as s, pytest.raises(AuthenticationError):
            store.authenticate(s, email=f"gissning{i}@x.se", password="fel lösenord!!", address="10.9.9.9",
                               throttle=th, now=T0)
    with unit_of_work(engine) as s, pytest.raises(ThrottledError):
        store.authenticate(s, email="anna@regiondalarna.se", password=PW, address="10.9.9.9", throttle=th, now=T0)
    with unit_of_work(engine) as s:  # another address is not affected
        assert store.authenticate(s, email="anna@regiondalarna.se", password=PW, address="10.9.9.8",
                                  throttle=th, now=T0)


def test_tokens_are_stored_as_digests_expire_and_can_be_revoked(engine):
    _add(engine)
    with unit_of_work(engine) as s:
        tok, expires = store.create_token(s, actor=OP, email="anna@regiondalarna.se", days=30, now=T0)
    assert expires == T0 + dt.timedelta(days=30)
    with unit_of_work(engine) as s:
        assert tok not in [r.digest for r in s.scalars(select(ApiToken))]
        assert store.actor_from_token(s, token=tok, now=T0).lan_code == "20"
        with pytest.raises(AuthenticationError):
            store.actor_from_token(s, token=tok, now=expires)
        with pytest.raises(AuthenticationError):
            store.actor_from_token(s, token=tok + "x", now=T0)
        assert store.revoke_tokens(s, actor=OP, email="anna@regiondalarna.se", now=T0) == 1
    with unit_of_work(engine) as s, pytest.raises(AuthenticationError):
        store.actor_from_token(s, token=tok, now=T0)


def test_sessions_new_id_each_login_end_on_password_change(engine):
    info = _add(engine)
    actor = store.actor_of(info)
    with unit_of_work(engine) as s:
        sid1, csrf1 = store.start_session(s, actor=actor, now=T0)
        sid2, _ = store.start_session(s, actor=actor, now=T0)
    assert sid1 != sid2 and len(csrf1) >= 40
    with unit_of_work(engine) as s:
        got, csrf = store.session_actor(s, session_id=sid1, now=T0 + dt.timedelta(hours=1))
        assert got.user_id == info.id and csrf == csrf1
        assert sid1 not in [r.digest for r in s.scalars(select(LoginSession))]
        with pytest.raises(AuthenticationError):
            store.session_actor(s, session_id=sid1, now=T0 + dt.timedelta(hours=9))
    with unit_of_work(engine) as s:
        store.set_password(s, actor=actor, email=info.email, password="ett nytt långt lösenord")
    with unit_of_work(engine) as s:
        assert s.execute(text("SELECT count(*) FROM accounts_sessions")).scalar() == 0


def test_a_region_user_cannot_change_another_accounts_password(engine):
    _add(engine)
    other = store.actor_of(_add(engine, email="b@regionorebro.se", lan="18"))
    with unit_of_work(engine) as s, pytest.raises(PermissionDeniedError, match="region 18"):
        store.set_password(s, actor=other, email="anna@regiondalarna.se", password="ett nytt långt lösenord")
    with unit_of_work(engine) as s, pytest.raises(NotFoundError, match="inget konto"):
        store.disable_user(s, actor=OP, email="ingen@x.se")
