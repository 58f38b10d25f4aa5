"""Write a performance workbook (the input format of SPEC section 3) with XlsxWriter.

Used for the bundled sample, for ``kpi-scorecard new`` and by the ``.xlsm`` build,
which adds its VBA project and button to the workbook this module fills.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from ..atomic import atomic_path
from ..reading.values import parse_unit
from ..errors import ValueParseError
from ..model import DataStatus, Frequency, Polarity, Status, ToleranceBasis, Unit

MEASURE_HEADERS = (
    "Portfolio", "Cabinet Member", "Ref", "Measure", "Outcome", "Polarity", "Unit", "Frequency",
    "Target", "Target Upper", "Current", "Previous", "Tolerance", "Green Tolerance",
    "Tolerance Basis", "Amber Threshold", "Stretch Target", "Data Status", "Notes",
    "Benchmarking", "Highlight", "RAG Override", "Override Reason", "Owner",
)
BENCHMARK_HEADERS = ("Ref", "Comparator", "Year", "Value")
SETTINGS_HEADERS = ("Setting", "Value")
HISTORY_HEADERS = ("Ref", "Period", "Value", "Target", "Status", "Notes")
#: Never ``History``: Excel reserves that sheet name for Track Changes and refuses it.
HISTORY_SHEET = "Past periods"
DEFAULT_SETTINGS = {"Authority": "", "Period": "", "Default Tolerance": 0.1,
                    "Default Green Tolerance": 0, "Tolerance Basis": "Relative", "Use Blue": "No"}

_WIDTHS = {"Portfolio": 22, "Cabinet Member": 18, "Ref": 8, "Measure": 48, "Outcome": 36,
           "Polarity": 16, "Unit": 8, "Frequency": 11, "Data Status": 13, "Notes": 60,
           "Benchmarking": 36, "Highlight": 10, "Tolerance Basis": 11, "RAG Override": 10,
           "Override Reason": 40, "Owner": 24}
_FIGURES = ("Target", "Target Upper", "Current", "Previous", "Amber Threshold", "Stretch Target")
#: Bands: fractions of the target (shown as %) unless the row's basis is Absolute.
_TOLERANCES = ("Tolerance", "Green Tolerance")
_CHOICES = {
    "Polarity": [p.value for p in Polarity],
    "Unit": [u.value for u in Unit],
    "Frequency": [f.value for f in Frequency],
    "Data Status": [d.value for d in DataStatus],
    "Highlight": ["Yes", "No"],
    "Tolerance Basis": [b.value for b in ToleranceBasis],
    "RAG Override": [s.value for s in Status if s.is_rag],
}
#: Settings whose value cell gets a drop-down list.
_SETTING_CHOICES = {
    "Tolerance Basis": [b.value for b in ToleranceBasis],
    "Use Blue": ["Yes", "No"],
}
_SETTING_PERCENTS = ("Default Tolerance", "Default Green Tolerance")
#: Rows below the header that get drop-down lists, so rows added later have them too.
_VALIDATED_ROWS = 2000
#: The Measures table starts on this row (0-based), under a title and a line of help;
#: the .xlsm puts its Regenerate button beside them, where it never scrolls away.
MEASURES_TOP = 2
MEASURES_HELP = ("One row per measure. Percent cells hold fractions (97% is 0.97). "
                 "Then run: kpi-scorecard regenerate this-workbook.xlsx")


def add_performance_sheets(workbook, measures: Sequence[Mapping[str, object]] = (),
                           benchmarks: Sequence[Mapping[str, object]] = (),
                           settings: Mapping[str, object] = DEFAULT_SETTINGS,
                           title: str = "Performance workbook",
                           measure_headers: Sequence[str] = MEASURE_HEADERS,
                           history: Sequence[Mapping[str, object]] | None = None) -> dict:
    """Add the Measures, Benchmarks and Settings sheets, each with its Excel table,
    to an XlsxWriter ``workbook``; return the worksheets by name.

    The Measures table's header row is row ``MEASURES_TOP + 1`` (1-based), under
    ``title`` and a line of help. ``measure_headers`` may add columns of one's own."""
    MEASURE_HEADERS = tuple(measure_headers)  # noqa: N806 (the columns written here)
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    top = workbook.add_format({"valign": "top"})
    percent = workbook.add_format({"num_format": "0%", "valign": "top"})
    number = workbook.add_format({"num_format": "#,##0.##", "valign": "top"})

    ws = workbook.add_worksheet("Measures")
    rows = [[m.get(h) for h in MEASURE_HEADERS] for m in measures]
    top_row = MEASURES_TOP
    ws.write_string(0, 0, title, workbook.add_format({"bold": True, "font_size": 14}))
    ws.write_string(1, 0, MEASURES_HELP, workbook.add_format({"italic": True}))
    _add_table(ws, "Measures", MEASURE_HEADERS, rows, header, top_row)
    for ci, name in enumerate(MEASURE_HEADERS):
        fmt = wrap if name in ("Measure", "Outcome", "Notes", "Benchmarking",
                               "Override Reason") else top
        if name in _TOLERANCES:
            fmt = percent
        ws.set_column(ci, ci, _WIDTHS.get(name, 12), fmt)
        if name in _CHOICES:
            ws.data_validation(top_row + 1, ci, top_row + _VALIDATED_ROWS, ci, {
                "validate": "list", "source": _CHOICES[name], "error_type": "warning",
                "input_title": name, "input_message": "Choose from the list"})
    unit_col = MEASURE_HEADERS.index("Unit")
    basis_col = MEASURE_HEADERS.index("Tolerance Basis")
    default_basis = str(settings.get("Tolerance Basis") or "").strip().casefold()
    for ri, row in enumerate(rows, start=1):
        unit = _unit_or_none(row[unit_col])
        absolute = str(row[basis_col] or default_basis).strip().casefold() == "absolute"
        for name in _FIGURES + _TOLERANCES:
            ci = MEASURE_HEADERS.index(name)
            if isinstance(row[ci], (int, float)) and not isinstance(row[ci], bool):
                as_percent = unit is Unit.PERCENT or (name in _TOLERANCES and not absolute)
                ws.write_number(top_row + ri, ci, row[ci], percent if as_percent else number)
    ws.freeze_panes(top_row + 1, 4)

    ws_b = workbook.add_worksheet("Benchmarks")
    b_rows = [[b.get(h) for h in BENCHMARK_HEADERS] for b in benchmarks]
    _add_table(ws_b, "Benchmarks", BENCHMARK_HEADERS, b_rows, header)
    ws_b.set_column(0, 0, 10, top)
    ws_b.set_column(1, 1, 32, top)
    ws_b.set_column(2, 3, 12, top)
    ws_b.freeze_panes(1, 0)

    ws_s = workbook.add_worksheet("Settings")
    _add_table(ws_s, "Settings", SETTINGS_HEADERS, [[k, v] for k, v in settings.items()], header)
    ws_s.set_column(0, 0, 22, top)
    ws_s.set_column(1, 1, 36, top)
    for row, (name, value) in enumerate(settings.items(), start=1):
        if name in _SETTING_PERCENTS and isinstance(value, (int, float)):
            ws_s.write_number(row, 1, value, percent)
        if name in _SETTING_CHOICES:
            ws_s.data_validation(row, 1, row, 1, {
                "validate": "list", "source": _SETTING_CHOICES[name], "error_type": "warning",
                "input_title": name, "input_message": "Choose from the list"})
    sheets = {"Measures": ws, "Benchmarks": ws_b, "Settings": ws_s}
    if history is not None:
        sheets[HISTORY_SHEET] = _add_history(workbook, history, header, top, number)
    return sheets


