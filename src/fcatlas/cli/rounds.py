"""``fcatlas register round …`` and ``fcatlas register publish``: the inventory round from the CLI.

Whoever runs the CLI against the database acts as the local operator with national rights
(opens, returns, approves, publishes), or with ``fcatlas --som EPOST`` as that account; ``submit``
also takes ``--som EPOST`` itself (the region's företrädare on whose behalf the list is submitted),
since only a region's företrädare may submit.
"""

from __future__ import annotations

import datetime as dt

import typer

from fcatlas.cli.common import (
    DB_HELP,
    OutputFormat,
    acting,
    console,
    database_session,
    print_frame,
)
from fcatlas.errors import ConfigError

round_app = typer.Typer(
    name="round",
    help=(
        "Inventeringsomgången: Socialstyrelsen öppnar den med ett sista datum, regionerna förbereder "
        "sina listor, regionens företrädare skickar in, Socialstyrelsen returnerar med en kommentar "
        "eller godkänner, och publicerar till sist omgången ('fcatlas register publish')."
    ),
    no_args_is_help=True,
)






def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"--sista-dag ska vara ett datum ÅÅÅÅ-MM-DD (fick {value!r})") from None


@round_app.command("open")
def open_(
    omgang: str = typer.Argument(..., help="Omgångens namn: året, t.ex. 2027."),
    sista_dag: str = typer.Option(..., "--sista-dag", help="Sista dag för regionernas listor, ÅÅÅÅ-MM-DD."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Öppna en inventeringsomgång (bara en kan vara öppen åt gången)."""
    from fcatlas.services import rounds

    with database_session(db) as s:
        info = rounds.open_round(s, actor=acting(s), name=omgang, deadline=_date(sista_dag))
    console.print(f"Inventeringsomgång {info.year} är öppen; sista dag {info.deadline.isoformat()}.", highlight=False)


@round_app.command("status")
def status(
    omgang: str = typer.Argument(..., help="Omgångens namn (året)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv eller json."),
) -> None:
    """Var varje regions lista står i omgången."""
    import pandas as pd

    from fcatlas.geography.admin import lan_name
    from fcatlas.services import rounds

    with database_session(db) as s:
        ov = rounds.overview(s, actor=acting(s), name=omgang)
    rows = [{"lan_code": r.lan_code, "lan_name": lan_name(r.lan_code), "status": r.status.value,
             "comment": r.comment or "", "changed_by": r.changed_by or "",
             "changed_at": r.changed_at.date().isoformat() if r.changed_at else ""} for r in ov.regions]
    df = pd.DataFrame(rows)
    if format is OutputFormat.table:
        df["status"] = [r.label for r in ov.regions]
        df.columns = ["Län", "Länsnamn", "Status", "Kommentar", "Ändrad av", "Ändrad"]
    title = f"Inventeringsomgång {ov.round.year} ({'publicerad' if ov.round.status == 'publicerad' else 'öppen'}, " \
            f"sista dag {ov.round.deadline.isoformat()})"
    print_frame(df, format, title=title)


@round_app.command("submit")
def submit(
    omgang: str = typer.Argument(..., help="Omgångens namn (året)."),
    lan: str = typer.Option(..., "--lan", help="Regionens länskod, t.ex. 20."),
    som: str | None = typer.Option(
        None, "--som", help="E-postadressen till regionens företrädare som skickar in (som 'fcatlas --som EPOST')."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Skicka in regionens lista (därefter kan den inte ändras förrän den returneras). Det gör
    regionens företrädare: ange kontot med --som (här eller före kommandot)."""
    from fcatlas.services import accounts, rounds

    with database_session(db) as s:
        actor = accounts.active_account(s, email=som) if som else acting(s)
        st = rounds.submit(s, actor=actor, name=omgang, lan=lan)
    console.print(f"Region {st.lan_code}s lista är inskickad i omgång {omgang}.", highlight=False)


@round_app.command("return")
def return_(
    omgang: str = typer.Argument(..., help="Omgångens namn (året)."),
    lan: str = typer.Option(..., "--lan", help="Regionens länskod."),
    kommentar: str = typer.Option(..., "--kommentar", help="Vad regionen ska rätta."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Returnera en inskickad lista till regionen med en kommentar (den kan då ändras igen)."""
    from fcatlas.services import rounds

    with database_session(db) as s:
        st = rounds.return_list(s, actor=acting(s), name=omgang, lan=lan, comment=kommentar)
    console.print(f"Region {st.lan_code}s lista är returnerad.", highlight=False)


@round_app.command("approve")
def approve(
    omgang: str = typer.Argument(..., help="Omgångens namn (året)."),
    lan: str = typer.Option(..., "--lan", help="Regionens länskod."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Godkänn en inskickad lista (den publiceras med omgången)."""
    from fcatlas.services import rounds

    with database_session(db) as s:
        st = rounds.approve(s, actor=acting(s), name=omgang, lan=lan)
    console.print(f"Region {st.lan_code}s lista är godkänd.", highlight=False)


def publish(
    omgang: str = typer.Argument(..., help="Omgångens namn (året)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Publicera en inventeringsomgång: de godkända regionernas listor blir den offentliga bilden."""
    from fcatlas.services import rounds

    with database_session(db) as s:
        lans = rounds.publish(s, actor=acting(s), name=omgang)
    console.print(f"Omgång {omgang} är publicerad för {len(lans)} län: {', '.join(lans)}.", highlight=False)


def install(app: typer.Typer) -> None:
    """Attach ``round`` and ``publish`` to ``fcatlas register``."""
    from fcatlas.cli.register import register_app

    register_app.add_typer(round_app, name="round")
    register_app.command("publish")(publish)
