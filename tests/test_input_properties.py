"""Property tests: arbitrary cell values through parsing, the reader and the rules.

Whatever a cell holds (text with control characters or lone surrogates, NaN, inf,
huge integers, bools, Excel errors, formulas without results, dates), only a
:class:`~kpi_core.errors.KpiError`, a status or a Problem comes out: never another
exception. And whatever the scorecard is built from, the file written is well-formed.

Sizes: 400 examples per parse function, 400 tables through parse_tables and the
rules, 120 whole scorecards rendered.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kpi_core.reading import values as parsing
from kpi_core.errors import KpiError, ValueParseError
from kpi_core.model import Status
from kpi_core.pipeline import assess_workbook
from kpi_core.reading.rows import table_from_values
from kpi_core.reading.tables import BENCHMARK_COLUMNS, MEASURE_COLUMNS, SETTINGS_COLUMNS
from kpi_core.reading.workbook import parse_tables
from kpi_core.cells import parse_cell_address
from kpi_core.reading.scan import CellError, FormulaNoResult

PARSE_EXAMPLES, TABLE_EXAMPLES, RENDER_EXAMPLES = 400, 400, 120

WORDS = ["Higher is better", "lower", "Within range", "range", "Available", "Not due",
         "Unavailable", "Monthly", "Annual", "%", "£", "days", "rate", "number", "Yes", "no",
         "x", "n/a", "TBC", "-", "Data unavailable", "97%", "1,250", "-0.5", "1e400", "1e15",
         "nan", "inf", "=1+1", "+cmd|' /C calc'!A0", "@SUM(1)", "Summary!A1 x", "", "  ",
         "\u0627\u0644\u062e\u062f\u0645\u0627\u062a", "\U0001F600" * 20, "Cllr. O'Neil",
         "Default Tolerance", "Authority", "Period", "Tolerance", "10%", "150%", "0.1"]

texts = st.one_of(
    st.text(st.characters(blacklist_categories=()), max_size=40),  # surrogates and controls too
    st.sampled_from(WORDS),
    st.text(st.sampled_from("0123456789.,%-+eE £"), max_size=12),
)
cell_values = st.one_of(
    st.none(), st.booleans(), texts,
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-2, max_value=2),
    st.integers(min_value=-(2 ** 80), max_value=2 ** 80),
    # too long for str() (over 4,300 digits); built from small choices, which
    # hypothesis can print
    st.builds(lambda digits, sign: sign * 10 ** digits, st.integers(4300, 5000),
              st.sampled_from([1, -1])),
    st.integers(min_value=-10, max_value=10),
    st.builds(FormulaNoResult, st.sampled_from(["A1+1", "", "1/0"])),
    st.builds(CellError, st.sampled_from(["#DIV/0!", "#N/A", "#REF!", "#VALUE!"])),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)
PARSERS = [parsing.parse_text, parsing.parse_reading, parsing.parse_number,
           parsing.parse_tolerance, parsing.parse_polarity, parsing.parse_data_status,
           parsing.parse_frequency, parsing.parse_unit, parsing.parse_flag, parsing.is_blank]


@pytest.mark.parametrize("parse", PARSERS, ids=lambda f: f.__name__)
@settings(max_examples=PARSE_EXAMPLES, deadline=None)
@given(value=cell_values)
def test_parsers_give_a_value_or_a_value_parse_error(parse, value):
    try:
        result = parse(value)
    except ValueParseError as exc:
        assert str(exc)  # a message to show
        return
    if parse is parsing.parse_text and result is not None:
        assert isinstance(result, str) and result == result.strip()
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", result)
    if parse is parsing.parse_reading and result.value is not None:
        assert abs(result.value) < parsing.MAX_FIGURE


def _headers(columns) -> st.SearchStrategy[list[str]]:
    """Known headers (any spelling they answer to, in any case and spacing), some left
    out, some twice, with officers' own columns mixed in."""
    def spell(column):
        return st.sampled_from(column.headers).map(
            lambda h: h.upper() if len(h) % 2 else f" {h} ")
    required = st.tuples(*(spell(c) for c in columns if c.required)).map(list)
    others = st.lists(st.one_of(*(spell(c) for c in columns), texts), max_size=len(columns) + 3)
    return st.tuples(st.one_of(required, st.just([])), others).flatmap(
        lambda t: st.permutations(t[0] + t[1]))


