"""Copy the web pages' third-party files from node_modules into the package (``src/fcatlas/web/vendor``,
laid out as node_modules is), so that a wheel or an sdist carries them: a server installed from the
wheel alone shows the map. Run by the build (setup.py) before the package files are collected;
``npm ci --omit=dev`` is run first when node_modules lacks them. The copies are never committed
(.gitignore). Usage: python tools/vendor_web.py"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "fcatlas" / "web" / "vendor"
#: the runtime files the pages serve under /vendor/ (fcatlas.web.pages.common.VENDOR), by their
#: path in node_modules; the development-only ones (axe-core) are left out
FILES = ("leaflet/dist/leaflet.js", "leaflet/dist/leaflet.css", "leaflet/LICENSE")


def main() -> int:
    modules = ROOT / "node_modules"
    if not all((modules / f).is_file() for f in FILES):
        if all((TARGET / f).is_file() for f in FILES):
            print("vendor_web: filerna finns redan i paketet (byggs från en sdist)")
            return 0
        if shutil.which("npm") is None:
            print("vendor_web: npm saknas och node_modules är inte installerat", file=sys.stderr)
            return 1
        subprocess.run(["npm", "ci", "--omit=dev", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
    for f in FILES:
        out = TARGET / f
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(modules / f, out)
    print(f"vendor_web: {len(FILES)} filer kopierade till {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
