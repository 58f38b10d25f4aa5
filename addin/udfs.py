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
    FUNCTION_DOCS, arg_doc, broadcast, cell_benchmark_gap, cell_direction, cell_gap, cell_rag,
    cell_rag_reason, quartile_cells, rank_cells,
)

CATEGORY = "KPI Scorecard"
#: How every argument is read: always as rows of cells, Excel errors as their text.
_CELLS = {"ndim": 2, "err_to_str": True}

_CURRENT = arg_doc("KPI_RAG", "current")

__all__ = ["KPI_RAG", "KPI_RAG_REASON", "KPI_GAP", "KPI_BENCHMARK_GAP", "KPI_DIRECTION",
           "KPI_RANK", "KPI_QUARTILE"]


def _described(func):
    """The function's wizard description and each argument's help, from
    :mod:`kpi_core.assessing.cells` (one definition, shared with xlwings Lite). Put
    under ``@xw.func``: xlwings reads them when it decorates."""
    func.__doc__ = FUNCTION_DOCS[func.__name__]
    names = func.__code__.co_varnames[:func.__code__.co_argcount]
    for name in reversed(names):
        func = xw.arg(name, doc=arg_doc(func.__name__, name), **_CELLS)(func)
    return func


@xw.func(category=CATEGORY)
@_described
def KPI_RAG(current, target, polarity=None, tolerance=None, amber_threshold=None,
            target_upper=None, green_tolerance=None, tolerance_basis=None, stretch_target=None):
    return broadcast(cell_rag, current, target, polarity, tolerance, amber_threshold,
                     target_upper, green_tolerance, tolerance_basis, stretch_target)


@xw.func(category=CATEGORY)
@_described
def KPI_RAG_REASON(current, target, polarity=None, tolerance=None, amber_threshold=None,
                   target_upper=None, green_tolerance=None, tolerance_basis=None,
                   stretch_target=None, unit=None):
    return broadcast(cell_rag_reason, current, target, polarity, tolerance, amber_threshold,
                     target_upper, green_tolerance, tolerance_basis, stretch_target, unit)


@xw.func(category=CATEGORY)
@_described
def KPI_GAP(current, target, polarity=None):
    return broadcast(cell_gap, current, target, polarity)


@xw.func(category=CATEGORY)
@_described
def KPI_BENCHMARK_GAP(current, benchmark, polarity=None):
    return broadcast(cell_benchmark_gap, current, benchmark, polarity)


@xw.func(category=CATEGORY)
@_described
def KPI_DIRECTION(current, previous, polarity=None, target_upper=None, target=None,
                  direction_tolerance=None):
    return broadcast(cell_direction, current, previous, polarity, target_upper, target,
                     direction_tolerance)


@xw.func(category=CATEGORY)
@_described
def KPI_RANK(value, values, polarity=None):
    return rank_cells(value, values, polarity)


@xw.func(category=CATEGORY)
@_described
def KPI_QUARTILE(value, values, polarity=None):
    return quartile_cells(value, values, polarity)
