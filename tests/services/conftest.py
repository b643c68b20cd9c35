"""Shared fixtures of the service tests."""

from __future__ import annotations

import pytest

from fcatlas.register.store import Register


@pytest.fixture
def reg(db_url, shared_data):
    """Dalarna's list imported in round 2027 by ``import@regiondalarna.se`` (SQLite and PostgreSQL)."""
    r = Register.open(db_url)
    r.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2027, user="import@regiondalarna.se")
    yield r
    r.close()
