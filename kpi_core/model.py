"""Typed values of the performance workbook and of its assessment.

Everything here is frozen data; the rules live in :mod:`kpi_core.assessing.rules`, the
reading in :mod:`kpi_core.reading`. Strings are parsed once, in
:mod:`kpi_core.reading.values`, into these types.
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from .cells import cell_address, parse_cell_address


class Status(enum.Enum):
    """A measure's status; the values are the words the scorecard shows."""

    BLUE = "Blue"
    GREEN = "Green"
    AMBER = "Amber"
    RED = "Red"
    DATA_UNAVAILABLE = "Data unavailable"
    NOT_DUE = "Not due"
    NO_TARGET = "No target"

    @property
    def is_rag(self) -> bool:
        """True for Blue, Green, Amber and Red."""
        return self in _MERIT

    @property
    def rank(self) -> int:
        """Order of merit among RAG statuses: Blue 3, Green 2, Amber 1, Red 0; -1 otherwise."""
        return _MERIT.get(self, -1)


_MERIT = {Status.BLUE: 3, Status.GREEN: 2, Status.AMBER: 1, Status.RED: 0}
#: The RAG statuses every scorecard shows; Blue is added only where the workbook uses it.
RAG_STATUSES = (Status.GREEN, Status.AMBER, Status.RED)


class Polarity(enum.Enum):
    """Which way is better."""

    HIGHER = "Higher is better"
    LOWER = "Lower is better"
    RANGE = "Within range"


class ToleranceBasis(enum.Enum):
    """How a tolerance is read: a fraction of the target, or an amount in the measure's units."""

    RELATIVE = "Relative"
    ABSOLUTE = "Absolute"

    def allowance(self, tolerance: float, reference: float) -> float:
        """The amount a tolerance allows: ``tolerance * |reference|`` (Relative) or
        ``tolerance`` itself (Absolute, in the measure's units).

        >>> ToleranceBasis.RELATIVE.allowance(0.1, -50), ToleranceBasis.ABSOLUTE.allowance(2, 50)
        (5.0, 2)
        """
        return tolerance if self is ToleranceBasis.ABSOLUTE else tolerance * abs(reference)


class Movement(enum.Enum):
    """RAG movement: this period's status against the previous period's."""

    IMPROVED = "Improved"
    DECLINED = "Declined"
    SAME = "Same"
    NEW = "New"


class DataStatus(enum.Enum):
    AVAILABLE = "Available"
    UNAVAILABLE = "Unavailable"
    NOT_DUE = "Not due"


class Frequency(enum.Enum):
    WEEKLY = "Weekly"
    MONTHLY = "Monthly"
    TERMLY = "Termly"
    QUARTERLY = "Quarterly"
    HALF_YEARLY = "Half-yearly"
    ANNUAL = "Annual"


class Unit(enum.Enum):
    """Drives number formats and the wording of gaps."""

    PERCENT = "%"
    NUMBER = "number"
    DAYS = "days"
    MONEY = "£"
    RATE = "rate"


class Direction(enum.Enum):
    """Direction of travel against the previous period, polarity-aware."""

    IMPROVING = "Improving"
    WORSENING = "Worsening"
    NO_CHANGE = "No change"

    @property
    def arrow(self) -> str:
        return {"Improving": "\u25b2", "Worsening": "\u25bc", "No change": "\u25ba"}[self.value]

    @property
    def label(self) -> str:
        """Arrow and word, e.g. ``▲ Improving``."""
        return f"{self.arrow} {self.value}"


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec")
#: Months a period of each frequency spans.
_SPANS = {1: Frequency.MONTHLY, 3: Frequency.QUARTERLY, 12: Frequency.ANNUAL}
_SPAN_OF = {frequency: span for span, frequency in _SPANS.items()}


def financial_year_label(start_year: int) -> str:
    """The financial year starting in April of ``start_year``, as councils write it.

    >>> financial_year_label(2016), financial_year_label(1999)
    ('2016/17', '1999/00')
    """
    return f"{start_year}/{(start_year + 1) % 100:02d}"


