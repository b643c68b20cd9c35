"""The README is a contract: its first two bash blocks are the set-up commands, and every later
bash block is a worked example that must run as written."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
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


@pytest.mark.slow
def test_readme_examples_run(shared_data, tmp_path):
    work = tmp_path / "arbete"
    work.mkdir()
    (tmp_path / "shared").symlink_to(shared_data.parent)
    script = "set -euo pipefail\n" + "\n".join(blocks()[2:])
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
           "FCATLAS_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    r = subprocess.run(["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=900)
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
