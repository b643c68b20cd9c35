"""The region's own words: a Markdown file split at place markers, rendered to safe HTML.

The file is ordinary Markdown. A line ``<!-- plats: NAMN -->`` starts the text for one of the
report's places (:data:`PLACES`); text before the first marker goes to ``inledning``. Raw HTML
in the file is shown as text (escaped), images are not rendered (the report makes no external
requests), and links keep only safe schemes (markdown-it's own check).

>>> split_places("Vår bakgrund.\\n<!-- plats: rekommendationer -->\\n* Fler centraler")["rekommendationer"]
'* Fler centraler'
>>> to_html("<script>x</script> **fet**")
'<p>&lt;script&gt;x&lt;/script&gt; <strong>fet</strong></p>\\n'
"""

from __future__ import annotations

import re
from pathlib import Path

from fcatlas.errors import InputFileError

#: Place name → where it appears in the report (Swedish, for messages and --help).
PLACES: dict[str, str] = {
    "inledning": "före sammanfattningen (bakgrund, syfte, metod)",
    "familjecentraler": "sist i avsnittet om familjecentralerna (t.ex. intervjuer)",
    "socioekonomi": "sist i avsnittet om socioekonomi",
    "tackning": "sist i avsnittet om täckning och luckor",
    "styrning": "sist i avsnittet om styrning",
    "statsbidrag": "sist i avsnittet om statsbidraget",
    "rekommendationer": "eget avsnitt sist (regionens slutsatser och fortsatt arbete)",
}
_MARKER = re.compile(r"^\s*<!--\s*plats\s*:\s*([^>]*?)\s*-->\s*$", re.IGNORECASE)
MAX_BYTES = 2_000_000


def split_places(text: str, file: str | Path = "text") -> dict[str, str]:
    """Markdown text → ``{place: markdown}``; an unknown or repeated place is an
    :class:`~fcatlas.errors.InputFileError` naming the line."""
    out: dict[str, list[str]] = {}
    current = "inledning"
    for i, line in enumerate(text.splitlines(), start=1):
        m = _MARKER.match(line)
        if m:
            name = m.group(1).strip().lower().replace("ä", "a").replace("å", "a").replace("ö", "o")
            if name not in PLACES:
                raise InputFileError(file, f"okänd plats {m.group(1)!r}; välj bland {', '.join(PLACES)}", row=i)
            if name in out and name != "inledning":
                raise InputFileError(file, f"platsen {name!r} förekommer två gånger", row=i)
            current = name
            out.setdefault(current, [])
            continue
        out.setdefault(current, []).append(line)
    return {k: "\n".join(v).strip() for k, v in out.items() if "\n".join(v).strip()}


def read_text_sections(path: str | Path) -> dict[str, str]:
    """Read and split the region's Markdown file (UTF-8, with or without BOM)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputFileError(p, "filen finns inte") from None
    except OSError as exc:
        raise InputFileError(p, f"filen kunde inte läsas ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise InputFileError(p, f"filen är större än {MAX_BYTES // 1_000_000} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFileError(p, "filen är inte UTF-8-text (spara den som UTF-8)", row=line) from None
    return split_places(text, p)


def to_html(markdown: str) -> str:
    """Safe HTML of a Markdown text (CommonMark + tables; raw HTML escaped; no images)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table").disable("image")
    return str(md.render(markdown))
