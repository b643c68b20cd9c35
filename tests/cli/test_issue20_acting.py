"""Issue 20: the CLI acts as a named actor through the web's use cases. A region's handläggare
acting through the CLI (``fcatlas --som EPOST``) is refused exactly where the web refuses it —
close, rename, merge, import, submit — with the same Swedish message; the local operator (no
``--som``) keeps national rights. Run in-process (typer's CliRunner isolation)."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli_runner import fcatlas as run_cli
from fcatlas.db import unit_of_work
from fcatlas.register.models import AuditEntry

PW = "ett långt lösenord för prov"
H20, F20, N = "h20@regiondalarna.se", "f20@regiondalarna.se", "n@socialstyrelsen.se"
OREBRO = ("Namn;Kommun;Kommunkod;MVC;BVC;Öppen förskola;Socialtjänst;Samlokaliserad;Status;Latitud;Longitud\n"
          "Familjecentral Vivalla;Örebro;1880;ja;ja;ja;ja;ja;i drift;59.2906;15.1611\n"
          "Familjecentral Baronbackarna;Örebro;1880;ja;ja;ja;ja;ja;i drift;59.2934;15.1822\n")


def fcatlas(cwd: Path, *args: str, input: str | None = None) -> tuple[int, str, str]:
    """``fcatlas ARGS`` in this process (tests/cli_runner.py): (exit code, stdout, stderr)."""
    r = run_cli(*args, cwd=cwd, env={"FCATLAS_HOME": str(cwd / "home")}, input=input)
    return r.returncode, r.stdout, r.stderr


def refusal(stderr: str) -> str:
    """The message of a CLI's 'Fel: …' line."""
    assert "Fel: " in stderr, stderr
    return " ".join(stderr.split("Fel: ", 1)[1].split())


def ok(cwd: Path, *args: str, input: str | None = None) -> str:
    code, out, err = fcatlas(cwd, *args, input=input)
    assert code == 0, err
    return out


@pytest.fixture
def service(db_url: str, tmp_path: Path, shared_data: Path):
    """A register with region 20 (Dalarna) and two units of region 18 in the open round 2027, three
    accounts, and the web service on the same database."""
    from fcatlas.web.app import create_app
    from fcatlas.web.config import WebConfig

    (tmp_path / "orebro_2027.csv").write_text(OREBRO, encoding="utf-8")
    db = ("--db", db_url)
    ok(tmp_path, "register", "import", str(shared_data / "familjecentraler" / "dalarna_2026.csv"), "--round", "2027",
       "--rapport", "d.fel.csv", *db)
    ok(tmp_path, "register", "import", "orebro_2027.csv", *db)
    for email, role in ((H20, ("--roll", "region", "--lan", "20", "--niva", "handlaggare")),
                        (F20, ("--roll", "region", "--lan", "20", "--niva", "foretradare")),
                        (N, ("--roll", "nationell"))):
        ok(tmp_path, "user", "add", email, *role, *db, input=PW + "\n")
    ok(tmp_path, "register", "round", "open", "2027", "--sista-dag", "2027-10-31", *db)
    client = TestClient(create_app(WebConfig(db_url=db_url, access_log=tmp_path / "access.jsonl", cache_ttl_s=0)),
                        raise_server_exceptions=False)
    yield tmp_path, client
    client.app.state.engine.dispose()


def token(client: TestClient, email: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"email": email, "password": PW})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def units(client: TestClient, who: dict[str, str], lan: str) -> list[dict]:
    r = client.get(f"/api/v1/units?lan={lan}&limit=1000", headers=who)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def web_patch(client: TestClient, who: dict[str, str], unit: dict, change: dict) -> tuple[int, str]:
    r = client.patch(f"/api/v1/units/{unit['id']}", json=change, headers={**who, "If-Match": f'"{unit["version"]}"'})
    return r.status_code, r.json().get("fel", "")


