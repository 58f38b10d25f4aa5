"""Cell values in, the cell's answer out: the element-wise layer under the ``KPI_*`` functions.

Each ``cell_*`` function takes what one worksheet cell holds for each argument
(``None`` for a blank, a float, text such as ``97%`` or ``Lower is better``) and
returns what that cell of the answer shows: a status word, a reason line, a
number, or ``None`` for an empty cell. Values are parsed by :mod:`kpi_core.reading.values`
and judged by :mod:`kpi_core.assessing.rules`; nothing here decides a status.

Bad input is never raised: it comes back as a message starting ``#KPI!`` (e.g.
``#KPI! current 'abc' is not a number``), so the sheet shows the problem in the
cell where it arises and never a status that hides it.

:func:`broadcast` applies a ``cell_*`` function over single values and 2-D
ranges (lists of rows), so one formula serves a whole column. Pure Python, no
numpy: it runs in xlwings Lite (Pyodide) as it does in desktop Excel.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain, repeat
from operator import itemgetter

from ..errors import ValueParseError
from ..model import (
    DEFAULT_GREEN_TOLERANCE, DEFAULT_TOLERANCE, Measure, Polarity, ToleranceBasis, Unit,
)
from ..reading.bands import check_bands
from ..reading.values import (
    COMPARATOR_MARKERS, parse_polarity, parse_reading, parse_tolerance, parse_tolerance_basis,
    parse_unit,
)
from .comparators import MIN_FOR_QUARTILES, Ranking, band_of, compute_quartiles
from .rules import assess_status, compute_direction, compute_gap, compute_rag

#: How every message of bad input begins, so a sheet can find them (``=ISNUMBER(SEARCH(...))``).
ERROR_PREFIX = "#KPI! "

#: Why a Within range measure cannot be assessed in a cell without its top.
RANGE_NEEDS_UPPER = ("Within range needs a Target Upper (the top of the range): give it as "
                     "the argument target_upper")

#: The help of every argument of the ``KPI_*`` functions, once: the xlwings functions
#: (``addin/udfs.py``) and xlwings Lite's custom functions show these words. Excel keeps
#: 255 characters of each.
ARG_DOCS = {
    "current": "The current position: a cell or a column. A number, a percent (97% or 0.97), "
               "or blank/n/a/TBC when unknown.",
    "target": "The target: a cell or a column. Blank means no target has been set. For "
              "Within range, the bottom of the range.",
    "polarity": "Higher is better (default when omitted), Lower is better or Within range "
                "(give target_upper); short forms Higher/Lower/Range.",
    "tolerance": "Optional amber band beyond the target: a fraction of the target (0.1 or "
                 "10%, default 10%), or with tolerance_basis Absolute an amount in the "
                 "measure's units.",
    "amber_threshold": "Optional boundary between Amber and Red; overrides the tolerance.",
    "target_upper": "Optional top of the range, for Within range measures (target is the "
                    "bottom).",
    "green_tolerance": "Optional band short of the target that still counts as Green "
                       "('on target or within 5%': 0.05), same basis as the tolerance. "
                       "Default 0.",
    "tolerance_basis": "Optional: Relative (default; tolerances are fractions of the target) "
                       "or Absolute (amounts in the measure's units: 0.05 on a % measure is 5 "
                       "points, 2 on days is 2 days).",
    "stretch_target": "Optional stretch target: a Green measure that reaches it is Blue.",
    "unit": "Optional unit for the wording: %, number, days, \u00a3 or rate. Default: % when "
            "figures are written as 97%, else number.",
    "previous": "The previous period's value: a cell or a column.",
    "direction_tolerance": "Optional no-change band: a change within this fraction of the "
                           "previous value (0.01 or 1%) is No change. Default 0.",
    "benchmark": "A comparator's value (e.g. the statistical neighbour average): a cell or a "
                 "column.",
    "value": "Our value: a cell or a column (each value is ranked on its own). Blank gives an "
             "empty cell.",
    "values": "The group's values, ours among them: one range, e.g. the statistical "
              "neighbours' or England's column. Blanks, n/a, x and c are authorities without "
              "data.",
}
#: Arguments whose help differs in one function.
_FUNCTION_ARG_DOCS = {
    ("KPI_QUARTILE", "values"): "The England authorities' values, ours among them (leave out "
                                "England and region rows). At least 4. Blanks, n/a, x and c "
                                "are left out.",
    ("KPI_RANK", "polarity"): "Higher is better (default when omitted) or Lower is better; "
                              "short forms Higher/Lower. Within range gets no rank or band.",
    ("KPI_QUARTILE", "polarity"): "Higher is better (default when omitted) or Lower is better; "
                                  "short forms Higher/Lower. Within range gets no rank or band.",
}
_DIRECTION_TARGET = ("Optional bottom of the range, for Within range measures (with "
                     "target_upper): closer to the range is improving.")

#: What each function answers (the wizard's description) and its arguments in order;
#: ``[...]`` are optional. ``KPI_DIRECTION``'s ``target`` is the range's bottom.
FUNCTION_DOCS = {
    "KPI_RAG": "RAG status of a measure: Blue, Green, Amber, Red, Data unavailable (blank "
               "current) or No target (blank target). Works on single cells or whole columns.",
    "KPI_RAG_REASON": "The one-line reason for a measure's RAG status, e.g. Red: 36% against a "
                      "target of 25% (lower is better); amber up to 27.5%.",
    "KPI_GAP": "Gap between the current position and the target, signed so that positive is "
               "better. Empty when either is blank.",
    "KPI_BENCHMARK_GAP": "Gap between the current position and a benchmark, signed so that "
                         "positive is better. Empty when either is blank.",
    "KPI_DIRECTION": "Direction of travel from the previous value: Improving, Worsening or No "
                     "change (within direction_tolerance), aware of polarity. Empty when "
                     "either is blank.",
    "KPI_RANK": "Rank of a value within a group's values: 1 is best by polarity, ties take the "
                "lowest rank (as LAIT ranks authorities). Works on a single cell or a column "
                "of values.",
    "KPI_QUARTILE": "National quartile band A (best) to D of a value among the authorities' "
                    "values, as LAIT gives it: quartiles by linear interpolation, a value on a "
                    "quartile in the band below it.",
}
_RAG_ARGS = ("current", "target", "[polarity]", "[tolerance]", "[amber_threshold]",
             "[target_upper]", "[green_tolerance]", "[tolerance_basis]", "[stretch_target]")
FUNCTION_ARGS = {
    "KPI_RAG": _RAG_ARGS,
    "KPI_RAG_REASON": _RAG_ARGS + ("[unit]",),
    "KPI_GAP": ("current", "target", "[polarity]"),
    "KPI_BENCHMARK_GAP": ("current", "benchmark", "[polarity]"),
    "KPI_DIRECTION": ("current", "previous", "[polarity]", "[target_upper]", "[target]",
                      "[direction_tolerance]"),
    "KPI_RANK": ("value", "values", "[polarity]"),
    "KPI_QUARTILE": ("value", "values", "[polarity]"),
}


def arg_doc(function: str, name: str) -> str:
    """The help of one argument of one function.

    >>> arg_doc("KPI_RAG", "stretch_target")
    'Optional stretch target: a Green measure that reaches it is Blue.'
    """
    if function == "KPI_DIRECTION" and name == "target":
        return _DIRECTION_TARGET
    return _FUNCTION_ARG_DOCS.get((function, name)) or ARG_DOCS[name]


_HIGHER = Polarity.HIGHER
_RANGE, _LOWER = Polarity.RANGE, Polarity.LOWER
_RELATIVE, _ABSOLUTE = ToleranceBasis.RELATIVE, ToleranceBasis.ABSOLUTE
_CACHE_LIMIT = 256
_polarity_cache: dict[str, Polarity | str] = {}
_basis_cache: dict[str, ToleranceBasis | str] = {}


def _labelled(exc: ValueParseError, label: str) -> ValueParseError:
    """The parse error with the argument's name in front, as the reader words it."""
    message = str(exc)
    if message.lower().startswith(label):
        return exc
    return ValueParseError(f"{label} {message}", exc.value)


