"""``fcatlas notify``: the due e-mail reminders (safe to run every hour, e.g. from a systemd timer)."""

from __future__ import annotations

import datetime as dt

import typer

from fcatlas.cli.common import DB_HELP, acting, console, database_session, err_console
from fcatlas.errors import ConfigError


def _day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"--idag {text!r}: ange ett datum ÅÅÅÅ-MM-DD, t.ex. 2027-10-17") from None


def notify_command(
    idag: str | None = typer.Option(None, "--idag", help="Dagens datum ÅÅÅÅ-MM-DD (standard: idag, svensk tid)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Skicka de påminnelser som är aktuella: 14 och 3 dagar före sista dag för en omgång eller en
    återrapport till de regioner som inte har skickat in, och en gång när den är försenad.

    Ingen påminnelse skickas två gånger (varje brev loggas med mottagare och tid), så kommandot kan
    köras varje timme. E-postservern anges med FCATLAS_SMTP_URL (t.ex. smtp://127.0.0.1:2525),
    avsändaren med FCATLAS_MAIL_FROM och länkarnas adress med FCATLAS_PUBLIC_URL.
    """
    from fcatlas.services import notify

    day = _day(idag)
    with database_session(db) as s:
        delivery = notify.queue_reminders(s, actor=acting(s), today=day)
    # the mails went out when the transaction above committed
    if not delivery.configured:
        err_console.print(f"{notify.NOT_CONFIGURED[:1].upper()}{notify.NOT_CONFIGURED[1:]}.",
                          highlight=False)
        return
    for o, error in delivery.outcomes:
        e = o.entry
        what = notify.KIND_LABELS.get(e.kind, e.kind)
        if error is None:
            console.print(f"Skickat: {what} till {e.recipient} (län {e.lan_code})", highlight=False)
        else:
            err_console.print(f"Misslyckades: {what} till {e.recipient}: {error}", highlight=False)
    sent, failed = len(delivery.sent), len(delivery.failed)
    console.print(f"{sent} påminnelser skickades" + (f", {failed} misslyckades" if failed else "")
                  + ("." if sent or failed else " (inga var aktuella)."), highlight=False)
    if failed:
        raise typer.Exit(1)


def install(app: typer.Typer) -> None:
    app.command("notify")(notify_command)
