"""The worksheet editor's fast lane: plain sheet data scanned with regular expressions.

:class:`~kpi_core.authoring.package.SheetXml` needs, from a worksheet part, where each
row stands (its bytes' span and attributes) and, for the rows an edit touches, where
each cell stands and what it holds. expat gives that exactly but calls Python for every
element: on a 5,000-row Measures sheet, most of a ``collect``. Excel, LibreOffice,
XlsxWriter and openpyxl all write sheet data in one plain shape (double-quoted
attributes without entities, no comments, CDATA or processing instructions, cells
holding only ``v``, ``f`` and ``is``); these scanners read that shape and answer
``None`` for anything else, and the caller then uses expat. A test compares both lanes
on every workbook the tests have: the same rows, cells, spans and texts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..cells import column_index

_ENTITY = re.compile(r"&(lt|gt|amp|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
#: Attributes as the plain shape writes them: name="value", the value without markup,
#: entities or the whitespace XML would normalise.
_ATTRS = rb'(?:\s+[\w.:-]+="[^"&<\t\n\r]*")*'
_ATTR = re.compile(rb'([\w.:-]+)="([^"]*)"')
#: Markup the plain shape never has between rows (a row's content is checked apart).
_NOT_PLAIN = (b"<!--", b"<![CDATA[", b"<?", b"xmlns", b"\r", b"<!")
_SEP = "\x01"


def unescape(text: bytes) -> str | None:
    """Element text as expat gives it; ``None`` for what the fast lane leaves to expat.

    >>> unescape(b"a &amp; b &lt;c&gt; &#65;&#x42;"), unescape(b"&nbsp;")
    ('a & b <c> AB', None)
    """
    value = text.decode("utf-8")
    if "&" not in value:
        return value
    if value.count("&") != len(_ENTITY.findall(value)):
        return None

    def one(match: re.Match) -> str:
        name = match.group(1)
        if name[0] != "#":
            return _NAMED[name]
        return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
    return _ENTITY.sub(one, value)


def attributes(tag_attrs: bytes, namespaces: dict[str, str]) -> dict[str, str] | None:
    """A start tag's attributes keyed as expat keys them (``uri\\x01name`` for a prefixed
    one; ``None`` for an unknown prefix).

    >>> attributes(b' r="3" x14ac:dyDescent="0.25"', {"x14ac": "urn:ac"})
    {'r': '3', 'urn:ac\\x01dyDescent': '0.25'}
    """
    out = {}
    for name, value in _ATTR.findall(tag_attrs):
        key = name.decode("ascii")
        if ":" in key:
            prefix, local = key.split(":", 1)
            if prefix == "xml":
                key = "http://www.w3.org/XML/1998/namespace" + _SEP + local
            elif prefix in namespaces:
                key = namespaces[prefix] + _SEP + local
            else:
                return None
        out[key] = value.decode("utf-8")
    return out


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


def sheet_data_span(data: bytes) -> tuple[int, int] | None:
    """The span of the content of a part's one ``sheetData`` element, or ``None`` when
    it is empty, repeated or not found plainly (the caller then uses expat alone)."""
    opening = list(re.finditer(rb"<((?:[\w.-]+:)?)sheetData\b[^<>]*?(/?)>", data))
    if len(opening) != 1 or opening[0].group(2):
        return None
    close = data.find(b"</" + opening[0].group(1) + b"sheetData>", opening[0].end())
    return None if close < 0 else (opening[0].end(), close)


@functools.lru_cache(maxsize=1024)
def _letters_column(letters: bytes) -> int:
    return column_index(letters.decode("ascii"))


#: The cell column of a reference in a row: (r attribute, row number, previous column).
ColumnOf = Callable[[str | None, int, int], int]


class PlainRows:
    """The rows of a sheetData's content, scanned; ``rows`` is ``None`` when the content
    is not in the plain shape."""

    def __init__(self, data: bytes, prefix: str, start: int, end: int,
                 namespaces: dict[str, str]) -> None:
        self.data, self.prefix, self.namespaces = data, prefix, namespaces
        p = re.escape(prefix.encode())
        self._row = re.compile(rb"\s*<" + p + rb"row(" + _ATTRS + rb")\s*(/?)>")
        self._row_end = b"</" + prefix.encode() + b"row>"
        self._cell = re.compile(rb"\s*<" + p + rb"c(" + _ATTRS + rb")\s*(/?)>")
        self._cell_end = b"</" + prefix.encode() + b"c>"
        self._inner = re.compile(
            rb"\s*(?:<" + p + rb"(v|f|is)(" + _ATTRS + rb")\s*(/?)>)")
        # The commonest cell, whole: r, s and t in that order, no value or a plain <v>.
        self._simple = re.compile(
            rb'\s*(<' + p + rb'c(?: r="([A-Z]{1,3})([0-9]{1,7})")?(?: s="([0-9]+)")?'
            rb'(?: t="([a-zA-Z]+)")?(?:/>|>(?:(<' + p + rb'v>([^<&]*)</' + p + rb'v>))?</'
            + p + rb'c>))')
        self.rows = self._scan(start, end)

    def _scan(self, start: int, end: int) -> list[tuple[int, int, int, dict]] | None:
        """(start, end, start tag end, attributes) of each row, in order."""
        data = self.data
        region = data[start:end]
        if any(mark in region for mark in _NOT_PLAIN):
            return None
        rows, pos = [], start
        while True:
            match = self._row.match(data, pos)
            if match is None or match.start() >= end:
                return rows if not data[pos:end].strip() else None
            attrs = attributes(match.group(1), self.namespaces)
            if attrs is None:
                return None
            if match.group(2):
                rows.append((match.start() + len(match.group(0)) - len(match.group(0).lstrip()),
                             match.end(), match.end(), attrs))
                pos = match.end()
                continue
            close = data.find(self._row_end, match.end(), end)
            if close < 0:
                return None
            row_start = match.end() - len(match.group(0).lstrip())
            rows.append((row_start, close + len(self._row_end), match.end(), attrs))
            pos = close + len(self._row_end)

    def outline(self, cell_column: ColumnOf) -> tuple[list[Row], list[Cell]] | None:
        """The rows and the cells with a formula (position and ``<f>`` only, as the
        outline keeps them); ``None`` where the fast lane declines."""
        if self.rows is None:
            return None
        rows, formulas, number = [], [], 0
        formula_tag = re.compile(rb"<" + re.escape(self.prefix.encode()) + rb"f[\s/>]")
        for row_start, row_end, tag_end, attrs in self.rows:
            r = attrs.get("r")
            if r is not None and not r.isdigit():
                return None  # expat's lane reports it
            number = int(r) if r else number + 1
            row = Row(number, row_start, row_end, tag_end, bool(r), attrs)
            rows.append(row)
            if formula_tag.search(self.data, tag_end, row_end):
                cells = self.row_cells(row, cell_column)
                if cells is None:
                    return None
                formulas.extend(Cell(c.row, c.col, c.start, -1, c.kind, c.style, c.has_r,
                                     formula=c.formula) for c in cells if c.formula is not None)
        return rows, formulas

    def row_cells(self, row: Row, cell_column: ColumnOf) -> list[Cell] | None:
        """A row's cells in full, or ``None`` where the fast lane declines. The commonest
        cells are read by one expression each; the rest of the row, if any, by
        :meth:`cells`."""
        data, close = self.data, row.end - len(self._row_end)
        number, row_no = str(row.number).encode(), row.number
        cells: list[Cell] = []
        col, pos = 0, row.tag_end
        simple = self._simple.match
        while True:
            m = simple(data, pos, close)
            if m is None:
                break
            _whole, letters, digits, style, kind, value, text = m.groups()
            if digits == number:
                col = _letters_column(letters)  # "AB12" in row 12: the common case
            else:
                col = cell_column(letters and (letters + digits).decode(), row_no, col)
            cells.append(Cell(row_no, col, m.start(1), m.end(), kind.decode() if kind else "n",
                              style and style.decode(), letters is not None, None, "",
                              m.span(6) if value is not None else None, None,
                              text.decode("utf-8") if value is not None else None))
            pos = m.end()
        if not data[pos:close].strip():
            return cells
        found = self.cells(pos, row.end)
        if found is None:
            return None
        for (start, end, ref, kind, style, formula, formula_text, value_span, value_text,
             inline_span) in found:
            col = cell_column(ref, row_no, col)
            cells.append(Cell(row_no, col, start, end, kind, style, bool(ref), formula,
                              formula_text, value_span, inline_span, value_text))
        return cells

    def cells(self, tag_end: int, row_end: int) -> list[tuple] | None:
        """Each cell of a row whose content runs from ``tag_end`` to its ``</row>``:
        (start, end, r, kind, style, formula attributes, formula text, value span,
        value text, inline span); ``None`` when it is not in the plain shape."""
        data = self.data
        close = row_end - len(self._row_end)
        out, pos = [], tag_end
        while True:
            match = self._cell.match(data, pos)
            if match is None or match.start() >= close:
                return out if not data[pos:close].strip() else None
            start = match.end() - len(match.group(0).lstrip())
            attrs = attributes(match.group(1), self.namespaces)
            if attrs is None:
                return None
            kind, style, ref = attrs.get("t", "n"), attrs.get("s"), attrs.get("r")
            if match.group(2):
                out.append((start, match.end(), ref, kind, style, None, "", None, None, None))
                pos = match.end()
                continue
            end_at = data.find(self._cell_end, match.end(), close)
            if end_at < 0:
                return None
            inner = self._inner_parts(match.end(), end_at)
            if inner is None:
                return None
            formula, formula_text, value_span, value_text, inline_span = inner
            out.append((start, end_at + len(self._cell_end), ref, kind, style, formula,
                        formula_text, value_span, value_text, inline_span))
            pos = end_at + len(self._cell_end)

    def _inner_parts(self, start: int, end: int) -> tuple | None:
        data, p = self.data, self.prefix.encode()
        formula, formula_text, value_span, value_text, inline_span = None, "", None, None, None
        pos = start
        while True:
            match = self._inner.match(data, pos)
            if match is None or match.start() >= end:
                if data[pos:end].strip():
                    return None
                return formula, formula_text, value_span, value_text, inline_span
            tag, at = match.group(1), match.end() - len(match.group(0).lstrip())
            text_end = match.end()
            if not match.group(3):
                text_end = data.find(b"</" + p + tag + b">", match.end(), end)
                if text_end < 0:
                    return None
            stop = text_end + len(p) + len(tag) + 3 if not match.group(3) else match.end()
            body = data[match.end():text_end]
            if tag == b"is":
                inline_span = (at, stop)
            else:
                if b"<" in body:
                    return None
                text = unescape(body)
                if text is None:
                    return None
                if tag == b"v":
                    value_span, value_text = (at, stop), text
                else:
                    formula = attributes(match.group(2), self.namespaces)
                    if formula is None:
                        return None
                    formula_text = text
            pos = stop
