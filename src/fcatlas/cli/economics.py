"""``fcatlas listade …`` (listed children per health centre) and ``fcatlas ekonomi …`` (payment
models, settlements, shared costs, outlook). Parse, call the economics room, print."""

from __future__ import annotations

import sys
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from fcatlas.cli.common import OutputFormat, console, database_url, err_console, frame_text, print_frame
from fcatlas.economics.defaults import (
    DEFAULT_POT_SEK,
    DEFAULT_RATE_CHILD_SEK,
    DEFAULT_RATE_WOMAN_SEK,
    DEFAULT_VISIT_PRICE_SEK,
)
from fcatlas.errors import ConfigError, InputFileError
from fcatlas.fmt import thousands

if TYPE_CHECKING:
    import pandas as pd

listade_app = typer.Typer(
    name="listade",
    help=(
        "Listade barn 0–6 år per vårdcentral: importera regionens fil, följ trenden per vårdcentral, "
        "kommun och län, och rita diagram.\n\n"
        "Exempel: fcatlas listade import listade.csv --db register.sqlite && "
        "fcatlas listade trend --db register.sqlite --fran 2020 --till 2025 --niva kommun"
    ),
    no_args_is_help=True,
)
ekonomi_app = typer.Typer(
    name="ekonomi",
    help=(
        "Regionala ersättnings- och kostnadsmodeller i hela kronor: tilläggsersättning ur en pott "
        "(Region Dalarnas modell), avräkning av besök på en annan vårdcentrals familjecentral, "
        "delade lokal- och gemensamma kostnader, och prognos för barn 0–6 år till 2030."
    ),
    no_args_is_help=True,
)

_DB_HELP = "Databasen (SQLite-fil eller URL; samma som registret). Standard: FCATLAS_DB eller fcatlas hemkatalog."


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


class Niva(StrEnum):
    vardcentral = "vardcentral"
    kommun = "kommun"
    lan = "lan"


class Visa(StrEnum):
    par = "par"
    saldo = "saldo"


class PrognosNiva(StrEnum):
    kommun = "kommun"
    regso = "regso"


#: Swedish headers for Excel and the table view (CSV and JSON keep the snake_case columns).
XLSX_LABELS = {
    "niva_kod": "Kod", "namn": "Namn", "kommun_code": "Kommunkod", "fran_ar": "Från år", "till_ar": "Till år",
    "fran": "Från (antal)", "till": "Till (antal)", "forandring": "Förändring", "forandring_procent": "Förändring (%)",
    "anmarkning": "Anmärkning", "vardcentral": "Vårdcentral", "barn": "Listade barn 0–6",
    "kvinnor": "Listade kvinnor 16–54", "belopp_fore_tak": "Belopp före tak (kr)", "belopp": "Belopp (kr)",
    "belopp_a": "Belopp A (kr)", "belopp_b": "Belopp B (kr)", "skillnad": "Skillnad B − A (kr)",
    "niva": "Nivå", "kod": "Kod", "ar": "År", "barn_0_6": "Barn 0–6 år", "lag": "Lågt", "hog": "Högt",
    "prognos": "Prognos", "skattat": "Skattat underlag", "metod": "Metod",
    "vardcentral_a": "Vårdcentral A", "vardcentral_b": "Vårdcentral B", "besok_a_hos_b": "Besök A hos B",
    "besok_b_hos_a": "Besök B hos A", "brutto_a_till_b": "Brutto A till B (kr)", "brutto_b_till_a": "Brutto B till A (kr)",
    "netto_betalare": "Betalar netto", "netto_mottagare": "Får netto", "netto_belopp": "Nettobelopp (kr)",
    "besok_hos_andra": "Besök hos andra", "besok_fran_andra": "Besök från andra", "betalar_brutto": "Betalar brutto (kr)",
    "far_brutto": "Får brutto (kr)", "netto": "Netto (kr)", "part": "Part", "vikt": "Vikt (yta eller andel)",
    "andel_procent": "Andel (%)", "tak": "Tak (kr)", "belopp_utan_tak": "Belopp utan tak (kr)",
}


