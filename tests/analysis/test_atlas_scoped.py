"""Issue 24: an atlas of one län is the country's atlas scoped (analysis.atlas.scoped) — every
table, figure and parameter the same as an analysis run with that län — so the web service
analyses a picture once for the country and every län's view of it."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from fcatlas.analysis.atlas import scoped
from fcatlas.errors import ConfigError
from fcatlas.register.store import Register
from fcatlas.services.atlas import run_atlas


@pytest.fixture(scope="module")
def dalarna_units(shared_data, tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('scoped')}/r.sqlite"
    with Register.open(url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2026, user="import")
        return reg.list_units()


@pytest.mark.parametrize("lan", ["20", "17", None])  # Dalarna, Värmland (no units of its own), the country
def test_issue24_a_lans_atlas_is_the_countrys_scoped(lan, real_bundle, dalarna_units):
    country = run_atlas(real_bundle, db_url=None, units=dalarna_units).result
    alone = run_atlas(real_bundle, db_url=None, lan=lan, units=dalarna_units).result
    ours = scoped(country, lan)
    for f in dataclasses.fields(alone):
        mine, theirs = getattr(ours, f.name), getattr(alone, f.name)
        if isinstance(theirs, pd.DataFrame):
            pd.testing.assert_frame_equal(mine, theirs, check_exact=True, obj=f.name)
        elif f.name != "timings":
            assert mine == theirs, f.name
    assert ours.areas_all is country.areas_all and ours.units_all is country.units_all  # not copied
    if lan is not None:
        assert set(ours.areas["lan_code"]) == {lan}


def test_issue24_only_a_countrys_atlas_is_scoped_and_only_to_a_lan_with_areas(real_bundle, dalarna_units):
    country = run_atlas(real_bundle, db_url=None, units=dalarna_units).result
    with pytest.raises(ValueError):
        scoped(scoped(country, "20"), "17")
    with pytest.raises(ConfigError, match="har inga områden"):
        scoped(country, "99")


def test_issue24_the_area_facts_kept_for_a_bundle_give_the_same_atlas(real_bundle, dalarna_units):
    from fcatlas.services.atlas import area_facts_of

    facts = area_facts_of(real_bundle)
    fresh = run_atlas(real_bundle, db_url=None, units=dalarna_units).result
    kept = run_atlas(real_bundle, db_url=None, units=dalarna_units, area_facts=facts).result
    for f in dataclasses.fields(fresh):
        if isinstance(getattr(fresh, f.name), pd.DataFrame):
            pd.testing.assert_frame_equal(getattr(kept, f.name), getattr(fresh, f.name), check_exact=True, obj=f.name)
        elif f.name != "timings":
            assert getattr(kept, f.name) == getattr(fresh, f.name), f.name
    # facts of other areas (another order) are not used: computed anew, the same atlas
    other = run_atlas(real_bundle, db_url=None, units=dalarna_units, area_facts=facts.iloc[::-1]).result
    pd.testing.assert_frame_equal(other.areas_all, fresh.areas_all, check_exact=True)


def test_issue24_a_draft_links_only_its_changed_units_and_gets_the_same_atlas(real_bundle, dalarna_units):
    import fcatlas.analysis.linking as linking
    from fcatlas.analysis.linking import UNIT_COLUMNS

    published = dalarna_units[UNIT_COLUMNS]
    before = run_atlas(real_bundle, db_url=None, units=published)
    draft = published.copy()
    draft.loc[0, "status"] = "planerad"  # a new state
    draft.loc[1, ["lat", "lon"]] = [60.60, 15.63]  # moved (in Falun)
    draft.loc[2, ["lat", "lon"]] = [float("nan"), float("nan")]  # its place unknown now
    draft = draft.drop(index=3)  # closed and gone from the picture
    extra = published.iloc[[4]].assign(id="ny-enhet", name="En ny familjecentral")  # a new unit
    draft = pd.concat([draft, extra], ignore_index=True)
    linked: list[int] = []
    original = linking.link_units

    def counting(units, *a, **k):
        linked.append(len(units))
        return original(units, *a, **k)

    linking.link_units = counting
    try:
        again = run_atlas(real_bundle, db_url=None, units=draft,
                          linked_before=(before.units, before.result.units_all)).result
    finally:
        linking.link_units = original
    fresh = run_atlas(real_bundle, db_url=None, units=draft).result
    assert linked == [4]  # the changed, the moved, the unplaced and the new unit: no other
    for f in dataclasses.fields(fresh):
        if isinstance(getattr(fresh, f.name), pd.DataFrame):
            pd.testing.assert_frame_equal(getattr(again, f.name), getattr(fresh, f.name), check_exact=True,
                                          obj=f.name)
        elif f.name != "timings":
            assert getattr(again, f.name) == getattr(fresh, f.name), f.name


def test_issue24_links_of_types_the_new_values_do_not_fit_are_made_anew(real_bundle, dalarna_units):
    from fcatlas.analysis.linking import UNIT_COLUMNS, link_units_again
    from fcatlas.services.atlas import GEOMETRY_LEVELS

    units = dalarna_units[UNIT_COLUMNS]
    geoms = {k: real_bundle.geometries(k) for k in GEOMETRY_LEVELS}
    args = (real_bundle.table("deso"), geoms["kommun"])
    kw = {"regso_geom": geoms["regso"], "deso_geom": geoms["deso"]}
    full = link_units_again(units, None, *args, **kw)
    odd = full.assign(x=full["x"].round().astype("int64"))  # an earlier run whose x held only integers
    moved = units.copy()
    moved.loc[0, ["lat", "lon"]] = [float("nan"), float("nan")]  # its x is now missing: no int64
    again = link_units_again(moved, (units, odd), *args, **kw)
    pd.testing.assert_frame_equal(again, link_units_again(moved, None, *args, **kw), check_exact=True)