def _number(value: object, label: str) -> float | None:
    """A figure, ``None`` when blank or a missing-data marker (``n/a``, ``TBC``)."""
    if type(value) is float and value - value == 0.0:  # finite float: the usual cell
        return value
    try:
        return parse_reading(value).value
    except ValueParseError as exc:
        raise _labelled(exc, label) from None


def _word(value: object, cache: dict, parse, blank):
    """A word parsed once per distinct text (a column repeats a few words)."""
    if value is None:
        return blank
    if type(value) is not str:
        return parse(value)
    found = cache.get(value)
    if found is None:
        try:
            found = parse(value)
        except ValueParseError as exc:
            found = str(exc)
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[value] = found
    if type(found) is str:
        raise ValueParseError(found, value)
    return found


def _polarity(value: object) -> Polarity:
    return _word(value, _polarity_cache, parse_polarity, _HIGHER)


def _basis(value: object) -> ToleranceBasis:
    return _word(value, _basis_cache, parse_tolerance_basis, _RELATIVE) or _RELATIVE


def _tolerance(value: object, basis: ToleranceBasis = _RELATIVE,
               what: str = "tolerance") -> float | None:
    if value is None:
        return None
    if type(value) is float and 0.0 <= value and (value <= 1.0 or basis is _ABSOLUTE):
        return value
    try:
        return parse_tolerance(value, basis, what)
    except ValueParseError as exc:
        raise _labelled(exc, what) from None


