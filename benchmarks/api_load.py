"""Benchmark: the web service under load (not a test).

Starts a private PostgreSQL server (Debian's binaries, as the test suite does) unless ``--db`` is
given, builds a bundle from ``../shared/data``, imports and publishes Dalarna's list, starts
``fcatlas serve`` with 2 workers, warms it, then runs N concurrent clients for S seconds over a
read mix — units of a län, areas GeoJSON of a län, atlas summary, similar areas — with 5 % changes:
the region's own list read with its token, then a PATCH of a unit (with If-Match; a 412 on a race is
a correct answer, not an error), each request timed on its own. Prints requests/s
and p50/p95/p99 per endpoint and the number of errors (5xx, transport errors, unexpected 4xx),
the CPU time the server's workers and the load generator used, and the server's own time per
route from its access log (the rest of a client's time is waiting to be read or answered).

The load generator is a lean asyncio HTTP/1.1 client (one kept-alive connection per simulated
user, answers not decompressed) so that it takes little of the cores it shares with the server;
``--client httpx`` uses httpx instead. By default it runs 10, 25 and 50 clients one after the
other (the goal is stated for 50).

    .venv/bin/python benchmarks/api_load.py [--clients 10,25,50] [--seconds 30] [--client raw|httpx]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import glob
import json
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
from collections.abc import Awaitable, Callable
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
            rounds.open_round(s, actor=nat, name=2026, deadline=dt.date.today() + dt.timedelta(days=300))  # a deadline still ahead
            rounds.submit(s, actor=Actor.region_user("f", lan_code="20", level=Level.FORETRADARE), name=2026, lan="20")
            rounds.approve(s, actor=nat, name=2026, lan="20")
            rounds.publish(s, actor=nat, name=2026)
            # the next round opened: the public sees 2026, Dalarna's list is a draft again that the
            # PATCHes may change (an approved list refuses them: 409)
            rounds.close_round(s, actor=nat, name=2026)
            rounds.open_round(s, actor=nat, name=2027, deadline=dt.date.today() + dt.timedelta(days=300))
            store.add_user(s, actor=nat, email="h20@bench.invalid", password="ett långt lösenord", role="region",
                           lan_code="20", level="handlaggare")
            token = store.create_token(s, actor=nat, email="h20@bench.invalid", days=1)[0]
    return bundle, token


class RawClient:
    """A lean HTTP/1.1 client: one kept-alive connection per simulated user, requests written and
    answers read with asyncio streams (no pooling logic, no decompression, no cookie jar), so that
    the load generator takes little of the two cores it shares with the server."""

    label = "rå asyncio-HTTP/1.1, en beständig anslutning (keep-alive) per klient, ingen dekomprimering"

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                      body: bytes | None = None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body is not None:
            head.append(f"Content-Length: {len(body)}")
        try:
            self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + (body or b""))
            raw = await self.reader.readuntil(b"\r\n\r\n")
            status = int(raw[9:12])
            fields = {}
            for line in raw.decode("latin-1").split("\r\n")[1:]:
                name, _, value = line.partition(":")
                fields[name.strip().lower()] = value.strip()
            if fields.get("transfer-encoding", "").lower() == "chunked":
                parts = []
                while True:
                    size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    parts.append(await self.reader.readexactly(size + 2))
                    if size == 0:
                        break
                content = b"".join(p[:-2] for p in parts)
            else:
                content = await self.reader.readexactly(int(fields.get("content-length", "0")))
            if fields.get("connection", "").lower() == "close":
                await self.close()
            return status, content
        except (OSError, asyncio.IncompleteReadError, ValueError):
            await self.close()
            raise

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


class HttpxClient:
    """The same with httpx (one AsyncClient per simulated user, HTTP/1.1 keep-alive)."""

    label = "httpx.AsyncClient, HTTP/1.1 keep-alive, en anslutning per klient"

    def __init__(self, host: str, port: int) -> None:
        self.client = httpx.AsyncClient(base_url=f"http://{host}:{port}", timeout=30,
                                        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1))

    async def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                      body: bytes | None = None) -> tuple[int, bytes]:
        r = await self.client.request(method, path, headers=headers, content=body)
        return r.status_code, r.content

    async def close(self) -> None:
        await self.client.aclose()


async def run_load(host: str, port: int, token: str, clients: int, seconds: float,
                   kind: type[RawClient] | type[HttpxClient]) -> tuple[dict[str, list[float]], list[str]]:
    times: dict[str, list[float]] = {}
    errors: list[str] = []
    auth = {"Authorization": f"Bearer {token}"}
    first = kind(host, port)
    units = json.loads((await first.request("GET", "/api/v1/units?lan=20", auth))[1])["items"]
    gaps = json.loads((await first.request("GET", "/api/v1/gaps?lan=20"))[1])["items"]
    await first.close()
    regsos = [g["regso_code"] for g in gaps] or ["2081R004"]
    reads = [("units", "/api/v1/units?lan=20"), ("areas", "/api/v1/areas?lan=20&format=geojson"),
             ("summary", "/api/v1/atlas/summary?lan=20"), ("similar", None)]
    gz = {"Accept-Encoding": "gzip"}
    end = time.monotonic() + seconds
    stale = [0, 0]  # the PATCHes saved, and those that lost a race (412)

    async def one(i: int) -> None:
        rnd = random.Random(i)
        c = kind(host, port)
        try:
            while time.monotonic() < end:
                t0 = time.perf_counter()
                try:
                    if rnd.random() < 0.05:
                        # a change: the region's own list read with its token (to learn the version),
                        # then the PATCH; each request is timed on its own, as every other request
                        u = rnd.choice(units)
                        name = "units_inloggad"
                        status, body = await c.request("GET", "/api/v1/units?lan=20", auth)
                        times.setdefault(name, []).append(time.perf_counter() - t0)
                        if status != 200:
                            errors.append(f"{name} {status}: {body[:200]!r}")
                            continue
                        ver = next(x["version"] for x in json.loads(body)["items"] if x["id"] == u["id"])
                        note = json.dumps({"note": f"last {i} {rnd.random():.6f}"}).encode()
                        name, t0 = "patch", time.perf_counter()
                        status, _ = await c.request("PATCH", f"/api/v1/units/{u['id']}",
                                                    {**auth, "If-Match": f'"{ver}"', "Content-Type": "application/json"},
                                                    note)
                        ok = status in (200, 412)
                        stale[status == 412] += 1
                    else:
                        name, url = rnd.choice(reads)
                        url = url or f"/api/v1/areas/{rnd.choice(regsos)}/similar?k=5"
                        status, _ = await c.request("GET", url, gz)
                        ok = status == 200
                except (OSError, asyncio.IncompleteReadError, ValueError, httpx.TransportError) as exc:
                    status, ok = 0, False
                    errors.append(f"{name} {type(exc).__name__}")
                times.setdefault(name, []).append(time.perf_counter() - t0)
                if not ok and status:
                    errors.append(f"{name} {status}")
        finally:
            await c.close()

    await asyncio.gather(*(one(i) for i in range(clients)))
    times["_ändringar"] = [float(n) for n in stale]
    return times, errors


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of ``pid``'s children and grandchildren: the server's workers."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def machine_cpu() -> tuple[int, int]:
    """The machine's CPU time so far, all cores (``/proc/stat``, in ticks): (busy, all)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and waiting for I/O
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal
    return total - idle, total


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    """How busy all the machine's cores were between two :func:`machine_cpu` readings (0–1)."""
    return (after[0] - before[0]) / max(1, after[1] - before[1])


