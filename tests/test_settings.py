"""fcatlas.settings: the one settings object (environment FCATLAS_*)."""

import pytest


@pytest.mark.parametrize("value,offline", [("", False), ("0", False), ("False", False), ("nej", False),
                                           ("NO", False), ("1", True), ("ja", True)])
def test_fcatlas_offline_false_in_any_case_means_online(value, offline):
    from fcatlas.settings import Settings

    assert Settings.from_env({"FCATLAS_OFFLINE": value}).offline is offline
