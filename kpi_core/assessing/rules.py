"""The status rules, gaps and direction of travel (SPEC sections 4 and 5). Pure functions.

This module is the only source of truth for RAG: the command line, the scorecard,
the Excel functions and the live macro all call it.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import ValueParseError
from ..formatting import format_value
from ..model import (
    DEFAULT_TOLERANCE, Assessment, BenchmarkGap, DataStatus, Direction, Frequency, Measure,
    Polarity, Settings, Status, Unit,
)

#: Relative error allowed in comparisons, so 0.81 against 0.9 * 0.9 is on the bound.
REL_TOL = 1e-9


def _at_least(value: float, bound: float) -> bool:
    """``value >= bound`` allowing a relative error of 1e-9.

    >>> 0.495 >= 0.55 * (1 - 0.1), _at_least(0.495, 0.55 * (1 - 0.1))
    (False, True)
    """
    return value >= bound or value - bound >= -REL_TOL * max(abs(value), abs(bound))


def _at_most(value: float, bound: float) -> bool:
    return value <= bound or bound - value >= -REL_TOL * max(abs(value), abs(bound))


def compute_amber_bound(target: float, polarity: Polarity, tolerance: float | None = None,
                        amber_threshold: float | None = None,
                        default_tolerance: float = DEFAULT_TOLERANCE) -> float:
    """The boundary between Amber and Red for higher- or lower-is-better.

    The Amber Threshold when given, else the target widened by the tolerance on the
    worse side (``t*(1-tol)`` or ``t*(1+tol)``; for a negative target the band still
    lies on the worse side).

    >>> compute_amber_bound(0.25, Polarity.LOWER)
    0.275
    >>> compute_amber_bound(100, Polarity.HIGHER, tolerance=0.05)
    95.0
    >>> compute_amber_bound(100, Polarity.HIGHER, amber_threshold=80)
    80
    """
    if amber_threshold is not None:
        return amber_threshold
    tol = default_tolerance if tolerance is None else tolerance
    if polarity is Polarity.LOWER:
        return target + abs(target) * tol
    return target - abs(target) * tol


def _range_bands(target: float, target_upper: float, tol: float
                 ) -> tuple[float, float, float, float]:
    """``(low, high, amber_low, amber_high)`` of a Within range target widened by ``tol``."""
    low, high = min(target, target_upper), max(target, target_upper)
    return low, high, low - abs(low) * tol, high + abs(high) * tol


def compute_rag(current: float, target: float, polarity: Polarity = Polarity.HIGHER,
                tolerance: float | None = None, amber_threshold: float | None = None,
                target_upper: float | None = None,
                default_tolerance: float = DEFAULT_TOLERANCE) -> Status:
    """Green, Amber or Red of a current value against a target (rule 4), without the reason.

    The status alone, for callers that assess many values at once (the Excel
    functions over a whole column); :func:`assess_values` adds the reason line.

    >>> compute_rag(0.36, 0.25, Polarity.LOWER), compute_rag(0.81, 0.9)
    (<Status.RED: 'Red'>, <Status.AMBER: 'Amber'>)
    """
    if polarity is Polarity.RANGE:
        if target_upper is None:
            raise ValueParseError("Within range needs a Target Upper", None)
        low, high, amber_low, amber_high = _range_bands(
            target, target_upper, default_tolerance if tolerance is None else tolerance)
        if _at_least(current, low) and _at_most(current, high):
            return Status.GREEN
        if _at_least(current, amber_low) and _at_most(current, amber_high):
            return Status.AMBER
        return Status.RED
    bound = compute_amber_bound(target, polarity, tolerance, amber_threshold, default_tolerance)
    better_or_equal = _at_least if polarity is Polarity.HIGHER else _at_most
    if better_or_equal(current, target):
        return Status.GREEN
    if better_or_equal(current, bound):
        return Status.AMBER
    return Status.RED


def assess_values(current: float, target: float, polarity: Polarity = Polarity.HIGHER, *,
                  tolerance: float | None = None, amber_threshold: float | None = None,
                  target_upper: float | None = None, unit: Unit = Unit.NUMBER,
                  default_tolerance: float = DEFAULT_TOLERANCE) -> tuple[Status, str]:
    """RAG of a current value against a target (rule 4), with its one-line reason.

    >>> assess_values(0.36, 0.25, Polarity.LOWER, unit=Unit.PERCENT)
    (<Status.RED: 'Red'>, 'Red: 36% against a target of 25% (lower is better); amber up to 27.5%')
    >>> assess_values(0.81, 0.9, unit=Unit.PERCENT)[0]
    <Status.AMBER: 'Amber'>
    """
    fmt = lambda v: format_value(v, unit)  # noqa: E731
    status = compute_rag(current, target, polarity, tolerance, amber_threshold, target_upper,
                         default_tolerance)
    if polarity is Polarity.RANGE:
        low, high, amber_low, amber_high = _range_bands(
            target, target_upper, default_tolerance if tolerance is None else tolerance)
        band = (f"amber from {fmt(amber_low)} to {fmt(amber_high)}"
                if (amber_low, amber_high) != (low, high) else "no amber band")
        return status, (f"{status.value}: {fmt(current)} against a target range of "
                        f"{fmt(low)} to {fmt(high)}; {band}")

    bound = compute_amber_bound(target, polarity, tolerance, amber_threshold, default_tolerance)
    word = "higher" if polarity is Polarity.HIGHER else "lower"
    if bound == target:
        band = "no amber band"
    else:
        band = f"amber {'down' if polarity is Polarity.HIGHER else 'up'} to {fmt(bound)}"
    return status, (f"{status.value}: {fmt(current)} against a target of {fmt(target)} "
                    f"({word} is better); {band}")


def assess_status(measure: Measure, default_tolerance: float = DEFAULT_TOLERANCE
                  ) -> tuple[Status, str]:
    """A measure's status by the rules of SPEC section 4, in their order, with the reason.

    >>> assess_status(Measure("X1", "P", "m", current=None, target=1.0))
    (<Status.DATA_UNAVAILABLE: 'Data unavailable'>, 'Data unavailable: no current position')
    """
    fmt = lambda v: format_value(v, measure.unit)  # noqa: E731
    if measure.data_status is DataStatus.UNAVAILABLE:
        return Status.DATA_UNAVAILABLE, "Data unavailable: Data Status is Unavailable"
    if measure.data_status is DataStatus.NOT_DUE:
        return Status.NOT_DUE, "Not due: Data Status is Not due"
    if measure.current is None:
        shown = f"current position is '{measure.current_marker}'" if measure.current_marker \
            else "no current position"
        if measure.frequency is Frequency.ANNUAL:
            return Status.NOT_DUE, f"Not due: annual outturn only, {shown}"
        return Status.DATA_UNAVAILABLE, f"Data unavailable: {shown}"
    if measure.target is None:
        return Status.NO_TARGET, f"No target: {fmt(measure.current)} with no target set"
    return assess_values(
        measure.current, measure.target, measure.polarity, tolerance=measure.tolerance,
        amber_threshold=measure.amber_threshold, target_upper=measure.target_upper,
        unit=measure.unit, default_tolerance=default_tolerance)


def _distance_outside(value: float, low: float, high: float) -> float:
    """How far a value lies outside ``[low, high]``; 0 inside."""
    low, high = min(low, high), max(low, high)
    return max(low - value, value - high, 0.0)


def compute_gap(current: float | None, reference: float | None,
                polarity: Polarity = Polarity.HIGHER, reference_upper: float | None = None
                ) -> float | None:
    """``current - reference`` signed so that positive is better; ``None`` if either is missing.

    For Within range with an upper bound, the gap is minus the distance outside the
    range (0 inside it); without one it is the plain difference.

    >>> round(compute_gap(0.36, 0.23, Polarity.LOWER), 2), round(compute_gap(0.97, 0.95), 2)
    (-0.13, 0.02)
    """
    if current is None or reference is None:
        return None
    if polarity is Polarity.LOWER:
        return reference - current
    if polarity is Polarity.RANGE and reference_upper is not None:
        return -_distance_outside(current, reference, reference_upper)
    return current - reference


def compute_target_gap(measure: Measure) -> float | None:
    """Gap to target, positive is better (SPEC section 5)."""
    return compute_gap(measure.current, measure.target, measure.polarity, measure.target_upper)


def compute_benchmark_gaps(measure: Measure) -> tuple[BenchmarkGap, ...]:
    """Gap to each benchmark, positive is better; none when there is no current value."""
    if measure.current is None:
        return ()
    return tuple(BenchmarkGap(b, compute_gap(measure.current, b.value, measure.polarity))
                 for b in measure.benchmarks)


def compute_direction(current: float | None, previous: float | None,
                      polarity: Polarity = Polarity.HIGHER, target: float | None = None,
                      target_upper: float | None = None) -> Direction | None:
    """Improving, Worsening or No change from the previous value, polarity-aware.

    Within range, moving closer to the range is improving.

    >>> compute_direction(0.30, 0.36, Polarity.LOWER), compute_direction(5, 5)
    (<Direction.IMPROVING: 'Improving'>, <Direction.NO_CHANGE: 'No change'>)
    """
    if current is None or previous is None:
        return None
    if polarity is Polarity.RANGE:
        if target is None or target_upper is None:
            return None
        change = (_distance_outside(previous, target, target_upper)
                  - _distance_outside(current, target, target_upper))
    elif polarity is Polarity.LOWER:
        change = previous - current
    else:
        change = current - previous
    if abs(change) <= REL_TOL * max(abs(current), abs(previous)):
        return Direction.NO_CHANGE
    return Direction.IMPROVING if change > 0 else Direction.WORSENING


def assess_measure(measure: Measure, settings: Settings = Settings()) -> Assessment:
    """Status, reason, gaps and direction of one measure; with History (or a Previous) also
    its long direction, previous status, RAG movement and trend (:mod:`.trends`)."""
    status, reason = assess_status(measure, settings.default_tolerance)
    assessment = Assessment(
        measure=measure, status=status, reason=reason,
        target_gap=compute_target_gap(measure) if status.is_rag else None,
        benchmark_gaps=compute_benchmark_gaps(measure),
        direction=compute_direction(measure.current, measure.previous, measure.polarity,
                                    measure.target, measure.target_upper))
    from .trends import assess_trends  # trends builds on this module's rules
    return assess_trends(assessment, settings)


def assess_measures(measures: Iterable[Measure], settings: Settings = Settings()
                    ) -> tuple[Assessment, ...]:
    return tuple(assess_measure(m, settings) for m in measures)


def _zero_counts() -> dict[str, int]:
    return {s.value: 0 for s in Status if s is not Status.BLUE}


def summarise(assessments: Iterable[Assessment]) -> dict[str, dict[str, int]]:
    """Counts per portfolio (in first-seen order) of every status, zeros included.

    A measure whose row has data errors (``problems``) is not counted: its status
    cannot be trusted, and the scorecard shows it as ``Check data``.

    >>> a = assess_measures([Measure("A", "P", "m", current=1.0, target=1.0)])
    >>> summarise(a)["P"]["Green"], summarise(a)["P"]["Red"]
    (1, 0)
    """
    summary: dict[str, dict[str, int]] = {}
    for a in assessments:
        if a.problems:
            continue
        counts = summary.setdefault(a.measure.portfolio, _zero_counts())
        counts[a.status.value] += 1
    return summary


def summarise_totals(summary: dict[str, dict[str, int]]) -> dict[str, int]:
    """The per-portfolio counts added up over every portfolio."""
    totals = _zero_counts()
    for counts in summary.values():
        for status, n in counts.items():
            totals[status] += n
    return totals
