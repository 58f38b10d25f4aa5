"""The committee scorecard as plain frozen data (SPEC section 6). Pure; no XlsxWriter here.

:func:`build_scorecard` turns assessments into a :class:`Scorecard`: sheets, blocks
of rows, cell values and style *names*. :mod:`kpi_core.publishing.xlsx` is the only
place that knows what a style name looks like in Excel and where a block lands.

The spec's types (:class:`Scorecard`, :class:`Sheet`, :class:`Table`, :class:`Cell`, ...)
and the style names cells use are in :mod:`kpi_core.publishing.spec`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..assessing.comparators import describe_comparison
from ..assessing.trends import summarise_movement, summarise_movement_totals
from ..formatting import format_gap, format_value
from ..assessing.summary import Counts, count_statuses, uses_blue
from ..model import Assessment, Measure, Movement, Settings, Status, Unit, RAG_STATUSES
from .data_sheet import CHECK_DATA, DATA_SHEET, build_data_sheet, value_style
from .spec import (
    Block, Cell, Chart, ChartSeries, Column, Heading, Scorecard, Sheet, Sparkline, Table,
)
from .theme import RAG_COLOURS, RAG_STYLES, RAG_TEXT_COLOURS

SUMMARY_SHEET = "Summary"
#: Names Excel refuses for a sheet (``History``) or that we use ourselves. Case-insensitive.
RESERVED_SHEET_NAMES = frozenset({"history", SUMMARY_SHEET.casefold(), DATA_SHEET.casefold()})
MAX_SHEET_NAME = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

KEY_AREAS = "Key areas of good performance"
LOWER_AREAS = "Areas of lower than expected performance (Red or Amber)"
OTHER_MEASURES = "Other measures"
LABEL_RAG_TOTAL = "Total number of measures with a RAG"
LABEL_UNAVAILABLE = "Measures where data currently unavailable"
LABEL_NOT_DUE = "Measures that are annual outturns only and the data is not currently due"
LABEL_NO_TARGET = "Measures where no target has been set"
LABEL_PROBLEMS = "Measures with data problems"
EMPTY_SECTION = "No measures in this section."

TABLE_HEADERS = ("No.", "Measure", "Target", "Current position", "RAG",
                 "Direction of travel", "Trend", "Benchmarking", "Comments")
#: What the Trend column shows for a measure without history.
NO_TREND = "-"

#: How an officer's RAG Override is marked in its RAG cell, after the word:
#: ``Amber (judgement)``. In words, so it needs no key and survives print, PDF and a
#: screen reader; the rules' status and the officer's reason stand in Comments.
JUDGEMENT_MARK = " (judgement)"
#: Headers of columns whose cells are centred figures.
_FIGURE_HEADERS = frozenset({"No.", "Target", "Current position", "RAG", "Blue", "Green",
                             "Amber", "Red",
                             "With a RAG", "Data unavailable", "Not due", "No target",
                             "Data problems", "Total", "Trend", "Improved", "Declined",
                             "Same RAG", "New RAG"})


# --- sheet names ---------------------------------------------------------------

def _clean_sheet_name(name: str) -> str:
    """A portfolio name made acceptable to Excel, before uniqueness and length.

    >>> _clean_sheet_name("Adults: Health/Care [2016]"), _clean_sheet_name("'Quoted'")
    ('Adults- Health-Care (2016)', 'Quoted')
    """
    text = name.replace("[", "(").replace("]", ")")
    text = _BAD_SHEET_CHARS.sub("-", text)
    text = " ".join(text.split())
    return text.strip("'").strip() or "Portfolio"


def _utf16_prefix(text: str, units: int) -> str:
    """The longest start of ``text`` within ``units`` UTF-16 code units: Excel counts a
    sheet name's length in those, so an emoji counts two.

    >>> _utf16_prefix("ab\U0001F600c", 3), _utf16_prefix("ab\U0001F600c", 4)
    ('ab', 'ab\U0001f600')
    """
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > units:
            return text[:i]
    return text


def _fit(base: str, suffix: str = "") -> str:
    """``base + suffix`` cut to 31 characters, never ending in an apostrophe or space."""
    room = MAX_SHEET_NAME - len(suffix)
    cut = _utf16_prefix(base, room).rstrip().rstrip("'").rstrip() or "Portfolio"[:room]
    return cut + suffix


def build_sheet_names(portfolios: Iterable[str]) -> dict[str, str]:
    """A valid, unique worksheet name for each portfolio, in the order given.

    Names are at most 31 characters, free of ``[]:*?/\\``, never begin or end with
    an apostrophe, never ``History`` or ``Summary``, and unique ignoring case even
    after shortening (``" (2)"``, ``" (3)"``... appended within the 31 characters).

    >>> list(build_sheet_names(["Children's Services", "Finance/Resources", "history"]).values())
    ["Children's Services", 'Finance-Resources', 'history (2)']
    >>> names = build_sheet_names(["A" * 40, "a" * 35])
    >>> [len(n) for n in names.values()], list(names.values())[1][-4:]
    ([31, 31], ' (2)')
    """
    taken = set(RESERVED_SHEET_NAMES)
    names: dict[str, str] = {}
    for portfolio in portfolios:
        if portfolio in names:
            continue
        base = _clean_sheet_name(portfolio)
        candidate = _fit(base)
        n = 1
        while candidate.casefold() in taken:
            n += 1
            candidate = _fit(base, f" ({n})")
        taken.add(candidate.casefold())
        names[portfolio] = candidate
    return names


# --- cell values ---------------------------------------------------------------

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

    >>> from kpi_core.model import Direction
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
    """
    a, lines = assessment, []
    for direction, since, then in ((a.direction, a.direction_since, a.direction_then),
                                   (a.direction_long, a.direction_long_since,
                                    a.direction_long_then)):
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

    >>> from kpi_core.model import TrendPoint
    >>> a = Assessment(Measure("A", "P", "% seen", unit=Unit.PERCENT), Status.GREEN, "",
    ...                trend=(TrendPoint("Q4 2015/16", 0.8), TrendPoint("Q1 2016/17", None),
    ...                       TrendPoint("Q2 2016/17", 0.95)))
    >>> trend_sparkline(a).alt_text
    '% seen, Q4 2015/16 to Q2 2016/17: 80%, no figure, 95%'
    """
    trend = assessment.trend
    if sum(1 for t in trend if t.value is not None) < 2:
        return None
    unit = assessment.measure.unit
    words = ", ".join("no figure" if t.value is None else format_value(t.value, unit)
                      for t in trend)
    return Sparkline(values=tuple(t.value for t in trend), periods=tuple(t.period for t in trend),
                     alt_text=f"{assessment.measure.name}, {trend[0].period} to "
                              f"{trend[-1].period}: {words}")


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


# --- counting ------------------------------------------------------------------

def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def describe_rag(counts: Counts, use_blue: bool = False) -> str:
    """The Green/Amber/Red counts in words (Blue first where used), for a chart's
    alternative text.

    >>> describe_rag(Counts(green=1, amber=2, red=10))
    '13 measures with a RAG: 1 Green, 2 Amber, 10 Red.'
    >>> describe_rag(Counts(green=1, amber=2, red=10, blue=1), use_blue=True)
    '14 measures with a RAG: 1 Blue, 1 Green, 2 Amber, 10 Red.'
    """
    blue = f"{counts.blue} Blue, " if use_blue else ""
    return (f"{_plural(counts.with_rag, 'measure')} with a RAG: {blue}{counts.green} Green, "
            f"{counts.amber} Amber, {counts.red} Red.")


def shown_statuses(use_blue: bool) -> tuple[Status, ...]:
    """The RAG statuses a scorecard counts and charts: Blue first where it is used.

    >>> [s.value for s in shown_statuses(True)]
    ['Blue', 'Green', 'Amber', 'Red']
    """
    return ((Status.BLUE,) if use_blue else ()) + RAG_STATUSES


def movement_text(counts: dict[str, int], since: str | None, lead: str = "Since") -> str | None:
    """RAG movement counts in words; ``None`` when no measure has a movement.

    >>> movement_text({"Improved": 2, "Declined": 1, "Same": 10, "New": 0}, "Q1 2016/17")
    'Since Q1 2016/17: 2 improved, 1 declined, 10 the same'
    >>> movement_text({"Improved": 0, "Declined": 0, "Same": 1, "New": 1}, None)
    'Since the last period: 0 improved, 0 declined, 1 the same, 1 new'
    """
    if not any(counts.values()):
        return None
    text = (f"{lead} {since or 'the last period'}: {counts['Improved']} improved, "
            f"{counts['Declined']} declined, {counts['Same']} the same")
    return text + (f", {counts['New']} new" if counts["New"] else "")


#: How the scorecard's movement line begins: ``RAG movement since Q1 2016/17: 2 improved, ...``.
MOVEMENT_LEAD = "RAG movement since"


def _since(settings: Settings) -> str | None:
    current = settings.current_period
    return current.previous().label if current is not None else None


# --- sections ------------------------------------------------------------------

Section = tuple[Assessment, ...]


def split_sections(assessments: Iterable[Assessment]) -> tuple[Section, Section, Section]:
    """One portfolio's assessments as (key areas, lower than expected, other), in order.

    Key areas are the highlighted measures, or the Green and Blue ones when none is
    highlighted; lower are the Red and Amber ones not highlighted; other is
    everything else, so every measure appears exactly once. A measure with data
    problems always goes to other.
    """
    items = tuple(assessments)
    usable = [a for a in items if not a.problems]
    highlighted = [a for a in usable if a.measure.highlight]
    key = highlighted if highlighted else [a for a in usable
                                           if a.status in (Status.GREEN, Status.BLUE)]
    key_ids = {id(a) for a in key}
    lower = [a for a in usable if id(a) not in key_ids
             and a.status in (Status.RED, Status.AMBER)]
    placed = key_ids | {id(a) for a in lower}
    other = [a for a in items if id(a) not in placed]
    return tuple(key), tuple(lower), tuple(other)


def _header_cells(headers: Iterable[str]) -> tuple[Cell, ...]:
    return tuple(Cell(h, "header_figure" if h in _FIGURE_HEADERS else "header") for h in headers)


def _header(columns: tuple[int, ...] = ALL_COLUMNS) -> tuple[Cell, ...]:
    return _header_cells(TABLE_HEADERS[c] for c in columns)


def _section_rows(assessments: tuple[Assessment, ...], numbered: bool,
                  columns: tuple[int, ...] = ALL_COLUMNS) -> tuple[tuple[Cell, ...], ...]:
    if not assessments:
        return ((Cell(None, "blank"), Cell(EMPTY_SECTION, "note")),)
    return tuple(measure_row(a, i if numbered else None, columns)
                 for i, a in enumerate(assessments, start=1))


def scorecard_subtitle(settings: Settings) -> str:
    """``<Authority> performance scorecard, <Period>``, leaving out what is not set.

    >>> scorecard_subtitle(Settings("Bucks County Council", "Q2 2016/17"))
    'Bucks County Council performance scorecard, Q2 2016/17'
    >>> scorecard_subtitle(Settings())
    'Performance scorecard'
    """
    text = f"{settings.authority} performance scorecard" if settings.authority \
        else "Performance scorecard"
    return f"{text}, {settings.period}" if settings.period else text


def portfolio_title(portfolio: str, cabinet_member: str | None) -> str:
    """``<Portfolio> Portfolio - <Cabinet Member>``; no ``- ...`` without a member.

    >>> portfolio_title("Children's Services", "Cllr. Lin Hazell")
    "Children's Services Portfolio - Cllr. Lin Hazell"
    >>> portfolio_title("Resources Portfolio", None)
    'Resources Portfolio'
    """
    title = portfolio if portfolio.casefold().endswith("portfolio") else f"{portfolio} Portfolio"
    return f"{title} - {cabinet_member}" if cabinet_member else title


def _cabinet_member(assessments: Iterable[Assessment]) -> str | None:
    """The portfolio's cabinet member: the first one its measures name."""
    return next((a.measure.cabinet_member for a in assessments if a.measure.cabinet_member),
                None)


