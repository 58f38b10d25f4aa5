"""Edit a workbook package's XML in place: a worksheet's cells, a table's range.

Everything an edit does not touch is kept byte for byte: the worksheet's other rows,
its columns, views, validations, conditional formats, drawings, extensions, and
every attribute and namespace of the elements around them. A worksheet is parsed
once with expat for the byte positions of its rows (and its formulas), and a row's
cells when they are first asked for; edited rows are rebuilt from the original
bytes with the changed cells spliced in.

Text is written as inline strings (the shared strings part is left as it is), with
Excel's ``_xHHHH_`` escapes for characters XML cannot carry and for a literal
``_xHHHH_``; a text starting with ``=`` is text, never a formula.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
import shutil
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from ..errors import FileError
from .sheet_scan import PlainRows
from ..reading.xlsx import (
    MAX_PART_BYTES, PackageLayout, TablePart, cell_address, column_index, parse_cell_address,
    read_layout,
)
from .plan import BLANK, BOOL, NUMBER, CellEdit, CellRef, TableRows, Value, WorkbookPlan

MAIN_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
           "http://purl.oclc.org/ooxml/spreadsheetml/main")
_SEP = "\x01"
_SPANNED = frozenset({"sheetData", "row", "c", "v", "f", "is"})  # elements whose end we need
#: A start tag from its ``<``: name, attributes (values may hold ``>``), end.
_START_TAG = re.compile(rb'<([\w.:-]+)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|\'[^\']*\'))*)\s*(/?)>')
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff]")


def encode_text(text: str) -> str:
    """Text as it goes into a cell's ``<t>``: XML-escaped, with Excel's ``_xHHHH_``
    escapes for characters XML 1.0 cannot hold and for a literal ``_xHHHH_``.

    >>> encode_text("a<b & _x000D_")
    'a&lt;b &amp; _x005F_x000D_'
    >>> encode_text("line\\r\\nnext\\x07")
    'line_x000D_\\nnext_x0007_'
    """
    text = _ESCAPE_LIKE.sub(r"_x005F_\1", text)
    text = _NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return _xml_escape(text)


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def number_text(value: float) -> str:
    """A number as a cell's ``<v>``: the shortest text that reads back as the same float.

    >>> number_text(0.97), number_text(12.0), number_text(1e-7)
    ('0.97', '12', '1e-07')
    """
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def attr_text(value: str) -> str:
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
            .replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;"))


@dataclass(slots=True)
class Cell:
    """One ``<c>`` as found: its position, its bytes' span, and what it holds."""

    row: int
    col: int
    start: int
    end: int
    kind: str  # the t attribute: n, s, str, inlineStr, b, e, d
    style: str | None  # the s attribute
    has_r: bool
    formula: dict[str, str] | None = None  # the <f> attributes, when it has a formula
    formula_text: str = ""
    value_span: tuple[int, int] | None = None  # <v>...</v>
    inline_span: tuple[int, int] | None = None  # <is>...</is>
    value_text: str | None = None

    @property
    def is_empty(self) -> bool:
        return self.formula is None and self.value_span is None and self.inline_span is None


@dataclass(slots=True)
class Row:
    number: int
    start: int
    end: int
    tag_end: int  # end of the start tag; == end for an empty <row/>
    has_r: bool
    attrs: dict[str, str]
    cells: list[Cell] | None = None  # parsed when first asked for
    by_col: dict[int, Cell] | None = None


