"""Status rules (SPEC section 4), gaps and direction (section 5): boundaries, every polarity."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kpi_core.errors import ValueParseError
from kpi_core.model import DataStatus, Direction, Frequency, Measure, Polarity, Status, Unit
from kpi_core.assessing.measure import assess_measure
from kpi_core.assessing.rules import assess_status, assess_values, compute_direction, compute_gap
from kpi_core.assessing.summary import summarise, summarise_totals

G, A, R = Status.GREEN, Status.AMBER, Status.RED
HI, LO, RANGE = Polarity.HIGHER, Polarity.LOWER, Polarity.RANGE


@pytest.mark.parametrize("current, target, polarity, expected", [
    # higher is better, default tolerance 10%: amber down to 0.81
    (0.90, 0.90, HI, G),            # on the target: the better status
    (0.9000001, 0.90, HI, G),
    (0.8999999, 0.90, HI, A),       # just below the target
    (0.81, 0.90, HI, A),            # on the amber bound (0.9 * 0.9 in floating point)
    (0.8099999, 0.90, HI, R),       # just past it
    (0.495, 0.55, HI, A),           # 0.55 * 0.9 is 0.49500000000000005: on the bound
    (0.0, 0.90, HI, R),
    (1.5, 0.90, HI, G),
    # lower is better: amber up to 0.275
    (0.25, 0.25, LO, G),
    (0.2500001, 0.25, LO, A),
    (0.275, 0.25, LO, A),
    (0.2750001, 0.25, LO, R),
    (0.36, 0.25, LO, R),            # the reference's repeat referrals
    (0.0, 0.25, LO, G),
    # target 0: no amber band
    (0.0, 0.0, HI, G),
    (-0.01, 0.0, HI, R),
    (0.0, 0.0, LO, G),
    (0.01, 0.0, LO, R),
    (1e-12, 0.0, LO, R),
    # negative targets keep the band on the worse side
    (-10.0, -10.0, HI, G),
    (-10.5, -10.0, HI, A),
    (-11.5, -10.0, HI, R),
    (-9.5, -10.0, LO, A),
])
def test_rag_boundaries(current, target, polarity, expected):
    assert assess_values(current, target, polarity)[0] is expected


@pytest.mark.parametrize("current, expected", [
    (4.0, G), (6.0, G), (5.0, G),          # inside [4, 6], bounds included
    (3.6, A), (6.6, A),                    # widened by 10% each side: [3.6, 6.6]
    (3.9999, A), (6.0001, A),
    (3.5999, R), (6.6001, R), (0.0, R), (100.0, R),
])
def test_within_range(current, expected):
    assert assess_values(current, 4.0, RANGE, target_upper=6.0)[0] is expected


def test_within_range_without_upper_is_an_error():
    with pytest.raises(ValueParseError, match="Target Upper"):
        assess_values(5.0, 4.0, RANGE)


@pytest.mark.parametrize("current, tolerance, expected", [
    (95.0, 0.05, A), (94.999, 0.05, R), (80.0, 0.2, A), (79.9, 0.2, R),
    (99.99, 0.0, R),                       # tolerance 0: no amber band
    (100.0, 0.0, G),
])
def test_tolerance_override(current, tolerance, expected):
    assert assess_values(current, 100.0, HI, tolerance=tolerance)[0] is expected


@pytest.mark.parametrize("current, threshold, polarity, expected", [
    (80.0, 80.0, HI, A), (79.99, 80.0, HI, R), (85.0, 80.0, HI, A),
    (120.0, 120.0, LO, A), (120.01, 120.0, LO, R),
    (100.0, 80.0, HI, G),
])
def test_explicit_threshold_overrides_tolerance(current, threshold, polarity, expected):
    # tolerance 0.5 would put the bound far away; the threshold wins
    assert assess_values(current, 100.0, polarity, tolerance=0.5,
                         amber_threshold=threshold)[0] is expected


def test_default_tolerance_from_settings():
    assert assess_values(0.85, 0.9, HI, default_tolerance=0.05)[0] is R
    assert assess_values(0.86, 0.9, HI, default_tolerance=0.05)[0] is A


@pytest.mark.parametrize("kwargs, status, reason", [
    ({"data_status": DataStatus.UNAVAILABLE, "current": 1.0, "target": 1.0},
     Status.DATA_UNAVAILABLE, "Data Status is Unavailable"),
    ({"data_status": DataStatus.NOT_DUE, "current": 1.0, "target": 1.0},
     Status.NOT_DUE, "Data Status is Not due"),
    ({"current": None, "target": 1.0}, Status.DATA_UNAVAILABLE, "no current position"),
    ({"current": None, "current_marker": "TBC", "target": 1.0}, Status.DATA_UNAVAILABLE,
     "current position is 'TBC'"),
    ({"current": None, "target": 1.0, "frequency": Frequency.ANNUAL}, Status.NOT_DUE,
     "annual outturn"),
    ({"current": None, "target": None, "frequency": Frequency.MONTHLY},
     Status.DATA_UNAVAILABLE, "no current position"),   # missing current comes before target
    ({"current": 5.0, "target": None}, Status.NO_TARGET, "no target set"),
])
def test_missing_data_paths(kwargs, status, reason):
    got, why = assess_status(Measure("X", "P", "m", **kwargs))
    assert got is status
    assert reason in why
    assert why.startswith(status.value + ":")


def test_reason_line_wording():
    measure = Measure("CS03", "P", "% repeat referrals", polarity=LO, unit=Unit.PERCENT,
                      target=0.25, current=0.36)
    assert assess_status(measure)[1] == ("Red: 36% against a target of 25% (lower is better); "
                                         "amber up to 27.5%")


@pytest.mark.parametrize("current, reference, polarity, upper, expected", [
    (0.36, 0.23, LO, None, -0.13),
    (0.97, 0.95, HI, None, 0.02),
    (5.0, 4.0, RANGE, 6.0, 0.0),
    (7.0, 4.0, RANGE, 6.0, -1.0),
    (3.0, 4.0, RANGE, 6.0, -1.0),
    (None, 4.0, HI, None, None),
    (4.0, None, HI, None, None),
])
def test_gaps_positive_is_better(current, reference, polarity, upper, expected):
    gap = compute_gap(current, reference, polarity, upper)
    assert gap == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize("current, previous, polarity, expected", [
    (0.5, 0.4, HI, Direction.IMPROVING), (0.4, 0.5, HI, Direction.WORSENING),
    (0.4, 0.5, LO, Direction.IMPROVING), (0.5, 0.4, LO, Direction.WORSENING),
    (0.5, 0.5, HI, Direction.NO_CHANGE), (0.3, 0.1 + 0.2, LO, Direction.NO_CHANGE),
    (None, 0.5, HI, None), (0.5, None, HI, None),
])
def test_direction_of_travel(current, previous, polarity, expected):
    assert compute_direction(current, previous, polarity) is expected


def test_direction_within_range_is_closeness_to_range():
    assert compute_direction(6.5, 8.0, RANGE, 4.0, 6.0) is Direction.IMPROVING
    assert compute_direction(2.0, 3.5, RANGE, 4.0, 6.0) is Direction.WORSENING
    assert compute_direction(5.0, 4.5, RANGE, 4.0, 6.0) is Direction.NO_CHANGE
    assert Direction.IMPROVING.label == "\u25b2 Improving"


def test_assess_measure_and_summary_counts():
    measures = [
        Measure("A", "P1", "a", current=1.0, target=1.0),
        Measure("B", "P1", "b", current=0.5, target=1.0),
        Measure("C", "P2", "c", current=None, target=1.0, frequency=Frequency.ANNUAL),
        Measure("D", "P2", "d", current=2.0),
    ]
    assessments = [assess_measure(m) for m in measures]
    assert assessments[1].target_gap == pytest.approx(-0.5)
    assert assessments[3].target_gap is None
    summary = summarise(assessments)
    assert summary["P1"] == {"Green": 1, "Amber": 0, "Red": 1, "Data unavailable": 0,
                             "Not due": 0, "No target": 0}
    assert summary["P2"]["Not due"] == 1 and summary["P2"]["No target"] == 1
    assert summarise_totals(summary)["Green"] == 1 and sum(summarise_totals(summary).values()) == 4


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=400, deadline=None)
@given(current=finite, delta=st.floats(min_value=0, max_value=1e6), target=finite,
       polarity=st.sampled_from([HI, LO]), tol=st.floats(min_value=0, max_value=1))
def test_better_current_never_gives_worse_status(current, delta, target, polarity, tol):
    better = current + delta if polarity is HI else current - delta
    worse_status = assess_values(current, target, polarity, tolerance=tol)[0]
    better_status = assess_values(better, target, polarity, tolerance=tol)[0]
    assert better_status.rank >= worse_status.rank


@settings(max_examples=300, deadline=None)
@given(current=finite, delta=st.floats(min_value=0, max_value=1e3), low=finite,
       width=st.floats(min_value=0, max_value=1e3), tol=st.floats(min_value=0, max_value=1))
def test_within_range_closer_never_worse(current, delta, low, width, tol):
    high = low + width
    # moving towards the range by at most the distance to it
    target_point = min(max(current, low), high)
    step = min(delta, abs(target_point - current))
    closer = current + step if current < target_point else current - step
    s1 = assess_values(current, low, RANGE, target_upper=high, tolerance=tol)[0]
    s2 = assess_values(closer, low, RANGE, target_upper=high, tolerance=tol)[0]
    assert s2.rank >= s1.rank
