"""A measure's row of the committee tables: each cell in words and figures, as the
committee reads it (SPEC section 6). Pure; :mod:`kpi_core.publishing.scorecard` lays the
rows out in sheets.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..assessing.comparators import describe_comparison
from ..formatting import format_gap, format_value
from ..model import Assessment, Measure, Movement, Unit
from .data_sheet import CHECK_DATA, value_style
from .spec import Cell, Scorecard, Sparkline, Table
from .theme import RAG_STYLES

TABLE_HEADERS = ("No.", "Measure", "Target", "Current position", "RAG",
                 "Direction of travel", "Trend", "Benchmarking", "Comments")
#: What the Trend column shows for a measure without history.
NO_TREND = "-"

#: How an officer's RAG Override is marked in its RAG cell, after the word:
#: ``Amber (judgement)``. In words, so it needs no key and survives print, PDF and a
#: screen reader; the rules' status and the officer's reason stand in Comments.
JUDGEMENT_MARK = " (judgement)"


def _figure(value: float | None, unit: Unit, marker: str | None = None) -> Cell:
    if value is None:
        return Cell(marker or None, "figure_text")
    return Cell(value, value_style(value, unit))


def target_cell(measure: Measure) -> Cell:
    """The target as a number in its unit's format; a range reads ``a to b``.

    >>> from kpi_core.model import Polarity
    >>> target_cell(Measure("R", "P", "m", polarity=Polarity.RANGE, unit=Unit.PERCENT,
    ...                     target=0.4, target_upper=0.6)).value
    '40% to 60%'
    """
    if measure.target_upper is not None and measure.target is not None:
        low, high = sorted((measure.target, measure.target_upper))
        return Cell(f"{format_value(low, measure.unit)} to {format_value(high, measure.unit)}",
                    "figure_text")
    return _figure(measure.target, measure.unit)


def benchmarking_text(assessment: Assessment) -> str:
    """Structured benchmarks with their gaps, one per line, else the free text as it is;
    then the ranks and national quartile band where Comparators give them.

    >>> from kpi_core.model import Benchmark, Polarity
    >>> from kpi_core.assessing.measure import assess_measure
    >>> m = Measure("CS07", "P", "% repeat referrals", polarity=Polarity.LOWER, unit=Unit.PERCENT,
    ...             target=0.25, current=0.36,
    ...             benchmarks=(Benchmark("CS07", "Statistical Neighbour Average", "2015", 0.23),))
    >>> benchmarking_text(assess_measure(m))
    'Statistical Neighbour Average (2015): 23% (13 pts worse)'
    """
    measure = assessment.measure
    comparison = describe_comparison(assessment.ranks, assessment.quartile)
    if not measure.benchmarks:
        return "\n".join(t for t in (measure.benchmarking_text, comparison) if t)
    gaps = {g.benchmark: g.gap for g in assessment.benchmark_gaps}
    lines = []
    for benchmark in measure.benchmarks:
        line = f"{benchmark.label}: {format_value(benchmark.value, measure.unit)}"
        gap = gaps.get(benchmark)
        if gap is not None:
            line += f" ({format_gap(gap, measure.unit)})"
        lines.append(line)
    for own in measure.own_figures:  # the council's own figure, as the text gave it
        lines.append(f"{own.label}: {format_value(own.value, measure.unit)}")
    if comparison:
        lines.append(comparison)  # 3rd of 11 statistical neighbours; national quartile B
    return "\n".join(lines)


def comments_text(assessment: Assessment) -> str:
    """``Outcome: ...`` and ``Notes: ...`` on lines of their own, leaving out a missing
    part; problems come first, else an override's judgement line.

    >>> from kpi_core.assessing.measure import assess_measure
    >>> comments_text(assess_measure(Measure("A", "P", "m", outcome="Safe", notes="Audited")))
    'Outcome: Safe\\nNotes: Audited'
    """
    measure = assessment.measure
    parts = [p.text for p in assessment.problems]
    if assessment.computed_status is not None and not assessment.problems:
        parts.append(assessment.reason)  # the officer's RAG, the rules' with its reason, why
    if measure.outcome:
        parts.append(f"Outcome: {measure.outcome}")
    if measure.notes:
        parts.append(f"Notes: {measure.notes}")
    return "\n".join(parts)


def direction_text(assessment: Assessment) -> str | None:
    """Direction of travel, one fact a line, each naming the period it compares with and
    the figure then, so no arrow can be read against the wrong period: against the
    previous period, against the same period a year earlier, then the RAG movement.

    >>> from kpi_core.model import Direction, Status
    >>> a = Assessment(Measure("A", "P", "m", unit=Unit.PERCENT), Status.AMBER, "",
    ...                direction=Direction.WORSENING, direction_since="Q1 2016/17",
    ...                direction_then=0.62, direction_long=Direction.IMPROVING,
    ...                direction_long_since="Q2 2015/16", direction_long_then=0.58,
    ...                previous_status=Status.RED, previous_period="Q1 2016/17",
    ...                movement=Movement.IMPROVED)
    >>> print(direction_text(a))
    ▼ Worsening since Q1 2016/17 (62%)
    ▲ Improving since Q2 2015/16 (58%)
    Red in Q1 2016/17
    >>> annual = Assessment(Measure("A", "P", "m", unit=Unit.PERCENT), Status.AMBER, "",
    ...                     direction=Direction.WORSENING, direction_since="2015/16",
    ...                     direction_then=0.62, direction_long=Direction.WORSENING,
    ...                     direction_long_since="2015/16", direction_long_then=0.62)
    >>> print(direction_text(annual))
    ▼ Worsening since 2015/16 (62%)
    """
    a, lines = assessment, []
    short = (a.direction, a.direction_since, a.direction_then)
    long = (a.direction_long, a.direction_long_since, a.direction_long_then)
    # an annual measure's previous period is the same period a year earlier: one line
    for direction, since, then in (short,) if long == short else (short, long):
        if direction is not None:
            figure = f" ({format_value(then, a.measure.unit)})" if then is not None else ""
            lines.append(f"{direction.label} since {since or 'the previous period'}{figure}")
    if a.previous_status is not None and a.movement in (Movement.IMPROVED, Movement.DECLINED,
                                                        Movement.NEW):
        lines.append(f"{a.previous_status.value} in {a.previous_period or 'the previous period'}")
    return "\n".join(lines) or None


def trend_sparkline(assessment: Assessment) -> Sparkline | None:
    """The trend as a :class:`Sparkline` with its text alternative; ``None`` without history
    (or without two figures to draw a line between).

    >>> from kpi_core.model import Status, Trend
    >>> a = Assessment(Measure("A", "P", "% seen", unit=Unit.PERCENT), Status.GREEN, "",
    ...                trend=Trend(("Q4 2015/16", "Q1 2016/17", "Q2 2016/17"), (0.8, None, 0.95)))
    >>> trend_sparkline(a).alt_text
    '% seen, Q4 2015/16 to Q2 2016/17: 80%, no figure, 95%'
    """
    values = assessment.trend.values
    if len(values) - values.count(None) < 2:
        return None
    return Sparkline(values, assessment.trend.periods, assessment.measure.name,
                     assessment.measure.unit)


_BLOCKS = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"


def trend_text(values: tuple[float | None, ...]) -> str:
    """A trend as eight heights of block characters, for where a sparkline cannot be drawn
    (LibreOffice 7.4 does not print Excel sparklines); a space where a period has no figure.

    >>> trend_text((1.0, 2.0, None, 4.0, 8.0))
    '▁▂ ▄█'
    >>> trend_text((5.0, 5.0))
    '▄▄'
    """
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    if high - low <= 1e-12 * max(abs(low), abs(high), 1.0):
        return "".join(" " if v is None else _BLOCKS[3] for v in values)
    top = len(_BLOCKS) - 1
    return "".join(" " if v is None else _BLOCKS[round((v - low) / (high - low) * top)]
                   for v in values)


def has_sparklines(scorecard: Scorecard) -> bool:
    """True when any cell of the scorecard holds a :class:`Sparkline`."""
    return any(isinstance(cell.value, Sparkline)
               for sheet in scorecard.sheets for block in sheet.blocks
               if isinstance(block, Table) and block.text_style is None  # values: no trend
               for row in block.rows for cell in row)


def _trend_cell(assessment: Assessment) -> Cell:
    sparkline = None if assessment.problems else trend_sparkline(assessment)
    return Cell(sparkline, "sparkline") if sparkline else Cell(NO_TREND, "figure_text")


def _rag_cell(assessment: Assessment) -> Cell:
    if assessment.problems:
        return Cell(CHECK_DATA, "check")
    word = assessment.status.value
    if assessment.computed_status is not None:
        word += JUDGEMENT_MARK
    return Cell(word, RAG_STYLES.get(assessment.status, "status"))


#: The measure tables' columns that can have nothing to show in a whole scorecard
#: (no History and no Previous; no benchmarks): then they are left out of it.
OPTIONAL_HEADERS = ("Direction of travel", "Trend", "Benchmarking")
ALL_COLUMNS = tuple(range(len(TABLE_HEADERS)))


def build_measure_columns(assessments: Iterable[Assessment]) -> tuple[int, ...]:
    """The columns of :data:`TABLE_HEADERS` the scorecard shows: every one, less each of
    :data:`OPTIONAL_HEADERS` that no measure has anything in. Decided once for the whole
    scorecard, so every sheet, the web page and the PDF have the same columns.

    >>> from kpi_core.assessing.measure import assess_measures
    >>> [TABLE_HEADERS[c] for c in build_measure_columns(assess_measures(
    ...     [Measure("A", "P", "m", current=1.0, target=1.0, previous=0.5)]))]
    ['No.', 'Measure', 'Target', 'Current position', 'RAG', 'Direction of travel', 'Comments']
    """
    items = tuple(assessments)
    found = {
        "Direction of travel": any(direction_text(a) for a in items),
        "Trend": any(not a.problems and trend_sparkline(a) is not None for a in items),
        "Benchmarking": any(benchmarking_text(a) for a in items),
    }
    return tuple(c for c, header in enumerate(TABLE_HEADERS) if found.get(header, True))


def measure_row(assessment: Assessment, number: int | None = None,
                columns: tuple[int, ...] = ALL_COLUMNS) -> tuple[Cell, ...]:
    """One table row: No., Measure, Target, Current, RAG, Direction, Trend, Benchmarking,
    Comments; only ``columns`` of them (:func:`build_measure_columns`)."""
    row = _full_row(assessment, number)
    return row if columns == ALL_COLUMNS else tuple(row[c] for c in columns)


def _full_row(assessment: Assessment, number: int | None) -> tuple[Cell, ...]:
    measure = assessment.measure
    direction = direction_text(assessment)
    bench = benchmarking_text(assessment)
    comments = comments_text(assessment)
    return (
        Cell(number, "index"),
        Cell(measure.name, "text_bold"),
        target_cell(measure),
        _figure(measure.current, measure.unit, measure.current_marker),
        _rag_cell(assessment),
        Cell(direction, "text"),
        _trend_cell(assessment),
        Cell(bench or None, "wrap"),
        Cell(comments or None, "wrap"),
    )
