"""The workbook package: the zip, its guards and its part names.

An .xlsx is a zip of XML parts. Every part is read here through the same guards: no
DTDs or entities are accepted (defusedxml's rule), each part is read through a size cap
and a compression-ratio cap (zip bombs are refused), and the XML tags held at once are
bounded. :func:`check_file` tells a legacy .xls or a password-protected workbook from a
workbook, and :func:`read_layout` locates the sheets and tables for code that edits the
package.
"""

from __future__ import annotations

import os
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import XMLPullParser
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.common import DTDForbidden

from ..accelerators import fast_zlib
from ..cells import (
    OFFICE_RELATIONSHIPS_NS, PACKAGE_RELATIONSHIPS_NS, SPREADSHEET_NS,
    STRICT_OFFICE_RELATIONSHIPS_NS, STRICT_SPREADSHEET_NS,
)
from ..errors import FileError

#: Tag prefixes of SpreadsheetML, as ElementTree names tags.
MAIN = f"{{{SPREADSHEET_NS}}}"
_REL_NS = f"{{{PACKAGE_RELATIONSHIPS_NS}}}"
_R_ID = f"{{{OFFICE_RELATIONSHIPS_NS}}}id"
#: Excel's "Strict Open XML Spreadsheet" saves the same content under these namespaces
#: (ISO/IEC 29500 Strict); the package relationships keep theirs.
STRICT_MAIN = f"{{{STRICT_SPREADSHEET_NS}}}"
_STRICT_R_ID = f"{{{STRICT_OFFICE_RELATIONSHIPS_NS}}}id"

#: Largest uncompressed part we read, and the largest compression ratio we accept
#: for a big part. A real 20,000-measure workbook's sheet is ~15 MB at ratio ~10.
MAX_PART_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200
_RATIO_APPLIES_ABOVE = 8 * 1024 * 1024
#: Most XML tags parsed while their elements are held: within one sheet row or one
#: shared string (a full row of 16,384 cells with formulas has ~100,000), or in a part
#: read whole (styles of 64,000 formats: ~400,000). A part that deflates well can hold
#: millions of tiny or nested elements (150-300 bytes of memory each) under the size
#: and ratio caps; this bounds that to some 150 MB.
MAX_HELD_TAGS = 500_000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: Deflated parts at least this big are inflated by zlib-ng where it is installed (the
#: ``fast`` extra): the same bytes as zlib gives, in two thirds of the time (the 172 MB
#: Comparators part 0.25 -> 0.17 s with its CRC); smaller ones are not worth its import.
#: (isal was quicker still, 0.14 s, but its vector code left every later step of the
#: process about a tenth slower: build and write 20-35 ms more on 5,000 measures.)
FAST_INFLATE_BYTES = 1 << 20


#: Where a sheet part's rows begin and end, as the row readers cut a part into rows.
SHEET_DATA = b"<sheetData>"
SHEET_DATA_END = b"</sheetData>"
ROW_END = b"</row>"
_XML_DECLARATION_RE = re.compile(rb"<\?xml\s[^>]*\?>")
_ENCODING_RE = re.compile(rb'encoding\s*=\s*["\']([A-Za-z0-9._-]+)')


class StopScan(Exception):
    """The rows wanted have all been read."""


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
    check_file(path)
    pkg = Package(path)
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
        sheets_el = book.find(f"{MAIN}sheets")
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
                    t.get("ref") or "", parse_whole_number(t.get("id") or "0", path, table_part),
                    parse_whole_number(t.get("headerRowCount") or "1", path, table_part),
                    parse_whole_number(t.get("totalsRowCount") or "0", path, table_part)))
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


