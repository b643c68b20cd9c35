"""The examples in the docstrings of the core modules are run (they are documentation)."""

import doctest
import importlib

import pytest

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
