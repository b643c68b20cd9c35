"""A real app on a real database (SQLite and PostgreSQL) driven through HTTP (httpx transport)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from fcatlas.accounts import store
from fcatlas.accounts.roles import Actor
from fcatlas.db import connect, unit_of_work
from fcatlas.web.app import create_app
from fcatlas.web.config import WebConfig

from .helpers import ACCOUNTS, PW, quick_passwords


def add_accounts(db_url: str) -> None:
    """The database at its current schema with the accounts of ``helpers.ACCOUNTS`` (their
    password stored at argon2's lowest cost: ``helpers.quick_passwords``)."""
    engine = connect(db_url)
    with unit_of_work(engine) as s:
        for email, role, lan, level in ACCOUNTS.values():
            store.add_user(s, actor=Actor.national("test"), email=email, password=PW, role=role,
                           lan_code=lan, level=level)
    engine.dispose()
    quick_passwords(db_url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path, database_templates):
    """The root ``db_url`` with the accounts of ``helpers.ACCOUNTS`` (a copy of a database
    prepared once per session: hashing their four passwords took a second a test)."""
    return database_templates.copy(request.param, add_accounts, tmp_path)


@pytest.fixture
def make_client(db_url, tmp_path):
    clients = []

    def make(**kw) -> TestClient:
        # the tests change the database behind the service's back, so it reads the data version
        # for every request (cache_ttl_s=0) unless a test asks otherwise
        cfg = WebConfig(db_url=db_url, access_log=tmp_path / "access.jsonl", **{"cache_ttl_s": 0, **kw})
        c = TestClient(create_app(cfg), raise_server_exceptions=False)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.app.state.engine.dispose()


@pytest.fixture
def client(make_client):
    return make_client()
