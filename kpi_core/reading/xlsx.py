"""A small, safe, fast reader of Excel tables from an .xlsx file.

Why our own instead of openpyxl: openpyxl cannot see tables in read-only mode,
gives either formulas or saved results per load (we need both, to tell a formula
with no saved result from an empty cell), imports numpy when present, and costs
about 0.16 s to import. The parts we need (workbook, relationships, shared
strings, styles, table definitions and the rows under a table) are read here with
``zipfile`` and ElementTree's C parser behind a DTD guard: no DTDs or entities are
accepted (defusedxml's rule), each part is read through a size cap (zip bombs are
refused), and only the cells inside the tables are kept. Sheet rows, the bulk of a big
read, skip element objects: a fast lane for sheets as Excel and XlsxWriter write plain
values (expat checks every byte, regular expressions cut out the cells) and expat's
handlers for any other sheet (:func:`_scan_rows`).

The result is plain data (:class:`RawTable`): the same shape the live Excel macro
builds from xlwings ranges, so both go through :mod:`kpi_core.reading.tables`.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import XMLPullParser
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.common import DTDForbidden

from ..cells import (
    OFFICE_RELATIONSHIPS_NS, PACKAGE_RELATIONSHIPS_NS, SPREADSHEET_NS,
    STRICT_OFFICE_RELATIONSHIPS_NS, STRICT_SPREADSHEET_NS, cell_address, column_index,
    parse_cell_address,
)
from ..errors import FileError

_MAIN = f"{{{SPREADSHEET_NS}}}"
_REL_NS = f"{{{PACKAGE_RELATIONSHIPS_NS}}}"
_R_ID = f"{{{OFFICE_RELATIONSHIPS_NS}}}id"
#: Excel's "Strict Open XML Spreadsheet" saves the same content under these namespaces
#: (ISO/IEC 29500 Strict); the package relationships keep theirs.
_STRICT_MAIN = f"{{{STRICT_SPREADSHEET_NS}}}"
_STRICT_R_ID = f"{{{STRICT_OFFICE_RELATIONSHIPS_NS}}}id"

#: Largest uncompressed part we read, and the largest compression ratio we accept
#: for a big part. A real 20,000-measure workbook's sheet is ~15 MB at ratio ~10.
MAX_PART_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200
_RATIO_APPLIES_ABOVE = 8 * 1024 * 1024
#: Largest table (rows x columns, as its range declares) we read: 14x a 20,000-measure
#: table of 18 columns, and a bound on memory (~40 MB of cell slots) when a tiny file
#: declares a table as big as a whole sheet.
MAX_TABLE_CELLS = 5_000_000
#: Most XML tags parsed while their elements are held: within one sheet row or one
#: shared string (a full row of 16,384 cells with formulas has ~100,000), or in a part
#: read whole (styles of 64,000 formats: ~400,000). A part that deflates well can hold
#: millions of tiny or nested elements (150-300 bytes of memory each) under the size
#: and ratio caps; this bounds that to some 150 MB.
MAX_HELD_TAGS = 500_000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BUILTIN_PERCENT_FORMATS = frozenset({9, 10})
#: Built-in number formats that show a date (ECMA-376 18.8.30, with the East Asian ids).
_BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36,
                                   50, 51, 52, 53, 54, 57, 58})
_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
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
    (serial 60); the 1904 system (old Mac workbooks, ``workbookPr date1904``) counts 0
    as 1904-01-01. Serials outside Excel's range give ``None``.

    >>> serial_to_datetime(42643), serial_to_datetime(41181, date1904=True)
    (datetime.datetime(2016, 9, 30, 0, 0), datetime.datetime(2016, 9, 30, 0, 0))
    >>> serial_to_datetime(1), serial_to_datetime(61), serial_to_datetime(-1)
    (datetime.datetime(1900, 1, 1, 0, 0), datetime.datetime(1900, 3, 1, 0, 0), None)
    """
    if not 0 <= serial < 2958466:  # 9999-12-31 is the last date Excel shows
        return None
    if date1904:
        base = _EPOCH_1904
    else:
        base = _EPOCH_1900 if serial >= 61 else _EPOCH_1900 + dt.timedelta(days=1)
    return base + dt.timedelta(days=round(serial * 86400_000) / 86400_000)


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


