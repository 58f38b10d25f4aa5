"""The ``Data`` sheet: one row per measure, every field, for analysts (an Excel table,
one header row, no merged cells: Government Analysis Function guidance); and the
number style of a figure, which the committee sheets share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..formatting import format_gap, format_series, format_value
from ..model import Assessment, Unit
from .spec import Cell, Column, Sheet, Table

DATA_SHEET = "Data"
#: The Excel table of the Data sheet.
DATA_TABLE = "ScorecardData"
#: What a row whose data has problems shows for its status.
CHECK_DATA = "Check data"


def _is_whole(number: float, places: int = 0) -> bool:
    scaled = number * 10 ** places if places else number
    size = scaled if scaled >= 0 else -scaled
    return abs(scaled - round(scaled)) < 1e-9 * (size if size > 1.0 else 1.0)


def value_style(value: float, unit: Unit) -> str:
    """The style name of a figure: its unit, and as many decimals as it needs.

    >>> value_style(0.97, Unit.PERCENT), value_style(0.275, Unit.PERCENT)
    ('pct0', 'pct1')
    >>> value_style(12, Unit.NUMBER)
    'number0'
    """
    if unit is Unit.PERCENT:
        if _is_whole(value, 2):
            return "pct0"
        return "pct1" if _is_whole(value, 3) else "pct2"
    if unit is Unit.MONEY:
        return "money0" if _is_whole(value) else "money2"
    if unit is Unit.DAYS:
        return "days0" if _is_whole(value) else "days1"
    if unit is Unit.RATE:
        return "rate"
    return "number0" if _is_whole(value) else "number2"


def _number(value: float | None, unit: Unit) -> Cell | None:
    return Cell(value, value_style(value, unit)) if value is not None else None


def _word(value) -> str | None:
    """An enum's word (``Status.RED`` -> ``Red``), or ``None``."""
    return value.value if value is not None else None


def _benchmark_gaps(a: Assessment) -> str | None:
    unit = a.measure.unit
    parts = [f"{g.benchmark.label}: {format_value(g.benchmark.value, unit)} "
             f"({format_gap(g.gap, unit)})" for g in a.benchmark_gaps]
    return "; ".join(parts) or None


def _ranks(a: Assessment) -> str | None:
    return "; ".join(f"{r.group}{f' ({r.year})' if r.year else ''}: {r.rank} of {r.of}"
                     for r in a.ranks) or None


def _trend(a: Assessment) -> str | None:
    """``Q3 2014/15 to Q2 2016/17: 58%, 60%, no figure, ...``: the words of the trend's
    sparkline's text alternative."""
    trend = a.trend
    return format_series(trend.periods, trend.values, a.measure.unit) if trend else None


def _status(a: Assessment) -> str:
    return CHECK_DATA if a.problems else a.status.value


def _reason(a: Assessment) -> str:
    return "; ".join(p.text for p in a.problems) if a.problems else a.reason


#: The Data sheet's columns: header and how to get the value from an assessment (text,
#: ``None`` for nothing, a figure as a :class:`Cell` in its unit's style). The one list
#: the header row and every data row are built from.
DATA_COLUMNS: tuple[tuple[str, Callable[[Assessment], str | Cell | None]], ...] = (
    ("Ref", lambda a: a.measure.ref),
    ("Portfolio", lambda a: a.measure.portfolio),
    ("Cabinet Member", lambda a: a.measure.cabinet_member),
    ("Measure", lambda a: a.measure.name),
    ("Outcome", lambda a: a.measure.outcome),
    ("Unit", lambda a: a.measure.unit.value),
    ("Polarity", lambda a: a.measure.polarity.value),
    ("Frequency", lambda a: _word(a.measure.frequency)),
    ("Target", lambda a: _number(a.measure.target, a.measure.unit)),
    ("Target Upper", lambda a: _number(a.measure.target_upper, a.measure.unit)),
    ("Current", lambda a: _number(a.measure.current, a.measure.unit)
     if a.measure.current is not None else a.measure.current_marker),
    ("Previous", lambda a: _number(a.measure.previous, a.measure.unit)),
    ("Status", _status),
    ("Computed Status", lambda a: _word(a.computed_status)),
    ("Override Reason", lambda a: a.override_reason),
    ("Reason", _reason),
    ("Target Gap", lambda a: _number(a.target_gap, a.measure.unit)),
    ("Benchmark Gaps", _benchmark_gaps),
    ("Direction", lambda a: _word(a.direction)),
    ("Direction Long", lambda a: _word(a.direction_long)),
    ("Direction Long Since", lambda a: a.direction_long_since),
    ("Previous Status", lambda a: _word(a.previous_status)),
    ("Previous Period", lambda a: a.previous_period),
    ("Movement", lambda a: _word(a.movement)),
    ("Trend", _trend),
    ("Ranks", _ranks),
    ("Quartile", lambda a: a.quartile),
    ("Highlight", lambda a: "Yes" if a.measure.highlight else "No"),
    ("Notes", lambda a: a.measure.notes),
    ("Benchmarking", lambda a: a.measure.benchmarking_text),
)
_DATA_WIDTHS = {"Measure": 40, "Reason": 50, "Portfolio": 20, "Outcome": 30,
                "Benchmark Gaps": 40, "Trend": 40, "Notes": 50, "Cabinet Member": 18}


#: The Data sheet's 29 columns would print at about 2 points on one A4 page: it stays
#: out of the workbook's print, and says so.
DATA_PRINT_NOTE = ("Not printed with the workbook: this table, one row per measure for "
                   "analysis, is too wide for A4. The scorecard sheets print; to print "
                   "some of these columns, copy them to a sheet of their own.")


def build_data_sheet(assessments: Iterable[Assessment]) -> Sheet:
    """The ``Data`` sheet: one Excel table, one header row, one row per measure, no merged
    cells, every field of the assessment (Government Analysis Function guidance). Its rows
    are plain values (:attr:`Table.text_style`)."""
    header = tuple(Cell(h, "header") for h, _get in DATA_COLUMNS)
    getters = [get for _h, get in DATA_COLUMNS]
    rows = tuple([tuple([get(a) for get in getters]) for a in assessments])
    table = Table(DATA_TABLE, header, rows, caption="Every measure and its assessment",
                  repeat_header=True, row_header=0, excel_table=True, text_style="plain")
    columns = tuple(Column(_DATA_WIDTHS.get(h, 14)) for h, _g in DATA_COLUMNS)
    return Sheet(name=DATA_SHEET, label=DATA_SHEET, columns=columns, blocks=(table,),
                 freeze_rows=1, data=True, print_note=DATA_PRINT_NOTE)