def _table(name: str, columns, max_rows: int):
    return st.tuples(
        _headers(columns),
        st.lists(st.lists(cell_values, max_size=len(columns) + 3), max_size=max_rows),
        st.sampled_from(["A1", "B3", "$C$10", "XFA1048000"]),
    ).map(lambda t: table_from_values(name, name, t[2], [t[0], *t[1]]))


def _maybe(strategy):
    return st.one_of(st.none(), strategy)


figures = _maybe(st.one_of(st.floats(-1e6, 1e6), st.floats(0, 1),
                           st.sampled_from(["97%", "n/a", "TBC", "1,250", "-"])))
PLAUSIBLE = {
    "Portfolio": st.one_of(st.sampled_from(WORDS[-12:]), texts.filter(lambda t: t.strip())),
    "Cabinet Member": _maybe(texts),
    "Measure": texts.filter(lambda t: t.strip()),
    "Outcome": _maybe(texts),
    "Polarity": _maybe(st.sampled_from(["Higher is better", "Lower", "Range"])),
    "Unit": _maybe(st.sampled_from(["%", "number", "days", "£", "rate"])),
    "Frequency": _maybe(st.sampled_from(["Monthly", "Quarterly", "Annual"])),
    "Target": figures, "Target Upper": figures, "Current": figures, "Previous": figures,
    "Tolerance": _maybe(st.floats(0, 1)), "Amber Threshold": _maybe(figures),
    "Data Status": _maybe(st.sampled_from(["Available", "Unavailable", "Not due"])),
    "Notes": _maybe(texts), "Benchmarking": _maybe(texts),
    "Highlight": _maybe(st.sampled_from(["Yes", "No", True])),
}
plausible_measures = st.lists(st.fixed_dictionaries(PLAUSIBLE), max_size=6).map(
    lambda rows: table_from_values("Measures", "Measures", "A1", [
        ["Ref", *PLAUSIBLE],
        *([f"R{i}", *(row[h] for h in PLAUSIBLE)] for i, row in enumerate(rows))]))

tables = st.fixed_dictionaries(
    {"measures": st.one_of(_table("Measures", MEASURE_COLUMNS, 6), plausible_measures)},
    optional={"benchmarks": _table("Benchmarks", BENCHMARK_COLUMNS, 4),
              "settings": _table("Settings", SETTINGS_COLUMNS, 4)})


def _read_and_assess(raw):
    workbook = parse_tables(raw, tuple(t.sheet for t in raw.values()))
    assessments = assess_workbook(workbook)
    return workbook, assessments


@settings(max_examples=TABLE_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=tables)
def test_reader_and_rules_give_statuses_or_problems(raw):
    try:
        workbook, assessments = _read_and_assess(raw)
    except KpiError:
        return
    assert len(assessments) == len(workbook.measures)
    event(f"measures read: {min(len(workbook.measures), 2)}+, "
          f"errors: {bool(workbook.errors)}")
    for a in assessments:
        assert isinstance(a.status, Status) and a.reason
        if a.target_gap is not None:
            assert abs(a.target_gap) < 2 * parsing.MAX_FIGURE
    by_sheet = {t.sheet: t for t in raw.values()}
    for p in workbook.problems:
        assert p.severity in ("error", "warning") and p.message
        if not p.cell:
            continue
        table = by_sheet[p.sheet]  # every cell named lies inside its table
        row, col = parse_cell_address(p.cell)
        width = max(len(r) for r in table.rows)
        assert table.top <= row < table.top + len(table.rows), (p, table.top)
        assert table.left <= col < table.left + max(width, 1), (p, table.left)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@settings(max_examples=RENDER_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=tables)
def test_any_workbook_renders_a_well_formed_scorecard(raw):
    """Even with --keep-going over data errors, the scorecard file is well-formed XML
    throughout and its sheet names are valid for Excel."""
    from kpi_core.publishing.xlsx import render_workbook
    from kpi_core.publishing.scorecard import build_scorecard
    try:
        workbook, assessments = _read_and_assess(raw)
    except KpiError:
        return
    card = build_scorecard(assessments, workbook.settings)
    buffer = io.BytesIO()
    render_workbook(card, buffer)
    with zipfile.ZipFile(buffer) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                ET.fromstring(zf.read(name))
    names = [s.name for s in card.sheets]
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert 0 < len(name.encode("utf-16-le")) // 2 <= 31 and not _NOT_XML.search(name)