@dataclass(frozen=True, slots=True)
class RawTable:
    """A table's cells as found: header row first, ``top``/``left`` 1-based.

    ``percent_cells`` holds (row index, column index) into ``rows`` of the cells
    formatted as percentages, where the source knows formats.
    """

    name: str
    sheet: str
    top: int
    left: int
    rows: list[list[object]]
    percent_cells: frozenset[tuple[int, int]] = field(default=frozenset())


@dataclass(frozen=True, slots=True)
class RawWorkbook:
    sheets: tuple[str, ...]
    tables: dict[str, RawTable]  # keyed by table name, casefolded


@dataclass(frozen=True, slots=True)
class TablePart:
    """Where an Excel table lives in the package (for code that edits the package)."""

    name: str
    sheet: str
    sheet_part: str
    table_part: str
    ref: str
    id: int
    header_rows: int
    totals_rows: int


@dataclass(frozen=True, slots=True)
class PackageLayout:
    """The parts of a workbook package that locate its sheets and tables."""

    workbook_part: str
    sheets: tuple[tuple[str, str], ...]  # (sheet name, worksheet part), in workbook order
    tables: tuple[TablePart, ...]
    parts: tuple[str, ...]  # every part name, in the zip's order
    shared_strings: str | None = None  # the shared strings part, when there is one

    def table(self, name: str) -> TablePart | None:
        return next((t for t in self.tables if t.name.casefold() == name.casefold()), None)

    def sheet_part(self, name: str) -> str | None:
        return next((p for s, p in self.sheets if s.casefold() == name.casefold()), None)


def read_layout(path: str | os.PathLike) -> PackageLayout:
    """The workbook part, the worksheets and every table of a package, with the same
    checks and caps as :func:`read_tables` (a :class:`FileError` for anything else)."""
    path = Path(path)
    _check_file(path)
    pkg = _Package(path)
    with pkg.zip:
        stored = {info.filename.casefold(): info.filename for info in pkg.zip.infolist()}

        def real(part: str) -> str:
            """The part's name as the zip stores it (part names ignore case)."""
            return stored.get(part.casefold(), part)

        book_part = real(next((p for kind, p in pkg.rels("").values()
                               if kind == "officeDocument"), "xl/workbook.xml"))
        if not pkg.has(book_part):
            raise FileError(f"{path}: is a zip file but not an Excel workbook "
                            "(it has no workbook part)")
        book, book_rels = pkg.root(book_part), pkg.rels(book_part)
        strings = next((real(p) for kind, p in book_rels.values() if kind == "sharedStrings"),
                       None)
        sheets: list[tuple[str, str]] = []
        sheets_el = book.find(f"{_MAIN}sheets")
        for sheet in sheets_el if sheets_el is not None else ():
            rel = book_rels.get(sheet.get(_R_ID))
            if rel and rel[0] == "worksheet":
                sheets.append((sheet.get("name", ""), real(rel[1])))
        tables = []
        for sheet_name, part in sheets:
            if not pkg.has(part):
                continue
            for kind, table_part in pkg.rels(part).values():
                table_part = real(table_part)
                if kind != "table" or not pkg.has(table_part):
                    continue
                t = pkg.root(table_part)
                tables.append(TablePart(
                    t.get("displayName") or t.get("name") or "", sheet_name, part, table_part,
                    t.get("ref") or "", _int(t.get("id") or "0", path, table_part),
                    _int(t.get("headerRowCount") or "1", path, table_part),
                    _int(t.get("totalsRowCount") or "0", path, table_part)))
        return PackageLayout(book_part, tuple(sheets), tuple(tables),
                             tuple(info.filename for info in pkg.zip.infolist()), strings)


class _CappedReader:
    """File-like wrapper that refuses to inflate past a cap (zip bombs)."""

    def __init__(self, raw, name: str, cap: int) -> None:
        self._raw, self._name, self._left = raw, name, cap

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(65536 if size is None or size < 0 else min(size, 1 << 20))
        self._left -= len(chunk)
        if self._left < 0:
            raise FileError(f"part {self._name} inflates beyond {MAX_PART_BYTES // 2**20} MB; "
                            "refusing it as a possible zip bomb")
        return chunk


class _RootSeen(Exception):
    """The root element has started: no DTD can follow."""


def _refuse_dtd(name, sysid, pubid, _has_internal_subset) -> None:
    raise DTDForbidden(name, sysid, pubid)


def _root_seen(*_args) -> None:
    raise _RootSeen


