"""History's rules (SPEC section 5): direction of travel short and long, previous status,
RAG movement and the trend of the last eight periods. Pure functions.

A measure's own period is the latest period of its frequency that ends by the
workbook's current period (Settings ``Period``): in ``Q2 2016/17`` a quarterly
measure is at ``Q2 2016/17``, a monthly one at ``Sep 2016``, an annual one at
``2015/16``. Its previous period and the same period a year earlier are found in
its History; the ``Previous`` column stands in for the previous period where History
has none.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache
from itertools import repeat
from operator import itemgetter

from ..model import (
    Assessment, Direction, Frequency, Measure, Movement,
    NO_TREND, Observation, Period, Settings, Status, Trend,
)
from ..period import period_label
from .rules import compute_direction, compute_status, direction_band

#: How many periods a trend shows, the current one included.
TREND_PERIODS = 8
_PERIOD_FREQUENCIES = (Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.ANNUAL)


def measure_period(measure: Measure, current: Period | None) -> Period | None:
    """The period a measure's Current belongs to.

    Its frequency is the Frequency column's when that is monthly, quarterly or annual,
    else its History's, else the workbook period's own. With no workbook period, the
    period after its latest History row; with neither, unknown.

    >>> q2 = Period.quarter(2016, 2)
    >>> measure_period(Measure("A", "P", "m", frequency=Frequency.ANNUAL), q2).label
    '2015/16'
    >>> measure_period(Measure("A", "P", "m", history=(Observation(Period.month(2016, 8), 1.0),)),
    ...                None).label
    'Sep 2016'
    """
    if measure.frequency in _PERIOD_FREQUENCIES:
        frequency = measure.frequency
    elif measure.history:
        frequency = measure.history[0].period.frequency
    else:
        frequency = current.frequency if current is not None else None
    if current is not None:
        return current.latest(frequency)
    if measure.history:
        return measure.history[-1].period.next()
    return None


def find_observation(history: tuple[Observation, ...], period: Period | None
                     ) -> Observation | None:
    """The History row for ``period``, if there is one."""
    if period is None:
        return None
    for o in reversed(history):  # oldest first: the previous period is usually the last row
        if o.period == period:
            return o
    return None


def compute_status_then(measure: Measure, value: float | None, target: float | None = None,
                        published: Status | None = None, settings: Settings | None = None
                        ) -> Status:
    """The status a past period had: the ``published`` one when History gives it, else the
    rules on that period's value and target (today's target when it has none).

    >>> m = Measure("A", "P", "m", target=0.9)
    >>> compute_status_then(m, 0.85), compute_status_then(m, 0.85, target=0.8)
    (<Status.AMBER: 'Amber'>, <Status.GREEN: 'Green'>)
    >>> compute_status_then(m, 0.5, published=Status.GREEN)
    <Status.GREEN: 'Green'>
    """
    if published is not None:
        return published
    return compute_status(measure, value, target if target is not None else measure.target,
                          settings)


def compute_movement(status: Status, previous: Status | None) -> Movement | None:
    """RAG movement from the previous period's status to this one's.

    ``New`` when a measure has a RAG now and had none then (no figure, no target, not
    due); nothing when it has no RAG now or nothing is known of the previous period.

    >>> compute_movement(Status.AMBER, Status.RED), compute_movement(Status.AMBER, Status.GREEN)
    (<Movement.IMPROVED: 'Improved'>, <Movement.DECLINED: 'Declined'>)
    >>> compute_movement(Status.RED, Status.RED), compute_movement(Status.RED, Status.NO_TARGET)
    (<Movement.SAME: 'Same'>, <Movement.NEW: 'New'>)
    >>> compute_movement(Status.NOT_DUE, Status.RED) is None
    True
    """
    if not status.is_rag or previous is None:
        return None
    if not previous.is_rag:
        return Movement.NEW
    if status.rank > previous.rank:
        return Movement.IMPROVED
    if status.rank < previous.rank:
        return Movement.DECLINED
    return Movement.SAME


def compute_trend(measure: Measure, period: Period | None) -> Trend:
    """The last eight periods' values, oldest first, the current one last; ``None`` where
    a period has no figure. Starts at the oldest History row when there are fewer; empty
    when the measure has no History.

    >>> h = (Observation(Period.quarter(2016, 1), 0.8),)
    >>> [(t.period, t.value) for t in compute_trend(Measure("A", "P", "m", current=0.9,
    ...                                                     history=h), Period.quarter(2016, 2))]
    [('Q1 2016/17', 0.8), ('Q2 2016/17', 0.9)]
    """
    if not measure.history or period is None:
        return NO_TREND
    return _trend(_by_end(measure.history, period.span), period, measure.current)


def _by_end(history: tuple[Observation, ...], span: int) -> dict[int, Observation]:
    """The History rows of periods ``span`` months long, by the month each ends (the
    later row where two are of one period, as :func:`find_observation` finds)."""
    return {o.period.end: o for o in history if o.period.span == span}


def _trend(rows: dict[int, Observation], period: Period, current: float | None) -> Trend:
    """:func:`compute_trend` from the rows of ``period``'s span by the month each ends."""
    if not rows:
        return NO_TREND
    span, last = period.span, period.end
    first = max(min(rows), last - (TREND_PERIODS - 1) * span)
    # each period's row (a row of no value where it has none), then its value: at C
    # speed, the labels of the periods made once for the workbook
    values = (*map(_VALUE, map(rows.get, range(first, last, span), repeat(_NO_ROW))), current)
    return Trend(_labels(first, last, span), values)


