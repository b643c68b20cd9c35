"""Decision annex of the state grant (Excel and PDF) and the follow-up export (Excel).

Rendering only: the numbers come from :mod:`fcatlas.grants` (a :class:`GrantPlan` or the
follow-up store's tables). Everything a person reads is Swedish.

* :func:`write_annex_xlsx` — one sheet per year, a payout sheet and "Metod och källor";
* :func:`render_annex_html` / :func:`write_annex_pdf` — the same as a PDF (weasyprint);
* :func:`write_followup_xlsx` — reports, national summary and overdue list.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import pandas as pd

from fcatlas.files import atomic_output, xlsx_workbook
from fcatlas.fmt import thousands
from fcatlas.grants.followup import PURPOSE_LABELS, STATUS_LABELS, Purpose, ReportStatus
from fcatlas.grants.plan import GrantPlan

TEMPLATES = Path(__file__).parent / "templates"

#: Swedish headers of the plan and the payout schedule in terminal tables (``total_2026`` → "2026 (kr)").
PLAN_TABLE_HEADERS = {
    "region_code": "Län",
    "region_name": "Region",
    "total_sek": "Totalt (kr)",
    "year": "År",
    "instalment": "Delbetalning",
    "payout_date": "Utbetalas",
    "amount_sek": "Belopp (kr)",
}


def plan_table_headers(columns: list[str]) -> dict[str, str]:
    """Swedish headers for the plan/schedule columns (``total_2027`` → ``2027 (kr)``)."""
    out = {}
    for c in columns:
        if c.startswith("total_") and c[6:].isdigit():
            out[c] = f"{c[6:]} (kr)"
        else:
            out[c] = PLAN_TABLE_HEADERS.get(c, c)
    return out


ALLOCATION_HEADERS = {
    "region_code": "Länskod",
    "region_name": "Region",
    "basis_children": "Barn 0–6 år i områden med stort utanförskap",
    "share": "Andel av underlaget",
    "fixed_sek": "Fast del (kr)",
    "variable_sek": "Rörlig del (kr)",
    "total_sek": "Totalt (kr)",
}

SOURCE_TEXT = [
    "Fördelningsnyckel: Socialstyrelsen, statsbidrag för familjecentraler 2026–2030 (fast belopp per "
    "region och resten efter andel barn 0–6 år i områden där utanförskapet är stort).",
    "Områden med stort utanförskap: SCB:s områdestyp per RegSO (socioekonomiskt index, Segregationsbarometern) "
    "eller Utanförskapets karta (SCB/Boverket), enligt angiven definition.",
    "Barn 0–6 år per område: SCB:s befolkningsstatistik per RegSO/DeSO (eller skattning, se anmärkning).",
]


def sek(value: Any) -> str:
    """Whole kronor with a thin space grouping, e.g. ``1 500 000``."""
    return thousands(value, "\u202f")


def pct(value: float) -> str:
    return f"{100 * float(value):.2f}".replace(".", ",") + " %"


def _rows(table: pd.DataFrame) -> Iterable[Any]:
    """The rows of ``table`` as named tuples (typed loosely: pandas-stubs types each field as any scalar)."""
    return table.itertuples(index=False)


def _title(plan: GrantPlan) -> str:
    return "Fördelning av statsbidrag för familjecentraler " + _period(plan)


def _period(plan: GrantPlan) -> str:
    ys = plan.years
    return str(ys[0]) if len(ys) == 1 else f"{ys[0]}–{ys[-1]}"


def _sources(plan: GrantPlan) -> list[str]:
    out = list(SOURCE_TEXT)
    groups: dict[str, list[int]] = {}
    for y in plan.years:
        b = plan.bases[y]
        key = f"{b.source}; definition: {b.definition}" + (f"; barn 0–6 år {b.data_year}" if b.data_year else "")
        groups.setdefault(key, []).append(y)
    for key, ys in groups.items():
        label = str(ys[0]) if len(ys) == 1 else ", ".join(str(y) for y in ys)
        out.append(f"Underlag {label}: {key}")
    for y in plan.years:
        for s in plan.bases[y].sources:
            if s not in out:
                out.append(s)
    return out


# -- Excel -------------------------------------------------------------------------------------


def write_annex_xlsx(plan: GrantPlan, path: str | Path) -> Path:
    """Write the annex workbook: a sheet per year, "Utbetalningar", "Metod och källor"."""
    with atomic_output(path) as tmp:
        _annex_xlsx(plan, tmp)
    return Path(path)


def _annex_xlsx(plan: GrantPlan, p: Path) -> None:
    wb = xlsx_workbook(p)
    fm = {
        "title": wb.add_format({"bold": True, "font_size": 13}),
        "meta": wb.add_format({"italic": True, "font_color": "#444444"}),
        "head": wb.add_format({"bold": True, "bg_color": "#E8EEF4", "text_wrap": True, "valign": "bottom",
                               "bottom": 1}),
        "int": wb.add_format({"num_format": "#,##0"}),
        "pct": wb.add_format({"num_format": "0.00%"}),
        "sum": wb.add_format({"bold": True, "num_format": "#,##0", "top": 1}),
        "sum_text": wb.add_format({"bold": True, "top": 1}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "note": wb.add_format({"text_wrap": True, "valign": "top", "bg_color": "#FFF6E0"}),
    }
    for y in plan.years:
        _year_sheet(wb, plan, y, fm)
    _payout_sheet(wb, plan, fm)
    _method_sheet(wb, plan, fm)
    wb.close()


def _year_sheet(wb: Any, plan: GrantPlan, y: int, fm: dict[str, Any]) -> None:
    """One year's allocation: a row per region, the sums as formulas."""
    cols = list(ALLOCATION_HEADERS)
    a = plan.allocations[y]
    b = plan.bases[y]
    ws = wb.add_worksheet(str(y))
    ws.write_string(0, 0, f"Fördelning {y}", fm["title"])
    meta = (
        f"Totalbelopp {sek(a.attrs['total_sek'])} kr; fast del {sek(plan.fixed_sek)} kr per berättigad "
        f"region; underlag: {b.definition}"
        + (f", barn 0–6 år {b.data_year}" if b.data_year else "")
        + f" ({b.source}); återrapportering senast {plan.deadlines[y].isoformat()}"
    )
    ws.write_string(1, 0, meta, fm["meta"])
    row = 2
    if b.estimated:
        ws.write_string(row, 0, "OBS: " + " ".join(b.notes), fm["meta"])
        row += 1
    row += 1
    head_row = row
    for j, c in enumerate(cols):
        ws.write_string(head_row, j, ALLOCATION_HEADERS[c], fm["head"])
    ws.write_string(head_row, len(cols), "Berättigad", fm["head"])
    ws.write_string(head_row, len(cols) + 1, "Skattat underlag", fm["head"])
    est_by_code = dict(zip(b.table["region_code"], b.table["estimated"], strict=True))
    f_int = fm["int"]
    for i, r in enumerate(_rows(a), start=head_row + 1):
        ws.write_string(i, 0, r.region_code)
        ws.write_string(i, 1, r.region_name)
        ws.write_number(i, 2, int(r.basis_children), f_int)
        ws.write_number(i, 3, float(r.share), fm["pct"])
        ws.write_number(i, 4, int(r.fixed_sek), f_int)
        ws.write_number(i, 5, int(r.variable_sek), f_int)
        ws.write_number(i, 6, int(r.total_sek), f_int)
        ws.write_string(i, 7, "ja" if r.eligible else "nej")
        ws.write_string(i, 8, "ja" if est_by_code.get(r.region_code, False) else "nej")
    last = head_row + len(a)
    s = last + 1
    ws.write_string(s, 1, "Summa", fm["sum_text"])
    for j, c in ((2, "basis_children"), (4, "fixed_sek"), (5, "variable_sek"), (6, "total_sek")):
        col = chr(ord("A") + j)
        ws.write_formula(s, j, f"=SUM({col}{head_row + 2}:{col}{last + 1})", fm["sum"], int(a[c].sum()))
    ws.write_number(s, 3, 1.0 if a["share"].sum() else 0.0, wb.add_format({"num_format": "0.00%",
                                                                           "bold": True, "top": 1}))
    ws.set_column(0, 0, 9)
    ws.set_column(1, 1, 24)
    ws.set_column(2, 2, 20)
    ws.set_column(3, 8, 14)
    ws.freeze_panes(head_row + 1, 2)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(head_row)