@functools.lru_cache(maxsize=4096)
def period_label(end: int, span: int) -> str:
    """The label of the period ending in month ``end`` (months since year 0) and spanning
    ``span`` months; cached, as a scorecard names the same few periods thousands of times.

    >>> period_label(12 * 2016 + 5, 1), period_label(12 * 2017 + 2, 3), period_label(24206, 12)
    ('Jun 2016', 'Q4 2016/17', '2016/17')
    """
    year, month0 = divmod(end, 12)
    if span == 1:
        return f"{_MONTH_NAMES[month0]} {year}"
    start_year = year if month0 >= 3 else year - 1
    fy = financial_year_label(start_year)
    if span == 3:
        return f"Q{(end - 12 * start_year - 3) // 3 + 1} {fy}"
    return fy


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A reporting period: a calendar month, a financial quarter or a financial year.

    Financial years start in April: Q1 is April to June, Q4 2016/17 is January to
    March 2017. Held as the month it ends in (``end``: months since year 0, January
    of year ``y`` is ``12 * y``) and the months it spans (1, 3 or 12), so periods sort
    by when they end, a month before the quarter and the year that end with it.
    Build them with :meth:`month`, :meth:`quarter` and :meth:`year`; text is read by
    :func:`kpi_core.reading.periods.parse_period`.

    >>> q4 = Period.quarter(2016, 4)
    >>> q4.label, q4.start, q4.end_date
    ('Q4 2016/17', datetime.date(2017, 1, 1), datetime.date(2017, 3, 31))
    >>> q4.previous().label, q4.year_earlier().label, q4.next().label
    ('Q3 2016/17', 'Q4 2015/16', 'Q1 2017/18')
    >>> Period.month(2016, 6).year_earlier().label, Period.year(2015).label
    ('Jun 2015', '2015/16')
    >>> sorted([Period.year(2016), Period.quarter(2016, 4), Period.month(2017, 3)])[0].label
    'Mar 2017'
    """

    end: int
    span: int

    def __post_init__(self) -> None:
        if self.span not in _SPANS:
            raise ValueError(f"a period spans 1, 3 or 12 months, not {self.span}")
        if self.span > 1 and (self.end - 2) % self.span:  # quarters and years end in Mar, Jun...
            raise ValueError("a financial quarter or year ends in March, June, September "
                             "or December (years: March)")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """The calendar month ``month`` (1-12) of ``year``."""
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} is not 1 to 12")
        return cls(12 * year + month - 1, 1)

    @classmethod
    def quarter(cls, start_year: int, quarter: int) -> Period:
        """Quarter ``quarter`` (1-4) of the financial year starting in April ``start_year``."""
        if not 1 <= quarter <= 4:
            raise ValueError(f"quarter {quarter} is not 1 to 4")
        return cls(12 * start_year + 3 + 3 * quarter - 1, 3)

    @classmethod
    def year(cls, start_year: int) -> Period:
        """The financial year from April ``start_year`` to March ``start_year + 1``."""
        return cls(12 * (start_year + 1) + 2, 12)

    @classmethod
    def containing(cls, date: _dt.date, frequency: Frequency = Frequency.MONTHLY) -> Period:
        """The period of ``frequency`` that holds ``date``.

        >>> Period.containing(_dt.date(2017, 2, 28), Frequency.QUARTERLY).label
        'Q4 2016/17'
        """
        return cls.month(date.year, date.month).within(frequency)

    @property
    def frequency(self) -> Frequency:
        """``Monthly``, ``Quarterly`` or ``Annual``."""
        return _SPANS[self.span]

    @property
    def financial_year(self) -> int:
        """The calendar year in April of which this period's financial year starts."""
        year, month0 = divmod(self.end, 12)
        return year if month0 >= 3 else year - 1

    @property
    def start(self) -> _dt.date:
        """The first day of the period."""
        year, month0 = divmod(self.end - self.span + 1, 12)
        return _dt.date(year, month0 + 1, 1)

    @property
    def end_date(self) -> _dt.date:
        """The last day of the period."""
        year, month0 = divmod(self.end + 1, 12)
        return _dt.date(year, month0 + 1, 1) - _dt.timedelta(days=1)

    @property
    def label(self) -> str:
        """``Jun 2016``, ``Q1 2016/17`` or ``2016/17``."""
        return period_label(self.end, self.span)

    def previous(self) -> Period:
        """The period of the same frequency just before this one."""
        return Period(self.end - self.span, self.span)

    def next(self) -> Period:
        """The period of the same frequency just after this one."""
        return Period(self.end + self.span, self.span)

    def year_earlier(self) -> Period:
        """The same period a year earlier (a month's same month last year)."""
        return Period(self.end - 12, self.span)

    def latest(self, frequency: Frequency) -> Period:
        """The latest period of ``frequency`` that ends by the time this one does: a
        monthly measure's period in ``Q2 2016/17`` is ``Sep 2016``, an annual one's is
        ``2015/16`` (the last complete year).

        >>> q2 = Period.quarter(2016, 2)
        >>> q2.latest(Frequency.MONTHLY).label, q2.latest(Frequency.ANNUAL).label
        ('Sep 2016', '2015/16')
        >>> Period.month(2016, 8).latest(Frequency.QUARTERLY).label
        'Q1 2016/17'
        """
        span = _SPAN_OF[frequency]
        if span == 1:
            return Period(self.end, 1)
        return Period(self.end - (self.end - 2) % span, span)

    def within(self, frequency: Frequency) -> Period:
        """The period of ``frequency`` that holds this period's last month."""
        span = _SPAN_OF[frequency]
        return Period(self.end + (-(self.end - 2)) % span, span)

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, slots=True)
class Benchmark:
    """One comparator's value for a measure, e.g. National Average (2015): 24%."""

    ref: str
    comparator: str
    year: str | None
    value: float

    @property
    def label(self) -> str:
        return f"{self.comparator} ({self.year})" if self.year else self.comparator