PORTFOLIO_COLUMNS = (
    Column(5), Column(40, wrap=True), Column(11), Column(11), Column(16), Column(26, wrap=True),
    Column(14), Column(30, wrap=True), Column(52, wrap=True),
)


def portfolio_columns(columns: tuple[int, ...] = ALL_COLUMNS) -> tuple[Column, ...]:
    """The portfolio sheet's columns: the width of a column left out goes to Comments, so
    the sheet prints as wide (and its text as large) with fewer lines to each comment.

    >>> [c.width for c in portfolio_columns((0, 1, 2, 3, 4, 8))]
    [5, 40, 11, 11, 16, 122]
    """
    spare = sum(PORTFOLIO_COLUMNS[c].width for c in ALL_COLUMNS if c not in columns)
    kept = [PORTFOLIO_COLUMNS[c] for c in columns]
    if spare and columns and columns[-1] == ALL_COLUMNS[-1]:
        kept[-1] = Column(kept[-1].width + spare, kept[-1].wrap)
    return tuple(kept)


def build_portfolio_sheet(name: str, portfolio: str, assessments: tuple[Assessment, ...],
                          settings: Settings, use_blue: bool = False,
                          columns: tuple[int, ...] = ALL_COLUMNS) -> Sheet:
    """A portfolio's sheet: titles, summary counts and chart, then the three sections.

    ``use_blue``: the workbook uses Blue, so Blue is counted and charted (first).
    ``columns``: the measure tables' columns (:func:`build_measure_columns`)."""
    member = _cabinet_member(assessments)
    counts = count_statuses(assessments)
    key, lower, other = split_sections(assessments)

    def pair(label: str, n: int, style: str = "label") -> tuple[Cell, ...]:
        return (Cell(None, "blank"), Cell(label, style), Cell(n, "count"))

    rag = shown_statuses(use_blue)
    count_rows = [pair(s.value, counts.of(s), RAG_STYLES[s]) for s in rag] + [
        pair(LABEL_RAG_TOTAL, counts.with_rag),
        pair(LABEL_UNAVAILABLE, counts.unavailable),
        pair(LABEL_NOT_DUE, counts.not_due),
        pair(LABEL_NO_TARGET, counts.no_target),
    ]
    if counts.problems:
        count_rows.append(pair(LABEL_PROBLEMS, counts.problems))

    chart = Chart(
        table="counts", categories_column=1,
        series=(ChartSeries("Measures", 2, point_colours=tuple(
            RAG_COLOURS[s] for s in rag)),),
        first_row=0, last_row=len(rag) - 1,
        title=f"{portfolio}: measures by RAG",
        alt_text=f"Bar chart of {portfolio}: {describe_rag(counts, use_blue)}",
        beside=True, column=3)

    moved = movement_text(summarise_movement_totals(summarise_movement(assessments)),
                          _since(settings), MOVEMENT_LEAD)
    blocks: list[Block] = [
        Heading(portfolio_title(portfolio, member), "title"),
        Heading(scorecard_subtitle(settings), "subtitle", under_title=settings.period or ""),
        Table("counts", None, tuple(count_rows), caption=f"{portfolio}: measures by status",
              row_header=1),
        *([Heading(moved, "subtitle")] if moved else []),
        Heading(KEY_AREAS),
        Table("key", _header(columns), _section_rows(key, False, columns), repeat_header=True,
              caption=f"{portfolio}: {KEY_AREAS.lower()}", row_header=1),
        Heading(LOWER_AREAS),
        Table("lower", _header(columns), _section_rows(lower, True, columns),
              caption=f"{portfolio}: {LOWER_AREAS[0].lower()}{LOWER_AREAS[1:]}", row_header=1),
        Heading(OTHER_MEASURES),
        Table("other", _header(columns), _section_rows(other, False, columns),
              caption=f"{portfolio}: {OTHER_MEASURES.lower()}", row_header=1),
    ]
    return Sheet(name=name, label=portfolio, columns=portfolio_columns(columns),
                 blocks=tuple(blocks), charts=(chart,))


