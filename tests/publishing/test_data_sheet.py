"""The workbook for analysts and clerks: the Data sheet (one Excel table, every field), the
Summary's links to the portfolio sheets, the document language."""

from __future__ import annotations

import zipfile
from dataclasses import replace

import openpyxl
import pytest
from defusedxml import ElementTree as ET

from kpi_core.model import (
    Direction, Movement, Rank, Status, Trend,
)
from kpi_core.publishing.data_sheet import DATA_COLUMNS, DATA_SHEET, DATA_TABLE, build_data_sheet
from kpi_core.publishing.scorecard import build_scorecard
from kpi_core.publishing.xlsx import write_scorecard
from tests.support.scorecard_samples import CS, RES, SETTINGS, mixed_assessments

#: Every field of the assessment (SPEC sections 6 and 7) has its column.
FIELDS = ["Ref", "Portfolio", "Measure", "Unit", "Polarity", "Target", "Current", "Status",
          "Computed Status", "Override Reason", "Reason", "Target Gap", "Benchmark Gaps",
          "Direction", "Direction Long", "Previous Status", "Movement", "Trend", "Ranks",
          "Quartile"]


def _filled():
    """The mixed assessments, the first one with every later field filled by hand."""
    items = list(mixed_assessments())
    items[0] = replace(items[0], status=Status.AMBER, computed_status=Status.GREEN,
                       override_reason="judged <b>& co",
                       direction_long=Direction.WORSENING, direction_long_since="Q2 2015/16",
                       previous_status=Status.RED, previous_period="Q1 2016/17",
                       movement=Movement.IMPROVED,
                       trend=Trend(("Q1 2016/17", "Q2 2016/17"), (0.9, 0.97)),
                       ranks=(Rank("Statistical neighbours", 3, 11, "2015"),), quartile="B")
    return tuple(items)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "card.xlsx"
    return write_scorecard(build_scorecard(_filled(), SETTINGS), path)


@pytest.fixture(scope="module")
def wb(book):
    return openpyxl.load_workbook(book)


def test_headers_come_from_one_list():
    headers = [h for h, _get in DATA_COLUMNS]
    assert len(headers) == len(set(headers))
    for field in FIELDS:
        assert field in headers


def test_data_sheet_is_last_with_one_table(wb):
    assert wb.sheetnames[-1] == DATA_SHEET
    ws = wb[DATA_SHEET]
    assert list(ws.tables) == [DATA_TABLE]
    table = ws.tables[DATA_TABLE]
    n = len(mixed_assessments())
    last_col = openpyxl.utils.get_column_letter(len(DATA_COLUMNS))
    assert table.ref == f"A1:{last_col}{n + 1}"
    assert table.headerRowCount in (None, 1)
    assert [c.name for c in table.tableColumns] == [h for h, _g in DATA_COLUMNS]
    assert not ws.merged_cells.ranges
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]][:len(DATA_COLUMNS)]  # then, apart, the print note
    assert header == [h for h, _g in DATA_COLUMNS]
    refs = [ws.cell(r, 1).value for r in range(2, n + 2)]
    assert refs == [a.measure.ref for a in mixed_assessments()]
    assert ws.max_row == n + 1


def _rows(ws) -> dict[str, dict[str, object]]:
    header = [c.value for c in ws[1]][:len(DATA_COLUMNS)]
    return {row[0]: dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True)}


def test_every_field_is_filled(wb):
    rows = _rows(wb[DATA_SHEET])
    cs01 = rows["CS01"]
    assert cs01["Status"] == "Amber" and cs01["Computed Status"] == "Green"
    assert cs01["Override Reason"] == "judged <b>& co"
    assert cs01["Direction Long"] == "Worsening" and cs01["Direction Long Since"] == "Q2 2015/16"
    assert cs01["Previous Status"] == "Red" and cs01["Movement"] == "Improved"
    assert cs01["Trend"] == "Q1 2016/17 to Q2 2016/17: 90%, 97%"
    assert cs01["Ranks"] == "Statistical neighbours (2015): 3 of 11"
    assert cs01["Quartile"] == "B" and cs01["Portfolio"] == CS
    assert cs01["Target"] == 0.95 and cs01["Current"] == 0.97 and cs01["Unit"] == "%"
    cs07 = rows["CS07"]
    assert cs07["Target Gap"] == pytest.approx(-0.11)
    assert cs07["Benchmark Gaps"] == ("Statistical Neighbour Average (2015): 23% (13 pts worse); "
                                      "National Average (2015): 24% (12 pts worse)")
    assert cs07["Reason"].startswith("Red: 36% against a target of 25%")
    assert cs07["Direction"] == "Worsening" and cs07["Polarity"] == "Lower is better"
    assert rows["R6"]["Current"] == "TBC"
    assert rows["R9"]["Status"] == "Check data" and "is not a number" in rows["R9"]["Reason"]
    assert rows["R8"]["Measure"] == "=SUM(A1:A2) formula-looking name"  # text, not a formula


def test_figures_keep_their_unit_formats(wb):
    ws = wb[DATA_SHEET]
    header = [c.value for c in ws[1]]
    target = header.index("Target") + 1
    formats = {ws.cell(r, 1).value: ws.cell(r, target).number_format
               for r in range(2, ws.max_row + 1)}
    assert formats["CS01"] == "0%" and formats["R1"].startswith("\u00a3")


def test_summary_links_to_portfolio_sheets(wb):
    ws = wb["Summary"]
    links = {c.value: c.hyperlink for row in ws.iter_rows() for c in row if c.hyperlink}
    assert set(links) == {CS, RES}
    assert links[CS].location == "'Children''s Services'!A1"
    assert links[RES].location == "'Resources- Finance-IT'!A1"
    assert not any(link.target for link in links.values())  # internal, no external address
    for name, link in links.items():
        sheet = link.location.split("!")[0].strip("'").replace("''", "'")
        assert sheet in wb.sheetnames


def test_no_external_relationships(book):
    with zipfile.ZipFile(book) as zf:
        for name in zf.namelist():
            if name.endswith(".rels"):
                assert b'TargetMode="External"' not in zf.read(name), name


def test_document_language(book, wb):
    with zipfile.ZipFile(book) as zf:
        core = ET.fromstring(zf.read("docProps/core.xml"))
    lang = core.find("{http://purl.org/dc/elements/1.1/}language")
    assert lang is not None and lang.text == "en-GB"
    assert wb.properties.language == "en-GB"
    assert wb.properties.title == SETTINGS.authority + " performance scorecard, " + SETTINGS.period


def test_data_sheet_of_nothing():
    sheet = build_data_sheet(())
    assert sheet.data and sheet.blocks[0].rows == ()


def test_portfolio_named_data_gets_its_own_sheet(tmp_path):
    items = tuple(replace(a, measure=replace(a.measure, portfolio="Data"))
                  for a in mixed_assessments()[:2])
    card = build_scorecard(items, SETTINGS)
    assert [s.name for s in card.sheets] == ["Summary", "Data (2)", "Data"]
    write_scorecard(card, tmp_path / "x.xlsx")
    assert openpyxl.load_workbook(tmp_path / "x.xlsx").sheetnames == ["Summary", "Data (2)",
                                                                     "Data"]