def test_issue20_handlaggare_through_the_cli_is_refused_where_the_web_refuses(service, db_url: str) -> None:
    cwd, client = service
    db = ("--db", db_url)
    h20 = token(client, H20)
    nat = token(client, N)  # a region's user sees another region only as published (nothing yet)
    u18, u18b = units(client, nat, "18")
    u20 = units(client, h20, "20")[0]

    # another region's unit: the same refusal for an edit on the web and close/rename/merge in the CLI
    status, web_message = web_patch(client, h20, u18, {"status": "nedlagd"})
    # another region's unpublished unit is not there for it (issue 21.11: 404, not 403)
    assert status == 404 and web_message == f"enheten {u18['id']!r} finns inte i registret"
    assert web_patch(client, h20, u18, {"name": "Nytt namn"}) == (404, web_message)
    for args in (("register", "close", u18["id"], "--orsak", "flyttade"),
                 ("register", "rename", u18["id"], "Nytt namn"),
                 ("register", "merge", u18b["id"], u18["id"]),
                 ("register", "merge", u20["id"], u18["id"])):
        code, _, err = fcatlas(cwd, "--som", H20, *args, *db)
        first = next(a for a in args if a in (u18["id"], u18b["id"]))  # the first unit it may not see
        assert code != 0 and refusal(err) == f"enheten {first!r} finns inte i registret", args
    # the same commands without --som: the local operator, with national rights, may
    ok(cwd, "register", "rename", u18["id"], "Familjecentral Vivalla (ny)", *db)

    # another region's list: refused as an upload on the web is
    r = client.post("/api/v1/rounds/2027/regions/18/imports", headers=h20,
                    files={"file": ("orebro_2027.csv", OREBRO.encode(), "text/csv")})
    assert r.status_code == 403
    code, _, err = fcatlas(cwd, "--som", H20, "register", "import", "orebro_2027.csv", "--round", "2027", *db)
    assert code != 0 and refusal(err) == r.json()["fel"] == "region 20 (handläggare) får inte ändra region 18s lista"

    # submitting: the region's företrädare only, on the page, in the API and in the CLI
    r = client.post("/api/v1/rounds/2027/regions/20/submit", headers=h20)
    assert r.status_code == 403
    api_message = r.json()["fel"]
    assert api_message == "region 20 (handläggare) får inte skicka in region 20s lista (det gör regionens företrädare)"
    page = _page_post(client, H20, "/region/skicka-in")
    assert api_message[1:] in page
    for args in (("--som", H20, "register", "round", "submit", "2027", "--lan", "20"),
                 ("register", "round", "submit", "2027", "--lan", "20", "--som", H20)):
        code, _, err = fcatlas(cwd, *args, *db)
        assert code != 0 and refusal(err) == api_message

    # the own region's unit: allowed on both faces, and the change log names the account
    ok(cwd, "--som", H20, "register", "rename", u20["id"], "Familjecentral Britsarvet (ny)", *db)
    with unit_of_work(client.app.state.engine) as s:
        last = s.query(AuditEntry).filter(AuditEntry.unit_id == u20["id"]).order_by(AuditEntry.id.desc()).first()
        assert (last.action, last.user_name) == ("update", H20)
    code, _, err = fcatlas(cwd, "--som", H20, "register", "rename", u20["id"], "X", "--user", "någon annan", *db)
    assert code != 0 and "--user" in refusal(err)

    # once the företrädare has submitted, the list is closed for changes: the same message again
    ok(cwd, "--som", F20, "register", "round", "submit", "2027", "--lan", "20", *db)
    u20 = next(u for u in units(client, h20, "20") if u["id"] == u20["id"])
    status, web_message = web_patch(client, h20, u20, {"name": "Ännu ett namn"})
    assert status == 409
    code, _, err = fcatlas(cwd, "--som", H20, "register", "close", u20["id"], "--orsak", "flyttade", *db)
    assert code != 0 and refusal(err) == web_message


def _page_post(client: TestClient, email: str, path: str) -> str:
    """POST a page's form as ``email`` (a login session and its CSRF token); the answer's text."""
    from fcatlas.accounts import store

    with unit_of_work(client.app.state.engine) as s:
        actor = store.actor_of(store._get(s, email))
        sid, csrf = store.start_session(s, actor=actor)
    r = client.post(path, data={"csrf": csrf}, headers={"Cookie": f"fcatlas_session={sid}"}, follow_redirects=False)
    assert r.status_code == 403, r.text[:500]
    return " ".join(html.unescape(r.text).split())


def test_issue20_unknown_account_and_history(service, db_url: str) -> None:
    cwd, client = service
    db = ("--db", db_url)
    code, _, err = fcatlas(cwd, "--som", "ingen@example.se", "register", "list", *db)
    assert code != 0 and refusal(err) == "det finns inget aktivt konto 'ingen@example.se'"
    nat = token(client, N)
    u18 = units(client, nat, "18")[0]
    ok(cwd, "register", "close", u18["id"], "--orsak", "flyttade", "--user", "bo", *db)
    web = client.get(f"/api/v1/units/{u18['id']}/history", headers=nat).json()
    import json

    cli = json.loads(ok(cwd, "register", "history", u18["id"], "--format", "json", *db))
    assert [(e["user"], e["action"], e["version"]) for e in cli] == \
        [(e["user"], e["action"], e["version"]) for e in web["items"]] == \
        [("bo", "stängd", 2), ("cli:" + __import__("getpass").getuser(), "ny (import)", 1)]
    # a region's user sees the history of the own region only, as on the web
    code, _, err = fcatlas(cwd, "--som", H20, "register", "history", u18["id"], *db)
    r = client.get(f"/api/v1/units/{u18['id']}/history", headers=token(client, H20))
    assert code != 0 and refusal(err) == r.json()["fel"]
    # and a region's user lists what the web's table shows it: the own region's units
    listed = json.loads(ok(cwd, "--som", H20, "register", "list", "--format", "json", *db))
    assert {u["lan_code"] for u in listed} == {"20"}
