"""Helpers for the economics tests: run the CLI as a user does (subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

FCATLAS = [sys.executable, "-m", "fcatlas.cli"]


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "FCATLAS_OFFLINE": "1"}
    return subprocess.run([*FCATLAS, *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


@pytest.fixture
def cli():
    return run
