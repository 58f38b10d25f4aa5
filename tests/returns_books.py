"""Helpers for the quarterly returns tests: the demo workbook with the quarter open
(no figures yet), filling a return as an officer would, and reading parts back."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "workbook_templates"))

import demo_data  # noqa: E402

from kpi_core.authoring.template import write_performance_workbook  # noqa: E402

#: The per-period cells an officer's return fills, cleared in the open quarter.
PER_PERIOD = ("Current", "Data Status", "Notes", "RAG Override", "Override Reason")


def open_quarter_demo(path: Path, **changes) -> Path:
    """The fictional demo workbook with the quarter open: every measure's Current,
    Data Status and Notes blank (and no RAG override, which would need a figure).
    ``changes`` maps a Ref to cells to keep filled, e.g. ``{"AS01": {"Current": 0.5}}``."""
    measures = []
    for m in demo_data.MEASURES:
        row = {k: (None if k in PER_PERIOD else v) for k, v in m.items()}
        row.update(changes.get(m["Ref"], {}))
        measures.append(row)
    settings = dict(demo_data.SETTINGS)
    write_performance_workbook(path, measures, demo_data.BENCHMARKS, settings,
                               title=demo_data.TITLE, history=demo_data.HISTORY)
    return path


DEMO = ROOT / "workbook_templates" / "demo_performance_workbook.xlsx"


def closed_demo(path: Path) -> Path:
    """The committed demo workbook with Q2 2016/17 closed and Q3 2016/17 open, as
    ``close-period`` leaves it: the quarter's figures awaited from the owners."""
    from kpi_core.authoring.closing import close_period

    close_period(DEMO, "Q3 2016/17", path)
    return path


def header_row(ws) -> tuple[int, dict[str, int]]:
    """The return's header row (1-based) and each header's column (1-based), via openpyxl."""
    for row in ws.iter_rows(min_row=1, max_row=30):
        texts = {c.value: c.column for c in row if isinstance(c.value, str)}
        if "Ref" in texts and "Current" in texts:
            return row[0].row, texts
    raise AssertionError("no header row in the return")


def fill_with_openpyxl(path: Path, values: dict[str, dict[str, object]],
                       out: Path | None = None) -> Path:
    """Type ``values`` ({Ref: {"Current": 0.71, "Notes": "..."}}) into a return with
    openpyxl (which, unlike Excel, enforces no validation), and save it."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb["Return"]
    top, cols = header_row(ws)
    rows = {ws.cell(r, cols["Ref"]).value: r for r in range(top + 1, ws.max_row + 1)}
    for ref, cells in values.items():
        for header, value in cells.items():
            ws.cell(rows[ref], cols[header]).value = value
    wb.save(out or path)
    return out or path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}
