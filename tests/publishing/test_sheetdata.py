"""The rows written as XML text (publishing/sheetdata.py) give the same workbook as every
cell written through XlsxWriter's own cell API: compared as normalised cell dumps read
back with openpyxl (values, types, formats, tables, sheet properties), never as bytes,
on the sample, the demo, the synthetic workbooks and the mixed test assessments."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kpi_core.pipeline import assess_workbook
from kpi_core.publishing.scorecard import build_scorecard
from kpi_core.publishing.xlsx import render_workbook
from kpi_core.reading.workbook import read_workbook
from tests.support.paths import TEMPLATES
from tests.support.scorecard_samples import SETTINGS, mixed_assessments


def _colour(colour) -> str | None:
    return None if colour is None else (colour.rgb if colour.type == "rgb" else repr(colour))


def _side(side) -> tuple:
    return (side.style, _colour(side.color))


def _cell(cell) -> tuple:
    font, fill, border, align = cell.font, cell.fill, cell.border, cell.alignment
    return (cell.value, cell.data_type, cell.number_format,
            (font.name, font.sz, font.b, font.i, font.u, _colour(font.color)),
            (fill.fill_type, _colour(fill.fgColor)),
            tuple(_side(s) for s in (border.left, border.right, border.top, border.bottom)),
            (align.horizontal, align.vertical, align.wrap_text),
            cell.hyperlink.location if cell.hyperlink else None)


def cell_dump(path) -> dict:
    """Every sheet's cells (value, type, number format, font, fill, border, alignment,
    link), row heights, column widths, tables, print and view settings, charts."""
    wb = openpyxl.load_workbook(path)
    out = {"sheets": wb.sheetnames, "title": wb.properties.title,
           "language": wb.properties.language}
    for ws in wb.worksheets:
        ps = ws.page_setup
        out[ws.title] = {
            "dimensions": ws.dimensions,
            "cells": {c.coordinate: _cell(c) for row in ws.iter_rows() for c in row
                      if c.value is not None or c.has_style},
            "heights": {r: d.height for r, d in ws.row_dimensions.items() if d.height},
            "columns": {k: (d.width, d.hidden) for k, d in ws.column_dimensions.items()},
            "tables": {t.name: (t.ref, t.autoFilter.ref if t.autoFilter else None,
                                t.tableStyleInfo.name,
                                [c.name for c in t.tableColumns])
                       for t in ws.tables.values()},
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "freeze": ws.freeze_panes, "print_area": ws.print_area,
            "print_titles": ws.print_title_rows,
            "page": (ps.orientation, ps.paperSize, ps.fitToWidth, ps.fitToHeight),
            "margins": (ws.page_margins.left, ws.page_margins.top),
            "footer": ws.oddFooter.left.text, "gridlines": ws.sheet_view.showGridLines,
            "charts": [(type(c).__name__, c.anchor._from.row, c.anchor._from.col)
                       for c in ws._charts],
        }
    return out


def _charts(path) -> dict[str, bytes]:
    """The charts' parts, with their cached figures (they hold no date or index)."""
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.startswith("xl/charts/")}


def _sparklines(path) -> dict[str, list[str]]:
    """Each sheet's sparkline groups as written (openpyxl does not read them)."""
    with zipfile.ZipFile(path) as zf:
        return {name: re.findall(r"<x14:sparklineGroups.*?</x14:sparklineGroups>",
                                 zf.read(name).decode())
                for name in zf.namelist() if name.startswith("xl/worksheets/sheet")}


def shared_string_counts(path) -> tuple[int, int, int, int]:
    """(count, uniqueCount) of the shared strings, and the text cells and strings there are."""
    with zipfile.ZipFile(path) as zf:
        sst = zf.read("xl/sharedStrings.xml").decode()
        cells = sum(zf.read(n).decode().count(' t="s"') for n in zf.namelist()
                    if n.startswith("xl/worksheets/sheet"))
    count = int(re.search(r'\bcount="(\d+)"', sst).group(1))
    unique = int(re.search(r'uniqueCount="(\d+)"', sst).group(1))
    return count, unique, cells, sst.count("<si>")


def _both(card, tmp_path: Path, **options) -> tuple[Path, Path]:
    direct, cells = tmp_path / "direct.xlsx", tmp_path / "cells.xlsx"
    render_workbook(card, direct, **options)
    render_workbook(card, cells, direct=False, **options)
    return direct, cells


