"""Issue 26.5: logging in through a real OpenID Provider (npm's oidc-provider, OpenID-certified,
started on loopback by tests/web/oidc/provider.mjs) with Debian's chromium through the whole
flow: a region user logs in and out, an unknown person is told whom to ask, a tampered state and
an expired ID token are refused, and passwords can be switched off."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from fcatlas.web.oidc import Provider, verify_id_token

from . import ops
from .helpers import ACCOUNTS

PROVIDER_JS = Path(__file__).parent / "oidc" / "provider.mjs"
NODE_MODULES = ops.ROOT / "node_modules" / "oidc-provider"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The provider and fcatlas (SQLite, the test accounts) on loopback; two providers in the
    file: ``test`` and ``skev`` (a second provider whose clock is 90 minutes slow: its ID tokens
    have expired when they arrive)."""
    if shutil.which("node") is None or not NODE_MODULES.is_dir():
        pytest.fail("node eller node_modules/oidc-provider saknas (kör README:s kommando 2: npm ci)")
    tmp = tmp_path_factory.mktemp("oidc")
    op_port, skew_port, app_port = ops.free_port(), ops.free_port(), ops.free_port()
    issuer, base = f"http://127.0.0.1:{op_port}", f"http://127.0.0.1:{app_port}"
    (tmp / "op.json").write_text(json.dumps({
        "clients": [{"client_id": "fcatlas", "client_secret": "hemligt-1",
                     "redirect_uris": [f"{base}/oidc/test/callback"]},
                    {"client_id": "fcatlas-skev", "client_secret": "hemligt-2",
                     "redirect_uris": [f"{base}/oidc/skev/callback"]}],
        "accounts": {"f20": {"email": ACCOUNTS["f20"][0].upper(), "email_verified": True},
                     "okand": {"email": "okand@regionx.se", "email_verified": True},
                     "obekraftad": {"email": ACCOUNTS["h20"][0], "email_verified": False}}}))
    (tmp / "oidc.toml").write_text(f"""
[inloggning]
kontakt = "fcatlas förvaltning, fcatlas@socialstyrelsen.se"

[[leverantor]]
id = "test"
namn = "Testregionens inloggning"
issuer = "{issuer}"
client_id = "fcatlas"
client_secret_env = "TEST_OIDC_SECRET"
kontakt = "IT-avdelningen i Region Dalarna"

[[leverantor]]
id = "skev"
namn = "Inloggning med fel klocka"
issuer = "http://127.0.0.1:{skew_port}"
client_id = "fcatlas-skev"
client_secret = "hemligt-2"
klockskillnad_s = 60
""", encoding="utf-8")
    url = f"sqlite:///{tmp / 'fcatlas.sqlite'}"
    op = ops.start(["node", str(PROVIDER_JS), str(op_port), str(tmp / "op.json")], env={}, cwd=ops.ROOT,
                   log=tmp / "op.log")
    skewed = ops.start(["node", str(PROVIDER_JS), str(skew_port), str(tmp / "op.json")], env={"OIDC_TEST_SKEW_S": "-5400"},
                       cwd=ops.ROOT, log=tmp / "skev.log")
    app = ops.serve(app_port, env={"FCATLAS_DB": url, "FCATLAS_OIDC_FIL": str(tmp / "oidc.toml"),
                                   "TEST_OIDC_SECRET": "hemligt-1"}, cwd=tmp, log=tmp / "app.log")
    try:
        ops.wait_http(f"{issuer}/.well-known/openid-configuration", op, tmp / "op.log")
        ops.wait_http(f"http://127.0.0.1:{skew_port}/.well-known/openid-configuration", skewed, tmp / "skev.log")
        ops.wait_http(f"{base}/healthz", app, tmp / "app.log")
        ops.add_accounts(url)
        yield {"base": base, "issuer": issuer, "tmp": tmp, "url": url}
    finally:
        ops.stop(app)
        ops.stop(op)
        ops.stop(skewed)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=ops.CHROMIUM, args=ops.CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(locale="sv-SE")
    # the provider's development pages ask for a web font: nothing leaves this machine
    ctx.route("**/*", lambda route: route.abort() if "127.0.0.1" not in route.request.url else route.continue_())
    yield ctx.new_page()
    ctx.close()


