"""An officer's own workbook (SPEC section 3): a plain range under title rows,
their headers (synonyms, line breaks saved by Excel as ``_x000D_``), their own columns
and a totals row; read from the file and live, with the same statuses as the sample."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from addin.live import read_live_workbook
from kpi_core.pipeline import assess_workbook
from kpi_core.reading.workbook import read_workbook
from kpi_core.reading.xlsx import read_sheet, read_tables
from tests.support.live_fakes import FakeBook, FakeRange, FakeSheet
from workbook_templates import sample_data
from tests.support.paths import SAMPLE


#: Their headers -> the sample's field they hold (None: a column of their own).
OFFICER_COLUMNS = {
    "Directorate": "Portfolio", "Lead\r\nMember": "Cabinet Member", "Ref": "Ref",
    "Indicator": "Measure", "Good is": "Polarity", "Target\r\n2016/17": None,
    "Target": "Target", "Actual": "Current", "Commentary": "Notes",
    "Officer\r\nlead": None, "RAG last\r\nquarter": None,
}


def officer_book(path: Path, *, sheet: str = "Measures", totals: str = "below",
                 settings: list[list[str]] | None = None) -> Path:
    """The sample's measures as an officer keeps them: two title rows and a blank row,
    a margin column, headers of their own, percent cells, a totals row."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    pct = wb.add_format({"num_format": "0%"})
    ws.write_string(0, 1, sample_data.AUTHORITY)
    ws.write_string(1, 1, f"{sample_data.PORTFOLIO} performance indicators, {sample_data.PERIOD}")
    top, left = 3, 1
    headers = list(OFFICER_COLUMNS)
    for ci, h in enumerate(headers):
        ws.write_string(top, left + ci, h)
    for ri, m in enumerate(sample_data.MEASURES, start=1):
        for ci, (header, field) in enumerate(OFFICER_COLUMNS.items()):
            value = m.get(field) if field else {"Officer\r\nlead": "J. Smith",
                                                "RAG last\r\nquarter": "Red",
                                                "Target\r\n2016/17": "see plan"}[header]
            if field == "Polarity" and value == "Lower is better":
                value = "Lower is better\r\n"  # a line break typed after the word
            if value is None:
                continue
            if isinstance(value, float):
                ws.write_number(top + ri, left + ci, value, pct)
            else:
                ws.write_string(top + ri, left + ci, value)
    last = top + len(sample_data.MEASURES)
    totals_row = last + (1 if totals == "below" else 2)
    ws.write_string(totals_row, left, "Total measures")
    ws.write_number(totals_row, left + headers.index("Actual"), 14)
    ws.write_string(totals_row + 3, left, "Source: children's social care system, 30 Sept 2016")
    if settings is not None:
        ss = wb.add_worksheet("Settings")
        ss.write_row(0, 0, ["Setting", "Value"])
        for ri, row in enumerate(settings, start=1):
            ss.write_row(ri, 0, row)
        ss.add_table(0, 0, len(settings), 1, {"name": "Settings", "columns": [
            {"header": "Setting"}, {"header": "Value"}]})
    wb.close()
    return path


def _statuses(book) -> dict[str, str]:
    return {a.measure.ref: a.status.value for a in assess_workbook(book)}


SAMPLE_STATUSES = _statuses(read_workbook(SAMPLE))


def test_line_breaks_are_saved_as_excel_does(tmp_path):
    path = officer_book(tmp_path / "officer.xlsx")
    with zipfile.ZipFile(path) as zf:
        strings = zf.read("xl/sharedStrings.xml").decode()
    assert "Lead_x000D_\nMember" in strings and "Lower is better_x000D_\n" in strings
    assert not read_tables(path).tables  # no Excel table at all