def _card_of(book: Path):
    workbook = read_workbook(book)
    return build_scorecard(assess_workbook(workbook), workbook.settings)


def _assert_same(direct: Path, cells: Path) -> None:
    assert cell_dump(direct) == cell_dump(cells)
    assert _sparklines(direct) == _sparklines(cells)
    assert _charts(direct) == _charts(cells)
    count, unique, text_cells, strings = shared_string_counts(direct)
    assert count == text_cells and unique == strings


@pytest.mark.parametrize("name", ["performance_workbook.xlsx", "demo_performance_workbook.xlsx"])
def test_templates(name, tmp_path):
    _assert_same(*_both(_card_of(TEMPLATES / name), tmp_path))


def test_text_trends(tmp_path):
    card = _card_of(TEMPLATES / "demo_performance_workbook.xlsx")
    _assert_same(*_both(card, tmp_path, text_trends=True))


def test_mixed_assessments(tmp_path):
    _assert_same(*_both(build_scorecard(mixed_assessments(), SETTINGS), tmp_path))


@pytest.mark.parametrize("kind", ["plain", "history"])
def test_synthetic(kind, tmp_path):
    from benchmarks.synthetic import history_workbook_path, workbook_path
    book = (workbook_path if kind == "plain" else history_workbook_path)(1_000)
    _assert_same(*_both(_card_of(book), tmp_path))


def test_shared_string_count_without_direct(tmp_path):
    """XlsxWriter's own path counts each text cell once too (an Excel table's header
    is not counted twice)."""
    cells = tmp_path / "cells.xlsx"
    render_workbook(build_scorecard(mixed_assessments(), SETTINGS), cells, direct=False)
    count, unique, text_cells, strings = shared_string_counts(cells)
    assert count == text_cells and unique == strings


def test_awkward_text(tmp_path):
    """Text past Excel's limit (in UTF-16 units too), control characters, escape
    lookalikes, XML's own characters, edge spaces: the same cells both ways."""
    from dataclasses import replace

    import xlsxwriter.utility

    items = list(mixed_assessments())
    awkward = ["x" * 40_000, "bell\x07 tab\t _x0041_ <b>&amp;</b>", "  spaced  ",
               "line\r\nbreak\n"]
    if hasattr(xlsxwriter.utility, "_utf16_truncate"):  # XlsxWriter cuts to Excel's limit too
        awkward.append("\U0001F600" * 20_000)  # 40,000 UTF-16 units
    for i, text in enumerate(awkward):
        items[i] = replace(items[i], measure=replace(items[i].measure, notes=text,
                                                      name=text[:300]))
    _assert_same(*_both(build_scorecard(tuple(items), SETTINGS), tmp_path))


def _direct_book(tmp_path: Path, stray: tuple[int, int] | None):
    import xlsxwriter

    from kpi_core.publishing.sheetdata import DirectWorksheet, SheetRows

    book = xlsxwriter.Workbook(str(tmp_path / "direct.xlsx"))
    ws = book.add_worksheet("Sheet", DirectWorksheet)
    rows = SheetRows(ws, {"text": book.add_format()})
    for r in range(3):
        parts: list[str] = []
        rows.text(parts, str(r + 1), 0, f"row {r + 1}", "text")
        rows.end_row(r, parts, 0, 0)
    rows.finish()
    ws.add_table(0, 0, 2, 0, {"columns": [{"header": "row 1"}]})
    if stray is not None:
        ws.write_string(*stray, "lost")
    return book


def test_a_cell_written_through_xlsxwriter_into_a_row_of_xml_text_is_an_error(tmp_path):
    _direct_book(tmp_path, None).close()  # the table's own header cell is not one
    assert openpyxl.load_workbook(tmp_path / "direct.xlsx")["Sheet"]["A3"].value == "row 3"
    with pytest.raises(RuntimeError, match="would be lost: \\['C2'\\]"):
        _direct_book(tmp_path, (1, 2)).close()


