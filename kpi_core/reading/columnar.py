"""A pure-Python columnar fast lane for one big, regular table on a sheet of its own (the
Comparators table: 809,040 rows of five cells on 5,000 measures). It reads the sheet
as XlsxWriter and Excel write plain values and gives the table by column, with no
list per row and no tuple per cell; anything else it hands back (:class:`NotColumnar`)
and the sheet is read by the row readers (:mod:`kpi_core.reading.compiled`, else
:mod:`kpi_core.reading.scan`) from the top, so the results are the same either way.
It needs nothing compiled: xlwings Lite (Pyodide) takes it too.

How. The part is inflated a slice at a time (a quarter of a megabyte, through the zip's
size and ratio caps and the DTD guard) and cut at a row's end; each slice is one
``re.split`` by a row pattern built for the table's columns, every cell optional, each
cell's shared-string index and number in a group each (and its style once a slice's
cells have styles), which gives the captures in one flat list:

- the proof that every byte of the slice was read: the text between the matched rows is
  empty, before the first and after the last too, so the slice is the matched rows end
  to end (no text, comment, entity, processing instruction, formula, inline string,
  error, boolean, other attribute or cell between or inside them);
- each cell names the row it is in (the pattern's back reference) and a column of the
  table, in order (its letters are in the pattern); rows go up, slice after slice;
- a number is ``-?[0-9][0-9.eE+-]*`` parsed by ``float`` (a text it refuses is handed
  back); a shared string's index is one of the workbook's, its text the one object
  :class:`Book` holds for it (``_xHHHH_`` escapes decoded there, as for every reader);
- a sheet whose first slice holds ``s="`` anywhere is read by the pattern that also
  takes each cell's style, and so is one from a slice the pattern without it does not
  read; a style that shows a percent or a date does what it does in the grid (a row's
  own style changes no cell: both patterns take it). Each pattern is compiled when first
  tried (~4 ms for the Measures table's);
- the columns where every row of the first slice below the header holds a shared
  string, all of one style (none, or one that shows neither a percent nor a date), are
  read from then on by a pattern that takes a shared string of that style alone there
  (one group, no branch: ~0.1 s less on the Comparators part); so, in a styled sheet,
  are the columns whose cells there are all of one such style (absent cells aside), by
  a pattern that takes a cell of that style alone, with no group for the style
  (History's Value, Target and Status: the split of its 6.5 MB 30 -> 19 ms, its slices
  49 -> 45 ms in all); a slice it does not read end to end is read by the usual
  pattern, as are the slices after it;
- ``</sheetData>`` is looked for only after the last row's end a slice holds (anywhere
  before it the proof refuses it), not through every slice.

Measured on the 172 MB Comparators part (809,040 rows): ~1.1 s in all, of which
inflating ~0.25 s (0.17 s with zlib-ng, :class:`~kpi_core.reading.package.Package`), the
patterns ~0.45 s, the columns made of the captures ~0.4 s (the row readers, calamine's
slices: ~4 s, and a list a row).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import compress, count, repeat
from operator import eq, lt, not_, sub

from .package import ROW_END, Package, StopScan, plain_sheet_head
from .scan import Book, serial_to_datetime

#: Sheet parts smaller than this are left to the row readers (tests set it high to read
#: by rows). None: the lane is as quick as the row readers on the sample's few cells
#: and quicker from a few hundred measures up (1,000 measures' tables 0.036 -> 0.015 s).
MIN_PART_BYTES = 0
#: Uncompressed bytes of rows read at a time: a slice, its captures and its columns stay
#: in the processor's caches (4 MB slices took a third longer than 256 KB ones).
SLICE_BYTES = 256 << 10

#: The patterns' runs are possessive (``*+``, ``++``: the character after a run is never
#: one of it, so nothing is lost) and each optional cell a branch ``(?:cell|)``, not
#: ``(?:cell)?``: a fifth less time in the regular expression engine.
_NUMBER = rb"-?[0-9][0-9.eE+-]*+"
#: A cell's value: a shared string's index (``t="s"``) or a number (LibreOffice writes
#: its ``t="n"``), in a group each.
_VALUE = rb' t="s"><v>([0-9]++)</v></c>|(?: t="n"|)><v>(' + _NUMBER + rb")</v></c>"
_FLAG = rb'"(?:[01]|true|false)"'
#: A row's attributes as Excel and LibreOffice write them, each at most once and in the
#: schema's order (CT_Row), so the tag is well-formed: none of them changes a cell's
#: value (a row's style is for cells typed later), and the row readers read none.
#: (The rest after ``spans`` behind one look-ahead: a row of XlsxWriter's, ``r`` and
#: ``spans`` alone, pays one test for them, not ten.)
_ROW_ATTRIBUTES = (rb'(?: spans="[0-9]++:[0-9]++"|)(?:(?= )(?: s="[0-9]++"|)(?: customFormat='
                   + _FLAG + rb'|)(?: ht="[0-9.]++"|)(?: hidden=' + _FLAG + rb'|)(?: customHeight='
                   + _FLAG + rb'|)(?: outlineLevel="[0-9]++"|)(?: collapsed=' + _FLAG
                   + rb'|)(?: thickTop=' + _FLAG + rb'|)(?: thickBot=' + _FLAG + rb'|)(?: ph='
                   + _FLAG + rb'|)(?: x14ac:dyDescent="[0-9.]++"|)|)')
#: Excel's row attribute of its own prefix, which the sheet must declare for its rows to
#: be well-formed (taken only then).
_X14AC_ROW = rb'(?: x14ac:dyDescent="[0-9.]++"|)'
_X14AC_DECLARED = b'xmlns:x14ac="'


class NotColumnar(Exception):
    """The sheet holds something the row readers read as we mean it, not this lane."""


class ColumnGrid:
    """A table's cells by column: ``columns[ci][ri]``, read as a grid of rows (``grid[ri]``
    a new list of the row's cells) by code that wants rows."""

    __slots__ = ("columns",)

    def __init__(self, columns: list[list[object]]) -> None:
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def __getitem__(self, ri):
        if isinstance(ri, slice):
            return [list(row) for row in zip(*(c[ri] for c in self.columns))]
        return [c[ri] for c in self.columns]

    def __iter__(self):
        return map(list, zip(*self.columns))

    def __eq__(self, other) -> bool:
        return list(self) == list(other)