@pytest.mark.parametrize("totals", ["below", "after a blank row"])
def test_officer_workbook_gives_the_sample_statuses(tmp_path, totals):
    book = read_workbook(officer_book(tmp_path / "officer.xlsx", totals=totals))
    assert [p.text for p in book.errors] == []
    assert _statuses(book) == SAMPLE_STATUSES
    assert len(book.measures) == 14 and book.measures[0].row == 5
    sample = {m.ref: m for m in read_workbook(SAMPLE).measures}
    for m in book.measures:
        s = sample[m.ref]
        assert (m.name, m.portfolio, m.cabinet_member, m.polarity, m.unit, m.target,
                m.current, m.notes) == (s.name, s.portfolio, s.cabinet_member, s.polarity,
                                        s.unit, s.target, s.current, s.notes)
    used = {c.name: (c.header, c.cell, c.how) for c in book.columns}
    assert used["Cabinet Member"][:2] == ("Lead Member", "C4")
    assert used["Current"] == ("Actual", "I4", "name") and used["Polarity"][0] == "Good is"
    assert len(used) == 8  # their own three columns are left alone


def test_settings_measures_sheet_and_column_rows(tmp_path):
    path = officer_book(tmp_path / "officer.xlsx", sheet="KPIs 2016-17", settings=[
        ["Measures Sheet", "kpis 2016-17"], ["Column: Target", "Target 2016/17"],
        ["Period", "Q2 2016/17"]])
    book = read_workbook(path)
    # their 'Target 2016/17' column holds 'see plan': the mapping is obeyed and says so
    assert any(p.cell == "G5" and "'see plan' is not a number" in p.message for p in book.errors)
    assert {c.name: c.header for c in book.columns}["Target"] == "Target 2016/17"
    fixed = read_workbook(officer_book(tmp_path / "fixed.xlsx", sheet="KPIs 2016-17", settings=[
        ["Measures Sheet", "KPIs 2016-17"]]))
    assert fixed.errors == () and _statuses(fixed) == SAMPLE_STATUSES


def test_an_error_on_a_measures_sheet_of_another_name_marks_its_measure(tmp_path):
    """The measures read from 'KPIs 2016-17': the error found on a measure's row there goes
    with its assessment (shown as Check data), not left behind as if on another sheet."""
    book = read_workbook(officer_book(tmp_path / "officer.xlsx", sheet="KPIs 2016-17",
                                      settings=[["Measures Sheet", "KPIs 2016-17"],
                                                ["Column: Target", "Target 2016/17"]]))
    marked = {a.measure.row: [p.cell for p in a.problems] for a in assess_workbook(book)
              if a.problems}
    assert marked and all(cells == [f"G{row}"] for row, cells in marked.items())
    assert len(marked) == len([p for p in book.errors if p.cell.startswith("G")])


def test_measures_sheet_that_is_not_there(tmp_path):
    book = read_workbook(officer_book(tmp_path / "o.xlsx", settings=[["Measures Sheet", "KPIs"]]))
    assert [p.text for p in book.errors] == [
        "Measures: Settings 'Measures Sheet' names the sheet 'KPIs', which the workbook does "
        "not have (sheets found: Measures, Settings)"]


def test_header_row_beyond_row_20_is_not_looked_for(tmp_path):
    path = tmp_path / "deep.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Measures")
    ws.write_row(20, 0, ["Portfolio", "Ref", "Measure", "Target", "Current"])  # row 21
    ws.write_row(21, 0, ["P", "A1", "m", 1, 1])
    wb.close()
    (problem,) = read_workbook(path).errors
    assert "none of its first 20 rows is a header row naming Ref and Measure" in problem.message


def _live_book(path: Path) -> FakeBook:
    """The officer's workbook as xlwings sees it open in Excel: each sheet's used range."""
    sheets = []
    for name in ("Measures",):
        cells = read_sheet(path, name)
        values = [[float(v) if isinstance(v, int) else v for v in row] for row in cells.rows]
        width = max(len(r) for r in values)
        values = [r + [None] * (width - len(r)) for r in values]
        formats = [["0%" if (ri, ci) in cells.percent_cells else "General" for ci in range(width)]
                   for ri in range(len(values))]
        sheet = FakeSheet(name)
        sheet.used_range = FakeRange(values, formats, cells.top, cells.left)
        sheets.append(sheet)
    return FakeBook(sheets)


def test_live_macro_reads_the_plain_range_the_same_way(tmp_path):
    path = officer_book(tmp_path / "officer.xlsx")
    saved, live = read_workbook(path), read_live_workbook(_live_book(path))
    assert live.measures == saved.measures and live.problems == saved.problems
    assert live.columns == saved.columns
    assert _statuses(live) == SAMPLE_STATUSES