#: The comparator groups the rules know by name (the Comparators table's ``Group``);
#: a council's own groups keep the names it gives them.
GROUP_STATISTICAL_NEIGHBOURS = "Statistical neighbours"
GROUP_ENGLAND = "England"
GROUP_REGION = "Region"


class ComparatorValue(NamedTuple):
    """One row of the Comparators table: an authority's value for a measure in a year,
    within a group (``Statistical neighbours``, ``England``, ``Region`` or the council's own).

    ``year_key`` orders years (the first year the text names: 2014 for ``2014/15``).
    ``own`` marks our own authority's row. ``aggregate`` is set on a row that is not
    an authority (England, a region, an average): the benchmark name it is offered
    under instead (``England`` -> ``National Average``). ``value`` is ``None`` where
    the authority has no figure (blank, ``n/a``, ``x``).

    A NamedTuple rather than a frozen dataclass, as immutable and typed: a workbook
    holds 150 of these per measure (750,000 on 5,000 measures), and a tuple is made
    in a third of the time.
    """

    ref: str
    authority: str
    year: str
    value: float | None
    group: str
    year_key: int = 0
    own: bool = False
    aggregate: str | None = None
    row: int | None = None


class Observation(NamedTuple):
    """A measure's figure for one past period: a row of the History table.

    ``value`` is ``None`` where the period had no figure (a gap in the trend);
    ``target`` is the target in force then; ``status`` the RAG published then,
    when the workbook gives it.

    A NamedTuple rather than a frozen dataclass, as :class:`ComparatorValue`: eight
    periods of 5,000 measures are 40,000 of these, made at C speed
    (``tuple.__new__``) by the History reader.
    """

    period: Period
    value: float | None
    target: float | None = None
    status: Status | None = None


@dataclass(frozen=True, slots=True)
class Measure:
    """One row of the Measures table, typed. ``row`` is the worksheet row it came from."""

    ref: str
    portfolio: str
    name: str
    cabinet_member: str | None = None
    outcome: str | None = None
    polarity: Polarity = Polarity.HIGHER
    unit: Unit = Unit.NUMBER
    frequency: Frequency | None = None
    target: float | None = None
    target_upper: float | None = None
    current: float | None = None
    current_marker: str | None = None
    previous: float | None = None
    tolerance: float | None = None
    amber_threshold: float | None = None
    data_status: DataStatus = DataStatus.AVAILABLE
    notes: str | None = None
    benchmarking_text: str | None = None
    highlight: bool = False
    benchmarks: tuple[Benchmark, ...] = ()
    row: int | None = None
    #: A band short of the target that still counts as Green (rule 4); None: the workbook's.
    green_tolerance: float | None = None
    #: How Tolerance and Green Tolerance are read; None: the workbook's.
    tolerance_basis: ToleranceBasis | None = None
    #: Reaching it gives Blue where the workbook uses Blue (rule 5).
    stretch_target: float | None = None
    #: The officer's judgement (rule 6), with its reason.
    rag_override: Status | None = None
    override_reason: str | None = None
    #: Past periods' figures (the History table or the wide layout), oldest first.
    history: tuple[Observation, ...] = ()
    #: Its rows of the Comparators table (every group and year).
    comparators: Sequence[ComparatorValue] = ()
    #: Our own council's figures found in the Benchmarking text (``Bucks 83%``): not
    #: benchmarks, but shown with them so the published text keeps them.
    own_figures: tuple[Benchmark, ...] = ()
    #: The officer who supplies its figures (one return workbook per owner).
    owner: str | None = None


#: The amber band beyond the target when neither the measure nor Settings gives one.
DEFAULT_TOLERANCE = 0.1
#: The green band short of the target when neither the measure nor Settings gives one.
DEFAULT_GREEN_TOLERANCE = 0.0