def _column_letters(number: int) -> bytes:
    letters = b""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = bytes((65 + rest,)) + letters
    return letters


def _row_pattern(left: int, right: int, styled: bool,
                 texts_only: dict[int, bytes | None] | None = None, x14ac: bool = False,
                 one_style: dict[int, bytes] | None = None) -> re.Pattern:
    """The pattern of a row; a column in ``texts_only`` (index from ``left``: its cells'
    one style, or ``None``) takes only a shared string of that style, in one group (a
    fifth less time where most columns hold texts alone); one in ``one_style`` takes a
    cell of that style alone, or none, without a group for the style (a third less time
    on History's rows). ``x14ac``: the sheet declares Excel's prefix, so its rows may
    carry ``x14ac:dyDescent``."""
    texts_only = texts_only or {}
    one_style = one_style or {}
    cells = []
    for col in range(left, right + 1):
        head = b'<c r="' + _column_letters(col) + rb'(?P=r)"'
        if col - left in texts_only:
            style = texts_only[col - left]
            cells.append(head + (b' s="' + style + b'"' if style else b"")
                         + rb' t="s"><v>([0-9]++)</v></c>')
        elif col - left in one_style:
            cells.append(b"(?:" + head + b' s="' + one_style[col - left] + b'"(?:/>|'
                         + _VALUE + b")|)")
        elif styled:
            cells.append(b"(?:" + head + rb'(?: s="([0-9]++)"|)(?:/>|' + _VALUE + b")|)")
        else:
            cells.append(b"(?:" + head + rb"(?:/>|" + _VALUE + b")|)")
    attributes = _ROW_ATTRIBUTES if x14ac else _ROW_ATTRIBUTES.replace(_X14AC_ROW, b"")
    return re.compile(rb'<row r="(?P<r>[1-9][0-9]*+)"' + attributes + b">"
                      + b"".join(cells) + ROW_END)