def report(clients: int, seconds: float, workers: int, times: dict[str, list[float]], errors: list[str],
           client_cpu: float, server_cpu: float, load: float, machine_busy: float | None = None) -> None:
    saved, lost = times.pop("_ändringar", [0.0, 0.0])
    total = sum(len(v) for v in times.values())
    print(f"\n{clients} klienter i {seconds:.0f} s mot {workers} arbetsprocesser på PostgreSQL "
          f"(maskinens belastning före: {load:.1f})")
    print(f"{'slutpunkt':<10}{'antal':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for name, v in sorted(times.items()):
        q = statistics.quantiles([x * 1000 for x in v], n=100) if len(v) > 1 else [v[0] * 1000] * 99
        print(f"{name:<10}{len(v):>8}{q[49]:>10.1f}{q[94]:>10.1f}{q[98]:>10.1f}")
    allq = statistics.quantiles([x * 1000 for v in times.values() for x in v], n=100)
    print(f"{'alla':<10}{total:>8}{allq[49]:>10.1f}{allq[94]:>10.1f}{allq[98]:>10.1f}")
    if errors:
        print("Fel:", ", ".join(sorted(set(errors))[:10]))
    print(f"anrop/s: {total / seconds:.0f}   fel: {len(errors)}   mål: p95 < 100 ms, 0 fel")
    print(f"ändringar: {saved:.0f} sparade, {lost:.0f} med 412 (någon annan hann före: rätt svar, inget fel)")
    print(f"CPU: servern {server_cpu:.1f} s ({server_cpu / seconds * 100:.0f} % av en kärna), "
          f"lastklienten {client_cpu:.1f} s ({client_cpu / seconds * 100:.0f} %)"
          + (f"; maskinens kärnor upptagna till {machine_busy * 100:.0f} % (100 %: mättad, tiden blir kö)"
             if machine_busy is not None else ""))


def server_view(log: Path, start: int) -> None:
    """The server's own time per request (the access log's ``ms``: from the first middleware until
    the answer is sent) for the lines written from byte ``start``: queueing in the operating
    system and the event loop before that is not in it, so the difference to the client's figures
    is time spent waiting to be read or written."""
    if not log.exists():
        return
    with log.open("rb") as f:
        f.seek(start)
        lines = f.read().decode("utf-8").splitlines()
    groups: dict[str, list[float]] = {}
    for line in lines:
        rec = json.loads(line)
        path = rec["sokvag"]
        name = f"{rec['metod']} " + ("/api/v1/units/{id}" if path.startswith("/api/v1/units/") else
                                     "/api/v1/areas/{regso}/similar" if path.endswith("/similar") else path)
        if rec["metod"] in ("GET", "HEAD"):  # the public's reads apart from the logged-in ones
            name += " (inloggad)" if rec.get("inloggad") else ""
        groups.setdefault(name, []).append(rec["ms"])
        if rec["metod"] not in ("GET", "HEAD"):  # a write's refusals (412, 409) apart from its successes
            groups.setdefault(f"{name} {rec['status']}", []).append(rec["ms"])
    print("serverns egen tid (åtkomstloggen):")
    for name, v in sorted(groups.items()):
        q = statistics.quantiles(v, n=100) if len(v) > 1 else [v[0]] * 99
        print(f"  {name:<40}{len(v):>8}{q[49]:>10.1f}{q[94]:>10.1f}{q[98]:>10.1f}")


def measure_steps(args: argparse.Namespace, server_pid: int, log: Path,
                  mix: Callable[[int], Awaitable[tuple[dict[str, list[float]], list[str]]]]) -> None:
    """Each number of clients in ``args.clients``, one after the other: ``mix(clients)`` run, then
    the client's figures, the CPU of both sides and the server's own time (its access log)."""
    for clients in (int(c) for c in str(args.clients).split(",")):
        load = os.getloadavg()[0]
        cpu0, srv0, machine0 = time.process_time(), cpu_seconds(server_pid), machine_cpu()
        logged = log.stat().st_size if log.exists() else 0
        times, errors = asyncio.run(mix(clients))
        report(clients, args.seconds, args.workers, times, errors, time.process_time() - cpu0,
               cpu_seconds(server_pid) - srv0, load, busy_share(machine0, machine_cpu()))
        server_view(log, logged)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="PostgreSQL-URL (standard: en egen tillfällig server)")
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    ap.add_argument("--clients", default="10,25,50",
                    help="antal samtidiga klienter; flera kommaseparerade körs efter varandra (standard 10,25,50)")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--client", choices=("raw", "httpx"), default="raw", help="lastklienten (standard: raw)")
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
        t0 = time.perf_counter()
        for _ in range(600):
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        print(f"servern svarar {time.perf_counter() - t0:.1f} s efter start (cacharna fylls före första anropet)")
        t0 = time.perf_counter()
        for _ in range(args.workers * 3):  # each worker's answer caches (the atlas itself is warmed at start)
            for url in ("/api/v1/atlas/summary?lan=20", "/api/v1/areas?lan=20", "/api/v1/gaps?lan=20"):
                httpx.get(base + url, timeout=120)
        print(f"uppvärmning: {time.perf_counter() - t0:.1f} s")
        kind = RawClient if args.client == "raw" else HttpxClient
        print(f"lastklient: {kind.label}")
        measure_steps(args, proc.pid, work / "access.jsonl",
                      lambda clients: run_load("127.0.0.1", port, token, clients, args.seconds, kind))
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        if stop is not None:
            stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
