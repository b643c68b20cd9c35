"""Issue 22 (5, 6): e-mail through a real SMTP server (aiosmtpd on loopback) — reminders from
``fcatlas notify`` sent once, event mails after the commit only, one-time password links."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from fcatlas.accounts import store as accounts_store
from fcatlas.accounts.credentials import token_digest
from fcatlas.accounts.roles import Actor
from fcatlas.cli import app
from fcatlas.db import connect, unit_of_work
from fcatlas.errors import AuthenticationError, ConfigError
from fcatlas.mail.config import MailConfig
from fcatlas.mail.log import entries
from fcatlas.services import accounts, notify, rounds
from mail.smtp_sink import SmtpSink, html_of, link_token, text_of

NATIONAL = Actor.national("handlaggare@socialstyrelsen.se")
PW = "ett långt lösenord för prov"
#: (e-mail, län, level)
REGION_ACCOUNTS = [("f20@dalarna.test", "20", "foretradare"), ("h20@dalarna.test", "20", "handlaggare"),
                   ("f18@orebro.test", "18", "foretradare"), ("f01@stockholm.test", "01", "foretradare")]


def _setup(url: str, *, submit: tuple[str, ...] = ("01",)) -> None:
    """Accounts, round 2027 open (deadline 31 October), the given regions' lists submitted — with no
    mail (the SMTP server is not used while setting up)."""
    engine = connect(url)
    with unit_of_work(engine) as s:
        notify.use_mail(s, None)
        for email, lan, level in REGION_ACCOUNTS:
            accounts_store.add_user(s, actor=NATIONAL, email=email, password=PW, role="region", lan_code=lan,
                                    level=level)
        rounds.open_round(s, actor=NATIONAL, name=2027, deadline=dt.date(2027, 10, 31))
        for lan in submit:
            f = next(a for a in accounts.list_users(s, actor=NATIONAL) if a.lan_code == lan and a.level == "foretradare")
            rounds.submit(s, actor=accounts.active_account(s, email=f.email), name=2027, lan=lan)


def _notify(url: str, day: str) -> str:
    r = CliRunner().invoke(app, ["notify", "--idag", day, "--db", url])
    assert r.exit_code == 0, (r.output, r.exception)
    return r.output


def test_issue22_notify_two_weeks_before_mails_regions_not_submitted_once(db_url: str, smtp_sink: SmtpSink) -> None:
    _setup(db_url)
    assert smtp_sink.messages == []  # setting up sent nothing
    out = _notify(db_url, "2027-10-17")  # 14 days before 31 October
    got = sorted(m["To"] for m in smtp_sink.messages)
    # every account of the regions that have not submitted; not Stockholm (submitted)
    assert got == ["f18@orebro.test", "f20@dalarna.test", "h20@dalarna.test"]
    mail = smtp_sink.to("f20@dalarna.test")[0]
    assert mail["Subject"] == "Påminnelse: Region Dalarnas lista i omgången 2027 ska vara inskickad 31 oktober 2027"
    assert mail["From"] == "fcatlas@socialstyrelsen.test"
    assert "om 14 dagar" in text_of(mail) and "http://fcatlas.test/region" in text_of(mail)
    assert '<a href="http://fcatlas.test/region"' in html_of(mail) and 'lang="sv"' in html_of(mail)
    assert "3 påminnelser skickades" in out

    smtp_sink.clear()
    out = _notify(db_url, "2027-10-17")  # an hour later: nobody again
    assert smtp_sink.messages == [] and "inga var aktuella" in out
    _notify(db_url, "2027-10-20")  # still in the 14-day window: nothing new
    assert smtp_sink.messages == []

    _notify(db_url, "2027-10-28")  # 3 days before: the second reminder, once
    assert sorted(m["To"] for m in smtp_sink.messages) == ["f18@orebro.test", "f20@dalarna.test", "h20@dalarna.test"]
    assert "om 3 dagar" in text_of(smtp_sink.to("f18@orebro.test")[0])
    smtp_sink.clear()
    _notify(db_url, "2027-11-01")  # overdue: once
    _notify(db_url, "2027-11-02")
    assert sorted(m["To"] for m in smtp_sink.messages) == ["f18@orebro.test", "f20@dalarna.test", "h20@dalarna.test"]
    assert "försenad" in smtp_sink.messages[0]["Subject"]

    with unit_of_work(connect(db_url)) as s:  # every mail is in the log, with its time and recipient
        log = entries(s)
    assert len(log) == 9 and {e.status for e in log} == {"skickad"}
    assert all(e.sent_at is not None and e.round_year == 2027 for e in log)
    assert {e.recipient for e in log} == {"f18@orebro.test", "f20@dalarna.test", "h20@dalarna.test"}


def test_issue22_more_than_two_weeks_before_nothing_is_due(tmp_path, smtp_sink: SmtpSink) -> None:
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    _setup(url)
    assert "inga var aktuella" in _notify(url, "2027-10-16")
    assert smtp_sink.messages == []


@pytest.mark.postgres
def test_issue22_notify_running_twice_at_once_sends_each_mail_once(pg_url: str, smtp_sink: SmtpSink) -> None:
    _setup(pg_url)
    engine = connect(pg_url)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with unit_of_work(engine) as s:
                notify.queue_reminders(s, actor=NATIONAL, today=dt.date(2027, 10, 17))
                barrier.wait(timeout=30)  # all four have found the same reminders due before any commits
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(m["To"] for m in smtp_sink.messages) == ["f18@orebro.test", "f20@dalarna.test", "h20@dalarna.test"]


def test_issue22_a_returned_list_mails_the_comment_after_the_commit_only(tmp_path, smtp_sink: SmtpSink) -> None:
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    _setup(url, submit=("20", "01"))
    engine = connect(url)
    with pytest.raises(RuntimeError), unit_of_work(engine) as s:  # rolled back: no mail
        rounds.return_list(s, actor=NATIONAL, name=2027, lan="20", comment="Ange statusdatum för Smedjebacken")
        raise RuntimeError("avbrott")
    assert smtp_sink.messages == []
    with unit_of_work(engine) as s:
        rounds.return_list(s, actor=NATIONAL, name=2027, lan="20", comment="Ange statusdatum för Smedjebacken")
        assert smtp_sink.messages == []  # not before the commit
    assert sorted(m["To"] for m in smtp_sink.messages) == ["f20@dalarna.test", "h20@dalarna.test"]
    mail = smtp_sink.to("h20@dalarna.test")[0]
    assert mail["Subject"] == "Region Dalarnas lista i omgången 2027 har returnerats"
    assert "Ange statusdatum för Smedjebacken" in text_of(mail) and "31 oktober 2027" in text_of(mail)
    assert "Ange statusdatum för Smedjebacken" in html_of(mail)
    smtp_sink.clear()
    with unit_of_work(engine) as s:
        rounds.approve(s, actor=NATIONAL, name=2027, lan="01")
        rounds.publish(s, actor=NATIONAL, name=2027)
    subjects = sorted(m["Subject"] for m in smtp_sink.to("f01@stockholm.test"))
    assert subjects == ["Region Stockholms lista i omgången 2027 är godkänd",
                        "Region Stockholms lista i omgången 2027 är publicerad"]
    assert len(smtp_sink.messages) == 2  # nobody else


def test_issue22_a_new_account_chooses_its_password_from_the_mailed_link_once(db_url: str, smtp_sink: SmtpSink) -> None:
    engine = connect(db_url)
    with unit_of_work(engine) as s:
        made = accounts.create_account(s, actor=NATIONAL, email="Ny@Dalarna.test", role="region", lan_code="20",
                                       level="foretradare")
        assert made.mailed and made.account.email == "ny@dalarna.test"
    mail = smtp_sink.wait_for("ny@dalarna.test")
    assert mail["Subject"] == "Ditt konto i fcatlas – välj ett lösenord"
    assert "Region Dalarna, företrädare" in text_of(mail) and "handlaggare@socialstyrelsen.se" in text_of(mail)
    token = link_token(mail)
    with unit_of_work(engine) as s:  # only the digest is stored; the account cannot log in yet
        assert s.execute(text("SELECT digest FROM accounts_password_links")).scalar_one() == token_digest(token)
        assert token not in str(s.execute(text("SELECT * FROM accounts_password_links")).all())
        assert token not in str([e for e in entries(s)])
        with pytest.raises(AuthenticationError):
            accounts_store.authenticate(s, email="ny@dalarna.test", password="", address="test")
    with unit_of_work(engine) as s:
        assert accounts.password_link_account(s, token=token).email == "ny@dalarna.test"
        actor = accounts.choose_password(s, token=token, password=PW)
        assert actor.lan_code == "20"
    with unit_of_work(engine) as s:
        with pytest.raises(AuthenticationError, match="redan använd"):
            accounts.choose_password(s, token=token, password="ett annat långt lösenord")
    with unit_of_work(engine) as s:
        assert accounts_store.authenticate(s, email="ny@dalarna.test", password=PW, address="test").name == \
            "ny@dalarna.test"


def test_issue22_a_link_works_for_72_hours_and_a_new_one_replaces_it(tmp_path, smtp_sink: SmtpSink) -> None:
    engine = connect(f"sqlite:///{tmp_path / 'r.sqlite'}")
    t0 = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)
    with unit_of_work(engine) as s:
        accounts_store.add_user(s, actor=NATIONAL, email="a@x.test", password=PW, role="nationell")
        token, _, expires = accounts_store.create_password_link(s, actor=NATIONAL, email="a@x.test", now=t0)
        assert expires == t0 + dt.timedelta(hours=72)
    with unit_of_work(engine) as s:
        with pytest.raises(AuthenticationError, match="gått ut"):
            accounts_store.use_password_link(s, token=token, password=PW + "!", now=t0 + dt.timedelta(hours=72))
        assert accounts_store.password_link_account(s, token=token, now=t0 + dt.timedelta(hours=71)).email == "a@x.test"
        with pytest.raises(ConfigError, match="minst 12"):  # the password rules hold
            accounts_store.use_password_link(s, token=token, password="kort", now=t0 + dt.timedelta(hours=1))
    with unit_of_work(engine) as s:
        reset = accounts.send_password_link(s, actor=NATIONAL, email="a@x.test")
    assert smtp_sink.wait_for("a@x.test")["Subject"] == "Välj ett nytt lösenord i fcatlas"
    assert link_token(smtp_sink.to("a@x.test")[0]) in reset.link
    with unit_of_work(engine) as s:  # the earlier link stopped working when the new one was made
        with pytest.raises(AuthenticationError):
            accounts_store.password_link_account(s, token=token)
        accounts.choose_password(s, token=link_token(smtp_sink.to("a@x.test")[0]), password="nytt långt lösenord")


def test_issue22_without_smtp_nothing_is_sent_and_the_caller_can_tell(tmp_path, monkeypatch) -> None:
    for k in ("FCATLAS_SMTP_URL", "FCATLAS_MAIL_FROM", "FCATLAS_PUBLIC_URL"):
        monkeypatch.delenv(k, raising=False)
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    _setup(url)
    with unit_of_work(connect(url)) as s:
        assert notify.mail_config(s) is None
        made = accounts.create_account(s, actor=NATIONAL, email="b@x.test", role="nationell")
        assert not made.mailed and made.link.startswith("/konto/valj-losenord?token=")
        assert not notify.queue_reminders(s, actor=NATIONAL, today=dt.date(2027, 10, 17)).configured
    r = CliRunner().invoke(app, ["notify", "--idag", "2027-10-17", "--db", url])
    assert r.exit_code == 0 and "ingen e-postserver är inställd" in r.output.lower()
    with unit_of_work(connect(url)) as s:
        assert entries(s) == []


def test_issue22_a_server_that_cannot_be_reached_is_logged_and_tried_again_next_run(tmp_path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    _setup(url)
    sink = SmtpSink()  # not started: nothing listens on its port
    for k, v in sink.env().items():
        monkeypatch.setenv(k, v)
    r = CliRunner().invoke(app, ["notify", "--idag", "2027-10-17", "--db", url])
    assert r.exit_code == 1 and "kunde inte nås" in r.output
    with unit_of_work(connect(url)) as s:
        assert {e.status for e in entries(s)} == {"misslyckad"}
    with sink:
        _notify(url, "2027-10-17")
        assert len(sink.messages) == 3
    with unit_of_work(connect(url)) as s:
        assert {e.status for e in entries(s)} == {"skickad"} and len(entries(s)) == 3


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback only
def test_issue22_smtp_login_from_the_url(tmp_path) -> None:
    with SmtpSink(user="fcatlas", password="hemligt lösen") as sink:
        config = MailConfig.parse(f"smtp://fcatlas:hemligt%20l%C3%B6sen@127.0.0.1:{sink.port}", "a@x.test",
                                  "http://fcatlas.test")
        assert config is not None and config.password == "hemligt lösen"
        engine = connect(f"sqlite:///{tmp_path / 'r.sqlite'}")
        with unit_of_work(engine) as s:
            notify.use_mail(s, config)
            accounts_store.add_user(s, actor=NATIONAL, email="c@x.test", password=PW, role="nationell")
            accounts.send_password_link(s, actor=NATIONAL, email="c@x.test")
        assert sink.wait_for("c@x.test")["From"] == "a@x.test"
        wrong = MailConfig.parse(f"smtp://fcatlas:fel@127.0.0.1:{sink.port}", "a@x.test", "http://fcatlas.test")
        assert wrong is not None
        wrong = dataclasses.replace(wrong, timeout_s=2)  # aiosmtpd keeps a refused login waiting
        with unit_of_work(engine) as s:
            notify.use_mail(s, wrong)
            accounts.send_password_link(s, actor=NATIONAL, email="c@x.test")
        with unit_of_work(engine) as s:
            assert entries(s)[0].status == "misslyckad" and entries(s)[0].error  # refused: the reason is logged


@pytest.mark.parametrize(("url", "sender", "public", "message"), [
    ("http://x", "a@x.se", "http://x", "smtp:// eller smtps://"),
    ("smtp://", "a@x.se", "http://x", "servernamn"),
    ("smtp://h:port", "a@x.se", "http://x", "portnummer"),
    ("smtp://h?tls", "a@x.se", "http://x", "okänd inställning"),
    ("smtp://h", "", "http://x", "FCATLAS_MAIL_FROM"),
    ("smtp://h", "a@x.se", "", "FCATLAS_PUBLIC_URL"),
])
def test_issue22_a_wrong_mail_setting_is_refused_in_swedish(url: str, sender: str, public: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        MailConfig.parse(url, sender, public)


def test_issue22_decided_grant_and_returned_report_mail_the_region(tmp_path, smtp_sink: SmtpSink) -> None:
    from fcatlas.grants.followup import ReportStatus
    from fcatlas.services import grants

    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    _setup(url, submit=())
    engine = connect(url)
    with unit_of_work(engine) as s:
        grants.open_reports(s, actor=NATIONAL, year=2026, amounts={"20": 1_500_000, "18": 2_000_000},
                            deadline=dt.date(2027, 1, 31))
        from fcatlas.grants.store import GrantStore

        GrantStore(s).set_status("20", 2026, ReportStatus.SUBMITTED, user="f20@dalarna.test")  # as the region submits
    smtp_sink.clear()
    with unit_of_work(engine) as s:
        grants.return_report(s, actor=NATIONAL, year=2026, lan="20", comment="Ange årsarbetskrafterna")
    mail = smtp_sink.wait_for("f20@dalarna.test")
    assert mail["Subject"] == "Region Dalarnas återrapport för 2026 har returnerats"
    assert "Ange årsarbetskrafterna" in text_of(mail) and "http://fcatlas.test/region/statsbidrag" in text_of(mail)
    smtp_sink.clear()
    _notify(url, "2027-01-17")  # 14 days before the reports' deadline: both regions' reports are due
    assert sorted(m["To"] for m in smtp_sink.messages) == ["f18@orebro.test", "f20@dalarna.test", "h20@dalarna.test"]
    assert all("återrapport" in m["Subject"] for m in smtp_sink.messages)
    with unit_of_work(engine) as s:
        assert {e.grant_year for e in entries(s) if e.kind == "paminnelse_rapport"} == {2026}
        assert s.scalar(select(text("count(*)")).select_from(text("mail_log"))) == 5


@pytest.mark.parametrize("name", ["fcatlas.mail.config", "fcatlas.mail.messages", "fcatlas.services.notify"])
def test_issue22_docstring_examples_of_the_mail_modules_run(name: str) -> None:
    import doctest
    import importlib

    res = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0