def _finite(value: float) -> bool:
    return value - value == 0.0  # False for inf and nan


def _optional(value: object, label: str) -> float | None:
    return None if value is None else _number(value, label)


def _message(exc: ValueParseError) -> str:
    return ERROR_PREFIX + str(exc)


def _check(c, t, pol, tol, amber, upper, green, basis, stretch) -> None:
    """The checks the reader makes of a row's bands (:mod:`kpi_core.reading.bands`), raised."""
    if pol is _RANGE:
        if upper is None:
            raise ValueParseError(RANGE_NEEDS_UPPER, None)
        if upper < t:
            raise ValueParseError(f"target upper {upper:g} is below the target {t:g}; the "
                                  "range runs from target to target_upper", upper)
    if green is None and stretch is None:
        return
    limit = DEFAULT_TOLERANCE if tol is None else tol
    if not ((green is not None and (green > limit or (green and amber is not None)))
            or (stretch is not None and (pol is _RANGE or (stretch > t if pol is _LOWER
                                                           else stretch < t)))):
        return  # none of the checks below can find a fault: spare a column the work
    for fault in check_bands(pol, t, tolerance=DEFAULT_TOLERANCE if tol is None else tol,
                             green_tolerance=green or 0.0, basis=basis,
                             amber_threshold=amber, stretch_target=stretch,
                             tolerance_given=tol is not None):
        if fault.severity == "error":
            raise ValueParseError(fault.message, fault.value)


def cell_rag(current: object, target: object, polarity: object = None,
             tolerance: object = None, amber_threshold: object = None,
             target_upper: object = None, green_tolerance: object = None,
             tolerance_basis: object = None, stretch_target: object = None) -> str:
    """The status word of one measure, or a ``#KPI!`` message.

    >>> cell_rag(0.36, 0.25, "Lower is better"), cell_rag("97%", 0.95), cell_rag(None, 0.95)
    ('Red', 'Green', 'Data unavailable')
    >>> cell_rag(0.5, "TBC"), cell_rag("abc", 0.95)
    ('No target', "#KPI! current 'abc' is not a number")
    >>> cell_rag(0.5, 0.4, "Within range", None, None, 0.6), cell_rag(0.96, 1.0, None, 0.1, None, None, 0.05)
    ('Green', 'Green')
    >>> cell_rag(12.5, 10.0, "Lower", 3, None, None, 1, "Absolute"), cell_rag(0.99, 0.95, stretch_target=0.98)
    ('Amber', 'Blue')
    """
    try:
        c = current if type(current) is float and current - current == 0.0 \
            else _number(current, "current")
        t = target if type(target) is float and target - target == 0.0 \
            else _number(target, "target")
        pol = _polarity_cache.get(polarity) if type(polarity) is str else None
        if pol is None or type(pol) is str:
            pol = _polarity(polarity)
        basis = _RELATIVE if tolerance_basis is None else (
            _basis_cache.get(tolerance_basis) if type(tolerance_basis) is str else None)
        if basis is None or type(basis) is str:
            basis = _basis(tolerance_basis)
        tol = tolerance if type(tolerance) is float and 0.0 <= tolerance <= 1.0 \
            else _tolerance(tolerance, basis)
        amber = amber_threshold if type(amber_threshold) is float and _finite(amber_threshold) \
            else None if amber_threshold is None else _number(amber_threshold, "amber threshold")
        upper = target_upper if type(target_upper) is float and _finite(target_upper) \
            else None if target_upper is None else _number(target_upper, "target upper")
        green = green_tolerance if type(green_tolerance) is float and 0.0 <= green_tolerance \
            <= 1.0 else None if green_tolerance is None else _tolerance(
                green_tolerance, basis, "green tolerance")
        stretch = stretch_target if type(stretch_target) is float and _finite(stretch_target) \
            else None if stretch_target is None else _number(stretch_target, "stretch target")
        if c is None or t is None:
            return assess_status(Measure("", "", "", polarity=pol, current=c, target=t))[0].value
        if pol is _RANGE or green is not None or stretch is not None:
            _check(c, t, pol, tol, amber, upper, green, basis, stretch)
        return compute_rag(c, t, pol, tol, amber, upper, DEFAULT_TOLERANCE, green,
                           DEFAULT_GREEN_TOLERANCE, basis, stretch)._value_  # the word
    except ValueParseError as exc:
        return _message(exc)