@dataclass(frozen=True, slots=True)
class Settings:
    authority: str | None = None
    period: str | None = None
    default_tolerance: float = DEFAULT_TOLERANCE
    default_green_tolerance: float = DEFAULT_GREEN_TOLERANCE
    tolerance_basis: ToleranceBasis = ToleranceBasis.RELATIVE
    #: Settings ``Use Blue``; also True when any Stretch Target is filled.
    use_blue: bool = False
    #: Settings ``Direction Tolerance``: a change within it is ``No change`` (a fraction
    #: of the previous value; an amount in the measure's units where its Tolerance Basis
    #: is Absolute). Default 0.
    direction_tolerance: float = 0.0
    #: Settings rows ``Column: <our name>`` = ``<your header>``: (our name, their
    #: header, the Settings cell that says so), e.g. ("Current", "Q2 Actual", "B7").
    column_map: tuple[tuple[str, str, str], ...] = ()
    #: The sheet holding the measures as a plain range (Settings ``Measures Sheet``).
    measures_sheet: str | None = None
    #: ``period`` read as a :class:`Period` (``None`` when not set or unreadable).
    current_period: Period | None = None
    #: Our own authority's code in the Comparators table (e.g. ``825``), beside its name.
    authority_code: str | None = None


@dataclass(frozen=True, slots=True)
class CellRef:
    """A cell by its sheet and 1-based row and column; ``address`` (``J12``) is for
    display.

    >>> CellRef("Measures", 12, 10).where
    'Measures!J12'
    """

    sheet: str
    row: int
    col: int

    @property
    def address(self) -> str:
        return cell_address(self.row, self.col)

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.address}"


@dataclass(frozen=True, slots=True)
class TablePlace:
    """Where a table (an Excel table, or a plain range when ``excel_table`` is false)
    stands: its header row ``top``, columns ``left``..``right``, its last row ``bottom``,
    ``end`` the first row after its last row holding a value (where new rows go), and
    each field's worksheet column as the reader matched the headers."""

    name: str
    sheet: str
    top: int
    left: int
    bottom: int
    right: int
    end: int
    headers: tuple[str, ...] = ()
    columns: tuple[tuple[str, int], ...] = ()  # (field, worksheet column)
    excel_table: bool = True

    def column(self, field: str) -> int | None:
        return next((c for f, c in self.columns if f == field), None)


