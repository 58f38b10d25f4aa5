"""The optional compiled fast path for sheet rows: python-calamine (Rust) parses the rows
of a plain sheet; :mod:`kpi_core.reading.scan` reads every other sheet and stays the
reference (SPEC section 2: a compiled accelerator with a pure fallback that gives
identical results). ``kpi_core`` never needs python-calamine: without it (xlwings
Lite's Pyodide has no compiled wheels), or with ``KPI_SCORECARD_PURE=1`` in the
environment, every sheet is read by the pure scanner.

How the results stay identical. calamine is given only what it reads as we do:

- the sheet's rows in slices of a few megabytes, each wrapped in a small package of
  its own (the rows, the shared strings part as it is, no styles): rows stream, and
  calamine's grid never holds more than a slice (its whole-sheet grid of the 809,040
  Comparators rows would take some 300 MB);
- no styles, so calamine turns no number into a date: our styles decide which cells are
  dates and percents, found by a regular expression over the slice for the few style
  indexes that matter (:attr:`Book.percent_styles`, :attr:`Book.date_styles`);
- a slice with anything calamine reads otherwise goes to the pure scanner, from the
  top of the sheet (the consumer's work is idempotent): formulas (we tell a formula
  without a saved result from an empty cell), errors, formula text results, inline
  strings and ISO dates (calamine gives an error and an empty string as an empty cell),
  a negative shared-string index, entities, comments, CDATA and processing
  instructions, a number calamine cannot parse (it gives its text, which Python's
  float() may read: " 2 "), and rows repeated across slices;
- a workbook whose shared strings hold ``_xHHHH_`` escapes, phonetic runs or an empty
  string is read by the pure scanner alone;
- each text is the pure scanner's own object (one per distinct text, not one per cell).

The part is read through the same zip guards (size and ratio caps) and DTD guard as
the pure scanner, and any error calamine raises sends the sheet to the pure scanner,
which names the fault.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from itertools import chain, repeat

from ..accelerators import pure
from .package import (
    MAIN, MAX_HELD_TAGS, ROW_END, SHEET_DATA, SHEET_DATA_END, Package, StopScan,
    plain_sheet_head,
)
from .scan import Book

#: Uncompressed bytes of rows handed to calamine at a time: its grid of a slice stays
#: a few MB (the Comparators read peaks 20 MB above the pure one), and each slice pays
#: calamine's parse of the shared strings once.
SLICE_BYTES = 2 << 20
#: Sheet parts smaller than this are read by the pure scanner: for a few thousand rows
#: calamine's set-up costs about what it saves. Tests set it to 0 to compare both.
MIN_PART_BYTES = 1 << 20

_ROW_NO_RE = re.compile(rb'<row\b[^>]*?\sr="([0-9]+)"')
_FORMULA_RE = re.compile(rb"<f[\s>/]")
#: A cell type but a shared string with a whole-number index, a number or a boolean
#: (calamine reads a negative index as counted from the end).
_OTHER_TYPE_RE = re.compile(rb' t="(?!s"><v>[0-9]|n"[\s>/]|b"[\s>/])')
_STRING_CELL = b' t="s"'
#: A style index that is not a whole number (a damaged part: the pure scanner names it;
#: calamine, given no styles, would not see it; a bad row number it refuses itself).
_ODD_STYLE_RE = re.compile(rb' s="(?![0-9]+")')
_CELL_REF_RE = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"')

_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.openxml'
          b'formats.org/package/2006/content-types"><Default Extension="rels" ContentType='
          b'"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension='
          b'"xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
          b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
          b'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application'
          b'/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override '
          b'PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
          b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.'
         b'openxmlformats.org/package/2006/relationships">%s</Relationships>')
_REL = (b'<Relationship Id="%s" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/%s" Target="%s"/>')
_MAIN = MAIN[1:-1].encode()
_BOOK = (b'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="' + _MAIN + b'" xmlns:r='
         b'"http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
         b'<sheet name="Rows" sheetId="1" r:id="rId1"/></sheets></workbook>')
_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="' + _MAIN + b'">'
               + SHEET_DATA)
_SHEET_TAIL = SHEET_DATA_END + b"</worksheet>"


class NotCompiled(Exception):
    """The sheet holds something only the pure scanner reads as we mean it."""


def available() -> bool:
    """python-calamine is installed and the environment does not ask for the pure path.
    It is imported when a sheet is first big enough for it (the command line's start-up
    on the sample never pays the import)."""
    return not pure() and _calamine() is not None


@functools.cache
def _calamine():
    """The python_calamine module, or ``None`` in the pure install (Pyodide)."""
    try:
        import python_calamine
    except ImportError:
        return None
    return python_calamine


class CompiledReader:
    """The fast path for one open workbook: its shared strings part read once (as bytes
    for calamine; :class:`Book` holds them decoded) and the style indexes to look for."""

    def __init__(self, pkg: Package, book: Book, strings_part: str | None) -> None:
        self.pkg, self.book, self._strings_part = pkg, book, strings_part
        self.strings: bytes | None = None  # read when a sheet first takes the fast path
        #: calamine's text -> ours: one object per distinct text, as the pure scanner
        #: gives (calamine makes one per cell: 150 MB more for the Comparators rows);
        #: its empty cell ("") -> None. Numbers and booleans never equal a text.
        self._ours: dict[str, str | None] = {text: text for text in book.strings}
        self._ours[""] = None
        styles = sorted(book.percent_styles | book.date_styles, key=lambda i: -len(str(i)))
        self._styled = (re.compile(rb' s="(' + b"|".join(str(i).encode() for i in styles)
                                   + rb')"') if styles else None)

    @staticmethod
    def for_workbook(pkg: Package, book: Book, strings_part: str | None
                     ) -> CompiledReader | None:
        """The fast path for this workbook, or ``None`` where only the pure scanner
        reads it as we mean it (see the module's notes)."""
        if pure() or "" in book.strings:
            return None
        return CompiledReader(pkg, book, strings_part)

    def _load_strings(self) -> None:
        part = self._strings_part
        self.strings = b""
        if part and self.pkg.has(part):
            raw = self.pkg.open(part)  # the zip's size and ratio caps apply
            self.strings = b"".join(iter(lambda: raw.read(1 << 20), b""))
        self._rels = _RELS % (_REL % (b"rId1", b"worksheet", b"worksheets/sheet1.xml")
                              + (_REL % (b"rId2", b"sharedStrings", b"sharedStrings.xml")
                                 if self.strings else b""))

    def wants(self, part: str) -> bool:
        info = self.pkg.names.get(part.replace("\\", "/").casefold())
        return info is not None and info.file_size >= MIN_PART_BYTES

    def read_blocks(self, part: str, on_block) -> None:
        """The sheet's rows, a slice at a time: ``on_block(first_row, first_column,
        rows, styled, ours)`` with 1-based numbers, ``rows`` a list of value lists as
        calamine gives them, ``styled`` the ``(row, column, style index)`` of the cells
        whose style shows a percent or a date, and ``ours(value, value)`` the value as
        the pure scanner gives it (``None`` for an empty cell, each text its one object):
        mapped by the consumer as it copies (``map(ours, row, row)``: C speed).
        ``on_block`` raises :class:`StopScan` to stop. Raises :class:`NotCompiled` for a
        sheet only the pure scanner reads as we mean it."""
        if _calamine() is None:
            raise NotCompiled
        if self.strings is None:
            self._load_strings()
        if b"_x" in self.strings or b"<rPh" in self.strings:
            raise NotCompiled  # escapes and phonetic runs: read by our rules alone
        state = {"last_row": 0}
        # calamine reads the shared strings again for each slice: a slice of at least
        # twice their size keeps that to a third of the work at most
        slice_bytes = max(SLICE_BYTES, 2 * len(self.strings))

        def head(text: bytes) -> None:
            if not plain_sheet_head(text, self.book.main):
                raise NotCompiled

        def slice_rows(data: bytes, end: int) -> None:
            if (data.count(b"<", 0, end) > MAX_HELD_TAGS
                    and max(map(len, data.split(ROW_END))) > 3 * MAX_HELD_TAGS):
                # a row that may hold more tags than the pure scanner holds at once (a
                # tag takes three bytes at least): a flood of elements, which it refuses
                raise NotCompiled
            stop = data.find(SHEET_DATA_END, 0, end)  # the rows end here, whatever follows
            self._slice(data[:end if stop < 0 else stop], state, on_block)
            if stop >= 0:
                raise StopScan

        self.pkg.parse_rows(part, head, slice_rows, NotCompiled, slice_bytes)

    def _slice(self, rows: bytes, state: dict, on_block) -> None:
        if not rows.strip():
            return
        if (b"&" in rows or b"!" in rows or b"?" in rows
                or (b"f" in rows and _FORMULA_RE.search(rows)) or _OTHER_TYPE_RE.search(rows)
                or _ODD_STYLE_RE.search(rows)):
            raise NotCompiled
        first = _ROW_NO_RE.match(rows.lstrip())
        if first is None or int(first.group(1)) <= state["last_row"]:
            raise NotCompiled  # a row without r first, or rows repeated across slices
        last = rows.rfind(b"<row ")
        last = _ROW_NO_RE.match(rows, last) if last >= 0 else None
        if last is None:
            raise NotCompiled
        state["last_row"] = int(last.group(1))
        styled = []
        if self._styled is not None:
            for m in self._styled.finditer(rows):
                ref = _CELL_REF_RE.match(rows, rows.rfind(b"<c ", 0, m.start()))
                if ref is None:
                    raise NotCompiled
                styled.append((int(ref.group(2)), _column(ref.group(1)), int(m.group(1))))
        calamine = _calamine()
        try:
            book = calamine.CalamineWorkbook.from_filelike(self._package(rows))
            try:
                sheet = book.get_sheet_by_index(0)
                start = sheet.start
                values = sheet.to_python() if start is not None else []
            finally:
                book.close()
        except calamine.CalamineError as exc:
            raise NotCompiled from exc
        if start is None and not styled:
            return
        first_row, first_col = (start[0] + 1, start[1] + 1) if start is not None else (1, 1)
        # A number calamine cannot parse comes as its text, where Python's float() may
        # read it (" 2 ", "1_000"): every text but its empty cells must be a shared string's.
        texts = sum(map(isinstance, chain.from_iterable(values), repeat(str)))
        if texts - sum(map(list.count, values, repeat(""))) != rows.count(_STRING_CELL):
            raise NotCompiled
        on_block(first_row, first_col, values, styled, self._ours.get)

    def _package(self, rows: bytes) -> io.BytesIO:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
            zf.writestr("[Content_Types].xml", _TYPES)
            zf.writestr("_rels/.rels", _RELS % (_REL % (b"rId1", b"officeDocument",
                                                         b"xl/workbook.xml")))
            zf.writestr("xl/workbook.xml", _BOOK)
            zf.writestr("xl/_rels/workbook.xml.rels", self._rels)
            if self.strings:
                zf.writestr("xl/sharedStrings.xml", self.strings)
            with zf.open("xl/worksheets/sheet1.xml", "w") as sheet:
                for piece in (_SHEET_HEAD, rows, _SHEET_TAIL):
                    sheet.write(piece)
        buffer.seek(0)
        return buffer


def _column(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number
