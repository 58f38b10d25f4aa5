"""Sheet rows: a worksheet part's rows and typed cells, in one pass.

Sheet rows, the bulk of a big read, skip element objects: a fast lane for sheets as
Excel and XlsxWriter write plain values (expat checks every byte, regular expressions
cut out the cells) and expat's handlers for any other sheet (:func:`scan_rows`). The
cells come out typed: numbers, text (shared strings and ``_xHHHH_`` escapes decoded),
booleans, dates where the cell's style shows a date, :class:`CellError` and
:class:`FormulaNoResult`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from xml.parsers import expat

from ..cells import column_index
from .package import (
    MAIN, ROW_END, Package, StopScan, parse_whole_number, utf8_declaration_end,
)

_BUILTIN_PERCENT_FORMATS = frozenset({9, 10})
#: Built-in number formats that show a date (ECMA-376 18.8.30, with the East Asian ids).
_BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36,
                                   50, 51, 52, 53, 54, 57, 58})
_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
#: An elapsed-time part of a number format: ``[h]``, ``[mm]``, ``[ss]`` (a duration).
_ELAPSED_RE = re.compile(r"\[(?:h+|m+|s+)\]")
_EPOCH_1900 = dt.datetime(1899, 12, 30)  # serial 1 is 1900-01-01 once past Excel's 29 Feb 1900
_EPOCH_1904 = dt.datetime(1904, 1, 1)


def decode_escapes(text: str) -> str:
    r"""Excel's ``_xHHHH_`` escapes in stored text, decoded (ECMA-376 22.9.2.19).

    Excel writes a carriage return as ``_x000D_``, a tab as ``_x0009_`` and a literal
    ``_x`` as ``_x005F_x`` (the underscore escaped), in shared strings, inline strings
    and table column names.

    >>> decode_escapes("Current_x000D_\nposition"), decode_escapes("CS01_x0009_")
    ('Current\r\nposition', 'CS01\t')
    >>> decode_escapes("_x005F_x0009_ stays"), decode_escapes("no escapes _x12_")
    ('_x0009_ stays', 'no escapes _x12_')
    >>> decode_escapes("_xD83D__xDE00_") == "\U0001f600"  # a surrogate pair joins up
    True
    """
    if "_x" not in text:
        return text
    decoded = _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if any("\ud800" <= ch <= "\udfff" for ch in decoded):
        decoded = decoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return decoded


def serial_to_datetime(serial: float, date1904: bool = False) -> dt.datetime | None:
    """An Excel date serial to a datetime, in the workbook's date system.

    The 1900 system counts 1 as 1900-01-01 and keeps Lotus 1-2-3's 29 February 1900
    (serial 60), a day that never was: it reads as 28 February 1900, as openpyxl and
    python-calamine read it (one day with serial 59, never 1 March, serial 61). The
    1904 system (old Mac workbooks, ``workbookPr date1904``) counts 0 as 1904-01-01.
    Serials outside Excel's range give ``None``.

    >>> serial_to_datetime(42643), serial_to_datetime(41181, date1904=True)
    (datetime.datetime(2016, 9, 30, 0, 0), datetime.datetime(2016, 9, 30, 0, 0))
    >>> serial_to_datetime(1), serial_to_datetime(61), serial_to_datetime(-1)
    (datetime.datetime(1900, 1, 1, 0, 0), datetime.datetime(1900, 3, 1, 0, 0), None)
    >>> serial_to_datetime(59), serial_to_datetime(60.5)
    (datetime.datetime(1900, 2, 28, 0, 0), datetime.datetime(1900, 2, 28, 12, 0))
    """
    if not 0 <= serial < 2958466:  # 9999-12-31 is the last date Excel shows
        return None
    if date1904:
        base = _EPOCH_1904
    elif serial >= 61:
        base = _EPOCH_1900
    else:
        base = _EPOCH_1900 + dt.timedelta(days=1)
        if serial >= 60:
            serial -= 1  # 29 February 1900 is the 28th
    return base + dt.timedelta(days=round(serial * 86400_000) / 86400_000)


def parse_iso_time(text: str) -> dt.time | None:
    """An ISO 8601 time of day alone in a date cell (``t="d"``), as Excel's Strict files
    save a cell that holds only a time, else ``None``.

    >>> parse_iso_time("10:10:10"), parse_iso_time("2016-09-30") is None
    (datetime.time(10, 10, 10), True)
    """
    try:
        return dt.time.fromisoformat(text.strip()).replace(tzinfo=None)
    except ValueError:
        return None


def parse_iso_date(text: str) -> dt.datetime | None:
    """An ISO 8601 date cell (``t="d"``) as a datetime (UTC offsets dropped), else ``None``.

    >>> parse_iso_date("2016-09-30T00:00:00Z"), parse_iso_date("2016-09-30")
    (datetime.datetime(2016, 9, 30, 0, 0), datetime.datetime(2016, 9, 30, 0, 0))
    >>> parse_iso_date("30/09/2016") is None
    True
    """
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        try:
            value = dt.datetime.combine(dt.date.fromisoformat(text.strip()), dt.time())
        except ValueError:
            return None
    return value.replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class FormulaNoResult:
    """A formula cell whose saved result is absent (the file was never calculated)."""

    formula: str

    def __str__(self) -> str:
        return f"={self.formula}"


@dataclass(frozen=True, slots=True)
class CellError:
    """An Excel error value such as ``#DIV/0!``."""

    code: str

    def __str__(self) -> str:
        return self.code


