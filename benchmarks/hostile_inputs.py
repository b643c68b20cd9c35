"""Benchmark (issue 21): what the outside probe's hostile files cost now.

* a CSV with 1,000,000 columns (9.9 MB): time to refusal (target < 1 s);
* an xlsx of 147 kB with one row of 5,000,000 cells: time and memory growth to refusal
  (target < 5 s, < 200 MB), and a workbook with a million empty formatted rows;
* 10,000 units in one kommun whose names differ only by a number: import time and the number of
  "possible duplicate" warnings (target < 30 s, bounded).

Each file is read in a fresh process (memory growth = peak RSS minus RSS before the reading).

    .venv/bin/python benchmarks/hostile_inputs.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from fcatlas.register.store import Register
    from register.hostile_files import five_million_cells, million_empty_rows, similar_names_file, wide_csv
    from register.test_issue21_uploads import measure

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        wide = d / "bred.csv"
        wide.write_bytes(wide_csv(1_000_000))
        took, grew, outcome = measure(wide)
        print(f"CSV, 1 000 000 kolumner ({wide.stat().st_size / 1e6:.1f} MB):  {took:6.2f} s, +{grew:.0f} MB  "
              f"(mål < 1 s) – {outcome}")
        big = five_million_cells(d / "fem_miljoner.xlsx")
        took, grew, outcome = measure(big)
        print(f"xlsx, en rad med 5 000 000 celler ({big.stat().st_size / 1e3:.0f} kB):  {took:6.2f} s, +{grew:.0f} MB  "
              f"(mål < 5 s, < 200 MB) – {outcome}")
        empty = million_empty_rows(d / "tomma.xlsx")
        took, grew, outcome = measure(empty)
        print(f"xlsx, 1 000 000 tomma formaterade rader ({empty.stat().st_size / 1e6:.1f} MB):  {took:6.2f} s, "
              f"+{grew:.0f} MB – {outcome}")
        f = similar_names_file(d / "falun_2027.csv")
        reg = Register.open(f"sqlite:///{d / 'r.sqlite'}")
        t0 = time.perf_counter()
        res = reg.import_file(f, round=2027, user="benchmark")
        took = time.perf_counter() - t0
        reg.close()
        dups = [p for p in res.problems if "dubblett" in p.reason]
        print(f"10 000 liknande namn i en kommun:  {took:6.2f} s (mål < 30 s), {res.n_new} nya, "
              f"{len(dups)} varningar om möjliga dubbletter")
        for p in dups[:3]:
            print(f"  rad {p.row}: {p.reason}")


if __name__ == "__main__":
    main()