class SheetXml:
    """A worksheet part: its bytes, and where its rows and cells stand in them.

    The whole part is parsed once for its outline (rows, formulas, columns); a row's
    cells are parsed when first asked for, so a big sheet costs memory only for the
    rows an edit reads.
    """

    def __init__(self, data: bytes, part: str) -> None:
        self.data, self.part = data, part
        self.prefix = ""  # the prefix the part gives the main namespace ("" or "x:")
        self.rows: list[Row] = []
        self.formulas: list[Cell] = []  # every cell with a formula (position and <f> only)
        self.col_styles: list[tuple[int, int, str]] = []  # (min, max, style)
        self.sheet_data: tuple[int, int, int] | None = None  # start, inner start, end
        self.dimension: tuple[int, int] | None = None  # span of the ref attribute's value
        self._namespaces: dict[str, str] = {}  # prefix -> URI, to parse a row alone
        self._plain: PlainRows | None = None  # the fast lane, where the sheet data is plain
        self._parse()

    # --- reading ----------------------------------------------------------------------

    def _tag(self, start: int) -> re.Match:
        match = _START_TAG.match(self.data, start)
        if not match:
            raise FileError(f"part {self.part} is not a worksheet this tool can edit "
                            f"(an unexpected tag at byte {start})")
        return match

    def _end_of(self, start: int, end_index: int) -> int:
        """Byte after an element that starts at ``start``; expat's end index is the
        ``</`` of its end tag, or the byte after an empty element."""
        data = self.data
        if data[end_index - 2:end_index] == b"/>" and data.find(b"<", start + 1, end_index) < 0:
            tag = self._tag(start)  # empty, or text ending in "/>": the tag tells
            if tag.group(3):
                return tag.end()
        return data.index(b">", end_index) + 1

    def _parser(self) -> tuple[expat.XMLParserType, Callable[[str], tuple[str, bool]]]:
        parser = expat.ParserCreate(namespace_separator=_SEP)
        names: dict[str, tuple[str, bool]] = {}

        def local(name: str) -> tuple[str, bool]:
            found = names.get(name)
            if found is None:
                ns, _, tag = name.rpartition(_SEP)
                found = names[name] = (tag, ns in MAIN_NS)
            return found

        def refuse_dtd(*_args) -> None:
            raise FileError(f"part {self.part} declares a DTD, which workbooks never need; "
                            "refusing it")
        parser.StartDoctypeDeclHandler = refuse_dtd
        return parser, local

    def _run(self, parser, data: bytes) -> None:
        try:
            parser.Parse(data, True)
        except expat.ExpatError as exc:
            raise FileError(f"part {self.part} is not well-formed XML ({exc})") from exc
        except ValueError as exc:  # a row number or cell address that is not one
            raise FileError(f"part {self.part} is damaged ({exc})") from exc
        finally:
            # The handlers refer to the parser: break the cycle, so each parser goes at
            # once even with the garbage collector paused (the CLI pauses it).
            parser.StartElementHandler = parser.EndElementHandler = None
            parser.CharacterDataHandler = parser.StartNamespaceDeclHandler = None
            parser.StartDoctypeDeclHandler = None

    def _cell_column(self, ref: str | None, row_no: int, previous: int) -> int:
        if not ref:
            return previous + 1
        found_row, col = parse_cell_address(ref)
        if found_row != row_no:
            raise FileError(f"part {self.part}: cell {ref} stands in row {row_no}; the "
                            "worksheet is damaged")
        return col

    #: Read plain sheet data with the fast lane (:mod:`kpi_core.authoring.sheet_scan`);
    #: the tests turn it off to compare both lanes.
    fast = True

    def _parse(self) -> None:
        """The outline: sheetData, rows, formula cells, column styles, the dimension.

        Where the sheet data is plain, expat reads the part without it and the fast
        lane scans the rows; else (or where the fast lane declines) expat reads it all.
        """
        cut = _sheet_data_span(self.data) if self.fast else None
        if cut is not None:
            self._expat_outline(self.data[:cut[0]] + self.data[cut[1]:], cut)
            if self._plain_outline(*cut):
                return
            self.prefix, self.rows, self.formulas, self.col_styles = "", [], [], []
            self.sheet_data = self.dimension = None
            self._namespaces = {}
        self._expat_outline(self.data, None)

    def _plain_outline(self, start: int, end: int) -> bool:
        """Rows and formula cells by the fast lane; False where it declines."""
        if self.sheet_data is None:
            return False
        plain = PlainRows(self.data, self.prefix, start, end, self._namespaces)
        if plain.rows is None:
            return False
        formula_tag = re.compile(rb"<" + re.escape(self.prefix.encode()) + rb"f[\s/>]")
        number = 0
        rows = []
        for row_start, row_end, tag_end, attrs in plain.rows:
            r = attrs.get("r")
            try:
                number = int(r) if r else number + 1
            except ValueError:
                return False  # expat's lane reports it
            rows.append(Row(number, row_start, row_end, tag_end, bool(r), attrs))
        self._plain = plain
        self.rows = rows
        self.row_index = {row.number: row for row in rows}
        for row in rows:
            if formula_tag.search(self.data, row.tag_end, row.end):
                self.formulas.extend(
                    Cell(c.row, c.col, c.start, -1, c.kind, c.style, c.has_r,
                         formula=c.formula) for c in self._cells_of(row) if c.formula is not None)
        return True

    def _expat_outline(self, data: bytes, cut: tuple[int, int] | None) -> None:
        parser, local = self._parser()
        stack: list[tuple[str, int, bool]] = []
        state = {"row": None, "cell": None, "col": 0, "row_no": 0}

        def start(name: str, attrs: dict) -> None:
            tag, main = local(name)
            at = parser.CurrentByteIndex
            stack.append((tag, at, main))
            if not main:
                return
            if tag == "c":
                if state["row"] is not None:
                    ref = attrs.get("r")
                    state["col"] = self._cell_column(ref, state["row_no"], state["col"])
                    state["cell"] = (state["col"], at, attrs.get("t", "n"), attrs.get("s"),
                                     bool(ref))
            elif tag == "f":
                if state["cell"] is not None:
                    col, c_at, kind, style, has_r = state["cell"]
                    self.formulas.append(Cell(state["row_no"], col, c_at, -1, kind, style,
                                              has_r, formula=dict(attrs)))
            elif tag == "row":
                r = attrs.get("r")
                state["row_no"] = int(r) if r else state["row_no"] + 1
                state["col"] = 0
                state["row"] = Row(state["row_no"], at, -1, self._tag(at).end(), bool(r),
                                   dict(attrs))
            elif tag == "worksheet":
                qname = self._tag(at).group(1).decode()
                self.prefix = qname[:qname.index(":") + 1] if ":" in qname else ""
            elif tag == "dimension" and "ref" in attrs:
                m = re.search(rb'\sref\s*=\s*["\']([^"\']*)', self._tag(at).group(0))
                self.dimension = (at + m.start(1), at + m.end(1))
            elif tag == "col" and "style" in attrs:
                self.col_styles.append((int(attrs.get("min", 0)), int(attrs.get("max", 0)),
                                        attrs["style"]))
            elif tag == "sheetData":
                self.sheet_data = (at, self._tag(at).end(), -1)

        def end(_name: str) -> None:
            tag, at, main = stack.pop()
            if not main:
                return
            if tag == "c":
                state["cell"] = None
            elif tag == "row" and state["row"] is not None:
                row = state["row"]
                row.end = self._end_of(at, parser.CurrentByteIndex)
                if self._tag(at).group(3):
                    row.tag_end = row.end
                self.rows.append(row)
                state["row"] = None
            elif tag == "sheetData":
                first = self._tag(at)
                inner_end = parser.CurrentByteIndex if not first.group(3) else first.end()
                if cut is not None:
                    inner_end = cut[1]  # the content was cut out for the fast lane
                self.sheet_data = (at, first.end(), inner_end)

        def namespace(prefix: str | None, uri: str) -> None:
            self._namespaces.setdefault(prefix or "", uri)

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.StartNamespaceDeclHandler = namespace
        self._run(parser, data)
        if cut is not None:
            return
        if self.sheet_data is None:
            raise FileError(f"part {self.part} has no sheetData; the worksheet is damaged")
        self.row_index = {row.number: row for row in self.rows}

    def _parse_row(self, row: Row) -> list[Cell]:
        """A row's cells in full: values, formulas, inline strings and their spans."""
        if row.tag_end == row.end:
            return []
        if self._plain is not None:
            found = self._plain.cells(row.tag_end, row.end)
            if found is not None:
                cells, col = [], 0
                number = str(row.number)
                for (start, end, ref, kind, style, formula, formula_text, value_span,
                     value_text, inline_span) in found:
                    letters = ref[:-len(number)] if ref and ref.endswith(number) else ""
                    if letters.isalpha() and letters.isupper():
                        col = _letters_column(letters)  # "AB12" in row 12: the common case
                    else:
                        col = self._cell_column(ref, row.number, col)
                    cells.append(Cell(row.number, col, start, end, kind, style, bool(ref),
                                      formula, formula_text, value_span, inline_span,
                                      value_text))
                return cells
        return self._expat_row(row)

    def _expat_row(self, row: Row) -> list[Cell]:
        declared = "".join(f' xmlns{":" + p if p else ""}="{attr_text(uri)}"'
                           for p, uri in self._namespaces.items())
        wrapper = f"<w{declared}>".encode()
        offset = row.start - len(wrapper)
        parser, local = self._parser()
        stack: list[tuple[str, int, bool]] = []
        cells: list[Cell] = []
        state = {"cell": None, "col": 0, "text": None}

        def start(name: str, attrs: dict) -> None:
            tag, main = local(name)
            at = parser.CurrentByteIndex + offset
            stack.append((tag, at, main))
            if not main:
                return
            if tag == "c":
                ref = attrs.get("r")
                state["col"] = self._cell_column(ref, row.number, state["col"])
                state["cell"] = Cell(row.number, state["col"], at, -1, attrs.get("t", "n"),
                                     attrs.get("s"), bool(ref))
            elif tag in ("f", "v") and state["cell"] is not None:
                state["text"] = []
                if tag == "f":
                    state["cell"].formula = dict(attrs)

        def end(_name: str) -> None:
            tag, at, main = stack.pop()
            cell = state["cell"]
            if not main or cell is None or tag not in _SPANNED:
                return
            stop = self._end_of(at, parser.CurrentByteIndex + offset)
            if tag == "c":
                cell.end = stop
                cells.append(cell)
                state["cell"] = None
            elif tag == "v":
                cell.value_span = (at, stop)
                cell.value_text = "".join(state["text"] or ())
                state["text"] = None
            elif tag == "f":
                cell.formula_text = "".join(state["text"] or ())
                state["text"] = None
            elif tag == "is":
                cell.inline_span = (at, stop)

        def text(data: str) -> None:
            if state["text"] is not None:
                state["text"].append(data)

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text
        self._run(parser, wrapper + self.data[row.start:row.end] + b"</w>")
        return cells

    def _cells_of(self, row: Row) -> list[Cell]:
        if row.cells is None:
            row.cells = self._parse_row(row)
            row.by_col = {c.col: c for c in row.cells}
        return row.cells

    @property
    def cells(self) -> dict[tuple[int, int], Cell]:
        """Every cell, by (row, column): parses every row (for tests and small sheets)."""
        return {(c.row, c.col): c for row in self.rows for c in self._cells_of(row)}

    def cell(self, row: int, col: int) -> Cell | None:
        found = self.row_index.get(row)
        if found is None:
            return None
        self._cells_of(found)
        return found.by_col.get(col)

    def raw(self, cell: Cell) -> bytes:
        return self.data[cell.start:cell.end]

    def row_cells(self, row: int) -> list[Cell]:
        found = self.row_index.get(row)
        return self._cells_of(found) if found is not None else []

    def default_style(self, row: int, col: int) -> str | None:
        """The style a new cell gets where Excel would give one: the row's, else the column's."""
        found = self.row_index.get(row)
        if found is not None and found.attrs.get("customFormat") in ("1", "true"):
            return found.attrs.get("s")
        return next((s for lo, hi, s in self.col_styles if lo <= col <= hi), None)

    def shared_formula_users(self, si: str) -> list[Cell]:
        """The cells whose formula is shared formula ``si`` (its master included)."""
        return [c for c in self.formulas
                if c.formula.get("t") == "shared" and c.formula.get("si") == si]

    # --- building cells ---------------------------------------------------------------

    def _open(self, row: int, col: int, style: str | None, kind: str | None) -> str:
        attrs = f' r="{cell_address(row, col)}"'
        if style is not None:
            attrs += f' s="{attr_text(style)}"'
        if kind:
            attrs += f' t="{kind}"'
        return f"<{self.prefix}c{attrs}"

    def empty_cell(self, row: int, col: int, style: str | None) -> bytes:
        return (self._open(row, col, style, None) + "/>").encode()

    def number_cell(self, row: int, col: int, style: str | None, value: float) -> bytes:
        p = self.prefix
        return (self._open(row, col, style, None)
                + f"><{p}v>{number_text(value)}</{p}v></{p}c>").encode()

    def text_cell(self, row: int, col: int, style: str | None, text: str, *,
                  escaped: bool = False) -> bytes:
        """An inline-string cell; ``escaped``: ``text`` already carries Excel's ``_xHHHH_``
        escapes (it was read from a cell), so only XML's are added."""
        p = self.prefix
        space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
        body = _xml_escape(text) if escaped else encode_text(text)
        return (self._open(row, col, style, "inlineStr")
                + f"><{p}is><{p}t{space}>{body}</{p}t></{p}is></{p}c>").encode()

    def value_copy(self, source: Cell, source_sheet: SheetXml, row: int, col: int,
                   style: str | None) -> bytes:
        """A cell at (row, col) holding ``source``'s value, never its formula: a
        formula's saved result is copied as a value."""
        p = self.prefix
        if source.inline_span is not None and source.formula is None:
            inner = source_sheet.data[slice(*source.inline_span)]
            if source_sheet.prefix != self.prefix:
                return self.text_cell(row, col, style, _inline_text(inner), escaped=True)
            return self._open(row, col, style, "inlineStr").encode() + b">" + inner \
                + f"</{p}c>".encode()
        if source.value_text is None:
            return self.empty_cell(row, col, style)
        kind = source.kind
        if kind in ("str", "inlineStr"):  # a formula's text result
            return self.text_cell(row, col, style, source.value_text, escaped=True)
        kind = None if kind == "n" else kind
        return (self._open(row, col, style, kind)
                + f"><{p}v>{_xml_escape(source.value_text)}</{p}v></{p}c>").encode()

    # --- writing ----------------------------------------------------------------------

    def render(self, edits: dict[tuple[int, int], bytes]) -> bytes:
        """The part with each (row, col) of ``edits`` replaced by (or given) that cell."""
        if not edits:
            return self.data
        by_row: dict[int, dict[int, bytes]] = {}
        for (r, c), xml in edits.items():
            by_row.setdefault(r, {})[c] = xml
        data_start, inner_start, inner_end = self.sheet_data
        if self._tag(data_start).group(3):  # <sheetData/>: open it
            p = self.prefix.encode()
            return (self.data[:data_start] + b"<" + p + b"sheetData>"
                    + self._rows(by_row, inner_start, inner_start)
                    + b"</" + p + b"sheetData>" + self.data[inner_start:])
        return (self.data[:inner_start] + self._rows(by_row, inner_start, inner_end)
                + self.data[inner_end:])

    def _rows(self, by_row: dict[int, dict[int, bytes]], start: int, end: int) -> bytes:
        data, out, pos = self.data, [], start
        pending = sorted(by_row)
        for row in self.rows:
            out.append(data[pos:row.start])
            while pending and pending[0] < row.number:
                out.append(self._new_row(pending.pop(0), by_row))
            if pending and pending[0] == row.number:
                out.append(self._edited_row(row, by_row[pending.pop(0)]))
            elif not row.has_r:
                out.append(self._with_r(row))
            else:
                out.append(data[row.start:row.end])
            pos = row.end
        out.append(data[pos:end])
        out.extend(self._new_row(number, by_row) for number in pending)
        return b"".join(out)

    def _new_row(self, number: int, by_row: dict[int, dict[int, bytes]]) -> bytes:
        cells = by_row[number]
        p = self.prefix.encode()
        spans = f"{min(cells)}:{max(cells)}".encode()
        return (b"<" + p + b'row r="' + str(number).encode() + b'" spans="' + spans + b'">'
                + b"".join(cells[c] for c in sorted(cells)) + b"</" + p + b"row>")

    def _row_open(self, row: Row) -> bytes:
        tag = self.data[row.start:row.tag_end]
        if not row.has_r:
            name_end = len(self.prefix) + 4  # after "<row"
            tag = tag[:name_end] + f' r="{row.number}"'.encode() + tag[name_end:]
        if tag.endswith(b"/>"):
            tag = tag[:-2].rstrip() + b">"
        return tag

    def _with_r(self, row: Row) -> bytes:
        """A row unchanged but for ``r`` attributes, so rows inserted before it keep order."""
        if row.tag_end == row.end:
            return self._row_open(row)[:-1] + b"/>"
        return self._edited_row(row, {})

    def _edited_row(self, row: Row, cells: dict[int, bytes]) -> bytes:
        out = [self._row_open(row)]
        pending = sorted(cells)
        pos = row.tag_end
        for cell in self._cells_of(row):
            while pending and pending[0] < cell.col:
                out.append(cells[pending.pop(0)])
            out.append(self.data[pos:cell.start])
            if pending and pending[0] == cell.col:
                out.append(cells[pending.pop(0)])
            else:
                raw = self.raw(cell)
                if not cell.has_r:
                    name_end = len(self.prefix) + 2  # after "<c"
                    raw = raw[:name_end] + f' r="{cell_address(cell.row, cell.col)}"'.encode() \
                        + raw[name_end:]
                out.append(raw)
            pos = cell.end
        if row.tag_end == row.end:  # <row/>
            out.extend(cells[c] for c in pending)
            out.append(f"</{self.prefix}row>".encode())
        else:
            close = self.data.rindex(b"</", pos, row.end)
            out.append(self.data[pos:close])
            out.extend(cells[c] for c in pending)
            out.append(self.data[close:row.end])
        return b"".join(out)