def text_of(elem, main: str = MAIN) -> str:
    """Text of a shared or inline string (rich-text runs joined, phonetic runs left
    out), its ``_xHHHH_`` escapes decoded."""
    parts = []
    for child in elem:
        if child.tag == f"{main}t":
            parts.append(child.text or "")
        elif child.tag == f"{main}r":
            t = child.find(f"{main}t")
            if t is not None:
                parts.append(t.text or "")
    return decode_escapes("".join(parts))


#: A shared strings part as Excel and XlsxWriter write plain text: ``<si><t>`` items one
#: after another, no runs, no white space between them (:func:`_plain_shared_strings`).
_PLAIN_SI_RUN = re.compile(r'(?:<si><t(?: xml:space="preserve")?>[^<\r]*</t></si>)*')
_PLAIN_SI_TEXT = re.compile(r'<si><t(?: xml:space="preserve")?>([^<\r]*)</t>')
_ENTITY_RE = re.compile(r"&(lt|gt|amp|quot|apos);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
#: Above this a part is parsed as it streams (expat) rather than read whole.
_PLAIN_SI_MAX_BYTES = 16 << 20


def read_shared_strings(pkg: Package, name: str | None) -> list[str]:
    if not name or not pkg.has(name):
        return []
    plain = _plain_shared_strings(pkg, name)
    if plain is not None:
        return plain
    strings = []
    si_tag = f"{pkg.main}si"
    for _event, elem in pkg.iterparse(name):
        if elem.tag == si_tag:
            strings.append(text_of(elem, pkg.main))
            elem.clear()
            pkg.release()
    return strings


def _plain_shared_strings(pkg: Package, name: str) -> list[str] | None:
    """The texts of a shared strings part written as plain ``<si><t>`` items, read by
    regular expressions at C speed; ``None`` for any other part (rich text, phonetic
    runs, white space between items, a carriage return, a character reference, a
    declaration or comment, another encoding or namespace, a big part), which
    :func:`read_shared_strings` parses. The texts are the parser's: the five XML
    entities and ``_xHHHH_`` escapes decoded."""
    if pkg.names[name.casefold()].file_size > _PLAIN_SI_MAX_BYTES:
        return None
    raw = pkg.open(name)
    try:
        data = b"".join(iter(lambda: raw.read(1 << 20), b""))
    except Exception:  # damaged or over its caps: the parser says which
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"<!" in data or b"&#" in data or utf8_declaration_end(data) is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    start = text.find("<sst ")
    head_end = text.find(">", start)
    end = text.rfind("</sst>")
    if (start < 0 or head_end < 0 or end < head_end or text[end + 6:].strip()
            or text[head_end - 1] == "/" or "?" in text[text.find("?>") + 2:start]
            or f'xmlns="{pkg.main[1:-1]}"' not in text[start:head_end]):
        return None
    body = text[head_end + 1:end]
    if _PLAIN_SI_RUN.fullmatch(body) is None:
        return None
    strings = _PLAIN_SI_TEXT.findall(body)
    if "&" in body:
        if body.count("&") != len(_ENTITY_RE.findall(body)):
            return None  # an entity XML does not define: the parser refuses it
        strings = [_ENTITY_RE.sub(_entity, t) if "&" in t else t for t in strings]
    if "_x" in body:
        strings = [decode_escapes(t) if "_x" in t else t for t in strings]
    return strings


def _entity(found: re.Match) -> str:
    return _ENTITIES[found.group(1)]


def is_date_format(code: str) -> bool:
    """A custom number format that shows a date (a day, month or year part), not a time
    of day alone, a percent or plain text.

    >>> [is_date_format(c) for c in ("dd/mm/yyyy", "mmm-yy", "[$-409]d-mmm;@", "h:mm")]
    [True, True, True, False]
    >>> [is_date_format(c) for c in ("0.0%", '0 "days"', "[Red]0.00", "General")]
    [False, False, False, False]

    An elapsed time (``[h]:mm``, ``[mm]:ss``) is a duration, a number, never a date:

    >>> [is_date_format(c) for c in ("[h]:mm", "[hh]:mm", "[h]:mm:ss", "[mm]:ss")]
    [False, False, False, False]
    """
    code = re.sub(r'"[^"]*"|\\.|_.|\*.', "", code).casefold()
    if _ELAPSED_RE.search(code):
        return False
    code = re.sub(r"\[[^\]]*\]", "", code)
    if "general" in code or "%" in code:
        return False
    return "d" in code or "y" in code or ("m" in code and "h" not in code and "s" not in code)


def read_cell_styles(pkg: Package, name: str | None) -> tuple[frozenset[int], frozenset[int]]:
    """Indexes of cell formats (``s`` attribute) whose number format shows a percent,
    and those that show a date."""
    if not name or not pkg.has(name):
        return frozenset(), frozenset()
    root = pkg.root(name)
    main = pkg.main
    percent_ids = set(_BUILTIN_PERCENT_FORMATS)
    date_ids = set(_BUILTIN_DATE_FORMATS)
    numfmts = root.find(f"{main}numFmts")
    for fmt in numfmts if numfmts is not None else ():
        raw_code = fmt.get("formatCode", "")
        code = re.sub(r'"[^"]*"|\\.', "", raw_code)
        fmt_id = parse_whole_number(fmt.get("numFmtId", "-1"), pkg.path, name)
        if "%" in code:
            percent_ids.add(fmt_id)
        elif is_date_format(raw_code):
            date_ids.add(fmt_id)
        else:
            date_ids.discard(fmt_id)  # a built-in id the workbook redefines
    xfs = root.find(f"{main}cellXfs")
    ids = [parse_whole_number(xf.get("numFmtId", "0"), pkg.path, name)
           for xf in (xfs if xfs is not None else ())]
    return (frozenset(i for i, f in enumerate(ids) if f in percent_ids),
            frozenset(i for i, f in enumerate(ids) if f in date_ids))


@dataclass(frozen=True, slots=True)
class Book:
    """What reading any cell needs: the shared strings, which styles show percents and
    dates, the date system, and whether saved formula results are to be trusted."""

    main: str
    strings: list[str]
    percent_styles: frozenset[int]
    date_styles: frozenset[int]
    calc_on_load: bool
    date1904: bool
    #: The tags read in every cell, made once (the cell loop is the hot path).
    v_tag: str = ""
    f_tag: str = ""
    is_tag: str = ""

    def __post_init__(self) -> None:
        for name, local in (("v_tag", "v"), ("f_tag", "f"), ("is_tag", "is")):
            object.__setattr__(self, name, f"{self.main}{local}")


def scan_rows(pkg: Package, part: str, book: Book, on_row) -> None:
    """Every row of a worksheet part, in order: ``on_row(row_no, cells)`` with the row's
    number (its ``r``, else one past the row before) and its cells as ``(column, style,
    value)`` (``column`` from the cell's ``r``, else one past the cell before; ``style``
    the ``s`` attribute as written, or ``None``). ``on_row`` raises :class:`StopScan`
    to stop.

    The hot path of a big read. Most sheets take the fast lane (:func:`_scan_plain`);
    any other goes to :func:`_scan_elements`. Both read what the element reader before
    them read (tests/reading/test_scan.py keeps it as the oracle).
    """
    try:
        _scan_plain(pkg, part, book, on_row)
    except _NotPlain:
        _scan_elements(pkg, part, book, on_row)  # from the top: on_row's work is idempotent


def _scan_elements(pkg: Package, part: str, book: Book, on_row) -> None:
    """:func:`scan_rows` for any sheet: expat's handlers called directly (no element
    objects); a cell's value is made from its ``t`` attribute and the texts of its first
    ``v`` and ``f`` children (or its inline string's ``t`` runs). The part goes through
    the same DTD guard, size caps and held-tag bound as :meth:`Package.iterparse` (a
    row's tags are held until the row ends)."""
    main = book.main
    ns = main[1:-1] + "}"  # expat's names: "uri}local"
    c_tag, row_tag, data_tag = ns + "c", ns + "row", ns + "sheetData"
    v_tag, f_tag, is_tag, t_tag, r_tag = ns + "v", ns + "f", ns + "is", ns + "t", ns + "r"
    strings, calc_on_load = book.strings, book.calc_on_load
    depth = 0
    cell_depth = -1     # the depth of the open <c>, or -1 outside one
    attrs: dict = {}    # the open cell's attributes
    cells: list = []    # the open row's cells
    cell_rows: list = []  # the row number each cell's r names ("" where it has none)
    row_r = None
    row_no = col_no = 0
    capture = None      # the list the open text goes to, while a text is wanted
    v_text = f_text = None  # the cell's first <v> and <f> texts (lists), or None
    inline = None       # an inline string's runs, or None
    run_open = False    # inside an <r> of an inline string, before its first <t>
    is_open = False     # inside the cell's first <is>
    row_depth = -1      # the depth of the open <row>

    def start(tag, a):
        nonlocal depth, cell_depth, attrs, capture, v_text, f_text, inline, run_open, \
            is_open, row_r, row_depth
        depth += 1
        capture = None  # a child element ends the text its parent holds before it
        if cell_depth < 0:
            if tag == c_tag:
                if depth == row_depth + 1:
                    cell_depth, attrs = depth, a
                    v_text = f_text = inline = None
            elif tag == row_tag:
                row_depth, row_r = depth, a.get("r")
            return
        level = depth - cell_depth
        if level == 1:
            if tag == v_tag:
                if v_text is None:
                    capture = v_text = []
            elif tag == f_tag:
                if f_text is None:
                    capture = f_text = []
            elif tag == is_tag:
                if inline is None:
                    inline, is_open = [], True
        elif level == 2 and is_open:
            if tag == t_tag:
                capture = []
                inline.append(capture)
            elif tag == r_tag:
                run_open = True
        elif level == 3 and run_open and tag == t_tag:
            run_open = False
            capture = []
            inline.append(capture)

    def end(tag):
        nonlocal depth, cell_depth, capture, row_r, run_open, is_open, row_depth, row_no, \
            col_no
        capture = None
        if depth == cell_depth:
            cell_depth = -1
            is_open = run_open = False
            ref = attrs.get("r")
            if ref:
                letters = ref.rstrip("0123456789")
                col_no = column_index(letters)
                cell_rows.append(ref[len(letters):])
            else:
                col_no += 1
                cell_rows.append("")
            cells.append((col_no, attrs.get("s"),
                          _value(attrs.get("t", "n"), v_text, f_text, inline)))
        elif cell_depth < 0:
            if depth == row_depth:
                row_depth = -1
                row, r, named = cells[:], row_r, cell_rows[:]
                cells.clear()
                cell_rows.clear()
                row_r, col_no = None, 0
                pkg.release()
                if not r and named and named[0]:
                    r = named[0]  # a row without r after skipped rows: its cells say where
                row_no = int(r) if r else row_no + 1
                if any(n and n != r for n in named):
                    _each_row(row_no, row, named, on_row)
                else:
                    on_row(row_no, row)
            elif tag == data_tag:
                raise StopScan
        elif depth == cell_depth + 1:
            is_open = False
        elif tag == r_tag:
            run_open = False
        depth -= 1

    def chars(data):
        if capture is not None:
            capture.append(data)

    def _value(kind, v, f, inline):
        text = "".join(v) if v else None
        if f is not None:
            if calc_on_load:  # the writer asked for a recalculation: results are stale
                return FormulaNoResult("".join(f))
            if text is None:
                if kind == "str" and v is not None:
                    return ""  # a formula whose saved result is the empty string
                if kind != "inlineStr" or inline is None:
                    return FormulaNoResult("".join(f))
        if kind == "inlineStr":
            return decode_escapes("".join("".join(t) for t in inline)) if inline else ""
        return _typed(kind, text, strings)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    pkg.parse_with(part, lambda chunk: parser.Parse(chunk, False),
                   lambda: parser.Parse(b"", True))


def _each_row(row_no: int, cells: list, named: list[str], on_row) -> None:
    """A row whose cells name other rows in their ``r``: each cell goes to the row it
    names (cells without ``r`` to the row's own), in the order the rows first appear."""
    by_row: dict[int, list] = {}
    for cell, name in zip(cells, named):
        by_row.setdefault(int(name) if name else row_no, []).append(cell)
    for number, found in by_row.items():
        on_row(number, found)


def _typed(kind: str, text: str | None, strings: list[str]) -> object:
    """A cell's value from its type (``t``) and its ``v`` text (no formula, no inline
    string)."""
    if text is None:
        return None
    if kind == "n":
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "s":
        try:
            index = int(text)
            if index >= 0:  # a negative index would pick another cell's text
                return strings[index]
        except (ValueError, IndexError):
            pass
        return CellError("#REF!")
    if kind == "b":
        return text.strip() == "1"
    if kind == "e":
        return CellError(text)
    if kind == "d":  # an ISO 8601 date or time (Strict files, and some other writers)
        return parse_iso_date(text) or parse_iso_time(text) or text
    if kind == "str":  # a formula's text result
        return decode_escapes(text)
    try:
        return float(text)
    except ValueError:
        return text


class _NotPlain(Exception):
    """The sheet is not in the form the fast lane reads."""


_ROOT_RE = re.compile(rb'\s*<worksheet\b([^<>]*)>')
_SHEET_DATA_RE = re.compile(rb'<sheetData\b')
_ROW_RE = re.compile(rb'\s*<row((?:\s+[A-Za-z0-9_:.-]+="[^"<&]*")*)\s*(/?)>')
_ROW_NO_RE = re.compile(rb'\sr="([^"]*)"')
_DATA_END_RE = re.compile(rb'\s*</sheetData>')
_CELL = (rb'<c r="([A-Z]{1,3})([0-9]+)"(?: s="([0-9]+)")?(?: t="([A-Za-z]+)")?'
         rb'(?:/>|>(?:<v>([^<&]*)</v>)?</c>)')
_PLAIN_CELL_RE = re.compile(_CELL)
_CELLS_RE = re.compile(rb'(?:' + _CELL.replace(b"(", b"(?:").replace(b"(?:?:", b"(?:")
                       + rb')*')


def _xml_text(raw: bytes) -> str:
    r"""Text as an XML parser gives it: line ends (CR LF, or CR alone) read as LF.

    >>> _xml_text(b"one\r\ntwo\rthree")
    'one\ntwo\nthree'
    """
    text = raw.decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


class _Columns(dict):
    """Column letters (bytes) -> 1-based number, worked out once each."""

    def __missing__(self, letters: bytes) -> int:
        self[letters] = index = column_index(letters.decode("ascii"))
        return index


def _scan_plain(pkg: Package, part: str, book: Book, on_row) -> None:
    """The fast lane of :func:`scan_rows`, for a sheet as Excel and XlsxWriter write
    plain values: UTF-8, the main namespace unprefixed, no comments, CDATA or processing
    instructions, and cells each ``<c r=".." s=".." t=".."><v>text</v></c>`` (attributes
    in that order, ``s`` and ``t`` optional, text without entities). Each chunk is
    first parsed by expat (no handlers: its C speed; so a malformed part, a DTD or an
    entity is refused as before); the rows are then cut out by regular expressions.
    Anything else, anywhere, raises :class:`_NotPlain` (then the general reader reads
    the sheet from the top)."""
    strings, ns = book.strings, book.main[1:-1].encode()
    checker = expat.ParserCreate(namespace_separator="}")
    columns = _Columns()
    state = {"head": True, "row_no": 0, "rest": b"", "last": b""}

    def rows(buf: bytes) -> bytes:
        """Hand on every complete row of ``buf``; the incomplete rest is returned."""
        pos, size, row_no = 0, len(buf), state["row_no"]
        while pos < size:
            m = _ROW_RE.match(buf, pos)
            if m is None:
                if _DATA_END_RE.match(buf, pos) is not None:
                    raise StopScan  # nothing after the rows is read
                if buf.find(b">", pos) < 0 or buf[pos:].isspace():
                    break  # the next tag is cut by the chunk's end
                raise _NotPlain
            if b"xmlns" in m.group(1):
                raise _NotPlain
            if m.group(2):  # <row .../>: no cells
                body, after = b"", m.end()
            else:
                close = buf.find(ROW_END, m.end())
                if close < 0:
                    break
                body, after = buf[m.end():close], close + len(ROW_END)
                if _CELLS_RE.fullmatch(body) is None:
                    raise _NotPlain
            r = _ROW_NO_RE.search(m.group(1))
            found = _PLAIN_CELL_RE.findall(body)
            r = r.group(1) if r is not None else found[0][1] if found else None
            row_no = int(r.decode("utf-8")) if r else row_no + 1
            cells = []
            add = cells.append
            for letters, digits, style, kind, text in found:
                if digits != r:
                    raise _NotPlain  # a cell naming another row: the general reader places it
                if not kind:
                    try:
                        value = float(text) if text else None
                    except ValueError:
                        value = _typed("n", _xml_text(text), strings)
                elif kind == b"s" and text:
                    try:
                        index = int(text)
                        # a negative index would pick another cell's text
                        value = strings[index] if index >= 0 else CellError("#REF!")
                    except (ValueError, IndexError):
                        value = _typed("s", _xml_text(text), strings)
                elif kind == b"inlineStr":
                    value = ""  # <c t="inlineStr"/>: no inline string
                else:
                    value = _typed(kind.decode("ascii"), _xml_text(text) or None, strings)
                add((columns[letters], style or None, value))
            state["row_no"] = row_no
            pkg.release()
            on_row(row_no, cells)
            pos = after
        return buf[pos:]

    def feed(chunk: bytes) -> None:
        checker.Parse(chunk, False)
        seam = state["last"] + chunk
        state["last"] = chunk[-1:]
        buf = state["rest"] + chunk
        if state["head"]:
            start = 0
            if buf.startswith(b"\xef\xbb\xbf"):
                start = 3
            after = utf8_declaration_end(buf, start)
            if after is None or (after == start and not buf[start:].lstrip().startswith(b"<")):
                raise _NotPlain  # another encoding declared, or UTF-16 without a declaration
            start = after
            if b"<!" in buf[start:] or b"<?" in buf[start:]:
                raise _NotPlain
            data = _SHEET_DATA_RE.search(buf, start)
            if data is None:
                if len(buf) > 1 << 20:
                    raise _NotPlain
                state["rest"] = buf
                return
            root = _ROOT_RE.match(buf, start)
            if (root is None or b"'" in root.group(1)
                    or b'xmlns="' + ns + b'"' not in root.group(1)):
                raise _NotPlain
            if buf.startswith(b"<sheetData/>", data.start()):
                raise StopScan
            if not buf.startswith(b"<sheetData>", data.start()):
                raise _NotPlain
            state["head"] = False
            buf = buf[data.start() + len(b"<sheetData>"):]
        elif b"<!" in seam or b"<?" in seam:
            raise _NotPlain
        state["rest"] = rows(buf)

    def finish() -> None:
        checker.Parse(b"", True)
        raise _NotPlain  # the part ended without the end of its rows: not as Excel writes

    pkg.parse_with(part, feed, finish)
