"""Rendering of the needs and situation analysis: ``rapport.html`` and ``rapport.pdf``.

Rendering only: every number comes from :class:`fcatlas.analysis.report.ReportTables`, i.e.
from the atlas result. The HTML is one self-contained file (CSS inline, charts as PNG data
URIs, no external requests); the PDF is the same HTML through weasyprint (A4, page numbers,
table of contents with page numbers).

Every number in a table or in the summary is written as
``<span data-key="…" data-value="…">`` so that tools (and the tests) can read the figures back
out of the HTML and compare them with ``summary.json``.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from fcatlas.analysis.similar import FEATURE_LABELS
from fcatlas.domain import (
    CATEGORY_LABELS,
    GOVERNANCE_FIELDS,
    GOVERNANCE_LABELS,
    GOVERNANCE_NATIONAL_SOURCE,
    OMRADESTYP_LABELS,
    STATUS_LABELS,
    Category,
    Status,
)
from fcatlas.fmt import thousands

HERE = Path(__file__).parent
THIN = "\u202f"
CATEGORIES = [c.value for c in Category]
STATUSES = [s.value for s in Status]


# ------------------------------------------------------------------------------------ formatting


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA:
        return True
    try:
        return bool(isinstance(v, float) and math.isnan(v))
    except TypeError:
        return False


def fmt_int(v: Any) -> str:
    """``12345`` → ``12 345`` (narrow no-break space); missing → ``–``."""
    return "–" if _missing(v) else thousands(int(round(float(v))), THIN)


def fmt_pct(v: Any, decimals: int = 0) -> str:
    """``0.456`` → ``46 %``; missing → ``–``."""
    if _missing(v):
        return "–"
    return f"{float(v) * 100:.{decimals}f}{THIN}%".replace(".", ",")


def fmt_km(v: Any) -> str:
    return "–" if _missing(v) else f"{float(v):.1f}".replace(".", ",")


def _plain(v: Any) -> Any:
    if _missing(v):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def num(key: str, value: Any, text: str | None = None) -> Markup:
    """A figure with its machine-readable key and value."""
    v = _plain(value)
    shown = text if text is not None else fmt_int(v)
    dv = "" if v is None else (f"{v:.6g}" if isinstance(v, float) else str(v))
    return Markup('<span class="fig" data-key="{}" data-value="{}">{}</span>').format(key, dv, shown)


def cell(text: Any, key: str | None = None, value: Any = None, cls: str = "") -> dict[str, Any]:
    return {"t": text, "k": key, "v": value, "c": cls}


def ncell(key: str, value: Any, pct: bool = False, decimals: int = 0, mark: str = "") -> dict[str, Any]:
    shown = fmt_pct(value, decimals) if pct else fmt_int(value)
    return {"t": num(key, value, shown + mark), "k": None, "v": None, "c": "num"}


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _names(items: Iterable[str]) -> str:
    """``a, b och c``."""
    xs = list(items)
    if not xs:
        return ""
    return xs[0] if len(xs) == 1 else ", ".join(xs[:-1]) + " och " + xs[-1]


# ------------------------------------------------------------------------------------ the view


def estimate_text(manifest: dict[str, Any]) -> str:
    """How the bundle estimated children 0–6, in words (never an identifier)."""
    est = manifest.get("children_0_6_estimate") or {}
    share = est.get("share")
    if share:
        return (f"folkmängden × {fmt_pct(share, 1)}, andelen barn 0–6 år, där SCB:s åldersuppgifter "
                "saknas i datapaketet")
    return "folkmängden × en andel barn 0–6 år där SCB:s åldersuppgifter saknas i datapaketet"


def _sources(report: Any) -> dict[str, str]:
    t = report.tables
    m = report.run.bundle.manifest
    y = t.year
    synthetic = bool(m.get("synthetic"))
    bundle = f"datapaket ”{m.get('label', '')}”"
    if synthetic:
        scb = "påhittade värden (fcatlas demo) inuti verkliga kommungränser"
    else:
        scb = "SCB"
    rounds = ", ".join(str(r) for r in t.rounds) or "–"
    reg = f"regionernas inventering (registret, omgång {rounds})"
    years = "–".join(str(x) for x in (t.years[0], t.years[-1])) if len(t.years) > 1 else str(y)
    py = sorted(int(x) for x in (m.get("years", {}).get("population") or t.years))
    pop_years = f"{py[0]}–{py[-1]}" if len(py) > 1 else str(py[0]) if py else years
    child_note = ""
    if report.run.result.summary.get("children_0_6_estimated"):
        child_note = f"; barn 0–6 år skattade ({estimate_text(m)})"
    return {
        "units": f"Källa: {reg}; kommungränser {scb}. Beräkning: fcatlas.",
        "otyp": f"Källa: {scb}, områdestyp per RegSO {years} (RegSO-indelning "
                f"{m.get('division', {}).get('regso', 2020)}); {bundle}.",
        "children": f"Källa: {scb}, folkmängd per RegSO {years}{child_note}; {bundle}.",
        "coverage": f"Källa: {scb} (områdestyp {y}, folkmängd {y}, gränser){child_note}; {reg}. "
                    "Beräkning: fcatlas (fågelvägen från områdets mittpunkt).",
        "governance": f"Källa: {reg}; nationella siffror: {GOVERNANCE_NATIONAL_SOURCE}.",
        "outlook": f"Källa: {scb}, barn 0–6 år per RegSO {pop_years}{child_note}; {bundle}. Beräkning: fcatlas "
                   "(samma prognos som fcatlas ekonomi prognos).",
        "grants": "Källa: uppföljningen av statsbidraget i fcatlas databas (fcatlas grant report).",
    }


def _units_section(t: Any, where: str) -> dict[str, Any]:
    s = t.summary
    by = t.by_group
    g = "Kommun" if t.group == "kommun" else "Län"
    sh = "\u00ad"
    heads = [g, f"Familje{sh}central", f"Familje{sh}centrals{sh}liknande", f"Annan sam{sh}verkan",
             f"Planerade och avsikts{sh}förklaringar"]
    if t.group == "lan":
        heads += ["Kommuner", "varav med familjecentral i drift"]
    else:
        heads += ["Familjecentral i drift"]
    rows = []
    for r in by.itertuples(index=False):
        row = [cell(r.name)] + [ncell(f"group.{r.code}.n_{c}", getattr(r, f"n_{c}")) for c in CATEGORIES]
        row.append(ncell(f"group.{r.code}.n_planned", r.n_planned))
        if t.group == "lan":
            row += [ncell(f"group.{r.code}.n_kommuner", r.n_kommuner),
                    ncell(f"group.{r.code}.n_kommuner_with_centre", r.n_kommuner_with_centre)]
        else:
            reported = bool(getattr(r, "reported", True))  # no report from the region: unknown (issue 8.4)
            row.append(cell(("ja" if r.has_centre else "nej") if reported else "okänt", cls="center"))
        rows.append(row)
    cat = s["units_by_category"]
    total = [cell("Summa")] + [ncell(f"units.{c}.i_drift", cat[c]["i_drift"]) for c in CATEGORIES]
    total.append(ncell("units.planned", sum(cat[c]["planerad"] + cat[c]["avsiktsforklaring"] for c in CATEGORIES)))
    if t.group == "lan":
        total += [ncell("summary.kommuner_total", s["kommuner_total"]),
                  ncell("summary.n_kommuner_with_centre", len(s["kommuner_with_centre"]))]
    else:
        total.append(cell(""))
    table = {"headers": heads, "rows": rows, "foot": [total],
             "caption": f"Enheter i drift per {g.lower()} och kategori, och planerade enheter"}
    unit_rows = []
    u = t.units.sort_values(["kommun_code", "name"]) if len(t.units) else t.units
    for r in u.itertuples(index=False):
        unit_rows.append([
            cell(r.name), cell(getattr(r, "kommun_name", None) or r.kommun_code),
            cell(CATEGORY_LABELS.get(Category(str(r.category)), str(r.category))),
            cell(STATUS_LABELS.get(Status(str(r.status)), str(r.status))),
            cell(getattr(r, "status_date", None) or ""),
        ])
    heads_u = ["Namn", "Kommun", "Kategori", "Status", "Statusdatum"]
    if unit_rows and not any(r[-1]["t"] for r in unit_rows):
        heads_u = heads_u[:-1]
        unit_rows = [r[:-1] for r in unit_rows]
    units_table = {"headers": heads_u, "rows": unit_rows, "caption": f"Registrets enheter i {where}"}
    changes = None
    if t.round_changes is not None:
        labels = {"new": "ny", "closed": "nedlagd eller inte längre rapporterad", "not_reported": "länet rapporterade inte",
                  "reclassified": "ny kategori", "status_changed": "ny status", "moved": "flyttad"}

        def lab(v: Any) -> str:
            if _missing(v):
                return ""
            text = str(v)
            if text in {c.value for c in Category}:
                return CATEGORY_LABELS[Category(text)].lower()
            if text in {x.value for x in Status}:
                return STATUS_LABELS[Status(text)].lower()
            return text

        changes = {"headers": ["Förändring", "Enhet", "Kommun", "Före", "Efter"],
                   "rows": [[cell(labels.get(r.change, r.change)), cell(r.name), cell(r.kommun_name),
                             cell(lab(r.before)), cell(lab(r.after))]
                            for r in t.round_changes.itertuples(index=False)],
                   "caption": f"Förändringar från inventeringsomgång {t.rounds[-2]} till {t.rounds[-1]}"}
    return {"table": table, "units_table": units_table, "changes": changes}


def _otyp_section(t: Any) -> dict[str, Any]:
    g = "Kommun" if t.group == "kommun" else "Län"
    tables = []
    for y in t.years:
        c = t.omradestyp_counts.loc[t.omradestyp_counts["year"] == y]
        rows = []
        for r in c.itertuples(index=False):
            row = [cell(r.name)] + [ncell(f"otyp.{y}.{r.code}.{k}", getattr(r, f"n_typ_{k}")) for k in range(1, 6)]
            row += [ncell(f"otyp.{y}.{r.code}.unknown", r.n_typ_unknown), ncell(f"otyp.{y}.{r.code}.n_regso", r.n_regso)]
            rows.append(row)
        tot = [cell("Summa")] + [ncell(f"otyp.{y}.all.{k}", c[f"n_typ_{k}"].sum()) for k in range(1, 6)]
        tot += [ncell(f"otyp.{y}.all.unknown", c["n_typ_unknown"].sum()), ncell(f"otyp.{y}.all.n_regso", c["n_regso"].sum())]
        tables.append({"headers": [g, "1", "2", "3", "4", "5", "Saknas", "Alla RegSO"], "rows": rows, "foot": [tot],
                       "caption": f"RegSO per områdestyp, {y}"})
    ch = t.type_changes
    changes = {"headers": ["RegSO", "Område", "Kommun", "Från", "Till"],
               "rows": [[cell(r.regso_code, cls="code"), cell(r.name), cell(r.kommun_name),
                         cell(f"{r.type_from} ({r.year_from})"), cell(f"{r.type_to} ({r.year_to})")]
                        for r in ch.itertuples(index=False)]}
    return {"tables": tables, "changes": changes, "n_changes": len(ch)}


def _children_section(t: Any) -> dict[str, Any]:
    g = "Kommun" if t.group == "kommun" else "Län"
    c = t.children_by_year
    heads = [g]
    for y in t.years:
        heads += [f"{y}: alla", f"{y}: i utanförskaps­områden"]
    rows = []
    for code, grp in c.groupby("code", sort=True):
        row = [cell(grp["name"].iloc[0])]
        for y in t.years:
            r = grp.loc[grp["year"] == y]
            if not len(r):
                row += [cell("–", cls="num"), cell("–", cls="num")]
                continue
            r0 = r.iloc[0]
            mark = "*" if bool(r0["estimated"]) else ""
            row += [ncell(f"children.{y}.{code}.children_0_6", r0["children_0_6"], mark=mark),
                    ncell(f"children.{y}.{code}.children_0_6_exclusion", r0["children_0_6_exclusion"], mark=mark)]
        rows.append(row)
    tot = [cell("Summa")]
    for y in t.years:
        r = c.loc[c["year"] == y]
        mark = "*" if bool(r["estimated"].any()) else ""
        tot += [ncell(f"children.{y}.all.children_0_6", r["children_0_6"].sum(), mark=mark),
                ncell(f"children.{y}.all.children_0_6_exclusion", r["children_0_6_exclusion"].sum(), mark=mark)]
    return {"table": {"headers": heads, "rows": rows, "foot": [tot], "caption": "Barn 0–6 år per år"},
            "estimated": bool(c["estimated"].any()), "missing": bool(c["missing"].any())}


def _outlook_section(report: Any) -> dict[str, Any] | None:
    """Children 0–6 per kommun: last observed year and the forecast with low–high and change;
    the areas with the largest forecast growth (exclusion areas first). Keys ``outlook.…``."""
    o = getattr(report, "outlook", None)
    if o is None:
        return None
    if o.reason:
        return {"reason": o.reason}
    y = o.to_year

    def fc_cells(key: str, r: Any) -> list[dict[str, Any]]:
        mark = "*" if bool(r.skattat) else ""
        return [cell(str(r.senaste_ar), cls="num"), ncell(f"{key}.last", r.senaste, mark=mark),
                ncell(f"{key}.forecast", r.barn_0_6, mark=mark),
                {"t": Markup("{}–{}").format(num(f"{key}.low", r.lag), num(f"{key}.high", r.hog)), "k": None,
                 "v": None, "c": "num"},
                {"t": num(f"{key}.change", r.forandring, _signed(r.forandring)), "k": None, "v": None, "c": "num"}]

    heads = ["Senaste år", "Barn 0–6 år senaste år", f"Prognos {y}", f"Intervall {y} (lågt–högt)", "Förändring"]
    rows = [[cell(r.namn)] + fc_cells(f"outlook.kommun.{r.kod}", r) for r in o.kommuner.itertuples(index=False)]
    kommuner = {"headers": ["Kommun", *heads], "rows": rows,
                "caption": f"PROGNOS: barn 0–6 år per kommun {y} (prognos, inte utfall)"}
    grows = []
    for r in o.growing.itertuples(index=False):
        grows.append([cell(r.kod, cls="code"), cell(r.namn), cell(r.kommun_name if not _missing(r.kommun_name) else ""),
                      cell("ja" if r.exclusion else "nej", cls="center")] + fc_cells(f"outlook.regso.{r.kod}", r))
    growing = {"headers": ["RegSO", "Område", "Kommun", "Utanför­skaps­område", *heads], "rows": grows,
               "caption": f"PROGNOS: områden där antalet barn 0–6 år väntas öka mest till {y} – "
                          "utanförskapsområden först"}
    return {"kommuner": kommuner, "growing": growing, "method": o.method, "to_year": y, "estimated": o.estimated,
            "n_up": int((o.kommuner["forandring"].fillna(0) > 0).sum()),
            "n_down": int((o.kommuner["forandring"].fillna(0) < 0).sum()), "reason": None}


def _signed(v: Any) -> str:
    """``12`` → ``+12``, ``-3`` → ``−3``; missing → ``–``."""
    if _missing(v):
        return "–"
    i = int(v)
    return ("+" if i > 0 else "−" if i < 0 else "") + fmt_int(abs(i))


def _coverage_section(t: Any) -> dict[str, Any]:
    return {"table": _coverage_table(t), "type_table": _coverage_type_table(t), "gaps": _gap_table(t),
            "similar": _similar_table(t)}


def _coverage_table(t: Any) -> dict[str, Any]:
    """Coverage per kommun (or län), with the scope's sum as the foot."""
    g = "Kommun" if t.group == "kommun" else "Län"
    by = t.by_group
    rows = []
    for r in by.itertuples(index=False):
        rows.append([
            cell(r.name), ncell(f"group.{r.code}.children_0_6", r.children_0_6),
            ncell(f"group.{r.code}.children_0_6_covered", r.children_0_6_covered),
            ncell(f"group.{r.code}.children_0_6_unknown", r.children_0_6_unknown),
            ncell(f"group.{r.code}.coverage_share", r.coverage_share, pct=True),
            ncell(f"group.{r.code}.n_exclusion_areas", r.n_exclusion_areas),
            ncell(f"group.{r.code}.n_exclusion_areas_covered", r.n_exclusion_areas_covered),
            ncell(f"group.{r.code}.children_0_6_exclusion", r.children_0_6_exclusion),
            ncell(f"group.{r.code}.children_0_6_exclusion_covered", r.children_0_6_exclusion_covered),
        ])
    s = t.summary
    known = s["children_0_6_coverage_known"]
    tot = [cell("Summa"), ncell("summary.children_0_6_total", s["children_0_6_total"]),
           ncell("summary.children_0_6_covered", s["children_0_6_covered"]),
           ncell("summary.children_0_6_coverage_unknown", s["children_0_6_total"] - known),
           ncell("summary.coverage_share", (s["children_0_6_covered"] / known) if known else None, pct=True),
           ncell("summary.exclusion_areas_total", s["exclusion_areas_total"]),
           ncell("summary.exclusion_areas_covered", s["exclusion_areas_covered"]),
           ncell("summary.children_0_6_in_exclusion_areas", s["children_0_6_in_exclusion_areas"]),
           ncell("summary.children_0_6_in_exclusion_areas_covered", s["children_0_6_in_exclusion_areas_covered"])]
    sh = "\u00ad"
    return {"headers": [g, "Barn 0–6 år", f"inom räck{sh}håll", f"okänd täck{sh}ning",
                        f"Andel inom räck{sh}håll (av kända)", f"Utanför{sh}skaps{sh}områden", "varav täckta",
                        f"Barn i utanför{sh}skaps{sh}områden", f"varav inom räck{sh}håll"],
            "rows": rows, "foot": [tot], "caption": f"Täckning per {g.lower()}"}