def _provider_login(page, who: str) -> None:
    page.locator("input[name=login]").fill(who)
    page.locator("input[name=password]").fill("vad som helst")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


pytestmark = pytest.mark.browser


def test_issue26_region_user_logs_in_through_the_provider_and_out(world, page):
    page.goto(world["base"] + "/logga-in")
    page.get_by_role("link", name="Logga in med Testregionens inloggning").click()
    assert page.url.startswith(world["issuer"])
    _provider_login(page, "f20")
    page.wait_for_load_state("load")
    assert page.url == world["base"] + "/region", (page.url, page.inner_text("main")[:2000])
    assert "f20@regiondalarna.se (Region Dalarna" in page.locator(".who").inner_text()
    # the region account keeps its role and län: the region page is Dalarna's
    assert page.context.cookies(world["base"] + "/oidc/")[0]["name"] != "fcatlas_oidc" \
        if page.context.cookies(world["base"] + "/oidc/") else True
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(world["base"] + "/")
    page.goto(world["base"] + "/region")
    assert page.url == world["base"] + "/logga-in"


def test_issue26_unknown_person_is_told_whom_to_ask(world, page):
    page.goto(world["base"] + "/oidc/test/logga-in")
    _provider_login(page, "okand")
    assert page.locator("h1").inner_text() == "Inget konto i fcatlas"
    text = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    assert "okand@regionx.se" in text and "IT-avdelningen i Region Dalarna" in text
    page.goto(world["base"] + "/region")
    assert page.url == world["base"] + "/logga-in"  # no session was started


def test_issue26_unverified_email_is_refused(world, page):
    page.goto(world["base"] + "/oidc/test/logga-in")
    _provider_login(page, "obekraftad")
    assert "har inte bekräftat e-postadressen" in page.inner_text("body")
    page.goto(world["base"] + "/region")
    assert page.url == world["base"] + "/logga-in"


def _on_way_back(page, issuer: str, change) -> None:
    """Let ``change`` rewrite the provider's redirect back to fcatlas (the browser follows a
    redirect without asking the routes, so the provider's answer itself is rewritten)."""
    def handler(route):
        resp = route.fetch(max_redirects=0)
        location = resp.headers.get("location", "")
        while location.startswith(issuer):  # the provider's own redirects, followed here
            resp = page.context.request.get(location, max_redirects=0)
            location = resp.headers.get("location", "")
        headers = dict(resp.headers)
        if "/callback?" in location:
            headers["location"] = change(location)
        route.fulfill(response=resp, headers=headers)

    page.route(f"{issuer}/**", handler)


def test_issue26_tampered_state_is_refused(world, page):
    _on_way_back(page, world["issuer"], lambda url: url.replace("state=", "state=x", 1))
    page.goto(world["base"] + "/oidc/test/logga-in")
    _provider_login(page, "f20")
    page.wait_for_load_state("load")
    body = page.inner_text("body")
    assert "state stämmer inte" in body, (page.url, body)
    page.goto(world["base"] + "/region")
    assert page.url == world["base"] + "/logga-in"


def test_issue26_expired_id_token_is_refused(world, page):
    page.goto(world["base"] + "/oidc/skev/logga-in")
    _provider_login(page, "f20")
    page.wait_for_load_state("load")
    body = page.inner_text("main")
    assert "ID-token från identitetsleverantören har gått ut" in body, (page.url, body)
    page.goto(world["base"] + "/region")
    assert page.url == world["base"] + "/logga-in"


def test_issue26_id_token_signed_by_another_key_is_refused(world):
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    from fcatlas.errors import AuthenticationError

    provider = Provider(id="test", name="Test", issuer=world["issuer"], client_id="fcatlas", client_secret="x")
    provider.keys()  # the provider's real JWKS
    forged_key = RSAKey.generate_key(2048, parameters={"kid": "test-nyckel"})
    now = int(time.time())
    forged = jwt.encode({"alg": "RS256", "kid": "test-nyckel"},
                        {"iss": world["issuer"], "aud": "fcatlas", "sub": "f20", "iat": now, "exp": now + 300,
                         "nonce": "n", "email": ACCOUNTS["f20"][0], "email_verified": True}, forged_key)
    with pytest.raises(AuthenticationError, match="signatur"):
        verify_id_token(provider, forged, "n")