@functools.lru_cache(maxsize=1024)
def _letters_column(letters: str) -> int:
    return column_index(letters)


def _sheet_data_span(data: bytes) -> tuple[int, int] | None:
    """The span of the content of a part's one ``sheetData`` element (for the fast
    lane), or ``None`` when it is empty, repeated or not found plainly."""
    opening = list(re.finditer(rb"<((?:[\w.-]+:)?)sheetData\b[^<>]*?(/?)>", data))
    if len(opening) != 1 or opening[0].group(2):
        return None
    close = data.find(b"</" + opening[0].group(1) + b"sheetData>", opening[0].end())
    if close < 0:
        return None
    return opening[0].end(), close


def _inline_text(inner: bytes) -> str:
    """The text of an ``<is>`` element's bytes (runs joined), still in Excel's escapes."""
    root = expat.ParserCreate(namespace_separator=_SEP)
    parts: list[str] = []
    depth = {"t": 0}

    def start(name: str, _attrs: dict) -> None:
        if name.rpartition(_SEP)[2] == "t":
            depth["t"] += 1

    def end(name: str) -> None:
        if name.rpartition(_SEP)[2] == "t":
            depth["t"] -= 1

    root.StartElementHandler, root.EndElementHandler = start, end
    root.CharacterDataHandler = lambda d: parts.append(d) if depth["t"] else None
    root.Parse(b'<w xmlns:x="urn:x">' + inner + b"</w>", True)
    return "".join(parts)


