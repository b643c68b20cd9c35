"""Carrying figures between SCB's two divisions: DeSO 2018 / RegSO 2020 and DeSO 2025 / RegSO 2025.

SCB re-cut DeSO on 2025-01-01 and gives every figure from reference year 2024 in the new
division; the grant's basis (2023) is in the old one. Figures are carried through a
correspondence table DeSO 2018 ↔ DeSO 2025, one row per piece (a DeSO 2018 and a DeSO 2025
that share people), in the shape of SCB's keys (UTF-8 with or without BOM, comma, semicolon or
tab)::

    DeSO_2018,DeSO_2025,Folkmängd
    2403C1010,2403C1010,996
    2403A0010,2403A0020,800
    2403A0010,2403A0030,552

``Folkmängd`` is the population of the piece; where an area is split, counts are shared out by
it (a DeSO 2018 with 1,352 inhabitants, 800 of them in 2403A0020, gives that DeSO 800/1,352 of
its children). An area that is not split may leave it empty. Counts carried this way are
estimates of what the other division would show and every one is flagged ``carried``; a
categorical figure (områdestyp) is carried only where an area comes whole from one area.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fcatlas.errors import FcatlasError, InputFileError, Problem, problems_error
from fcatlas.geography.codes import DESO_RE
from fcatlas.geography.sources.textfile import SOURCE_MAX_BYTES, read_text, records, sniff_delimiter

CORRESPONDENCE_COLUMNS = ["DeSO_2018", "DeSO_2025"]
_POPULATION = ("Folkmängd", "Folkmangd", "Befolkning", "Antal")
#: The counts :func:`compare_years` carries.
COUNTS = ("population", "children_0_6")


def read_correspondence(path: Path) -> pd.DataFrame:
    """The correspondence table: ``deso_2018, deso_2025, population`` (population of the piece,
    nullable) and ``share``: the piece's part of its DeSO 2018 (1 where the DeSO 2018 is whole).
    Every bad row is named; a split DeSO 2018 without the population of each piece is refused."""
    text = read_text(path, max_bytes=SOURCE_MAX_BYTES)
    recs = list(records(path, text, sniff_delimiter(text)))
    header = [h.strip() for h in recs[0].fields]
    pop_col = next((h for h in header[2:] if h in _POPULATION), None)
    if header[:2] != CORRESPONDENCE_COLUMNS:
        raise InputFileError(path, f"fel rubrikrad {header!r}; väntat DeSO_2018,DeSO_2025,Folkmängd "
                             "(SCB:s nyckel DeSO 2018 – DeSO 2025)", row=1)
    rows, problems = [], []
    for rec in recs[1:]:
        if rec.blank:
            continue
        f = [x.strip() for x in rec.fields]
        old, new = f[0], f[1] if len(f) > 1 else ""
        pop_text = f[header.index(pop_col)] if pop_col and header.index(pop_col) < len(f) else ""
        bad = next((c for c, v in zip(CORRESPONDENCE_COLUMNS, (old, new), strict=True) if not DESO_RE.match(v)), None)
        if bad:
            problems.append(Problem(str(path), rec.line, bad, f"{(old, new)[bad == 'DeSO_2025']!r} är ingen DeSO-kod"))
        elif pop_text and not pop_text.isdigit():
            problems.append(Problem(str(path), rec.line, pop_col, f"{pop_text!r} är inget antal"))
        else:
            rows.append((rec.line, old, new, int(pop_text) if pop_text else None))
    df = pd.DataFrame(rows, columns=["row", "deso_2018", "deso_2025", "population"])
    problems += _split_problems(path, df, pop_col)
    if problems:
        raise problems_error(path, problems)
    if df.empty:
        raise InputFileError(path, "inga rader efter rubrikraden")
    df["population"] = df["population"].astype("Int64")
    total = df.groupby("deso_2018")["population"].transform("sum")
    n = df.groupby("deso_2018")["deso_2025"].transform("size")
    df["share"] = (df["population"].astype("Float64") / total.astype("Float64")).where(n > 1, 1.0).astype(float)
    return df.drop(columns="row").reset_index(drop=True)


def _split_problems(path: Path, df: pd.DataFrame, pop_col: str | None) -> list[Problem]:
    """A repeated pair, or a split DeSO 2018 whose pieces lack a population (or add up to 0)."""
    dup = df.loc[df.duplicated(["deso_2018", "deso_2025"])]
    out = [Problem(str(path), int(row), "DeSO_2025", f"{old}–{new} förekommer redan")
           for row, old, new in zip(dup["row"].tolist(), dup["deso_2018"], dup["deso_2025"], strict=True)]
    split = df.loc[df.groupby("deso_2018")["deso_2025"].transform("size") > 1]
    for code, part in split.groupby("deso_2018", sort=True):
        if part["population"].isna().any() or not part["population"].fillna(0).sum():
            out.append(Problem(str(path), int(part["row"].iloc[0]), pop_col or "Folkmängd",
                               f"{code} delas på {len(part)} DeSO 2025; folkmängden i varje del behövs för att fördela"))
    return out


def regso_weights(corr: pd.DataFrame, deso_2018: pd.DataFrame, deso_2025: pd.DataFrame) -> pd.DataFrame:
    """``regso_2020, regso_2025, share``: the part of each RegSO 2020's people that lives in each
    RegSO 2025, from the pieces of the correspondence and the two DeSO → RegSO keys
    (``deso_code, regso_code``). The shares of a RegSO 2020 add up to 1."""
    k18 = deso_2018[["deso_code", "regso_code"]].rename(columns={"deso_code": "deso_2018", "regso_code": "regso_2020"})
    k25 = deso_2025[["deso_code", "regso_code"]].rename(columns={"deso_code": "deso_2025", "regso_code": "regso_2025"})
    pieces = corr.merge(k18, on="deso_2018", how="inner").merge(k25, on="deso_2025", how="inner")
    # people of a piece = its share × its DeSO 2018's weight inside the RegSO 2020 (equal DeSO weight
    # unless populations are given: then the population of the piece itself)
    if pieces["population"].notna().all():
        pieces["w"] = pieces["population"].astype(float)
    else:
        pieces["w"] = pieces["share"]
    w = pd.DataFrame(pieces.groupby(["regso_2020", "regso_2025"], as_index=False)["w"].sum())
    w["share"] = w["w"] / w.groupby("regso_2020")["w"].transform("sum")
    return pd.DataFrame(w.drop(columns="w"))


def carry_regso(figures: pd.DataFrame, weights: pd.DataFrame, counts: tuple[str, ...] = COUNTS) -> pd.DataFrame:
    """Figures per RegSO 2020 (``regso_code`` and ``counts``, and optionally ``omradestyp``) carried
    to RegSO 2025: counts shared out by :func:`regso_weights`, rounded to whole persons;
    ``omradestyp`` only where a RegSO 2025 comes whole from one RegSO 2020. Every row has
    ``carried = True`` and ``from_regso`` (the RegSO 2020 codes it comes from)."""
    f = figures.rename(columns={"regso_code": "regso_2020"}).merge(weights, on="regso_2020", how="inner")
    out = f.groupby("regso_2025", as_index=False).agg(
        from_regso=("regso_2020", lambda s: ", ".join(sorted(set(s)))),
        whole=("share", lambda s: bool(len(s) == 1 and abs(float(s.iloc[0]) - 1.0) < 1e-9)),
    )
    for c in counts:
        part = (f[c].astype(float) * f["share"]).groupby(f["regso_2025"]).sum(min_count=1)
        out[c] = out["regso_2025"].map(part).round().astype("Int64")
    if "omradestyp" in f:
        single = f.groupby("regso_2025")["omradestyp"].first()
        out["omradestyp"] = out["regso_2025"].map(single).where(out["whole"]).astype("Int64")
    out["carried"] = True
    return out.rename(columns={"regso_2025": "regso_code"}).drop(columns="whole")


def compare_years(old: object, new: object, corr: pd.DataFrame, year_from: int = 2023, year_to: int = 2025,
                  kommun: str | None = None) -> pd.DataFrame:
    """``year_from`` of a bundle on DeSO 2018 / RegSO 2020 (``old``) beside ``year_to`` of a bundle
    on DeSO 2025 / RegSO 2025 (``new``), per RegSO 2025: the old year's figures carried through
    ``corr`` (:func:`read_correspondence`), flagged ``carried``; the new year's as SCB gives them.

    Columns: ``regso_code, name, kommun_code, from_regso, carried, omradestyp_<from>,
    population_<from>, children_0_6_<from>, omradestyp_<to>, population_<to>, children_0_6_<to>,
    children_change``. ``old``/``new`` are :class:`~fcatlas.geography.bundle.Bundle` objects.
    """
    from fcatlas.geography.bundle import Bundle

    if not isinstance(old, Bundle) or not isinstance(new, Bundle):
        raise TypeError("compare_years tar två öppnade datapaket")
    if old.division != 2018 or new.division != 2025:
        raise FcatlasError(f"jämförelsen går från ett paket på DeSO 2018 / RegSO 2020 till ett på DeSO 2025 / RegSO 2025; "
                           f"fick {old.division_name} och {new.division_name}")
    a = old.areas("regso", year=year_from, kommun=kommun)
    b = new.areas("regso", year=year_to, kommun=kommun)
    weights = regso_weights(corr, old.table("deso"), new.table("deso"))
    missing = sorted(set(b["regso_code"]) - set(weights["regso_2025"]))
    if missing:
        raise FcatlasError(f"{len(missing)} RegSO 2025 saknas i nyckeln DeSO 2018 – DeSO 2025 "
                           f"(t.ex. {', '.join(missing[:5])}); nyckeln måste täcka de områden som jämförs")
    carried = carry_regso(a[["regso_code", "omradestyp", *COUNTS]], weights)
    fy, ty = year_from, year_to
    carried = carried.rename(columns={c: f"{c}_{fy}" for c in ("omradestyp", *COUNTS)})
    now = b[["regso_code", "name", "kommun_code", "omradestyp", *COUNTS]].rename(
        columns={c: f"{c}_{ty}" for c in ("omradestyp", *COUNTS)})
    out = now.merge(carried, on="regso_code", how="left")
    out["carried"] = out["carried"].astype("boolean").fillna(False).astype(bool)
    out["children_change"] = (out[f"children_0_6_{ty}"] - out[f"children_0_6_{fy}"]).astype("Int64")
    cols = ["regso_code", "name", "kommun_code", "from_regso", "carried", f"omradestyp_{fy}", f"population_{fy}",
            f"children_0_6_{fy}", f"omradestyp_{ty}", f"population_{ty}", f"children_0_6_{ty}", "children_change"]
    return out[cols].sort_values("regso_code").reset_index(drop=True)
