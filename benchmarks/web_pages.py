"""Benchmark: the web pages against a local uvicorn server on the real bundle.

Builds the bundle from ``../shared/data`` (or uses ``--bundle``), imports and publishes Region
Dalarna's list, starts ``uvicorn`` and measures, with Debian's chromium through Playwright:

* the start page's *interactive time* for a län (navigation start → the map has drawn the units
  and the RegSO layer: ``#karta[data-klar='1']``), cold and warm (second visit, ETag/caches);
* the size on the wire of the area layer of every län that has RegSO boundaries
  (``GET /api/v1/areas?lan=…&format=geojson`` with ``Accept-Encoding: gzip``), and its raw size.

Targets (issue 12): interactive < 1.5 s; area layer of a län < 1 MB on the wire.

Usage::

    .venv/bin/python benchmarks/web_pages.py [--bundle PAKET] [--lan 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", type=Path, default=None)
    ap.add_argument("--lan", default="20")
    args = ap.parse_args(argv)
    import httpx
    from playwright.sync_api import sync_playwright

    from fcatlas.accounts.roles import Actor, Level
    from fcatlas.db import connect, unit_of_work
    from fcatlas.geography.bundle import Bundle
    from fcatlas.register.store import Register
    from fcatlas.services import rounds

    with tempfile.TemporaryDirectory(prefix="fcatlas-webb-") as tmp:
        work = Path(tmp)
        bundle_path = args.bundle
        if bundle_path is None:
            from fcatlas.geography.build import build_bundle

            t = time.perf_counter()
            bundle_path = work / "paket"
            build_bundle(ROOT.parent / "shared" / "data", bundle_path)
            print(f"datapaket byggt på {time.perf_counter() - t:.1f} s")
        bundle = Bundle.open(bundle_path)
        url = f"sqlite:///{work / 'fcatlas.sqlite'}"
        nat = Actor.national("bench")
        engine = connect(url)
        with unit_of_work(engine) as s:
            rounds.open_round(s, actor=nat, name=2027, deadline=dt.date(2027, 10, 31))
        with Register.open(url) as reg:
            reg.import_file(ROOT.parent / "shared" / "data" / "familjecentraler" / "dalarna_2026.csv",
                            round=2027, user="bench")
        with unit_of_work(engine) as s:
            rounds.submit(s, actor=Actor.region_user("f", lan_code="20", level=Level.FORETRADARE), name=2027, lan="20")
            rounds.approve(s, actor=nat, name=2027, lan="20")
            rounds.publish(s, actor=nat, name=2027)
        engine.dispose()
        port = _port()
        env = {**os.environ, "FCATLAS_DB": url, "FCATLAS_BUNDLE": str(bundle_path), "FCATLAS_OFFLINE": "1",
               "FCATLAS_ACCESS_LOG": str(work / "log.jsonl"), "FCATLAS_NODE_MODULES": str(ROOT / "node_modules")}
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "fcatlas.web.app:create_app", "--factory",
                                 "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=work,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            while True:
                try:
                    httpx.get(base + "/healthz", timeout=2)
                    break
                except httpx.TransportError:
                    time.sleep(0.3)
            print(f"servern svarar {time.perf_counter() - started:.1f} s efter start "
                  f"(atlasen och områdeslagren beräknas före första anropet; FCATLAS_VARM=0 stänger av det)")
            print("Områdeslagret per län (GeoJSON, gzip på tråden / okomprimerat):")
            lans = bundle.manifest.get("geometry", {}).get("lan_with_regso_geometry") or [args.lan]
            worst = 0
            for lan in lans:
                with httpx.stream("GET", f"{base}/api/v1/areas?lan={lan}&format=geojson",
                                  headers={"Accept-Encoding": "gzip"}, timeout=120) as r:
                    raw = r.read()
                    wire = r.num_bytes_downloaded
                    etag = r.headers.get("etag")
                worst = max(worst, wire)
                again = httpx.get(f"{base}/api/v1/areas?lan={lan}&format=geojson",
                                  headers={"If-None-Match": etag or ""}) if etag else None
                print(f"  län {lan}: {wire / 1024:7.1f} kB på tråden, {len(raw) / 1024:8.1f} kB okomprimerat, "
                      f"ETag {'ja' if etag else 'nej'}{', 304 vid omfrågan' if again is not None and again.status_code == 304 else ''}")
            print(f"  största: {worst / 1024:.1f} kB (mål < 1 024 kB)")
            with sync_playwright() as p:
                b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = b.new_page(viewport={"width": 1280, "height": 900})
                log = work / "log.jsonl"
                for label in ("kall", "varm", "varm"):
                    seen = len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0
                    t = time.perf_counter()
                    page.goto(f"{base}/?lan={args.lan}")
                    page.wait_for_selector("#karta[data-klar='1']", timeout=60000)
                    ms = (time.perf_counter() - t) * 1000
                    nav = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
                    print(f"Startsidan för län {args.lan} ({label}): kartan klar efter {ms:.0f} ms "
                          f"(DOMContentLoaded {nav:.0f} ms; mål < 1 500 ms)")
                    lines = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()[seen:]]
                    print("  serverns tid per anrop (åtkomstloggen): " + ", ".join(
                        f"{x['sokvag']} {x['status']} {x['ms']:.0f} ms" for x in lines))
                t = time.perf_counter()
                page.goto(base + "/")
                page.wait_for_selector("#karta[data-klar='1']", timeout=60000)
                print(f"Startsidan utan filter (hela Sverige): kartan klar efter {(time.perf_counter() - t) * 1000:.0f} ms")
                b.close()
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
