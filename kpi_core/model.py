"""Typed values of the performance workbook and of its assessment.

Everything here is frozen data; the rules live in :mod:`kpi_core.assessing.rules`, the
reading in :mod:`kpi_core.reading`. Strings are parsed once, in
:mod:`kpi_core.reading.values`, into these types.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import NamedTuple

from .cells import cell_address, parse_cell_address
from .period import Frequency, Period  # the types a measure's frequency and History hold


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

    def with_changes(self, changes: Mapping[str, object]) -> Measure:
        """``dataclasses.replace(self, **changes)``, the fields gathered at C speed and
        passed by position: a workbook with History or Comparators has most of its
        measures made again (replace checks and passes each field by name).

        >>> Measure("A", "P", "m").with_changes({"owner": "J. Smith"}).owner
        'J. Smith'
        """
        values = list(_measure_values(self))
        for name, value in changes.items():
            values[_MEASURE_FIELD_AT[name]] = value
        return Measure(*values)


_MEASURE_FIELDS = tuple(f.name for f in fields(Measure))
_MEASURE_FIELD_AT = {name: i for i, name in enumerate(_MEASURE_FIELDS)}
_measure_values = attrgetter(*_MEASURE_FIELDS)


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
