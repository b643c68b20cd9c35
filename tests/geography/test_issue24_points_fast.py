"""Issue 24.5: ``fcatlas site``'s point files are read a column at a time when they are plain
(``points._plain_points``); that reading gives exactly the table the row-by-row reading gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fcatlas.geography.sources import points


def _file(tmp_path, rng: np.random.Generator, kind: str, latlon: bool) -> tuple[str, bool]:
    n = int(rng.integers(1, 60))
    head = ["id", "name"] + (["lat", "lon"] if latlon else ["x", "y"]) + (["weight"] if kind == "demand" else ["fixed"])
    lines = [",".join(head)]
    for i in range(n):
        a, b = ((rng.uniform(-89, 89), rng.uniform(-179, 179)) if latlon
                else (rng.uniform(-1e6, 1e6), rng.uniform(0, 8e6)))
        last = f"{rng.integers(0, 500)}" if kind == "demand" else str(rng.choice(["0", "1", ""]))
        name = str(rng.choice(["", f"Plats {i}", f" Område {i} "]))
        lines.append(f"p{i},{name},{round(a, int(rng.integers(0, 7)))},{round(b, int(rng.integers(0, 7)))},{last}")
    f = tmp_path / f"{kind}-{latlon}-{n}.csv"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(f), latlon


@pytest.mark.parametrize("seed", range(30))
def test_issue24_the_column_reading_is_the_row_reading(tmp_path, monkeypatch, seed):
    rng = np.random.default_rng(seed)
    kind = "demand" if seed % 2 else "candidates"
    path, _ = _file(tmp_path, rng, kind, latlon=bool(seed % 3 == 0))
    t = points.read_rows(path)
    cols, coord = points._point_columns(t, kind)
    assert points._plain_points(t, cols, coord) is not None  # the file is plain: the column reading takes it
    fast = points.read_point_table(path, kind).frame()
    monkeypatch.setattr(points, "_plain_points", lambda *a: None)
    careful = points.read_point_table(path, kind).frame()
    pd.testing.assert_frame_equal(fast, careful)
    assert fast.attrs == careful.attrs
