"""Usage errors (bad option values, unknown commands) are Swedish messages with exit code 2, never
a traceback — regression: typer's vendored click exceptions slipped past run()."""

import pytest


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["areas", "--bundle", "x", "--year", "abc"], "Fel: Ogiltigt värde för '--year': ska vara ett heltal"),
        (["areas", "--bundle", "x", "--format", "xml"], "'xml' är inte ett av 'table', 'csv', 'json'"),
        (["nope"], "Fel: Kommandot finns inte: 'nope'."),
        (["areas"], "Fel: Flagga saknas: '--bundle'."),
    ],
)
def test_usage_errors_are_swedish(cli, args, message):
    r = cli(*args)
    assert r.returncode == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_issue8_help_is_swedish_and_whole_sentences(cli):
    r = cli("register", "import", "--help")
    assert r.returncode == 0
    out = r.stdout
    for en in ("Show this message and exit", "[required]", "<bool>", "Usage:", "Options", "Arguments"):
        assert en not in out, en
    for sv in ("Visa den här hjälpen och avsluta.", "[krävs]", "Användning:", "Flaggor", "Argument", "<sökväg>"):
        assert sv in out, sv
    # a paragraph of the docstring is one line at 200 columns, not broken where the source was
    assert "regionens enheter som inte finns med stängs (status nedlagd" in out


def test_issue8_help_starts_without_heavy_libraries(tmp_path):
    """`fcatlas --help` took 1.5 s: pandas & co. were imported for the help (see benchmarks/cli_startup.py)."""
    import subprocess
    import sys

    code = ("import sys, runpy\nsys.argv = ['fcatlas', '--help']\ntry:\n"
            "    runpy.run_module('fcatlas.cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('pandas', 'numpy', 'geopandas', 'sqlalchemy', 'shapely') if m in sys.modules),"
            " file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.stderr.strip().splitlines()[-1] == "[]", r.stderr


@pytest.mark.parametrize("args", [("register", "list"), ("register", "export", "--format", "csv"),
                                  ("grant", "report", "list"), ("grant", "report", "summary")])
def test_issue8_without_db_says_which_and_creates_no_empty_one(cli, tmp_path, args):
    home = tmp_path / "home"
    r = cli(*args, cwd=tmp_path, env={"FCATLAS_HOME": str(home), "FCATLAS_DB": "", "COLUMNS": "40"})
    assert r.returncode == 1
    assert f"Databas: {home / 'fcatlas.sqlite'} (standard; välj en annan med --db)" in r.stderr
    assert "finns inte (inget skapas av ett kommando som bara läser)" in r.stderr
    # the command to copy is on one line even in a narrow terminal
    assert "fcatlas register import FIL --db FIL.sqlite" in r.stderr
    assert not (home / "fcatlas.sqlite").exists()


def test_issue20_the_installed_command_runs_in_its_own_process(tmp_path):
    """The CLI tests run fcatlas in the test process (tests/cli_runner.py); this one starts the real
    entry points, as a user does: the ``fcatlas`` script of the installed package, and ``python -m
    fcatlas.cli``. The exit code and the Swedish message on stderr are the process's own."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "COLUMNS": "200", "FCATLAS_HOME": str(tmp_path / "home")}
    script = str(Path(sys.executable).parent / "fcatlas")
    r = subprocess.run([script, "areas", "--bundle", "x", "--year", "abc"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "Fel: Ogiltigt värde för '--year': ska vara ett heltal" in r.stderr
    assert "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "fcatlas.cli", "register", "list"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr
    assert "Fel:" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert not (tmp_path / "home" / "fcatlas.sqlite").exists()
