"""A listed-children file constructed to match Region Dalarna's published figures (the seed
"Familjecentraler i Dalarna – en framtida inriktning", appendix 3 "Statistik listade barn").

Published: 29 health centres (23 regional, 6 private) in 15 municipalities; 22 054 listed
children 0–6 in 2020 and 18 266 in 2025 (−3 788); largest decreases Jakobsgårdarna (−707),
Kvarnporten (−412, 2025 against 2021 when it opened), Ludvika-Grängesberg (−388); smallest
Engelbrekt (−12), Särna (−16), Orsa (−16); the only increase Avestahälsa (+14); every kommun
decreases, most Borlänge (−1 234), Falun (−664) and Ludvika (−456), least Orsa (−16),
Rättvik (−42) and Vansbro (−47).

The per-centre counts are NOT published: they are invented so that every published figure holds.
Years between 2020 and 2025 are linear in between (rounded).
"""

from __future__ import annotations

from pathlib import Path

# name, kommun, regi, count in first year, change to 2025, first year
CENTRES: list[tuple[str, str, str, int, int, int]] = [
    ("Vårdcentral Jakobsgårdarna", "Borlänge", "regional", 1900, -707, 2020),
    ("Vårdcentral Kvarnporten", "Borlänge", "privat", 900, -412, 2021),
    ("Vårdcentral Tjärna Ängar", "Borlänge", "regional", 1300, -350, 2020),
    ("Vårdcentral Domnarvet", "Borlänge", "regional", 1250, -340, 2020),
    ("Vårdcentral Borlänge Centrum", "Borlänge", "privat", 1150, -325, 2020),
    ("Vårdcentral Britsarvet", "Falun", "regional", 1100, -200, 2020),
    ("Vårdcentral Falun Centrum", "Falun", "regional", 1000, -180, 2020),
    ("Vårdcentral Grycksbo", "Falun", "regional", 500, -150, 2020),
    ("Vårdcentral Svärdsjö", "Falun", "regional", 450, -122, 2020),
    ("Vårdcentral Engelbrekt", "Falun", "privat", 700, -12, 2020),
    ("Vårdcentral Ludvika-Grängesberg", "Ludvika", "regional", 1400, -388, 2020),
    ("Vårdcentral Ludvika Östra", "Ludvika", "privat", 500, -40, 2020),
    ("Vårdcentral Grangärde", "Ludvika", "regional", 200, -28, 2020),
    ("Vårdcentral Orsa", "Orsa", "regional", 480, -16, 2020),
    ("Vårdcentral Rättvik", "Rättvik", "regional", 650, -42, 2020),
    ("Vårdcentral Vansbro", "Vansbro", "regional", 400, -47, 2020),
    ("Vårdcentral Särna", "Älvdalen", "regional", 90, -16, 2020),
    ("Vårdcentral Älvdalen", "Älvdalen", "regional", 450, -60, 2020),
    ("Vårdcentral Avestahälsa", "Avesta", "privat", 600, 14, 2020),
    ("Vårdcentral Avesta", "Avesta", "regional", 900, -150, 2020),
    ("Vårdcentral Mora", "Mora", "regional", 1200, -180, 2020),
    ("Vårdcentral Mora Noret", "Mora", "privat", 600, -100, 2020),
    ("Vårdcentral Leksand", "Leksand", "regional", 1000, -200, 2020),
    ("Vårdcentral Gagnef", "Gagnef", "regional", 700, -162, 2020),
    ("Vårdcentral Säter", "Säter", "regional", 650, -55, 2020),
    ("Vårdcentral Hedemora", "Hedemora", "regional", 1000, -250, 2020),
    ("Vårdcentral Smedjebacken", "Smedjebacken", "regional", 700, -70, 2020),
    ("Vårdcentral Malung", "Malung-Sälen", "regional", 600, -80, 2020),
    ("Vårdcentral Sälen", "Malung-Sälen", "regional", 0, -20, 2020),  # 2020 count set below
]

TOTAL_2020 = 22_054
TOTAL_2025 = 18_266


def counts() -> dict[tuple[str, str], dict[int, int]]:
    """(name, kommun) -> {year: listed children}; Sälen's first count makes 2020 sum to 22 054."""
    first_2020 = sum(c[3] for c in CENTRES if c[5] == 2020)
    rows = [list(c) for c in CENTRES]
    rows[-1][3] = TOTAL_2020 - first_2020
    out: dict[tuple[str, str], dict[int, int]] = {}
    for name, kommun, _regi, start, change, first in rows:
        span = 2025 - first
        out[(name, kommun)] = {y: start + round(change * (y - first) / span) for y in range(first, 2026)}
    return out


def write_csv(path: Path, years: range = range(2020, 2026)) -> Path:
    regi = {(c[0], c[1]): c[2] for c in CENTRES}
    lines = ["Vårdcentral;Kommun;År;Listade barn 0–6;Listade kvinnor 16–54;Regi"]
    for (name, kommun), by_year in counts().items():
        for y, n in by_year.items():
            if y in years:
                lines.append(f"{name};{kommun};{y};{n};{round(n * 2.6)};{regi[(name, kommun)]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
