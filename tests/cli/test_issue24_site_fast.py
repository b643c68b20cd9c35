"""Issue 24.5: `fcatlas site` on the operator's files imports no geo stack (it took 3.4–4.1 s for a
0.23 s solve because it imported geopandas, pyproj and more before reading two CSV files), and the
CLI installs a sub-command's module only when that command is run (or listed by --help).

The first test starts the console's module in a fresh process on purpose: what a process imports
can only be seen from a process that has imported nothing else (see benchmarks/site_command.py for
the timings).
"""

from __future__ import annotations

import enum
import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from fcatlas.cli import LAZY_COMMANDS, _installed_app, app
from fcatlas.settings import Settings

GEO_AND_FRIENDS = ("geopandas", "pyproj", "shapely", "matplotlib", "weasyprint", "sqlalchemy", "fastapi",
                   "fcatlas.web", "fcatlas.cli.register", "fcatlas.cli.grant", "fcatlas.cli.serve")

PROBE = """
import json, sys
watch = json.loads(sys.argv[2])
sys.argv = ["fcatlas", *json.loads(sys.argv[1])]
from fcatlas.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(m for m in watch if m in sys.modules)}), file=sys.stderr)
"""


def _run_site(args: list[str], tmp_path: Path) -> tuple[dict[str, object], str]:
    r = subprocess.run([sys.executable, "-c", PROBE, json.dumps(["site", *args]), json.dumps(GEO_AND_FRIENDS)],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    return json.loads(r.stderr.strip().splitlines()[-1]), r.stdout


@pytest.fixture
def xy_files(tmp_path: Path) -> tuple[Path, Path]:
    d = tmp_path / "barn.csv"
    d.write_text("id,weight,x,y\n001,5,0,0\n002,3,10,0\n003,4,30,0\n004,6,50,0\n", encoding="utf-8")
    c = tmp_path / "platser.csv"
    c.write_text("id,x,y,fixed\n007,0,0,1\n010,20,0,0\n011,40,0,0\n012,55,0,0\n", encoding="utf-8")
    return d, c


def test_issue24_site_on_generic_files_imports_no_geo_stack(xy_files, tmp_path):
    d, c = xy_files
    probe, out = _run_site(["--demand", str(d), "--candidates", str(c), "--radius", "10", "-p", "1",
                            "--format", "json"], tmp_path)
    assert probe == {"code": 0, "modules": []}
    res = json.loads(out)
    # ids stay text: leading zeros kept
    assert res["fixed"] == ["007"] and res["selected"] == ["011"]
    assert (res["covered_weight"], res["total_weight"], res["status"]) == (18, 18, "optimal")


def test_issue24_site_json_on_generic_files_imports_neither_pandas_nor_scipy(xy_files, tmp_path):
    """Issue 24.5 (≥ 80 × spopt): pandas and scipy took half of the command's 1.3 s to import; the
    point files are read with the csv module and numpy, the model is solved by HiGHS through
    highspy, and typer's help renderer is left unimported when no help is shown."""
    d, c = xy_files
    r = subprocess.run([sys.executable, "-c", PROBE, json.dumps(["site", "--demand", str(d), "--candidates", str(c),
                                                              "--radius", "10", "-p", "1", "--format", "json"]),
                        json.dumps(["pandas", "scipy", "typer.rich_utils", "highspy"])],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert json.loads(r.stderr.strip().splitlines()[-1]) == {"code": 0, "modules": ["highspy"]}
    assert json.loads(r.stdout)["selected"] == ["011"]


def test_issue24_lat_lon_still_projects(tmp_path):
    """lat, lon need the projection: pyproj is imported then, and only pyproj's side of the stack."""
    d = tmp_path / "barn.csv"
    d.write_text("id,weight,lat,lon\na,5,59.3300,18.0600\nb,3,59.3400,18.0700\n", encoding="utf-8")
    c = tmp_path / "platser.csv"
    c.write_text("id,lat,lon\ns,59.3301,18.0601\nt,59.3401,18.0701\n", encoding="utf-8")
    probe, out = _run_site(["--demand", str(d), "--candidates", str(c), "--radius", "200", "-p", "2",
                            "--format", "json"], tmp_path)
    assert probe == {"code": 0, "modules": ["pyproj"]}
    assert sorted(json.loads(out)["selected"]) == ["s", "t"]


def test_issue24_help_lists_every_command_in_the_old_order():
    group = typer.main.get_command(app)
    assert list(group.commands) == ["areas", "atlas", "similar", "demo", "site", "rapport", "serve", "notify",
                                    "data", "register", "grant", "listade", "ekonomi", "user", "db"]
    # register's sub-commands include those that rounds attaches
    assert {"round", "publish", "import"} <= set(group.commands["register"].commands)


def test_issue24_each_module_installs_exactly_its_names():
    built: dict[str, str] = {}
    for module in {m for ms in LAZY_COMMANDS.values() for m in ms}:
        sub = _installed_app(module)
        if sub.registered_commands or sub.registered_groups:
            for name in typer.main.get_group(sub).commands:
                built[name] = module
    assert set(built) == set(LAZY_COMMANDS)
    assert all(built[name] in modules for name, modules in LAZY_COMMANDS.items())


@pytest.mark.parametrize("db", ["", "register.sqlite", "/tmp/åsa/50%/a?b#c.sqlite", ":memory:",
                                "sqlite:///rel/x.sqlite", "sqlite:////abs/%C3%A5.sqlite", "sqlite://",
                                "postgresql://u@h/db"])
def test_issue24_database_file_without_sqlalchemy_is_the_same_file(db, tmp_path):
    from fcatlas.db import sqlite_file

    s = Settings(db_url=db, home=tmp_path / "hem")
    assert s.database_file == sqlite_file(s.database_url)


def _outcome(rp, value, param, ctx):
    try:
        v = rp.coerce(value, param=param, ctx=ctx)
        return ("value", type(v).__name__, repr(v))
    except Exception as exc:  # the message a user would see
        msg = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        return ("error", type(exc).__name__, msg)


def test_issue24_plain_option_values_are_typers_own(tmp_path):
    """fcatlas takes plain option values without typer's pydantic adapters (their import and
    building cost 0.1 s of every command): every value gives what typer gives, value or message."""
    from typer import _click, _coercion, core

    from fcatlas.cli import common

    common.plain_coercion()
    assert core.build_runtime_param is not _coercion.build_runtime_param
    (tmp_path / "fil.csv").write_text("x\n", encoding="utf-8")
    values = {
        "str": ["abc", "", " x ", "å"],
        "int": ["20", "-3", "0", "007", "1_000", "+5", "2.0", "abc", "", " 5", "99999999999999999999", 1, 200],
        "float": ["2500", "2.5", "-0.5", "0.25", "1e3", "inf", "nan", "abc", "2,5", "", ".5", "5.", 60.0, 60],
        "bool": [True, False, "true", "0"],
        "Path": ["x.csv", str(tmp_path / "fil.csv"), str(tmp_path), "-", "~/a"],
        "enum": ["json", "JSON", "xml", "", "tabell", "table"],
    }
    cmd = typer.main.get_command(app).commands["site"]
    ctx = _click.Context(cmd)
    seen = set()
    for param in [*cmd.params, *typer.main.get_command(app).params]:
        d = param.type_descriptor
        kind = "enum" if isinstance(d.annotation, type) and issubclass(d.annotation, enum.Enum) \
            else getattr(d.annotation, "__name__", "")
        if kind not in values:
            continue
        seen.add(kind)
        plain, full = core.build_runtime_param(d), _coercion.build_runtime_param(d)
        assert type(plain) is not type(full)
        for v in [*values[kind], None]:
            assert _outcome(plain, v, param, ctx) == _outcome(full, v, param, ctx), (param.name, v)
    assert seen >= {"str", "int", "float", "Path", "enum"}
