"""Benchmark: import a synthetic national register of ~2,000 units into SQLite.

Generates a file shaped like a region's list (semicolon CSV, Swedish headers): units spread over
all 290 kommuner, a third with WGS 84 coordinates, a third with SWEREF 99 TM, a third with only a
postal code (placed from GeoNames when ``--postnummer`` is given, else at the kommun point).
Then times: reading + validating, storing (one transaction), and re-importing (no changes).

    .venv/bin/python benchmarks/register_import.py [--units 2000] [--postnummer ../shared/data/postnummer]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import shapely

from fcatlas.geography import admin
from fcatlas.register import intake
from fcatlas.register.geocode import Geocoder, to_wgs84
from fcatlas.register.store import Register

HEADER = ("Namn;Kommun;Kommunkod;MVC;BVC;Öppen förskola;Socialtjänst;Samlokaliserad;Status;Latitud;Longitud;"
          "Postnummer;Anmärkning")


def synthetic_file(path: Path, n: int, seed: int = 2026, postcodes: dict[str, list[str]] | None = None) -> Path:
    """``postcodes``: kommun code -> real postal codes to draw from (else random five digits)."""
    rng = random.Random(seed)
    k = admin.kommuner()
    lines = [HEADER]
    for i in range(n):
        row = k.iloc[i % len(k)]
        geom = row.geometry
        minx, miny, maxx, maxy = geom.bounds
        while True:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if shapely.contains_xy(geom, x, y):
                break
        services = ["ja"] * 4 if rng.random() < 0.7 else [rng.choice(["ja", "nej"]) for _ in range(3)] + ["ja"]
        services[1] = "ja"
        co = "ja" if rng.random() < 0.9 else "nej"
        status = rng.choice(["i drift"] * 8 + ["planerad", "avsiktsförklaring"])
        mode = i % 3
        if mode == 0:
            lat, lon = to_wgs84(x, y)
            a, b, pc = f"{lat:.7f}", f"{lon:.7f}", ""
        elif mode == 1:
            a, b, pc = f"{y:.1f}", f"{x:.1f}", ""
        else:
            real = (postcodes or {}).get(row.kommun_code)
            code = rng.choice(real) if real else f"{rng.randint(100, 985)}{rng.randint(0, 99):02d}"
            a, b, pc = "", "", f"{code[:3]} {code[3:]}"
        lines.append(";".join([f"Familjecentral {i:04d}", row.kommun_name, row.kommun_code, *services, co, status,
                               a, b, pc, "syntetisk"]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--units", type=int, default=2000)
    ap.add_argument("--postnummer", type=Path, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        t0 = time.perf_counter()
        geo = Geocoder.from_path(args.postnummer)
        t_geo = time.perf_counter() - t0
        real: dict[str, list[str]] = {}
        if args.postnummer:
            from fcatlas.geography.sources.postcodes import find_postcode_files, read_geonames

            se = read_geonames(find_postcode_files(args.postnummer)[0])
            for code, kommun in zip(se["postal_code"], se["kommun_code"], strict=True):
                if kommun:
                    real.setdefault(kommun, []).append(code)
        t0 = time.perf_counter()
        f = synthetic_file(tmpd / "nationell_2026.csv", args.units, postcodes=real)
        t_gen = time.perf_counter() - t0
        t0 = time.perf_counter()
        sub = intake.parse_submission(f, geo)
        t_parse = time.perf_counter() - t0
        reg = Register.open(f"sqlite:///{tmpd / 'bench.sqlite'}")
        t0 = time.perf_counter()
        res = reg.store_submission(sub, 2026, "benchmark")
        t_store = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = reg.import_file(f, round=2026, user="benchmark", geocoder=geo)
        t_again = time.perf_counter() - t0
        t0 = time.perf_counter()
        df = reg.list_units()
        t_list = time.perf_counter() - t0
        reg.close()
    precision = df["precision"].value_counts().to_dict()
    print(f"enheter i filen:             {args.units}")
    print(f"godkända / avvisade:         {res.n_accepted} / {res.n_rejected}")
    print(f"läge (precision):            {precision}")
    print(f"varningar (t.ex. dubbletter): {sum(p.severity == 'varning' for p in res.problems)}")
    print(f"generera fil:                {t_gen:6.2f} s")
    print(f"läsa postnummerfil:          {t_geo:6.2f} s")
    print(f"läsa + validera:             {t_parse:6.2f} s  ({args.units / t_parse:,.0f} rader/s)")
    print(f"spara (en transaktion):      {t_store:6.2f} s  ({res.n_new:,} nya)")
    print(f"importera igen (oförändrad): {t_again:6.2f} s  ({again.n_unchanged:,} oförändrade, {again.n_changed} ändrade)")
    print(f"list_units():                {t_list:6.2f} s  ({len(df):,} rader)")


if __name__ == "__main__":
    main()