def _layout(width: int, styled: bool, texts_only: dict[int, bytes | None] | None = None,
            one_style: dict[int, bytes] | None = None
            ) -> list[tuple[int | None, int, int | None]]:
    """Each column's groups in a match, by group number: (style, string, number),
    ``None`` where the pattern has no such group."""
    texts_only = texts_only or {}
    one_style = one_style or {}
    out, at = [], 2  # after the row's number
    for ci in range(width):
        if ci in texts_only:
            out.append((None, at, None))
            at += 1
        elif styled and ci not in one_style:
            out.append((at, at + 1, at + 2))
            at += 3
        else:
            out.append((None, at, at + 1))
            at += 2
    return out


def wants(pkg: Package, part: str) -> bool:
    info = pkg.names.get(part.replace("\\", "/").casefold())
    return info is not None and info.file_size >= MIN_PART_BYTES


def read_columns(pkg: Package, part: str, book: Book, top: int, bottom: int, left: int,
                 right: int) -> tuple[list[list[object]], set[tuple[int, int]]]:
    """The cells of the table ``top:bottom`` x ``left:right`` (1-based) of a sheet holding
    nothing else in those rows' other columns: its columns (each ``bottom - top + 1``
    long, as the row readers' grid has them) and the (row, column) indexes of its
    percent-formatted cells. Raises :class:`NotColumnar` for a sheet the lane does not
    read as the row readers do."""
    width = right - left + 1
    reader = _Reader(book, top, bottom, left, right)

    def head(text: bytes) -> None:
        if not plain_sheet_head(text, book.main):
            raise NotColumnar
        reader.begin(_X14AC_DECLARED in text)

    pkg.parse_rows(part, head, reader.slice, NotColumnar, SLICE_BYTES, chunk_size=SLICE_BYTES)
    height = bottom - top + 1
    columns = reader.columns
    for column in columns:
        if len(column) < height:
            column.extend(repeat(None, height - len(column)))
    assert len(columns) == width
    return columns, reader.percent


def _groups(pattern: re.Pattern, data: memoryview) -> list[list[bytes | None]] | None:
    """A slice's captures by group number (``[g]``: group ``g``'s, one a row; ``None``
    where a row's cell has no such capture), or ``None`` where the matched rows, end to
    end, are not the whole slice. ``split`` gives the captures in one flat list, with the
    text between the rows, which must be empty (no tuple a row, as ``findall`` makes, and
    no copy of each row to measure: ~0.2 s less on the Comparators part)."""
    parts = pattern.split(data)
    step = pattern.groups + 1
    if len(parts) == 1 or any(parts[::step]):
        return None
    return [None, *(parts[g::step] for g in range(1, step))]


