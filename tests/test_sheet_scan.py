"""The worksheet editor's fast lane (``kpi_core.authoring.sheet_scan``) finds what expat
finds: the same rows, formula cells, cells, spans and texts, on every worksheet of the
committed workbooks, of what close-period, returns, openpyxl and LibreOffice write, and
on hand-made sheets in every shape the fast lane must read or decline (prefixed
namespace, rows and cells without ``r``, shared formulas, rich inline strings, empty
``v``, comments, CDATA, entities in attributes)."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from kpi_core.authoring import package
from kpi_core.authoring.package import SheetXml
from kpi_core.authoring.returns import write_returns
from tests.returns_books import closed_demo, fill_with_openpyxl

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "workbook_templates").glob("*.xls[xm]"))
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def outline(sheet: SheetXml) -> dict:
    return {
        "prefix": sheet.prefix, "sheet_data": sheet.sheet_data, "dimension": sheet.dimension,
        "col_styles": sheet.col_styles,
        "rows": [(r.number, r.start, r.end, r.tag_end, r.has_r, r.attrs) for r in sheet.rows],
        "formulas": [(c.row, c.col, c.start, c.kind, c.style, c.has_r, c.formula)
                     for c in sheet.formulas],
        "cells": [(c.row, c.col, c.start, c.end, c.kind, c.style, c.has_r, c.formula,
                   c.formula_text, c.value_span, c.inline_span, c.value_text)
                  for c in sheet.cells.values()],
    }


def both_lanes(data: bytes) -> tuple[dict, dict, bool]:
    """(fast lane's outline, expat's, whether the fast lane read the rows and every
    row's cells)."""
    fast = SheetXml(data, "sheet.xml")
    plain = fast._plain  # noqa: SLF001 (which lane ran is what is tested)
    used = plain is not None and all(plain.cells(r.tag_end, r.end) is not None
                                     for r in fast.rows if r.tag_end != r.end)
    try:
        SheetXml.fast = False
        slow = SheetXml(data, "sheet.xml")
    finally:
        SheetXml.fast = True
    return outline(fast), outline(slow), used


def worksheets(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as z:
        return [(n, z.read(n)) for n in z.namelist()
                if n.startswith("xl/worksheets/") and n.endswith(".xml")]


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("lanes")
    book = closed_demo(folder / "closed.xlsx")
    returns = write_returns(book, folder / "r")
    filled = fill_with_openpyxl(returns[1], {"CF01": {"Current": 0.7, "Notes": "a & b < c"}},
                                folder / "filled.xlsx")
    out = [book, returns[0], filled]
    if shutil.which("soffice"):
        run = subprocess.run(["soffice", "--headless", "--norestore",
                              f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                              "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir",
                              str(folder / "lo"), str(filled)],
                             capture_output=True, timeout=180)
        if run.returncode == 0 and (folder / "lo" / "filled.xlsx").exists():
            out.append(folder / "lo" / "filled.xlsx")
    return out


def test_every_worksheet_written_by_us_excel_and_others_reads_the_same(written):
    books = TEMPLATES + written
    seen = 0
    for book in books:
        for name, data in worksheets(book):
            fast, slow, used = both_lanes(data)
            assert fast == slow, f"{book.name}:{name}"
            seen += used
    assert seen >= len(books)  # the fast lane did read them (it does not just decline)


def _sheet(rows: str, prefix: str = "", extra: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<{p}worksheet {ns} xmlns:x14ac="urn:x14ac" {extra}><{p}dimension ref="A1:C3"/>'
            f'<{p}cols><{p}col min="1" max="2" width="9" style="4"/></{p}cols>'
            f'<{p}sheetData>{rows}</{p}sheetData><{p}pageMargins left="0.7"/></{p}worksheet>'
            ).encode()


PLAIN = [
    # numbers, shared strings, styles, booleans, errors, rows with x14ac attributes
    '<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" s="2" t="s"><v>0</v></c>'
    '<c r="B1"><v>0.71</v></c><c r="C1" t="b"><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="e"><v>#DIV/0!</v></c><c r="B2" s="3"/></row>',
    # rows and cells without r; an empty row; an empty v
    '<row><c><v>1</v></c><c t="str"><v></v></c></row><row/><row r="5"><c><v/></c></row>',
    # shared formulas, a formula with text that needs unescaping, an array
    '<row r="1"><c r="A1"><f t="shared" ref="A1:A3" si="0">B1&amp;"x"&lt;2</f><v>1</v></c>'
    '<c r="B1"><f>SUM(A1:A2)</f></c></row><row r="2"><c r="A2"><f t="shared" si="0"/>'
    '<v>2</v></c><c r="B2"><f t="array" ref="B2:B3">A1:A2*2</f><v>2</v></c></row>',
    # rich inline strings, phonetic runs, entities in text
    '<row r="1"><c r="A1" t="inlineStr"><is><r><rPr><b/></rPr><t>a</t></r><r><t xml:space="preserve"'
    '> b &amp; c</t></r><rPh sb="0" eb="1"><t>x</t></rPh></is></c><c r="B1" t="inlineStr">'
    '<is><t>&#65;&#x42;</t></is></c></row>',
    # whitespace between rows and cells, as some writers indent
    '\n  <row r="1">\n    <c r="A1"><v>1</v></c>\n  </row>\n',
]
DECLINED = [
    '<row r="1"><!-- a comment --><c r="A1"><v>1</v></c></row>',
    '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[a<b]]></t></is></c></row>',
    '<row r="1" spans="1:1" x:foo="a&amp;b"><c r="A1"><v>1</v></c></row>',
    "<row r='1'><c r='A1'><v>1</v></c></row>",
    '<row r="1"><c r="A1"><v>1</v><extLst/></c></row>',
]


@pytest.mark.parametrize("prefix", ["", "x"])
@pytest.mark.parametrize("rows", PLAIN)
def test_plain_shapes_are_read_by_the_fast_lane_as_expat_reads_them(rows, prefix):
    data = _sheet(rows.replace("<", "<x:").replace("<x:/", "</x:") if prefix else rows, prefix)
    if prefix:  # the prefix on every element of the main namespace, none on others
        data = data.replace(b"<x:/", b"</x:").replace(b"<x:!", b"<!")
    fast, slow, used = both_lanes(data)
    assert fast == slow
    assert used


@pytest.mark.parametrize("rows", DECLINED)
def test_other_shapes_are_left_to_expat(rows):
    fast, slow, used = both_lanes(_sheet(rows, extra='xmlns:x="urn:x"'))
    assert fast == slow
    assert not used or "extLst" in rows  # a cell of another shape: that row alone by expat


def test_edits_render_the_same_by_either_lane():
    data = _sheet(PLAIN[0] + PLAIN[2].replace('r="1"', 'r="7"').replace("A1", "A7")
                  .replace("B1", "B7").replace('r="2"', 'r="8"').replace("A2", "A8")
                  .replace("B2", "B8").replace("A1:A3", "A7:A9").replace("B2:B3", "B8:B9")
                  .replace("A1:A2", "A7:A8"))
    edits = {(1, 2): b'<c r="B1"><v>5</v></c>', (2, 3): b'<c r="C2"><v>6</v></c>',
             (4, 1): b'<c r="A4"><v>7</v></c>'}
    fast = SheetXml(data, "s.xml")
    try:
        SheetXml.fast = False
        slow = SheetXml(data, "s.xml")
    finally:
        SheetXml.fast = True
    assert fast.render(edits) == slow.render(edits)
    assert package.SheetXml.fast is True
