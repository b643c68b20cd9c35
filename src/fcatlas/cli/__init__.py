"""The ``fcatlas`` command. Faces only orchestrate: parse, call the rooms, print.

The sub-commands of the other rooms are installed lazily: ``fcatlas site …`` imports
:mod:`fcatlas.cli.site` and nothing of ``register``, ``grant``, ``serve`` (the web app) or the
report's PDF stack; ``fcatlas --help`` (which lists them all) imports them all. See
:class:`LazyGroup`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import typer
from typer.core import TyperGroup

from fcatlas.cli import common
from fcatlas.cli.data import areas_command, data_app

#: Top-level names installed on first use → the modules (``fcatlas.cli.<module>``) whose
#: ``install(app)`` attaches them, in the order they were always installed (the help's order:
#: commands before groups, each in this order). ``rounds`` adds ``round`` and ``publish`` to
#: ``register``, so it is installed before ``register`` is built.
LAZY_COMMANDS: dict[str, tuple[str, ...]] = {
    "register": ("rounds", "register"),
    "atlas": ("atlas",),
    "similar": ("atlas",),
    "grant": ("grant",),
    "demo": ("demo",),
    "listade": ("economics",),
    "ekonomi": ("economics",),
    "site": ("site",),
    "rapport": ("report",),
    "user": ("user",),
    "serve": ("serve",),
    "db": ("db",),
    "notify": ("notify",),
}
_APP_SETTINGS: dict[str, Any] = {"rich_markup_mode": "rich", "pretty_exceptions_enable": False,
                                 "add_completion": False}
#: one Typer per module with that module's commands installed (installed once per process:
#: ``rounds`` changes ``register``'s app)
_installed: dict[str, typer.Typer] = {}


def _installed_app(module: str) -> typer.Typer:
    if module not in _installed:
        sub = typer.Typer(**_APP_SETTINGS)
        importlib.import_module(f"fcatlas.cli.{module}").install(sub)
        _installed[module] = sub
    return _installed[module]


class _LazyCommands(MutableMapping[str, Any]):
    """A group's commands: the eager ones, and the lazy ones built when first looked up.

    ``get``/``[]``/``in`` load at most the one module; iterating (help, a typo's suggestions, a
    walk of the command tree) loads them all and yields the names in the help's order."""

    def __init__(self, eager: MutableMapping[str, Any], on_load: Callable[[Any], None]) -> None:
        self.loaded: dict[str, Any] = dict(eager)
        self._eager = list(eager)
        self._on_load = on_load

    def _load(self, name: str) -> None:
        for module in LAZY_COMMANDS[name]:
            sub = _installed_app(module)
            if not (sub.registered_commands or sub.registered_groups):
                continue
            for built_name, cmd in typer.main.get_group(sub).commands.items():
                if built_name not in self.loaded:
                    self._on_load(cmd)
                    self.loaded[built_name] = cmd

    def __getitem__(self, name: str) -> Any:
        if name not in self.loaded and name in LAZY_COMMANDS:
            self._load(name)
        return self.loaded[name]

    def __contains__(self, name: object) -> bool:
        return name in self.loaded or name in LAZY_COMMANDS

    def __setitem__(self, name: str, cmd: Any) -> None:
        self.loaded[name] = cmd

    def __delitem__(self, name: str) -> None:
        del self.loaded[name]

    def __len__(self) -> int:
        return len(set(self.loaded) | set(LAZY_COMMANDS))

    def __iter__(self) -> Iterator[str]:
        for name in LAZY_COMMANDS:
            if name not in self.loaded:
                self._load(name)
        lazy = list(LAZY_COMMANDS)
        extra = [n for n in self.loaded if n not in self._eager and n not in LAZY_COMMANDS]
        order = {n: i for i, n in enumerate([*self._eager, *lazy, *extra])}
        # typer lists plain commands before groups, each in the order they were added
        return iter(sorted(self.loaded, key=lambda n: (isinstance(self.loaded[n], TyperGroup), order[n])))


class LazyGroup(TyperGroup):
    """The top-level group: a sub-command's module is imported only when the command is run (or
    its help shown), all of them when ``fcatlas --help`` lists them. Names, help texts and the
    order of the listing are those of installing every module up front."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = _LazyCommands(self.commands, _unwrap)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands:
            list(self.commands)  # an unknown name: load all, so typer suggests among every command
        return super().resolve_command(ctx, args)


def _unwrap(cmd: Any) -> None:
    cmd.help = common.unwrap_help(cmd.help)
    for sub in getattr(cmd, "commands", {}).values():
        _unwrap(sub)


app = typer.Typer(
    name="fcatlas",
    help=(
        "fcatlas — planering och uppföljning av familjecentraler.\n\n"
        "Börja med 'fcatlas demo' (syntetiska exempeldata, fungerar utan internet), eller bygg "
        "ett datapaket av SCB:s filer med 'fcatlas data build --from KATALOG --out PAKET'."
    ),
    no_args_is_help=True,
    cls=LazyGroup,
    **_APP_SETTINGS,
)
app.add_typer(data_app, name="data")


@app.callback()
def _acting_as(ctx: typer.Context,
               som: str | None = typer.Option(None, "--som", metavar="EPOST", help=common.SOM_HELP)) -> None:
    """fcatlas — planering och uppföljning av familjecentraler."""
    common.set_acting_account(ctx, som)


app.command("areas")(areas_command)


def main() -> None:
    common.run(app)


if __name__ == "__main__":  # pragma: no cover
    main()
