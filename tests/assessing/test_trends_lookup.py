"""The trend rules look History up once per measure (its rows by the month each ends):
the same direction, previous status, movement and trend as finding each period by a scan
of the rows, as the rules first did (kept here as the reference)."""

from __future__ import annotations

from hypothesis import given, settings as hsettings, strategies as st

from kpi_core.assessing import trends
from kpi_core.assessing.rules import compute_direction, direction_band
from kpi_core.assessing.trends import (
    TREND_PERIODS, compute_movement, compute_status_then, compute_trends, find_observation,
    measure_period,
)
from kpi_core.model import (
    Frequency, Measure, Movement, Observation, Period, Polarity, Settings, Status, Trend,
    TrendPoint,
)
from kpi_core.period import period_label

Q2 = Period.quarter(2016, 2)


def _reference_trend(measure, period):
    if not measure.history or period is None:
        return Trend()
    span = period.span
    values = {o.period.end: o.value for o in measure.history if o.period.span == span}
    if not values:
        return Trend()
    first = max(min(values), period.end - (TREND_PERIODS - 1) * span)
    points = [TrendPoint(period_label(end, span), values.get(end))
              for end in range(first, period.end, span)]
    points.append(TrendPoint(period.label, measure.current))
    return Trend.of(points)


def _reference(measure, status, direction, settings):
    """compute_trends as it was: each period found by a scan of History."""
    period = measure_period(measure, settings.current_period if settings else None)
    previous_period = period.previous() if period is not None else None
    before = find_observation(measure.history, previous_period)
    if before is None and measure.previous is not None:
        before = trends._closed_as_previous(measure, period)
        if before is not None:
            previous_period = before.period
    previous_status = None
    since = then = None
    band = direction_band(measure, settings)
    if before is not None:
        direction = trends._direction(measure, before.value, band)
        previous_status = compute_status_then(measure, before.value, before.target,
                                              before.status, settings)
        since, then = previous_period.label, before.value
    elif measure.previous is not None:
        previous_status = compute_status_then(measure, measure.previous, settings=settings)
        since = previous_period.label if previous_period is not None else None
        then = measure.previous
    movement = compute_movement(status, previous_status)
    if previous_status is None and measure.history and status.is_rag:
        movement = Movement.NEW
    year_ago = period.year_earlier() if period is not None else None
    long_obs = find_observation(measure.history, year_ago)
    direction_long = (trends._direction(measure, long_obs.value, band)
                      if long_obs is not None else None)
    return {
        "direction": direction, "direction_long": direction_long,
        "direction_long_since": year_ago.label if direction_long is not None else None,
        "direction_since": since if direction is not None else None,
        "direction_then": then if direction is not None else None,
        "direction_long_then": long_obs.value if direction_long is not None else None,
        "previous_status": previous_status,
        "previous_period": (previous_period.label
                            if previous_period is not None and previous_status is not None
                            else None),
        "movement": movement, "trend": _reference_trend(measure, period)}


_periods = st.one_of(
    st.builds(lambda n: Period(Q2.end - n, 1), st.integers(-2, 30)),
    st.builds(lambda n: Period(Q2.end - 3 * n, 3), st.integers(-1, 12)),
    st.builds(lambda n: Period(Q2.end - 6 - 12 * n, 12), st.integers(-1, 9)),
)
_values = st.one_of(st.none(), st.sampled_from([0.5, 0.8, 0.9, 0.95, 1.0, 12.0]))
_observations = st.builds(Observation, _periods, _values,
                          st.one_of(st.none(), st.sampled_from([0.85, 0.9])),
                          st.one_of(st.none(), st.sampled_from(list(Status))))


@hsettings(max_examples=400, deadline=None)
@given(history=st.lists(_observations, max_size=12),
       frequency=st.sampled_from([None, Frequency.MONTHLY, Frequency.QUARTERLY,
                                  Frequency.ANNUAL, Frequency.TERMLY]),
       previous=_values, current=_values,
       polarity=st.sampled_from([Polarity.HIGHER, Polarity.LOWER]),
       status=st.sampled_from(list(Status)),
       current_period=st.sampled_from([Q2, None, Period.month(2016, 8)]))
def test_looked_up_once_as_found_by_a_scan(history, frequency, previous, current, polarity,
                                           status, current_period):
    history = tuple(sorted(history, key=lambda o: o.period))
    measure = Measure("A", "P", "m", polarity=polarity, frequency=frequency, target=0.9,
                      current=current, previous=previous, history=history)
    settings = Settings(current_period=current_period)
    assert compute_trends(measure, status, None, settings) == \
        _reference(measure, status, None, settings)
    # the direction from Previous worked out only where needed: as given worked out first
    given = compute_direction(current, previous, polarity, measure.target, None,
                              *direction_band(measure, settings))
    assert compute_trends(measure, status, settings=settings) == \
        compute_trends(measure, status, given, settings)
    assert trends.compute_trend(measure, measure_period(measure, current_period)) == \
        _reference_trend(measure, measure_period(measure, current_period))
