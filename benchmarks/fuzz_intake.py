"""Benchmark (issue 9): hostile files through every intake, in this process.

Generates at least 10,000 crafted files — a valid file of each kind mutated by truncation, byte
flips, inserted control characters and NUL, mixed encodings, UTF-16, formula text, huge fields,
odd separators and quotes, superscript and other non-ASCII digits, absurd numbers and dates,
garbage and half-zipped "xlsx" files, and real workbooks with far-away cells — and runs each through
its intake:

* register: ``intake.read_table`` + ``parse_submission`` + ``Register.store_submission`` (SQLite);
* grant basis: ``grants.basis.read_basis_file``;
* grant reports: ``grants.followup.read_reports``;
* grant allocation (``report open``): ``grants.followup.read_allocation_file``;
* exclusion list: ``cli.exclusion.read_code_list`` (the face reads a list, the analysis never does).

Prints: files, tracebacks (an exception that is not one of fcatlas's Swedish errors; goal 0),
partial writes (a rejected register file that changed the database; goal 0) and the slowest file
(goal < 10 s).

    .venv/bin/python benchmarks/fuzz_intake.py [--files 10000] [--seed 9]
"""

from __future__ import annotations

import argparse
import collections
import random
import sqlite3
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from fcatlas.errors import FcatlasError

REGISTER = (
    "Namn;Kommun;Kommunkod;MVC;BVC;Öppen förskola;Socialtjänst;Samlokaliserad;Status;Statusdatum;Latitud;Longitud;"
    "Postnummer;Anmärkning\n"
    "Familjecentral Britsarvet;Falun;2080;ja;ja;ja;ja;ja;i drift;2024-01-01;60.6209423;15.6227411;;Läge känt\n"
    "Familjecentralen i Mora;Mora;2062;ja;ja;ja;ja;ja;planerad;2026;;;792 30;\n"
    "Öppna förskolan Väster;Borlänge;2081;nej;ja;ja;nej;ja;i drift;;6710000;480000;;SWEREF\n"
)
BASIS = "region_code;region_name;basis_children\n20;Region Dalarna;3400\n21;Region Gävleborg;4650\n18;Region Örebro län;2740\n"
REPORTS = (
    "Länskod;Region;År;Mottaget belopp (kr);Länssamordnare/processutvecklare (kr);Nya familjecentraler (kr);"
    "Vidareutveckling av befintliga familjecentraler (kr);Behovs- och lägesanalys (kr);Årsarbetskrafter;Roll;"
    "Familjecentraler (id i registret);Ej använt belopp att återbetala (kr);Redovisning;Inskickad datum\n"
    "18;Region Örebro län;2026;1500000;900000;0;300000;150000;1,0;Länssamordnare;;150000;Text;2027-01-20\n"
)
ALLOCATION = "region_code,total_sek\n20,1500000\n21,2000000\n18,815000\n"
CODES = "regso_code\n2080R001\n2080R002\n2062R001\n"

NASTY = [
    "\x00", "\x01", "\x1b[31m", "\r", "\t", "\u2028", "\ufeff", "\ufffe", "=HYPERLINK(\"http://x\")", "+1+1", "-2",
    "@SUM(A1)", "²", "³", "٣", "１２", "1e309", "-0", "NaN", "inf", "9" * 40, "0001-01-01", "2026-01-01T25:99",
    "9999-12-31", "\"", "\"\"\"", ";", ",", "\n", "Ã–rebro", "Örebro", "𝔉𝔞𝔪𝔦𝔩𝔧", "😀", " " * 5, "x" * 5000,
    "1 500 000,99", "1500000.99", "-1500000", "2^63", str(2**63), "DROP TABLE units;--", "../../etc/passwd",
]


def mutate(rng: random.Random, text: str) -> bytes:
    """One hostile variant of ``text``."""
    kind = rng.randrange(14)
    data = text.encode("utf-8")
    if not data:
        return rng.choice(NASTY).encode("utf-8")
    if kind == 0:  # truncated anywhere (mid-line, mid-character)
        return data[: rng.randrange(len(data) + 1)]
    if kind == 1:  # random byte flips
        b = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    if kind == 2:  # a nasty value in a random place
        pos = rng.randrange(len(text) + 1)
        return (text[:pos] + rng.choice(NASTY) + text[pos:]).encode("utf-8", "surrogatepass")
    if kind == 3:  # a nasty value replacing a random cell
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        sep = ";" if ";" in lines[0] else ","
        cells = lines[i].split(sep)
        cells[rng.randrange(len(cells))] = rng.choice(NASTY)
        lines[i] = sep.join(cells)
        return "\n".join(lines).encode("utf-8")
    if kind == 4:  # mixed encodings: one row in Windows-1252
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        head = "\n".join(lines[:i]).encode("utf-8")
        row = (lines[i] + " Väster").encode("cp1252", "replace")
        return head + b"\n" + row + b"\n" + "\n".join(lines[i + 1:]).encode("utf-8")
    if kind == 5:  # other encodings and byte-order marks
        enc = rng.choice(["utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1", "utf-32"])
        return text.encode(enc, "replace")
    if kind == 6:  # many columns, many rows, long lines
        lines = text.split("\n")
        lines[rng.randrange(len(lines))] += ";x" * rng.randint(100, 3000)
        return "\n".join(lines * rng.randint(1, 30)).encode("utf-8")
    if kind == 7:  # garbage
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 2000)))
    if kind == 8:  # something that starts like a zip / xlsx
        return b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(rng.randint(0, 500)))
    if kind == 9:  # empty-ish
        return rng.choice([b"", b"\xef\xbb\xbf", b"\n\n\n", b" ", b"\x00" * 100, b"\xff\xfe"])
    if kind == 10:  # different separators and line endings
        sep = rng.choice(["\t", "|", ",", ";;", " "])
        eol = rng.choice(["\r\n", "\r", "\r\r\n", "\n\n"])
        return text.replace(";", sep).replace("\n", eol).encode("utf-8")
    if kind == 11:  # unbalanced quotes
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        lines[i] = '"' + lines[i]
        return "\n".join(lines).encode("utf-8")
    if kind == 12 and not text.split("\n", 1)[0]:
        return data
    if kind == 12:  # duplicated or blank header cells
        lines = text.split("\n")
        sep = ";" if ";" in lines[0] else ","
        cells = lines[0].split(sep)
        j = rng.randrange(len(cells))
        cells.insert(j, rng.choice([cells[j], "", " ", cells[0].upper()]))
        lines[0] = sep.join(cells)
        return "\n".join(lines).encode("utf-8")
    # several mutations at once
    out = text
    for _ in range(3):
        out = mutate(rng, out).decode("utf-8", "replace")
    return out.encode("utf-8")