def _payout_sheet(wb: Any, plan: GrantPlan, fm: dict[str, Any]) -> None:
    """"Utbetalningar": every payout of the plan."""
    ws = wb.add_worksheet("Utbetalningar")
    heads = ["År", "Utbetalning", "Datum", "Länskod", "Region", "Belopp (kr)"]
    for j, h in enumerate(heads):
        ws.write_string(0, j, h, fm["head"])
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for i, r in enumerate(_rows(plan.schedule), start=1):
        ws.write_number(i, 0, int(r.year))
        ws.write_number(i, 1, int(r.instalment))
        ws.write_datetime(i, 2, pd.Timestamp(r.payout_date).to_pydatetime(), date_fmt)
        ws.write_string(i, 3, r.region_code)
        ws.write_string(i, 4, r.region_name)
        ws.write_number(i, 5, int(r.amount_sek), fm["int"])
    ws.set_column(0, 3, 11)
    ws.set_column(4, 4, 24)
    ws.set_column(5, 5, 14)
    ws.freeze_panes(1, 0)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


def _method_sheet(wb: Any, plan: GrantPlan, fm: dict[str, Any]) -> None:
    """"Metod och källor": the method, the notes and the sources."""
    ws = wb.add_worksheet("Metod och källor")
    ws.set_column(0, 0, 110)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.write_string(0, 0, _title(plan), fm["title"])
    r = 2
    notes = plan.notes()
    sections = [("Metod", plan.method_text(), fm["wrap"])]
    if notes:
        sections.append(("Anmärkningar", notes, fm["note"]))
    sections.append(("Källor", _sources(plan), fm["wrap"]))
    for i, (head, paragraphs, fmt) in enumerate(sections):
        if i:
            r += 1
        ws.write_string(r, 0, head, fm["head"])
        r += 1
        for para in paragraphs:
            ws.write_string(r, 0, para, fmt)
            ws.set_row(r, 15 * (1 + len(para) // 105))
            r += 1


# -- PDF ---------------------------------------------------------------------------------------


def render_annex_html(plan: GrantPlan) -> str:
    """The annex as HTML (the PDF's source)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=jinja2.select_autoescape(["html"])
    )
    tpl = env.get_template("grant_annex.html")
    summ = plan.summary()
    year_cols = [f"total_{y}" for y in plan.years]
    summary_rows = [
        {"code": r["region_code"], "name": r["region_name"], "amounts": [sek(r[c]) for c in year_cols],
         "total": sek(r["total_sek"])}
        for r in summ.to_dict("records")
    ]
    year_tables = []
    for y in plan.years:
        a = plan.allocations[y]
        b = plan.bases[y]
        year_tables.append(
            {
                "year": y,
                "total": sek(a.attrs["total_sek"]),
                "pool": sek(a.attrs["variable_pool_sek"]),
                "n_eligible": a.attrs["n_eligible"],
                "definition": b.definition,
                "data_year": b.data_year,
                "source": b.source,
                "estimated": b.estimated,
                "deadline": plan.deadlines[y].isoformat(),
                "sum_basis": sek(a.loc[a["eligible"], "basis_children"].sum()),
                "sum_fixed": sek(a["fixed_sek"].sum()),
                "sum_variable": sek(a["variable_sek"].sum()),
                "rows": [
                    {
                        "code": r.region_code, "name": r.region_name, "eligible": bool(r.eligible),
                        "basis": sek(r.basis_children), "share": pct(r.share), "fixed": sek(r.fixed_sek),
                        "variable": sek(r.variable_sek), "total": sek(r.total_sek),
                    }
                    for r in _rows(a)
                ],
            }
        )
    sched = plan.schedule
    payouts = []
    if not sched.empty:
        g = sched.groupby(["year", "instalment", "payout_date"], sort=True)["amount_sek"].agg(["sum", "count"])
        for (y, k, d), r in cast(Iterable[tuple[tuple[Any, Any, Any], Any]], g.iterrows()):
            payouts.append({"year": y, "instalment": k, "date": d.isoformat(), "n": int(r["count"]),
                            "amount": sek(r["sum"])})
    return tpl.render(
        title=_title(plan),
        period=_period(plan),
        created=plan.created.isoformat(),
        footer=_title(plan),
        fixed=sek(plan.fixed_sek),
        notes=plan.notes(),
        method=plan.method_text(),
        years=plan.years,
        summary=summary_rows,
        summary_sum=[sek(summ[c].sum()) for c in year_cols] + [sek(summ["total_sek"].sum())],
        year_tables=year_tables,
        payouts=payouts,
        sources=_sources(plan),
    )


def write_annex_pdf(plan: GrantPlan, path: str | Path) -> Path:
    """Render the annex to PDF with weasyprint."""
    import weasyprint

    p = Path(path)
    html = render_annex_html(plan)
    with atomic_output(p) as tmp:
        weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf(str(tmp))
    return p


# -- follow-up export --------------------------------------------------------------------------

REPORT_HEADERS = {
    "region_code": "Länskod",
    "year": "År",
    "status_label": "Status",
    "allocated_sek": "Beslutad fördelning (kr)",
    "amount_received_sek": "Mottaget (kr)",
    "used_sek": "Använt (kr)",
    **{p.value + "_sek": PURPOSE_LABELS[p] + " (kr)" for p in Purpose},
    "unused_sek": "Ej använt att återbetala (kr)",
    "fte": "Årsarbetskrafter",
    "role": "Roll",
    "unit_ids": "Familjecentraler (id i registret)",
    "deadline": "Sista dag",
    "submitted_at": "Inskickad",
    "late": "Försenad",
    "days_late": "Dagar försenad",
    "returned_at": "Returnerad",
    "approved_at": "Godkänd",
    "updated_at": "Senast ändrad",
}

SUMMARY_HEADERS = {
    "year": "År",
    "n_reports": "Antal rapporter",
    **{s.value: STATUS_LABELS[s] for s in ReportStatus},
    "n_late": "Försenade",
    "amount_received_sek": "Mottaget (kr)",
    "used_sek": "Använt (kr)",
    **{p.value + "_sek": PURPOSE_LABELS[p] + " (kr)" for p in Purpose},
    "unused_sek": "Att återbetala (kr)",
    "fte": "Årsarbetskrafter",
}


def write_followup_xlsx(
    reports: pd.DataFrame, summary: pd.DataFrame, overdue: pd.DataFrame, path: str | Path
) -> Path:
    """Write the follow-up workbook: "Rapporter", "Nationell sammanställning", "Försenade"."""
    with atomic_output(path) as tmp:
        _followup_xlsx(reports, summary, overdue, tmp)
    return Path(path)


def _followup_xlsx(reports: pd.DataFrame, summary: pd.DataFrame, overdue: pd.DataFrame, p: Path) -> None:
    wb = xlsx_workbook(p)
    f_head = wb.add_format({"bold": True, "bg_color": "#E8EEF4", "text_wrap": True, "valign": "bottom",
                            "bottom": 1})
    f_int = wb.add_format({"num_format": "#,##0"})
    f_dec = wb.add_format({"num_format": "0.00"})
    for name, df, heads in (
        ("Rapporter", reports, REPORT_HEADERS),
        ("Nationell sammanställning", summary, SUMMARY_HEADERS),
        ("Försenade", overdue, REPORT_HEADERS),
    ):
        ws = wb.add_worksheet(name)
        cols = [c for c in heads if c in df.columns]
        for j, c in enumerate(cols):
            ws.write_string(0, j, heads[c], f_head)
            ws.set_column(j, j, 16)
        for i, rec in enumerate(df[cols].to_dict("records"), start=1):
            for j, c in enumerate(cols):
                v = rec[c]
                if v is None or (not isinstance(v, str) and pd.isna(v)):
                    continue
                if isinstance(v, bool):
                    ws.write_string(i, j, "ja" if v else "nej")
                elif c == "fte":
                    ws.write_number(i, j, float(v), f_dec)
                elif isinstance(v, int | float) and c not in ("year",):
                    ws.write_number(i, j, v, f_int)
                elif isinstance(v, int | float):
                    ws.write_number(i, j, v)
                else:
                    ws.write_string(i, j, str(v))
        ws.freeze_panes(1, 0)
        if df.empty:
            ws.write_string(1, 0, "Inga rader.")
    wb.close()
