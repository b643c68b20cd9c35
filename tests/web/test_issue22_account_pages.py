"""Issue 22.5: accounts in the browser — the national level creates, disables, enables accounts and
sends a password link; a link chooses the password once; everyone changes their own password; the
national page shows the mail log and says when no SMTP server is configured."""

from __future__ import annotations

import html
import re

import pytest

from mail.smtp_sink import SmtpSink, link_token

from .helpers import ACCOUNTS, PW, error_summary, page_session

NEW = "ny.handlaggare@regiondalarna.se"


def _no_smtp(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("FCATLAS_SMTP_URL", "FCATLAS_MAIL_FROM", "FCATLAS_PUBLIC_URL"):
        monkeypatch.delenv(k, raising=False)


def _login_works(client, email: str, password: str) -> bool:
    return client.post("/api/v1/auth/token", json={"email": email, "password": password}).status_code == 200


def test_issue22_without_smtp_the_page_says_so_and_shows_the_link(client, monkeypatch) -> None:
    _no_smtp(monkeypatch)
    nat, csrf = page_session(client, "nationell")
    page = client.get("/nationell/konton", headers=nat)
    assert page.status_code == 200 and "E-post skickas inte" in page.text and "FCATLAS_SMTP_URL" in page.text
    r = client.post("/nationell/konton", headers=nat, data={"csrf": csrf, "email": NEW, "roll": "region",
                                                              "lan": "20", "niva": "handlaggare"})
    assert r.status_code == 200 and f"Kontot är skapat för {NEW}" in r.text
    link = html.unescape(re.search(r'<code class="break">([^<]+)</code>', r.text).group(1))  # type: ignore[union-attr]
    assert link.startswith("http://testserver/konto/valj-losenord?token=")
    assert not _login_works(client, NEW, PW)  # no password until one is chosen
    path = link.removeprefix("http://testserver")
    form = client.get(path)
    assert form.status_code == 200 and NEW in form.text and 'autocomplete="new-password"' in form.text
    token = path.split("token=", 1)[1]
    r = client.post("/konto/valj-losenord", data={"token": token, "losenord": "kort", "losenord2": "kort"})
    assert r.status_code == 422 and error_summary(r.text) == [("losenord", "Lösenordet måste ha minst 12 tecken")]
    r = client.post("/konto/valj-losenord", data={"token": token, "losenord": PW, "losenord2": PW + "x"})
    assert error_summary(r.text) == [("losenord2", "Lösenorden är inte lika; skriv samma lösenord två gånger")]
    r = client.post("/konto/valj-losenord", data={"token": token, "losenord": PW, "losenord2": PW})
    assert r.status_code == 200 and "Lösenordet är valt" in r.text
    assert _login_works(client, NEW, PW)
    again = client.get(path)  # one use
    assert again.status_code == 410 and "Länken fungerar inte" in again.text


def test_issue22_a_refused_account_form_keeps_the_input(client, monkeypatch) -> None:
    _no_smtp(monkeypatch)
    nat, csrf = page_session(client, "nationell")
    r = client.post("/nationell/konton", headers=nat, data={"csrf": csrf, "email": "", "roll": "region"})
    assert r.status_code == 422
    assert error_summary(r.text) == [("email", "Skriv kontots e-postadress"), ("lan", "Välj kontots region")]
    r = client.post("/nationell/konton", headers=nat, data={"csrf": csrf, "email": ACCOUNTS["f20"][0],
                                                              "roll": "nationell"})
    assert r.status_code == 422 and "finns redan" in error_summary(r.text)[0][1]
    assert f'value="{ACCOUNTS["f20"][0]}"' in r.text
    f20, f20_csrf = page_session(client, "f20")
    assert client.get("/nationell/konton", headers=f20).status_code == 403
    r = client.post("/nationell/konton", headers=f20, data={"csrf": f20_csrf, "email": NEW, "roll": "nationell"})
    assert r.status_code == 403


def test_issue22_disable_enable_and_a_mailed_reset_link(client, monkeypatch) -> None:
    nat, csrf = page_session(client, "nationell")
    email = ACCOUNTS["h20"][0]
    with SmtpSink() as sink:
        for k, v in sink.env().items():
            monkeypatch.setenv(k, v)
        page = client.get("/nationell/konton", headers=nat)
        assert "E-post skickas inte" not in page.text
        r = client.post("/nationell/konton/stang-av", headers=nat, data={"csrf": csrf, "email": email},
                        follow_redirects=False)
        assert r.status_code == 303
        assert not _login_works(client, email, PW)
        assert "Avstängt" in client.get("/nationell/konton", headers=nat).text
        client.post("/nationell/konton/aktivera", headers=nat, data={"csrf": csrf, "email": email})
        assert _login_works(client, email, PW)
        r = client.post("/nationell/konton/skicka-lank", headers=nat, data={"csrf": csrf, "email": email},
                        follow_redirects=False)  # (a redirect would drop the test's Cookie header)
        assert r.status_code == 303
        r = client.get(r.headers["location"], headers=nat)
        assert f"En länk för att välja ett nytt lösenord skickas till {email}" in r.text
        token = link_token(sink.wait_for(email))
        assert "http://fcatlas.test/konto/valj-losenord?token=" in str(sink.to(email)[0].get_body(("plain",)))
        log = client.get("/nationell/konton", headers=nat).text.split('id="epostlogg"', 1)[1]
        assert email in log and "Länk för att välja nytt lösenord" in log and "Skickat" in log
    r = client.post("/konto/valj-losenord", data={"token": token, "losenord": "nytt långt lösenord",
                                                  "losenord2": "nytt långt lösenord"})
    assert r.status_code == 200 and _login_works(client, email, "nytt långt lösenord")


def test_issue22_everyone_changes_their_own_password(client) -> None:
    f20, csrf = page_session(client, "f20")
    assert 'href="/konto/losenord"' in client.get("/region", headers=f20).text
    assert client.get("/konto/losenord", follow_redirects=False).headers["location"] == "/logga-in"
    r = client.post("/konto/losenord", headers=f20, data={"csrf": csrf, "nuvarande": "fel", "losenord": PW + "2",
                                                          "losenord2": PW + "2"})
    assert r.status_code == 401 and error_summary(r.text) == [("nuvarande", "Det nuvarande lösenordet stämmer inte")]
    r = client.post("/konto/losenord", headers=f20, data={"csrf": csrf, "nuvarande": PW, "losenord": "kort",
                                                          "losenord2": "kort"})
    assert error_summary(r.text) == [("losenord", "Lösenordet måste ha minst 12 tecken")]
    r = client.post("/konto/losenord", headers=f20, data={"csrf": csrf, "nuvarande": PW, "losenord": PW + "2",
                                                          "losenord2": PW + "2"})
    assert r.status_code == 200 and "Lösenordet är bytt" in r.text
    assert "fcatlas_session=" in r.headers["set-cookie"]  # a new login session for this browser
    assert client.get("/region", headers=f20, follow_redirects=False).status_code == 303  # the old one ended
    assert _login_works(client, ACCOUNTS["f20"][0], PW + "2") and not _login_works(client, ACCOUNTS["f20"][0], PW)