def with_dimension(data: bytes, sheet: SheetXml, bottom: int, right: int) -> bytes:
    """``data`` (the rendered part) with its ``<dimension ref>`` grown to hold (bottom, right).

    Only the attribute's value changes; it stands before sheetData, so its span in
    the original bytes is its span in the rendered ones.
    """
    if sheet.dimension is None:
        return data
    lo, hi = sheet.dimension
    ref = data[lo:hi].decode()
    first, _, last = ref.partition(":")
    try:
        top, left = parse_cell_address(first)
        b, r = parse_cell_address(last or first)
    except ValueError:
        return data
    new = f"{cell_address(top, left)}:{cell_address(max(b, bottom), max(r, right))}"
    return data[:lo] + new.encode() + data[hi:]


def grow_table(data: bytes, old_ref: str, new_ref: str) -> bytes:
    """A table part with its range (and its autoFilter's, where it is the same) grown."""
    def replace_ref(match: re.Match) -> bytes:
        tag = match.group(0)
        return re.sub(rb'(\sref\s*=\s*["\'])' + re.escape(old_ref.encode()) + rb'(["\'])',
                      lambda m: m.group(1) + new_ref.encode() + m.group(2), tag, count=1)
    return re.sub(rb"<(?:[\w.-]+:)?(?:table|autoFilter)\b[^>]*>", replace_ref, data)


def range_ref(top: int, left: int, bottom: int, right: int) -> str:
    """An A1 range.

    >>> range_ref(1, 1, 10, 5)
    'A1:E10'
    """
    return f"{cell_address(top, left)}:{cell_address(bottom, right)}"


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """``'A1:E10'`` -> (top, left, bottom, right).

    >>> parse_range("B3:R17")
    (3, 2, 17, 18)
    """
    first, _, last = ref.partition(":")
    top, left = parse_cell_address(first)
    bottom, right = parse_cell_address(last or first)
    return top, left, bottom, right


__all__ = ["Cell", "Row", "SheetXml", "column_index", "encode_text", "grow_table",
           "insert_before_close", "number_text", "parse_range", "range_ref", "refuse_signed",
           "with_dimension", "write_plan"]


