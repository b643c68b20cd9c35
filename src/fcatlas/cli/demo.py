"""``fcatlas demo``: the whole main job on the synthetic demo, offline.

It only strings together the public commands (``register import``, ``atlas``,
``grant allocate``) so that the demo shows exactly what an analyst would type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fcatlas.cli.common import console
from fcatlas.domain import DEFAULT_FIXED_SEK


def install(app: typer.Typer) -> None:
    @app.command("demo")
    def demo_command(
        out: Annotated[Path, typer.Option("--out", help="Katalog för demons filer.")] = Path("fcatlas-demo"),
        seed: Annotated[int, typer.Option("--seed", help="Slumpfrö för de syntetiska data.")] = 2026,
    ) -> None:
        """Kör hela huvudjobbet på syntetiska exempeldata (fungerar utan internet).

        Skapar i --out: ett datapaket (paket/), en registerfil i regionernas format
        (enheter_demo.csv), ett register (register.sqlite), atlasen (atlas/: Excel, kartor,
        areas.csv, summary.json) och en exempelfördelning av statsbidraget (statsbidrag.csv).
        Allt är påhittat och märkt "syntetiska exempeldata".
        """
        from fcatlas.geography.demo import SYNTHETIC_LABEL, build_demo_bundle, write_demo_register

        out.mkdir(parents=True, exist_ok=True)
        console.print(f"[bold yellow]{SYNTHETIC_LABEL}[/]")
        bundle = build_demo_bundle(out / "paket", seed=seed)
        console.print(f"1. Datapaket: {out / 'paket'} ({len(bundle.areas())} RegSO i {bundle.areas()['kommun_code'].nunique()} kommuner)")
        reg = write_demo_register(bundle, out / "enheter_demo.csv", seed=seed)
        console.print(f"2. Registerfil i regionernas format: {reg}")
        commands = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
        db = out / "register.sqlite"
        steps: list[tuple[str, list[str]]] = []
        if "register" in commands:
            if db.exists():
                db.unlink()
            steps.append(("3. Register", ["register", "import", str(reg), "--round", "2026", "--db", str(db)]))
        if "atlas" in commands:
            steps.append(("4. Atlas", ["atlas", "--bundle", str(out / "paket"), "--db", str(db), "--out", str(out / "atlas")]))
        if "grant" in commands:
            steps.append(("5. Statsbidrag (exempel)", [
                "grant", "allocate", "--year", "2026", "--total", "5000000", "--fixed", str(DEFAULT_FIXED_SEK),
                "--bundle", str(out / "paket"), "--format", "csv", "--out", str(out / "statsbidrag.csv")]))
        for title, args in steps:
            console.print(f"[bold]{title}:[/] fcatlas {' '.join(args)}")
            app(args, standalone_mode=False)
        if "atlas" in commands:
            console.print(f"[bold green]Klart.[/] Öppna {out / 'atlas' / 'atlas.xlsx'} och kartorna i {out / 'atlas' / 'maps'}.")
        else:
            console.print(f"[bold green]Klart.[/] Filerna finns i {out}.")
