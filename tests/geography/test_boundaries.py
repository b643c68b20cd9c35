"""Reading DeSO/RegSO boundary files: which GeoPackage layer, which geometry types."""

import geopandas as gpd
import pytest
from shapely.geometry import Point

from fcatlas.errors import InputFileError
from fcatlas.geography.sources.boundaries import read_boundaries


def test_geopackage_with_two_layers_uses_the_deso_layer_whatever_its_order(shared_data, tmp_path):
    deso = gpd.read_file(shared_data / "deso" / "deso_dalarna.gpkg").head(3)
    p = tmp_path / "two.gpkg"
    gpd.GeoDataFrame({"namn": ["a"]}, geometry=[Point(500000, 6700000)], crs=3006).to_file(p, layer="aaa_punkter")
    deso.to_file(p, layer="zzz_deso")
    g = read_boundaries(p, "deso")
    assert g["deso_code"].tolist() == sorted(deso["deso"])


def test_geopackage_with_two_deso_layers_is_refused_with_the_layers_listed(shared_data, tmp_path):
    deso = gpd.read_file(shared_data / "deso" / "deso_dalarna.gpkg").head(3)
    p = tmp_path / "two.gpkg"
    deso.to_file(p, layer="a")
    deso.to_file(p, layer="b")
    with pytest.raises(InputFileError) as exc:
        read_boundaries(p, "deso")
    assert str(exc.value) == (
        f"{p}: GeoPackage med 2 lager: a (Polygon), b (Polygon); 2 av dem har DESO-polygoner med en kodkolumn "
        "(deso, deso_code, desokod, deso_2018, deso_2025); spara det lager som ska användas som en egen fil")


def test_points_are_not_accepted_as_deso_boundaries(shared_data, tmp_path):
    deso = gpd.read_file(shared_data / "deso" / "deso_dalarna.gpkg").head(2)
    deso["geometry"] = deso.geometry.centroid
    p = tmp_path / "punkter.gpkg"
    deso.to_file(p, layer="deso")
    with pytest.raises(InputFileError) as exc:
        read_boundaries(p, "deso")
    assert [str(pr) for pr in exc.value.problems] == [
        f"{p}, rad 1, kolumn 'geometry': geometrin är Point, väntat Polygon eller MultiPolygon",
        f"{p}, rad 2, kolumn 'geometry': geometrin är Point, väntat Polygon eller MultiPolygon",
    ]
