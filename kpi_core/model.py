"""Typed values of the performance workbook and of its assessment.

Everything here is frozen data; the rules live in :mod:`kpi_core.assessing.rules`, the
reading in :mod:`kpi_core.reading.tables`. Strings are parsed once, in
:mod:`kpi_core.reading.values`, into these types.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


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


#: The amber band beyond the target when neither the measure nor Settings gives one.
DEFAULT_TOLERANCE = 0.1


@dataclass(frozen=True, slots=True)
class Settings:
    authority: str | None = None
    period: str | None = None
    default_tolerance: float = DEFAULT_TOLERANCE
    #: Settings rows ``Column: <our name>`` = ``<your header>``: (our name, their
    #: header, the Settings cell that says so), e.g. ("Current", "Q2 Actual", "B7").
    column_map: tuple[tuple[str, str, str], ...] = ()
    #: The sheet holding the measures as a plain range (Settings ``Measures Sheet``).
    measures_sheet: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in the workbook, located at ``sheet!cell`` (cell may be empty)."""

    sheet: str
    cell: str
    message: str
    value: object = None
    severity: str = "error"  # "error" stops a run; "warning" is reported only

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


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One period's value in a measure's trend, e.g. ``Q1 2016/17``: 0.31."""

    period: str
    value: float | None


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
    previous_status: Status | None = None
    previous_period: str | None = None
    movement: Movement | None = None
    #: The last eight periods, oldest first, current last.
    trend: tuple[TrendPoint, ...] = ()
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
    cell: str
    how: str

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

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")