def _add_history(workbook, history: Sequence[Mapping[str, object]], header_fmt, top, number):
    """The History table on its sheet: one row per measure and past period (SPEC section 3)."""
    ws = workbook.add_worksheet(HISTORY_SHEET)
    _add_table(ws, "History", HISTORY_HEADERS,
               [[h.get(k) for k in HISTORY_HEADERS] for h in history], header_fmt)
    ws.set_column(0, 1, 12, top)
    ws.set_column(2, 3, 10, number)
    ws.set_column(4, 4, 12, top)
    ws.set_column(5, 5, 48, top)
    ws.freeze_panes(1, 0)
    return ws


def _unit_or_none(value: object) -> Unit | None:
    try:
        return parse_unit(value)
    except ValueParseError:
        return None


def _add_table(ws, name: str, headers: Sequence[str], rows: list[list[object]], header_fmt,
               top: int = 0) -> None:
    data = [[None if v == "" else v for v in row] for row in rows] or [[None] * len(headers)]
    ws.add_table(top, 0, top + len(data), len(headers) - 1, {
        "name": name, "data": data, "style": "Table Style Medium 2",
        "columns": [{"header": h, "header_format": header_fmt} for h in headers]})


def write_performance_workbook(path: str | os.PathLike,
                               measures: Sequence[Mapping[str, object]] = (),
                               benchmarks: Sequence[Mapping[str, object]] = (),
                               settings: Mapping[str, object] = DEFAULT_SETTINGS,
                               *, title: str = "Performance workbook",
                               measure_headers: Sequence[str] = MEASURE_HEADERS,
                               history: Sequence[Mapping[str, object]] | None = None) -> None:
    """Write a performance workbook file atomically (``.xlsx``)."""
    import xlsxwriter

    with atomic_path(path) as tmp:
        workbook = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                                  "strings_to_urls": False})
        workbook.set_properties({"title": title, "author": "kpi-scorecard"})
        add_performance_sheets(workbook, measures, benchmarks, settings, title=title,
                               measure_headers=measure_headers, history=history)
        workbook.close()
