"""CLI commands of the atlas room (not yet built)."""

from __future__ import annotations

import typer


def install(app: typer.Typer) -> None:
    """Attach this module's commands to the main app."""
