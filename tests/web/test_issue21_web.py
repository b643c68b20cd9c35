"""Issue 21 (the shared service against hostile input): downloads through the formula guard,
JSON embedded in pages that no unit name can break, NUL bytes answered 422 in Swedish."""

from __future__ import annotations

import csv
import datetime as dt
import io
from html.parser import HTMLParser

import openpyxl
import pytest
from fastapi.testclient import TestClient

from fcatlas.accounts.roles import Actor, Level
from fcatlas.db import unit_of_work
from fcatlas.register.store import Register
from fcatlas.services import rounds
from fcatlas.web.app import create_app
from fcatlas.web.config import WebConfig

NAT = Actor.national("n@socialstyrelsen.se")
F20 = Actor.region_user("f", lan_code="20", level=Level.FORETRADARE)
HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-1+2", "@x", "<!--<script>", "Familjecentral \u2028Norr"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Units with formula-like and HTML-breaking names in Falun, published; an anonymous client."""
    base = tmp_path_factory.mktemp("issue21")
    db = base / "r.sqlite"
    lines = ["Namn;Kommunkod;Typ;Latitud;Longitud"]
    for i, name in enumerate(HOSTILE):
        quoted = '"' + name.replace('"', '""') + '"'
        lines.append(f"{quoted};2080;familjecentral;60.60{i};15.63{i}")
    f = base / "falun_2027.csv"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Register.open(f"sqlite:///{db}") as reg:
        result = reg.import_file(f, round=2027, user="import")
        assert not [p for p in result.problems if p.severity == "fel"], result.problems
        with unit_of_work(reg.engine) as s:
            rounds.open_round(s, actor=NAT, name=2027, deadline=dt.date(2027, 10, 31))
            rounds.submit(s, actor=F20, name=2027, lan="20")
            rounds.approve(s, actor=NAT, name=2027, lan="20")
            rounds.publish(s, actor=NAT, name=2027)
    app = create_app(WebConfig(db_url=f"sqlite:///{db}", access_log=base / "log", cache_ttl_s=0))
    yield TestClient(app, raise_server_exceptions=False)
    app.state.engine.dispose()


def test_issue21_table_csv_download_neutralises_formulas(hostile):
    r = hostile.get("/tabell.csv")
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    names = {row["name"] for row in rows}
    for name in ('=HYPERLINK("http://x")', "+1+1", "-1+2", "@x"):
        assert "'" + name in names and name not in names


def test_issue21_table_xlsx_download_has_text_never_formulas(hostile):
    for url in ("/tabell.xlsx", "/api/v1/downloads/register.xlsx"):
        r = hostile.get(url)
        assert r.status_code == 200, url
        ws = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
        cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert not [c.value for c in cells if c.data_type == "f"], url
        texts = {c.value for c in cells}
        assert "'=HYPERLINK(\"http://x\")" in texts and "'@x" in texts, url


def test_issue21_api_csv_download_neutralises_formulas(hostile):
    r = hostile.get("/api/v1/downloads/register.csv")
    names = {row["name"] for row in csv.DictReader(io.StringIO(r.text))}
    assert "'+1+1" in names and "'=HYPERLINK(\"http://x\")" in names


class _Scripts(HTMLParser):
    """The page's script elements (their text) and whether the footer is outside them."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in: dict[str, str | None] | None = None
        self.footer = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in = dict(attrs)
            self.scripts.append((self._in, ""))
        elif tag == "footer":
            self.footer = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = None

    def handle_data(self, data):
        if self._in is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def test_issue21_embedded_json_survives_script_breaking_names(hostile):
    import json

    r = hostile.get("/")
    assert r.status_code == 200
    assert "<!--<script>" not in r.text
    page = _Scripts()
    page.feed(r.text)
    assert page.footer  # not swallowed into a script
    data = {attrs.get("id"): text for attrs, text in page.scripts if attrs.get("type") == "application/json"}
    units = json.loads(data["enheter"])
    names = {f["properties"]["name"] for f in units["features"]}
    assert set(HOSTILE) <= names
    json.loads(data["omraden"])


def test_issue21_json_for_html_escapes_everything_html_reads():
    from fcatlas.outputs.embed import json_for_html

    text = str(json_for_html({"a": "</script><!--<script>&\u2028\u2029'"}))
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    import json

    assert json.loads(text) == {"a": "</script><!--<script>&\u2028\u2029'"}


def test_issue21_ten_thousand_numbered_names_through_the_web(client, tmp_path):
    """Preview and confirm (where the duplicate check runs) of 10,000 similar names in under 30 s."""
    import time

    from register.hostile_files import similar_names_file  # tests/ is on sys.path

    from .helpers import login

    t = {w: login(client, w) for w in ("nationell", "h20")}
    client.post("/api/v1/rounds", json={"name": "2027", "deadline": "2027-10-31"}, headers=t["nationell"])
    data = similar_names_file(tmp_path / "falun_2027.csv").read_bytes()
    t0 = time.perf_counter()
    r = client.post("/api/v1/rounds/2027/regions/20/imports", files={"file": ("falun_2027.csv", data, "text/csv")},
                    headers=t["h20"])
    assert r.status_code == 201, r.text
    prev = r.json()
    assert prev["accepted"] == 10_000 and prev["rejected"] == []
    r = client.post(f"/api/v1/imports/{prev['id']}/confirm", headers=t["h20"])
    took = time.perf_counter() - t0
    assert r.status_code == 200 and r.json()["new"] == 10_000, r.text
    assert took < 30, took


def test_issue21_nul_bytes_are_a_swedish_422_never_a_500(client):
    from .helpers import login, page_session

    t = login(client, "h20")
    answers = {
        "path (API)": client.get("/api/v1/units/2080-a%00b", headers=t),
        "query (API)": client.get("/api/v1/units?q=a%00b", headers=t),
        "JSON string": client.post("/api/v1/auth/token", json={"email": "a\u0000@x.se", "password": "x"}),
        "JSON e-mail": client.post("/api/v1/auth/token", content=b'{"email": "n\\u0000@socialstyrelsen.se", '
                                   b'"password": "x"}', headers={"Content-Type": "application/json"}),
        "JSON edit": client.patch("/api/v1/units/2080-x", json={"note": "a\u0000b"},
                                  headers={**t, "If-Match": '"1"'}),
        "JSON round": client.post("/api/v1/rounds", json={"name": "20\u000027", "deadline": "2027-10-31"},
                                  headers=login(client, "nationell")),
    }
    for what, r in answers.items():
        assert r.status_code == 422, (what, r.status_code, r.text)
        assert "NUL-tecken" in r.json()["fel"], what
    cookie, csrf = page_session(client, "h20")
    pages = {
        "page path": client.get("/enhet/2080-a%00b", headers={"Accept": "text/html"}),
        "page query": client.get("/tabell?q=a%00b", headers={"Accept": "text/html"}),
        "login form": client.post("/logga-in", data={"email": "a\x00@x.se", "password": "x"},
                                  headers={"Accept": "text/html"}),
        "form field": client.post("/logga-ut", data={"csrf": csrf + "\x00"}, headers={**cookie, "Accept": "text/html"}),
    }
    for what, r in pages.items():
        assert r.status_code == 422, (what, r.status_code, r.text[:300])
        assert r.headers["content-type"].startswith("text/html") and "NUL-tecken" in r.text, what