SUMMARY_HEADERS = ("Portfolio", "Cabinet Member", "Green", "Amber", "Red", "With a RAG",
                   "Data unavailable", "Not due", "No target")
#: The Summary's RAG movement columns (shown when any measure has a movement) and the
#: movement each counts.
MOVEMENT_HEADERS = {"Improved": "Improved", "Declined": "Declined", "Same RAG": "Same",
                    "New RAG": "New"}


def build_summary_sheet(portfolios: dict[str, tuple[Assessment, ...]], settings: Settings,
                        use_blue: bool = False,
                        sheet_names: dict[str, str] | None = None) -> Sheet:
    """The first sheet: one row per portfolio with its counts, a total row and a chart.

    ``use_blue``: a Blue column before Green, and Blue in the chart. With ``sheet_names``
    (portfolio -> its sheet), each portfolio's name links to its sheet."""
    links = sheet_names or {}
    per_portfolio = {p: count_statuses(items) for p, items in portfolios.items()}
    total = sum(per_portfolio.values(), Counts())
    show_problems = total.problems > 0
    rag = shown_statuses(use_blue)
    movements = summarise_movement(a for items in portfolios.values() for a in items)
    movement_totals = summarise_movement_totals(movements)
    moved = movement_text(movement_totals, _since(settings), MOVEMENT_LEAD)
    movement_headers = tuple(MOVEMENT_HEADERS) if moved else ()
    headers = (SUMMARY_HEADERS[:2] + (("Blue",) if use_blue else ()) + SUMMARY_HEADERS[2:]
               + (("Data problems",) if show_problems else ()) + ("Total",) + movement_headers)

    def row(label: str, member: str | None, c: Counts, moves: dict[str, int],
            bold: bool = False) -> tuple[Cell, ...]:
        style = "count_bold" if bold else "count"
        figures = [c.of(s) for s in rag] + [c.with_rag, c.unavailable, c.not_due,
                                                     c.no_target]
        if show_problems:
            figures.append(c.problems)
        figures.append(c.total)
        if moved:
            figures.extend(moves[m] for m in MOVEMENT_HEADERS.values())
        name = Cell(label, "text_bold" if bold else "text",
                    link=None if bold else links.get(label))
        return (name, Cell(member, "text")) + tuple(Cell(n, style) for n in figures)

    rows = [row(p, _cabinet_member(items), per_portfolio[p], movements[p])
            for p, items in portfolios.items()]
    rows.append(row("Total", None, total, movement_totals, bold=True))

    alt = "Stacked bar chart of measures by RAG for each portfolio. " + " ".join(
        f"{p}: " + ", ".join(f"{c.of(s)} {s.value}" for s in rag) + "."
        for p, c in per_portfolio.items())
    chart = Chart(
        table="summary", categories_column=0,
        series=tuple(ChartSeries(s.value, 2 + i, colour=RAG_COLOURS[s],
                                 label_colour=RAG_TEXT_COLOURS[s])
                     for i, s in enumerate(rag)),
        first_row=0, last_row=max(len(portfolios) - 1, 0),
        title="Measures by RAG and portfolio", alt_text=alt, stacked=True)

    columns = (Column(36, wrap=True), Column(24, wrap=True)) + tuple(
        Column(11, wrap=True) for _ in headers[2:])
    blocks = (
        Heading(scorecard_subtitle(settings), "title"),
        Heading("Summary of measures by portfolio and status", "subtitle"),
        *([Heading(moved, "subtitle")] if moved else []),
        Table("summary", _header_cells(headers), tuple(rows),
              repeat_header=True, caption="Measures by portfolio and status", row_header=0),
    )
    return Sheet(name=SUMMARY_SHEET, label=SUMMARY_SHEET, columns=columns, blocks=blocks,
                 charts=(chart,) if portfolios else ())


