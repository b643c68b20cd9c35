"""``fcatlas db …``: the database itself — upgrade the schema, back up, restore."""

from __future__ import annotations

from pathlib import Path

import typer

from fcatlas.cli.common import DB_HELP, console, database_url

db_app = typer.Typer(
    name="db",
    help="Databasen: uppgradera schemat, säkerhetskopiera och återställ (register, omgångar, statsbidrag, konton).",
    no_args_is_help=True,
)
_DB_HELP = DB_HELP


@db_app.command("upgrade")
def upgrade(db: str | None = typer.Option(None, "--db", help=_DB_HELP)) -> None:
    """Uppgradera databasens schema till den här versionen av fcatlas (görs också av 'fcatlas serve').

    Andra kommandon uppgraderar aldrig en befintlig databas; de säger till när det behövs."""
    from fcatlas.db import upgrade as run_upgrade

    run_upgrade(database_url(db))
    console.print("Databasens schema är aktuellt.", highlight=False)


@db_app.command("backup")
def backup(
    fil: Path = typer.Argument(..., help="Filen som säkerhetskopian skrivs till."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Säkerhetskopiera hela databasen till en fil (pg_dump för PostgreSQL, SQLite:s backup-API)."""
    from fcatlas.db.backup import backup as run_backup

    out = run_backup(database_url(db), fil)
    console.print(f"Säkerhetskopian är skriven: {out} ({out.stat().st_size:,} byte)".replace(",", " "), highlight=False)


@db_app.command("restore")
def restore(
    fil: Path = typer.Argument(..., help="Säkerhetskopian (från 'fcatlas db backup')."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    ersatt: bool = typer.Option(False, "--ersatt", help="Ersätt innehållet i en databas som inte är tom."),
) -> None:
    """Återställ en säkerhetskopia till en tom databas (eller ersätt innehållet med --ersatt)."""
    from fcatlas.db.backup import restore as run_restore

    tables = run_restore(database_url(db), fil, replace=ersatt)
    console.print(f"Databasen är återställd ({len(tables)} tabeller).", highlight=False)


def install(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
