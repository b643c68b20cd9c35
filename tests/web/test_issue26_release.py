"""Issue 26.1: ``python -m build`` makes a wheel and an sdist that carry the map's library
(Leaflet, obtained through npm at build time); a server installed from the wheel alone, in a
fresh venv outside the checkout and without node_modules, shows the map in Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from . import ops

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    r = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ops.ROOT)],
                       capture_output=True, text=True, timeout=600, cwd=out)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return out


def test_issue26_wheel_and_sdist_carry_leaflet(dist):
    wheel = next(dist.glob("fcatlas-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "fcatlas/web/vendor/leaflet/dist/leaflet.js" in names
    assert "fcatlas/web/vendor/leaflet/dist/leaflet.css" in names
    assert not any("node_modules" in n or "axe-core" in n for n in names)
    sdist = next(dist.glob("fcatlas-*.tar.gz"))
    with tarfile.open(sdist) as t:
        members = t.getnames()
    assert any(m.endswith("src/fcatlas/web/vendor/leaflet/dist/leaflet.js") for m in members)
    assert any(m.endswith("/tools/vendor_web.py") for m in members)


def test_issue26_wheel_alone_serves_the_map(dist, tmp_path, demo_bundle):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    wheel = next(dist.glob("fcatlas-*.whl"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FCATLAS_NODE_MODULES")}
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)],
                         capture_output=True, text=True, timeout=300, env=env)
    assert pip.returncode == 0, pip.stderr
    # the dependencies come from the test's own environment (no network), fcatlas from the wheel
    # only: the path is appended after the venv's own packages, and its .pth files (the
    # checkout's editable install) are not read
    (site / "beroenden.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import fcatlas; print(fcatlas.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, check=True).stdout
    assert where.startswith(str(site)), where
    work = tmp_path / "server"  # no node_modules here, and the checkout is elsewhere
    work.mkdir()
    port = ops.free_port()
    proc = ops.serve(port, exe=[str(venv / "bin" / "fcatlas")], extra=["--bundle", str(demo_bundle.path)],
                     env={"FCATLAS_DB": f"sqlite:///{work / 'fcatlas.sqlite'}"}, cwd=work, log=tmp_path / "app.log",
                     drop=("PYTHONPATH", "FCATLAS_NODE_MODULES"))
    try:
        ops.wait_http(f"http://127.0.0.1:{port}/healthz", proc, tmp_path / "app.log")
        sync_api = pytest.importorskip("playwright.sync_api")
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=ops.CHROMIUM, args=ops.CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("#karta[data-klar='1']", timeout=30000)
            assert page.evaluate("typeof L !== 'undefined' && typeof L.map === 'function'")
            assert "Kartan kan inte visas" not in page.inner_text("body")
            assert page.locator(".leaflet-container").count() == 1
            browser.close()
    finally:
        ops.stop(proc)
