"""``fcatlas user …``: accounts of the shared service (roles, passwords, API tokens).

Whoever runs the CLI against the database acts as the local operator with national rights; the
web service's own accounts are what this command manages.
"""

from __future__ import annotations

import getpass
import sys

import typer

from fcatlas.cli.common import (
    DB_HELP,
    OutputFormat,
    acting,
    console,
    database_session,
    err_console,
    print_frame,
)
from fcatlas.errors import ConfigError

user_app = typer.Typer(
    name="user",
    help=(
        "Konton för den gemensamma webbtjänsten: roller (nationell = Socialstyrelsen, region = en "
        "region med nivån företrädare eller handläggare), lösenord och nycklar (tokens) för skript. "
        "Lösenord läses från standard in eller frågas efter – aldrig som argument."
    ),
    no_args_is_help=True,
)







def _read_password(prompt: str = "Lösenord") -> str:
    """From standard input (one line) when it is not a terminal, else asked for twice, hidden."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line.strip():
            raise ConfigError("inget lösenord på standard in (skriv det på första raden)")
        return line.rstrip("\r\n")
    first = getpass.getpass(f"{prompt}: ")
    if getpass.getpass(f"{prompt} igen: ") != first:
        raise ConfigError("lösenorden är inte lika")
    return first


@user_app.command("add")
def add(
    email: str = typer.Argument(..., help="Kontots e-postadress (inloggningsnamnet)."),
    roll: str = typer.Option(..., "--roll", help="'nationell' (Socialstyrelsen) eller 'region'."),
    lan: str | None = typer.Option(None, "--lan", help="Regionens länskod, t.ex. 20 (bara för rollen region)."),
    niva: str | None = typer.Option(
        None, "--niva",
        help="'foretradare' (får skicka in regionens lista och återrapport) eller 'handlaggare' "
             "(förbereder; standard).",
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Skapa ett konto. Lösenordet (minst 12 tecken) läses från standard in eller frågas efter.

    Exempel: echo 'ett långt lösenord' | fcatlas user add anna@regiondalarna.se --roll region --lan 20 --niva foretradare
    """
    from fcatlas.services import accounts
    password = _read_password()
    with database_session(db) as s:
        info = accounts.add_user(s, actor=acting(s), email=email, password=password, role=roll,
                                 lan_code=lan, level=niva)
    where = f", län {info.lan_code}, {info.level}" if info.lan_code else ""
    console.print(f"Kontot {info.email} skapades ({info.role}{where}).", highlight=False)


@user_app.command("list")
def list_(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv eller json."),
) -> None:
    """Lista alla konton (utan lösenord)."""
    import pandas as pd

    from fcatlas.accounts.roles import LEVEL_LABELS, Level
    from fcatlas.services import accounts
    with database_session(db) as s:
        users = accounts.list_users(s, actor=acting(s))
    rows = [{"e-post": u.email, "roll": u.role, "län": u.lan_code or "",
             "nivå": LEVEL_LABELS[Level(u.level)] if u.level else "",
             "aktivt": "ja" if u.active else "nej", "skapat": u.created_at.date().isoformat()}
            for u in users]
    df = pd.DataFrame(rows, columns=["e-post", "roll", "län", "nivå", "aktivt", "skapat"])
    if format is not OutputFormat.table:
        df.columns = ["email", "role", "lan_code", "level", "active", "created"]
    print_frame(df, format, title="Konton")


@user_app.command("disable")
def disable(
    email: str = typer.Argument(..., help="Kontots e-postadress."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Stäng av ett konto: det kan inte logga in, dess inloggningar avslutas och nycklar återkallas."""
    from fcatlas.services import accounts
    with database_session(db) as s:
        info = accounts.disable_user(s, actor=acting(s), email=email)
    console.print(f"Kontot {info.email} är avstängt.", highlight=False)


@user_app.command("enable")
def enable(
    email: str = typer.Argument(..., help="Kontots e-postadress."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Aktivera ett avstängt konto igen (det loggar in med sitt tidigare lösenord)."""
    from fcatlas.services import accounts
    with database_session(db) as s:
        info = accounts.enable_user(s, actor=acting(s), email=email)
    console.print(f"Kontot {info.email} är aktiverat.", highlight=False)


@user_app.command("link")
def link(
    email: str = typer.Argument(..., help="Kontots e-postadress."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Skicka en länk för att välja nytt lösenord (gäller 72 timmar, en gång) till kontot med e-post.

    Utan e-postserver (FCATLAS_SMTP_URL) skrivs länken ut i stället, för att lämnas över på ett säkert sätt.
    """
    from fcatlas.services import accounts
    with database_session(db) as s:
        made = accounts.send_password_link(s, actor=acting(s), email=email)
    if made.mailed:
        console.print(f"En länk för att välja nytt lösenord skickas till {made.account.email}.", highlight=False)
        return
    sys.stdout.write(made.link + "\n")
    err_console.print("Ingen e-postserver är inställd (FCATLAS_SMTP_URL): lämna över länken ovan (den gäller i "
                      "72 timmar och kan användas en gång; sätt webbtjänstens adress framför).",
                      highlight=False, soft_wrap=True)


@user_app.command("passwd")
def passwd(
    email: str = typer.Argument(..., help="Kontots e-postadress."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Byt lösenord (läses från standard in eller frågas efter). Kontots inloggningar avslutas."""
    from fcatlas.services import accounts
    password = _read_password("Nytt lösenord")
    with database_session(db) as s:
        info = accounts.set_password(s, actor=acting(s), email=email, password=password)
    console.print(f"Lösenordet för {info.email} är bytt.", highlight=False)


@user_app.command("token")
def token(
    email: str = typer.Argument(..., help="Kontots e-postadress."),
    dagar: int = typer.Option(90, "--dagar", help="Hur många dagar nyckeln gäller (1–366)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Skapa en nyckel (Bearer-token) för skript. Den visas bara nu och sparas bara som kontrollsumma."""
    from fcatlas.services import accounts
    with database_session(db) as s:
        tok, expires = accounts.create_token(s, actor=acting(s), email=email, days=dagar)
    sys.stdout.write(tok + "\n")
    err_console.print(f"Nyckeln gäller till {expires.date().isoformat()}. Spara den nu – den visas inte igen. "
                      f"Återkalla med: fcatlas user revoke {email.strip()}", highlight=False, soft_wrap=True)


@user_app.command("revoke")
def revoke(
    email: str = typer.Argument(..., help="Kontots e-postadress."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Återkalla alla giltiga nycklar för ett konto."""
    from fcatlas.services import accounts
    with database_session(db) as s:
        n = accounts.revoke_tokens(s, actor=acting(s), email=email)
    console.print(f"{n} nyckel/nycklar återkallades för {email.strip()}.", highlight=False)


def install(app: typer.Typer) -> None:
    """Attach ``fcatlas user …`` to the main app."""
    app.add_typer(user_app, name="user")
