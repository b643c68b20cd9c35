"""The README is a contract: its first two bash blocks are the set-up commands, and every later
bash block is a worked example that must run as written."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fork_runner import fcatlas_on_path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
#: the console script of the installed package (pyproject.toml's [project.scripts])
REAL_SCRIPT = Path(sys.executable).parent / "fcatlas"
BLOCK_RE = re.compile(r"^```bash\n(.*?)^```", re.S | re.M)


def blocks() -> list[str]:
    return BLOCK_RE.findall(README.read_text(encoding="utf-8"))


def test_readme_opens_with_the_two_setup_commands():
    b = blocks()
    text = README.read_text(encoding="utf-8")
    first_fence = text.index("```")
    assert text[first_fence:].startswith("```bash"), "README:ns första kodblock ska vara kommando 1"
    one, two = b[0].strip(), b[1].strip()
    assert "\n" not in one and "\n" not in two, "varje set-up-kommando står ensamt i sitt block"
    assert "pip install" in one and "fcatlas demo" in one
    assert "apt-get install" in two and "postgresql" in two and "tools/check.sh" in two
    ci = (ROOT / ".ci" / "run").read_text()
    assert "blocks[1]" in ci


@pytest.fixture(scope="module")
def readme_env(tmp_path_factory: pytest.TempPathFactory):
    """The walk-through's environment, and the same with its fast `fcatlas` first on PATH: a child
    forked per command from a process that has imported fcatlas (tests/fork_runner.py; the real
    script when that cannot start). A test adds its own ``FCATLAS_HOME``."""
    base = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}  # changes as tests run
    env = {**base, "PATH": f"{REAL_SCRIPT.parent}:{base['PATH']}", "COLUMNS": "200"}
    server = tmp_path_factory.mktemp("fcatlas-server")
    with fcatlas_on_path(server, env, REAL_SCRIPT) as fast:
        yield env, fast, server / "fcatlas-server.log"


@pytest.mark.slow
def test_readme_examples_run(shared_data, tmp_path, readme_env):
    work = tmp_path / "arbete"
    work.mkdir()
    (tmp_path / "shared").symlink_to(shared_data.parent)
    script = "set -euo pipefail\n" + "\n".join(blocks()[2:])
    env = {**readme_env[1], "FCATLAS_HOME": str(tmp_path / "home")}
    r = subprocess.run(["bash", "-c", script], cwd=work, env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, f"README-exemplen misslyckades:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    assert (work / "paket" / "manifest.json").is_file()
    falun = (work / "falun_2022.csv").read_text(encoding="utf-8").splitlines()
    assert len(falun) == 1 + 19 and falun[0].startswith("regso_code,name,kommun_code")
    assert all(",2022," in line for line in falun[1:])


def test_demo_command_from_readme_runs_offline(tmp_path):
    one = blocks()[0].strip()
    demo = one.split("&&")[-1].strip().replace(".venv/bin/", "")
    args = demo.split()[1:]
    env = {**os.environ, "FCATLAS_HOME": str(tmp_path / "home"), "FCATLAS_OFFLINE": "1", "COLUMNS": "200"}
    r = subprocess.run([sys.executable, "-m", "fcatlas.cli", *args], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "SYNTETISKA EXEMPELDATA" in r.stdout
    out = tmp_path / "fcatlas-demo"
    assert (out / "paket" / "manifest.json").is_file()
    assert (out / "enheter_demo.csv").is_file()


# stdin from a pipe, stdout to a file and to a pipe, exit codes seen by `;`, `||` and `$?`, a
# variable for one command only (and not for the next), a terminal width other than the server's
RUNNER_CHECK = """
fcatlas areas --bundle saknas --year abc; echo "rc=$?"
echo 'ett långt lösenord för prov' | fcatlas user add a@regiondalarna.se --roll nationell --db t.sqlite > ny.txt
echo "rc=$?"; cat ny.txt
printf 'Namn;Kommunkod;Typ\\nFamiljecentralen Norr;2080;Familjecentral\\n' > liten.csv
FCATLAS_MAX_FILE_MB=0.00001 fcatlas register import liten.csv --db t.sqlite || echo "nekat $?"
fcatlas register import liten.csv --db t.sqlite | head -3
COLUMNS=60 fcatlas areas --help | head -4
"""


@pytest.mark.slow
def test_issue20_readme_runner_answers_as_the_real_script(tmp_path, readme_env):
    """The README walk-through's `fcatlas` (tests/fork_runner.py) gives what the installed console
    script gives: the same stdout, stderr and exit codes, command by command."""
    real_env, fast_env, log = readme_env
    logged = log.read_text().splitlines()
    answers = []
    work = tmp_path / "arbete"
    for env in (real_env, fast_env):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        r = subprocess.run(["bash", "-c", RUNNER_CHECK], cwd=work, env={**env, "FCATLAS_HOME": str(work / "home")},
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
        answers.append((r.returncode, r.stdout, r.stderr))
    assert answers[1] == answers[0]
    assert "rc=2" in answers[0][1] and "nekat 1" in answers[0][1] and "a@regiondalarna.se" in answers[0][1]
    forked = log.read_text().splitlines()[len(logged):]
    assert [line.split()[:2] for line in forked] == [["fork", "areas"], ["fork", "user"], ["fork", "register"],
                                                     ["fork", "register"], ["exec", "areas"]]
