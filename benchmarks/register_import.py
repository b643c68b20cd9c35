"""Benchmark: import a synthetic national register of ~2,000 units into SQLite.

Generates a file shaped like a region's list (semicolon CSV, Swedish headers): units spread over
all 290 kommuner, a third with WGS 84 coordinates, a third with SWEREF 99 TM, a third with only a
postal code (placed from GeoNames when ``--postnummer`` is given, else at the kommun point).
Then times: reading + validating, storing (one transaction), and re-importing (no changes).

Second part (issue 9): ``--en-kommun N`` rows (default 20,000) all in one kommun (Stockholm),
imported into an empty database — the likely-duplicate check compares names within a kommun and
must not grow with the square of the units. Target: under 20 s.

    .venv/bin/python benchmarks/register_import.py [--units 2000] [--en-kommun 20000] [--postnummer DIR]
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


_SYLLABLES = (
    "ab", "al", "an", "ar", "ás", "back", "berg", "bo", "by", "dal", "ek", "en", "er", "fors", "fred", "gran",
    "gård", "hag", "hed", "holm", "hus", "il", "in", "is", "kil", "kro", "la", "lid", "lin", "lund", "ma",
    "mark", "mo", "myr", "näs", "or", "os", "ra", "ren", "ri", "rud", "sand", "sjö", "skog", "sta", "sten",
    "strand", "sund", "sä", "tor", "torp", "ud", "ul", "vall", "ve", "vik", "vret", "å", "ås", "ö",
)


def one_kommun_file(path: Path, n: int, kommun: str = "0180", seed: int = 9) -> Path:
    """``n`` units in one kommun: made-up place names, a third with coordinates, the rest at the
    kommun point or a postal code."""
    rng = random.Random(seed)
    k = admin.kommuner().set_index("kommun_code")
    row = k.loc[kommun]
    geom = row.geometry
    minx, miny, maxx, maxy = geom.bounds
    lines = [HEADER]
    for i in range(n):
        name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        a = b = ""
        if i % 3 == 0:
            while True:
                x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
                if shapely.contains_xy(geom, x, y):
                    break
            lat, lon = to_wgs84(x, y)
            a, b = f"{lat:.7f}", f"{lon:.7f}"
        lines.append(";".join([f"Familjecentralen {name} {i}", row.kommun_name, kommun, "ja", "ja", "ja", "ja", "ja",
                               "i drift", a, b, "", "syntetisk"]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bench_one_kommun(n: int, geo: Geocoder) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        f = one_kommun_file(tmpd / "stockholm_2026.csv", n)
        reg = Register.open(f"sqlite:///{tmpd / 'one.sqlite'}")
        t0 = time.perf_counter()
        res = reg.import_file(f, round=2026, user="benchmark", geocoder=geo)
        t_all = time.perf_counter() - t0
        reg.close()
    dup = sum(p.severity == "varning" and "dubblett" in p.reason for p in res.problems)
    print(f"en kommun, {n:,} rader:        {t_all:6.2f} s  (mål < 20 s; {res.n_new:,} nya, "
          f"{res.n_rejected} avvisade, {dup} möjliga dubbletter)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--units", type=int, default=2000)
    ap.add_argument("--postnummer", type=Path, default=None)
    ap.add_argument("--en-kommun", type=int, default=20000, help="rader i en kommun (0 = hoppa över)")
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
    if args.en_kommun:
        bench_one_kommun(args.en_kommun, geo)


if __name__ == "__main__":
    main()