def shared_strings(data: bytes, wanted: set[int]) -> dict[int, str]:
    """The texts of the ``wanted`` shared strings (runs joined, phonetic runs left out),
    reading the part only as far as the last one wanted.

    >>> part = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    ...         b'<si><t>Ref</t></si><si><r><t>Q2 </t></r><r><t>2016/17</t></r></si></sst>')
    >>> shared_strings(part, {1})
    {1: 'Q2 2016/17'}
    """
    found: dict[int, str] = {}
    if not wanted:
        return found
    last = max(wanted)
    state = {"index": -1, "depth": 0, "in_t": 0, "skip": 0, "parts": []}

    class _Done(Exception):
        pass

    def start(name: str, _attrs: dict) -> None:
        tag = name.rpartition(_SEP)[2]
        if tag == "si":
            state["index"] += 1
            state["parts"] = []
        elif tag in ("rPh", "phoneticPr"):
            state["skip"] += 1
        elif tag == "t" and not state["skip"]:
            state["in_t"] += 1

    def end(name: str) -> None:
        tag = name.rpartition(_SEP)[2]
        if tag == "si":
            if state["index"] in wanted:
                found[state["index"]] = "".join(state["parts"])
            if state["index"] >= last:
                raise _Done
        elif tag in ("rPh", "phoneticPr"):
            state["skip"] -= 1
        elif tag == "t" and state["in_t"]:
            state["in_t"] -= 1

    parser = expat.ParserCreate(namespace_separator=_SEP)
    parser.StartDoctypeDeclHandler = lambda *_a: (_ for _ in ()).throw(
        FileError("the shared strings part declares a DTD; refusing it"))
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = lambda d: state["parts"].append(d) if state["in_t"] else None
    try:
        parser.Parse(data, True)
    except _Done:
        pass
    except expat.ExpatError as exc:
        raise FileError(f"the shared strings part is not well-formed XML ({exc})") from exc
    return found


def cell_text(cell: Cell, sheet: SheetXml, strings: dict[int, str]) -> str | None:
    """A text cell's text (shared, inline or a formula's), else ``None``."""
    if cell.inline_span is not None:
        return _inline_text(sheet.data[slice(*cell.inline_span)])
    if cell.value_text is None:
        return None
    if cell.kind == "s":
        try:
            return strings.get(int(cell.value_text))
        except ValueError:
            return None
    return cell.value_text if cell.kind == "str" else None


# --- applying a plan ---------------------------------------------------------------------

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"


def refuse_signed(book: Path, layout: PackageLayout) -> None:
    """A digitally signed workbook: any edit would invalidate the signature."""
    signed = [p for p in layout.parts if p.casefold().startswith("_xmlsignatures/")]
    if signed:
        raise FileError(f"{book}: the workbook is digitally signed ({signed[0]}); changing it "
                        "would invalidate the signature, which would be lost. Remove the "
                        "signature in Excel (File > Info > View Signatures), make the change, "
                        "then sign it again")


def write_plan(book: str | os.PathLike, plan: WorkbookPlan, out: str | os.PathLike
               ) -> tuple[str, ...]:
    """Write ``out`` (a temporary the caller renames into place): ``book`` with ``plan``
    applied part by part. Every part the plan does not touch is copied byte for byte; in
    the worksheets it edits, only the edited rows change.

    Raises :class:`FileError` where the plan cannot be applied without breaking something
    (a shared or array formula over an edited cell, cells under a table that new rows
    would overwrite, a totals row, a signature, a protected structure), naming it; and
    ``ValueError`` for a plan with refusals (a caller's mistake: they must be reported,
    not written). Returns the cells (``Sheet!A1``) whose formula the plan replaced by a
    value or a blank, for the caller to say so.
    """
    book, out = Path(book), Path(out)
    if plan.refused:
        raise ValueError("a plan with refusals is not written: "
                         + "; ".join(p.text for p in plan.refusals[:3]))
    layout = read_layout(book)
    refuse_signed(book, layout)
    writer = _PlanWriter(book, layout)
    for edit in plan.edits:
        writer.edit(edit)
    for table in plan.tables:
        writer.table(table)
    parts = writer.render()
    _write_package(book, out, parts, writer.drop)
    return tuple(writer.formula_cells)


