"""Issue 25: the PxWeb client against a real recorded SCB metadata response (TAB6471, recorded by
the pxwebpy project; see fixtures/scb_recorded/PROVENANCE.md) and the 2025 division's codelists
and suffixed codes. A local HTTP server plays SCB; no test touches the internet."""

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from fcatlas.errors import FcatlasError
from fcatlas.geography.sources.pxweb import (
    PxWebClient,
    age_partition,
    fetch_population_by_age,
    population_by_age,
)

REC = Path(__file__).parent / "fixtures" / "scb_recorded"
META = json.loads((REC / "TAB6471_metadata.json").read_text(encoding="utf-8"))


def _answer(meta: dict, body: dict) -> dict:
    """A JSON-stat2 answer in SCB's shape for the POSTed selection: 10 persons in every cell."""
    sel = {s["variableCode"]: s["valueCodes"] for s in body["selection"]}
    ids = list(meta["id"])
    dims = {}
    for d in ids:
        labels = meta["dimension"][d]["category"]["label"]
        codes = sel.get(d, [next(iter(labels))])
        dims[d] = {"label": meta["dimension"][d].get("label", d),
                   "category": {"index": {c: i for i, c in enumerate(codes)},
                                "label": {c: labels.get(c, c.split("_")[0]) for c in codes}}}
    size = [len(dims[d]["category"]["index"]) for d in ids]
    return {"version": "2.0", "class": "dataset", "id": ids, "size": size, "dimension": dims,
            "value": [10] * int(np.prod(size))}


@pytest.fixture
def scb(request):
    meta = getattr(request, "param", META)
    posts: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _json(self, doc):
            body = json.dumps(doc, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self._json(meta)

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            posts.append(body)
            self._json(_answer(meta, body))

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/api/v2/", posts
    srv.shutdown()
    srv.server_close()


def test_issue25_recorded_mixed_class_metadata_gives_exact_single_years():
    labels = META["dimension"]["Alder"]["category"]["label"]
    part = age_partition(labels)
    assert list(part)[:8] == ["0", "1", "2", "3", "4", "5", "6", "7"]
    assert len(part) == 101 and part["100+"] == (100, 120)  # one of the three '100+ år' codes
    assert not {"-4", "0-9", "5-9", "TotSA", "100+5", "100+10"} & set(part)
    spans = sorted(part.values())
    assert all(a[1] + 1 == b[0] for a, b in zip(spans, spans[1:], strict=False))  # no overlap, no gap


def test_issue25_fetch_requests_one_partition_and_counts_exactly(scb, tmp_path):
    base, posts = scb
    client = PxWebClient(tmp_path / "cache", base_url=base, min_interval=0)
    docs = fetch_population_by_age(client, ["2080R001"], [2023], table_id="TAB6471")
    sel = {s["variableCode"]: s["valueCodes"] for s in posts[0]["selection"]}
    assert sel["Alder"] == [str(a) for a in range(100)] + ["100+"]
    assert sel["Kon"] == ["1", "2"] and sel["ContentsCode"] == ["000007SF"]
    assert all("codeList" not in s for s in posts[0]["selection"])  # TAB6471 lists no RegSO codelist
    row = population_by_age(docs[0]).iloc[0]
    # 7 single years × 2 sexes × 10; women 16–54: 39 years × 10 — exact, not estimated
    assert (row["code"], row["children_0_6"], bool(row["children_0_6_estimated"])) == ("2080R001", 140, False)
    assert (row["women_16_54"], bool(row["women_16_54_estimated"])) == (390, False)


def test_issue25_a_saved_answer_with_every_class_is_not_counted_twice():
    """What the old client asked for: every parseable age code; the reader now takes one partition."""
    ages = [c for c in META["dimension"]["Alder"]["category"]["label"] if c != "TotSA"]
    body = {"selection": [{"variableCode": "Region", "valueCodes": ["2080R001"]},
                          {"variableCode": "Alder", "valueCodes": ages},
                          {"variableCode": "Kon", "valueCodes": ["1", "2"]},
                          {"variableCode": "ContentsCode", "valueCodes": ["000007SF"]},
                          {"variableCode": "Tid", "valueCodes": ["2025M12"]}]}
    row = population_by_age(_answer(META, body)).iloc[0]
    assert row["children_0_6"] == 140 and row["women_16_54"] == 390


def _with_regso_codelists() -> dict:
    """The recorded metadata with SCB's RegSO codelists added to Region, in the shape SCB lists
    codelists (id, label, type, links) — an amendment for this test, not a recording."""
    meta = copy.deepcopy(META)
    for cid, label in (("vs_RegSO2020", "RegSO 2020 t.o.m. år 2023"), ("vs_RegSO2025", "RegSO 2025 fr.o.m. år 2024")):
        meta["dimension"]["Region"]["extension"]["codelists"].append(
            {"id": cid, "label": label, "type": "Valueset",
             "links": [{"rel": "metadata", "hreflang": "sv",
                        "href": f"https://statistikdatabasen.scb.se/api/v2/codeLists/{cid}?lang=sv"}]})
    return meta


@pytest.mark.parametrize("scb", [_with_regso_codelists()], indirect=True)
def test_issue25_years_from_2024_use_the_2025_codelist_and_suffixed_codes(scb, tmp_path):
    base, posts = scb
    client = PxWebClient(tmp_path / "cache", base_url=base, min_interval=0)
    out = tmp_path / "befolkning_alder"
    docs = fetch_population_by_age(client, ["2080R001", "2080R002"], [2024, 2025], table_id="TAB6471",
                                   out_dir=out, division=2025, level="regso")
    region = next(s for s in posts[0]["selection"] if s["variableCode"] == "Region")
    assert region == {"variableCode": "Region", "codeList": "vs_RegSO2025",
                      "valueCodes": ["2080R001_RegSO2025", "2080R002_RegSO2025"]}
    assert (out / "TAB6471_2025_001.json").is_file()
    rows = population_by_age(docs[0])
    assert set(rows["vintage"]) == {2025} and set(rows["code"]) == {"2080R001", "2080R002"}
    fetch_population_by_age(client, ["2080R001"], [2023], table_id="TAB6471", division=2018, level="regso")
    region = next(s for s in posts[-1]["selection"] if s["variableCode"] == "Region")
    assert region == {"variableCode": "Region", "codeList": "vs_RegSO2020", "valueCodes": ["2080R001"]}


def test_issue25_a_year_outside_the_bundles_division_is_refused(tmp_path):
    client = PxWebClient(tmp_path, base_url="http://127.0.0.1:9/api/v2/", min_interval=0)
    with pytest.raises(FcatlasError) as exc:
        fetch_population_by_age(client, ["2080R001"], [2023, 2024], division=2018)
    assert str(exc.value).startswith("SCB redovisar år 2024 i DeSO 2025/RegSO 2025, inte i paketets "
                                     "DeSO 2018/RegSO 2020")
    assert client.calls == 0
