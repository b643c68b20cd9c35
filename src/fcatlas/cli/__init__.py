"""The ``fcatlas`` command. Faces only orchestrate: parse, call the rooms, print."""

from __future__ import annotations

import typer

from fcatlas.cli import common
from fcatlas.cli.data import areas_command, data_app

app = typer.Typer(
    name="fcatlas",
    help=(
        "fcatlas — planering och uppföljning av familjecentraler.\n\n"
        "Börja med 'fcatlas demo' (syntetiska exempeldata, fungerar utan internet), eller bygg "
        "ett datapaket av SCB:s filer med 'fcatlas data build --from KATALOG --out PAKET'."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(data_app, name="data")


@app.callback()
def _acting_as(ctx: typer.Context,
               som: str | None = typer.Option(None, "--som", metavar="EPOST", help=common.SOM_HELP)) -> None:
    """fcatlas — planering och uppföljning av familjecentraler."""
    common.set_acting_account(ctx, som)


app.command("areas")(areas_command)


def _register_optional() -> None:
    """Sub-commands of the other rooms (each in its own module)."""
    from fcatlas.cli import atlas as _atlas
    from fcatlas.cli import db as _db
    from fcatlas.cli import demo as _demo
    from fcatlas.cli import economics as _economics
    from fcatlas.cli import grant as _grant
    from fcatlas.cli import notify as _notify
    from fcatlas.cli import register as _register
    from fcatlas.cli import report as _report
    from fcatlas.cli import rounds as _rounds
    from fcatlas.cli import serve as _serve
    from fcatlas.cli import site as _site
    from fcatlas.cli import user as _user

    for mod in (_register, _atlas, _grant, _demo, _economics, _site, _report, _rounds, _user, _serve, _db, _notify):
        mod.install(app)


_register_optional()


def main() -> None:
    common.run(app)


if __name__ == "__main__":  # pragma: no cover
    main()