def cell_rag_reason(current: object, target: object, polarity: object = None,
                    tolerance: object = None, amber_threshold: object = None,
                    target_upper: object = None, green_tolerance: object = None,
                    tolerance_basis: object = None, stretch_target: object = None,
                    unit: object = None) -> str:
    """The one-line reason for the status, or a ``#KPI!`` message.

    ``unit`` words the figures (``%``, ``number``, ``days``, ``£``, ``rate``); when
    blank, figures written as ``97%`` make it ``%``, else it is ``number``.

    >>> cell_rag_reason(0.36, 0.25, "Lower", unit="%")
    'Red: 36% against a target of 25% (lower is better); amber up to 27.5%'
    >>> cell_rag_reason("n/a", 0.25)
    "Data unavailable: current position is 'n/a'"
    >>> cell_rag_reason("96%", 1.0, None, None, None, None, "5%")
    'Green: 96% against a target of 100%, green down to 95% (higher is better); amber down to 90%'
    """
    try:
        try:
            now = parse_reading(current)
        except ValueParseError as exc:
            raise _labelled(exc, "current") from None
        try:
            aim = parse_reading(target)
        except ValueParseError as exc:
            raise _labelled(exc, "target") from None
        pol = _polarity(polarity)
        basis = _basis(tolerance_basis)
        tol = _tolerance(tolerance, basis)
        amber = _optional(amber_threshold, "amber threshold")
        upper = _optional(target_upper, "target upper")
        green = _tolerance(green_tolerance, basis, "green tolerance")
        stretch = _optional(stretch_target, "stretch target")
        shown = parse_unit(unit) or (Unit.PERCENT if now.is_percent or aim.is_percent
                                     else Unit.NUMBER)
        if now.value is not None and aim.value is not None:
            _check(now.value, aim.value, pol, tol, amber, upper, green, basis, stretch)
        measure = Measure("", "", "", polarity=pol, unit=shown, current=now.value,
                          current_marker=now.marker, target=aim.value, tolerance=tol,
                          amber_threshold=amber, target_upper=upper, green_tolerance=green,
                          tolerance_basis=basis,
                          stretch_target=None if pol is _RANGE else stretch)
        return assess_status(measure)[1]
    except ValueParseError as exc:
        return _message(exc)


def _gap(current: object, reference: object, polarity: object, label: str) -> float | None | str:
    try:
        c = _number(current, "current")
        r = _number(reference, label)
        return compute_gap(c, r, _polarity(polarity))
    except ValueParseError as exc:
        return _message(exc)


def cell_gap(current: object, target: object, polarity: object = None) -> float | None | str:
    """Gap to target, positive is better; ``None`` (an empty cell) when either is blank.

    Within range measures get the plain difference, as the rules give it without an
    upper bound.

    >>> round(cell_gap(0.36, 0.25, "Lower is better"), 2), cell_gap(None, 0.25)
    (-0.11, None)
    """
    return _gap(current, target, polarity, "target")


def cell_benchmark_gap(current: object, benchmark: object, polarity: object = None
                       ) -> float | None | str:
    """Gap to a benchmark's value, positive is better; ``None`` when either is blank.

    >>> round(cell_benchmark_gap(0.36, 0.23, "Lower"), 2), cell_benchmark_gap(1.0, "x")
    (-0.13, "#KPI! benchmark 'x' is not a number")
    """
    return _gap(current, benchmark, polarity, "benchmark")