class _PlanWriter:
    """The parts a plan changes, built from the book's own bytes."""

    def __init__(self, book: Path, layout: PackageLayout) -> None:
        self.book, self.layout = book, layout
        self.sheets: dict[str, SheetXml] = {}
        self.edits: dict[str, dict[tuple[int, int], bytes]] = {}
        self.names: dict[str, str] = {}  # sheet part -> sheet name, for messages
        self.grow: dict[str, tuple[int, int]] = {}  # sheet part -> (bottom, right) to hold
        self.parts: dict[str, bytes] = {}  # new or changed parts other than worksheets
        self.drop: set[str] = set()
        self.formulas_removed = False
        self.formula_cells: list[str] = []  # Sheet!A1 of each formula replaced

    # sheets and cells

    def part_of(self, sheet_name: str) -> str:
        part = self.layout.sheet_part(sheet_name)
        if part is None:
            raise FileError(f"{self.book}: sheet {sheet_name} is not a worksheet this tool "
                            "can edit")
        return part

    def sheet(self, part: str, name: str = "") -> SheetXml:
        if part not in self.sheets:
            with zipfile.ZipFile(self.book) as z:
                info = z.getinfo(part)
                if info.file_size > MAX_PART_BYTES:
                    raise FileError(f"{self.book}: part {part} is too large to edit")
                self.sheets[part] = SheetXml(z.read(info), part)
            self.edits[part] = {}
        if name:
            self.names.setdefault(part, name)
        return self.sheets[part]

    def style_of(self, ref: CellRef | None) -> str | None:
        if ref is None:
            return None
        part = self.layout.sheet_part(ref.sheet) or next(
            (p for p, n in self.names.items() if n.casefold() == ref.sheet.casefold()), None)
        if part is None:
            return None
        cell = self.sheet(part, ref.sheet).cell(ref.row, ref.col)
        return cell.style if cell is not None else None

    def set(self, part: str, row: int, col: int, xml: bytes) -> None:
        old = self.sheets[part].cell(row, col)
        if old is not None and old.formula is not None:
            self.formulas_removed = True
            if (row, col) not in self.edits[part]:
                self.formula_cells.append(f"{self.names.get(part, part)}!"
                                          f"{cell_address(row, col)}")
        self.edits[part][(row, col)] = xml

    def cell_xml(self, sheet: SheetXml, row: int, col: int, value: Value,
                 style: str | None) -> bytes:
        if value.kind == BLANK:
            return sheet.empty_cell(row, col, style)
        if value.kind == NUMBER:
            return sheet.number_cell(row, col, style, value.value)
        if value.kind == BOOL:
            p = sheet.prefix
            return (sheet._open(row, col, style, "b")
                    + f"><{p}v>{int(bool(value.value))}</{p}v></{p}c>").encode()
        return sheet.text_cell(row, col, style, value.value)

    def edit(self, edit: CellEdit) -> None:
        part = self.part_of(edit.sheet)
        sheet = self.sheet(part, edit.sheet)
        old = sheet.cell(edit.row, edit.col)
        if edit.kind == BLANK and (old is None or old.is_empty):
            return  # nothing to clear: the cell stays byte for byte
        style = old.style if old is not None else (
            self.style_of(edit.like) or sheet.default_style(edit.row, edit.col))
        self.set(part, edit.row, edit.col,
                 self.cell_xml(sheet, edit.row, edit.col, edit.cell, style))

    # tables

    def table(self, rows: TableRows) -> None:
        if rows.new_sheet:
            self.new_table(rows)
            return
        if not rows.table:
            self.plain_rows(rows)
            return
        table = self.layout.table(rows.table)
        if table is None:
            raise FileError(f"{self.book}: has no table {rows.table} to add rows to")
        if table.totals_rows:
            raise FileError(f"{self.book}: the {rows.table} table has a totals row; new rows "
                            "go above it, which this tool does not do. Turn the totals row "
                            "off (Table Design > Total Row), try again, then turn it on")
        top, left, bottom, right = parse_range(table.ref)
        if (top, left) != (rows.top, rows.left) or \
                right != rows.right - len(rows.added):
            raise FileError(f"{self.book}: the {rows.table} table stands at {table.ref}, not "
                            f"where it was read ({range_ref(rows.top, rows.left, rows.top, rows.right - len(rows.added))}); "
                            "nothing was written")
        sheet = self.sheet(table.sheet_part, table.sheet)
        new_bottom = max(bottom, rows.bottom)
        self._check_free(sheet, table, top, bottom, right, rows, new_bottom)
        for i, header in enumerate(rows.added, start=1):
            style = (sheet.cell(top, right).style if sheet.cell(top, right) is not None
                     else None)
            self.set(table.sheet_part, top, right + i,
                     sheet.text_cell(top, right + i, style, header))
        last_data = rows.first - 1 if rows.first - 1 > top else None
        for r, line in enumerate(rows.rows):
            row = rows.first + r
            likes = rows.like[r] if r < len(rows.like) else ()
            for i, value in enumerate(line):
                col = rows.left + i
                style = self.style_of(likes[i]) if i < len(likes) else None
                if style is None and last_data is not None:
                    above = sheet.cell(last_data, col)
                    style = above.style if above is not None else None
                if style is None:
                    style = sheet.default_style(row, col)
                self.set(table.sheet_part, row, col, self.cell_xml(sheet, row, col, value,
                                                                   style))
        new_right = rows.right
        if (new_bottom, new_right) != (bottom, right):
            with zipfile.ZipFile(self.book) as z:
                data = grow_table(z.read(table.table_part), table.ref,
                                  range_ref(top, left, new_bottom, new_right))
            if rows.added:
                data = _add_table_columns(data, rows.added, table.table_part)
            self.parts[table.table_part] = data
            self.grow[table.sheet_part] = (new_bottom, new_right)

    def plain_rows(self, rows: TableRows) -> None:
        """Rows under a plain range (no Excel table): cells only, on empty cells."""
        part = self.part_of(rows.sheet)
        sheet = self.sheet(part, rows.sheet)
        right = rows.right - len(rows.added)
        area = [(rows.first, rows.left, rows.bottom, rows.right)]
        if rows.added:
            area.append((rows.top, right + 1, rows.first - 1, rows.right))
        for a_top, a_left, a_bottom, a_right in area:
            for r in range(a_top, a_bottom + 1):
                for cell in sheet.row_cells(r):
                    if a_left <= cell.col <= a_right and not cell.is_empty:
                        raise FileError(f"{rows.sheet}!{cell_address(r, cell.col)} holds a "
                                        f"value where the new rows go; move it, then try "
                                        "again")
        header = sheet.cell(rows.top, right)
        for i, text in enumerate(rows.added, start=1):
            self.set(part, rows.top, right + i, sheet.text_cell(
                rows.top, right + i, header.style if header is not None else None, text))
        last_data = rows.first - 1 if rows.first - 1 > rows.top else None
        for r, line in enumerate(rows.rows):
            row = rows.first + r
            likes = rows.like[r] if r < len(rows.like) else ()
            for i, value in enumerate(line):
                col = rows.left + i
                style = self.style_of(likes[i]) if i < len(likes) else None
                if style is None and last_data is not None:
                    above = sheet.cell(last_data, col)
                    style = above.style if above is not None else None
                self.set(part, row, col, self.cell_xml(
                    sheet, row, col, value, style or sheet.default_style(row, col)))
        self.grow[part] = (rows.bottom, rows.right)

    def _check_free(self, sheet: SheetXml, table: TablePart, top: int, bottom: int,
                    right: int, rows: TableRows, new_bottom: int) -> None:
        """New rows below the table and new columns at its right must land on empty cells
        and on no other table."""
        areas = []
        if new_bottom > bottom:
            areas.append((bottom + 1, rows.left, new_bottom, rows.right))
        if rows.added:
            areas.append((top, right + 1, new_bottom, rows.right))
        for a_top, a_left, a_bottom, a_right in areas:
            for r in range(a_top, a_bottom + 1):
                for cell in sheet.row_cells(r):
                    if a_left <= cell.col <= a_right and not cell.is_empty:
                        raise FileError(
                            f"{table.sheet}!{cell_address(r, cell.col)} holds a value where "
                            f"the {rows.table} table grows (its new rows or columns go "
                            f"there); move it, then try again")
            for other in self.layout.tables:
                if other.sheet_part != table.sheet_part or other is table:
                    continue
                o_top, o_left, o_bottom, o_right = parse_range(other.ref)
                if o_top <= a_bottom and o_bottom >= a_top and o_left <= a_right \
                        and o_right >= a_left:
                    raise FileError(f"the table {other.name} ({other.ref}) stands where the "
                                    f"{rows.table} table grows; move it, then try again")

    def new_table(self, rows: TableRows) -> None:
        """A new sheet (last) holding a new table with the rows."""
        with zipfile.ZipFile(self.book) as z:
            book_xml = z.read(self.layout.workbook_part)
        where = f"a {rows.sheet} sheet with the table {rows.table}"
        columns = ", ".join(rows.headers)
        if re.search(rb"<(?:\w+:)?workbookProtection\b[^>]*lockStructure=\"(?:1|true)\"",
                     book_xml):
            raise FileError(f"{self.book}: the workbook's structure is protected, so {where} "
                            "cannot be added; unprotect it (Review > Protect Workbook) or add "
                            f"the table yourself ({columns}), then try again")
        if b"purl.oclc.org/ooxml" in book_xml:
            raise FileError(f"{self.book}: is saved as Strict Open XML, and this tool adds "
                            f"{where} only to an ordinary Excel Workbook; add the table "
                            f"yourself ({columns}) or save the workbook as an Excel Workbook "
                            "(.xlsx), then try again")
        if self.layout.sheet_part(rows.sheet) is not None:
            raise FileError(f"{self.book}: already has a sheet {rows.sheet}; the table "
                            f"{rows.table} would go there")
        names = {p.casefold() for p in self.layout.parts} | {p.casefold() for p in self.parts}
        n = 1
        while f"xl/worksheets/sheet{n}.xml" in names:
            n += 1
        sheet_part = f"xl/worksheets/sheet{n}.xml"
        m = 1
        while f"xl/tables/table{m}.xml" in names:
            m += 1
        table_part = f"xl/tables/table{m}.xml"
        table_id = max((t.id for t in self.layout.tables), default=0) + 1
        width = len(rows.headers)
        bottom = max(rows.bottom, rows.top + 1)
        ref = range_ref(rows.top, rows.left, bottom, rows.right)
        header = "".join(sheet_text_cell(rows.top, rows.left + i, h)
                         for i, h in enumerate(rows.headers))
        cols_xml = "".join(
            f'<col min="{rows.left + i}" max="{rows.left + i}" width="{max(10, len(h) + 4)}" '
            'customWidth="1"/>' for i, h in enumerate(rows.headers))
        skeleton = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{MAIN_NS[0]}" xmlns:r="{_REL}"><dimension ref="{ref}"/>'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols_xml}</cols>'
            f'<sheetData><row r="{rows.top}">{header}</row></sheetData>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
            'footer="0.3"/><tableParts count="1"><tablePart r:id="rId1"/></tableParts>'
            '</worksheet>').encode()
        sheet = SheetXml(skeleton, sheet_part)
        self.sheets[sheet_part] = sheet
        self.edits[sheet_part] = {}
        self.names[sheet_part] = rows.sheet
        for r, line in enumerate(rows.rows):
            likes = rows.like[r] if r < len(rows.like) else ()
            for i, value in enumerate(line):
                row, col = rows.first + r, rows.left + i
                style = self.style_of(likes[i]) if i < len(likes) else None
                self.set(sheet_part, row, col, self.cell_xml(sheet, row, col, value, style))
        table_columns = "".join(f'<tableColumn id="{i}" name="{attr_text(h)}"/>'
                                for i, h in enumerate(rows.headers, start=1))
        name = attr_text(rows.table)
        self.parts[table_part] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<table xmlns="{MAIN_NS[0]}" id="{table_id}" name="{name}" displayName="{name}" '
            f'ref="{ref}" totalsRowShown="0"><autoFilter ref="{ref}"/>'
            f'<tableColumns count="{width}">{table_columns}</tableColumns>'
            '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" '
            'showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>').encode()
        self.parts[posixpath.join("xl/worksheets/_rels", f"sheet{n}.xml.rels")] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/table" Target="../tables/table{m}.xml"/>'
            '</Relationships>').encode()
        self._register_sheet(rows.sheet, sheet_part, table_part)

    def _register_sheet(self, sheet_name: str, sheet_part: str, table_part: str) -> None:
        """The new sheet in workbook.xml (last), its relationship and content types."""
        book_part = self.layout.workbook_part
        folder, base = posixpath.split(book_part)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        with zipfile.ZipFile(self.book) as z:
            book = self.parts.get(book_part, z.read(book_part)).decode("utf-8")
            rels = self.parts.get(rels_part, z.read(rels_part)).decode("utf-8")
            types = self.parts.get("[Content_Types].xml",
                                   z.read("[Content_Types].xml")).decode("utf-8")
        used = set(re.findall(r'\bId\s*=\s*"([^"]*)"', rels))
        k = len(used) + 1
        while f"rId{k}" in used:
            k += 1
        rid = f"rId{k}"
        target = posixpath.relpath(sheet_part, folder or ".")
        rels = insert_before_close(rels, "Relationships",
                                   f'<Relationship Id="{rid}" Type="{_REL}/worksheet" '
                                   f'Target="{target}"/>')
        ids = [int(i) for i in re.findall(r'<(?:\w+:)?sheet\b[^>]*\bsheetId\s*=\s*"(\d+)"', book)]
        main_m = re.search(r"<(\w+:)?sheets\b", book)
        p = main_m.group(1) or "" if main_m else ""
        # declared on the element itself: openpyxl declares it on each sheet, not the root
        rattr = f'xmlns:r="{_REL}" r:id'
        element = (f'<{p}sheet name="{attr_text(sheet_name)}" '
                   f'sheetId="{max(ids, default=0) + 1}" {rattr}="{rid}"/>')
        if not re.search(r"</(?:\w+:)?sheets>", book):
            raise FileError(f"{self.book}: the workbook part lists no sheets; it is damaged")
        book = insert_before_close(book, "sheets", element)
        types = insert_before_close(
            types, "Types",
            f'<Override PartName="/{sheet_part}" ContentType="{_CT_SHEET}"/>'
            f'<Override PartName="/{table_part}" ContentType="{_CT_TABLE}"/>')
        self.parts[book_part] = book.encode("utf-8")
        self.parts[rels_part] = rels.encode("utf-8")
        self.parts["[Content_Types].xml"] = types.encode("utf-8")

    # the parts

    def render(self) -> dict[str, bytes]:
        self._check_formulas()
        out = {}
        for part, sheet in self.sheets.items():
            data = sheet.render(self.edits[part])
            if part in self.grow:
                data = with_dimension(data, sheet, *self.grow[part])
            if data != sheet.data or part not in self.layout.parts:
                out[part] = data
        out.update(self.parts)
        if self.formulas_removed:
            self._drop_calc_chain(out)
        return out

    def _check_formulas(self) -> None:
        for part, edits in self.edits.items():
            sheet = self.sheets[part]
            for (row, col) in edits:
                cell = sheet.cell(row, col)
                if cell is not None and cell.formula is not None:
                    self._check_formula(sheet, cell, self.names.get(part, part), edits)

    def _check_formula(self, sheet: SheetXml, cell: Cell, sheet_name: str, edits: dict) -> None:
        """A formula that other cells share, or an array over several cells, cannot be
        taken out of one cell without breaking the others."""
        where = f"{sheet_name}!{cell_address(cell.row, cell.col)}"
        kind = cell.formula.get("t")
        if kind == "shared" and "ref" in cell.formula:
            users = [c for c in sheet.shared_formula_users(cell.formula.get("si", ""))
                     if (c.row, c.col) != (cell.row, cell.col) and (c.row, c.col) not in edits]
            if users:
                raise FileError(f"{where} holds a shared formula that {len(users)} other "
                                f"cell(s) use (e.g. {sheet_name}!"
                                f"{cell_address(users[0].row, users[0].col)}); this edit "
                                "would break them. Replace the formulas in that column "
                                "by values (Copy, Paste Values) or retype one, then try again")
        if kind in ("array", "dataTable"):
            ref = cell.formula.get("ref", "")
            if ":" in ref and ref.split(":")[0] != ref.split(":")[1]:
                raise FileError(f"{where} is part of an array formula over {ref}; this edit "
                                "would break it. Replace it by values, then try again")

    def _drop_calc_chain(self, out: dict[str, bytes]) -> None:
        """Formulas were taken out: Excel's calculation chain would name cells without one
        (Excel calls that unreadable content), so it goes; Excel rebuilds it on load."""
        chain = next((p for p in self.layout.parts if p.casefold() == "xl/calcchain.xml"), None)
        if chain is None:
            return
        self.drop.add(chain)
        book_part = self.layout.workbook_part
        folder, base = posixpath.split(book_part)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        with zipfile.ZipFile(self.book) as z:
            rels = out.get(rels_part) or z.read(rels_part)
            types = out.get("[Content_Types].xml") or z.read("[Content_Types].xml")
        out[rels_part] = re.sub(rb"<(?:\w+:)?Relationship\b[^>]*calcChain[^>]*/>", b"", rels)
        out["[Content_Types].xml"] = re.sub(
            rb'<(?:\w+:)?Override\b[^>]*PartName="/' + re.escape(chain.encode()) + rb'"[^>]*/>',
            b"", types)


