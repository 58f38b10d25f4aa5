"""Performance workbooks with History for tests: real .xlsx files with real Excel tables."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

from tests.support.workbooks import HEADERS, add_table

HISTORY_HEADERS = ["Ref", "Period", "Value", "Target", "Status"]


def write_history_book(path: Path, measures: Sequence[dict], history: Sequence[Sequence[object]],
                       *, period: str | None = "Q2 2016/17", headers: Sequence[str] = HEADERS,
                       history_headers: Sequence[str] = HISTORY_HEADERS,
                       extra_settings: Sequence[Sequence[object]] = ()) -> Path:
    """A workbook with Measures, Settings (``Period``) and a History table (rows as given)."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False})
    add_table(wb.add_worksheet("Measures"), "Measures", list(headers),
           [[m.get(h) for h in headers] for m in measures])
    settings = [["Authority", "Testshire Council"]] + ([["Period", period]] if period else [])
    add_table(wb.add_worksheet("Settings"), "Settings", ["Setting", "Value"],
           settings + [list(s) for s in extra_settings])
    if history is not None:
        add_table(wb.add_worksheet("History"), "History", list(history_headers),
               [list(h) for h in history])
    wb.close()
    return path
