"""Issue 20: the README's parity table (section 11) is walked: every CLI command it names exists in
the typer app, every route exists in the FastAPI app, every row gives each face or says why not,
and every state-changing web route (except logging in and out) is in the table."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer

from fcatlas.cli import app as cli_app

README = Path(__file__).resolve().parents[2] / "README.md"
ROUTE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) (/\S*)$")
#: state-changing routes that are no operation of the year: logging in and out
NOT_OPERATIONS = {("POST", "/logga-in"), ("POST", "/logga-ut"), ("POST", "/api/v1/auth/token")}


def parity_rows() -> list[list[str]]:
    """The table's rows (operation, CLI, page, API), from the README section on parity."""
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## \d+\. Samma åtgärder i terminalen, på sidorna och i API:t\n(.*?)^## ", text, re.S | re.M)
    assert section, "README:n saknar avsnittet med paritetstabellen"
    lines = [ln for ln in section.group(1).splitlines() if ln.startswith("|")]
    assert lines[0].split("|")[1:5] == [" Åtgärd ", " Terminalen ", " Sidan ", " API:t "]
    rows = [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in lines[2:]]
    assert all(len(r) == 4 for r in rows), [r for r in rows if len(r) != 4]
    return rows


def items(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def cli_commands() -> set[tuple[str, ...]]:
    """Every command path of the typer app, e.g. ``('grant', 'year', 'setup')``."""
    out: set[tuple[str, ...]] = set()

    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        out.add(path)
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(cli_app), ())
    return out


def web_routes(tmp_path: Path) -> set[tuple[str, str]]:
    """Every (method, path) of the FastAPI app, through its included routers."""
    from fcatlas.web.app import create_app
    from fcatlas.web.config import WebConfig

    web = create_app(WebConfig(db_url=f"sqlite:///{tmp_path / 'r.sqlite'}", access_log=tmp_path / "a.jsonl",
                               warm=False))
    out: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for r in routes:
            if hasattr(r, "original_router"):  # an included router
                walk(r.original_router.routes, prefix + r.include_context.prefix)
            elif hasattr(r, "routes") and hasattr(r, "path") and not hasattr(r, "methods"):  # a mount
                walk(r.routes, prefix + r.path)
            elif hasattr(r, "methods") and hasattr(r, "path"):
                out.update((m, prefix + r.path) for m in (r.methods or set()) - {"HEAD"})

    walk(web.routes, "")
    web.state.engine.dispose()
    return out


@pytest.fixture(scope="module")
def routes(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, str]]:
    return web_routes(tmp_path_factory.mktemp("parity"))


def test_issue20_every_row_gives_each_face_or_says_why_not() -> None:
    rows = parity_rows()
    assert len(rows) >= 30
    for operation, *faces in rows:
        for cell in faces:
            assert items(cell) or (cell.startswith("–") and len(cell) > 5), (operation, cell)


def test_issue20_every_cli_command_in_the_table_exists() -> None:
    commands = cli_commands()
    named = [(row[0], item) for row in parity_rows() for item in items(row[1])]
    assert len(named) >= 30
    for operation, item in named:
        if not item.startswith("fcatlas "):
            continue
        path = tuple(w for w in item.split()[1:] if not w.startswith("-"))
        assert path in commands, (operation, item)
    # the named report steps are there, the anything-goes status change is not
    assert {("grant", "report", s) for s in ("submit", "return", "approve")} <= commands
    assert ("grant", "report", "status") not in commands


def test_issue20_every_route_in_the_table_exists(routes: set[tuple[str, str]]) -> None:
    for operation, _cli, page, api in parity_rows():
        for item in items(page) + items(api):
            m = ROUTE.match(item)
            assert m, (operation, item)
            assert (m.group(1), m.group(2)) in routes, (operation, item)


def test_issue20_every_state_changing_route_is_in_the_table(routes: set[tuple[str, str]]) -> None:
    listed = {(m.group(1), m.group(2)) for row in parity_rows() for item in items(row[2]) + items(row[3])
              if (m := ROUTE.match(item))}
    changing = {(m, p) for m, p in routes if m in {"POST", "PUT", "PATCH", "DELETE"}} - NOT_OPERATIONS
    assert changing, "no state-changing routes found: the walk over the app's routes is broken"
    assert sorted(changing - listed) == []
