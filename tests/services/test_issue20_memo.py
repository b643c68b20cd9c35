"""Issue 20 point 5: caches live in the web layer only, keyed on the data version; services are
plain functions that take an optional ``memo``."""

from __future__ import annotations

import ast
import threading
import time
from pathlib import Path

from fcatlas.accounts.roles import ANONYMOUS
from fcatlas.db import connect, unit_of_work
from fcatlas.services import areas, borders
from fcatlas.services.memo import remembered
from fcatlas.web.cache import Computed

SERVICES = Path(__file__).resolve().parents[2] / "src" / "fcatlas" / "services"
MUTABLE = {"dict", "OrderedDict", "defaultdict", "list", "set", "Lock", "RLock", "WeakValueDictionary"}


def _mutable(value: ast.expr | None) -> bool:
    """An empty container or a lock: what a module keeps state in."""
    if isinstance(value, ast.Dict | ast.List | ast.Set):
        return not (getattr(value, "keys", None) or getattr(value, "elts", None))
    if isinstance(value, ast.Call):
        f = value.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
        return name in MUTABLE and not value.args
    return False


def test_issue20_services_hold_no_module_level_cache():
    found = []
    for path in sorted(SERVICES.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
            if _mutable(value):
                found.append(f"{path.name}:{node.lineno}")
    assert found == [], f"module-level mutable state in services: {found}"


def test_issue20_the_memo_is_single_flight():
    memo, calls, start = Computed(), [], threading.Barrier(8)
    results: list[object] = []

    def compute() -> object:
        calls.append(1)
        time.sleep(0.2)
        return object()

    def worker() -> None:
        start.wait()
        results.append(memo.get_or_compute(("atlas", 1), compute))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(results) == 8 and all(r is results[0] for r in results)
    assert memo.computations == 1 and memo.hits + memo.waits == 7
    assert memo.get_or_compute(("atlas", 2), compute) is not results[0] and len(calls) == 2


def test_issue20_an_error_is_not_kept():
    memo, calls = Computed(), []

    def fail() -> int:
        calls.append(1)
        raise ValueError("nej")

    for _ in range(2):
        try:
            memo.get_or_compute("k", fail)
        except ValueError:
            pass
    assert len(calls) == 2


def test_issue20_without_a_memo_a_call_computes_every_time(tmp_path, demo_bundle):
    """What the CLI and the tests do: no memo, no key (no version query), a fresh result."""
    keys = []
    assert remembered(None, lambda: keys.append(1), lambda: 5) == 5 and keys == []
    engine = connect(f"sqlite:///{tmp_path / 'r.sqlite'}")
    with unit_of_work(engine) as s:
        first = areas.atlas_for(s, demo_bundle, actor=ANONYMOUS, lan="20")
        again = areas.atlas_for(s, demo_bundle, actor=ANONYMOUS, lan="20")
        assert first is not again and first.result.areas_all.equals(again.result.areas_all)
        memo = Computed()
        kept = areas.atlas_for(s, demo_bundle, actor=ANONYMOUS, lan="20", memo=memo)
        assert areas.atlas_for(s, demo_bundle, actor=ANONYMOUS, lan="20", memo=memo) is kept
    engine.dispose()
    assert borders.borders_geojson(demo_bundle, lan="20") is not borders.borders_geojson(demo_bundle, lan="20")