def cell_direction(current: object, previous: object, polarity: object = None,
                   target_upper: object = None, target: object = None,
                   direction_tolerance: object = None) -> str | None:
    """``Improving``, ``Worsening`` or ``No change``; ``None`` when either value is blank.

    Within range needs the range: ``target_upper`` and ``target`` (its bottom); closer
    to the range is improving. A change within ``direction_tolerance`` (a fraction of
    the previous value, ``0.01`` or ``1%``) is ``No change``.

    >>> cell_direction(0.30, 0.36, "Lower is better"), cell_direction(5.0, None)
    ('Improving', None)
    >>> cell_direction(0.55, 0.7, "Within range", 0.6, 0.4)
    'Improving'
    >>> cell_direction(0.514, 0.519), cell_direction(0.514, 0.519, None, None, None, "1%")
    ('Worsening', 'No change')
    """
    try:
        c = _number(current, "current")
        p = _number(previous, "previous value")
        pol = _polarity(polarity)
        upper = _optional(target_upper, "target upper")
        low = _optional(target, "target")
        if pol is _RANGE and c is not None and p is not None:
            if upper is None:
                raise ValueParseError(RANGE_NEEDS_UPPER, polarity)
            if low is None:
                raise ValueParseError("Within range needs the target (the bottom of the range) "
                                      "as well: give it as the argument target", polarity)
        band = _tolerance(direction_tolerance, _RELATIVE, "direction tolerance") or 0.0
        direction = compute_direction(c, p, pol, low, upper, band)
        return None if direction is None else direction.value
    except ValueParseError as exc:
        return _message(exc)


def comparator_values(values: object) -> list[float]:
    """The figures of a range of comparator values (rows of cells, a list or one value);
    blanks, missing-data markers and DfE's suppression marks (``x``, ``c``) are left out.

    >>> comparator_values([[0.2], [None], ["x"], ["25%"], [0.3]])
    [0.2, 0.25, 0.3]
    >>> comparator_values([["abc"]])
    Traceback (most recent call last):
    ...
    kpi_core.errors.ValueParseError: values 'abc' is not a number
    """
    if not isinstance(values, (list, tuple)):
        values = [values]
    out = []
    for row in values:
        for v in row if isinstance(row, (list, tuple)) else (row,):
            if type(v) is float and v - v == 0.0:
                out.append(v)
            elif isinstance(v, str) and v.strip().casefold() in COMPARATOR_MARKERS:
                continue
            else:
                number = _number(v, "values")
                if number is not None:
                    out.append(number)
    return out


def _ranked_polarity(polarity: object) -> Polarity:
    pol = _polarity(polarity)
    if pol is _RANGE:
        raise ValueParseError("Within range measures get no rank or quartile band", polarity)
    return pol


def cell_rank(value: object, ranking: Ranking, polarity: object = None) -> int | None | str:
    """Rank of one value within a group's values (1 best by polarity, ties ``min``);
    ``None`` when the value is blank.

    >>> r = Ranking([0.2, 0.3, 0.3, 0.4])
    >>> cell_rank(0.3, r), cell_rank(0.3, r, "Lower"), cell_rank(None, r), cell_rank("y", r)
    (2, 2, None, "#KPI! value 'y' is not a number")
    """
    try:
        v = _number(value, "value")
        pol = _ranked_polarity(polarity)
        return None if v is None else ranking.rank(v, pol)
    except ValueParseError as exc:
        return _message(exc)


def cell_quartile(value: object, quartiles: tuple[float, float, float] | None, count: int,
                  polarity: object = None) -> str | None:
    """National quartile band ``A`` (best) to ``D`` of one value given the group's
    quartiles; ``None`` when the value is blank.

    >>> q = (20.0, 30.0, 40.0)
    >>> cell_quartile(45, q, 5), cell_quartile(20, q, 5), cell_quartile(20, q, 5, "Lower")
    ('A', 'D', 'A')
    >>> cell_quartile(20, None, 3)
    '#KPI! a quartile band needs at least 4 values; values has 3'
    """
    try:
        v = _number(value, "value")
        pol = _ranked_polarity(polarity)
        if v is None:
            return None
        if quartiles is None:
            raise ValueParseError(f"a quartile band needs at least {MIN_FOR_QUARTILES} values; "
                                  f"values has {count}", count)
        return band_of(v, quartiles, pol)
    except ValueParseError as exc:
        return _message(exc)


