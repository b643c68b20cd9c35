"""The build runs tools/vendor_web.py first, so that wheels and sdists carry the web pages'
third-party files (Leaflet) obtained through npm (everything else is in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent


def _vendor() -> None:
    subprocess.run([sys.executable, str(HERE / "tools" / "vendor_web.py")], cwd=HERE, check=True)


class BuildPyWithWeb(build_py):
    def run(self) -> None:
        # an editable install (the README's first command) serves node_modules from the checkout
        # and must work where npm is not installed; wheels and sdists carry the copies
        if not getattr(self, "editable_mode", False):
            _vendor()
        super().run()


class SdistWithWeb(sdist):
    def run(self) -> None:
        _vendor()
        super().run()


setup(cmdclass={"build_py": BuildPyWithWeb, "sdist": SdistWithWeb})
