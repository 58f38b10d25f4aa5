"""Cells read as Excel saved them: eight ways the reader once read a real file silently
wrong, each from the XML another program wrote, in both lanes of the sheet scanner (the
fast lane takes rows as Excel and XlsxWriter write plain values; a comment after
``<sheetData>`` sends the same rows to the expat lane), through ``read_sheet`` (every
cell from A1) and ``read_tables`` (the cells under a table). Then: zip entry names with
backslashes, and shared strings and styles read once per workbook."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest

from kpi_core.reading.scan import FormulaNoResult
from kpi_core.reading.xlsx import read_sheet, read_tables
from tests.corpus import raw_book

LANES = ["fast", "expat"]


def _rows_in(lane: str, rows: str) -> str:
    return rows if lane == "fast" else "<!-- the expat lane -->" + rows


def _sheet(tmp_path, lane, rows, **kwargs):
    book = raw_book(tmp_path / f"{lane}.xlsx", _rows_in(lane, rows), **kwargs)
    return read_sheet(book, "Sheet1").rows


def _table(tmp_path, lane, rows, ref, **kwargs):
    book = raw_book(tmp_path / f"{lane}-table.xlsx", _rows_in(lane, rows), table=ref, **kwargs)
    return read_tables(book).tables["data"].rows


# --- A: elapsed-time formats are durations, never dates --------------------------------

@pytest.mark.parametrize("lane", LANES)
def test_elapsed_time_formats_stay_numbers(tmp_path, lane):
    formats = {164: "[h]:mm", 165: "[hh]:mm", 166: "[h]:mm:ss", 167: "[mm]:ss",
               168: "dd/mm/yyyy", 169: "h:mm"}
    rows = ('<row r="1">' + "".join(f'<c r="{c}1" s="{i}"><v>1.5</v></c>'
                                    for i, c in enumerate("ABCDEF", 1)) + "</row>")
    expected = [1.5, 1.5, 1.5, 1.5, dt.datetime(1900, 1, 1, 12), 1.5]
    kwargs = {"numfmts": formats, "xf_formats": tuple(formats)}
    assert _sheet(tmp_path, lane, rows, **kwargs) == [expected]
    assert _table(tmp_path, lane, rows, "A1:F1", **kwargs) == [expected]


# --- B: a row written twice is one row ----------------------------------------------------

@pytest.mark.parametrize("lane", LANES)
def test_repeated_rows_are_merged(tmp_path, lane):
    rows = ('<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>'
            '<row r="2"><c r="B2"><v>3</v></c></row>')
    assert _sheet(tmp_path, lane, rows) == [[1.0, None], [2.0, 3.0]]
    # a blank header cell shows its table column name
    assert _table(tmp_path, lane, rows, "A1:B2") == [[1.0, "Column2"], [2.0, 3.0]]


# --- C: an ISO time of day is a time ------------------------------------------------------

@pytest.mark.parametrize("lane", LANES)
def test_iso_time_of_day_is_a_time(tmp_path, lane):
    rows = ('<row r="1"><c r="A1" t="d"><v>10:10:10</v></c><c r="B1" t="d"><v>23:59:30.5</v></c>'
            '<c r="C1" t="d"><v>2016-09-30T10:10:10</v></c></row>')
    assert _sheet(tmp_path, lane, rows) == [[dt.time(10, 10, 10), dt.time(23, 59, 30, 500000),
                                             dt.datetime(2016, 9, 30, 10, 10, 10)]]


# --- D: serial 60, Excel's 29 February 1900 -------------------------------------------------

@pytest.mark.parametrize("lane", LANES)
def test_serial_60_is_28_february_and_not_1_march(tmp_path, lane):
    rows = ('<row r="1">' + "".join(f'<c r="{c}1" s="1"><v>{v}</v></c>'
                                    for c, v in zip("ABCD", (59, 60, 60.5, 61))) + "</row>")
    assert _sheet(tmp_path, lane, rows, xf_formats=(22,)) == [[
        dt.datetime(1900, 2, 28), dt.datetime(1900, 2, 28), dt.datetime(1900, 2, 28, 12),
        dt.datetime(1900, 3, 1)]]


# --- E: a formula whose saved result is the empty string -----------------------------------

@pytest.mark.parametrize("lane", LANES)
def test_formula_with_an_empty_string_result_is_empty(tmp_path, lane):
    rows = ('<row r="1"><c r="A1" t="str"><f>IF(B1="","",B1)</f><v/></c>'
            '<c r="B1" t="str"><f>IF(C1="","",C1)</f><v></v></c>'
            '<c r="C1"><f>1/0</f></c></row>')
    assert _sheet(tmp_path, lane, rows) == [["", "", FormulaNoResult("1/0")]]
    # a file saved to be recalculated on opening has no results to trust
    assert _sheet(tmp_path, lane, rows, calc_on_load=True) == [[
        FormulaNoResult('IF(B1="","",B1)'), FormulaNoResult('IF(C1="","",C1)'),
        FormulaNoResult("1/0")]]


# --- F: carriage returns as XML normalises them, in both lanes --------------------------------

@pytest.mark.parametrize("lane", LANES)
def test_carriage_returns_are_normalised_alike(tmp_path, lane):
    rows = '<row r="1"><c r="A1" t="str"><v>one\r\ntwo\rthree\nfour</v></c></row>'
    assert _sheet(tmp_path, lane, rows) == [["one\ntwo\nthree\nfour"]]


# --- G: cells are placed by their own r -----------------------------------------------------

@pytest.mark.parametrize("lane", LANES)
def test_a_row_without_r_is_placed_by_its_cells(tmp_path, lane):
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row><c r="A4"><v>4</v></c></row>'
    assert _sheet(tmp_path, lane, rows) == [[1.0], [None], [None], [4.0]]
    assert _table(tmp_path, lane, rows, "A1:A4") == [[1.0], [None], [None], [4.0]]


@pytest.mark.parametrize("lane", LANES)
def test_rows_and_cells_without_r_are_counted(tmp_path, lane):
    rows = '<row><c><v>1</v></c><c><v>2</v></c></row><row><c r="B2"><v>3</v></c></row>'
    assert _sheet(tmp_path, lane, rows) == [[1.0, 2.0], [None, 3.0]]


# --- H: a formula whose result is an inline string --------------------------------------------

@pytest.mark.parametrize("lane", LANES)
def test_formula_with_an_inline_string_result_is_read(tmp_path, lane):
    rows = ('<row r="1"><c r="A1" t="inlineStr"><f>"x"&amp;"y"</f><is><t>xy</t></is></c>'
            '<c r="B1" t="inlineStr"><f>B2</f><is><r><t>a</t></r><r><t>b_x000D_</t></r></is></c>'
            "</row>")
    assert _sheet(tmp_path, lane, rows) == [["xy", "ab\r"]]


# --- the package ------------------------------------------------------------------------------

def test_zip_entry_names_with_backslashes_are_read(tmp_path):
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>2</v></c></row>'
    book = raw_book(tmp_path / "backslash.xlsx", rows, strings=("Ref",), table="A1:B1",
                    backslash=True)
    with zipfile.ZipFile(book) as zf:
        assert "xl\\worksheets\\sheet1.xml" in zf.namelist()
    assert read_sheet(book, "Sheet1").rows == [["Ref", 2.0]]
    assert read_tables(book).tables["data"].rows == [["Ref", 2.0]]


def test_shared_strings_and_styles_are_read_once_per_workbook(tmp_path, monkeypatch):
    """A workbook without a Measures table: read as a plain range, after its tables."""
    from kpi_core.reading.workbook import read_workbook
    from tests.workbooks import measure_row, write_book
    book = write_book(tmp_path / "range.xlsx", [measure_row("M1"), measure_row("M2")],
                      measures_table=None, settings=[["Authority", "Kent"]])
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def counting_open(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    workbook = read_workbook(book)
    assert [m.ref for m in workbook.measures] == ["M1", "M2"]
    assert opened.count("xl/sharedStrings.xml") == 1 and opened.count("xl/styles.xml") == 1
    assert opened.count("xl/workbook.xml") == 1
