"""A worksheet's XML edited in place: its cells, its dimension, a table's range.

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

import re
from collections.abc import Callable
from xml.parsers import expat

from ..errors import FileError
from .sheet_scan import Cell, PlainRows, Row, sheet_data_span
from ..cells import (
    SPREADSHEET_NS, STRICT_SPREADSHEET_NS, cell_address, column_index, parse_cell_address,
)

MAIN_NS = (SPREADSHEET_NS, STRICT_SPREADSHEET_NS)
_SEP = "\x01"
_SPANNED = frozenset({"sheetData", "row", "c", "v", "f", "is"})  # elements whose end we need
#: A start tag from its ``<``: name, attributes (values may hold ``>``), end.
_START_TAG = re.compile(rb'<([\w.:-]+)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|\'[^\']*\'))*)\s*(/?)>')
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
#: A cell that refers to the shared strings (``t="s"``), in cell XML the editor wrote.
_SHARED_CELL = re.compile(rb'<(?:[\w.-]+:)?c\s[^>]*?\bt\s*=\s*["\']s["\']')
#: The ``count`` attribute of the shared strings part's root.
_SST_COUNT = re.compile(rb'<(?:[\w.-]+:)?sst\b[^>]*?\s(count\s*=\s*["\'])(\d+)')
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

    #: Plain sheet data by the fast lane (:mod:`kpi_core.authoring.sheet_scan`); the
    #: tests turn it off to compare both lanes.
    fast = True

    def _parse(self) -> None:
        """The outline: sheetData, rows, formula cells, column styles, the dimension;
        where the sheet data is plain, expat reads the rest and the fast lane the rows."""
        cut = sheet_data_span(self.data) if self.fast else None
        if cut is not None:
            self._expat_outline(self.data[:cut[0]] + self.data[cut[1]:], cut)
            plain = PlainRows(self.data, self.prefix, *cut, self._namespaces)
            found = plain.outline(self._cell_column) if self.sheet_data else None
            if found is not None:
                self._plain, (self.rows, self.formulas) = plain, found
                self.row_index = {row.number: row for row in self.rows}
                return
            self.prefix, self.col_styles, self._namespaces = "", [], {}
            self.sheet_data = self.dimension = None
        self._expat_outline(self.data, None)

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
                self.sheet_data = (at, first.end(), inner_end if cut is None else cut[1])

        def namespace(prefix: str | None, uri: str) -> None:
            self._namespaces.setdefault(prefix or "", uri)

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.StartNamespaceDeclHandler = namespace
        self._run(parser, data)
        if cut is not None:
            return  # the rows are the fast lane's
        if self.sheet_data is None:
            raise FileError(f"part {self.part} has no sheetData; the worksheet is damaged")
        self.row_index = {row.number: row for row in self.rows}

    def _parse_row(self, row: Row) -> list[Cell]:
        """A row's cells in full: values, formulas, inline strings and their spans."""
        if row.tag_end == row.end:
            return []
        cells = self._plain.row_cells(row, self._cell_column) if self._plain else None
        if cells is not None:
            return cells
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


    # --- writing ----------------------------------------------------------------------

    def shared_string_change(self, edits: dict[tuple[int, int], bytes]) -> int:
        """How many more cells refer to the shared strings once ``edits`` are rendered
        (negative: fewer): the cells' new XML against the cells they replace. The shared
        strings part's ``count`` moves by it (:func:`with_shared_count`)."""
        change = 0
        for (r, c), xml in edits.items():
            change += len(_SHARED_CELL.findall(xml))
            old = self.cell(r, c)
            if old is not None and old.kind == "s":
                change -= 1
        return change

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



def with_shared_count(data: bytes, change: int) -> bytes:
    """The shared strings part with its ``count`` (the cells that refer to it) moved by
    ``change``; every other byte kept.

    >>> with_shared_count(b'<sst xmlns="x" count="5" uniqueCount="2"><si/></sst>', -2)
    b'<sst xmlns="x" count="3" uniqueCount="2"><si/></sst>'
    """
    match = _SST_COUNT.search(data)
    if match is None or not change:
        return data  # no count to keep right (it is optional)
    count = max(0, int(match.group(2)) + change)
    return data[:match.start(2)] + str(count).encode() + data[match.end(2):]


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
           "number_text", "parse_range", "range_ref", "with_dimension"]


