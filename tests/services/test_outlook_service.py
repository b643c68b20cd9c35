"""services.outlook: the one place that turns a bundle's years into the children 0–6 outlook."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from fcatlas.economics.outlook import latest_and_target, outlook


class _Bundle:
    """The two tables :func:`children_series` reads."""

    def __init__(self, counts: dict[str, list[int]], years: list[int]) -> None:
        self.regso = pd.DataFrame({"regso_code": list(counts), "name": [f"Område {c}" for c in counts],
                                   "kommun_code": [c[:4] for c in counts], "kommun_name": [f"K{c[:4]}" for c in counts],
                                   "lan_code": [c[:2] for c in counts]})
        rows = [{"regso_code": c, "year": y, "children_0_6": v, "children_0_6_estimated": False}
                for c, vs in counts.items() for y, v in zip(years, vs, strict=True)]
        self.years = pd.DataFrame(rows).astype({"children_0_6": "Int64"})

    def table(self, name: str) -> pd.DataFrame:
        return {"regso": self.regso, "regso_years": self.years}[name].copy()


def _result(exclusion: dict[str, bool], lan: str | None = "20") -> SimpleNamespace:
    a = pd.DataFrame({"regso_code": list(exclusion), "kommun_name": [f"K{c[:4]}" for c in exclusion],
                      "exclusion": list(exclusion.values())})
    return SimpleNamespace(params=SimpleNamespace(lan=lan), areas_all=a)


COUNTS = {"2080R001": [100, 110, 120], "2080R002": [50, 60, 70], "2081R001": [200, 190, 180],
          "2081R002": [10, 30, 50], "1880R001": [5, 50, 500]}
EXCL = {"2080R001": False, "2080R002": True, "2081R001": True, "2081R002": False, "1880R001": True}


def test_scope_outlook_equals_the_economics_room_and_lists_exclusion_areas_first() -> None:
    from fcatlas.services.outlook import children_series, scope_outlook

    b = _Bundle(COUNTS, [2021, 2022, 2023])
    o = scope_outlook(b, _result(EXCL))
    assert o.reason is None and "linjär trend" in o.method and o.to_year == 2030
    want = latest_and_target(outlook(children_series(b, "kommun", lan="20"), "kommun"), 2030)
    pd.testing.assert_frame_equal(o.kommuner, want)
    # kommun = sum of its RegSO: 2080 goes 150 → 170 → 190, +20 a year → 330 in 2030
    k = o.kommuner.set_index("kod")
    assert (k.loc["2080", "senaste"], k.loc["2080", "barn_0_6"], k.loc["2080", "forandring"]) == (190, 330, 140)
    assert set(o.areas["kod"]) == {c for c in COUNTS if c.startswith("20")}  # the län only
    # growing areas: exclusion areas first (2080R002), then the others by growth; 2081R001 shrinks
    assert o.growing["kod"].tolist() == ["2080R002", "2081R002", "2080R001"]
    assert o.growing["exclusion"].tolist() == [True, False, False]


def test_a_single_year_gives_a_reason_not_an_error() -> None:
    from fcatlas.services.outlook import scope_outlook

    o = scope_outlook(_Bundle({"2080R001": [100]}, [2023]), _result({"2080R001": True}))
    assert o.reason is not None and "minst två år" in o.reason
    assert o.kommuner.empty and o.growing.empty
