"""Issue 22.5/6 in Chromium: the national level creates an account on the page, the mail with the
one-time link arrives at a real SMTP server (aiosmtpd on loopback), the link sets the password
and the new account logs in; the account page shows the mail log. axe-core on every page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from mail.smtp_sink import SmtpSink, text_of

NEW = "ny.foretradare@regiondalarna.se"
NEW_PW = "en mening som går att minnas"


@pytest.fixture
def sink(monkeypatch: pytest.MonkeyPatch):
    """The SMTP server, in the environment before the web server starts (request it before ``visit``)."""
    pytest.importorskip("aiosmtpd")
    with SmtpSink() as s:
        for k, v in s.env().items():
            monkeypatch.setenv(k, v)
        yield s


def test_issue22_a_new_account_sets_its_password_from_the_mailed_link_and_logs_in(sink, visit):
    nat = visit("konton")
    nat.login("nationell")
    nat.goto("/nationell/konton")
    page = nat.page
    page.get_by_role("button", name="Skapa kontot").click()  # nothing filled in: the error summary
    nat.check()
    assert page.locator("#felsammanfattning").is_visible()
    page.get_by_label("E-postadress").fill(NEW)
    page.get_by_role("radio", name="Region", exact=True).check()
    page.get_by_label("Vilken region").select_option(label="Region Dalarna")
    page.get_by_label("Företrädare (skickar också in)").check()
    page.get_by_role("button", name="Skapa kontot").click()
    nat.check()
    assert f"ett e-brev med en länk för att välja lösenord skickas till {NEW}" in page.locator("[role=status]").inner_text()

    mail = sink.wait_for(NEW)
    assert mail["Subject"] == "Ditt konto i fcatlas – välj ett lösenord"
    link = next(line for line in text_of(mail).splitlines() if "valj-losenord?token=" in line)
    path = urlsplit(link).path + "?" + urlsplit(link).query

    new = visit("nytt-konto")
    new.goto(path)
    assert NEW in new.page.locator("main").inner_text()
    new.page.get_by_label("Nytt lösenord", exact=True).fill("kort")
    new.page.get_by_label("Nytt lösenord igen").fill("kort")
    new.page.get_by_role("button", name="Spara lösenordet").click()
    new.check()
    assert "minst 12 tecken" in new.page.locator("#felsammanfattning").inner_text()
    new.page.get_by_label("Nytt lösenord", exact=True).fill(NEW_PW)
    new.page.get_by_label("Nytt lösenord igen").fill(NEW_PW)
    new.page.get_by_role("button", name="Spara lösenordet").click()
    new.check()
    assert "Lösenordet är valt" in new.page.locator("h1").inner_text()

    new.goto("/logga-in")
    new.page.get_by_label("E-post").fill(NEW)
    new.page.get_by_label("Lösenord").fill(NEW_PW)
    new.page.get_by_role("button", name="Logga in").click()
    new.check()
    assert new.page.url.endswith("/region") and NEW in new.page.locator("header").inner_text()
    new.goto(path)  # the link worked once
    assert "Länken fungerar inte" in new.page.locator("h1").inner_text()

    nat.goto("/nationell/konton")
    log = nat.page.locator("#epost-tabell").locator("xpath=..")
    assert NEW in log.inner_text() and "Nytt konto" in log.inner_text()
