import csv

from fcatlas.domain import Category, classify
from fcatlas.geography.demo import build_demo_bundle, write_demo_register


def test_demo_is_labelled_synthetic_and_deterministic(demo_bundle, tmp_path):
    assert demo_bundle.synthetic
    assert "SYNTETISKA" in demo_bundle.label
    again = build_demo_bundle(tmp_path / "again")
    for name, info in demo_bundle.manifest["tables"].items():
        assert again.manifest["tables"][name]["sha256"] == info["sha256"], name


def test_demo_has_same_shapes_as_a_real_bundle(demo_bundle, real_bundle):
    a = demo_bundle.areas()
    assert list(a.columns) == list(real_bundle.areas().columns)
    assert a["name"].str.startswith("Exempelområde").all()
    assert set(a["omradestyp"].dropna().unique()) <= {1, 2, 3, 4, 5}
    geo = demo_bundle.geometries("regso")
    assert set(geo["regso_code"]) == set(a["regso_code"])
    assert geo.is_valid.all()
    # DeSO nest in RegSO
    d = demo_bundle.geometries("deso").merge(demo_bundle.table("deso"), on="deso_code")
    r = geo.set_index("regso_code").geometry
    assert all(r[rc].buffer(1).contains(g) for rc, g in zip(d["regso_code"], d.geometry, strict=True))


def test_demo_register_file_is_in_the_regions_shape(demo_bundle, tmp_path):
    p = write_demo_register(demo_bundle, tmp_path / "enheter.csv")
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(p.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert len(rows) == 8
    cats = [classify([s for s, col in (("MVC", "MVC"), ("BVC", "BVC"), ("ÖF", "Öppen förskola"),
                                          ("SOC", "Socialtjänst")) if r[col] == "ja"], r["Samlokaliserad"] == "ja")
            for r in rows]
    assert cats.count(Category.FAMILJECENTRAL) == 5
    assert set(cats) == set(Category)
