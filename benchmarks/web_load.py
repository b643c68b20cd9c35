"""Benchmark: the web service as people use it (issue 24; not a test).

As ``api_load.py`` (a private PostgreSQL server unless ``--db``, a bundle from ``../shared/data``,
Dalarna's list published in round 2026 and a draft again in the open round 2027, ``fcatlas serve``
with 2 workers), N users (10, 25, 50 one after the other) run a mix for S seconds each:

* 70 %: public pages and API reads, anonymous — ``/?lan=20``, ``/tabell?lan=20``, the units, the
  atlas summary and the areas of Dalarna;
* 15 %: logged in as Region Dalarna's handläggare — the region's page ``/region`` (login-session
  cookie) or the region's own unit list (Bearer token); with ``--inloggade-sidor`` 40 % of these
  are the region's own map and table pages (``/?lan=20``, ``/tabell?lan=20`` with the cookie: the
  draft picture, whose atlas is computed again after each change of the draft);
* 15 %: a PATCH of a unit's note in the open round (the version read from the region's list
  first, that read counted as a logged-in read; a 412 on a race is a correct answer).

Prints the client's p50/p95/p99 per request kind and the server's own time per route from its
access log (``ms``: from the first middleware until the answer is sent; a route's reads that
carried a login apart, marked ``(inloggad)``), the number of errors, and how long after its start
the server answered.

    .venv/bin/python benchmarks/web_load.py [--clients 10,25,50] [--seconds 20] [--inloggade-sidor]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_load import RawClient, free_port, measure_steps, prepare, start_postgres  # noqa: E402

PUBLIC = [("sida /", "/?lan=20"), ("sida /tabell", "/tabell?lan=20"), ("api units", "/api/v1/units?lan=20"),
          ("api summary", "/api/v1/atlas/summary?lan=20"), ("api areas", "/api/v1/areas?lan=20&format=geojson")]


def page_session(db: str) -> str:
    """A login session of the pages for Region Dalarna's handläggare: the cookie."""
    from fcatlas.accounts import store
    from fcatlas.db import connect, unit_of_work

    engine = connect(db)
    with unit_of_work(engine) as s:
        sid, _ = store.start_session(s, actor=store.actor_of(store._get(s, "h20@bench.invalid")))
    engine.dispose()
    return f"fcatlas_session={sid}"


#: the logged-in pages of ``--inloggade-sidor``: the region's own map and table (its draft picture)
LOGGED_IN_PAGES = [("inloggad sida /?lan=20", "/?lan=20"), ("inloggad sida /tabell", "/tabell?lan=20")]


async def run_mix(port: int, token: str, cookie: str, clients: int, seconds: float,
                  pages: bool = False) -> tuple[dict[str, list[float]], list[str]]:
    times: dict[str, list[float]] = {}
    errors: list[str] = []
    auth = {"Authorization": f"Bearer {token}"}
    first = RawClient("127.0.0.1", port)
    units = json.loads((await first.request("GET", "/api/v1/units?lan=20", auth))[1])["items"]
    await first.close()
    end = time.monotonic() + seconds
    stale = [0, 0]

    async def timed(c: RawClient, name: str, method: str, url: str, headers: dict[str, str],
                    body: bytes | None = None, ok: tuple[int, ...] = (200,)) -> tuple[int, bytes]:
        t0 = time.perf_counter()
        try:
            status, content = await c.request(method, url, headers, body)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            errors.append(f"{name} {type(exc).__name__}")
            status, content = 0, b""
        times.setdefault(name, []).append(time.perf_counter() - t0)
        if status and status not in ok:
            errors.append(f"{name} {status}")
        return status, content

    async def one(i: int) -> None:
        rnd = random.Random(i)
        c = RawClient("127.0.0.1", port)
        try:
            while time.monotonic() < end:
                x = rnd.random()
                if x < 0.70:
                    name, url = rnd.choice(PUBLIC)
                    await timed(c, name, "GET", url, {"Accept-Encoding": "gzip"})
                elif x < 0.85:
                    if pages and rnd.random() < 0.4:
                        name, url = rnd.choice(LOGGED_IN_PAGES)
                        await timed(c, name, "GET", url, {"Cookie": cookie})
                    elif rnd.random() < 0.5:
                        await timed(c, "inloggad sida /region", "GET", "/region", {"Cookie": cookie})
                    else:
                        await timed(c, "inloggad api units", "GET", "/api/v1/units?lan=20", auth)
                else:
                    u = rnd.choice(units)
                    status, body = await timed(c, "inloggad api units", "GET", "/api/v1/units?lan=20", auth)
                    if status != 200:
                        continue
                    ver = next(x["version"] for x in json.loads(body)["items"] if x["id"] == u["id"])
                    note = json.dumps({"note": f"last {i} {rnd.random():.6f}"}).encode()
                    status, _ = await timed(c, "patch", "PATCH", f"/api/v1/units/{u['id']}",
                                            {**auth, "If-Match": f'"{ver}"', "Content-Type": "application/json"},
                                            note, ok=(200, 412))
                    if status in (200, 412):
                        stale[status == 412] += 1
        finally:
            await c.close()

    await asyncio.gather(*(one(i) for i in range(clients)))
    times["_ändringar"] = [float(n) for n in stale]
    return times, errors


def start_server(db: str, bundle: Path, work: Path, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "fcatlas.cli", "serve", "--db", db, "--bundle", str(bundle),
                             "--port", str(port), "--workers", str(workers), "--access-log", str(work / "access.jsonl")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            break
        except httpx.TransportError:
            assert proc.poll() is None and time.perf_counter() - t0 < 300, "servern startade inte"
            time.sleep(0.05)
    print(f"servern svarar {time.perf_counter() - t0:.1f} s efter start (cacharna fylls i bakgrunden)")
    return proc, port


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="PostgreSQL-URL (standard: en egen tillfällig server)")
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    ap.add_argument("--clients", default="10,25,50")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--inloggade-sidor", action="store_true",
                    help="låt 40 %% av de inloggade läsningarna vara regionens karta och tabell (utkastets bild)")
    args = ap.parse_args()
    db, stop = (args.db, None) if args.db else start_postgres()
    work = Path(tempfile.mkdtemp(prefix="fcatlas-webload-"))
    proc = None
    try:
        bundle, token = prepare(db, args.data, work)
        cookie = page_session(db)
        proc, port = start_server(db, bundle, work, args.workers)
        time.sleep(3)  # the background warm-up, as a server that has just started answers meanwhile
        measure_steps(args, proc.pid, work / "access.jsonl",
                      lambda clients: run_mix(port, token, cookie, clients, args.seconds, args.inloggade_sidor))
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        if stop is not None:
            stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
