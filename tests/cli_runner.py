"""Run the ``fcatlas`` command inside the test process, exactly as the console script does.

``fcatlas(*args, cwd=…, env=…, input=…)`` calls :func:`fcatlas.cli.main`'s own entry
(:func:`fcatlas.cli.common.run` — the Swedish error messages and exit codes) under typer's
``CliRunner`` isolation (stdin, stdout, stderr and environment swapped for the call) and returns a
:class:`subprocess.CompletedProcess` with the exit code, stdout and stderr, the same answer a
subprocess gives. Starting Python for every command took 1–3 s a call; this takes milliseconds.

What a process end would have reset is reset after each call: the working directory, the
environment, the input limits (``fcatlas.files.configure``) and the pooled database engines.

A handful of tests still start the real console script (``tests/test_cli_usage.py``, the servers
in ``tests/web/test_serve.py`` and ``test_concurrency.py``, the README walk-through).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from typer.testing import CliRunner

#: the terminal width the subprocess runs had (``COLUMNS=200``): rich tables are not cut
WIDTH = 200


def fcatlas(*args: str | Path, cwd: Path | str | None = None, env: Mapping[str, str | None] | None = None,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``fcatlas ARGS`` in this process; never raises for a failing command.

    ``env`` adds to (``None``: removes from) the environment for the call; ``COLUMNS`` (default
    200) is the terminal width the output is laid out for.
    """
    from typer._click import formatting

    from fcatlas import files
    from fcatlas.cli import app
    from fcatlas.cli.common import console, err_console, run

    argv = ["fcatlas", *map(str, args)]
    overrides: dict[str, str | None] = {"COLUMNS": str(WIDTH), "FCATLAS_DEBUG": None, **(env or {})}
    width = int(overrides["COLUMNS"] or WIDTH)
    old_argv, old_cwd = sys.argv, os.getcwd()
    old_widths = console.width, err_console.width
    limits = files.max_input_bytes(), files.max_input_rows()
    code = 0
    with CliRunner().isolation(input=input, env=overrides) as (out, err, _):
        formatting.FORCED_WIDTH = width
        console.width = err_console.width = width
        sys.argv = argv
        try:
            if cwd is not None:
                os.chdir(cwd)
            run(app)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            sys.argv = old_argv
            os.chdir(old_cwd)
            console.width, err_console.width = old_widths
            files.configure(*limits)
            _forget_engines()
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode("utf-8", "backslashreplace")
    return subprocess.CompletedProcess(argv, code, stdout, stderr)


def _forget_engines() -> None:
    db = sys.modules.get("fcatlas.db")
    if db is not None:
        db.forget_engines()