def _coverage_type_table(t: Any) -> dict[str, Any]:
    """The share of children within reach per kommun (or län) and områdestyp."""
    g = "Kommun" if t.group == "kommun" else "Län"
    by = t.by_group
    ct = t.coverage_by_type
    names = dict(zip(by["code"], by["name"], strict=True))
    trows = []
    for code, grp in ct.groupby("code", sort=True):
        label = "Hela " + ("länet" if t.group == "kommun" else "landet") if code == "" else names.get(code, code)
        row = [cell(label, cls="bold" if code == "" else "")]
        key = code or "all"
        for k in range(1, 6):
            r = grp.loc[grp["omradestyp"] == k]
            if len(r):
                row.append(ncell(f"covtyp.{key}.{k}.coverage_share", r["coverage_share"].iloc[0], pct=True))
            else:
                row.append(cell("", cls="num"))
        trows.append((code == "", row))
    trows.sort(key=lambda x: x[0])  # the scope's total last
    return {"headers": [g] + [f"{k} {OMRADESTYP_LABELS[k].lower()}" for k in range(1, 6)],
            "rows": [r for _, r in trows],
            "caption": f"Andel av barnen 0–6 år med familjecentral inom räckhåll per {g.lower()} och områdestyp "
                       f"({t.year}); tom ruta: inga områden av typen, – : täckningen okänd"}


