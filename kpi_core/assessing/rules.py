"""The status rules, gaps and direction of travel (SPEC sections 4 and 5). Pure functions.

This module is the only source of truth for RAG: the command line, the scorecard,
the Excel functions and the live macro all call it, through
:func:`kpi_core.assessing.measure.assess_measure` (which combines these rules with
the trends and the comparators of each measure) or directly.
"""

from __future__ import annotations

from ..errors import ValueParseError
from ..formatting import format_value
from ..model import (
    DEFAULT_GREEN_TOLERANCE, DEFAULT_TOLERANCE, BenchmarkGap, DataStatus, Direction,
    Frequency, Measure, Polarity, Settings, Status, ToleranceBasis, Unit,
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


_RELATIVE, _ABSOLUTE = ToleranceBasis.RELATIVE, ToleranceBasis.ABSOLUTE
_HIGHER, _LOWER, _RANGE = Polarity.HIGHER, Polarity.LOWER, Polarity.RANGE
_BLUE, _GREEN, _AMBER, _RED = Status.BLUE, Status.GREEN, Status.AMBER, Status.RED


def _bounds(target: float, lower: bool, tol: float, amber_threshold: float | None,
            green: float, absolute: bool) -> tuple[float, float]:
    """``(green bound, amber bound)`` of a higher- (``lower`` False) or lower-is-better
    target: the one arithmetic of rule 4's bands, inline for speed (the Excel functions
    call it once per row of a column)."""
    scale = 1.0 if absolute else abs(target)
    if amber_threshold is None:
        amber_threshold = target + tol * scale if lower else target - tol * scale
    return (target + green * scale if lower else target - green * scale), amber_threshold


def compute_amber_bound(target: float, polarity: Polarity, tolerance: float | None = None,
                        amber_threshold: float | None = None,
                        default_tolerance: float = DEFAULT_TOLERANCE,
                        basis: ToleranceBasis = _RELATIVE) -> float:
    """The boundary between Amber and Red for higher- or lower-is-better.

    The Amber Threshold when given, else the target widened by the tolerance's
    allowance on the worse side (``t - a`` or ``t + a``, ``a`` being ``tol*|t|`` or,
    basis Absolute, ``tol`` itself; for a negative target the band still lies on the
    worse side).

    >>> compute_amber_bound(0.25, Polarity.LOWER)
    0.275
    >>> compute_amber_bound(100, Polarity.HIGHER, tolerance=0.05)
    95.0
    >>> compute_amber_bound(100, Polarity.HIGHER, amber_threshold=80)
    80
    >>> compute_amber_bound(10, Polarity.LOWER, tolerance=2, basis=ToleranceBasis.ABSOLUTE)
    12.0
    """
    return _bounds(target, polarity is _LOWER,
                   default_tolerance if tolerance is None else tolerance, amber_threshold, 0.0,
                   basis is _ABSOLUTE)[1]


def compute_green_bound(target: float, polarity: Polarity, green_tolerance: float | None = None,
                        default_green_tolerance: float = DEFAULT_GREEN_TOLERANCE,
                        basis: ToleranceBasis = _RELATIVE) -> float:
    """The boundary between Green and Amber: the target, or short of it by the green band.

    >>> compute_green_bound(1.0, Polarity.HIGHER, 0.05), compute_green_bound(20, Polarity.LOWER)
    (0.95, 20.0)
    >>> compute_green_bound(0.9, Polarity.HIGHER, 0.05, basis=ToleranceBasis.ABSOLUTE)
    0.85
    """
    return _bounds(target, polarity is _LOWER, 0.0, target,
                   default_green_tolerance if green_tolerance is None else green_tolerance,
                   basis is _ABSOLUTE)[0]


def _range_bands(target: float, target_upper: float, tol: float, green: float = 0.0,
                 basis: ToleranceBasis = _RELATIVE) -> tuple[float, float, float, float]:
    """``(green_low, green_high, amber_low, amber_high)`` of a Within range target: the
    range widened by the green band, then by the tolerance (relative allowances taken
    of the bottom and the top of the range in turn)."""
    low, high = (target, target_upper) if target <= target_upper else (target_upper, target)
    if basis is _ABSOLUTE:
        return low - green, high + green, low - tol, high + tol
    return (low - green * abs(low), high + green * abs(high),
            low - tol * abs(low), high + tol * abs(high))


def compute_rag(current: float, target: float, polarity: Polarity = Polarity.HIGHER,
                tolerance: float | None = None, amber_threshold: float | None = None,
                target_upper: float | None = None,
                default_tolerance: float = DEFAULT_TOLERANCE,
                green_tolerance: float | None = None,
                default_green_tolerance: float = DEFAULT_GREEN_TOLERANCE,
                basis: ToleranceBasis = _RELATIVE,
                stretch_target: float | None = None) -> Status:
    """Blue, Green, Amber or Red of a current value against a target (rules 4 and 5),
    without the reason. (Every argument may be given by position: the Excel functions
    call it once per row of a column.)

    The status alone, for callers that assess many values at once (the Excel
    functions over a whole column); :func:`assess_values` adds the reason line.
    Boundaries belong to the better status. ``stretch_target`` (given only where the
    workbook uses Blue) turns a Green that reaches it Blue; Within range has no Blue.

    >>> compute_rag(0.36, 0.25, Polarity.LOWER), compute_rag(0.81, 0.9)
    (<Status.RED: 'Red'>, <Status.AMBER: 'Amber'>)
    >>> compute_rag(0.96, 1.0, green_tolerance=0.05), compute_rag(0.99, 0.95, stretch_target=0.98)
    (<Status.GREEN: 'Green'>, <Status.BLUE: 'Blue'>)
    """
    tol = default_tolerance if tolerance is None else tolerance
    green = default_green_tolerance if green_tolerance is None else green_tolerance
    if polarity is _RANGE:
        if target_upper is None:
            raise ValueParseError("Within range needs a Target Upper", None)
        green_low, green_high, amber_low, amber_high = _range_bands(
            target, target_upper, tol, green, basis)
        if _at_least(current, green_low) and _at_most(current, green_high):
            return _GREEN
        if _at_least(current, amber_low) and _at_most(current, amber_high):
            return _AMBER
        return _RED
    lower = polarity is _LOWER
    green_bound, amber_bound = _bounds(target, lower, tol, amber_threshold, green,
                                       basis is _ABSOLUTE)
    better_or_equal = _at_most if lower else _at_least
    if better_or_equal(current, green_bound):
        if stretch_target is not None and better_or_equal(current, stretch_target):
            return _BLUE
        return _GREEN
    if better_or_equal(current, amber_bound):
        return _AMBER
    return _RED


def assess_values(current: float, target: float, polarity: Polarity = Polarity.HIGHER, *,
                  tolerance: float | None = None, amber_threshold: float | None = None,
                  target_upper: float | None = None, unit: Unit = Unit.NUMBER,
                  default_tolerance: float = DEFAULT_TOLERANCE,
                  green_tolerance: float | None = None,
                  default_green_tolerance: float = DEFAULT_GREEN_TOLERANCE,
                  basis: ToleranceBasis = _RELATIVE,
                  stretch_target: float | None = None) -> tuple[Status, str]:
    """RAG of a current value against a target (rules 4 and 5), with its one-line reason.

    The reason names the bands used: the green band when there is one, the stretch
    target of a Green or Blue measure, the amber bound.

    >>> assess_values(0.36, 0.25, Polarity.LOWER, unit=Unit.PERCENT)
    (<Status.RED: 'Red'>, 'Red: 36% against a target of 25% (lower is better); amber up to 27.5%')
    >>> assess_values(0.81, 0.9, unit=Unit.PERCENT)[0]
    <Status.AMBER: 'Amber'>
    >>> assess_values(0.96, 1.0, unit=Unit.PERCENT, green_tolerance=0.05)[1]
    'Green: 96% against a target of 100%, green down to 95% (higher is better); amber down to 90%'
    """
    fmt = lambda v: format_value(v, unit)  # noqa: E731
    status = compute_rag(current, target, polarity, tolerance, amber_threshold, target_upper,
                         default_tolerance, green_tolerance=green_tolerance,
                         default_green_tolerance=default_green_tolerance, basis=basis,
                         stretch_target=stretch_target)
    if polarity is _RANGE:
        green_low, green_high, amber_low, amber_high = _range_bands(
            target, target_upper, default_tolerance if tolerance is None else tolerance,
            default_green_tolerance if green_tolerance is None else green_tolerance, basis)
        low, high = min(target, target_upper), max(target, target_upper)
        green = (f", green from {fmt(green_low)} to {fmt(green_high)}"
                 if (green_low, green_high) != (low, high) else "")
        band = (f"amber from {fmt(amber_low)} to {fmt(amber_high)}"
                if (amber_low, amber_high) != (green_low, green_high) else "no amber band")
        return status, (f"{status.value}: {fmt(current)} against a target range of "
                        f"{fmt(low)} to {fmt(high)}{green}; {band}")

    green_bound = compute_green_bound(target, polarity, green_tolerance, default_green_tolerance,
                                      basis)
    bound = compute_amber_bound(target, polarity, tolerance, amber_threshold, default_tolerance,
                                basis)
    word, way = ("higher", "down") if polarity is _HIGHER else ("lower", "up")
    bands = f", green {way} to {fmt(green_bound)}" if green_bound != target else ""
    if stretch_target is not None and status in (_GREEN, _BLUE):
        bands += (f", stretch target {fmt(stretch_target)} "
                  f"{'reached' if status is _BLUE else 'not reached'}")
    band = "no amber band" if bound == green_bound else f"amber {way} to {fmt(bound)}"
    return status, (f"{status.value}: {fmt(current)} against a target of {fmt(target)}{bands} "
                    f"({word} is better); {band}")


def _settings_for(measure: Measure, settings: Settings | None,
                  default_tolerance: float = DEFAULT_TOLERANCE) -> Settings:
    """The workbook's settings; without them, ``default_tolerance`` and the model's
    defaults, and Blue in use when the measure has a Stretch Target."""
    if settings is not None:
        return settings
    return Settings(default_tolerance=default_tolerance,
                    use_blue=measure.stretch_target is not None)


def compute_status(measure: Measure, current: float | None, target: float | None,
                   settings: Settings | None = None) -> Status:
    """The status rules 2-5 give ``measure`` with ``current`` and ``target`` in place of
    its own figures (a past period's, its data available), without the reason line:
    what :func:`assess_status` would say of that measure, for less work.

    >>> m = Measure("A", "P", "m", target=0.9, frequency=Frequency.ANNUAL)
    >>> compute_status(m, 0.85, 0.9), compute_status(m, None, 0.9), compute_status(m, 1, None)
    (<Status.AMBER: 'Amber'>, <Status.NOT_DUE: 'Not due'>, <Status.NO_TARGET: 'No target'>)
    """
    if current is None:
        return Status.NOT_DUE if measure.frequency is Frequency.ANNUAL \
            else Status.DATA_UNAVAILABLE
    if target is None:
        return Status.NO_TARGET
    settings = _settings_for(measure, settings)
    return compute_rag(
        current, target, measure.polarity, measure.tolerance, measure.amber_threshold,
        measure.target_upper, settings.default_tolerance, measure.green_tolerance,
        settings.default_green_tolerance, measure.tolerance_basis or settings.tolerance_basis,
        measure.stretch_target if settings.use_blue else None)


def assess_status(measure: Measure, default_tolerance: float = DEFAULT_TOLERANCE,
                  settings: Settings | None = None) -> tuple[Status, str]:
    """A measure's status by rules 1-5 of SPEC section 4, in their order, with the reason.

    ``settings`` gives the workbook's defaults (tolerances, basis) and whether it
    uses Blue; without it, ``default_tolerance`` and the model's defaults apply and
    a filled Stretch Target counts (as a workbook with one uses Blue).
    Rule 6 (the officer's override) is :func:`~kpi_core.assessing.measure.assess_measure`'s.

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
    settings = _settings_for(measure, settings, default_tolerance)
    return assess_values(
        measure.current, measure.target, measure.polarity, tolerance=measure.tolerance,
        amber_threshold=measure.amber_threshold, target_upper=measure.target_upper,
        unit=measure.unit, default_tolerance=settings.default_tolerance,
        green_tolerance=measure.green_tolerance,
        default_green_tolerance=settings.default_green_tolerance,
        basis=measure.tolerance_basis or settings.tolerance_basis,
        stretch_target=measure.stretch_target if settings.use_blue else None)


def apply_override(status: Status, reason: str, override: Status | None,
                   override_reason: str | None) -> tuple[Status, str, Status | None]:
    """Rule 6: the officer's RAG replaces a RAG from rules 4-5, the rules' kept beside it.

    Returns ``(status, reason, computed_status)``; ``computed_status`` is ``None``
    when no override stands (none given, or the rules gave no RAG: the reader
    reports such an override as a problem).

    >>> apply_override(Status.RED, "Red: 36% against a target of 25% (lower is better); "
    ...                "amber up to 27.5%", Status.AMBER, "recovery plan agreed")[1]
    'Amber by officer judgement (rules give Red: 36% against a target of 25% (lower is better); amber up to 27.5%): recovery plan agreed'
    """
    if override is None or not status.is_rag:
        return status, reason, None
    why = f": {override_reason}" if override_reason else ""
    return override, f"{override.value} by officer judgement (rules give {reason}){why}", status


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
                      target_upper: float | None = None, tolerance: float = 0.0,
                      absolute: bool = False) -> Direction | None:
    """Improving, Worsening or No change from the previous value, polarity-aware.

    Within range, moving closer to the range is improving. A change within
    ``tolerance`` (a fraction of the previous value, or with ``absolute`` an amount in
    the measure's units) is No change, as councils publish "Similar result".

    >>> compute_direction(0.30, 0.36, Polarity.LOWER), compute_direction(5, 5)
    (<Direction.IMPROVING: 'Improving'>, <Direction.NO_CHANGE: 'No change'>)
    >>> compute_direction(0.514, 0.519), compute_direction(0.514, 0.519, tolerance=0.01)
    (<Direction.WORSENING: 'Worsening'>, <Direction.NO_CHANGE: 'No change'>)
    >>> compute_direction(0.514, 0.519, tolerance=0.005, absolute=True).value
    'No change'
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
    band = tolerance if absolute else tolerance * abs(previous)
    if abs(change) <= max(REL_TOL * max(abs(current), abs(previous)), band * (1 + REL_TOL)):
        return Direction.NO_CHANGE
    return Direction.IMPROVING if change > 0 else Direction.WORSENING


def direction_band(measure: Measure, settings: Settings | None) -> tuple[float, bool]:
    """The Settings ``Direction Tolerance`` and whether it is an amount (the measure's
    Tolerance Basis, else the workbook's, is Absolute) rather than a fraction."""
    if settings is None:
        return 0.0, False
    basis = measure.tolerance_basis or settings.tolerance_basis
    return settings.direction_tolerance, basis is ToleranceBasis.ABSOLUTE
