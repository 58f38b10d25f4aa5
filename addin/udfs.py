"""Excel functions (UDFs) of the KPI Scorecard, category ``KPI Scorecard`` (SPEC section 8).

Each function takes single cells or whole columns and answers element by element
(a spilled array of the same shape; a single cell or a one-row range is repeated
against a column), so one formula serves a whole table column, e.g.
``=KPI_RAG(Measures[Current], Measures[Target], Measures[Polarity])``.

Answers come from :mod:`kpi_core.assessing.cells`, which parses with :mod:`kpi_core.reading.values`
and judges with :mod:`kpi_core.assessing.rules`; this module only declares how Excel passes
the values. Every argument arrives as a 2-D list (``ndim=2``) with Excel error
values as their text (``err_to_str``), so ``#DIV/0!`` is reported, not read as a blank.

Blank answers: a gap or direction with a blank input is ``None``, which xlwings
writes as an empty string, so the cell looks empty (``=H3=""`` is TRUE). Bad input
shows as a message starting ``#KPI!`` in its own cell, never as a status.

Pure Python on top of xlwings: imports in xlwings Lite (Pyodide) as on the desktop.
"""

from __future__ import annotations

import xlwings as xw

from kpi_core.assessing.cells import (
    broadcast, cell_benchmark_gap, cell_direction, cell_gap, cell_rag, cell_rag_reason,
    quartile_cells, rank_cells,
)

CATEGORY = "KPI Scorecard"
#: How every argument is read: always as rows of cells, Excel errors as their text.
_CELLS = {"ndim": 2, "err_to_str": True}

_CURRENT = "The current position: a cell or a column. A number, a percent (97% or 0.97), or blank/n/a/TBC when unknown."
_TARGET = "The target: a cell or a column. Blank means no target has been set."
_POLARITY = "Higher is better (default when omitted) or Lower is better; short forms Higher/Lower. Within range needs a Target Upper: the scorecard assesses it."
_TOLERANCE = "Optional amber band as a fraction of the target, e.g. 0.1 or 10%. Default 10%."
_AMBER = "Optional boundary between Amber and Red; overrides the tolerance."

__all__ = ["KPI_RAG", "KPI_RAG_REASON", "KPI_GAP", "KPI_BENCHMARK_GAP", "KPI_DIRECTION",
           "KPI_RANK", "KPI_QUARTILE"]


@xw.func(category=CATEGORY)
@xw.arg("current", doc=_CURRENT, **_CELLS)
@xw.arg("target", doc=_TARGET, **_CELLS)
@xw.arg("polarity", doc=_POLARITY, **_CELLS)
@xw.arg("tolerance", doc=_TOLERANCE, **_CELLS)
@xw.arg("amber_threshold", doc=_AMBER, **_CELLS)
def KPI_RAG(current, target, polarity=None, tolerance=None, amber_threshold=None):
    """RAG status of a measure: Green, Amber, Red, Data unavailable (blank current) or No target (blank target). Works on single cells or whole columns."""
    return broadcast(cell_rag, current, target, polarity, tolerance, amber_threshold)


@xw.func(category=CATEGORY)
@xw.arg("current", doc=_CURRENT, **_CELLS)
@xw.arg("target", doc=_TARGET, **_CELLS)
@xw.arg("polarity", doc=_POLARITY, **_CELLS)
@xw.arg("tolerance", doc=_TOLERANCE, **_CELLS)
@xw.arg("amber_threshold", doc=_AMBER, **_CELLS)
@xw.arg("unit", doc="Optional unit for the wording: %, number, days, £ or rate. Default: % when figures are written as 97%, else number.", **_CELLS)
def KPI_RAG_REASON(current, target, polarity=None, tolerance=None, amber_threshold=None,
                   unit=None):
    """The one-line reason for a measure's RAG status, e.g. Red: 36% against a target of 25% (lower is better); amber up to 27.5%."""
    return broadcast(cell_rag_reason, current, target, polarity, tolerance, amber_threshold,
                     unit)


@xw.func(category=CATEGORY)
@xw.arg("current", doc=_CURRENT, **_CELLS)
@xw.arg("target", doc=_TARGET, **_CELLS)
@xw.arg("polarity", doc=_POLARITY, **_CELLS)
def KPI_GAP(current, target, polarity=None):
    """Gap between the current position and the target, signed so that positive is better. Empty when either is blank."""
    return broadcast(cell_gap, current, target, polarity)


@xw.func(category=CATEGORY)
@xw.arg("current", doc=_CURRENT, **_CELLS)
@xw.arg("benchmark", doc="A comparator's value (e.g. the statistical neighbour average): a cell or a column.", **_CELLS)
@xw.arg("polarity", doc=_POLARITY, **_CELLS)
def KPI_BENCHMARK_GAP(current, benchmark, polarity=None):
    """Gap between the current position and a benchmark, signed so that positive is better. Empty when either is blank."""
    return broadcast(cell_benchmark_gap, current, benchmark, polarity)


@xw.func(category=CATEGORY)
@xw.arg("current", doc=_CURRENT, **_CELLS)
@xw.arg("previous", doc="The previous period's value: a cell or a column.", **_CELLS)
@xw.arg("polarity", doc=_POLARITY, **_CELLS)
def KPI_DIRECTION(current, previous, polarity=None):
    """Direction of travel from the previous value: Improving, Worsening or No change, aware of polarity. Empty when either is blank."""
    return broadcast(cell_direction, current, previous, polarity)


_VALUE = "Our value: a cell or a column (each value is ranked on its own). Blank gives an empty cell."
_VALUES = "The group's values, ours among them: one range, e.g. the statistical neighbours' or England's column. Blanks, n/a, x and c are authorities without data."
_RANKED_POLARITY = "Higher is better (default when omitted) or Lower is better; short forms Higher/Lower. Within range gets no rank or band."


@xw.func(category=CATEGORY)
@xw.arg("value", doc=_VALUE, **_CELLS)
@xw.arg("values", doc=_VALUES, **_CELLS)
@xw.arg("polarity", doc=_RANKED_POLARITY, **_CELLS)
def KPI_RANK(value, values, polarity=None):
    """Rank of a value within a group's values: 1 is best by polarity, ties take the lowest rank (as LAIT ranks authorities). Works on a single cell or a column of values."""
    return rank_cells(value, values, polarity)


@xw.func(category=CATEGORY)
@xw.arg("value", doc=_VALUE, **_CELLS)
@xw.arg("values", doc="The England authorities' values, ours among them (leave out England and region rows). At least 4. Blanks, n/a, x and c are left out.", **_CELLS)
@xw.arg("polarity", doc=_RANKED_POLARITY, **_CELLS)
def KPI_QUARTILE(value, values, polarity=None):
    """National quartile band A (best) to D of a value among the authorities' values, as LAIT gives it: quartiles by linear interpolation, a value on a quartile in the band below it."""
    return quartile_cells(value, values, polarity)
