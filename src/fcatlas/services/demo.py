"""The synthetic demo of ``fcatlas serve --demo``: a bundle, a register and demo accounts in a
working directory. Everything is invented and labelled so (``SYNTHETIC_LABEL`` of
:mod:`fcatlas.geography.demo`).

Light to import (the CLI's help names :data:`DEMO_PASSWORD`): the database modules are loaded by
:func:`set_up_demo` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: a demo account: e-mail, role, län, level
DemoAccount = tuple[str, str, str | None, str | None]

#: accounts of ``fcatlas serve --demo`` (synthetic, printed at start)
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    ("nationell@demo.invalid", "nationell", None, None),
    ("foretradare20@demo.invalid", "region", "20", "foretradare"),
    ("handlaggare20@demo.invalid", "region", "20", "handlaggare"),
)
DEMO_PASSWORD = "demo-losenord-2026"


@dataclass(frozen=True)
class DemoService:
    #: the demo's database (a SQLite file in the working directory)
    url: str
    #: the demo's data bundle
    bundle_dir: Path
    #: the demo accounts (password :data:`DEMO_PASSWORD`)
    accounts: tuple[DemoAccount, ...]


def set_up_demo(workdir: Path) -> DemoService:
    """A demo bundle, register (inventory round 2026) and accounts in ``workdir``."""
    from fcatlas.accounts.roles import Actor
    from fcatlas.db import open_engine, unit_of_work
    from fcatlas.geography.demo import build_demo_bundle, write_demo_register
    from fcatlas.register.store import Register
    from fcatlas.services import accounts

    bundle = build_demo_bundle(workdir / "paket")
    url = f"sqlite:///{workdir / 'fcatlas.sqlite'}"
    with Register.open(url) as reg:
        reg.import_file(write_demo_register(bundle, workdir / "enheter_demo.csv"), round=2026, user="demo")
    with unit_of_work(open_engine(url)) as s:
        for email, role, lan, level in DEMO_ACCOUNTS:
            accounts.add_user(s, actor=Actor.national("demo"), email=email, password=DEMO_PASSWORD,
                              role=role, lan_code=lan, level=level)
    return DemoService(url, workdir / "paket", DEMO_ACCOUNTS)
