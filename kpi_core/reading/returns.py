"""A quarterly return as it comes back: which workbook, period and owner it is for, and
what each row's Ref and input cells hold, with their positions.

``kpi-scorecard returns`` writes returns in this format
(:mod:`kpi_core.authoring.returns`); ``collect`` reads them here, as filled in Excel,
LibreOffice or anything else that keeps a workbook's document properties, then
decides what to merge (:mod:`kpi_core.authoring.collecting`). The names below are the
format: the sheet, the headers of the cells officers fill, the document properties.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import FileError
from .mapping import fold_header
from .properties import DocumentProperties, read_properties
from .values import is_blank
from .xlsx import read_sheet

RETURN_SHEET = "Return"
RETURN_TABLE = "Return"
#: The custom document properties a return carries, by what they record.
PROP_SOURCE = "Return of workbook"
PROP_CREATED = "Return of workbook created"
PROP_AUTHORITY = "Return authority"
PROP_PERIOD = "Return period"
PROP_OWNER = "Return owner"
PROP_UNASSIGNED = "Return for measures without an owner"
#: The headers of the cells an officer fills, as ``collect`` looks them up.
REF, CURRENT, DATA_STATUS, NOTES = "Ref", "Current", "Data Status", "Notes"
INPUT_HEADERS = (CURRENT, DATA_STATUS, NOTES)
UNASSIGNED = "Unassigned"
#: The Measures fields the input cells fill, by the return's header for them.
FIELDS = {CURRENT: "current", DATA_STATUS: "data_status", NOTES: "notes"}
#: How far down a return the header row is looked for.
HEADER_SEARCH_ROWS = 30


def owner_key(owner: str | None) -> str | None:
    """Owners compare as officers mean them: case and repeated spaces ignored.

    >>> owner_key("  Jo   BLOGGS "), owner_key(None)
    ('jo bloggs', None)
    """
    return " ".join(owner.split()).casefold() if owner else None


@dataclass(frozen=True, slots=True)
class ReturnLine:
    """One row of a return: its worksheet row, and what its Ref and input cells hold
    (as the reader gives a cell: text, a number, ``None``, an Excel error)."""

    row: int
    ref: object
    inputs: tuple[tuple[str, int, object], ...]  # (field, column, value) for each input cell


@dataclass(frozen=True, slots=True)
class ReturnFile:
    """A return as read: its name for messages, its properties, sheet and rows."""

    path: Path
    properties: DocumentProperties
    sheet: str
    ref_col: int
    lines: tuple[ReturnLine, ...]
    #: Why it cannot be merged at all (not a return, no Ref column), else ``None``.
    unreadable: str | None = None

    @property
    def name(self) -> str:
        return self.path.name

    def prop(self, name: str) -> str | None:
        value = self.properties.custom.get(name)
        return " ".join(value.split()) if value and value.strip() else None

    @property
    def owner(self) -> str | None:
        """The owner the return was made for; ``None`` for the measures with no owner."""
        if (self.prop(PROP_UNASSIGNED) or "").casefold() == "yes":
            return None
        return self.prop(PROP_OWNER)


def read_return(path: str | os.PathLike) -> ReturnFile:
    """Read a filled return. A file that is not a workbook raises :class:`FileError`;
    one that is not a return (no return properties, no ``Return`` sheet, no header row
    naming Ref and Current) comes back with ``unreadable`` saying so."""
    path = Path(path)
    if not path.is_file():
        raise FileError(f"{path}: no such file")
    props = read_properties(path)
    empty = ReturnFile(path, props, RETURN_SHEET, 0, ())
    if PROP_PERIOD not in props.custom:
        return unreadable_return(empty, "is not a return made by kpi-scorecard returns (its "
                           "document properties do not say which workbook, period and "
                           "owner it is for)")
    cells = read_sheet(path, RETURN_SHEET)
    if cells is None:
        return unreadable_return(empty, f"has no sheet {RETURN_SHEET}; it is not a return as "
                           "kpi-scorecard returns writes it")
    header_at, cols = None, {}
    for ri, row in enumerate(cells.rows[:HEADER_SEARCH_ROWS]):
        found = {fold_header(v): ci for ci, v in reversed(list(enumerate(row)))
                 if isinstance(v, str)}
        if fold_header(REF) in found and fold_header(CURRENT) in found:
            header_at = ri
            cols = {h: found[fold_header(h)] for h in (REF, *FIELDS) if fold_header(h) in found}
            break
    if header_at is None:
        return unreadable_return(empty, f"has no header row naming {REF} and {CURRENT} on sheet "
                           f"{RETURN_SHEET}")
    lines = []
    for ri in range(header_at + 1, len(cells.rows)):
        row = cells.rows[ri]

        def at(ci: int) -> object:
            return row[ci] if ci < len(row) else None
        inputs = tuple((FIELDS[h], cells.left + cols[h], at(cols[h])) for h in FIELDS if h in cols)
        ref = at(cols[REF])
        if is_blank(ref) and all(is_blank(v) for _f, _c, v in inputs):
            continue
        lines.append(ReturnLine(cells.top + ri, ref, inputs))
    return ReturnFile(path, props, cells.sheet, cells.left + cols[REF], tuple(lines))


def unreadable_return(empty: ReturnFile, why: str) -> ReturnFile:
    return ReturnFile(empty.path, empty.properties, empty.sheet, 0, (), why)