def install(app: typer.Typer) -> None:
    """Attach ``fcatlas listade …`` and ``fcatlas ekonomi …`` to the main app."""
    app.add_typer(listade_app, name="listade")
    app.add_typer(ekonomi_app, name="ekonomi")


def _emit(df: pd.DataFrame, fmt: Format, out: Path | None, title: str | None = None,
          money: tuple[str, ...] = ()) -> None:
    """Write a frame as a table (with thin thousands separators), CSV, JSON or XLSX."""
    import pandas as pd
    if fmt is Format.xlsx:
        if out is None:
            raise ConfigError("ange --out FIL.xlsx för Excel")
        from fcatlas.files import XLSX_OPTIONS, atomic_output, neutralise_frame

        with atomic_output(out) as tmp, pd.ExcelWriter(tmp, engine="xlsxwriter",
                                                       engine_kwargs={"options": XLSX_OPTIONS}) as xw:
            neutralise_frame(df.rename(columns=XLSX_LABELS)).to_excel(
                xw, index=False, sheet_name=(title or "Resultat")[:31])
        err_console.print(f"Skrev {out}", highlight=False)
        return
    if fmt is Format.table:
        if out is not None:
            raise ConfigError("--out kräver --format csv, json eller xlsx")
        shown = df.copy()
        for col in money:
            if col in shown.columns:
                shown[col] = [("" if pd.isna(v) else _num(v)) for v in shown[col]]
        for col in ("forandring_procent", "andel_procent"):
            if col in shown.columns:
                shown[col] = [("" if pd.isna(v) else f"{float(v):.1f}".replace(".", ",").replace("-", "−"))
                              for v in shown[col]]
        print_frame(shown.rename(columns=XLSX_LABELS), OutputFormat.table, title=title)
        return
    text = frame_text(df, OutputFormat(fmt.value))
    if out is None:
        sys.stdout.write(text)
    else:
        from fcatlas.files import write_text

        write_text(out, text)
        err_console.print(f"Skrev {out}", highlight=False)


def _num(v: object) -> str:
    n = int(v)  # type: ignore[call-overload]
    return ("−" if n < 0 else "") + thousands(abs(n))


def _names() -> tuple[dict[str, str], dict[str, str]]:
    from fcatlas.geography import admin

    k = admin.kommun_table()
    lt = admin.lan_table()
    return (dict(zip(k["kommun_code"].astype(str), k["kommun_name"].astype(str), strict=True)),
            dict(zip(lt["lan_code"].astype(str), lt["lan_name"].astype(str), strict=True)))


# -- listade ---------------------------------------------------------------------------------