def _gap_table(t: Any) -> dict[str, Any]:
    """The exclusion areas without a centre within reach, in rank order."""
    gap_rows = []
    for r in t.gaps.itertuples(index=False):
        est = "*" if bool(getattr(r, "children_0_6_estimated", False)) else ""
        gap_rows.append([
            ncell(f"gap.{r.regso_code}.rank", r.rank), cell(r.regso_code, cls="code"), cell(r.name),
            cell(r.kommun_name), ncell(f"gap.{r.regso_code}.omradestyp", r.omradestyp),
            ncell(f"gap.{r.regso_code}.children_0_6", r.children_0_6, mark=est),
            cell(r.nearest_centre_name if not _missing(r.nearest_centre_name) else "–"),
            {"t": num(f"gap.{r.regso_code}.nearest_centre_km", r.nearest_centre_km, fmt_km(r.nearest_centre_km)),
             "k": None, "v": None, "c": "num"},
            cell(fmt_km(r.reach_km), cls="num"),
        ])
    return {"headers": ["Nr", "RegSO", "Område", "Kommun", "Områdes­typ", "Barn 0–6 år", "Närmaste familjecentral",
                        "Avstånd (km)", "Räckvidd (km)"],
            "rows": gap_rows}


def _similar_table(t: Any) -> dict[str, Any]:
    """For every gap the three most similar areas (and what differs most)."""
    sim_rows = []
    for r in t.gaps.itertuples(index=False):
        s2 = t.similar.get(str(r.regso_code))
        if s2 is None:
            continue
        row = [cell(Markup("{}. {}<br><small>{}, {}</small>").format(r.rank, r.name, r.kommun_name, r.regso_code))]
        for x in s2.itertuples(index=False):
            key = f"similar.{r.regso_code}.{x.rank}"
            d = {f: float(getattr(x, f"d_{f}")) for f in ("children_0_6", "omradestyp", "exclusion", "urbanity")}
            biggest = max(d, key=lambda f: d[f])
            diff = FEATURE_LABELS[biggest] if d[biggest] > 0 else "inget"
            row.append(cell(Markup("{} ({})<br><small>{} · typ {} · {} barn · avstånd {} · störst skillnad: {}"
                                   "</small>").format(
                x.name, x.kommun_name, num(f"{key}.regso_code", x.regso_code, x.regso_code),
                num(f"{key}.omradestyp", x.omradestyp), num(f"{key}.children_0_6", x.children_0_6),
                f"{x.distance_without_centre:.2f}".replace(".", ","), diff)))
        row += [cell("")] * (4 - len(row))
        sim_rows.append(row)
    return {"headers": ["Lucka", "Mest lik", "Näst mest lik", "Tredje"], "rows": sim_rows}