def _chunks_without_dtd(stream, size: int = 65536):
    """The bytes of a part, refusing a DTD (and so any entity declaration).

    A DTD can only stand before the root element, so a small expat parser reads the
    prolog (in whatever encoding the part declares) and stops at the root element;
    the part is then parsed by ElementTree's C parser, several times faster than
    the pure-Python parser defusedxml's ``iterparse`` runs on. Without a DTD no
    entity can be declared: an undeclared ``&name;`` is a well-formedness error.
    """
    guard = expat.ParserCreate()
    guard.StartDoctypeDeclHandler = _refuse_dtd
    guard.StartElementHandler = _root_seen
    checking = True
    while True:
        chunk = stream.read(size)
        if checking:
            try:
                guard.Parse(chunk, not chunk)
            except _RootSeen:
                checking = False
            except expat.ExpatError:
                checking = False  # not well-formed: the real parser says where
        if not chunk:
            return
        yield chunk


class _Package:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._tags = self._released = 0  # XML tags fed, and when the consumer last let go
        #: The package's SpreadsheetML namespace: transitional, or Strict Open XML's.
        self.main = _MAIN
        try:
            self.zip = zipfile.ZipFile(path)
            # Part names compare case-insensitively (ECMA-376 Part 2, 9.1.1.1):
            # ``xl/SharedStrings.xml`` is the part a relationship names ``sharedStrings.xml``.
            self.names = {info.filename.casefold(): info for info in self.zip.infolist()}
        except zipfile.BadZipFile as exc:
            raise FileError(f"{path}: the file is damaged or truncated (not a complete .xlsx)") \
                from exc

    def has(self, name: str) -> bool:
        return name.casefold() in self.names

    def open(self, name: str):
        info = self.names.get(name.casefold())
        if info is None:
            raise FileError(f"{self.path}: part {name} is missing; the workbook is damaged")
        if info.file_size > MAX_PART_BYTES or (
                info.file_size > _RATIO_APPLIES_ABOVE
                and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
            raise FileError(f"{self.path}: part {name} would inflate to {info.file_size:,} bytes "
                            f"from {info.compress_size:,}; refusing it as a possible zip bomb")
        return _CappedReader(self.zip.open(info), name, MAX_PART_BYTES)

    def release(self) -> None:
        """The consumer of :meth:`iterparse` has cleared what it held so far."""
        self._released = self._tags

    def iterparse(self, name: str, events=("end",)):
        self._tags = self._released = 0
        try:
            parser = XMLPullParser(events)
            for chunk in _chunks_without_dtd(self.open(name)):
                self._tags += chunk.count(b"<")  # counted in C: no cost per element
                if self._tags - self._released > MAX_HELD_TAGS:
                    raise FileError(f"{self.path}: part {name} nests or repeats more than "
                                    f"{MAX_HELD_TAGS:,} XML elements where a workbook has "
                                    "a few; refusing it")
                parser.feed(chunk)
                yield from parser.read_events()
            parser.close()
            yield from parser.read_events()
        except DefusedXmlException as exc:
            raise FileError(f"{self.path}: part {name} declares a DTD or entities, which "
                            "workbooks never need; refusing it") from exc
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
            raise FileError(f"{self.path}: part {name} is damaged or truncated") from exc
        except NotImplementedError as exc:  # a RuntimeError: caught first. Unknown compression
            raise FileError(f"{self.path}: part {name} is compressed in a way Excel never "
                            f"uses ({exc}); save the workbook again from Excel") from exc
        except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
            raise FileError(f"{self.path}: part {name} is encrypted inside the zip; Excel "
                            "never writes that: save the workbook again from Excel") from exc
        except SyntaxError as exc:  # xml.etree.ElementTree.ParseError
            raise FileError(f"{self.path}: part {name} is not well-formed XML ({exc})") from exc

    def parse_with(self, name: str, feed, finish) -> None:
        """Feed a part's bytes to ``feed(chunk)``, then call ``finish()`` (an expat
        parser's handlers, or the fast lane of :func:`_scan_rows`, do the work; a
        :class:`_StopScan` ends it early), behind the same guard, caps and errors as
        :meth:`iterparse`."""
        self._tags = self._released = 0
        try:
            for chunk in _chunks_without_dtd(self.open(name)):
                self._tags += chunk.count(b"<")
                if self._tags - self._released > MAX_HELD_TAGS:
                    raise FileError(f"{self.path}: part {name} nests or repeats more than "
                                    f"{MAX_HELD_TAGS:,} XML elements where a workbook has "
                                    "a few; refusing it")
                feed(chunk)
            finish()
        except _StopScan:
            pass
        except DefusedXmlException as exc:
            raise FileError(f"{self.path}: part {name} declares a DTD or entities, which "
                            "workbooks never need; refusing it") from exc
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
            raise FileError(f"{self.path}: part {name} is damaged or truncated") from exc
        except NotImplementedError as exc:
            raise FileError(f"{self.path}: part {name} is compressed in a way Excel never "
                            f"uses ({exc}); save the workbook again from Excel") from exc
        except RuntimeError as exc:
            raise FileError(f"{self.path}: part {name} is encrypted inside the zip; Excel "
                            "never writes that: save the workbook again from Excel") from exc
        except expat.ExpatError as exc:
            raise FileError(f"{self.path}: part {name} is not well-formed XML ({exc})") from exc

    def root(self, name: str):
        root = None
        for _event, elem in self.iterparse(name):
            root = elem
        return root

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type suffix, target part path) for a part."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if not self.has(rels_name):
            return {}
        out = {}
        for rel in self.root(rels_name).iter(f"{_REL_NS}Relationship"):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            path = target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id")] = (rel.get("Type", "").rsplit("/", 1)[-1], path)
        return out

    def rel_id(self, elem) -> str | None:
        """The ``r:id`` of an element, in either namespace."""
        return elem.get(_R_ID) or elem.get(_STRICT_R_ID)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise FileError(f"{path}: no such file")
    if path.is_dir():
        raise FileError(f"{path}: is a folder, not a workbook")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise FileError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if not head:
        raise FileError(f"{path}: the file is empty")
    if head == _OLE_MAGIC:
        streams = _ole_stream_names(path)
        if "encryptedpackage" in streams:
            raise FileError(f"{path}: is a password-protected workbook; remove the password in "
                            "Excel (File > Info > Protect Workbook > Encrypt with Password, "
                            "clear it) and save it again")
        if "workbook" in streams or "book" in streams:
            raise FileError(f"{path}: is an Excel 97-2003 workbook (.xls); open it in Excel and "
                            "save it as an Excel Workbook (.xlsx)")
        raise FileError(f"{path}: is a password-protected workbook or a legacy .xls file; "
                        "save it as an Excel Workbook (.xlsx) without a password")
    if not head.startswith(b"PK"):
        raise FileError(f"{path}: is not an Excel workbook (.xlsx or .xlsm)")


