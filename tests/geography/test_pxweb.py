"""SCB PxWebApi 2.0 client against a local HTTP server that answers with responses in SCB's exact
JSON-stat2 format (fixtures). No test touches the internet."""

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from fcatlas.errors import InputFileError, OfflineError
from fcatlas.geography.build import build_bundle
from fcatlas.geography.bundle import Bundle
from fcatlas.geography.sources import pxweb
from fcatlas.geography.sources.pxweb import (
    PxWebClient,
    age_range,
    fetch_population_by_age,
    jsonstat_frame,
    population_by_age,
)

FIX = Path(__file__).parent / "fixtures"


@pytest.fixture
def scb_server():
    requests: list[tuple[str, str, dict | None]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _send(self, path: Path):
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            requests.append(("GET", self.path, None))
            if self.path.startswith("/geoserver/stat/wfs"):
                self._send(FIX / "wfs_deso_page.json")
            elif self.path.startswith("/api/v2/tables/TAB6574/metadata"):
                self._send(FIX / "tab6574_metadata.json")
            else:
                self.send_response(404)
                self.end_headers()

        def do_POST(self):
            n = int(self.headers["Content-Length"])
            requests.append(("POST", self.path, json.loads(self.rfile.read(n))))
            self._send(FIX / "tab6574_data.json")

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/api/v2/", requests
    srv.shutdown()
    srv.server_close()


def test_age_labels():
    assert age_range("0-4 år") == (0, 4)
    assert age_range("80- år") == (80, 120)
    assert age_range("3 år") == (3, 3)
    assert age_range("totalt") is None


def test_jsonstat_flattening_is_row_major():
    doc = json.loads((FIX / "tab6574_data.json").read_text())
    df = jsonstat_frame(doc)
    assert len(df) == 4 * 17 * 2 * 1 * 2
    row = df[(df.Region == "2080R001") & (df.Alder == "5-9") & (df.Kon == "2") & (df.Tid == "2023")]
    assert row["value"].item() == 50 + 0 + 3 * 1 + 1 + 2


def test_children_and_women_from_five_year_bands():
    doc = json.loads((FIX / "tab6574_data.json").read_text())
    df = population_by_age(doc).set_index(["code", "vintage", "year"], drop=False)
    old = df[(df.code == "2080R001") & df.vintage.isna() & (df.year == 2023)].iloc[0]
    # 0-4: 52+53 = 105; 5-9: 55+56 = 111 → 105 + 2/5·111 = 149.4
    assert old["children_0_6"] == 149 and bool(old["children_0_6_estimated"])
    # women 15-19 (62·4/5) + 20-24…50-54 (sum 53+3a, a=4..10 = 518) = 567.6
    assert old["women_16_54"] == 568
    deso = df[(df.code == "2080C1010") & (df.year == 2022)].iloc[0]
    assert deso["level"] == "deso" and deso["children_0_6"] == 172
    new = df[(df.code == "2080R001") & (df.vintage == 2025)]
    assert new["year"].tolist() == [2022, 2023] and new.loc[new.year == 2022, "children_0_6"].isna().all()
    assert "20" not in set(df["code"])  # län rows are not areas


def test_fetch_splits_caches_and_saves(scb_server, tmp_path):
    base, requests = scb_server
    client = PxWebClient(tmp_path / "cache", base_url=base, min_interval=0)
    out = tmp_path / "befolkning_alder"
    docs = fetch_population_by_age(client, ["2080R001", "2080C1010"], [2022, 2023], out_dir=out)
    assert len(docs) == 1 and (out / "TAB6574_001.json").is_file()
    post = [r for r in requests if r[0] == "POST"][0]
    assert "outputFormat=json-stat2" in post[1] and "lang=sv" in post[1]
    sel = {s["variableCode"]: s["valueCodes"] for s in post[2]["selection"]}
    assert sel["Region"] == ["2080R001", "2080C1010"]
    assert sel["Kon"] == ["1", "2"] and sel["Tid"] == ["2022", "2023"]
    assert "totalt" not in sel["Alder"] and len(sel["Alder"]) == 17
    assert sel["ContentsCode"] == ["000007Y2"]
    n_before = len(requests)
    fetch_population_by_age(client, ["2080R001", "2080C1010"], [2022, 2023])
    assert len(requests) == n_before  # served from the on-disk cache
    offline = PxWebClient(tmp_path / "cache", base_url=base, offline=True)
    fetch_population_by_age(offline, ["2080R001", "2080C1010"], [2022, 2023])  # cached: fine offline


def test_unreachable_api_gives_swedish_offline_error(tmp_path):
    client = PxWebClient(tmp_path, base_url="http://127.0.0.1:9/api/v2/", timeout=2, min_interval=0)
    with pytest.raises(OfflineError) as exc:
        client.metadata("TAB6574")
    assert str(exc.value).startswith("SCB:s API (http://127.0.0.1:9) gick inte att nå: ConnectError.")
    off = PxWebClient(tmp_path, offline=True)
    with pytest.raises(OfflineError, match="körs utan internet"):
        off.metadata("TAB6574")


def test_bundle_uses_age_files_where_present(shared_data, tmp_path):
    src = tmp_path / "data"
    for d in ("regso", "omradestyp", "population"):
        shutil.copytree(shared_data / d, src / d)
    (src / "befolkning_alder").mkdir()
    shutil.copy(FIX / "tab6574_data.json", src / "befolkning_alder" / "TAB6574_001.json")
    m = build_bundle(src, tmp_path / "paket")
    b = Bundle.open(tmp_path / "paket")
    row = b.areas(kommun="2080").set_index("regso_code").loc["2080R001"]
    assert row["children_0_6"] == 149 and row["women_16_54"] == 568
    assert m["children_0_6_estimate"]["rows_from_age_data"] == 2  # 2022 and 2023
    assert m["age_data"]["rows_other_division"] == 2  # the RegSO2025 rows, counted not used
    other = b.areas(kommun="2080").set_index("regso_code").loc["2080R002"]
    # no age data for 2080R002: children estimated and flagged, women 16–54 unknown (never estimated)
    assert bool(other["children_0_6_estimated"]) and pd.isna(other["women_16_54"])


def test_broken_jsonstat_file_is_named(tmp_path):
    from fcatlas.geography.sources.pxweb import read_age_files

    (tmp_path / "a.json").write_text('{"id": ["Region"], "size": [2], "dimension": {"Region": '
                                     '{"category": {"index": {"2080R001": 0, "2080R002": 1}}}}, "value": [1]}')
    with pytest.raises(InputFileError) as exc:
        read_age_files(tmp_path)
    assert str(exc.value) == f"{tmp_path / 'a.json'}: value har 1 värden men dimensionerna ger 2 (2)"


def test_regso_children_are_summed_from_all_their_deso(shared_data, tmp_path):
    """Age data only per DeSO: a RegSO gets the sum when all its DeSO are there, else the estimate."""
    import pandas as pd

    key = pd.read_csv(shared_data / "regso/koppling-deso2018-regso2020.csv", dtype=str, encoding="utf-8-sig")
    deso_r001 = key.loc[key.RegSOkod_2020 == "2080R001", "DeSO_2018"].tolist()
    one_of_r002 = key.loc[key.RegSOkod_2020 == "2080R002", "DeSO_2018"].tolist()[:1]
    regions = deso_r001 + one_of_r002
    doc = json.loads((FIX / "tab6574_data.json").read_text())
    doc["dimension"]["Region"]["category"] = {"index": {c: i for i, c in enumerate(regions)},
                                              "label": {c: c for c in regions}}
    doc["size"][0] = len(regions)
    n_per_region = 17 * 2 * 1 * 2
    doc["value"] = [10] * (len(regions) * n_per_region)  # 10 persons per band, sex and year
    src = tmp_path / "data"
    for d in ("regso", "omradestyp", "population"):
        shutil.copytree(shared_data / d, src / d)
    (src / "befolkning_alder").mkdir()
    (src / "befolkning_alder" / "deso.json").write_text(json.dumps(doc))
    build_bundle(src, tmp_path / "paket")
    b = Bundle.open(tmp_path / "paket")
    r = b.areas(kommun="2080").set_index("regso_code")
    # per DeSO: 0-4 (10+10) + 2/5 · 5-9 (10+10) = 28
    assert r.loc["2080R001", "children_0_6"] == 28 * len(deso_r001)
    assert r.loc["2080R002", "children_0_6"] == round(r.loc["2080R002", "population"] * 0.074)
    d = b.areas("deso", kommun="2080").set_index("deso_code")
    assert d.loc[deso_r001[0], "children_0_6"] == 28


def test_boundaries_from_the_wfs_become_a_geopackage_the_builder_reads(scb_server, tmp_path):
    from fcatlas.geography.sources.boundaries import read_boundaries
    from fcatlas.geography.sources.http import CachedHttp
    from fcatlas.geography.sources.scb_wfs import fetch_boundaries

    base, requests = scb_server
    url = base.replace("/api/v2/", "/geoserver/stat/wfs")
    http = CachedHttp(tmp_path / "cache", min_interval=0, what="SCB:s WFS")
    out = tmp_path / "deso" / "deso_wfs.gpkg"
    fetch_boundaries(http, "stat:DeSO_2018", out, lan="20", url=url)
    q = requests[-1][1]
    assert "typeNames=stat%3ADeSO_2018" in q and "srsName=EPSG%3A3006" in q and "lanskod%3D%2720%27" in q
    g = read_boundaries(out)
    assert g["deso_code"].tolist() == ["2080C1010", "2080C1020"]
    assert g.crs.to_epsg() == 3006 and (g.area > 0).all()


def test_issue8_rows_without_a_count_are_not_flagged_as_estimates():
    """An area with no population in SCB's answer was flagged 'skattat' although it had no count."""
    doc = json.loads((FIX / "tab6574_data.json").read_text())
    df = population_by_age(doc)
    empty = df[(df.code == "2080R001") & (df.vintage == 2025) & (df.year == 2022)].iloc[0]
    assert pd.isna(empty["children_0_6"]) and not bool(empty["children_0_6_estimated"])
    counted = df[(df.code == "2080R001") & (df.vintage == 2025) & (df.year == 2023)].iloc[0]
    assert pd.notna(counted["children_0_6"]) and bool(counted["children_0_6_estimated"])


# -- JSON-stat 2.0 --------------------------------------------------------------------------------

def _doc(**over):
    doc = {"version": "2.0", "class": "dataset", "id": ["Region", "Tid"], "size": [2, 2],
           "dimension": {"Region": {"category": {"index": ["20", "2080"], "label": {"20": "Dalarna", "2080": "Falun"}}},
                         "Tid": {"category": {"index": {"2023": 1, "2022": 0}}}},
           "value": [1, 2, 3, None]}
    doc.update(over)
    return doc


def test_jsonstat_status_as_string_list_or_sparse_object():
    assert jsonstat_frame(_doc(status="p"))["status"].tolist() == ["p"] * 4
    assert jsonstat_frame(_doc(status=["a", None, "b", ".."]))["status"].tolist()[2:] == ["b", ".."]
    f = jsonstat_frame(_doc(status={"3": ".."}))
    assert f["status"].iloc[3] == ".." and f["status"].iloc[:3].isna().all()
    assert f["value"].isna().tolist() == [False, False, False, True]


def test_jsonstat_index_object_orders_the_categories():
    f = jsonstat_frame(_doc())
    assert f["Tid"].tolist() == ["2022", "2023", "2022", "2023"]
    assert f["Region_label"].tolist() == ["Dalarna", "Dalarna", "Falun", "Falun"]


@pytest.mark.parametrize("over,message", [
    ({"value": {"9": 1}}, "value: cellposition 9 ligger utanför 0…3"),
    ({"value": {"x": 1}}, "value: nyckeln 'x' är ingen cellposition"),
    ({"value": [1, "två", 3, 4]}, "value i cell 1 är 'två', väntat ett tal eller null"),
    ({"status": ["a"]}, "status har 1 värden men dimensionerna ger 4"),
    ({"size": [2]}, "id har 2 dimensioner men size 1"),
])
def test_malformed_jsonstat_is_a_swedish_error_not_a_traceback(over, message):
    with pytest.raises(InputFileError) as exc:
        jsonstat_frame(_doc(**over), "svar.json")
    assert str(exc.value) == f"svar.json: {message}"


def test_content_variable_takes_the_category_at_index_zero():
    assert pxweb._first_category({"index": {"B": 1, "A": 0}}) == ["A"]
    assert pxweb._first_category({"index": ["BE0101N1", "X"]}) == ["BE0101N1"]
    assert pxweb._first_category({"label": {"BE0101N1": "Folkmängd"}}) == ["BE0101N1"]
