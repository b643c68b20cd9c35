"""Helpers for the economics tests: run the CLI as a user does (in-process, :mod:`cli_runner`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    from cli_runner import fcatlas

    return fcatlas(*args, cwd=cwd, env={"FCATLAS_OFFLINE": "1"})


@pytest.fixture
def cli():
    return run
