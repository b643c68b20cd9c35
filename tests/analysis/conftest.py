from __future__ import annotations

import pytest

from synthetic_country import make_instance


@pytest.fixture(scope="module")
def small():
    """A small synthetic country: 2 län, 8 kommuner, 60 RegSO, 90 DeSO, 40 units."""
    return make_instance(n_regso=60, n_deso=90, n_units=40, n_kommuner=8, n_lan=2, seed=7,
                         width=200_000.0, height=300_000.0)
