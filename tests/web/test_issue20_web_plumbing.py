"""Issue 20, point 3: the web's plumbing. One unit of work per request (committed on success,
rolled back on any error), CSRF as dependencies, one handler of every FcatlasError (JSON under
/api, a page elsewhere: the refused form again with its errors and the input kept), and page
routes that hold no try/commit/except of their own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from fastapi import Request
from sqlalchemy.orm import Session

from fcatlas.accounts import store
from fcatlas.accounts.roles import Actor
from fcatlas.db import unit_of_work
from fcatlas.errors import AuthenticationError, ConflictError
from fcatlas.web.deps import SessionDep, commit_even_if

from .helpers import ACCOUNTS, PW, error_summary, page_session

WEB = Path(__file__).parents[2] / "src" / "fcatlas" / "web"
PAGES = sorted((WEB / "pages").glob("*.py"))

#: the only errors a function in web/pages still catches (file, function, error caught): the error
#: handler's own fallback, pydantic's reading of a form, and reading a state that may be absent —
#: never a refusal, and never in a route
STATE_READS = {
    ("errors.py", "_form_again", "FcatlasError"),  # the form cannot be shown again: the error page
    ("forms.py", "parse", "ValidationError"),  # pydantic's errors become the form's FormError
    ("public.py", "selection", "NotFoundError"),  # a län the bundle has no areas for: a filter problem
    ("public.py", "_by_definition", "NotACollaborationError"),  # the unit's services fit no category
    ("grants.py", "_region_page", "NotFoundError"),  # no report yet
    ("grants.py", "_year_page", "ConflictError"),  # no basis to allocate yet
}


def _caught(handler: ast.ExceptHandler) -> list[str]:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return [k.attr if isinstance(k, ast.Attribute) else getattr(k, "id", "") for k in kinds if k is not None]


def _is_route(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and
               isinstance(d.func.value, ast.Name) and d.func.value.id == "router" for d in fn.decorator_list)


def test_issue20_no_page_function_catches_a_refusal_commits_or_checks_csrf_by_hand():
    found: list[str] = []
    routes = 0
    for path in PAGES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            routes += _is_route(fn)
            for node in ast.walk(fn):
                if isinstance(node, ast.ExceptHandler):
                    for kind in _caught(node) or ["(bare)"]:
                        service_error = kind.endswith("Error") or kind in ("Exception", "BaseException", "(bare)")
                        if (_is_route(fn) and service_error) or \
                                (service_error and (path.name, fn.name, kind) not in STATE_READS):
                            found.append(f"{path.name}:{fn.name} catches {kind}")
                if isinstance(node, ast.Attribute) and node.attr in ("commit", "rollback", "compare_digest"):
                    found.append(f"{path.name}:{fn.name} calls {node.attr}")
                if isinstance(node, ast.Attribute) and node.attr == "csrf" and isinstance(node.value, ast.Attribute) \
                        and node.value.attr == "state":
                    found.append(f"{path.name}:{fn.name} reads request.state.csrf")
    assert routes >= 30  # the walk saw the pages' routes
    assert found == [], found


def test_issue20_the_import_circle_of_pages_and_problems_is_gone():
    def imports(path: Path) -> set[str]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        return {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | \
            {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}

    assert not any(m.startswith("fcatlas.web.pages") for m in imports(WEB / "problems.py"))
    assert not any(m.startswith("fcatlas.web.problems") for p in PAGES for m in imports(p))


def test_issue20_a_refused_form_comes_back_with_its_errors_and_the_input_kept(make_client, demo_bundle):
    client = make_client(bundle=demo_bundle.path)
    nat, csrf = page_session(client, "nationell")
    # a field the form cannot read
    r = client.post("/nationell/statsbidrag", headers=nat, data={
        "csrf": csrf, "ar": "20x6", "totalbelopp": "51 365 000", "fast_belopp": "815 000", "underlag": "datapaket",
        "typer": ["1", "3"]})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert error_summary(r.text) == [("ar", "Skriv bidragsåret med siffror, t.ex. 2026")]
    assert 'value="20x6"' in r.text and 'value="51 365 000"' in r.text
    assert 'id="typ-3" name="typer" value="3" checked' in r.text and 'id="typ-2" name="typer" value="2" checked' \
        not in r.text
    # a rule of the service: the same form again, the message at its field, nothing stored
    r = client.post("/nationell/statsbidrag", headers=nat, data={
        "csrf": csrf, "ar": "2027", "totalbelopp": "1", "fast_belopp": "815 000", "underlag": "datapaket",
        "typer": ["1", "2"]})
    assert r.status_code == 422 and [f for f, _ in error_summary(r.text)] == ["totalbelopp"]
    assert 'id="felsammanfattning"' in r.text and 'name="totalbelopp" type="text" inputmode="numeric" value="1"' in r.text
    assert client.get("/api/v1/grants/years", headers=nat).json() == []


def test_issue20_a_failed_login_is_the_form_again_and_is_counted(make_client):
    client = make_client(login_per_account=2)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/logga-in").text).group(1)  # type: ignore[union-attr]
    email = ACCOUNTS["f20"][0]
    for _ in range(2):
        r = client.post("/logga-in", data={"csrf": token, "email": email, "password": "fel"})
        assert r.status_code == 401 and error_summary(r.text) == [("email", "Fel e-postadress eller lösenord")]
        assert f'value="{email}"' in r.text
    # the failures were kept although the answer was an error: the account is now throttled
    r = client.post("/logga-in", data={"csrf": token, "email": email, "password": PW})
    assert r.status_code == 429 and error_summary(r.text)[0][0] == "email"
    r = client.post("/logga-in", data={"csrf": token, "email": "", "password": ""})
    assert r.status_code == 422 and [f for f, _ in error_summary(r.text)] == ["email", "password"]


def test_issue20_a_write_that_fails_half_way_leaves_nothing(make_client, db_url):
    client = make_client()
    app = client.app

    def write_then_fail(request: Request, session: SessionDep, keep: bool = False) -> None:
        store.add_user(session, actor=Actor.national("test"), email="halv@example.se", password=PW,
                       role="region", lan_code="20", level="handlaggare")
        session.flush()
        if keep:
            commit_even_if(request, ConflictError)
        raise ConflictError("steget går inte: testets fel efter en skrivning")

    app.add_api_route("/api/v1/test-halv", write_then_fail, methods=["POST"])  # type: ignore[attr-defined]
    r = client.post("/api/v1/test-halv")
    assert r.status_code == 409 and r.json() == {"fel": "steget går inte: testets fel efter en skrivning",
                                                 "detaljer": []}

    def emails() -> set[str]:
        with Session(app.state.engine) as s:  # type: ignore[attr-defined]
            return {u.email for u in store.list_users(s, actor=Actor.national("test"))}

    assert "halv@example.se" not in emails()
    assert client.post("/api/v1/test-halv?keep=true").status_code == 409
    assert "halv@example.se" in emails()


def test_issue20_csrf_is_refused_in_swedish_on_pages_and_in_json_under_api(client):
    f20, csrf = page_session(client, "f20")
    for path in ("/region/skicka-in", "/logga-ut", "/nationell/publicera"):
        r = client.post(path, headers=f20, data={"csrf": "fel"}, follow_redirects=False)
        assert r.status_code == 403 and r.headers["content-type"].startswith("text/html"), path
        assert "Åtkomst nekad" in r.text and "CSRF-nyckel" in r.text
    r = client.post("/logga-in", data={"csrf": "x", "email": "a@b.se", "password": "p"})
    assert r.status_code == 403 and "ladda om inloggningssidan" in r.text
    r = client.post("/api/v1/rounds", headers=f20, json={"namn": "2030"})
    assert r.status_code == 403 and "CSRF" in r.json()["fel"]


def test_issue20_a_refusal_is_a_page_outside_api_and_json_under_it(client):
    f20, csrf = page_session(client, "f20")
    # no round yet: the region's submission is a conflict (services.rounds.require_current_round)
    r = client.post("/region/skicka-in", headers=f20, data={"csrf": csrf})
    assert r.status_code == 409 and r.headers["content-type"].startswith("text/html")
    assert "Steget går inte nu" in r.text and "Det finns ingen öppen inventeringsomgång" in r.text
    r = client.get("/api/v1/grants/years/2031", headers=f20)
    assert r.status_code == 404 and r.json()["fel"] and r.json()["detaljer"] == []
    page = client.get("/nationell/statsbidrag/1999/uppfoljning", headers=f20)
    assert page.status_code == 404 and "Sidan finns inte" in page.text
    # a page for logged-in users sends the anonymous to the login page
    assert client.get("/nationell", follow_redirects=False).headers["location"] == "/logga-in"
    assert client.get("/region/statsbidrag", follow_redirects=False).headers["location"] == "/logga-in"


def test_issue20_the_unit_of_work_commits_before_the_answer(client):
    """What a route wrote is in the database when its answer arrives."""
    nat, csrf = page_session(client, "nationell")
    sid = nat["Cookie"].split("=", 1)[1]
    r = client.post("/logga-ut", headers=nat, data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    with unit_of_work(client.app.state.engine) as s, pytest.raises(AuthenticationError):
        store.session_actor(s, session_id=sid)