class _Inflated:
    """A deflated part's bytes inflated by zlib-ng from the zip's own bytes, a block at a
    time (zipfile's own reader asks the file for as many compressed bytes as it wants
    inflated ones, and copies what it leaves on every read). zipfile opens the part
    first, so the checks of the entry are zipfile's (its local header, name, encryption
    and method); then, as zipfile does, a stream that ends early, or a size or CRC-32
    other than the zip's directory gives, is damage, and nothing is inflated past that
    size."""

    def __init__(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, inflater) -> None:
        zf.open(info).close()  # zipfile's checks of the part, raising as it does
        self._fp = zf.fp
        self._fp.seek(info.header_offset + 26)
        name_bytes, extra_bytes = struct.unpack("<HH", self._fp.read(4))
        self._at = info.header_offset + 30 + name_bytes + extra_bytes
        self._left, self._info, self._inflater = info.compress_size, info, inflater
        self._inflate = inflater.decompressobj(-zlib.MAX_WBITS)
        self._crc = self._size = 0
        self._eof = False

    def read(self, size: int = 65536) -> bytes:
        """About ``size`` bytes (at most four times as many); ``b""`` at the end."""
        try:
            return self._read(size)
        except self._inflater.error as exc:
            raise zlib.error(str(exc)) from exc

    def _read(self, size: int) -> bytes:
        info, inflate = self._info, self._inflate
        out = b""
        while not out and not self._eof:
            data = inflate.unconsumed_tail
            if not data and self._left:
                # as many compressed bytes as give about ``size`` at the part's ratio
                block = max(1 << 14, size * info.compress_size // max(info.file_size, 1))
                self._fp.seek(self._at)
                data = self._fp.read(min(block, self._left))
                if not data:
                    raise EOFError(f"{info.filename}: the zip ends inside the part")
                self._at += len(data)
                self._left -= len(data)
            out = inflate.decompress(data, min(4 * size, info.file_size - self._size + 1))
            if inflate.eof or not (self._left or inflate.unconsumed_tail):
                out += inflate.flush()
                self._eof = True
            self._crc = self._inflater.crc32(out, self._crc)
            self._size += len(out)
            if self._size > info.file_size:
                raise zipfile.BadZipFile(f"{info.filename}: longer than the zip says")
        if self._eof and not inflate.eof:
            raise EOFError(f"{info.filename}: the part's compressed data ends early")
        if self._eof and (self._size != info.file_size or self._crc != info.CRC):
            raise zipfile.BadZipFile(f"{info.filename}: bad size or CRC-32")
        return out


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


def utf8_declaration_end(data: bytes, start: int = 0) -> int | None:
    """Where a part's text goes on after the XML declaration at ``start`` (``start`` where
    there is none), or ``None`` where the declaration names an encoding other than UTF-8
    (a part without one is UTF-8: XML 1.0, 4.3.3). The fast lanes read UTF-8 alone.

    >>> utf8_declaration_end(b'<?xml version="1.0" encoding="UTF-8"?><a/>')
    38
    >>> utf8_declaration_end(b'<?xml version="1.0"?><a/>'), utf8_declaration_end(b"<a/>")
    (21, 0)
    >>> utf8_declaration_end(b'<?xml version="1.0" encoding="UTF-16"?>') is None
    True
    """
    declaration = _XML_DECLARATION_RE.match(data, start)
    if declaration is None:
        return start
    encoding = _ENCODING_RE.search(declaration.group())
    if encoding is not None and encoding.group(1).lower() not in (b"utf-8", b"utf8"):
        return None
    return declaration.end()


def plain_sheet_head(head: bytes, main: str) -> bool:
    """A sheet part up to its rows as the fast lanes (:mod:`.columnar`, :mod:`.compiled`)
    read it: UTF-8, the ``main`` namespace unprefixed, no declaration, comment or
    processing instruction after the XML declaration, well-formed so far (prefixes
    declared). Any other head is left to the pure scanner, which says what is wrong."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    start = utf8_declaration_end(head)
    if start is None:
        return False
    body = head[start:]
    if b"<!" in body or b"<?" in body:
        return False
    if b'xmlns="' + main[1:-1].encode() + b'"' not in head:
        return False
    try:
        expat.ParserCreate(namespace_separator="}").Parse(head, False)
    except expat.ExpatError:
        return False
    return True


class Package:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._tags = self._released = 0  # XML tags fed, and when the consumer last let go
        #: The package's SpreadsheetML namespace: transitional, or Strict Open XML's.
        self.main = MAIN
        try:
            self.zip = zipfile.ZipFile(path)
            # Part names compare case-insensitively (ECMA-376 Part 2, 9.1.1.1):
            # ``xl/SharedStrings.xml`` is the part a relationship names ``sharedStrings.xml``.
            # Some zip tools on Windows write ``xl\workbook.xml``: the same part name.
            self.names = {info.filename.replace("\\", "/").casefold(): info
                          for info in self.zip.infolist()}
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
        inflater = (fast_zlib() if info.compress_type == zipfile.ZIP_DEFLATED
                    and info.file_size >= FAST_INFLATE_BYTES else None)
        raw = self.zip.open(info) if inflater is None else _Inflated(self.zip, info, inflater)
        return _CappedReader(raw, name, MAX_PART_BYTES)

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

    def parse_with(self, name: str, feed, finish, chunk_size: int = 65536,
                   bounded: bool = False) -> None:
        """Feed a part's bytes to ``feed(chunk)``, then call ``finish()`` (an expat
        parser's handlers, or the fast lane of :func:`scan_rows`, do the work; a
        :class:`StopScan` ends it early), behind the same guard, caps and errors as
        :meth:`iterparse`. ``bounded``: ``feed`` holds a bounded number of bytes itself
        (no tags are counted for the held-tag bound)."""
        self._tags = self._released = 0
        try:
            stream = self.open(name)
            try:
                for chunk in _chunks_without_dtd(stream, chunk_size):
                    if bounded:
                        feed(chunk)
                        continue
                    self._tags += chunk.count(b"<")
                    if self._tags - self._released > MAX_HELD_TAGS:
                        raise FileError(f"{self.path}: part {name} nests or repeats more "
                                        f"than {MAX_HELD_TAGS:,} XML elements where a "
                                        "workbook has a few; refusing it")
                    feed(chunk)
                finish()
            except StopScan:
                # What follows is not needed, but it is inflated to the end: the zip checks
                # the part's CRC there, so damage past the cells read is still reported,
                # whichever reader stopped where (and however far it had read ahead).
                while stream.read(1 << 20):
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

    def parse_rows(self, name: str, on_head, on_rows, refuse: type[Exception],
                   slice_bytes: int, chunk_size: int = 65536) -> None:
        """A sheet part's rows, a slice at a time, for the fast lanes: ``on_head(head)``
        gets the part up to ``<sheetData>`` (it raises ``refuse`` for a head it does not
        read), then ``on_rows(rows, end)`` the rows of ``rows[:end]``, cut after a row's
        end once ``slice_bytes`` are held, the last slice up to ``</sheetData>`` (looked
        for only after the slice's last row: before it, ``</sheetData>`` is not a row
        and the lane refuses the slice). Raises ``refuse`` for an empty ``<sheetData/>``,
        a head of a megabyte without ``<sheetData>``, a slice's worth of bytes without a
        row's end (a flood of elements, or a row no program writes), or a part that ends
        before its rows do (the row readers say what is wrong)."""
        state = {"head": b"", "parts": [], "size": 0}

        def feed(chunk: bytes) -> None:
            if state["head"] is not None:
                head = state["head"] + chunk
                start = head.find(SHEET_DATA)
                if start < 0:
                    if len(head) > 1 << 20 or b"<sheetData/>" in head:
                        raise refuse
                    state["head"] = head
                    return
                on_head(head[:start])
                state["head"] = None
                chunk = head[start + len(SHEET_DATA):]
            state["parts"].append(chunk)
            state["size"] += len(chunk)
            if state["size"] >= slice_bytes:
                take()

        def take(last: bool = False) -> None:
            parts = state["parts"]
            rows = b"".join(parts)
            cut = rows.rfind(ROW_END) + len(ROW_END)
            cut = cut if cut >= len(ROW_END) else 0
            end = rows.find(SHEET_DATA_END, cut)
            if end >= 0:
                on_rows(rows, end)
                raise StopScan
            if last or not cut:
                raise refuse  # a slice's worth without a row's end: not a sheet as written
            parts[:] = [rows[cut:]]
            state["size"] = len(rows) - cut
            on_rows(rows, cut)  # not copied: read up to the cut

        def finish() -> None:
            if state["head"] is not None:
                raise refuse
            take(last=True)

        self.parse_with(name, feed, finish, chunk_size=chunk_size, bounded=True)

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


def check_file(path: Path) -> None:
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


def parse_whole_number(text: str, path: Path, part: str) -> int:
    """A whole number from an attribute; a damaged part says so (never a ValueError)."""
    try:
        return int(text)
    except ValueError as exc:
        raise FileError(f"{path}: part {part} is damaged ({text!r} is not a whole number)") \
            from exc