def _governance_section(t: Any) -> dict[str, Any]:
    rows = []
    for r in t.governance.itertuples(index=False):
        rows.append([cell(r.label), ncell(f"gov.{r.field}.n_yes", r.n_yes), ncell(f"gov.{r.field}.n_no", r.n_no),
                     ncell(f"gov.{r.field}.n_unknown", r.n_unknown),
                     ncell(f"gov.{r.field}.share_yes", r.share_yes, pct=True) if r.share_yes is not None
                     else cell("okänt", cls="num"),
                     cell(r.national_text)])
    table = {"headers": ["Styrning", "Ja", "Nej", "Okänt", "Andel ja (av kända)", "Nationellt (2023)"],
             "rows": rows, "caption": f"Styrning av familjecentralerna i drift (n = {t.governance_base})"}
    yn = {True: "ja", False: "nej"}
    urows = []
    for r in t.governance_units.itertuples(index=False):
        urows.append([cell(r.name), cell(r.kommun_name)] +
                     [cell(yn.get(_plain(getattr(r, f)), "okänt"), cls="center") for f in GOVERNANCE_FIELDS])
    short = {"gov_steering_group": "Styr­grupp", "gov_coordinator": "Sam­ordnare",
             "gov_written_agreement": "Skriftligt avtal", "gov_joint_plan": "Verksam­hetsplan",
             "gov_joint_followup": "Uppfölj­ning", "gov_joint_meetings": "Möten för alla"}
    units = {"headers": ["Familjecentral", "Kommun", *[short[f] for f in GOVERNANCE_FIELDS]], "rows": urows,
             "caption": "Styrning per familjecentral (" + "; ".join(
                 f"{short[f].replace(chr(173), '')} = {GOVERNANCE_LABELS[f].lower()}" for f in GOVERNANCE_FIELDS) + ")"}
    n_known = int((t.governance["n_yes"] + t.governance["n_no"]).sum())
    return {"table": table, "units": units, "all_unknown": n_known == 0, "base": t.governance_base}


