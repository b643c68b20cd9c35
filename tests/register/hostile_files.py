"""Hostile files of issue 21, written the way the outside probe wrote them (for the tests and
``benchmarks/hostile_inputs.py``): a CSV with a million columns, a workbook with one row of five
million cells, one with a million empty formatted rows, and 10,000 units in one kommun whose
names differ only by a number."""

from __future__ import annotations

import zipfile
from pathlib import Path


def wide_csv(columns: int) -> bytes:
    """A header of ``columns`` columns (about 9.9 MB for a million) and one data row."""
    head = "Namn;Kommun;" + ";".join(f"k{i:07d}" for i in range(columns - 2))
    return (head + "\r\nFamiljecentral X;Falun\r\n").encode("utf-8")


_CT = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
       b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
       b'+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
       b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
       b'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       b'spreadsheetml.worksheet+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_BOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
         b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
         b'<sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_BOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
              b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
              b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def hand_made_xlsx(path: Path, sheet_chunks, prolog: bytes = b"") -> Path:  # type: ignore[no-untyped-def]
    """A minimal workbook whose sheet XML is written from ``sheet_chunks`` (bytes), streamed."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _BOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8"?>' + prolog + b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main"><sheetData>')
            for chunk in sheet_chunks:
                f.write(chunk)
            f.write(b"</sheetData></worksheet>")
    return path


def head_row() -> bytes:
    return (b'<row r="1"><c r="A1" t="inlineStr"><is><t>Namn</t></is></c><c r="B1" t="inlineStr"><is><t>Kommun</t>'
            b'</is></c></row>')


def five_million_cells(path: Path) -> Path:
    def chunks():  # type: ignore[no-untyped-def]
        yield head_row() + b'<row r="2">'
        for _ in range(50):
            yield b"<c><v>1</v></c>" * 100_000
        yield b"</row>"
    return hand_made_xlsx(path, chunks())


def million_empty_rows(path: Path) -> Path:
    def chunks():  # type: ignore[no-untyped-def]
        yield head_row() + b'<row r="2"><c r="A2" t="inlineStr"><is><t>Familjecentral X</t></is></c>' \
                        b'<c r="B2" t="inlineStr"><is><t>Falun</t></is></c></row>'
        for start in range(3, 1_000_003, 10_000):
            yield b"".join(b'<row r="%d" s="1" customFormat="1"><c r="A%d" s="1"/></row>' % (r, r)
                           for r in range(start, start + 10_000))
    return hand_made_xlsx(path, chunks())




def similar_names_file(path: Path, n: int = 10_000) -> Path:
    """``n`` units in Falun named "Enhet 00001 Norr", "Enhet 00002 Norr" …, each with its own
    position (a grid 110 m apart, so none are within 50 m of another)."""
    lines = ["Namn;Kommunkod;Typ;Status;Latitud;Longitud"]
    side = int(n ** 0.5) + 1
    for i in range(n):
        lat, lon = 60.56 + (i // side) * 0.001, 15.55 + (i % side) * 0.002
        lines.append(f"Enhet {i + 1:05d} Norr;2080;familjecentral;i drift;{lat:.6f};{lon:.6f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
