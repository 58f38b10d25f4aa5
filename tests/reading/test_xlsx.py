"""The reader keeps text, part names, namespaces and dates as the file means them
: values straight from :func:`read_tables` and :func:`read_sheet`."""

from __future__ import annotations

import datetime as dt

import pytest

from kpi_core.reading.xlsx import read_sheet, read_tables
from tests.support.corpus import (
    BY_ID, DATE_XF, SHEET1, STRINGS, date_style, sample_variant, substitute,
)
from tests.support.paths import SAMPLE


def _measures(path):
    return read_tables(path, ("Measures",)).tables["measures"]


@pytest.mark.parametrize("date1904, serial", [(False, 42643), (True, 41181)])
def test_date_styled_serial_reads_as_a_date_in_the_workbook_epoch(tmp_path, date1904, serial):
    parts = {"xl/styles.xml": date_style,
             SHEET1: substitute(r'<c r="K5" s="\d+"><v>0.98</v></c>',
                          f'<c r="K5" s="{DATE_XF}"><v>{serial}</v></c>')}
    if date1904:
        parts["xl/workbook.xml"] = substitute(r"<workbookPr ", '<workbookPr date1904="true" ')
    book = sample_variant("d.xlsx", parts)(tmp_path)
    table = _measures(book)
    assert table.rows[2][10] == dt.datetime(2016, 9, 30)
    assert table.rows[1][10] == 0.97  # a percent cell stays a number


def test_iso_date_cell_reads_as_a_date(tmp_path):
    book = BY_ID["iso-date-in-current"].build(tmp_path)
    assert _measures(book).rows[2][10] == dt.datetime(2016, 9, 30)


def test_table_column_names_decoded_fill_a_blank_header_cell(tmp_path):
    book = sample_variant("blank-header.xlsx", {
        SHEET1: substitute(r'<c r="K3" s="6" t="s"><v>12</v></c>', ""),
        "xl/tables/table1.xml": substitute(r'name="Current"', 'name="Current_x000a_position"')})(tmp_path)
    assert _measures(book).rows[0][10] == "Current\nposition"


def test_rich_text_runs_and_inline_strings_are_decoded(tmp_path):
    book = sample_variant("runs.xlsx", {
        STRINGS: substitute(r"<si><t>CS01</t></si>",
                      '<si><r><t>CS</t></r><r><rPr><b/></rPr><t>01_x0009_</t></r></si>'),
        SHEET1: substitute(r'<c r="C5" s="1" t="s"><v>\d+</v></c>',
                     '<c r="C5" t="inlineStr"><is><t>CS02_x000D_</t></is></c>')})(tmp_path)
    rows = _measures(book).rows
    assert rows[1][2] == "CS01\t" and rows[2][2] == "CS02\r"


def test_strict_and_transitional_read_the_same(tmp_path):
    strict = BY_ID["strict-open-xml"].build(tmp_path)
    a, b = read_tables(SAMPLE), read_tables(strict)
    assert a.sheets == b.sheets and a.tables.keys() == b.tables.keys()
    for key in a.tables:
        assert a.tables[key] == b.tables[key]


def test_part_names_compare_without_case(tmp_path):
    book = BY_ID["part-names-in-other-case"].build(tmp_path)
    assert read_tables(book).tables["measures"] == read_tables(SAMPLE).tables["measures"]


def test_read_sheet_gives_every_cell_from_a1(tmp_path):
    sheet = read_sheet(SAMPLE, "measures")
    assert sheet.sheet == "Measures" and (sheet.top, sheet.left) == (1, 1)
    assert sheet.rows[0][0].startswith("Buckinghamshire County Council")
    assert sheet.rows[2][:4] == ["Portfolio", "Cabinet Member", "Ref", "Measure"]
    assert len(sheet.rows) == 17 and (3, 8) in sheet.percent_cells  # I4, the first target
    assert read_sheet(SAMPLE, "No such sheet") is None
