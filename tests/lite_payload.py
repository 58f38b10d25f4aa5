"""The JSON an Office.js client (xlwings Lite, xlwings Server's add-in) sends for a workbook,
built from a real .xlsx with openpyxl, so tests can run the @scripts against xlwings' own
``Book(json=...)`` without Excel.

The shape follows what xlwings' remote engine (``xlwings/pro/_xlremote.py``) reads:
``book`` (name, active sheet, selection), ``sheets`` (name, used-range values from A1,
tables with their addresses, pictures/shapes/charts/notes), ``names`` (with
``refers_to``, scope). Cell values are what Office.js gives: numbers, text, booleans,
``None`` for blanks, Excel errors as their text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries

CLIENT = "Office.js"


def _value(v: object) -> object:
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return v


def _table(ws, table) -> dict:
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    first, last = f"{get_column_letter(min_col)}", f"{get_column_letter(max_col)}"
    header = table.headerRowCount != 0
    body_top = min_row + (1 if header else 0)
    return {
        "name": table.displayName,
        "range_address": table.ref,
        "header_row_range_address": f"{first}{min_row}:{last}{min_row}" if header else None,
        "data_body_range_address": f"{first}{body_top}:{last}{max_row}",
        "total_row_range_address": None,
        "show_headers": header,
        "show_totals": False,
        "table_style": "TableStyleMedium2",
        "show_autofilter": True,
        "show_table_style_first_column": False,
        "show_table_style_last_column": False,
        "show_table_style_row_stripes": True,
        "show_table_style_column_stripes": False,
        "columns": [{"name": c.name} for c in table.tableColumns],
        "row_count": max_row - min_row + 1,
        "column_count": max_col - min_col + 1,
    }


def sheet_payload(name: str, values: list[list[object]], tables: list[dict] = ()) -> dict:
    return {"name": name, "values": values or [[]], "pictures": [], "shapes": [], "charts": [],
            "notes": [], "tables": list(tables), "pivot_tables": [], "visibility": "Visible",
            "show_gridlines": True, "print_area": None}


def book_payload(path: Path, version: str, *, name: str | None = None) -> dict:
    """The payload for the workbook at ``path``, as xlwings ``version`` would receive it."""
    wb = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        rows = [[_value(c) for c in row] for row in ws.iter_rows(
            min_row=1, min_col=1, max_row=ws.max_row, max_col=ws.max_column, values_only=True)]
        sheets.append(sheet_payload(ws.title, rows, [_table(ws, t) for t in ws.tables.values()]))
    names = []
    for dn in wb.defined_names.values():
        names.append({"name": dn.name, "refers_to": "=" + dn.attr_text, "sheet_index": None,
                      "address": None, "book_scope": True, "scope_sheet_index": None,
                      "scope_sheet_name": None})
    return {
        "client": CLIENT,
        "version": version,
        "book": {"name": name or path.name, "active_sheet_index": 0, "selection": "A1"},
        "sheets": sheets,
        "names": names,
    }


def _typed(value: object) -> object:
    """A value as Excel keeps it once written: ``'Sep 2016`` is the text ``Sep 2016``."""
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return value