def _ole_stream_names(path: Path, max_sectors: int = 64) -> set[str]:
    """Lower-cased names in an OLE2 compound file's directory (a bounded walk; empty when
    the file is too odd to tell). Tells a password-protected .xlsx (``EncryptedPackage``)
    from a legacy .xls (``Workbook``) without a dependency."""
    names: set[str] = set()
    try:
        with path.open("rb") as fh:
            header = fh.read(512)
            shift = struct.unpack_from("<H", header, 0x1E)[0]
            if not 7 <= shift <= 16:
                return names
            size = 1 << shift
            difat = struct.unpack_from("<109I", header, 0x4C)
            sector = struct.unpack_from("<I", header, 0x30)[0]
            for _ in range(max_sectors):
                if sector >= 0xFFFFFFFA:
                    break
                fh.seek((sector + 1) * size)
                data = fh.read(size)
                for pos in range(0, len(data) - 127, 128):
                    length = struct.unpack_from("<H", data, pos + 64)[0]
                    if 2 <= length <= 64 and data[pos + 66] in (1, 2, 5):
                        names.add(data[pos:pos + length - 2].decode("utf-16-le", "replace")
                                  .casefold())
                per_fat = size // 4  # the next directory sector, from the FAT
                if sector // per_fat >= len(difat):
                    break
                fh.seek((difat[sector // per_fat] + 1) * size + (sector % per_fat) * 4)
                sector = struct.unpack("<I", fh.read(4))[0]
    except (OSError, struct.error):
        pass  # a damaged container: the general message stands
    return names


def _text_of(elem, main: str = _MAIN) -> str:
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


def _shared_strings(pkg: _Package, name: str | None) -> list[str]:
    if not name or not pkg.has(name):
        return []
    strings = []
    si_tag = f"{pkg.main}si"
    for _event, elem in pkg.iterparse(name):
        if elem.tag == si_tag:
            strings.append(_text_of(elem, pkg.main))
            elem.clear()
            pkg.release()
    return strings


def _is_date_format(code: str) -> bool:
    """A custom number format that shows a date (a day, month or year part), not a time
    of day alone, a percent or plain text.

    >>> [_is_date_format(c) for c in ("dd/mm/yyyy", "mmm-yy", "[$-409]d-mmm;@", "h:mm")]
    [True, True, True, False]
    >>> [_is_date_format(c) for c in ("0.0%", '0 "days"', "[Red]0.00", "General")]
    [False, False, False, False]
    """
    code = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.', "", code).casefold()
    if "general" in code or "%" in code:
        return False
    return "d" in code or "y" in code or ("m" in code and "h" not in code and "s" not in code)


def _cell_styles(pkg: _Package, name: str | None) -> tuple[frozenset[int], frozenset[int]]:
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
        fmt_id = _int(fmt.get("numFmtId", "-1"), pkg.path, name)
        if "%" in code:
            percent_ids.add(fmt_id)
        elif _is_date_format(raw_code):
            date_ids.add(fmt_id)
        else:
            date_ids.discard(fmt_id)  # a built-in id the workbook redefines
    xfs = root.find(f"{main}cellXfs")
    ids = [_int(xf.get("numFmtId", "0"), pkg.path, name)
           for xf in (xfs if xfs is not None else ())]
    return (frozenset(i for i, f in enumerate(ids) if f in percent_ids),
            frozenset(i for i, f in enumerate(ids) if f in date_ids))


def _int(text: str, path: Path, part: str) -> int:
    """A whole number from an attribute; a damaged part says so (never a ValueError)."""
    try:
        return int(text)
    except ValueError as exc:
        raise FileError(f"{path}: part {part} is damaged ({text!r} is not a whole number)") \
            from exc


@dataclass(slots=True)
class _TableDef:
    name: str
    sheet: str
    sheet_part: str
    top: int
    left: int
    bottom: int
    right: int
    #: The table's column names (``tableColumn``), escapes decoded: the header when
    #: a header cell is empty.
    columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Book:
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


def _read_rows(pkg: _Package, part: str, tables: list[_TableDef], book: _Book
               ) -> dict[str, RawTable]:
    """The cells of every table on one sheet, in one pass over the sheet's XML."""
    grids = {t.name: [[None] * (t.right - t.left + 1) for _ in range(t.bottom - t.top + 1)]
             for t in tables}
    percents: dict[str, set] = {t.name: set() for t in tables}
    top = min(t.top for t in tables)
    bottom = max(t.bottom for t in tables)
    # Only row ends are handled (a row's cells are complete by then), so the Python
    # work per XML event stays small: this loop is most of the time of a big read.
    try:
        _fill_grids(pkg, part, tables, grids, percents, book, top, bottom)
    except ValueError as exc:  # a row number or style index that is not a number
        raise FileError(f"{pkg.path}: part {part} is damaged ({exc})") from exc
    for t in tables:
        header = grids[t.name][0]
        for ci, name in enumerate(t.columns[:len(header)]):
            if header[ci] is None and name:
                header[ci] = name
    return {t.name.casefold(): RawTable(t.name, t.sheet, t.top, t.left, grids[t.name],
                                        frozenset(percents[t.name])) for t in tables}


def _fill_grids(pkg: _Package, part: str, tables: list[_TableDef], grids: dict,
                percents: dict, book: _Book, top: int, bottom: int) -> None:
    percent_styles, date_styles, date1904 = book.percent_styles, book.date_styles, book.date1904
    spans = [(t.top, t.bottom, t.left, t.right, grids[t.name], percents[t.name])
             for t in tables]

    def on_row(row_no, cells):
        if row_no > bottom:
            raise _StopScan
        if row_no < top:
            return
        here = [s for s in spans if s[0] <= row_no <= s[1]]
        if not here:
            return
        if len(here) == 1:
            t_top, _bottom, left, right, grid, percent = here[0]
            line = grid[row_no - t_top]
            for col_no, style, value in cells:
                if left <= col_no <= right:
                    if style:
                        index = int(style)
                        if index in percent_styles:
                            percent.add((row_no - t_top, col_no - left))
                        elif date_styles and index in date_styles and type(value) is float:
                            value = serial_to_datetime(value, date1904) or value
                    line[col_no - left] = value
            return
        for col_no, style, value in cells:
            for t_top, _bottom, left, right, grid, percent in here:
                if left <= col_no <= right:
                    ri, ci = row_no - t_top, col_no - left
                    if style:
                        index = int(style)
                        if index in percent_styles:
                            percent.add((ri, ci))
                        elif date_styles and index in date_styles and type(value) is float:
                            value = serial_to_datetime(value, date1904) or value
                    grid[ri][ci] = value

    _scan_rows(pkg, part, book, on_row)


def _fill_sheet(pkg: _Package, part: str, book: _Book, sheet: str) -> RawTable:
    """Every cell of a sheet from A1 to its last used row and column (a plain range has
    no table to bound it), as one grid."""
    rows: dict[int, dict[int, object]] = {}
    percents: set[tuple[int, int]] = set()
    cells_used = width = 0

    def on_row(row_no, cells):
        nonlocal cells_used, width
        found: dict[int, object] = {}
        for col_no, style, value in cells:
            if style:
                index = int(style)
                if index in book.percent_styles:
                    percents.add((row_no - 1, col_no - 1))
                elif index in book.date_styles and type(value) is float:
                    value = serial_to_datetime(value, book.date1904) or value
            if value is not None:
                found[col_no] = value
        if found:
            rows[row_no] = found
            width = max(width, max(found))
            cells_used = max(cells_used, row_no * width)
            if cells_used > MAX_TABLE_CELLS:
                raise FileError(f"{pkg.path}: sheet {sheet} is used as far as "
                                f"{cell_address(row_no, width)}, more than the "
                                f"{MAX_TABLE_CELLS:,} cells this tool reads from a range "
                                "without an Excel table; make the measures an Excel table "
                                "(Insert > Table) named Measures")

    _scan_rows(pkg, part, book, on_row)
    height = max(rows, default=0)
    grid = [[rows.get(ri, {}).get(ci) for ci in range(1, width + 1)]
            for ri in range(1, height + 1)]
    return RawTable(sheet, sheet, 1, 1, grid, frozenset(percents))


class _StopScan(Exception):
    """The rows wanted have all been read."""


def _scan_rows(pkg: _Package, part: str, book: _Book, on_row) -> None:
    """Every row of a worksheet part, in order: ``on_row(row_no, cells)`` with the row's
    number (its ``r``, else one past the row before) and its cells as ``(column, style,
    value)`` (``column`` from the cell's ``r``, else one past the cell before; ``style``
    the ``s`` attribute as written, or ``None``). ``on_row`` raises :class:`_StopScan`
    to stop.

    The hot path of a big read. Most sheets take the fast lane (:func:`_scan_plain`);
    any other goes to :func:`_scan_elements`. Both read what the element reader before
    them read (tests/test_reader_scan.py keeps it as the oracle).
    """
    try:
        _scan_plain(pkg, part, book, on_row)
    except _NotPlain:
        _scan_elements(pkg, part, book, on_row)  # from the top: on_row's work is idempotent


def _scan_elements(pkg: _Package, part: str, book: _Book, on_row) -> None:
    """:func:`_scan_rows` for any sheet: expat's handlers called directly (no element
    objects); a cell's value is made from its ``t`` attribute and the texts of its first
    ``v`` and ``f`` children (or its inline string's ``t`` runs). The part goes through
    the same DTD guard, size caps and held-tag bound as :meth:`_Package.iterparse` (a
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
            col_no = column_index(ref.rstrip("0123456789")) if ref else col_no + 1
            cells.append((col_no, attrs.get("s"),
                          _value(attrs.get("t", "n"), v_text, f_text, inline)))
        elif cell_depth < 0:
            if depth == row_depth:
                row_depth = -1
                row, r = cells[:], row_r
                cells.clear()
                row_r, col_no = None, 0
                pkg.release()
                row_no = int(r) if r else row_no + 1
                on_row(row_no, row)
            elif tag == data_tag:
                raise _StopScan
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
        if f is not None and (text is None or calc_on_load):
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
    if kind == "d":  # an ISO 8601 date (Strict files, and some other writers)
        return parse_iso_date(text) or text
    if kind == "str":  # a formula's text result
        return decode_escapes(text)
    try:
        return float(text)
    except ValueError:
        return text


class _NotPlain(Exception):
    """The sheet is not in the form the fast lane reads."""


_DECL_RE = re.compile(rb'<\?xml[^>]*\?>')
_DECL_ENCODING_RE = re.compile(rb'encoding\s*=\s*["\']([A-Za-z0-9._-]+)["\']')
_ROOT_RE = re.compile(rb'\s*<worksheet\b([^<>]*)>')
_SHEET_DATA_RE = re.compile(rb'<sheetData\b')
_ROW_RE = re.compile(rb'\s*<row((?:\s+[A-Za-z0-9_:.-]+="[^"<&]*")*)\s*(/?)>')
_ROW_NO_RE = re.compile(rb'\sr="([^"]*)"')
_ROW_END = b"</row>"
_DATA_END_RE = re.compile(rb'\s*</sheetData>')
_CELL = (rb'<c r="([A-Z]{1,3})[0-9]+"(?: s="([0-9]+)")?(?: t="([A-Za-z]+)")?'
         rb'(?:/>|>(?:<v>([^<&]*)</v>)?</c>)')
_PLAIN_CELL_RE = re.compile(_CELL)
_CELLS_RE = re.compile(rb'(?:' + _CELL.replace(b"(", b"(?:").replace(b"(?:?:", b"(?:")
                       + rb')*')


class _Columns(dict):
    """Column letters (bytes) -> 1-based number, worked out once each."""

    def __missing__(self, letters: bytes) -> int:
        self[letters] = index = column_index(letters.decode("ascii"))
        return index


def _scan_plain(pkg: _Package, part: str, book: _Book, on_row) -> None:
    """The fast lane of :func:`_scan_rows`, for a sheet as Excel and XlsxWriter write
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
                    raise _StopScan  # nothing after the rows is read
                if buf.find(b">", pos) < 0 or buf[pos:].isspace():
                    break  # the next tag is cut by the chunk's end
                raise _NotPlain
            if b"xmlns" in m.group(1):
                raise _NotPlain
            if m.group(2):  # <row .../>: no cells
                body, after = b"", m.end()
            else:
                close = buf.find(_ROW_END, m.end())
                if close < 0:
                    break
                body, after = buf[m.end():close], close + len(_ROW_END)
                if _CELLS_RE.fullmatch(body) is None:
                    raise _NotPlain
            r = _ROW_NO_RE.search(m.group(1))
            r = r.group(1).decode("utf-8") if r is not None else None
            row_no = int(r) if r else row_no + 1
            cells = []
            add = cells.append
            for letters, style, kind, text in _PLAIN_CELL_RE.findall(body):
                if not kind:
                    try:
                        value = float(text) if text else None
                    except ValueError:
                        value = _typed("n", text.decode("utf-8"), strings)
                elif kind == b"s" and text:
                    try:
                        index = int(text)
                        # a negative index would pick another cell's text
                        value = strings[index] if index >= 0 else CellError("#REF!")
                    except (ValueError, IndexError):
                        value = _typed("s", text.decode("utf-8"), strings)
                elif kind == b"inlineStr":
                    value = ""  # <c t="inlineStr"/>: no inline string
                else:
                    value = _typed(kind.decode("ascii"), text.decode("utf-8") or None, strings)
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
            decl = _DECL_RE.match(buf, start)
            if decl is not None:
                enc = _DECL_ENCODING_RE.search(decl.group())
                if enc is not None and enc.group(1).lower() not in (b"utf-8", b"utf8"):
                    raise _NotPlain
                start = decl.end()
            elif not buf[start:].lstrip().startswith(b"<"):
                raise _NotPlain  # UTF-16, or something else
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
                raise _StopScan
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


class _Opened:
    """An open package with its workbook part read: sheets, date system, namespaces."""

    def __init__(self, path: Path) -> None:
        _check_file(path)
        self.pkg = _Package(path)
        try:
            self._read_book(path)
        except BaseException:
            self.pkg.zip.close()
            raise

    def _read_book(self, path: Path) -> None:
        pkg = self.pkg
        root_rels = pkg.rels("")  # _rels/.rels
        self.book_part = next((p for kind, p in root_rels.values() if kind == "officeDocument"),
                              "xl/workbook.xml")
        if not pkg.has(self.book_part):
            raise FileError(f"{path}: is a zip file but not an Excel workbook "
                            "(it has no workbook part)")
        book = pkg.root(self.book_part)
        if book.tag == f"{_STRICT_MAIN}workbook":
            pkg.main = _STRICT_MAIN  # Strict Open XML: the same content, other namespaces
        elif book.tag != f"{_MAIN}workbook":
            raise FileError(f"{path}: its workbook part is {book.tag!r}, not an Excel "
                            "workbook; open it in Excel and save it as an Excel Workbook "
                            "(.xlsx)")
        main = pkg.main
        self.book_rels = pkg.rels(self.book_part)
        calc = book.find(f"{main}calcPr")
        self.calc_on_load = calc is not None and calc.get("fullCalcOnLoad") in ("1", "true")
        props = book.find(f"{main}workbookPr")
        self.date1904 = props is not None and props.get("date1904") in ("1", "true")
        self.sheets: list[tuple[str, str]] = []
        sheets_el = book.find(f"{main}sheets")
        for sheet in sheets_el if sheets_el is not None else ():
            rel = self.book_rels.get(pkg.rel_id(sheet))
            if rel and rel[0] == "worksheet":
                self.sheets.append((decode_escapes(sheet.get("name", "")), rel[1]))

    def part(self, kind: str) -> str | None:
        return next((p for k, p in self.book_rels.values() if k == kind), None)

    def book(self) -> _Book:
        percent_styles, date_styles = _cell_styles(self.pkg, self.part("styles"))
        return _Book(self.pkg.main, _shared_strings(self.pkg, self.part("sharedStrings")),
                     percent_styles, date_styles, self.calc_on_load, self.date1904)


def read_tables(path: str | os.PathLike, names: tuple[str, ...] | None = None) -> RawWorkbook:
    """Every Excel table of a workbook (or those named), as :class:`RawTable`.

    Raises :class:`FileError` for anything that is not a readable .xlsx/.xlsm.
    """
    path = Path(path)
    opened = _Opened(path)
    pkg = opened.pkg
    with pkg.zip:
        wanted = {n.casefold() for n in names} if names else None
        by_sheet: dict[str, list[_TableDef]] = {}
        for sheet_name, part in opened.sheets:
            if not pkg.has(part):
                continue
            for kind, table_part in pkg.rels(part).values():
                if kind != "table" or not pkg.has(table_part):
                    continue
                t = pkg.root(table_part)
                name = t.get("displayName") or t.get("name") or ""
                if wanted is not None and name.casefold() not in wanted:
                    continue
                first, _, last = (t.get("ref") or "").partition(":")
                try:
                    top, left = parse_cell_address(first)
                    bottom, right = parse_cell_address(last or first)
                except ValueError as exc:
                    raise FileError(f"{path}: table {name} has a damaged range") from exc
                if t.get("headerRowCount") == "0":
                    top -= 1  # no header row: report it as a missing header, not lost data
                bottom -= _int(t.get("totalsRowCount") or "0", path, table_part)
                cells = (bottom - top + 1) * (right - left + 1)
                if cells > MAX_TABLE_CELLS:
                    raise FileError(f"{path}: table {name} ({t.get('ref')}) is too large: "
                                    f"{cells:,} cells, more than the {MAX_TABLE_CELLS:,} this "
                                    "tool reads; resize the table to its data (Table Design > "
                                    "Resize Table)")
                columns = tuple(decode_escapes(c.get("name") or "")
                                for c in t.iter(f"{pkg.main}tableColumn"))
                by_sheet.setdefault(part, []).append(
                    _TableDef(name, sheet_name, part, top, left, max(bottom, top), right,
                              columns if t.get("headerRowCount") != "0" else ()))

        tables: dict[str, RawTable] = {}
        if by_sheet:
            book = opened.book()
            for part, defs in by_sheet.items():
                tables.update(_read_rows(pkg, part, defs, book))
        return RawWorkbook(tuple(name for name, _ in opened.sheets), tables)


def read_sheet(path: str | os.PathLike, sheet: str) -> RawTable | None:
    """Every cell of one sheet (named case-insensitively) as a :class:`RawTable` whose
    name is the sheet's, from A1; ``None`` when the workbook has no such sheet.

    For a range without an Excel table: :mod:`kpi_core.reading.tables` finds its
    header row and its end.
    """
    path = Path(path)
    opened = _Opened(path)
    pkg = opened.pkg
    with pkg.zip:
        part = next((p for name, p in opened.sheets if name.casefold() == sheet.casefold()),
                    None)
        if part is None or not pkg.has(part):
            return None
        name = next(name for name, p in opened.sheets if p == part)
        try:
            return _fill_sheet(pkg, part, opened.book(), name)
        except ValueError as exc:
            raise FileError(f"{path}: part {part} is damaged ({exc})") from exc


def sheet_names(path: str | os.PathLike) -> tuple[str, ...]:
    """The workbook's sheet names, in order (worksheets only)."""
    opened = _Opened(Path(path))
    with opened.pkg.zip:
        return tuple(name for name, _ in opened.sheets)