def xlsx_variant(rng: random.Random, path: Path, text: str) -> None:
    """A real workbook holding ``text``'s cells, sometimes with a far-away cell or formulas."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": rng.random() < 0.5})
    ws = wb.add_worksheet()
    sep = ";" if ";" in text.split("\n", 1)[0] else ","
    for i, line in enumerate(text.split("\n")):
        for j, v in enumerate(line.split(sep)):
            if rng.random() < 0.05:
                ws.write_formula(i, j, "=1/0")
            elif rng.random() < 0.05:
                ws.write(i, j, rng.choice(NASTY).replace("\x00", ""))
            else:
                ws.write(i, j, v)
    if rng.random() < 0.3:
        ws.write(rng.choice([1048575, 50000, 200]), rng.choice([16383, 3, 200]), "långt bort")
    wb.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=9)
    args = ap.parse_args()

    from fcatlas.cli.exclusion import read_code_list
    from fcatlas.grants.basis import read_basis_file
    from fcatlas.grants.followup import read_allocation_file, read_reports
    from fcatlas.register import intake
    from fcatlas.register.geocode import Geocoder
    from fcatlas.register.store import Register

    rng = random.Random(args.seed)
    geocoder = Geocoder()
    tracebacks: collections.Counter[str] = collections.Counter()
    examples: dict[str, str] = {}
    partial = accepted = refused = 0
    slowest = (0.0, "")
    per_kind: collections.Counter[str] = collections.Counter()
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        db = tmpd / "register.sqlite"
        reg = Register.open(f"sqlite:///{db}")

        def counts() -> tuple[int, ...]:
            with sqlite3.connect(db) as conn:
                return tuple(conn.execute(f"select count(*) from {t}").fetchone()[0]
                             for t in ("register_units", "register_round_units", "register_audit", "register_imports"))

        def register_intake(p: Path) -> None:
            nonlocal partial
            before = counts()
            try:
                sub = intake.parse_submission(intake.read_table(p), geocoder)
                reg.store_submission(sub, 2026, "fuzz")
            except FcatlasError:
                if counts() != before:
                    partial += 1
                raise

        intakes: list[tuple[str, str, str, Callable[[Path], object]]] = [
            ("register", REGISTER, ".csv", register_intake),
            ("basis", BASIS, ".csv", read_basis_file),
            ("reports", REPORTS, ".csv", read_reports),
            ("allocation", ALLOCATION, ".csv", read_allocation_file),
            ("codes", CODES, ".txt", read_code_list),
        ]
        t_start = time.perf_counter()
        for i in range(args.files):
            name, base, suffix, fn = intakes[i % len(intakes)]
            as_xlsx = name in ("register", "reports") and i % 50 < 2
            p = tmpd / f"{name}_{i}{'.xlsx' if as_xlsx else suffix}"
            if as_xlsx:
                xlsx_variant(rng, p, mutate(rng, base).decode("utf-8", "replace").replace("\x00", ""))
            else:
                p.write_bytes(mutate(rng, base))
            per_kind[name] += 1
            t0 = time.perf_counter()
            try:
                fn(p)
                accepted += 1
            except FcatlasError as exc:
                assert str(exc), "an error without a message"
                refused += 1
            except Exception as exc:  # a traceback a user would see
                key = f"{name}: {type(exc).__name__}: {str(exc)[:80]}"
                tracebacks[key] += 1
                examples.setdefault(key, traceback.format_exc(limit=3))
            took = time.perf_counter() - t0
            if took > slowest[0]:
                slowest = (took, p.name)
            p.unlink()
        total = time.perf_counter() - t_start
        reg.close()
    print(f"filer:               {sum(per_kind.values()):,} ({', '.join(f'{k} {v:,}' for k, v in per_kind.items())})")
    print(f"godtagna / avvisade: {accepted:,} / {refused:,} (med svenskt felmeddelande)")
    print(f"tracebacks:          {sum(tracebacks.values())} (mål 0)")
    for key, n in tracebacks.most_common(10):
        print(f"  {n:5d} × {key}\n{examples[key]}")
    print(f"delvisa skrivningar: {partial} (mål 0)")
    print(f"långsammaste fil:    {slowest[0]:.2f} s ({slowest[1]}; mål < 10 s)")
    print(f"total tid:           {total:.0f} s")


if __name__ == "__main__":
    main()