_VALUE = itemgetter(1)
_NO_ROW = Observation(Period(0, 1), None)


@lru_cache(maxsize=1024)
def _labels(first: int, last: int, span: int) -> tuple[str, ...]:
    """The labels of the periods ``span`` months long ending in ``first`` up to ``last``
    (not included), then ``last``'s."""
    return tuple([period_label(end, span) for end in range(first, last, span)]
                 + [period_label(last, span)])


#: :func:`compute_trends`' direction from the Previous column, worked out there only
#: where History has no row for the previous period (with History, it seldom is needed).
FROM_PREVIOUS = object()


def compute_trends(measure: Measure, status: Status,
                   direction: Direction | None | object = FROM_PREVIOUS,
                   settings: Settings | None = None) -> dict[str, object]:
    """The direction (short and long), previous status, RAG movement and trend of a
    measure of ``status`` from its History (the ``Previous`` column where it has none),
    as keyword arguments of :class:`~kpi_core.model.Assessment`; ``direction`` is its
    direction from the Previous column (:data:`FROM_PREVIOUS`: worked out here where
    it is needed), so an assessment is built once.

    >>> from kpi_core.assessing.measure import assess_measure
    >>> q2 = Period.quarter(2016, 2)
    >>> m = Measure("A", "P", "m", current=0.95, target=0.9, history=(
    ...     Observation(q2.year_earlier(), 0.97), Observation(q2.previous(), 0.8)))
    >>> a = assess_measure(m, Settings(period="Q2 2016/17", current_period=q2))
    >>> a.direction.label, a.direction_long.label, a.direction_long_since
    ('▲ Improving', '▼ Worsening', 'Q2 2015/16')
    >>> a.direction_since, a.direction_then, a.direction_long_then
    ('Q1 2016/17', 0.8, 0.97)
    >>> a.previous_status.value, a.previous_period, a.movement.value, len(a.trend)
    ('Red', 'Q1 2016/17', 'Improved', 5)
    """
    period = measure_period(measure, settings.current_period if settings else None)
    previous_period = period.previous() if period is not None else None
    # the History rows of the measure's own span, by the month each ends: the previous
    # period, the year before and the trend are looked up in it (one pass over History)
    rows = _by_end(measure.history, period.span) if period is not None else {}
    before = rows.get(previous_period.end) if previous_period is not None else None

    if before is None and measure.previous is not None:
        # a close copies the closed figure into Previous and History alike: where that
        # History row is not the period just before (a monthly measure closed at the end
        # of a quarter), the figure is compared with, and named by, the period it is of
        before = _closed_as_previous(measure, period)
        if before is not None:
            previous_period = before.period

    previous_status = None
    since = then = None
    band = direction_band(measure, settings)
    if before is not None:
        direction = _direction(measure, before.value, band)
        previous_status = compute_status_then(measure, before.value, before.target,
                                              before.status, settings)
        since, then = previous_period.label, before.value
    else:
        if direction is FROM_PREVIOUS:
            direction = _direction(measure, measure.previous, band)
        if measure.previous is not None:  # the Previous column, against today's target
            previous_status = compute_status_then(measure, measure.previous,
                                                  settings=settings)
            since = previous_period.label if previous_period is not None else None
            then = measure.previous
    movement = compute_movement(status, previous_status)
    if previous_status is None and measure.history and status.is_rag:
        movement = Movement.NEW  # History, but nothing for the previous period

    year_ago = period.year_earlier() if period is not None else None
    long_obs = rows.get(year_ago.end) if year_ago is not None else None
    direction_long = (_direction(measure, long_obs.value, band) if long_obs is not None
                      else None)

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
        "movement": movement,
        "trend": _trend(rows, period, measure.current) if measure.history else NO_TREND}


