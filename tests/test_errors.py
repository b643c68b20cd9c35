"""Every error class of fcatlas is of one kind in the one table (errors.ERROR_KINDS), which gives
both its CLI exit code and its HTTP status."""

from __future__ import annotations

import importlib
import pkgutil

import fcatlas
from fcatlas import errors as e
from fcatlas.web.problems import status_of


def _all_errors() -> set[type[e.FcatlasError]]:
    for mod in pkgutil.walk_packages(fcatlas.__path__, "fcatlas."):
        if ".migrations" not in mod.name and not mod.name.endswith("__main__"):
            importlib.import_module(mod.name)
    found: set[type[e.FcatlasError]] = set()
    todo = [e.FcatlasError]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return found


def test_every_error_class_is_of_a_named_kind():
    kinds = [k for k, _, _ in e.ERROR_KINDS if k is not e.FcatlasError]
    errors = _all_errors()
    assert len(errors) > 20
    loose = sorted(f"{c.__module__}.{c.__name__}" for c in errors if not issubclass(c, tuple(kinds)))
    assert loose == []


def test_the_table_gives_the_cli_code_and_the_http_status():
    from fcatlas.grants.allocation import AllocationError
    from fcatlas.register.store import InvalidChangeError

    assert e.kind_of(e.StaleVersionError("x", current_version=2)) == (1, 412)
    assert e.kind_of(InvalidChangeError("Namn: namn saknas", field="name")) == (1, 400)
    assert status_of(AllocationError("x")) == 400 and status_of(e.InputFileError("f.csv", "x")) == 422
    assert status_of(e.NotFoundError("x")) == 404 and status_of(e.OfflineError("x")) == 503
