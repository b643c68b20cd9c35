"""Issue 25: WFS paging by numberMatched with a stable sort, against a local server that caps
pages at 100 (GeoServer's maxFeatures) and serves 175 DeSO in an order that changes per request
unless sortBy is given."""

import json
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from fcatlas.errors import FcatlasError
from fcatlas.geography.sources.boundaries import read_boundaries
from fcatlas.geography.sources.http import CachedHttp
from fcatlas.geography.sources.scb_wfs import fetch_boundaries

CAP = 100


def _feature(i: int) -> dict:
    x, y = 500_000 + (i % 20) * 1000, 6_700_000 + (i // 20) * 1000
    ring = [[x, y], [x + 900, y], [x + 900, y + 900], [x, y + 900], [x, y]]
    return {"type": "Feature", "id": f"DeSO_2025.{i + 1}", "geometry": {"type": "Polygon", "coordinates": [ring]},
            "geometry_name": "geom",
            "properties": {"desokod": f"2080C{1000 + i:04d}", "kommunkod": "2080", "lanskod": "20"}}


FEATURES = [_feature(i) for i in range(175)]


@pytest.fixture
def wfs():
    state = {"lie": 0, "requests": []}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            q = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            state["requests"].append(q)
            feats = list(FEATURES)
            if "sortBy" in q:
                col, _, way = q["sortBy"].partition(" ")
                feats.sort(key=lambda f: f["properties"][col], reverse=way.upper().startswith("D"))
            else:
                random.Random(len(state["requests"])).shuffle(feats)  # no order promised
            start, count = int(q.get("startIndex", 0)), min(int(q.get("count", CAP)), CAP)
            page = feats[start:start + count]
            doc = {"type": "FeatureCollection", "features": page, "totalFeatures": len(feats),
                   "numberMatched": len(feats) + state["lie"], "numberReturned": len(page),
                   "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}}
            body = json.dumps(doc).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/geoserver/stat/wfs", state
    srv.shutdown()
    srv.server_close()


def test_issue25_all_175_areas_from_a_server_capping_pages_at_100(wfs, tmp_path):
    url, state = wfs
    out = tmp_path / "deso" / "deso_2025.gpkg"
    http = CachedHttp(tmp_path / "cache", min_interval=0, what="SCB:s WFS")
    gdf = fetch_boundaries(http, "stat:DeSO_2025", out, url=url)
    assert len(gdf) == 175
    g = read_boundaries(out)
    assert g["deso_code"].tolist() == [f"2080C{1000 + i:04d}" for i in range(175)]
    pages = [r for r in state["requests"] if r.get("count") != "1"]
    assert [r["startIndex"] for r in pages] == ["0", "100"]
    assert all(r["sortBy"] == "desokod ASC" for r in pages)


def test_issue25_a_count_that_does_not_match_numbermatched_is_refused(wfs, tmp_path):
    url, state = wfs
    state["lie"] = 5  # the server says 180 but has 175
    out = tmp_path / "x.gpkg"
    http = CachedHttp(tmp_path / "cache", min_interval=0, what="SCB:s WFS")
    with pytest.raises(FcatlasError) as exc:
        fetch_boundaries(http, "stat:DeSO_2025", out, url=url)
    assert str(exc.value) == ("SCB:s WFS angav 180 områden i lagret 'stat:DeSO_2025' men gav 175; "
                              "gränserna sparades inte")
    assert not out.exists()
