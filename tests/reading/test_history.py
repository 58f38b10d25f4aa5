"""The History table and the wide layout (SPEC section 3): read from real .xlsx files,
every problem with its cell."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kpi_core.assessing.measure import assess_measure
from kpi_core.model import Direction, Settings, Status
from kpi_core.reading.periods import parse_period
from kpi_core.reading.rows import table_from_values
from kpi_core.reading.workbook import parse_tables, read_workbook
from tests.support.history_books import write_history_book
from tests.support.workbooks import HEADERS, measure_row

Q2 = parse_period("Q2 2016/17")
SETTINGS = Settings(period="Q2 2016/17", current_period=Q2)


def _texts(book) -> list[str]:
    return [p.text for p in book.problems]


def test_history_table_is_read_sorted_oldest_first(tmp_path: Path):
    path = write_history_book(tmp_path / "h.xlsx", [measure_row("M1"), measure_row("M2")], [
        ["M1", "Q1 2016/17", 0.91, 0.9, "Green"],
        ["M1", "2015/16 Q2", 0.8, None, None],
        ["m2", "Q4 16/17", None, None, None],  # Ref case-insensitive; blank value: a gap
        ["M2", "Q4 2015/16", "n/a", None, None],
    ], period="Q4 2016/17")
    book = read_workbook(path)
    assert book.problems == ()
    assert book.settings.current_period == parse_period("Q4 2016/17")
    m1, m2 = book.measures
    assert [(o.period.label, o.value, o.target, o.status) for o in m1.history] == [
        ("Q2 2015/16", 0.8, None, None), ("Q1 2016/17", 0.91, 0.9, Status.GREEN)]
    # the current period's row is Current's: a blank there is no conflict worth a word
    assert [(o.period.label, o.value) for o in m2.history] == [("Q4 2015/16", None)]


def test_history_problems_name_their_cells(tmp_path: Path):
    path = write_history_book(tmp_path / "h.xlsx", [measure_row("M1"), measure_row("M2")], [
        ["M1", "Q1 2016/17", 0.91, None, None],   # row 2
        ["M9", "Q1 2016/17", 0.5, None, None],    # row 3: unknown Ref
        ["M1", "Q1 16/17", 0.7, None, None],      # row 4: duplicate of row 2
        ["M2", "Q3 2016/17", 0.5, None, None],    # row 5: after the current period
        ["M2", "Q1 2016", 0.5, None, None],       # row 6: ambiguous label
        ["M2", "Q4 2015/16", "abc", None, None],  # row 7: not a number
        ["M2", "Q3 2015/16", 0.5, "lots", None],  # row 8: target not a number
        ["M2", "Q2 2015/16", 0.5, None, "Purple"],  # row 9: not a status
        [None, "Q2 2015/16", 0.5, None, None],    # row 10: no Ref
        ["M2", None, 0.5, None, None],            # row 11: no period
    ])
    book = read_workbook(path)
    texts = _texts(book)
    expected = {
        "History!A3": "Ref 'M9' is not in the Measures table",
        "History!B4": "M1 has Q1 2016/17 twice (also History!B2)",
        "History!B5": "period Q3 2016/17 is after the current period Q2 2016/17",
        "History!B6": "period 'Q1 2016' is ambiguous",
        "History!C7": "value 'abc' is not a number",
        "History!D8": "target 'lots' is not a number",
        "History!E9": "status 'Purple' is not a status",
        "History!A10": "Ref is blank",
        "History!B11": "period is blank",
    }
    for cell, fragment in expected.items():
        assert any(t.startswith(cell + ": ") and fragment in t for t in texts), (cell, texts)
    assert len(texts) == len(expected)
    severities = {p.cell: p.severity for p in book.problems}
    assert severities["A3"] == "warning"  # a retired measure's rows stay harmless
    assert all(s == "error" for c, s in severities.items() if c != "A3")
    assert [o.period.label for o in book.measures[0].history] == ["Q1 2016/17"]


def test_frequency_mismatch_and_current_period_rows_are_warnings(tmp_path: Path):
    path = write_history_book(tmp_path / "h.xlsx", [
        measure_row("M1", Frequency="Quarterly", Current=0.95)], [
        ["M1", "Jun 2016", 0.9, None, None],        # a month for a quarterly measure
        ["M1", "Q2 2016/17", 0.93, None, None],     # the current period: Current wins
        ["M1", "Q1 2016/17", 0.92, None, None],
    ])
    book = read_workbook(path)
    assert [(p.cell, p.severity) for p in book.problems] == [("B2", "warning"), ("B3", "warning")]
    assert "M1 is quarterly but Jun 2016 is monthly" in book.problems[0].message
    assert "the figure used is Current (95%), not this one (93%)" in book.problems[1].message
    assert [o.period.label for o in book.measures[0].history] == ["Q1 2016/17"]


def test_unreadable_settings_period_is_a_problem_with_its_cell(tmp_path: Path):
    path = write_history_book(tmp_path / "h.xlsx", [measure_row("M1")], [], period="2011-12")
    book = read_workbook(path)
    assert [p.text for p in book.problems] == [
        "Settings!B3: period '2011-12' could be December 2011 or the financial year 2011/12: "
        "write Dec 2011 or 2011/12"]
    assert book.settings.current_period is None
    assert book.settings.period == "2011-12"


def test_date_cells_in_a_period_column_are_months_or_the_measures_frequency():
    measures = table_from_values("Measures", "Measures", "A1", [
        ["Portfolio", "Ref", "Measure", "Frequency", "Polarity", "Target", "Current"],
        ["P", "M1", "monthly", "Monthly", "Higher", 5, 6],
        ["P", "Q1", "quarterly", "Quarterly", "Higher", 5, 6]])
    history = table_from_values("History", "History", "A1", [
        ["Ref", "Period", "Value"],
        ["M1", dt.datetime(2016, 8, 31), 4],
        ["Q1", dt.datetime(2016, 6, 30), 3]])
    settings = table_from_values("Settings", "Settings", "A1", [["Setting", "Value"],
                                                               ["Authority", "Council"],
                                                               ["Period", "Q2 2016/17"]])
    book = parse_tables({"measures": measures, "history": history, "settings": settings})
    assert book.problems == ()
    assert [o.period.label for m in book.measures for o in m.history] == ["Aug 2016",
                                                                         "Q1 2016/17"]


def test_wide_layout_period_headers_are_history(tmp_path: Path):
    headers = HEADERS + ["Q4 2015/16", "Q1 2016/17", "2016/17 Q2", "Q1 2016", "Notes 2016"]
    measures = [measure_row("M1", **{"Q4 2015/16": 0.7, "Q1 2016/17": 0.8, "2016/17 Q2": 0.95}),
                measure_row("M2", **{"Q1 2016/17": "TBC", "Q4 2015/16": "oops"})]
    path = write_history_book(tmp_path / "w.xlsx", measures, None, headers=headers)
    book = read_workbook(path)
    texts = _texts(book)
    header_col = "ABCDEFGHIJKLMNOPQRSTU"[len(HEADERS) + 3]
    assert any(t.startswith(f"Measures!{header_col}1: header period 'Q1 2016' is ambiguous")
               for t in texts), texts
    bad_col = "ABCDEFGHIJKLMNOPQRSTU"[len(HEADERS)]
    assert any(t.startswith(f"Measures!{bad_col}3: Q4 2015/16 value 'oops' is not a number")
               for t in texts), texts
    m1, m2 = book.measures
    assert [(o.period.label, o.value) for o in m1.history] == [("Q4 2015/16", 0.7),
                                                               ("Q1 2016/17", 0.8)]
    assert [(o.period.label, o.value) for o in m2.history] == [("Q1 2016/17", None)]
    a = assess_measure(m1, book.settings)
    assert a.direction is Direction.IMPROVING and a.previous_period == "Q1 2016/17"
    assert [t.value for t in a.trend] == [0.7, 0.8, 0.95]