def _grants_section(t: Any) -> dict[str, Any] | None:
    from fcatlas.grants.followup import PURPOSE_LABELS, Purpose

    g = t.grants
    if g is None or not len(g):
        return None
    from fcatlas.grants.allocation import lan_names

    regions = lan_names()
    rows = []
    for r in g.sort_values(["year", "region_code"]).itertuples(index=False):
        k = f"grant.{r.region_code}.{r.year}"
        late = " (försenad)" if bool(r.late) else ""
        row = [cell(str(r.year))]
        if t.scope == "national":
            row.append(cell(regions.get(r.region_code, r.region_code)))
        row += [ncell(f"{k}.amount_received_sek", r.amount_received_sek), cell(str(r.status_label) + late),
                ncell(f"{k}.used_sek", r.used_sek)]
        row += [ncell(f"{k}.{p.value}_sek", getattr(r, f"{p.value}_sek")) for p in Purpose]
        row += [ncell(f"{k}.unused_sek", r.unused_sek)]
        rows.append(row)
    short = {Purpose.COORDINATOR: "Sam\u00adordnare", Purpose.NEW_CENTRES: "Nya familje\u00adcentraler",
             Purpose.DEVELOP_CENTRES: "Vidare\u00adutveckling", Purpose.NEEDS_ANALYSIS: "Behovs- och läges\u00adanalys"}
    heads = ["År"] + (["Region"] if t.scope == "national" else []) + [
        "Tilldelat (kr)", "Åter\u00adrapport", "Använt (kr)", *[short[p] for p in Purpose], "Ej använt (kr)"]
    legend = "; ".join(f"{short[p].replace(chr(173), '')} = {PURPOSE_LABELS[p].lower()}" for p in Purpose
                       if short[p].replace(chr(173), "").lower() != PURPOSE_LABELS[p].lower())
    return {"table": {"headers": heads, "rows": rows,
                      "caption": "Statsbidraget per år: tilldelat belopp, återrapportens status och "
                                 f"användning per ändamål i kronor ({legend})"}}


