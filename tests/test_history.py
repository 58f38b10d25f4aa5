"""The History table and the wide layout (SPEC section 3): read from real .xlsx files,
every problem with its cell; and the rules on history (section 5) for each polarity."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from kpi_core.assessing.measure import assess_measure
from kpi_core.assessing.trends import (
    compute_movement, compute_status_then, compute_trend, measure_period, summarise_movement,
    summarise_movement_totals,
)
from kpi_core.model import (
    Direction, Frequency, Measure, Movement, Observation, Period, Polarity, Settings, Status,
)
from kpi_core.reading.periods import parse_period
from kpi_core.reading.rows import table_from_values
from kpi_core.reading.workbook import parse_tables, read_workbook
from tests.history_books import write_history_book
from tests.workbooks import HEADERS, measure_row

Q2 = parse_period("Q2 2016/17")
SETTINGS = Settings(period="Q2 2016/17", current_period=Q2)


def _texts(book) -> list[str]:
    return [p.text for p in book.problems]


# --- reading ---------------------------------------------------------------------------

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


# --- rules -----------------------------------------------------------------------------

def _measure(polarity=Polarity.HIGHER, current=0.9, previous_value=None, year_ago=None,
             **kw) -> Measure:
    history = []
    if year_ago is not None:
        history.append(Observation(Q2.year_earlier(), year_ago))
    if previous_value is not None:
        history.append(Observation(Q2.previous(), previous_value))
    return Measure("A", "P", "m", polarity=polarity, current=current, history=tuple(history),
                   **kw)


@pytest.mark.parametrize("polarity, current, before, expected", [
    (Polarity.HIGHER, 0.9, 0.8, Direction.IMPROVING),
    (Polarity.HIGHER, 0.8, 0.9, Direction.WORSENING),
    (Polarity.HIGHER, 0.8, 0.8, Direction.NO_CHANGE),
    (Polarity.LOWER, 0.8, 0.9, Direction.IMPROVING),
    (Polarity.LOWER, 0.9, 0.8, Direction.WORSENING),
    (Polarity.LOWER, 0.3, 0.1 + 0.2, Direction.NO_CHANGE),  # equal within 1e-9
    # Within range 0.4-0.6: closer to the range is improving, inside is all alike
    (Polarity.RANGE, 0.65, 0.7, Direction.IMPROVING),
    (Polarity.RANGE, 0.3, 0.35, Direction.WORSENING),
    (Polarity.RANGE, 0.5, 0.45, Direction.NO_CHANGE),
    (Polarity.RANGE, 0.5, 0.2, Direction.IMPROVING),
    (Polarity.RANGE, 0.75, 0.35, Direction.WORSENING),  # 0.05 below to 0.15 above
])
def test_short_and_long_direction_each_polarity(polarity, current, before, expected):
    upper = 0.6 if polarity is Polarity.RANGE else None
    target = 0.4 if polarity is Polarity.RANGE else 0.85
    m = _measure(polarity, current, previous_value=before, year_ago=before, target=target,
                 target_upper=upper)
    a = assess_measure(m, SETTINGS)
    assert a.direction is expected
    assert a.direction_long is expected
    assert a.direction_long_since == "Q2 2015/16"


def test_short_direction_falls_back_to_previous_column_and_history_wins():
    only_previous = Measure("A", "P", "m", current=0.9, previous=0.95, target=0.8)
    a = assess_measure(only_previous, SETTINGS)
    assert a.direction is Direction.WORSENING and a.direction_long is None
    assert a.previous_period == "Q1 2016/17" and a.previous_status is Status.GREEN
    assert a.movement is Movement.SAME and a.trend == ()
    both = _measure(current=0.9, previous_value=0.7, previous=0.95, target=0.8)
    assert assess_measure(both, SETTINGS).direction is Direction.IMPROVING
    # History without a row for the previous period: the Previous column still serves
    gap = _measure(current=0.9, year_ago=0.5, previous=0.95, target=0.8)
    assert assess_measure(gap, SETTINGS).direction is Direction.WORSENING


@pytest.mark.parametrize("polarity, target, upper, before, status_then, movement", [
    (Polarity.HIGHER, 0.9, None, 0.7, Status.RED, Movement.IMPROVED),     # now Green 0.95
    (Polarity.HIGHER, 0.9, None, 0.95, Status.GREEN, Movement.SAME),
    (Polarity.LOWER, 0.9, None, 0.7, Status.GREEN, Movement.DECLINED),    # now 0.95: Amber
    (Polarity.LOWER, 0.9, None, 1.2, Status.RED, Movement.IMPROVED),
    (Polarity.RANGE, 0.4, 0.9, 0.2, Status.RED, Movement.IMPROVED),       # now 0.9: Green
    (Polarity.RANGE, 0.4, 0.9, 0.6, Status.GREEN, Movement.SAME),
])
def test_previous_status_and_movement_each_polarity(polarity, target, upper, before,
                                                    status_then, movement):
    m = _measure(polarity, 0.95 if polarity is not Polarity.RANGE else 0.9,
                 previous_value=before, target=target, target_upper=upper)
    a = assess_measure(m, SETTINGS)
    assert a.previous_status is status_then
    assert a.movement is movement
    assert a.previous_period == "Q1 2016/17"


def test_previous_status_published_wins_and_target_then_is_used():
    history = (Observation(Q2.previous(), 0.5, status=Status.AMBER),)
    m = Measure("A", "P", "m", current=0.5, target=0.9, history=history)
    a = assess_measure(m, SETTINGS)
    assert (a.previous_status, a.status, a.movement) == (Status.AMBER, Status.RED,
                                                        Movement.DECLINED)
    history = (Observation(Q2.previous(), 0.5, target=0.5),)  # the target then was met
    a = assess_measure(Measure("A", "P", "m", current=0.5, target=0.9, history=history), SETTINGS)
    assert (a.previous_status, a.movement) == (Status.GREEN, Movement.DECLINED)


def test_new_rag_movement():
    # no figure last period
    history = (Observation(Q2.previous(), None),)
    a = assess_measure(Measure("A", "P", "m", current=0.95, target=0.9, history=history), SETTINGS)
    assert (a.previous_status, a.movement) == (Status.DATA_UNAVAILABLE, Movement.NEW)
    # history, but no row for the previous period
    history = (Observation(Q2.year_earlier(), 0.5),)
    a = assess_measure(Measure("A", "P", "m", current=0.95, target=0.9, history=history), SETTINGS)
    assert (a.previous_status, a.movement) == (None, Movement.NEW)
    # no history and no Previous: nothing is known, nothing is claimed
    a = assess_measure(Measure("A", "P", "m", current=0.95, target=0.9), SETTINGS)
    assert (a.previous_status, a.movement, a.previous_period) == (None, None, None)
    # no RAG now: no movement
    history = (Observation(Q2.previous(), 0.5),)
    a = assess_measure(Measure("A", "P", "m", current=None, target=0.9, history=history), SETTINGS)
    assert a.movement is None


def test_monthly_measure_in_a_quarterly_workbook():
    history = tuple(Observation(p, v) for p, v in [
        (Period.month(2015, 9), 10.0), (Period.month(2016, 7), 12.0), (Period.month(2016, 8), 14.0)])
    m = Measure("A", "P", "m", frequency=Frequency.MONTHLY, current=13.0, target=12.0,
                history=history)
    assert measure_period(m, Q2).label == "Sep 2016"
    a = assess_measure(m, SETTINGS)
    assert a.previous_period == "Aug 2016" and a.direction is Direction.WORSENING
    assert a.direction_long_since == "Sep 2015" and a.direction_long is Direction.IMPROVING
    assert [t.period for t in a.trend] == ["Feb 2016", "Mar 2016", "Apr 2016", "May 2016",
                                           "Jun 2016", "Jul 2016", "Aug 2016", "Sep 2016"]
    assert [t.value for t in a.trend] == [None] * 5 + [12.0, 14.0, 13.0]


def test_trend_is_the_last_eight_periods_current_last():
    history = tuple(Observation(p, float(i)) for i, p in enumerate(
        [Period.quarter(2013, 1).next()] + [Period.quarter(y, q) for y in (2014, 2015)
                                            for q in (1, 2, 3, 4)] + [Period.quarter(2016, 1)]))
    m = Measure("A", "P", "m", current=99.0, target=1.0, history=history)
    trend = compute_trend(m, Q2)
    assert len(trend) == 8
    assert [t.period for t in trend][:2] == ["Q3 2014/15", "Q4 2014/15"]
    assert (trend[-1].period, trend[-1].value) == ("Q2 2016/17", 99.0)
    assert [t.value for t in trend[:-1]] == [3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]


def test_without_a_settings_period_history_still_gives_direction_and_trend():
    history = (Observation(Q2.previous(), 0.5),)
    a = assess_measure(Measure("A", "P", "m", current=0.95, target=0.9, history=history))
    assert a.direction is Direction.IMPROVING
    assert [t.period for t in a.trend] == ["Q1 2016/17", "Q2 2016/17"]


def test_movement_counts_per_portfolio_and_overall():
    def m(ref, portfolio, current, before):
        return Measure(ref, portfolio, "m", current=current, target=0.9,
                       history=(Observation(Q2.previous(), before),))
    assessments = [assess_measure(x, SETTINGS) for x in (
        m("A", "P", 0.95, 0.5), m("B", "P", 0.5, 0.95), m("C", "P", 0.95, 0.95),
        m("D", "Q", 0.95, None), m("E", "Q", None, 0.5))]
    summary = summarise_movement(assessments)
    assert summary == {"P": {"Improved": 1, "Declined": 1, "Same": 1, "New": 0},
                       "Q": {"Improved": 0, "Declined": 0, "Same": 0, "New": 1}}
    assert summarise_movement_totals(summary) == {"Improved": 1, "Declined": 1, "Same": 1,
                                                  "New": 1}


@given(st.sampled_from([Status.BLUE, Status.GREEN, Status.AMBER, Status.RED]),
       st.sampled_from(list(Status)))
def test_movement_is_antisymmetric(now, then):
    forward = compute_movement(now, then)
    if then.is_rag:
        backward = compute_movement(then, now)
        pairs = {Movement.IMPROVED: Movement.DECLINED, Movement.DECLINED: Movement.IMPROVED,
                 Movement.SAME: Movement.SAME}
        assert pairs[forward] is backward
    else:
        assert forward is Movement.NEW


@given(st.floats(0, 2), st.floats(0, 2))
def test_a_better_value_then_never_gives_a_worse_status_then(a, b):
    m = Measure("A", "P", "m", target=0.9)
    low, high = sorted((a, b))
    assert compute_status_then(m, high).rank >= compute_status_then(m, low).rank


def test_previous_status_uses_the_workbooks_rules_and_movement_the_final_status():
    # a Default Green Tolerance of 5% makes last quarter's 0.86 against 0.9 Green
    settings = Settings(period="Q2 2016/17", current_period=Q2, default_green_tolerance=0.05)
    history = (Observation(Q2.previous(), 0.86),)
    m = Measure("A", "P", "m", current=0.5, target=0.9, history=history)
    assert assess_measure(m, SETTINGS).previous_status is Status.AMBER
    a = assess_measure(m, settings)
    assert (a.previous_status, a.status, a.movement) == (Status.GREEN, Status.RED,
                                                        Movement.DECLINED)
    # an officer's override is this period's status: movement follows it
    m = Measure("A", "P", "m", current=0.5, target=0.9, history=history,
                rag_override=Status.GREEN, override_reason="one-off data issue")
    a = assess_measure(m, settings)
    assert (a.status, a.computed_status, a.movement) == (Status.GREEN, Status.RED,
                                                        Movement.SAME)
