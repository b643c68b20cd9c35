from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def dalarna(shared_data: Path) -> Path:
    return shared_data / "familjecentraler" / "dalarna_2026.csv"