def build_view(report: Any, created: dt.date | None = None) -> dict[str, Any]:
    """Everything the template shows, already formatted."""
    from fcatlas import __version__
    from fcatlas.outputs.report.markdown import PLACES, to_html

    t = report.tables
    run = report.run
    res = run.result
    m = run.bundle.manifest
    s = t.summary
    p = res.params
    title, where = _title_where(t, res)
    by = t.by_group
    kn = dict(zip(res.kommuner["kommun_code"], res.kommuner["kommun_name"], strict=True))
    without_k = [kn.get(k, k) for k in s["kommuner_without_centre"]]
    cat = s["units_by_category"]
    pop = int(by["population"].sum())
    pop_exc = int(by["population_exclusion"].sum())
    reach = ", ".join(f"{k} {v:g} km" for k, v in p.reach_km.items())
    reach_text = (f"räckvidden är {reach} fågelvägen från områdets mittpunkt (C centralort, B annan tätort, "
                  "A landsbygd)")
    gaps = t.gaps
    what = "kommun" if t.group == "kommun" else "län"
    synthetic = bool(m.get("synthetic"))
    texts = {k: Markup(to_html(v)) for k, v in report.text_sections.items()}
    view = {
        "title": title,
        "where": where,
        "scope": t.scope,
        "group": t.group,
        "what": what,
        "year": t.year,
        "years": t.years,
        "synthetic": synthetic,
        "bundle_label": m.get("label", ""),
        "created": (created or dt.date.today()).isoformat(),
        "version": __version__,
        "exclusion_label": p.exclusion.label,
        "categories": _names(CATEGORY_LABELS[Category(c)].lower() for c in sorted(p.centre_categories)),
        "reach_text": reach_text,
        "s": s,
        "n": num,
        "fmt_int": fmt_int,
        "fmt_pct": fmt_pct,
        "cat": cat,
        "pop": pop,
        "pop_exc": pop_exc,
        "without_k": without_k,
        "without_k_text": _names(without_k),
        "gap_names": [f"{r.name} ({r.kommun_name})" for r in gaps.head(10).itertuples(index=False)],
        "n_gaps": len(gaps),
        "units": _units_section(t, where),
        "otyp": _otyp_section(t),
        "children": _children_section(t),
        "coverage": _coverage_section(t),
        "outlook": _outlook_section(report),
        "governance": _governance_section(t),
        "grants": _grants_section(t),
        "rounds": t.rounds,
        "without_lan": t.without_centre if t.group == "lan" else None,
        "sources": _sources(report),
        "images": _images(t, run, what),
        "texts": texts,
        "places": PLACES,
        "text_file": report.text_file.name if report.text_file else None,
        "estimated": bool(s["children_0_6_estimated"]),
        "estimate_method": estimate_text(m),
        "n_lan_all": len(s["lan_all_kommuner_with_centre"]),
        "n_lan_none": len(s["lan_without_centre"]),
        "lan_all_names": _names(str(n) for c, n in zip(res.lan["lan_code"], res.lan["lan_name"], strict=True)
                                if c in s["lan_all_kommuner_with_centre"]),
        "lan_none_names": _names(str(n) for c, n in zip(res.lan["lan_code"], res.lan["lan_name"], strict=True)
                                 if c in s["lan_without_centre"]),
        "areas_without_geometry": s["areas_without_geometry"],
        "params": p,
    }
    return view


