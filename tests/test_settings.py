"""fcatlas.settings: the one settings object (environment FCATLAS_*)."""

import pytest


@pytest.mark.parametrize("value,offline", [("", False), ("0", False), ("False", False), ("nej", False),
                                           ("NO", False), ("1", True), ("ja", True)])
def test_fcatlas_offline_false_in_any_case_means_online(value, offline):
    from fcatlas.settings import Settings

    assert Settings.from_env({"FCATLAS_OFFLINE": value}).offline is offline


def test_fcatlas_db_pool_sizes_a_postgresql_engines_pool(monkeypatch):
    from fcatlas.db import make_engine
    from fcatlas.errors import ConfigError
    from fcatlas.settings import Settings

    assert Settings.from_env({}).db_pool == 20
    monkeypatch.setenv("FCATLAS_DB_POOL", "7")
    engine = make_engine("postgresql+psycopg://fcatlas@127.0.0.1:1/ingen")  # no connection is made
    assert engine.pool.size() == 7 and engine.pool._max_overflow == 0  # type: ignore[attr-defined]
    engine.dispose()
    with pytest.raises(ConfigError, match="FCATLAS_DB_POOL"):
        Settings.from_env({"FCATLAS_DB_POOL": "många"})