def sheet_text_cell(row: int, col: int, text: str) -> str:
    """An inline-string cell of a sheet this module writes from scratch."""
    return (f'<c r="{cell_address(row, col)}" t="inlineStr"><is><t>{encode_text(text)}</t>'
            '</is></c>')


def _add_table_columns(data: bytes, headers: tuple[str, ...], part: str) -> bytes:
    """A table part with ``headers`` appended to its tableColumns (ids after the last)."""
    match = re.search(rb"<((?:[\w.-]+:)?)tableColumns\b([^>]*)>", data)
    close = re.search(rb"</(?:[\w.-]+:)?tableColumns\s*>", data)
    if match is None or close is None:
        raise FileError(f"part {part} lists no table columns; the table is damaged")
    prefix = match.group(1).decode()
    ids = [int(i) for i in re.findall(rb'<(?:[\w.-]+:)?tableColumn\b[^>]*\sid\s*=\s*"(\d+)"',
                                      data)]
    count = len(re.findall(rb"<(?:[\w.-]+:)?tableColumn\b", data)) + len(headers)
    new = "".join(f'<{prefix}tableColumn id="{max(ids, default=0) + i}" '
                  f'name="{attr_text(h)}"/>' for i, h in enumerate(headers, start=1)).encode()
    opening = re.sub(rb'\scount\s*=\s*"\d+"', f' count="{count}"'.encode(), match.group(0))
    return (data[:match.start()] + opening + data[match.end():close.start()] + new
            + data[close.start():])