def apply_actions(payload: dict, actions: list[dict]) -> dict:
    """What the workbook's contents become once the add-in has applied ``actions``: sheets
    added, deleted and renamed, values written (a leading apostrophe, Excel's mark for
    text, is not part of the cell's value) and cleared, table rows added, tables resized,
    sheet-scoped names added.
    Formats are not part of the payload and are left out. Returns a new payload;
    ``payload`` is unchanged.
    """
    import copy
    out = copy.deepcopy(payload)
    sheets, names = out["sheets"], out["names"]
    for a in actions:
        func, pos, args = a["func"], a["sheet_position"], a["args"]
        if func == "addSheet":
            at, name = args
            sheets.insert(at, sheet_payload(name, [[]]))
            for n in names:
                if n["scope_sheet_index"] is not None and n["scope_sheet_index"] >= at:
                    n["scope_sheet_index"] += 1
        elif func == "sheetDelete":
            del sheets[pos]
            names[:] = [n for n in names if n["scope_sheet_index"] != pos]
            for n in names:
                if n["scope_sheet_index"] is not None and n["scope_sheet_index"] > pos:
                    n["scope_sheet_index"] -= 1
        elif func == "setSheetName":
            old = sheets[pos]["name"]
            sheets[pos]["name"] = args[0]
            for n in names:
                if n["scope_sheet_name"] == old:
                    n["scope_sheet_name"] = args[0]
        elif func == "namesAdd":
            names.append({"name": args[0], "refers_to": args[1], "sheet_index": None,
                          "address": None, "book_scope": pos is None,
                          "scope_sheet_index": pos,
                          "scope_sheet_name": None if pos is None else sheets[pos]["name"]})
        elif func == "addTableRow":
            table_index, position, values = args[0], args[1], args[2]
            table = sheets[pos]["tables"][table_index]
            min_col, min_row, max_col, max_row = range_boundaries(table["range_address"])
            r = min_row + position  # 1-based: under the header, `position` rows down
            grid = sheets[pos]["values"]
            while len(grid) < r:
                grid.append([None] * len(grid[0]) if grid else [])
            grid.insert(r, [None] * (min_col - 1) + [_typed(v) for v in values])
            width = max(len(line) for line in grid)
            for line in grid:
                line.extend([None] * (width - len(line)))
            last = get_column_letter(max_col)
            table["range_address"] = f"{get_column_letter(min_col)}{min_row}:{last}{max_row + 1}"
            table["data_body_range_address"] = (
                f"{get_column_letter(min_col)}{min_row + 1}:{last}{max_row + 1}")
        elif func == "resizeTable":
            table = sheets[pos]["tables"][args[0]]
            address = args[1].split("!")[-1].replace("$", "")
            min_col, min_row, max_col, max_row = range_boundaries(address)
            table["range_address"] = address
            table["header_row_range_address"] = (
                f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{min_row}")
            table["data_body_range_address"] = (
                f"{get_column_letter(min_col)}{min_row + 1}:"
                f"{get_column_letter(max_col)}{max_row}")
            table["row_count"], table["column_count"] = (max_row - min_row + 1,
                                                         max_col - min_col + 1)
        elif func == "rangeClearContents":
            grid = sheets[pos]["values"]
            for r in range(a["start_row"], a["start_row"] + a["row_count"]):
                for c in range(a["start_column"], a["start_column"] + a["column_count"]):
                    if r < len(grid) and c < len(grid[r]):
                        grid[r][c] = None
        elif func == "setValues":
            grid = sheets[pos]["values"]
            r0, c0 = a["start_row"], a["start_column"]
            for dr, row in enumerate(a["values"]):
                for dc, v in enumerate(row):
                    r, c = r0 + dr, c0 + dc
                    while len(grid) <= r:
                        grid.append([])
                    for line in grid:
                        while len(line) <= c:
                            line.append(None)
                    grid[r][c] = None if v == "" else _typed(v)
            width = max(len(line) for line in grid)
            for line in grid:
                line.extend([None] * (width - len(line)))
    return out


def table_number_formats(path: Path) -> dict[str, dict[str, list[list[str]]]]:
    """Sheet -> table address -> the table's number formats row by row: what xlwings Lite's
    client answers to ``await table.range.get_number_format()``."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: {t.ref: [[c.number_format for c in row] for row in ws[t.ref]]
                       for t in ws.tables.values()} for ws in wb.worksheets}


def without_column(payload: dict, sheet: str, header: str) -> dict:
    """The payload with a table column's cells below its header blanked."""
    import copy
    out = copy.deepcopy(payload)
    grid = next(s["values"] for s in out["sheets"] if s["name"] == sheet)
    for r, line in enumerate(grid):
        if header in line:
            c = line.index(header)
            for below in grid[r + 1:]:
                below[c] = None
            return out
    raise KeyError(header)