def _title_where(t: Any, res: Any) -> tuple[str, str]:
    """The report's title and the words for its scope (``Dalarnas län``, ``hela Sverige``)."""
    if t.scope == "lan":
        lan_name = str(res.lan["lan_name"].iloc[0]) if len(res.lan) else f"län {t.lan_code}"
        return f"Behovs- och lägesanalys: familjecentraler i {lan_name}", lan_name
    return "Nationell översikt: familjecentraler i Sveriges län", "hela Sverige"


def _images(t: Any, run: Any, what: str) -> dict[str, str]:
    """The map and the charts as data URIs."""
    from fcatlas.outputs.report import charts

    res, m = run.result, run.bundle.manifest
    return {
        "map": _data_uri(charts.map_png(res, run.geoms, t.lan_code, m)),
        "otyp": _data_uri(charts.omradestyp_png(t.omradestyp_counts, t.year, what)),
        "children": _data_uri(charts.children_trend_png(t.children_by_year, res.params.exclusion.label,
                                                        bool(t.children_by_year["estimated"].any()))),
        "coverage": _data_uri(charts.coverage_png(t.by_group, what)),
    }


def render_html(report: Any, created: dt.date | None = None) -> str:
    """The report as one self-contained HTML document."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE)), autoescape=jinja2.select_autoescape(["html"]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    view = build_view(report, created)
    view["css"] = Markup((HERE / "report.css").read_text(encoding="utf-8"))
    return env.get_template("report.html").render(**view)


def write_report_files(report: Any, out: Path, pdf: bool = True,
                       on_stage: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Write ``rapport.html`` and (unless ``pdf`` is False) ``rapport.pdf`` into ``out``; each
    file is written to a temporary name first, so a failure leaves no half-written report."""
    out.mkdir(parents=True, exist_ok=True)
    if on_stage:
        on_stage("Ritar diagram och skriver rapport.html")
    html = render_html(report)
    files = {}
    tmp = out / ".rapport.html.tmp"
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out / "rapport.html")
    files["html"] = out / "rapport.html"
    if pdf:
        if on_stage:
            on_stage("Skriver rapport.pdf")
        import weasyprint

        tmp_pdf = out / ".rapport.pdf.tmp"
        weasyprint.HTML(string=html, base_url=str(HERE)).write_pdf(str(tmp_pdf))
        tmp_pdf.replace(out / "rapport.pdf")
        files["pdf"] = out / "rapport.pdf"
    return files


__all__ = ["build_view", "escape", "fmt_int", "fmt_pct", "render_html", "write_report_files"]
