"""The ``Data`` sheet: one row per measure, every field, for analysts (an Excel table,
one header row, no merged cells: Government Analysis Function guidance); and the
number style of a figure, which the committee sheets share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..formatting import format_gap, format_value
from ..model import Assessment, Unit
from .spec import Cell, Column, Sheet, Table

DATA_SHEET = "Data"
#: The Excel table of the Data sheet.
DATA_TABLE = "ScorecardData"
#: What a row whose data has problems shows for its status.
CHECK_DATA = "Check data"


def _is_whole(number: float, places: int = 0) -> bool:
    scaled = number * 10 ** places
    return abs(scaled - round(scaled)) < 1e-9 * max(1.0, abs(scaled))


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


_NOTHING = Cell(None, "blank")


def _number(value: float | None, unit: Unit) -> Cell:
    return Cell(value, value_style(value, unit)) if value is not None else _NOTHING


_WORDS: dict[object, Cell] = {}


def _word(value) -> Cell:
    """An enum's word (``Status.RED`` -> ``Red``), text as it is, or an empty cell."""
    if value is None:
        return _NOTHING
    if isinstance(value, str):
        return Cell(value, "plain")
    cell = _WORDS.get(value)  # enums: one cell per word, shared
    if cell is None:
        cell = _WORDS[value] = Cell(value.value, "plain")
    return cell


def _benchmark_gaps(a: Assessment) -> str | None:
    unit = a.measure.unit
    parts = [f"{g.benchmark.label}: {format_value(g.benchmark.value, unit)} "
             f"({format_gap(g.gap, unit)})" for g in a.benchmark_gaps]
    return "; ".join(parts) or None


def _ranks(a: Assessment) -> str | None:
    return "; ".join(f"{r.group}{f' ({r.year})' if r.year else ''}: {r.rank} of {r.of}"
                     for r in a.ranks) or None


def _trend(a: Assessment) -> str | None:
    unit = a.measure.unit
    return "; ".join(f"{t.period}: {format_value(t.value, unit) if t.value is not None else '-'}"
                     for t in a.trend) or None


def _status(a: Assessment) -> str:
    return CHECK_DATA if a.problems else a.status.value


def _reason(a: Assessment) -> str:
    return "; ".join(p.text for p in a.problems) if a.problems else a.reason


#: The Data sheet's columns: header and how to get the cell from an assessment. The one
#: list the header row and every data row are built from.
DATA_COLUMNS: tuple[tuple[str, Callable[[Assessment], Cell]], ...] = (
    ("Ref", lambda a: Cell(a.measure.ref, "plain")),
    ("Portfolio", lambda a: Cell(a.measure.portfolio, "plain")),
    ("Cabinet Member", lambda a: _word(a.measure.cabinet_member)),
    ("Measure", lambda a: Cell(a.measure.name, "plain")),
    ("Outcome", lambda a: _word(a.measure.outcome)),
    ("Unit", lambda a: _word(a.measure.unit)),
    ("Polarity", lambda a: _word(a.measure.polarity)),
    ("Frequency", lambda a: _word(a.measure.frequency)),
    ("Target", lambda a: _number(a.measure.target, a.measure.unit)),
    ("Target Upper", lambda a: _number(a.measure.target_upper, a.measure.unit)),
    ("Current", lambda a: _number(a.measure.current, a.measure.unit)
     if a.measure.current is not None else _word(a.measure.current_marker)),
    ("Previous", lambda a: _number(a.measure.previous, a.measure.unit)),
    ("Status", lambda a: Cell(_status(a), "plain")),
    ("Computed Status", lambda a: _word(a.computed_status)),
    ("Override Reason", lambda a: _word(a.override_reason)),
    ("Reason", lambda a: Cell(_reason(a), "plain")),
    ("Target Gap", lambda a: _number(a.target_gap, a.measure.unit)),
    ("Benchmark Gaps", lambda a: _word(_benchmark_gaps(a))),
    ("Direction", lambda a: _word(a.direction)),
    ("Direction Long", lambda a: _word(a.direction_long)),
    ("Direction Long Since", lambda a: _word(a.direction_long_since)),
    ("Previous Status", lambda a: _word(a.previous_status)),
    ("Previous Period", lambda a: _word(a.previous_period)),
    ("Movement", lambda a: _word(a.movement)),
    ("Trend", lambda a: _word(_trend(a))),
    ("Ranks", lambda a: _word(_ranks(a))),
    ("Quartile", lambda a: _word(a.quartile)),
    ("Highlight", lambda a: Cell("Yes" if a.measure.highlight else "No", "plain")),
    ("Notes", lambda a: _word(a.measure.notes)),
    ("Benchmarking", lambda a: _word(a.measure.benchmarking_text)),
)
_DATA_WIDTHS = {"Measure": 40, "Reason": 50, "Portfolio": 20, "Outcome": 30,
                "Benchmark Gaps": 40, "Trend": 40, "Notes": 50, "Cabinet Member": 18}


def build_data_sheet(assessments: Iterable[Assessment]) -> Sheet:
    """The ``Data`` sheet: one Excel table, one header row, one row per measure, no merged
    cells, every field of the assessment (Government Analysis Function guidance)."""
    header = tuple(Cell(h, "header") for h, _get in DATA_COLUMNS)
    getters = [get for _h, get in DATA_COLUMNS]
    rows = tuple([tuple([get(a) for get in getters]) for a in assessments])
    table = Table(DATA_TABLE, header, rows, caption="Every measure and its assessment",
                  repeat_header=True, row_header=0, excel_table=True)
    columns = tuple(Column(_DATA_WIDTHS.get(h, 14)) for h, _g in DATA_COLUMNS)
    return Sheet(name=DATA_SHEET, label=DATA_SHEET, columns=columns, blocks=(table,),
                 freeze_rows=1, data=True)
