"""The examples in the docstrings of the core modules are run (they are documentation)."""

import doctest
import importlib

import pytest

from fcatlas.geography.sources import pxweb, textfile

MODULES = [
    "fcatlas.errors",
    "fcatlas.domain",
    "fcatlas.settings",
    "fcatlas.fmt",
    "fcatlas.cli.common",
    "fcatlas.geography.codes",
    "fcatlas.geography.admin",
    "fcatlas.geography.exclusion",
    "fcatlas.geography.sources.scb_files",
    "fcatlas.apportion",
    "fcatlas.economics.listed",
    "fcatlas.economics.payment",
    "fcatlas.economics.visits",
    "fcatlas.economics.costs",
    "fcatlas.economics.outlook",
    "fcatlas.economics.intake",
    "fcatlas.outputs.economics_charts",
    "fcatlas.geography.sources.points",
    "fcatlas.analysis.siting",
    "fcatlas.analysis.csr",
    "fcatlas.analysis.milp",
    "fcatlas.analysis.coverage",
    "fcatlas.analysis.linking",
    "fcatlas.accounts.roles",
    "fcatlas.accounts.credentials",
    "fcatlas.accounts.store",
    "fcatlas.register.workflow",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0, f"{name} har inga exempel"
    assert res.failed == 0


@pytest.mark.parametrize("module", [textfile, pxweb])
def test_docstring_examples_of_the_readers_run(module):
    res = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0


@pytest.mark.parametrize("name", ["linking", "coverage", "gaps", "similar", "questions", "atlas", "reference"])
def test_issue4_doctests_of_analysis_run(name):
    """The examples in the docstrings were never executed by the test suite."""
    mod = importlib.import_module(f"fcatlas.analysis.{name}")
    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0
    if name in ("linking", "coverage", "gaps", "similar"):
        assert res.attempted > 0
