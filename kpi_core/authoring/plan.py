"""An edit of the officer's workbook, decided once as frozen data.

Closing a period and merging returns are each built as a :class:`WorkbookPlan`: the
cells to set or clear (:class:`CellEdit`), the rows to add to a table
(:class:`TableRows`), and the problems found on the way (refusals are errors,
the rest warnings), every one with its sheet and integer row and column. Then a
writer applies the plan and decides nothing: :func:`kpi_core.authoring.package.write_plan`
edits a copy of the file part by part; ``addin/book_plan.py`` edits the open workbook
through xlwings. Tests assert on the plan; one parity test shows both writers give the
same cells.

Positions are 1-based worksheet rows and columns, as the reader found them; the A1
address (``J12``) is built only for messages.

>>> edit = CellEdit("Measures", 12, 10, 0.71, NUMBER)
>>> edit.address, edit.where
('J12', 'Measures!J12')
>>> CellEdit("Settings", 3, 2, "Q3 2016/17", TEXT).value
'Q3 2016/17'
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import CellRef, Problem

#: What a cell is written as. ``TEXT`` stays text even where Excel would read a date or
#: a number (``Sep 2016``, ``2015/16``); ``BLANK`` clears the value and keeps the format.
NUMBER, TEXT, BLANK, BOOL = "number", "text", "blank", "bool"
KINDS = frozenset({NUMBER, TEXT, BLANK, BOOL})


@dataclass(frozen=True, slots=True)
class Value:
    """A value to write and what it is written as (:data:`NUMBER`, :data:`TEXT`,
    :data:`BLANK`, :data:`BOOL`).

    >>> Value.of(0.71), Value.of("n/a"), Value.of(None)
    (Value(value=0.71, kind='number'), Value(value='n/a', kind='text'), Value(value=None, kind='blank'))
    """

    value: float | str | bool | None
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.kind!r} is not a kind of cell value ({sorted(KINDS)})")
        if (self.kind == BLANK) != (self.value is None):
            raise ValueError(f"a {self.kind} value cannot be {self.value!r}")

    @classmethod
    def of(cls, value: float | str | bool | None) -> Value:
        """The kind from the Python type: ``None`` blank, ``bool``, number, else text."""
        if value is None:
            return cls(None, BLANK)
        if isinstance(value, bool):
            return cls(value, BOOL)
        if isinstance(value, (int, float)):
            return cls(float(value), NUMBER)
        return cls(str(value), TEXT)


@dataclass(frozen=True, slots=True)
class CellEdit(CellRef):
    """Set one cell (the :class:`CellRef` it is), keeping its format; ``like`` names the
    cell whose format a cell that has none takes (a new History value formatted as its
    measure's Current).

    >>> CellEdit("Measures", 12, 10, 0.71, NUMBER).where
    'Measures!J12'
    """

    value: float | str | bool | None
    kind: str
    like: CellRef | None = None

    def __post_init__(self) -> None:
        Value(self.value, self.kind)  # the same checks

    @property
    def cell(self) -> Value:
        return Value(self.value, self.kind)


@dataclass(frozen=True, slots=True)
class TableRows:
    """Rows added to the Excel table ``table`` on ``sheet``.

    ``top``/``left`` are the table's header cell; ``headers`` its columns left to right,
    ending with ``added`` (headers this plan appends at the table's right, e.g. History's
    ``Notes``). The new rows start at worksheet row ``first`` (blank rows left at the
    table's end are filled first) and hold one :class:`Value` per header; ``like`` gives,
    per row, the cell whose format each value takes (``None``: the row above's).
    ``new_sheet`` is true when the sheet and table do not exist yet and are made.
    """

    table: str
    sheet: str
    top: int
    left: int
    headers: tuple[str, ...]
    first: int
    rows: tuple[tuple[Value, ...], ...]
    added: tuple[str, ...] = ()
    like: tuple[tuple[CellRef | None, ...], ...] = ()
    new_sheet: bool = False

    def __post_init__(self) -> None:
        width = len(self.headers)
        for row in self.rows:
            if len(row) != width:
                raise ValueError(f"a row of {len(row)} values for the {width} columns of "
                                 f"{self.table}")
        if self.added and self.headers[-len(self.added):] != self.added:
            raise ValueError("added columns stand at the table's right end")

    @property
    def bottom(self) -> int:
        """The table's last row once the rows are added (at least its old one)."""
        return self.first + len(self.rows) - 1

    @property
    def right(self) -> int:
        return self.left + len(self.headers) - 1


@dataclass(frozen=True, slots=True)
class WorkbookPlan:
    """Everything one edit of a workbook does, and what it found on the way.

    ``problems`` holds refusals (severity ``error``: the plan must not be applied) and
    warnings; ``notes`` are plain remarks for the output (what was done, and why).
    """

    edits: tuple[CellEdit, ...] = ()
    tables: tuple[TableRows, ...] = ()
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def refusals(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity != "error")

    @property
    def refused(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def cells(self) -> dict[tuple[str, int, int], Value]:
        """Every cell the plan writes, ``(sheet, row, col)`` -> value, tables included
        (their added headers too): what a writer must leave in the workbook.

        >>> plan = WorkbookPlan(edits=(CellEdit("S", 2, 2, "Q3", TEXT),), tables=(
        ...     TableRows("T", "H", 1, 1, ("Ref", "Notes"), 5,
        ...               ((Value.of("A"), Value.of(None)),), added=("Notes",)),))
        >>> sorted(plan.cells().items())[:2]
        [(('H', 1, 2), Value(value='Notes', kind='text')), (('H', 5, 1), Value(value='A', kind='text'))]
        """
        out: dict[tuple[str, int, int], Value] = {}
        for e in self.edits:
            out[(e.sheet, e.row, e.col)] = e.cell
        for t in self.tables:
            if t.new_sheet:
                for i, h in enumerate(t.headers):
                    out[(t.sheet, t.top, t.left + i)] = Value(h, TEXT)
            else:
                base = len(t.headers) - len(t.added)
                for i, h in enumerate(t.added):
                    out[(t.sheet, t.top, t.left + base + i)] = Value(h, TEXT)
            for r, row in enumerate(t.rows):
                for i, v in enumerate(row):
                    out[(t.sheet, t.first + r, t.left + i)] = v
        return out