def insert_before_close(text: str, element: str, insert: str) -> str:
    """``insert`` just before the last ``</element>`` (any prefix); an empty
    ``<element/>`` is opened.

    >>> insert_before_close("<a><b/></a>", "a", "<c/>")
    '<a><b/><c/></a>'
    >>> insert_before_close("<x:s/>", "s", "<x:t/>")
    '<x:s><x:t/></x:s>'
    """
    closes = list(re.finditer(rf"</(\w+:)?{element}\s*>", text))
    if closes:
        at = closes[-1].start()
        return text[:at] + insert + text[at:]
    empty = re.search(rf"<((?:\w+:)?{element})\b([^>]*?)\s*/>", text)
    if empty is None:
        raise FileError(f"no {element} element to add to; the part is damaged")
    return (text[:empty.start()] + f"<{empty.group(1)}{empty.group(2)}>{insert}"
            f"</{empty.group(1)}>" + text[empty.end():])


def _write_package(book: Path, tmp: Path, parts: dict[str, bytes], drop: set[str]) -> None:
    """Every part of ``book`` into ``tmp`` in its order, byte for byte unless changed;
    new parts last."""
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(tmp, "w") as zout:
        seen = set()
        for info in zin.infolist():
            name = info.filename
            if name in drop or name in seen:
                continue
            seen.add(name)
            try:
                _copy_part(zin, zout, info, parts.get(name), book)
            except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                raise FileError(f"{book}: part {name} is damaged or truncated ({exc}); "
                                "nothing was written. Open the workbook in Excel, save it, "
                                "then try again") from exc
            except NotImplementedError as exc:
                raise FileError(f"{book}: part {name} is compressed in a way Excel never "
                                f"uses ({exc}); save the workbook again from Excel") from exc
            except RuntimeError as exc:  # an entry encrypted with a zip password
                raise FileError(f"{book}: part {name} is encrypted inside the zip; Excel "
                                "never writes that: save the workbook again from Excel") \
                    from exc
        for name, data in parts.items():
            if name not in seen:
                zout.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data,
                              compress_type=zipfile.ZIP_DEFLATED)


def _copy_part(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo,
               new: bytes | None, book: Path) -> None:
    """One part into the new package: ``new`` if given, else its own bytes, streamed."""
    out = zipfile.ZipInfo(info.filename, info.date_time)
    out.compress_type = info.compress_type if info.compress_type in (
        zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) else zipfile.ZIP_DEFLATED
    out.external_attr = info.external_attr
    out.create_system = info.create_system
    if new is not None:
        zout.writestr(out, new)
        return
    if info.file_size > MAX_PART_BYTES:
        raise FileError(f"{book}: part {info.filename} would inflate to {info.file_size:,} "
                        "bytes; refusing it as a possible zip bomb")
    out.file_size = info.file_size
    with zin.open(info) as src, zout.open(out, "w") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