def build_scorecard(assessments: Iterable[Assessment], settings: Settings = Settings(), *,
                    title: str | None = None) -> Scorecard:
    """The whole output workbook as data: ``Summary`` first, then one sheet per portfolio.

    Portfolios come in the order they are first seen; measures keep their order.

    >>> from kpi_core.assessing.measure import assess_measures
    >>> card = build_scorecard(assess_measures([Measure("A1", "Adults", "m", current=1.0,
    ...                                                 target=1.0)]), Settings("Bucks", "Q2"))
    >>> [s.name for s in card.sheets], card.title
    (['Summary', 'Adults', 'Data'], 'Bucks performance scorecard, Q2')
    """
    portfolios: dict[str, list[Assessment]] = {}
    for a in assessments:
        portfolios.setdefault(a.measure.portfolio, []).append(a)
    grouped = {p: tuple(items) for p, items in portfolios.items()}
    names = build_sheet_names(grouped)
    blue = uses_blue((a for items in grouped.values() for a in items), settings)
    sheets = [build_summary_sheet(grouped, settings, blue, names)]
    columns = build_measure_columns(a for items in grouped.values() for a in items)
    sheets += [build_portfolio_sheet(names[p], p, items, settings, blue, columns)
               for p, items in grouped.items()]
    sheets.append(build_data_sheet(a for items in grouped.values() for a in items))
    doc_title = title or scorecard_subtitle(settings)
    return Scorecard(
        title=doc_title,
        subject=("Performance scorecard by portfolio"
                 + (f", {settings.period}" if settings.period else "")),
        author=settings.authority or "kpi-scorecard",
        company=settings.authority or "",
        sheets=tuple(sheets))
