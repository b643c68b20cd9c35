"""``fcatlas serve``: the shared web service (uvicorn) on a database and a bundle."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from fcatlas.cli.common import console, database_url
from fcatlas.errors import ConfigError
from fcatlas.services.demo import DEMO_PASSWORD

__all__ = ["DEMO_PASSWORD", "install"]


def _demo(workdir: Path) -> tuple[str, Path]:
    """A demo bundle, register and accounts in ``workdir``: ``(db_url, bundle_dir)``."""
    from fcatlas.geography.demo import SYNTHETIC_LABEL
    from fcatlas.services.demo import set_up_demo

    demo = set_up_demo(workdir)
    console.print(f"[bold yellow]{SYNTHETIC_LABEL}[/] – demokonton (lösenord {DEMO_PASSWORD}):", highlight=False)
    for email, role, lan, level in demo.accounts:
        console.print(f"  {email}  {role}{f' {lan} ({level})' if lan else ''}", highlight=False)
    return demo.url, demo.bundle_dir


def _announce_when_answering(host: str, port: int, *, give_up_s: float = 300.0) -> None:
    """Print "lyssnar på" (in a thread beside the server) once the server answers ``/healthz`` —
    not before: a script or a person that reads it may connect at once."""
    import threading
    import time

    import httpx

    local = "127.0.0.1" if host in ("", "0.0.0.0") else "::1" if host == "::" else host
    url = f"http://{f'[{local}]' if ':' in local else local}:{port}/healthz"
    started = time.monotonic()

    def wait() -> None:
        while time.monotonic() - started < give_up_s:
            try:
                httpx.get(url, timeout=2)
            except httpx.TransportError:
                time.sleep(0.1)
                continue
            console.print(f"fcatlas lyssnar på http://{host}:{port}/ (svarar efter {time.monotonic() - started:.1f} s; "
                          "avsluta med Ctrl+C)", highlight=False)
            return

    threading.Thread(target=wait, name="fcatlas-svarar", daemon=True).start()


def install(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_command(
        db: Annotated[str | None, typer.Option("--db", help="Databas (PostgreSQL-URL för en delad tjänst, eller en SQLite-fil).")] = None,
        bundle: Annotated[Path | None, typer.Option("--bundle", help="Datapaketet som tjänsten visar.")] = None,
        host: Annotated[str, typer.Option("--host", help="Adress att lyssna på.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="Port.")] = 8000,
        workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Antal arbetsprocesser.")] = 1,
        demo: Annotated[bool, typer.Option("--demo", help="Kör på syntetiska exempeldata i en tillfällig katalog, med demokonton.")] = False,
        access_log: Annotated[Path | None, typer.Option("--access-log", help="Fil för åtkomstloggen (JSON-rader); standard: standard fel.")] = None,
        proxies: Annotated[str | None, typer.Option(
            "--forwarded-allow-ips", envvar="FCATLAS_BETRODDA_PROXYER",
            help="Omvända proxyer (adresser, kommaseparerade) vars X-Forwarded-For/-Proto tros: klientens "
                 "adress i inloggningsspärren och åtkomstloggen. Standard: inga.")] = None,
        grace: Annotated[int, typer.Option("--avslut-s", min=1, help="Sekunder som pågående anrop får för att "
                                           "avslutas vid SIGTERM.")] = 30,
    ) -> None:
        """Starta webbtjänsten (API under /api/v1, OpenAPI på /openapi.json, hälsokontroll på /healthz).

        Databasens schema uppgraderas vid start. Arbetsprocesserna delar bara databasen, så flera
        maskiner kan stå bakom en lastbalanserare med en gemensam PostgreSQL.

        Exempel: fcatlas serve --db postgresql://fcatlas@localhost/fcatlas --bundle paket --workers 2
        """
        import uvicorn

        from fcatlas.cli import serve_workers
        from fcatlas.db import forget_engine, upgrade

        if demo:
            url, bundle = _demo(Path(tempfile.mkdtemp(prefix="fcatlas-demo-")))
        else:
            url = database_url(db)
        upgrade(url)  # the schema brought up to date once, before the workers start
        forget_engine(url)  # the workers open their own
        os.environ["FCATLAS_DB"] = url
        if bundle is not None:
            os.environ["FCATLAS_BUNDLE"] = str(bundle.resolve())
        if access_log is not None:
            os.environ["FCATLAS_ACCESS_LOG"] = str(access_log.resolve())
        trusted = ",".join((proxies or "").replace(",", " ").split())
        # SIGTERM (systemd's stop): no new connections, requests in flight finish (at most --avslut-s)
        options: dict[str, Any] = {
            "app": "fcatlas.web.app:create_served_app", "factory": True, "host": host, "port": port, "access_log": False,
            "log_level": "warning", "timeout_graceful_shutdown": grace, "proxy_headers": bool(trusted),
            "forwarded_allow_ips": trusted or None}
        if serve_workers.balanced(workers):  # each worker on a socket of its own: connections spread out
            taken = serve_workers.port_taken(host, port)
            if taken:
                raise ConfigError(taken)
            _announce_when_answering(host, port)
            raise typer.Exit(serve_workers.serve(options, workers))
        _announce_when_answering(host, port)
        uvicorn.run(**options, workers=workers)