def rank_cells(value: object, values: object, polarity: object = None) -> object:
    """``KPI_RANK``: :func:`cell_rank` over ``value`` (and ``polarity``), element-wise,
    against the one range ``values``.

    >>> rank_cells([[0.4], [0.1], [None]], [[0.2], [0.3], [0.3], [0.4]])
    [[1], [5], [None]]
    """
    try:
        ranking = Ranking(comparator_values(values))
    except ValueParseError as exc:
        return _message(exc)

    def rank(value: object, polarity: object) -> int | None | str:
        return cell_rank(value, ranking, polarity)

    return broadcast(rank, value, polarity)


def quartile_cells(value: object, values: object, polarity: object = None) -> object:
    """``KPI_QUARTILE``: :func:`cell_quartile` over ``value`` (and ``polarity``),
    element-wise, against the one range ``values`` (the England authorities, ours among them).

    >>> quartile_cells([[10], [20], [35], [50]], [[10], [20], [30], [40], [50]])
    [['D'], ['D'], ['B'], ['A']]
    """
    try:
        found = comparator_values(values)
    except ValueParseError as exc:
        return _message(exc)
    quartiles = compute_quartiles(found) if len(found) >= MIN_FOR_QUARTILES else None

    def quartile(value: object, polarity: object) -> str | None:
        return cell_quartile(value, quartiles, len(found), polarity)

    return broadcast(quartile, value, polarity)


def _grid(value: list | tuple) -> list | tuple:
    """A range as rows; a flat list is read as a column."""
    if value and not isinstance(value[0], (list, tuple)):
        return [[v] for v in value]
    return value


_first = itemgetter(0)  # a one-column range's cells, row by row


def broadcast(func: Callable[..., object], *args: object) -> object:
    """``func`` applied element-wise over ranges (lists of rows) and single values.

    All single values give a single answer. Otherwise the answer has the shape of
    the largest range; a single value, a one-row or a one-column range is repeated
    across it (as Excel's own array arithmetic does). Ranges that do not fit give
    one ``#KPI!`` message.

    >>> broadcast(cell_rag, [[0.9], [0.7], [None]], 0.9)
    [['Green'], ['Red'], ['Data unavailable']]
    >>> broadcast(cell_rag, [[0.9], [0.7]], [[0.9], [0.8], [0.7]])
    '#KPI! current has 2 rows but target has 3: give ranges of the same size, or a single cell'
    """
    if not any(isinstance(a, (list, tuple)) for a in args):
        return func(*args)
    names = getattr(func, "__code__", None)
    names = names.co_varnames if names is not None else ()
    grids: list[tuple[int, list | tuple | None, object]] = []
    rows = cols = 1
    for i, a in enumerate(args):
        if isinstance(a, (list, tuple)):
            g = _grid(a)
            width = len(g[0]) if g else 0
            if not g or not width or (len(g) > 1 and set(map(len, g)) != {width}):
                return f"{ERROR_PREFIX}{_name(names, i)} is an empty or ragged range"
            rows, cols = max(rows, len(g)), max(cols, width)
            grids.append((i, g, None))
        else:
            grids.append((i, None, a))
    size = rows * cols
    columns = []
    for i, g, scalar in grids:
        if g is None:
            columns.append(repeat(scalar, size))
            continue
        r, c = len(g), len(g[0])
        for have, need, what in ((r, rows, "rows"), (c, cols, "columns")):
            if have != need and have != 1:
                other = next(j for j, h, _s in grids if h is not None and
                             (len(h) if what == "rows" else len(h[0])) == need)
                return (f"{ERROR_PREFIX}{_name(names, i)} has {have} {what} but "
                        f"{_name(names, other)} has {need}: give ranges of the same size, "
                        "or a single cell")
        if r == 1 and c == 1:
            columns.append(repeat(g[0][0], size))
        elif r == rows and c == cols:
            columns.append(map(_first, g) if c == 1 else chain.from_iterable(g))
        elif r == 1:
            columns.append(chain.from_iterable(repeat(g[0], rows)))
        else:
            columns.append(chain.from_iterable(repeat(row[0], cols) for row in g))
    flat = list(map(func, *columns))
    if cols == 1:
        return [[v] for v in flat]
    return [flat[k:k + cols] for k in range(0, size, cols)]


def _name(names: tuple[str, ...], index: int) -> str:
    return names[index].replace("_", " ") if index < len(names) else f"argument {index + 1}"