def test_shared_strings_are_the_bytes_xlsxwriter_writes(tmp_path):
    """Our shared strings part, written in one join where a text needs no escape, is
    XlsxWriter's own byte for byte, over texts with everything its writer changes."""
    import xlsxwriter
    from kpi_core.publishing import xlsx as ours
    texts = ["plain", "two\nlines", 'say "x"', "a & b", "<r>rich?</r>", "x < y > z",
             " lead", "trail ", "\ttab", "nbsp\u00a0", "bell\x07", "_x000D_ kept",
             "_x12_ not one", "a_x0041_b", "_xyzw_ no", "\ufffe odd", "", "line\r\nend",
             "é ü 😀"]
    written = {}
    for name, writer in (("ours", ours._Workbook),
                         ("xlsxwriter", xlsxwriter.Workbook)):
        path = tmp_path / f"{name}.xlsx"
        wb = writer(str(path), {"in_memory": True})
        ws = wb.add_worksheet()
        for r, text in enumerate(texts):
            ws.write_string(r, 0, text)
        wb.close()
        with zipfile.ZipFile(path) as zf:
            written[name] = zf.read("xl/sharedStrings.xml")
    assert written["ours"] == written["xlsxwriter"]
    assert b"two\nlines" in written["ours"] and b"_x0007_" in written["ours"]


@pytest.mark.parametrize("sheet_name", ["Trends", "Planning & Environment", "A <b> c",
                                        "it's _x0041_ here", "Q1 2016-17"])
def test_sparklines_are_the_xml_xlsxwriter_writes(tmp_path, sheet_name):
    """The sparkline group put together as one text on a DirectWorksheet is XlsxWriter's
    own writer's XML, byte for byte: ranges and a single cell, columns past Z, and sheet
    names XML escapes."""
    import io

    import xlsxwriter
    from xlsxwriter.worksheet import Worksheet

    from kpi_core.publishing.sheetdata import DirectWorksheet, add_sparkline_group

    first = 10  # K
    sparklines = [(r, 6, first + 7) for r in range(4, 40)] + [(40, 6, first), (41, 30, 40)]
    written = {}
    for kind in (DirectWorksheet, Worksheet):
        book = xlsxwriter.Workbook(str(tmp_path / f"{kind.__name__}.xlsx"))
        ws = book.add_worksheet(sheet_name, kind)
        add_sparkline_group(ws, first, sparklines, {"markers": True})
        ws.fh = io.StringIO()
        for group in ws.sparklines:
            ws._write_sparklines(group)
        written[kind] = ws.fh.getvalue()
        book.close()
    assert written[DirectWorksheet] == written[Worksheet]
    assert written[Worksheet].count("<x14:sparkline>") == 38
    assert ":AO42</xm:f><xm:sqref>AE42<" in written[Worksheet]
    assert "!K41</xm:f><xm:sqref>G41<" in written[Worksheet]


@pytest.mark.parametrize("sheet_name", ["Trends", "Planning & Environment", "it's here",
                                        "Q1 2016-17"])
def test_a_sparkline_group_is_the_group_xlsxwriter_makes(tmp_path, sheet_name):
    """add_sparkline_group (the group's settings worked out once) gives the group
    XlsxWriter's add_sparkline gives, on a first sheet and on the ones after it."""
    import xlsxwriter

    from kpi_core.publishing.sheetdata import add_sparkline_group
    from kpi_core.publishing.xlsx import SPARKLINE_COLOURS

    options = {"markers": False, "first_point": True, "last_point": True,
               "high_point": True, "low_point": True, "show_hidden": True,
               "empty_cells": "gaps", "weight": 1.25, **SPARKLINE_COLOURS}
    sparklines = [(r, 6, 17) for r in range(4, 58)] + [(58, 6, 10)]
    locations = [f"G{r}" for r in range(5, 60)]
    ranges = [f"K{r}:R{r}" for r in range(5, 59)] + ["K59"]
    groups = {}
    for kind in ("ours", "theirs"):
        book = xlsxwriter.Workbook(str(tmp_path / f"{kind}.xlsx"))
        for i in range(2):
            ws = book.add_worksheet(f"{sheet_name} {i}")
            if kind == "ours":
                add_sparkline_group(ws, 10, sparklines, options)
            else:
                ws.add_sparkline(0, 0, {"location": locations, "range": ranges, **options})
            # XlsxWriter's colours do not compare: their reprs do
            groups[kind, i] = [{k: repr(v) for k, v in g.items()} for g in ws.sparklines]
        book.close()
    for i in range(2):
        assert groups["ours", i] == groups["theirs", i]
        assert len(groups["ours", i][0]["ranges"]) > 500  # a list of 55, in a repr