@dataclass(frozen=True, slots=True)
class Places:
    """Where the reader found what an edit of the workbook needs: positions as integers,
    so a plan never searches the sheets again."""

    measures: TablePlace | None = None
    settings: TablePlace | None = None
    #: Settings rows by setting name (casefolded), their worksheet row.
    setting_rows: tuple[tuple[str, int], ...] = ()
    history: TablePlace | None = None
    #: History rows for the current period or later, which the reader set aside:
    #: (Ref casefolded, period, sheet, row, period column); the wide layout's too.
    history_current: tuple[tuple[str, Period, str, int, int], ...] = ()
    #: Title cells above the Measures header that name the current period, and their text.
    titles: tuple[tuple[CellRef, str], ...] = ()
    #: The workbook's sheet names, in order (a new sheet needs a name none has).
    sheets: tuple[str, ...] = ()

    def setting(self, name: str) -> CellRef | None:
        """The value cell of the Settings row ``name``."""
        if self.settings is None:
            return None
        row = next((r for k, r in self.setting_rows if k == name.casefold()), None)
        col = self.settings.column("value")
        return CellRef(self.settings.sheet, row, col) if row and col else None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in the workbook, located at ``sheet!cell`` (cell may be empty).

    The position is ``row`` and ``col`` (1-based integers, ``None`` for a whole sheet);
    ``cell`` is their A1 address, for display only. :meth:`at` builds one from the
    integers; given an address instead, the integers are read from it.

    >>> p = Problem.at("Measures", 12, 10, "current position 'abc' is not a number")
    >>> p.text, (p.row, p.col)
    ("Measures!J12: current position 'abc' is not a number", (12, 10))
    >>> Problem("Measures", "K5", "71 reads as 7,100%").col
    11
    """

    sheet: str
    cell: str
    message: str
    value: object = None
    severity: str = "error"  # "error" stops a run; "warning" is reported only
    row: int | None = None
    col: int | None = None

    def __post_init__(self) -> None:
        if self.row is None and self.cell:
            try:
                row, col = parse_cell_address(self.cell)
            except ValueError:  # a range or a label, kept as display text
                return
            object.__setattr__(self, "row", row)
            object.__setattr__(self, "col", col)

    @classmethod
    def at(cls, sheet: str, row: int | None, col: int | None, message: str,
           value: object = None, severity: str = "error") -> Problem:
        """A problem at the cell (``row``, ``col``) of ``sheet``; no cell when either is
        ``None``."""
        cell = cell_address(row, col) if row and col else ""
        return cls(sheet, cell, message, value, severity, row if cell else None,
                   col if cell else None)

    @property
    def text(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "cell": self.cell, "message": self.message,
                "severity": self.severity}


@dataclass(frozen=True, slots=True)
class BenchmarkGap:
    benchmark: Benchmark
    gap: float  # signed, positive is better


class TrendPoint(NamedTuple):
    """One period's value in a measure's trend, e.g. ``Q1 2016/17``: 0.31 (a NamedTuple,
    as :class:`Observation`: eight a measure)."""

    period: str
    value: float | None


@dataclass(frozen=True, slots=True)
class Trend(Sequence[TrendPoint]):
    """A measure's trend: the last eight periods' labels and figures, oldest first, the
    current period last (``None`` where a period has no figure). Kept as the two tuples
    the renderers take (a scorecard with History has eight points a measure); read as
    :class:`TrendPoint` s.

    >>> t = Trend(("Q1 2016/17", "Q2 2016/17"), (0.9, None))
    >>> len(t), t[-1].period, [p.value for p in t]
    (2, 'Q2 2016/17', [0.9, None])
    >>> Trend.of([TrendPoint("Q1 2016/17", 0.9), TrendPoint("Q2 2016/17", None)]) == t
    True
    """

    periods: tuple[str, ...] = ()
    values: tuple[float | None, ...] = ()

    @classmethod
    def of(cls, points: Iterable[TrendPoint]) -> Trend:
        """The trend of ``points``, oldest first."""
        columns = tuple(zip(*points))
        return cls(*columns) if columns else cls()

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Trend(self.periods[index], self.values[index])
        return TrendPoint(self.periods[index], self.values[index])

    def __iter__(self) -> Iterator[TrendPoint]:
        return map(TrendPoint._make, zip(self.periods, self.values))


#: A measure without History.
NO_TREND = Trend()


@dataclass(frozen=True, slots=True)
class Rank:
    """Our place within a comparator group: 1 is best by polarity, ties take the lowest."""

    group: str
    rank: int
    of: int
    year: str | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    """A measure with its status, the reason in one line, gaps and direction."""

    measure: Measure
    status: Status
    reason: str
    target_gap: float | None = None
    benchmark_gaps: tuple[BenchmarkGap, ...] = ()
    direction: Direction | None = None
    problems: tuple[Problem, ...] = field(default=())
    #: The rules' status when an officer's RAG Override stands (``status`` is the override).
    computed_status: Status | None = None
    override_reason: str | None = None
    #: Against the same period a year earlier (History).
    direction_long: Direction | None = None
    direction_long_since: str | None = None
    #: The period the short direction compares with, and the figures then (short, long).
    direction_since: str | None = None
    direction_then: float | None = None
    direction_long_then: float | None = None
    previous_status: Status | None = None
    previous_period: str | None = None
    movement: Movement | None = None
    #: The last eight periods, oldest first, current last.
    trend: Trend = NO_TREND
    ranks: tuple[Rank, ...] = ()
    quartile: str | None = None  # national quartile band, A (best) to D


@dataclass(frozen=True, slots=True)
class ColumnSource:
    """Where a field of the Measures table was read from: ``Current`` from the header
    ``Actual`` at ``Measures!K3``, matched by ``how`` (name, synonym or setting)."""

    field: str
    name: str      # our name for it, e.g. "Current"
    header: str    # the workbook's header text
    sheet: str
    cell: str      # the header's A1 address, for display
    how: str
    row: int | None = None  # the header's row and column (read from ``cell`` if not given)
    col: int | None = None

    def __post_init__(self) -> None:
        if self.row is None and self.cell:
            row, col = parse_cell_address(self.cell)
            object.__setattr__(self, "row", row)
            object.__setattr__(self, "col", col)

    def as_dict(self) -> dict:
        return {"field": self.name, "header": self.header, "sheet": self.sheet,
                "cell": self.cell, "how": self.how}


@dataclass(frozen=True, slots=True)
class PerformanceWorkbook:
    """What the reader found: typed measures, settings and every problem seen."""

    measures: tuple[Measure, ...]
    settings: Settings
    problems: tuple[Problem, ...]
    #: Which header each Measures field was read from, in the table's column order.
    columns: tuple[ColumnSource, ...] = ()
    #: Where the tables, the Settings rows and the titles stand, for edits.
    places: Places = field(default_factory=lambda: Places())

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")
