"""Settlement of visits at another health centre's family centre (pure).

Region Dalarna: when a family listed at one health centre uses the family centre run by another,
the listing centre pays the visited one a price per visit (600 kr, an average primary-care visit,
"otrohetsbesök").

* **Gross**: for every ordered pair, the listing centre pays ``visits × price`` to the visited one.
* **Netted**: per pair the two gross flows are set off; only the difference is paid, by the
  centre that owes more. A netted amount never exceeds either gross flow's sum.
* **Net position** of a centre: what it receives minus what it pays (gross and netted give the
  same position); the positions of all centres sum to zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from fcatlas.economics.defaults import DEFAULT_VISIT_PRICE_SEK
from fcatlas.economics.errors import EconomicsError

PAIR_COLUMNS = [
    "vardcentral_a",
    "vardcentral_b",
    "besok_a_hos_b",
    "besok_b_hos_a",
    "brutto_a_till_b",
    "brutto_b_till_a",
    "netto_betalare",
    "netto_mottagare",
    "netto_belopp",
]
POSITION_COLUMNS = ["vardcentral", "besok_hos_andra", "besok_fran_andra", "betalar_brutto", "far_brutto", "netto"]


@dataclass(frozen=True)
class Visits:
    """``count`` visits by families listed at ``listed_at`` to the family centre of ``visited``."""

    listed_at: str
    visited: str
    count: int


@dataclass(frozen=True)
class Settlement:
    pairs: pd.DataFrame  # PAIR_COLUMNS, one row per unordered pair with any visits
    positions: pd.DataFrame  # POSITION_COLUMNS, one row per centre
    price_sek: int
    gross_sek: int
    netted_sek: int


def settle(visits: Sequence[Visits], price_sek: int = DEFAULT_VISIT_PRICE_SEK) -> Settlement:
    """Gross and netted settlement between every pair of health centres.

    Rows for the same pair and direction are added up. Raises :class:`EconomicsError` on a
    negative count or price, or a centre visiting itself.

    Examples
    --------
    >>> s = settle([Visits("A", "B", 10), Visits("B", "A", 4)])
    >>> s.pairs[["netto_betalare", "netto_mottagare", "netto_belopp"]].values.tolist()
    [['A', 'B', 3600]]
    >>> s.positions[["vardcentral", "netto"]].values.tolist()
    [['A', -3600], ['B', 3600]]
    """
    if isinstance(price_sek, bool) or not isinstance(price_sek, int) or price_sek < 0:
        raise EconomicsError(f"priset per besök ska vara ett icke-negativt helt antal kronor, fick {price_sek!r}")
    flows: dict[tuple[str, str], int] = {}
    for v in visits:
        if v.count < 0:
            raise EconomicsError(f"{v.listed_at} → {v.visited}: antalet besök är negativt ({v.count})")
        if v.listed_at == v.visited:
            raise EconomicsError(f"{v.listed_at}: besök på den egna vårdcentralen ersätts inte (Listad vid = Besökt)")
        flows[(v.listed_at, v.visited)] = flows.get((v.listed_at, v.visited), 0) + v.count
    centres = sorted({c for pair in flows for c in pair})
    pairs = sorted({tuple(sorted(p)) for p in flows})
    rows = []
    for a, b in pairs:
        ab, ba = flows.get((a, b), 0), flows.get((b, a), 0)
        ga, gb = ab * price_sek, ba * price_sek
        net = ga - gb
        payer, payee = (a, b) if net > 0 else (b, a) if net < 0 else ("", "")
        rows.append([a, b, ab, ba, ga, gb, payer, payee, abs(net)])
    pair_df = pd.DataFrame(rows, columns=PAIR_COLUMNS)
    made = dict.fromkeys(centres, 0)
    received = dict.fromkeys(centres, 0)
    for (x, y), n in flows.items():
        made[x] += n
        received[y] += n
    pos = [[c, made[c], received[c], made[c] * price_sek, received[c] * price_sek,
            (received[c] - made[c]) * price_sek] for c in centres]
    pos_df = pd.DataFrame(pos, columns=POSITION_COLUMNS)
    for df in (pair_df, pos_df):
        for col in df.columns:
            if col not in ("vardcentral_a", "vardcentral_b", "netto_betalare", "netto_mottagare", "vardcentral"):
                df[col] = df[col].astype("int64")
    gross = sum(flows.values()) * price_sek
    netted = int(pair_df["netto_belopp"].sum()) if len(pair_df) else 0
    if int(pos_df["netto"].sum()) if len(pos_df) else 0:  # pragma: no cover - guarded by construction
        raise AssertionError("nettopositionerna summerar inte till noll")
    return Settlement(pair_df, pos_df, price_sek, gross, netted)