class _Reader:
    """The slices of one sheet's rows to the table's columns."""

    def __init__(self, book: Book, top: int, bottom: int, left: int, right: int) -> None:
        self.book, self.top, self.bottom, self.left = book, top, bottom, left
        self.width = right - left + 1
        self.x14ac = False
        #: the patterns without and with each cell's style, compiled when first tried
        #: (a 23-column pattern takes ~4 ms to compile)
        self.patterns: dict[bool, re.Pattern] = {}
        #: the styled pattern first: the first slice has a style, or a slice needed it
        #: (``None``: no slice read yet)
        self.cell_styles: bool | None = None
        self.layouts = {False: _layout(self.width, False), True: _layout(self.width, True)}
        #: the narrower pattern (and layout) for slices whose columns are of the shapes of
        #: the first slice's (``None``: not learned yet; ``False``: none, or a slice broke it)
        self.narrow: tuple[re.Pattern, list] | None | bool = None
        self.columns: list[list[object]] = [[] for _ in range(self.width)]
        self.percent: set[tuple[int, int]] = set()
        self.last_row = 0
        self.done = False
        strings = book.strings
        #: a shared string's capture -> its text (one object per text); None: no cell
        self.texts: dict[bytes | None, str | None] = {None: None}
        self.n_strings = len(strings)

    def begin(self, x14ac: bool) -> None:
        """Rows of a sheet that declares Excel's ``x14ac`` or not."""
        self.x14ac = x14ac

    def _pattern(self, styled: bool) -> re.Pattern:
        found = self.patterns.get(styled)
        if found is None:
            found = self.patterns[styled] = _row_pattern(
                self.left, self.left + self.width - 1, styled=styled, x14ac=self.x14ac)
        return found

    def slice(self, rows: bytes, end: int) -> None:
        """Read ``rows[:end]``."""
        if not end:
            return
        data = memoryview(rows)[:end]  # not copied: the captures are bytes all the same
        groups = None
        if self.narrow:
            pattern, layout = self.narrow
            groups = _groups(pattern, data)
            if groups is None:
                self.narrow = False  # a cell these columns do not take: the usual pattern, now on
        if groups is None:
            if self.cell_styles is None:  # the first slice: one look for a style at all
                self.cell_styles = rows.find(b' s="', 0, end) >= 0
            # the styled pattern (each cell's style in a group) once a slice needs it
            for styled in (True,) if self.cell_styles else (False, True):
                layout = self.layouts[styled]
                groups = _groups(self._pattern(styled), data)
                if groups is not None:
                    break
            else:
                raise NotColumnar  # the matched rows, end to end, are not the whole slice
            self.cell_styles = styled
            learn = self.narrow is None
        else:
            learn = False
        numbers = list(map(int, groups[1]))
        n = len(numbers)
        if numbers[0] <= self.last_row or not all(map(lt, numbers, numbers[1:])):
            raise NotColumnar  # rows repeated or out of order: the row readers place them
        self.last_row = numbers[-1]
        top, bottom = self.top, self.bottom
        if learn and numbers[-1] > top:  # from the table's rows below its header
            self._learn_narrow(groups, layout, styled, bisect_right(numbers, top))
        lo = 0
        while lo < n and numbers[lo] < top:
            lo += 1
        hi = n
        while hi > lo and numbers[hi - 1] > bottom:
            hi -= 1
            self.done = True
        if lo < hi:
            self._place(groups, numbers, lo, hi, layout)
        if self.done:
            raise StopScan  # rows below the table are not read, as by the row readers

    def _learn_narrow(self, groups: list, layout: list, styled: bool, start: int) -> None:
        """The columns the first slice below the header (from ``start``) shows one shape
        of cell in, read by a narrower pattern while every slice's rows do: where each row
        holds a shared string, all of one style, a pattern that takes them alone; in a
        styled sheet, where each cell there is of one style (absent cells aside), a pattern
        that takes that style alone, with no group for it. Either style shows neither a
        percent nor a date (none at all, for texts): a cell's style then changes nothing
        read."""
        only: dict[int, bytes | None] = {}
        one_style: dict[int, bytes] = {}
        for ci, (style, at, number) in enumerate(layout):
            strings = groups[at][start:]
            styles = set(groups[style][start:]) if style is not None else {None}
            if None not in strings:  # shared strings throughout
                if len(styles) == 1 and self._shows_values((found := next(iter(styles)))):
                    only[ci] = found
            elif style is not None and len(present := styles - {None}) == 1:
                (found,) = present
                # a value in a cell without a style: the column has more than one style
                unstyled = list(map(not_, groups[style][start:]))
                if self._shows_values(found) and not any(compress(strings, unstyled)) \
                        and not any(compress(groups[number][start:], unstyled)):
                    one_style[ci] = found
        self.narrow = False
        if only or one_style:
            self.narrow = (_row_pattern(self.left, self.left + self.width - 1, styled,
                                        only, self.x14ac, one_style),
                           _layout(self.width, styled, only, one_style))

    def _shows_values(self, style: bytes | None) -> bool:
        """A cell of ``style`` reads as its value: no style, or one that shows neither a
        percent nor a date."""
        return style is None or (int(style) not in self.book.percent_styles
                                 and int(style) not in self.book.date_styles)

    def _place(self, groups: list, numbers: list[int], lo: int, hi: int, layout: list
               ) -> None:
        numbers = numbers[lo:hi]
        values = [self._values(groups[at][lo:hi], None if number is None
                               else groups[number][lo:hi])
                  for _style, at, number in layout]
        top = self.top
        first = numbers[0] - top  # row index in the table of the slice's first row
        contiguous = numbers[-1] - numbers[0] == len(numbers) - 1
        for ci, column in enumerate(self.columns):
            if len(column) < first:
                column.extend(repeat(None, first - len(column)))
            if contiguous:
                column.extend(values[ci])
            else:
                for number, value in zip(numbers, values[ci]):
                    column.extend(repeat(None, number - top - len(column)))
                    column.append(value)
        for ci, (style, _at, _number) in enumerate(layout):
            if style is not None:
                self._styles(groups[style][lo:hi], numbers, ci)

    def _values(self, strings: Sequence[bytes], numbers: Sequence[bytes] | None
                ) -> list[object]:
        """A column's captures to values: ``None``, a shared string's text, a number
        (``numbers`` ``None``: the column's cells are all shared strings)."""
        texts = self.texts
        if numbers is None:
            try:
                return list(map(texts.__getitem__, strings))
            except KeyError:  # a text not met before
                self._learn(strings)
                return list(map(texts.__getitem__, strings))
        if any(strings):
            if not any(numbers):  # texts alone (None an empty cell)
                try:
                    return list(map(texts.__getitem__, strings))
                except KeyError:  # a text not met before
                    self._learn(strings)
                    return list(map(texts.__getitem__, strings))
            self._learn(strings)
        if None not in numbers:
            try:
                return list(map(float, numbers))
            except ValueError as exc:
                raise NotColumnar from exc
        where = list(compress(count(), numbers))  # the cells that hold a number
        if len(where) * 2 < len(numbers):
            # mostly texts or empty cells (History's Target): the few numbers put in place
            out = list(map(texts.get, strings))  # a text, or None for an empty cell
            try:
                for i, figure in zip(where, map(float, compress(numbers, numbers))):
                    out[i] = figure
            except ValueError as exc:
                raise NotColumnar from exc
            return out
        others = list(compress(count(), map(not_, numbers)))
        numbers = list(numbers)
        for i in others:
            numbers[i] = b"0"
        try:
            out = list(map(float, numbers))
        except ValueError as exc:
            raise NotColumnar from exc  # "1e", "1-2": the row readers keep the text
        for i in others:
            out[i] = texts.get(strings[i])  # a text, or None for an empty cell
        return out

    def _learn(self, strings: Sequence[bytes]) -> None:
        """The texts of shared-string captures not seen before."""
        for capture in set(strings).difference(self.texts):
            self.texts[capture] = self._text(capture)

    def _text(self, capture: bytes) -> str:
        index = int(capture)
        if index >= self.n_strings:
            raise NotColumnar  # the row readers say #REF!
        return self.book.strings[index]

    def _styles(self, styles: Sequence[bytes], numbers: list[int], ci: int) -> None:
        """The column's cells whose style shows a percent (kept) or a date (made one),
        found a style at a time at C speed (a History column is one style throughout)."""
        book = self.book
        column = self.columns[ci]
        top = self.top
        for style in set(styles).difference((None,)):
            index = int(style)
            percent = index in book.percent_styles
            if not percent and index not in book.date_styles:
                continue
            rows = compress(numbers, map(eq, styles, repeat(style)))
            rows = map(sub, rows, repeat(top))
            if percent:
                self.percent.update(zip(rows, repeat(ci)))
                continue
            for ri in rows:
                if type(column[ri]) is float:
                    column[ri] = serial_to_datetime(column[ri], book.date1904) or column[ri]