@listade_app.command("import")
def listed_import_command(
    file: Path = typer.Argument(..., help="CSV eller XLSX: Vårdcentral, Kommun eller Kommunkod, År, "
                                "Listade barn 0–6, ev. Listade kvinnor 16–54 och Regi (regional/privat)."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Importera listade barn per vårdcentral och år. Varje år i filen ersätter det som fanns för
    det året, i en transaktion; en fil med någon felaktig rad sparas inte alls (alla fel listas)."""
    from fcatlas.services.economics import import_listed

    done = import_listed(url=database_url(db), file=file)
    rows, summary = done.rows, done.summary
    for y in summary.years:
        n = sum(1 for r in rows if r.year == y)
        was = summary.replaced.get(y, 0)
        extra = f" (ersatte {was} tidigare rader)" if was else ""
        console.print(f"{y}: {n} vårdcentraler, {thousands(sum(r.children for r in rows if r.year == y))} "
                      f"listade barn 0–6 år{extra}", highlight=False)
    console.print(f"Sparade {summary.rows} rader.", highlight=False)


@listade_app.command("trend")
def listed_trend_command(
    fran: int = typer.Option(..., "--fran", help="Från år, t.ex. 2020."),
    till: int = typer.Option(..., "--till", help="Till år, t.ex. 2025."),
    niva: Niva = typer.Option(Niva.vardcentral, "--niva", help="vardcentral, kommun eller lan."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    format: Format = typer.Option(Format.table, "--format", help="table, csv, json eller xlsx."),
    out: Path | None = typer.Option(None, "--out", help="Utfil (krävs för xlsx)."),
    topp: int = typer.Option(10, "--topp", min=1, help="Hur många av de största minskningarna som visas i tabellvyn."),
    linjediagram: Path | None = typer.Option(None, "--linjediagram",
                                             help="Linjediagram per kommun över alla år (.png eller .svg)."),
    stapeldiagram: Path | None = typer.Option(None, "--stapeldiagram",
                                              help="Stapeldiagram över förändringen på vald nivå (.png eller .svg)."),
) -> None:
    """Förändringen i listade barn 0–6 år mellan två år per vårdcentral, kommun eller län.

    En vårdcentral som öppnade efter från-året jämförs från sitt första år (anmärkningen säger
    vilket); en som lades ned har ingen förändring (anmärkningen säger sista året). CSV-kolumner:
    niva_kod, namn, kommun_code, fran_ar, till_ar, fran, till, forandring, forandring_procent,
    anmarkning; raderna står i ordning från största minskning."""
    from fcatlas.economics import listed as lst
    from fcatlas.services.economics import listed_table

    data = listed_table(url=database_url(db))
    kn, ln = _names()
    table = lst.trend(data, fran, till, niva.value, kn, ln)
    tot = lst.totals(data, fran, till)
    label = lst.LEVEL_LABELS[niva.value].lower()
    if format is Format.table:
        _emit(table, format, out, f"Listade barn 0–6 år per {label}, {fran}–{till}",
              money=("fran", "till", "forandring"))
        if tot["fran"] is not None and tot["till"] is not None:
            ch = tot["forandring"] or 0
            pct = f" ({100 * ch / tot['fran']:+.1f} %)".replace(".", ",").replace("-", "−") if tot["fran"] else ""
            console.print(f"Totalt: {_num(tot['fran'])} listade barn {fran} → {_num(tot['till'])} {till}, "
                          f"förändring {_num(ch)}{pct}", highlight=False)
        dec = lst.decreases(table, topp)
        if len(dec):
            console.print(f"Största minskningar ({label}):", highlight=False)
            for r in dec.itertuples():
                since = f", {r.till_ar} jämfört med {r.fran_ar}" if r.fran_ar != fran else ""
                console.print(f"  {r.namn} ({_num(r.forandring)}{since})", highlight=False)
        inc = lst.increases(table)
        console.print(f"Ökningar ({label}): " + ("; ".join(f"{r.namn} (+{_num(r.forandring)})"
                                                          for r in inc.itertuples()) or "inga"), highlight=False)
    else:
        _emit(table, format, out, "Trend")
    source = f"Källa: listade barn i databasen, {fran}–{till}."
    if linjediagram is not None:
        from fcatlas.outputs.economics_charts import line_chart_per_kommun

        s = lst.series(data, "kommun", kn, ln)
        line_chart_per_kommun(s, linjediagram, "Listade barn 0–6 år per kommun", source)
        err_console.print(f"Skrev {linjediagram}", highlight=False)
    if stapeldiagram is not None:
        from fcatlas.outputs.economics_charts import change_bar_chart

        change_bar_chart(table, stapeldiagram, f"Förändring i listade barn 0–6 år per {label}, {fran}–{till}", source)
        err_console.print(f"Skrev {stapeldiagram}", highlight=False)


EXAMPLES = Path(__file__).resolve().parents[1] / "economics" / "examples"


@listade_app.command("exempel")
def listed_example_command(
    ut: Path = typer.Option(Path("ekonomi-exempel"), "--ut", help="Katalog att skriva exempelfilerna i."),
) -> None:
    """Skriv de SYNTETISKA exempelfilerna (listade barn, kvalificerade vårdcentraler, besök,
    lokalytor) som README:ns exempel använder. De är påhittade, inte regionens siffror."""
    ut.mkdir(parents=True, exist_ok=True)
    for f in sorted(EXAMPLES.iterdir()):
        if f.suffix in (".csv", ".txt"):
            (ut / f.name).write_bytes(f.read_bytes())
            console.print(f"Skrev {ut / f.name}", highlight=False)
    console.print("[bold]SYNTETISKA EXEMPELDATA[/] — påhittade siffror för att prova kommandona.")


# -- ekonomi ---------------------------------------------------------------------------------


def _params(barn: int, kvinnor: int, pott: int | None, ingen_pott: bool):
    from fcatlas.economics.payment import AddonParams

    p = AddonParams(barn, kvinnor, None if ingen_pott else pott)
    p.check()
    return p


def _centres(db: str | None, ar: int, vardcentraler: Path | None, fran_registret: bool = False) -> list[Any]:
    from fcatlas.services.economics import qualified_centres

    if (vardcentraler is None) == (not fran_registret):
        raise ConfigError("ange antingen --vardcentraler FIL eller --fran-registret")

    def note(why: str) -> None:
        err_console.print(f"[yellow]Obs:[/] {why} (ingen ersättning; ange --vardcentraler för att välja själv)",
                          highlight=False, soft_wrap=True)

    return qualified_centres(url=database_url(db), year=ar, names_file=vardcentraler, from_register=fran_registret,
                             on_note=note)


@ekonomi_app.command("tillagg")
def addon_command(
    ar: int = typer.Option(..., "--ar", help="Året vars listade barn och kvinnor används."),
    vardcentraler: Path | None = typer.Option(None, "--vardcentraler",
                                              help="Vårdcentraler med tilläggsuppdraget: kolumnen Vårdcentral, eller ett namn per rad."),
    fran_registret: bool = typer.Option(False, "--fran-registret",
                                        help="Vårdcentralerna är de som registrets familjecentraler i drift kopplas till "
                                        "(samma namn utan 'Familjecentral'/'Vårdcentral', omnämnd i anmärkningen, "
                                        "eller kommunens enda vårdcentral)."),
    barn: int = typer.Option(DEFAULT_RATE_CHILD_SEK, "--barn", min=0, help="Kronor per listat barn 0–6 år (Dalarna: 90)."),
    kvinnor: int = typer.Option(DEFAULT_RATE_WOMAN_SEK, "--kvinnor", min=0,
                                help="Kronor per listad kvinna 16–54 år (Dalarna: 55)."),
    pott: int = typer.Option(DEFAULT_POT_SEK, "--pott", min=0, help="Gemensam pott i kronor (Dalarna 2026: 2 300 000)."),
    ingen_pott: bool = typer.Option(False, "--ingen-pott", help="Ingen pott: alla belopp betalas fullt ut."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    format: Format = typer.Option(Format.table, "--format", help="table, csv, json eller xlsx."),
    out: Path | None = typer.Option(None, "--out", help="Utfil (krävs för xlsx)."),
) -> None:
    """Tilläggsersättning för familjecentral: kronor per listat barn 0–6 och kvinna 16–54 ur en
    gemensam pott. Överstiger summan potten skalas varje belopp ned i samma proportion och avrundas
    till hela kronor med största-restmetoden, så att beloppen summerar exakt till potten; annars
    betalas summan och det som blir över av potten redovisas. CSV-kolumner: vardcentral, barn,
    kvinnor, belopp_fore_tak, belopp."""
    import pandas as pd

    from fcatlas.economics.payment import addon_payment

    params = _params(barn, kvinnor, pott, ingen_pott)
    res = addon_payment(_centres(db, ar, vardcentraler, fran_registret), params)
    for n in res.notes:
        err_console.print(f"[yellow]Obs:[/] {n}", highlight=False, soft_wrap=True)
    if format is not Format.table:
        _emit(res.table, format, out, "Tilläggsersättning")
        return
    t = res.table.copy()
    total = pd.DataFrame([{"vardcentral": "Summa", "barn": int(t["barn"].sum()),
                           "kvinnor": t["kvinnor"].sum(min_count=1), "belopp_fore_tak": res.total_before_sek,
                           "belopp": res.total_sek}])
    _emit(pd.concat([t, total], ignore_index=True), format, None,
          f"Tilläggsersättning {ar} ({params.label()})",
          money=("barn", "kvinnor", "belopp_fore_tak", "belopp"))
    if res.unused_sek is None:
        console.print(f"Ingen pott: summan {_num(res.total_sek)} kr betalas ut.", highlight=False)
    elif res.scaled:
        console.print(f"Summan {_num(res.total_before_sek)} kr överstiger potten {_num(params.pot_sek or 0)} kr: "
                      f"beloppen skalas ned till {100 * (res.factor or 0):.2f} %".replace(".", ",")
                      + " (största-restmetoden, summerar exakt till potten).", highlight=False)
    else:
        console.print(f"Summan {_num(res.total_sek)} kr ryms i potten {_num(params.pot_sek or 0)} kr; "
                      f"oanvänt: {_num(res.unused_sek)} kr.", highlight=False)


@ekonomi_app.command("jamfor")
def compare_command(
    ar: int = typer.Option(..., "--ar", help="Året vars listade barn och kvinnor används."),
    vardcentraler: Path | None = typer.Option(None, "--vardcentraler", help="Vårdcentraler med tilläggsuppdraget."),
    fran_registret: bool = typer.Option(False, "--fran-registret", help="Vårdcentralerna kopplade till registrets "
                                        "familjecentraler i drift (se 'ekonomi tillagg --help')."),
    barn: int = typer.Option(DEFAULT_RATE_CHILD_SEK, "--barn", min=0, help="A: kronor per barn."),
    kvinnor: int = typer.Option(DEFAULT_RATE_WOMAN_SEK, "--kvinnor", min=0, help="A: kronor per kvinna."),
    pott: int = typer.Option(DEFAULT_POT_SEK, "--pott", min=0, help="A: pott i kronor."),
    barn_b: int | None = typer.Option(None, "--barn-b", min=0, help="B: kronor per barn (standard som A)."),
    kvinnor_b: int | None = typer.Option(None, "--kvinnor-b", min=0, help="B: kronor per kvinna (standard som A)."),
    pott_b: int | None = typer.Option(None, "--pott-b", min=0, help="B: pott i kronor (standard som A)."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    format: Format = typer.Option(Format.table, "--format", help="table, csv, json eller xlsx."),
    out: Path | None = typer.Option(None, "--out", help="Utfil (krävs för xlsx)."),
) -> None:
    """Jämför två parameteruppsättningar av tilläggsersättningen sida vid sida (A och B), t.ex.
    2025 års pott mot 2026 års: --pott 2100000 --pott-b 2300000. CSV-kolumner: vardcentral, barn,
    kvinnor, belopp_a, belopp_b, skillnad."""
    import pandas as pd

    from fcatlas.economics.payment import compare

    a = _params(barn, kvinnor, pott, False)
    b = _params(barn if barn_b is None else barn_b, kvinnor if kvinnor_b is None else kvinnor_b,
                pott if pott_b is None else pott_b, False)
    table, ra, rb = compare(_centres(db, ar, vardcentraler, fran_registret), a, b)
    if format is not Format.table:
        _emit(table, format, out, "Jämförelse")
        return
    total = pd.DataFrame([{"vardcentral": "Summa", "barn": int(table["barn"].sum()),
                           "kvinnor": table["kvinnor"].sum(min_count=1), "belopp_a": ra.total_sek,
                           "belopp_b": rb.total_sek, "skillnad": rb.total_sek - ra.total_sek}])
    _emit(pd.concat([table, total], ignore_index=True), format, None, f"Tilläggsersättning {ar}: A mot B",
          money=("barn", "kvinnor", "belopp_a", "belopp_b", "skillnad"))
    for tag, p, r in (("A", a, ra), ("B", b, rb)):
        rest = "" if r.unused_sek is None else (" (nedskalat till potten)" if r.scaled
                                                 else f" (oanvänt {_num(r.unused_sek)} kr)")
        console.print(f"{tag}: {p.label()} → {_num(r.total_sek)} kr{rest}".replace(" kr,", " kr,"), highlight=False)


@ekonomi_app.command("besok")
def visits_command(
    file: Path = typer.Argument(..., help="Besöksfil: Listad vid, Besökt, Antal, ev. År."),
    ar: int | None = typer.Option(None, "--ar", help="Bara besök detta år (kräver kolumnen År)."),
    pris: int = typer.Option(DEFAULT_VISIT_PRICE_SEK, "--pris", min=0, help="Kronor per besök (Dalarna: 600)."),
    db: str | None = typer.Option(None, "--db", help="Pröva att varje vårdcentral finns bland de listade i databasen "
                                  "(för --ar, annars senaste året)."),
    visa: Visa = typer.Option(Visa.par, "--visa", help="par (brutto och netto per par) eller saldo (per vårdcentral)."),
    format: Format = typer.Option(Format.table, "--format", help="table, csv, json eller xlsx."),
    out: Path | None = typer.Option(None, "--out", help="Utfil (krävs för xlsx)."),
) -> None:
    """Avräkning av besök på en annan vårdcentrals familjecentral ("otrohetsbesök"): den
    vårdcentral där familjen är listad betalar den besökta ett pris per besök. Visar brutto och
    netto (kvittat) per par och varje vårdcentrals nettoposition; nettopositionerna summerar till noll."""
    from fcatlas.services.economics import settle_visit_file

    s = settle_visit_file(file=file, year=ar, price=pris, url=database_url(db) if db is not None else None)
    df = s.pairs if visa is Visa.par else s.positions
    money = tuple(c for c in df.columns if c not in ("vardcentral_a", "vardcentral_b", "netto_betalare",
                                                     "netto_mottagare", "vardcentral"))
    _emit(df, format, out, "Avräkning per par" if visa is Visa.par else "Nettoposition per vårdcentral", money=money)
    if format is Format.table:
        console.print(f"{pris} kr per besök. Brutto {_num(s.gross_sek)} kr, efter kvittning {_num(s.netted_sek)} kr; "
                      "nettopositionerna summerar till 0 kr.", highlight=False)


@ekonomi_app.command("kostnad")
def cost_command(
    belopp: int = typer.Option(..., "--belopp", min=0, help="Kostnaden i hela kronor (hyra, el, samordnare …)."),
    andelar: Path | None = typer.Option(None, "--andelar", help="Fil med Part och Yta (m²) eller Andel (%), ev. Tak "
                                        "(t.ex. 50 % eller ett belopp i kronor)."),
    lika: bool = typer.Option(False, "--lika", help="Dela lika på de fyra verksamheterna (MVC, BVC, ÖF, SOC)."),
    format: Format = typer.Option(Format.table, "--format", help="table, csv, json eller xlsx."),
    out: Path | None = typer.Option(None, "--out", help="Utfil (krävs för xlsx)."),
) -> None:
    """Dela en kostnad i hela kronor: efter andel av hyrd yta (en kommun med 45 % av ytan betalar
    45 % av elen), efter överenskomna andelar (ska summera till 100 %) eller lika på de fyra
    verksamheterna. En part kan ha ett tak (Västmanland: regionen betalar högst 50 % av hyran);
    det taket inte bär delas på de andra efter deras vikter. Delarna summerar alltid exakt till
    kostnaden. CSV-kolumner: part, vikt, andel_procent, tak, belopp_utan_tak, belopp."""
    from fcatlas.economics.costs import Party, equal_parties, split_cost
    from fcatlas.economics.errors import EconomicsError
    from fcatlas.economics.intake import read_shares

    if (andelar is None) == (not lika):
        raise ConfigError("ange antingen --andelar FIL eller --lika")
    if andelar is not None:
        rows = read_shares(andelar)
        parties = [Party(r.party, r.weight, r.cap_share, r.cap_sek) for r in rows]
        try:
            table = split_cost(belopp, parties)
        except EconomicsError as exc:
            raise InputFileError(andelar, str(exc), column="Tak" if "tak" in str(exc) else None) from None
    else:
        table = split_cost(belopp, equal_parties())
    _emit(table, format, out, f"Fördelning av {_num(belopp)} kr", money=("tak", "belopp_utan_tak", "belopp"))
    if format is Format.table:
        console.print(f"Summa: {_num(int(table['belopp'].sum()))} kr (exakt kostnaden).", highlight=False)


@ekonomi_app.command("prognos")
def outlook_command(
    bundle: Path = typer.Option(..., "--bundle", help="Datapaketet (fcatlas data build)."),
    niva: PrognosNiva = typer.Option(PrognosNiva.kommun, "--niva", help="kommun eller regso."),
    lan: str | None = typer.Option(None, "--lan", help="Bara ett län (t.ex. 20)."),
    kommun: str | None = typer.Option(None, "--kommun", help="Bara en kommun (t.ex. 2080)."),
    till: int = typer.Option(2030, "--till", help="Sista prognosår."),
    band: float = typer.Option(2.0, "--band", min=0.0, max=50.0,
                               help="Minsta osäkerhet i intervallet, procent av senaste värdet per år."),
    format: Format = typer.Option(Format.table, "--format", help="table, csv, json eller xlsx."),
    out: Path | None = typer.Option(None, "--out", help="Utfil (krävs för xlsx)."),
) -> None:
    """Prognos för barn 0–6 år per kommun eller RegSO till 2030 ur datapaketets år, med metod och
    ett intervall lågt–högt; varje prognosvärde är märkt prognos = true. Observerade år står
    med (prognos = false)."""
    from fcatlas.economics.outlook import outlook
    from fcatlas.geography.bundle import Bundle
    from fcatlas.services.outlook import children_series

    s = children_series(Bundle.open(bundle), niva.value, lan=lan, kommun=kommun)
    res = outlook(s, niva.value, till, Fraction(str(band)) / 100)
    if format is Format.table:
        last_seen = res.loc[~res["prognos"]].groupby("kod")["ar"].max()
        keep = (res["ar"] == till) | (~res["prognos"] & (res["ar"] == res["kod"].map(last_seen)))
        shown = res.loc[keep].drop(columns=["metod", "niva"])
        shown["prognos"] = shown["prognos"].map({True: "prognos", False: "observerat"})
        shown["skattat"] = shown["skattat"].map({True: "ja", False: "nej"})
        _emit(shown, format, None, f"Barn 0–6 år: senaste år och prognos {till} (alla år med --format csv)",
              money=("barn_0_6", "lag", "hog"))
        console.print(f"PROGNOS — metod: {res.attrs['metod']}.", highlight=False)
        if bool(res["skattat"].any()):
            console.print("Underlaget är skattat (folkmängd × andel barn 0–6 år); prognosen är lika osäker.",
                          highlight=False)
        return
    _emit(res, format, out, "Prognos")


listade_app.command("prognos", help="Samma som 'fcatlas ekonomi prognos': barn 0–6 år per kommun eller RegSO till "
                    "2030 ur datapaketet, med metod och intervall.")(outlook_command)