def _closed_as_previous(measure: Measure, period: Period | None) -> Observation | None:
    """The latest History row before ``period`` when it holds the Previous column's figure.

    >>> dec, sep = Period.month(2016, 12), Observation(Period.month(2016, 9), 0.93)
    >>> m = Measure("A", "P", "m", previous=0.93, history=(sep,))
    >>> _closed_as_previous(m, dec).period.label
    'Sep 2016'
    >>> _closed_as_previous(Measure("A", "P", "m", previous=0.9, history=(sep,)), dec) is None
    True
    """
    if period is None or measure.previous is None:
        return None
    earlier = [o for o in measure.history if o.period < period and o.value is not None]
    if not earlier:
        return None
    latest = max(earlier, key=lambda o: o.period)
    if not math.isclose(latest.value, measure.previous, rel_tol=1e-9, abs_tol=1e-12):
        return None
    return latest


def _direction(measure: Measure, before: float | None, band: tuple[float, bool]
               ) -> Direction | None:
    return compute_direction(measure.current, before, measure.polarity, measure.target,
                             measure.target_upper, *band)


def _zero_movements() -> dict[str, int]:
    return {m.value: 0 for m in Movement}


def summarise_movement(assessments: Iterable[Assessment]) -> dict[str, dict[str, int]]:
    """RAG movement counts per portfolio (first-seen order), zeros included; measures
    with data errors are not counted; once any measure has a movement, a measure with a
    RAG and nothing known of its previous period counts as New.

    >>> from kpi_core.assessing.measure import assess_measures
    >>> summarise_movement(assess_measures([Measure("A", "P", "m", current=1.0, target=1.0,
    ...                                             previous=0.5)]))["P"]["Improved"]
    1
    """
    assessments = tuple(assessments)
    # Once any measure has a movement, every measure with a RAG counts, those with nothing
    # known of the previous period as New: the counts add up to the measures with a RAG.
    known = any(a.movement is not None and not a.problems for a in assessments)
    summary: dict[str, dict[str, int]] = {}
    for a in assessments:
        counts = summary.get(a.measure.portfolio)
        if counts is None:  # a fresh dict per portfolio, not per measure
            counts = summary[a.measure.portfolio] = _zero_movements()
        if a.problems:
            continue
        movement = a.movement
        if movement is None and known and a.status.is_rag:
            movement = Movement.NEW
        if movement is not None:
            counts[movement.value] += 1
    return summary


def summarise_movement_totals(summary: dict[str, dict[str, int]]) -> dict[str, int]:
    """The per-portfolio movement counts added up."""
    totals = _zero_movements()
    for counts in summary.values():
        for movement, n in counts.items():
            totals[movement] += n
    return totals
