"""Benchmark: the web service under load (not a test).

Starts a private PostgreSQL server (Debian's binaries, as the test suite does) unless ``--db`` is
given, builds a bundle from ``../shared/data``, imports and publishes Dalarna's list, starts
``fcatlas serve`` with 2 workers, warms it, then runs N concurrent clients for S seconds over a
read mix — units of a län, areas GeoJSON of a län, atlas summary, similar areas — with 5 % PATCH
of a unit (with If-Match; a 412 on a race is a correct answer, not an error). Prints requests/s
and p50/p95/p99 per endpoint and the number of errors (5xx, transport errors, unexpected 4xx).

    .venv/bin/python benchmarks/api_load.py [--clients 50] [--seconds 30] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import glob
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in cmd)]
    return cmd


def start_postgres() -> tuple[str, callable]:  # type: ignore[valid-type]
    bindir = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="fcatlas-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    port = free_port()
    subprocess.run(as_postgres([str(bindir / "initdb"), "-D", str(base / "data"), "-U", "postgres", "--auth=trust",
                                "-E", "UTF8", "--locale=C.UTF-8"]), check=True, capture_output=True)
    subprocess.run(as_postgres([str(bindir / "pg_ctl"), "-D", str(base / "data"), "-l", str(base / "log"), "-o",
                                f"-p {port} -k {base} -c listen_addresses=127.0.0.1", "-w", "start"]),
                   check=True, capture_output=True)
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True) as c:
        c.execute("CREATE DATABASE fcatlas_bench")

    def stop() -> None:
        subprocess.run(as_postgres([str(bindir / "pg_ctl"), "-D", str(base / "data"), "-m", "fast", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)

    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/fcatlas_bench", stop


def prepare(db: str, data: Path, work: Path) -> tuple[Path, str]:
    from fcatlas.accounts import store
    from fcatlas.accounts.roles import Actor, Level
    from fcatlas.db import unit_of_work
    from fcatlas.geography.build import build_bundle
    from fcatlas.register.store import Register
    from fcatlas.services import rounds

    bundle = work / "paket"
    build_bundle(data, bundle)
    nat = Actor.national("bench")
    with Register.open(db) as reg:
        reg.import_file(data / "familjecentraler" / "dalarna_2026.csv", round=2026, user="bench")
        with unit_of_work(reg.engine) as s:
            rounds.open_round(s, actor=nat, name=2026, deadline=dt.date(2026, 10, 31))
            rounds.submit(s, actor=Actor.region_user("f", lan_code="20", level=Level.FORETRADARE), name=2026, lan="20")
            rounds.approve(s, actor=nat, name=2026, lan="20")
            rounds.publish(s, actor=nat, name=2026)
            store.add_user(s, actor=nat, email="h20@bench.invalid", password="ett långt lösenord", role="region",
                           lan_code="20", level="handlaggare")
            token = store.create_token(s, actor=nat, email="h20@bench.invalid", days=1)[0]
    return bundle, token


async def run_load(base: str, token: str, clients: int, seconds: float) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    errors: list[str] = []
    auth = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as c:
        units = (await c.get("/api/v1/units?lan=20", headers=auth)).json()["items"]
        gaps = (await c.get("/api/v1/gaps?lan=20")).json()["items"]
        regsos = [g["regso_code"] for g in gaps] or ["2081R004"]
        reads = [("units", "/api/v1/units?lan=20"), ("areas", "/api/v1/areas?lan=20&format=geojson"),
                 ("summary", "/api/v1/atlas/summary?lan=20"), ("similar", None)]
        end = time.monotonic() + seconds

        async def one(i: int) -> None:
            rnd = random.Random(i)
            while time.monotonic() < end:
                if rnd.random() < 0.05:
                    u = rnd.choice(units)
                    name, t0 = "patch", time.perf_counter()
                    cur = (await c.get("/api/v1/units?lan=20", headers=auth)).json()["items"]
                    ver = next(x["version"] for x in cur if x["id"] == u["id"])
                    r = await c.patch(f"/api/v1/units/{u['id']}", json={"note": f"last {i} {rnd.random():.6f}"},
                                      headers={**auth, "If-Match": f'"{ver}"'})
                    ok = r.status_code in (200, 412)
                else:
                    name, url = rnd.choice(reads)
                    url = url or f"/api/v1/areas/{rnd.choice(regsos)}/similar?k=5"
                    t0 = time.perf_counter()
                    r = await c.get(url, headers={"Accept-Encoding": "gzip"})
                    ok = r.status_code == 200
                times.setdefault(name, []).append(time.perf_counter() - t0)
                if not ok:
                    errors.append(f"{name} {r.status_code}")

        await asyncio.gather(*(one(i) for i in range(clients)))
    times["_errors"] = [float(len(errors))]
    if errors:
        print("Fel:", ", ".join(sorted(set(errors))[:10]))
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="PostgreSQL-URL (standard: en egen tillfällig server)")
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    stop = None
    db = args.db
    if db is None:
        db, stop = start_postgres()
    work = Path(tempfile.mkdtemp(prefix="fcatlas-bench-"))
    proc = None
    try:
        t0 = time.perf_counter()
        bundle, token = prepare(db, args.data, work)
        print(f"förberedelse (datapaket, Dalarnas lista, publicering): {time.perf_counter() - t0:.1f} s")
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "fcatlas.cli", "serve", "--db", db, "--bundle", str(bundle),
                                 "--port", str(port), "--workers", str(args.workers),
                                 "--access-log", str(work / "access.jsonl")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        t0 = time.perf_counter()
        for _ in range(args.workers * 3):  # each worker fills its own atlas cache
            for url in ("/api/v1/atlas/summary?lan=20", "/api/v1/areas?lan=20", "/api/v1/gaps?lan=20"):
                httpx.get(base + url, timeout=120)
        print(f"uppvärmning: {time.perf_counter() - t0:.1f} s")
        times = asyncio.run(run_load(base, token, args.clients, args.seconds))
        n_err = int(times.pop("_errors")[0])
        total = sum(len(v) for v in times.values())
        print(f"\n{args.clients} klienter i {args.seconds:.0f} s mot {args.workers} arbetsprocesser på PostgreSQL")
        print(f"{'slutpunkt':<10}{'antal':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
        for name, v in sorted(times.items()):
            q = statistics.quantiles([x * 1000 for x in v], n=100) if len(v) > 1 else [v[0] * 1000] * 99
            print(f"{name:<10}{len(v):>8}{q[49]:>10.1f}{q[94]:>10.1f}{q[98]:>10.1f}")
        allq = statistics.quantiles([x * 1000 for v in times.values() for x in v], n=100)
        print(f"{'alla':<10}{total:>8}{allq[49]:>10.1f}{allq[94]:>10.1f}{allq[98]:>10.1f}")
        print(f"\nanrop/s: {total / args.seconds:.0f}   fel: {n_err}   mål: p95 < 100 ms, 0 fel")
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        if stop is not None:
            stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
