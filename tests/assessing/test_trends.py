"""The rules on history (SPEC section 5), for each polarity: direction of travel against
the previous period and a year earlier, the previous status, RAG movement and the trend."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from dataclasses import replace

from kpi_core.assessing.measure import assess_measure
from kpi_core.assessing.trends import (
    compute_movement, compute_status_then, compute_trend, measure_period, summarise_movement,
    summarise_movement_totals,
)
from kpi_core.model import (
    Direction, Frequency, Measure, Movement, Observation, Period, Polarity, Settings, Status,
)
from kpi_core.reading.periods import parse_period

Q2 = parse_period("Q2 2016/17")
SETTINGS = Settings(period="Q2 2016/17", current_period=Q2)


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
    assert a.movement is Movement.SAME and len(a.trend) == 0
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


def test_a_monthly_measure_closed_at_a_quarter_end_names_the_month_of_its_previous_figure():
    """A quarterly close records a monthly measure under the quarter's last month and copies
    the figure into Previous: in the next quarter (December) that figure is September's,
    not November's, and the direction line says so."""
    q3 = parse_period("Q3 2016/17")
    sep = parse_period("Sep 2016")
    m = Measure("M", "P", "m", frequency=Frequency.MONTHLY, current=0.90, target=0.9,
                previous=0.93, history=(Observation(sep, 0.93, target=0.85),))
    a = assess_measure(m, Settings(period="Q3 2016/17", current_period=q3))
    assert (a.direction_since, a.direction_then) == ("Sep 2016", 0.93)
    assert a.previous_period == "Sep 2016"
    assert a.previous_status is Status.GREEN  # against September's own target
    other = assess_measure(replace(m, previous=0.95), Settings(period="Q3 2016/17",
                                                              current_period=q3))
    assert other.direction_since == "Nov 2016"  # a Previous of its own: the month before
