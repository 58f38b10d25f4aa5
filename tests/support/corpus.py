"""A corpus of bad, odd and hostile inputs, generated on demand (no committed binaries).

Each :class:`Case` says how to build its input in a folder, which command to run on
it, the exit code the command must give, a regex its message must match, and the
``Sheet!Cell`` it must name where a cell is at fault. ``tests/workflows/test_corpus.py`` runs
every case and checks, besides, that no traceback is printed and the input's bytes
are unchanged.

Builders write real workbooks with XlsxWriter (``tests/support/workbooks.py``) or openpyxl,
then, for the hostile cases, rewrite parts of the zip: entity expansion, parts that
inflate far beyond their size, sizes that lie, flags that ask for a zip password,
damaged compressed data.
"""

from __future__ import annotations

import os
import random
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.workbooks import HEADERS, measure_row, write_book
from tests.support.paths import SAMPLE

SHEET1 = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"

Builder = Callable[[Path], Path]
Argv = Callable[[Path, Path], list[str]]


@dataclass(frozen=True)
class Case:
    """One bad input and what the command must do with it.

    ``argv(folder, book)`` gives the command's arguments; ``verify(folder, book)``,
    if any, checks the outcome further (the output written, or not written).
    """

    id: str
    build: Builder
    argv: Argv
    exit_code: int
    message: str
    cell: str | None = None
    verify: Callable[[Path, Path], None] | None = None
    tags: frozenset[str] = field(default_factory=frozenset)


def check(folder: Path, book: Path) -> list[str]:
    return ["check", str(book)]


def regenerate(folder: Path, book: Path) -> list[str]:
    return ["regenerate", str(book), "-o", str(folder / "out.xlsx")]


def regenerate_keep_going(folder: Path, book: Path) -> list[str]:
    return regenerate(folder, book) + ["--keep-going"]


def out_path(folder: Path) -> Path:
    return folder / "out.xlsx"


# --- builders: whole files ---------------------------------------------------------

def _book(path: Path, rows=None, **kwargs) -> Path:
    return write_book(path, rows if rows is not None else [measure_row("M1")], **kwargs)


def good_book(folder: Path) -> Path:
    return _book(folder / "book.xlsx", [measure_row("M1"), measure_row("M2", Current=0.5)])


def random_bytes(folder: Path) -> Path:
    path = folder / "random.xlsx"
    path.write_bytes(random.Random(20240501).randbytes(8192))
    return path


def empty_file(folder: Path) -> Path:
    path = folder / "empty.xlsx"
    path.write_bytes(b"")
    return path


def truncated_head(folder: Path) -> Path:
    path = folder / "truncated.xlsx"
    path.write_bytes(SAMPLE.read_bytes()[:5000])
    return path


def truncated_tail(folder: Path) -> Path:
    """Only the last bytes missing: the central directory's end is cut."""
    path = folder / "truncated-tail.xlsx"
    path.write_bytes(SAMPLE.read_bytes()[:-40])
    return path


def csv_renamed(folder: Path) -> Path:
    path = folder / "measures.xlsx"
    path.write_text("Portfolio,Ref,Measure,Target,Current\nAdults,A1,m,0.9,0.95\n")
    return path


def zip_not_workbook(folder: Path) -> Path:
    path = folder / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "not a workbook")
    return path


def ole2(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (version 3, 512-byte sectors) holding ``streams``.

    Every stream is padded to at least 4,096 bytes so it lives in ordinary sectors
    (no mini stream). Enough for readers that look at the directory, as ours does.
    """
    sector = 512
    names = list(streams)
    datas = [s.ljust(4096, b"\0") for s in streams.values()]
    end, free, fatsect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    # sector 0: FAT, sector 1: directory, then the streams one after another
    fat = [fatsect, end]
    starts = []
    for data in datas:
        n = -(-len(data) // sector)
        first = len(fat)
        starts.append(first)
        fat += [first + i + 1 for i in range(n - 1)] + [end]
    assert len(fat) <= sector // 4, "streams too big for one FAT sector"
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", nostream, right, child) + b"\0" * 16 + b"\0" * 4
                + b"\0" * 16 + struct.pack("<IQ", start, size))

    entries = [entry("Root Entry", 5, 1 if names else nostream, nostream, end, 0)]
    for i, (name, data) in enumerate(zip(names, datas)):
        right = i + 2 if i + 1 < len(names) else nostream
        entries.append(entry(name, 2, nostream, right, starts[i], len(data)))
    assert len(entries) <= 4
    while len(entries) < 4:
        entries.append(b"\0" * 64 + struct.pack("<HBB", 0, 0, 0)
                       + struct.pack("<III", nostream, nostream, nostream) + b"\0" * 48)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    assert len(header) == sector
    body = b"".join(struct.pack("<I", f) for f in fat) + b"".join(entries)
    return header + body + b"".join(d.ljust(-(-len(d) // sector) * sector, b"\0")
                                    for d in datas)


def legacy_xls(folder: Path) -> Path:
    """An Excel 97-2003 workbook's container: an OLE2 file with a ``Workbook`` stream."""
    path = folder / "legacy.xlsx"
    path.write_bytes(ole2({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00" + b"\0" * 100}))
    return path


def encrypted_by_hand(folder: Path) -> Path:
    """What Excel writes for a password-protected workbook: OLE2 with an EncryptedPackage."""
    path = folder / "protected-ole.xlsx"
    path.write_bytes(ole2({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00",
                           "EncryptedPackage": os.urandom(5000)}))
    return path


def encrypted_xlsx(folder: Path) -> Path:
    """A real password-protected workbook (msoffcrypto-tool's agile encryption)."""
    plain = _book(folder / "plain.xlsx")
    path = folder / "protected.xlsx"
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:  # msoffcrypto-tool comes with oletools; fall back to the hand-built file
        return encrypted_by_hand(folder)
    with plain.open("rb") as src, path.open("wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    plain.unlink()
    return path


def folder_as_book(folder: Path) -> Path:
    path = folder / "folder.xlsx"
    path.mkdir()
    return path


def missing_book(folder: Path) -> Path:
    return folder / "nowhere.xlsx"


# --- builders: rewriting parts of a real workbook ---------------------------------------

def rewrite_zip(src: Path, dst: Path, parts: dict[str, bytes | Callable[[bytes], bytes]]) -> Path:
    """Copy a zip, replacing the named parts (bytes, or a function of the old bytes)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            new = parts.get(info.filename)
            if new is not None:
                data = new(data) if callable(new) else new
            zout.writestr(info.filename, data)
    return dst


def _hostile(name: str, parts: dict) -> Builder:
    def build(folder: Path) -> Path:
        plain = _book(folder / "plain.xlsx")
        path = rewrite_zip(plain, folder / name, parts)
        plain.unlink()
        return path
    return build


def substitute(pattern: str, replacement: str, count: int = 1) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        text, n = re.subn(pattern, replacement, data.decode("utf-8"), count=count)
        assert n, f"{pattern!r} not found in the part"
        return text.encode("utf-8")
    return edit


LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
          + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
                    for i in range(1, 10))
          + "]>\n")


def billion_laughs(part: str) -> Callable[[bytes], bytes]:
    """The part's root element preceded by nine levels of tenfold entity expansion."""
    def edit(data: bytes) -> bytes:
        text = data.decode("utf-8")
        body = text.split("?>", 1)[1] if text.startswith("<?xml") else text
        body = body.replace("</t>", "&lol9;</t>", 1) if part == STRINGS else \
            body.replace("<sheetData>", "<sheetData><!-- &lol9; -->", 1)
        return (LAUGHS + body.replace("<sheetData><!-- &lol9; -->",
                                      '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
                                      "&lol9;</t></is></c></row>")).encode("utf-8")
    return edit


def external_entity(data: bytes) -> bytes:
    """XXE: an entity that names a file on the machine."""
    text = data.decode("utf-8").split("?>", 1)[1]
    return ('<?xml version="1.0"?>\n<!DOCTYPE workbook [<!ENTITY xxe SYSTEM '
            '"file:///etc/passwd">]>' + text.replace("<sheets>", "<sheets>&xxe;", 1)).encode()


ZEROS = b"\0" * (1 << 20)


def nested(where: str, count: int = 600_000, flat: bool = False) -> Callable[[bytes], bytes]:
    """``count`` elements nested in one another (or side by side) after ``where``: a few
    MB that deflate to a few KB, and ~300 bytes of memory each once parsed."""
    filler = "<x/>" * count if flat else "<x>" * count + "</x>" * count

    def edit(data: bytes) -> bytes:
        text = data.decode("utf-8")
        assert where in text
        return text.replace(where, where + filler, 1).encode("utf-8")
    return edit


def zip_bomb(folder: Path, megabytes: int = 300, name: str = "bomb.xlsx",
             fill: bytes = ZEROS) -> Path:
    """A real workbook whose sheet part is ``megabytes`` MB of zeros, deflated to a few
    hundred KB. With ``fill`` of spaces the part is well-formed XML all along (the
    parser keeps reading, so only the inflating is refused)."""
    plain = _book(folder / "plain.xlsx")
    path = folder / name
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename == SHEET1:
                with zout.open(SHEET1, "w") as part:
                    if fill != ZEROS:
                        part.write(zin.read(SHEET1).split(b"<sheetData>")[0] + b"<sheetData>")
                    for _ in range(megabytes):
                        part.write(fill)
            else:
                zout.writestr(info.filename, zin.read(info.filename))
    plain.unlink()
    return path


def _patch_central(path: Path, name: str, **fields: int) -> None:
    """Overwrite fields of ``name``'s central directory record (what ``zipfile`` trusts)."""
    offsets = {"flags": (8, "<H"), "method": (10, "<H"), "file_size": (24, "<I")}
    data = bytearray(path.read_bytes())
    pos = data.find(b"PK\x01\x02" + b"\0" * 0)  # first record
    while pos >= 0:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46:pos + 46 + name_len] == name.encode():
            for key, value in fields.items():
                offset, fmt = offsets[key]
                struct.pack_into(fmt, data, pos + offset, value)
            path.write_bytes(bytes(data))
            return
        pos = data.find(b"PK\x01\x02", pos + 4)
    raise AssertionError(f"{name} not in the central directory")


def zip_bomb_lying(folder: Path) -> Path:
    """200 MB of XML whitespace whose directory entry claims 1 MB: caught while inflating."""
    path = zip_bomb(folder, 200, "bomb-lying.xlsx", fill=b" " * (1 << 20))
    _patch_central(path, SHEET1, file_size=1 << 20)
    return path


def zip_bomb_ratio(folder: Path) -> Path:
    """100 MB of zeros: under the size cap, but a compression ratio no workbook has."""
    return zip_bomb(folder, 100, "bomb-ratio.xlsx")


def zip_entry_encrypted(folder: Path) -> Path:
    """A zip whose sheet entry is flagged as password-encrypted (zip encryption)."""
    path = _hostile("zipcrypto.xlsx", {})(folder)
    _patch_central(path, SHEET1, flags=0x1)
    return path


def zip_method_unknown(folder: Path) -> Path:
    """A sheet entry compressed with a method ``zipfile`` does not know (97: WavPack)."""
    path = _hostile("wavpack.xlsx", {})(folder)
    _patch_central(path, SHEET1, method=97)
    return path


def corrupt_deflate(folder: Path) -> Path:
    """The sheet's compressed bytes overwritten in the middle (a damaged download)."""
    path = _hostile("corrupt.xlsx", {SHEET1: lambda d: d + b"<!--" + os.urandom(20000).hex().encode()
                                     + b"-->"})(folder)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(SHEET1)
    data = bytearray(path.read_bytes())
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    middle = start + info.compress_size // 2
    data[middle:middle + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    return path


def _openpyxl_book(folder: Path, name: str, rows: list[list[object]],
                   headers=("Portfolio", "Ref", "Measure", "Unit", "Target", "Current")) -> Path:
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Measures"
    ws.append(list(headers))
    for row in rows:
        ws.append(row)
    ws.add_table(Table(displayName="Measures",
                       ref=f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"))
    path = folder / name
    wb.save(path)
    return path


def benchmarks_without_value(folder: Path) -> Path:
    import xlsxwriter

    from tests.support.workbooks import add_table
    path = folder / "bench.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    row = measure_row("M1")
    add_table(wb.add_worksheet("Measures"), "Measures", HEADERS, [[row.get(h) for h in HEADERS]])
    add_table(wb.add_worksheet("Benchmarks"), "Benchmarks", ["Ref", "Comparator", "Year"],
           [["M1", "National Average", 2015]])
    wb.close()
    return path


def formula_no_result(folder: Path) -> Path:
    return _openpyxl_book(folder, "formula.xlsx", [["Adults", "A1", "m", "%", 0.9, "=0.5+0.45"]])


def excel_error(code: str, column: int) -> Builder:
    def build(folder: Path) -> Path:
        row: list[object] = ["Adults", "A1", "m", "%", 0.9, 0.95]
        row[column] = code  # openpyxl writes error words as error cells (t="e")
        return _openpyxl_book(folder, "errors.xlsx", [row])
    return build


# --- builders: data problems ------------------------------------------------------------

def rows(*measures: dict, name: str = "book.xlsx", **kwargs) -> Builder:
    def build(folder: Path) -> Path:
        return _book(folder / name, list(measures), **kwargs)
    return build


def with_value(**values: object) -> Builder:
    """A good first measure, then one with ``values`` (so the fault is on row 3)."""
    return rows(measure_row("M1"), measure_row("M2", **values))


# --- checks of the outcome --------------------------------------------------------------

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def assert_valid_output(path: Path) -> list[str]:
    """OUT is a well-formed workbook: every XML part parses strictly, openpyxl opens it,
    no cell is a formula, sheet names are valid for Excel and unique. Returns the names."""
    import xml.etree.ElementTree as ET

    import openpyxl
    assert path.is_file(), f"{path} was not written"
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                ET.fromstring(zf.read(name))  # raises on any character XML forbids
        assert not any("vbaProject" in n or "externalLink" in n for n in zf.namelist())
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    for name in names:
        assert 1 <= utf16_len(name) <= 31, name
        assert not _BAD_SHEET_CHARS.search(name), name
        assert not name.startswith("'") and not name.endswith("'"), name
        assert name.casefold() != "history", name
    assert len({n.casefold() for n in names}) == len(names), names
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
    return names


def nothing_written(folder: Path, book: Path) -> None:
    assert not out_path(folder).exists()
    assert not list(folder.glob(".*.tmp*")), list(folder.glob(".*.tmp*"))


def written(folder: Path, book: Path) -> None:
    assert_valid_output(out_path(folder))


def portfolio_sheets(expected_count: int, *predicates: Callable[[list[str]], bool]):
    def verify(folder: Path, book: Path) -> None:
        names = assert_valid_output(out_path(folder))
        assert names[0] == "Summary" and names[-1] == "Data", names
        assert len(names) == 2 + expected_count, names
        for predicate in predicates:
            assert predicate(names[1:-1]), names
    return verify


def all_cells_text(path: Path) -> list[str]:
    import openpyxl
    wb = openpyxl.load_workbook(path)
    return [c.value for ws in wb for row in ws.iter_rows() for c in row
            if isinstance(c.value, str)]


def long_notes_truncated(folder: Path, book: Path) -> None:
    out = out_path(folder)
    assert_valid_output(out)
    texts = all_cells_text(out)
    assert max(len(t) for t in texts) <= 32_767
    cut = [t for t in texts if "N" * 1000 in t and t != "N" * 32_767]  # Data sheet: as it is
    assert len(cut) == 1 and len(cut[0]) <= 32_767
    assert re.search(r"truncated: [\d,]+ characters not shown\]$", cut[0]), cut[0][-100:]


def injected_text_kept(folder: Path, book: Path) -> None:
    out = out_path(folder)
    assert_valid_output(out)
    texts = " | ".join(all_cells_text(out))
    for original in INJECTIONS.values():
        assert original in texts, original
    with zipfile.ZipFile(out) as zf:
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/")]
    assert charts and not any("<c:strRef>" in c and "measures by RAG" in c.split("<c:strRef>")[1]
                              .split("</c:f>")[0] for c in charts)


INJECTIONS = {
    "Portfolio": "=Summary!A1 services",
    "Measure": '=HYPERLINK("http://example.invalid","click")',
    "Notes": "+cmd|' /C calc'!A0",
    "Outcome": "-2+3",
    "Cabinet Member": "@SUM(1,2)",
    "Benchmarking": "=1+1",
    "Comparator": "=2+2",
    "Year": "@2015",
}


def _injection_book(folder: Path) -> Path:
    row = measure_row("M1", **{k.replace(" ", "_"): v for k, v in INJECTIONS.items()})
    headers = HEADERS + ["Outcome", "Benchmarking"]
    return write_book(folder / "inject.xlsx", [row, measure_row("M2")], headers=headers,
                      benchmarks=[["M2", INJECTIONS["Comparator"], INJECTIONS["Year"], 0.8]])


# --- unwritable outputs -----------------------------------------------------------------

def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def read_only_out(folder: Path, book: Path) -> list[str]:
    """OUT in a folder nobody may write. ``chmod a-w`` does not stop root (CI runs
    tests as root), so there OUT goes under ``/proc``, which refuses new files to root
    too."""
    if running_as_root() or os.name == "nt":
        out = Path("/proc") / "kpi-scorecard-out.xlsx"
    else:
        locked = folder / "locked"
        locked.mkdir(exist_ok=True)
        locked.chmod(0o555)
        out = locked / "out.xlsx"
    return ["regenerate", str(book), "-o", str(out)]


def out_is_folder(folder: Path, book: Path) -> list[str]:
    (folder / "out.xlsx").mkdir()
    return regenerate(folder, book)


def out_same_as_book(folder: Path, book: Path) -> list[str]:
    return ["regenerate", str(book), "-o", str(book)]


def out_symlink_to_book(folder: Path, book: Path) -> list[str]:
    link = folder / "link.xlsx"
    link.symlink_to(book)
    return ["regenerate", str(book), "-o", str(link)]


def out_hard_link_to_book(folder: Path, book: Path) -> list[str]:
    link = folder / "hard.xlsx"
    os.link(book, link)
    return ["regenerate", str(book), "-o", str(link)]


def out_relative_same(folder: Path, book: Path) -> list[str]:
    return ["regenerate", str(book), "-o", str(book.parent / "." / ".." / book.parent.name
                                                / book.name)]


# --- the corpus -------------------------------------------------------------------------

def _numeric_cases() -> list[Case]:
    cases = []
    for column, letter in (("Target", "H"), ("Current", "J"), ("Previous", "K"),
                           ("Tolerance", "L"), ("Amber Threshold", "M")):
        cases.append(Case(
            f"not-a-number-{column.lower().replace(' ', '-')}",
            with_value(**{column.replace(" ", "_"): "abc"}),
            check if letter in "HKM" else regenerate, 1,
            r"'abc' is not a number", f"Measures!{letter}3",
            verify=None if letter in "HKM" else nothing_written))
    cases.append(Case(
        "not-a-number-target-upper",
        with_value(Polarity="Within range", Target=0.4, Target_Upper="abc"),
        check, 1, r"target upper 'abc' is not a number", "Measures!I3"))
    cases.append(Case(
        "not-a-number-benchmark-value",
        rows(measure_row("M1"), benchmarks=[["M1", "National Average", 2015, "lots"]]),
        check, 1, r"benchmark value 'lots' is not a number", "Benchmarks!D2"))
    cases.append(Case(
        "huge-number-percent", with_value(Current=1e308), regenerate, 1,
        r"too large", "Measures!J3", verify=nothing_written))
    cases.append(Case(
        "huge-number-target", with_value(Target="1e300"), check, 1,
        r"too large", "Measures!H3"))
    cases.append(Case(
        "bool-in-target", with_value(Target=True), check, 1, r"is not a number",
        "Measures!H3"))
    return cases


def _word_cases() -> list[Case]:
    words = (("Polarity", "E", "polarity 'Sideways' is not one of"),
             ("Data Status", "N", "data status 'Sideways' is not one of"),
             ("Frequency", "G", "frequency 'Sideways' is not one of"),
             ("Unit", "F", "unit 'Sideways' is not one of"),
             ("Highlight", "P", "highlight 'Sideways' is not Yes or No"))
    return [Case(f"unknown-word-{column.lower().replace(' ', '-')}",
                 with_value(**{column.replace(" ", "_"): "Sideways"}),
                 check if i % 2 else regenerate, 1, re.escape(text), f"Measures!{letter}3",
                 verify=None if i % 2 else nothing_written)
            for i, (column, letter, text) in enumerate(words)]


#: The band and override columns after the usual ones: Q, R, S, T, U.
BAND_HEADERS = HEADERS + ["Green Tolerance", "Tolerance Basis", "Stretch Target", "RAG Override",
                          "Override Reason"]


def with_bands(settings=None, headers=BAND_HEADERS, **values: object) -> Builder:
    """A good first measure, then one with ``values`` in a table with the band columns."""
    return rows(measure_row("M1"), measure_row("M2", **values), headers=headers,
                settings=settings)


def _band_cases() -> list[Case]:
    """Green band, tolerance basis, stretch target, officer's override."""
    judged = {"RAG_Override": "Amber", "Override_Reason": "recovery plan agreed"}
    return [
        Case("green-tolerance-larger-than-tolerance",
             with_bands(Tolerance=0.05, Green_Tolerance=0.1), check, 1,
             r"green tolerance 0\.1 is larger than the tolerance 0\.05", "Measures!Q3"),
        Case("default-green-tolerance-larger-than-row-tolerance",
             with_bands(Tolerance=0.03, settings=[["Default Green Tolerance", 0.05]]), check, 1,
             r"tolerance 0\.03 is smaller than the workbook's Default Green Tolerance 0\.05",
             "Measures!L3"),
        Case("settings-green-tolerance-larger-than-tolerance",
             with_bands(settings=[["Default Tolerance", 0.05], ["Default Green Tolerance", 0.1]]),
             regenerate, 1, r"default green tolerance 0\.1 is larger than the default tolerance",
             "Settings!B3", verify=nothing_written),
        Case("green-tolerance-more-than-100-percent", with_bands(Green_Tolerance=2), check, 1,
             r"green tolerance 2 is more than 100%", "Measures!Q3"),
        Case("green-tolerance-negative", with_bands(Green_Tolerance=-0.05), check, 1,
             r"green tolerance -0\.05 is negative", "Measures!Q3"),
        Case("amber-threshold-inside-green-band-higher",
             with_bands(Green_Tolerance=0.05, Amber_Threshold=0.87), check, 1,
             r"amber threshold 0\.87 lies inside the green band \(green down to 0\.855\)",
             "Measures!M3"),
        Case("amber-threshold-inside-green-band-lower",
             with_bands(Polarity="Lower is better", Target=20, Current=19, Unit="days",
                        Green_Tolerance=2, Tolerance_Basis="Absolute", Amber_Threshold=21),
             regenerate, 1, r"amber threshold 21 lies inside the green band \(green up to 22\)",
             "Measures!M3", verify=nothing_written),
        Case("unknown-tolerance-basis", with_bands(Tolerance_Basis="Sideways"), check, 1,
             r"tolerance basis 'Sideways' is not one of Relative, Absolute", "Measures!R3"),
        Case("settings-unknown-tolerance-basis",
             with_bands(settings=[["Tolerance Basis", "Percentage points"]]), check, 1,
             r"tolerance basis 'Percentage points' is not one of Relative, Absolute",
             "Settings!B2"),
        Case("settings-use-blue-not-yes-or-no",
             with_bands(settings=[["Authority", "A Council"], ["Use Blue", "Sometimes"]]),
             check, 1, r"use blue 'Sometimes' is not Yes or No", "Settings!B3"),
        Case("settings-green-tolerance-not-a-number",
             with_bands(settings=[["Default Green Tolerance", "a little"]]), check, 1,
             r"default green tolerance 'a little' is not a number", "Settings!B2"),
        Case("stretch-target-below-target-higher", with_bands(Stretch_Target=0.8), check, 1,
             r"stretch target 0\.8 is below the target 0\.9", "Measures!S3"),
        Case("stretch-target-above-target-lower",
             with_bands(Polarity="Lower", Target=0.25, Current=0.2, Stretch_Target=0.3),
             regenerate, 1, r"stretch target 0\.3 is above the target 0\.25", "Measures!S3",
             verify=nothing_written),
        Case("stretch-target-not-a-number", with_bands(Stretch_Target="lots"), check, 1,
             r"stretch target 'lots' is not a number", "Measures!S3"),
        Case("override-without-reason", with_bands(RAG_Override="Green"), regenerate, 1,
             r"RAG override Green has no reason", "Measures!T3", verify=nothing_written),
        Case("override-without-reason-column",
             with_bands(RAG_Override="Green", headers=BAND_HEADERS[:-1]), check, 1,
             r"RAG override Green has no reason: say why in an Override Reason column",
             "Measures!T3"),
        Case("override-unknown-word", with_bands(RAG_Override="Purple",
                                                 Override_Reason="why not"), check, 1,
             r"RAG override 'Purple' is not one of Blue, Green, Amber, Red", "Measures!T3"),
        Case("override-with-no-data", with_bands(Current="n/a", **judged), check, 1,
             r"RAG override Amber cannot stand: it has no current position", "Measures!T3"),
        Case("override-with-no-target", with_bands(Target=None, **judged), regenerate, 1,
             r"RAG override Amber cannot stand: it has no target", "Measures!T3",
             verify=nothing_written),
        Case("override-not-due", with_bands(Data_Status="Not due", **judged), check, 1,
             r"RAG override Amber cannot stand: its Data Status is Not due", "Measures!T3"),
        # odd but valid
        Case("absolute-tolerance-of-days",
             with_bands(Unit="days", Target=20, Current=22, Polarity="Lower", Tolerance=3,
                        Green_Tolerance=1, Tolerance_Basis="Absolute"),
             regenerate, 0, r"Wrote", verify=written),
        Case("stretch-target-on-a-range-is-ignored",
             with_bands(Polarity="Within range", Target=0.4, Target_Upper=0.6, Current=0.5,
                        Stretch_Target=0.5), regenerate, 0,
             r"warning: Measures!S3: stretch target is ignored for Within range", "Measures!S3",
             verify=written),
        Case("override-reason-without-override", with_bands(Override_Reason="just because"),
             regenerate, 0, r"override reason is given but there is no RAG Override",
             "Measures!U3", verify=written),
    ]


def _name_cases() -> list[Case]:
    forty_a = "Adult Social Care and Public Health Servi"[:40]
    forty_b = forty_a[:31] + "ces Xtra!"[:9]
    emoji = "\U0001F600\U0001F4CA"
    return [
        Case("names-forbidden-characters",
             rows(measure_row("M1", portfolio="Adults: Care/Health [2016] *?\\"),
                  measure_row("M2", portfolio="Adults- Care-Health (2016) --")),
             regenerate, 0, r"Wrote", verify=portfolio_sheets(2)),
        Case("names-apostrophes",
             rows(measure_row("M1", portfolio="'Children's Services'"),
                  measure_row("M2", portfolio="''")),
             regenerate, 0, r"Wrote", verify=portfolio_sheets(
                 2, lambda names: "Children's Services" in names)),
        Case("names-forty-characters",
             rows(measure_row("M1", portfolio="P" * 40)),
             regenerate, 0, r"Wrote", verify=portfolio_sheets(1, lambda n: n == ["P" * 31])),
        Case("names-collide-after-shortening",
             rows(measure_row("M1", portfolio=forty_a), measure_row("M2", portfolio=forty_b),
                  measure_row("M3", portfolio=forty_a.upper())),
             regenerate, 0, r"Wrote", verify=portfolio_sheets(3)),
        Case("names-reserved",
             rows(measure_row("M1", portfolio="Summary"), measure_row("M2", portfolio="HISTORY")),
             regenerate, 0, r"Wrote", verify=portfolio_sheets(2)),
        Case("names-right-to-left-and-emoji",
             rows(measure_row("M1", portfolio="\u0627\u0644\u062e\u062f\u0645\u0627\u062a "
                              "\u0627\u0644\u0627\u062c\u062a\u0645\u0627\u0639\u064a\u0629",
                              Notes="\u05e9\u05dc\u05d5\u05dd " + emoji + " notes \u200f!"),
                  measure_row("M2", portfolio=f"Housing {emoji}",
                              Measure="\u05de\u05d3\u05d3 " + emoji)),
             regenerate, 0, r"Wrote", verify=portfolio_sheets(
                 2, lambda names: any("\u0627" in n for n in names))),
        Case("names-forty-emoji",
             rows(measure_row("M1", portfolio="\U0001F600" * 40),
                  measure_row("M2", portfolio="\U0001F600" * 35 + "x")),
             regenerate, 0, r"Wrote", verify=portfolio_sheets(2)),
        Case("names-emoji-at-the-cut",
             rows(measure_row("M1", portfolio="A" * 30 + "\U0001F600" + "tail")),
             regenerate, 0, r"Wrote", verify=portfolio_sheets(1)),
    ]


def _output_cases() -> list[Case]:
    return [
        Case("output-folder-missing", good_book,
             lambda f, b: ["regenerate", str(b), "-o", str(f / "missing" / "out.xlsx")], 2,
             r"output folder does not exist"),
        Case("output-read-only", good_book, read_only_out, 2,
             r"cannot write in this folder|cannot be written|does not exist",
             tags=frozenset({"root-uses-proc"})),
        Case("output-is-a-folder", good_book, out_is_folder, 2, r"is a folder"),
        Case("output-equals-input", good_book, out_same_as_book, 2,
             r"OUT is the input workbook"),
        Case("output-symlink-to-input", good_book, out_symlink_to_book, 2,
             r"OUT is the input workbook"),
        Case("output-hard-link-to-input", good_book, out_hard_link_to_book, 2,
             r"OUT is the input workbook"),
        Case("output-same-path-spelled-differently", good_book, out_relative_same, 2,
             r"OUT is the input workbook"),
        Case("output-not-xlsx", good_book,
             lambda f, b: ["regenerate", str(b), "-o", str(f / "out.csv")], 2, r"\.xlsx"),
    ]


def _comparator_cases() -> list[Case]:
    """The Comparators table and free-text Benchmarking: each problem at its cell."""
    def comparators(*extra: list) -> Builder:
        return rows(measure_row("M1"), settings=[["Authority", "Buckinghamshire County Council"]],
                    comparators=[["M1", "Bucks", "2015", 0.5, "England"], *extra])

    text = HEADERS + ["Benchmarking"]
    return [
        Case("comparator-value-not-a-number", comparators(["M1", "Kent", "2015", "lots", "SN"]),
             regenerate, 1, r"comparator value 'lots' is not a number", "Comparators!D3",
             verify=nothing_written),
        Case("comparator-row-twice", comparators(["M1", "Kent", "2015", 0.4, "England"],
                                                 ["M1", "KENT", "2015", 0.6, "england"]),
             check, 1, r"KENT, 2015, England appears twice for Ref 'M1' \(also row 3\)",
             "Comparators!B4"),
        Case("comparator-year-not-a-year", comparators(["M1", "Kent", "last year", 0.4, "SN"]),
             check, 1, r"year 'last year' names no year", "Comparators!C3"),
        Case("comparator-unknown-ref", comparators(["ZZ", "Kent", "2015", 0.4, "SN"]),
             regenerate, 0, r"Ref 'ZZ' is not in the Measures table", "Comparators!A3",
             verify=written),
        Case("comparator-own-authority-not-found",
             rows(measure_row("M1"), settings=[["Authority", "Rutland County Council"]],
                  comparators=[["M1", "Kent", "2015", 0.4, "SN"]]),
             regenerate, 0, r"looked for 'Rutland County Council', 'Rutland'", "Comparators!B1",
             verify=written),
        Case("benchmarking-text-unreadable",
             rows(measure_row("M1", Benchmarking="Better than most"), headers=text),
             regenerate, 0, r"benchmarking is shown as it is: 'Better than most'",
             f"Measures!{chr(65 + len(HEADERS))}2", verify=written),
    ]


CASES: list[Case] = [
    # files that are not (readable) workbooks: exit 2
    Case("random-bytes", random_bytes, check, 2, r"not an Excel workbook"),
    Case("empty-file", empty_file, regenerate, 2, r"the file is empty"),
    Case("truncated-head", truncated_head, check, 2, r"damaged or truncated"),
    Case("truncated-tail", truncated_tail, regenerate, 2, r"damaged or truncated"),
    Case("corrupt-deflate-data", corrupt_deflate, check, 2, r"damaged"),
    Case("csv-renamed", csv_renamed, check, 2, r"not an Excel workbook"),
    Case("zip-but-not-workbook", zip_not_workbook, check, 2, r"not an Excel workbook"),
    Case("legacy-xls-renamed", legacy_xls, check, 2, r"Excel 97-2003.*\.xls\b"),
    Case("password-protected", encrypted_xlsx, regenerate, 2, r"password-protected"),
    Case("password-protected-ole-by-hand", encrypted_by_hand, check, 2, r"password-protected"),
    Case("billion-laughs-sheet", _hostile("laughs.xlsx", {SHEET1: billion_laughs(SHEET1)}),
         check, 2, r"sheet1\.xml declares a DTD or entities"),
    Case("billion-laughs-shared-strings",
         _hostile("laughs-sst.xlsx", {STRINGS: billion_laughs(STRINGS)}),
         regenerate, 2, r"sharedStrings\.xml declares a DTD or entities"),
    Case("external-entity", _hostile("xxe.xlsx", {"xl/workbook.xml": external_entity}),
         check, 2, r"workbook\.xml declares a DTD or entities"),
    Case("zip-bomb", zip_bomb, regenerate, 2, r"zip bomb", tags=frozenset({"bomb"})),
    Case("zip-bomb-lying-size", zip_bomb_lying, check, 2, r"damaged|zip bomb",
         tags=frozenset({"bomb"})),
    Case("zip-bomb-ratio", zip_bomb_ratio, check, 2, r"zip bomb", tags=frozenset({"bomb"})),
    Case("xml-deeply-nested-sheet", _hostile("deep.xlsx", {SHEET1: nested("<sheetData>")}),
         check, 2, r"sheet1\.xml nests or repeats more than", tags=frozenset({"bomb"})),
    Case("xml-deeply-nested-shared-string",
         _hostile("deep-sst.xlsx", {STRINGS: nested("<si>")}), regenerate, 2,
         r"sharedStrings\.xml nests or repeats more than", tags=frozenset({"bomb"})),
    Case("xml-element-flood-in-a-row",
         _hostile("flood.xlsx", {SHEET1: nested('<row r="2" spans="1:16">', flat=True)}),
         check, 2, r"sheet1\.xml nests or repeats more than", tags=frozenset({"bomb"})),
    Case("shared-string-index-negative",
         _hostile("neg-index.xlsx", {SHEET1: substitute(r'(<c r="A2" t="s"><v>)', r"\1-")}),
         check, 1, r"portfolio is the Excel error #REF!", "Measures!A2"),
    Case("zip-entry-encrypted", zip_entry_encrypted, check, 2, r"encrypted|password"),
    Case("zip-unknown-compression", zip_method_unknown, check, 2, r"compress"),
    Case("xml-not-well-formed", _hostile("bad-xml.xlsx", {SHEET1: substitute(r"</sheetData>", "")}),
         check, 2, r"sheet1\.xml is not well-formed XML"),
    Case("xml-bad-row-number", _hostile("bad-row.xlsx", {SHEET1: substitute(r'<row r="2"', '<row r="two"')}),
         check, 2, r"damaged"),
    Case("xml-bad-style-index", _hostile("bad-style.xlsx",
                                         {SHEET1: substitute(r'<c r="A2"', '<c r="A2" s="pct"')}),
         check, 2, r"damaged"),
    Case("table-range-huge", _hostile("huge-table.xlsx", {"xl/tables/table1.xml": substitute(
        r'ref="A1:P2"', 'ref="A1:XFD1048576"', 2)}), check, 2, r"table Measures .*too large"),
    Case("table-range-damaged", _hostile("bad-range.xlsx", {"xl/tables/table1.xml": substitute(
        r'ref="A1:P2"', 'ref="A1:P2:Q!"')}), check, 2, r"damaged range"),
    Case("book-is-a-folder", folder_as_book, check, 2, r"is a folder"),
    Case("book-missing", missing_book, regenerate, 2, r"no such file"),

    # workbooks with data problems: exit 1, naming the cell
    Case("missing-sheet", rows(measure_row("M1"), measures_table="Data", measures_sheet="Data"),
         check, 1, r"no sheet Measures with a table Measures \(sheets found: Data\)"),
    Case("missing-table", rows(measure_row("M1"), measures_table=None,
                               headers=["Portfolio", "Target", "Current"]), regenerate, 1,
         r"sheet Measures has no Excel table named Measures, and none of its first 20 rows "
         r"is a header row naming Ref and Measure", verify=nothing_written),
    Case("missing-columns", rows(measure_row("M1"), headers=[
        h for h in HEADERS if h not in ("Measure", "Ref")]), check, 1,
         r"no column 'Ref', 'Measure'", "Measures!A1"),
    Case("duplicate-headers-notes-comments", rows(measure_row("M1"), headers=HEADERS + ["Comments"]),
         check, 1, r"column 'Comments' appears twice \(also O1\)", "Measures!Q1"),
    Case("duplicate-refs", rows(measure_row("CS07"), measure_row("M2"), measure_row("cs07")),
         regenerate, 1, r"Ref 'cs07' is used twice \(also row 2\)", "Measures!C4",
         verify=nothing_written),
    Case("formula-without-result", formula_no_result, check, 1,
         r"formula \(=0\.5\+0\.45\) with no saved result", "Measures!F2"),
    Case("excel-error-div0", excel_error("#DIV/0!", 5), regenerate, 1,
         r"current position is the Excel error #DIV/0!", "Measures!F2", verify=nothing_written),
    Case("excel-error-ref-in-target", excel_error("#REF!", 4), check, 1,
         r"target is the Excel error #REF!", "Measures!E2"),
    Case("amber-threshold-wrong-side-higher", with_value(Amber_Threshold=0.95), check, 1,
         r"amber threshold 0\.95 is above the target 0\.9", "Measures!M3"),
    Case("amber-threshold-wrong-side-lower",
         with_value(Polarity="Lower is better", Target=0.25, Amber_Threshold=0.2), check, 1,
         r"amber threshold 0\.2 is below the target 0\.25", "Measures!M3"),
    Case("target-upper-below-target",
         with_value(Polarity="Within range", Target=0.6, Target_Upper=0.4), regenerate, 1,
         r"target upper 0\.4 is below the target 0\.6", "Measures!I3", verify=nothing_written),
    Case("empty-table", rows(), check, 1, r"table Measures has no measures", "Measures!A1"),
    Case("blank-required-cells", with_value(Ref="  "), check, 1, r"Ref is blank",
         "Measures!C3"),
    Case("benchmarks-missing-column", benchmarks_without_value, check, 1,
         r"table Benchmarks has no column 'Value'", "Benchmarks!A1"),
    Case("settings-bad-tolerance", rows(measure_row("M1"), settings=[["Default Tolerance", "lots"]]),
         check, 1, r"default tolerance 'lots' is not a number", "Settings!B2"),
    *_numeric_cases(),
    *_word_cases(),
    *_band_cases(),
    *_comparator_cases(),

    # odd but valid: exit 0, the output valid
    Case("keep-going-shows-problems", with_value(Current="abc"), regenerate_keep_going, 0,
         r"Measures!J3: current position 'abc' is not a number", "Measures!J3", verify=written),
    Case("notes-at-excel-cell-limit",
         rows(measure_row("M1", Notes="N" * 32_767), headers=HEADERS + ["Outcome"]),
         regenerate, 0, r"Wrote", verify=long_notes_truncated, tags=frozenset({"limits"})),
    Case("formula-injection-as-text", _injection_book, regenerate, 0, r"Wrote",
         verify=injected_text_kept),
    *_name_cases(),
    *_output_cases(),
]

# --- faithful text and packages: variants of the sample, as other tools save it ---

_TRANSITIONAL_TO_STRICT = {
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main":
        "http://purl.oclc.org/ooxml/spreadsheetml/main",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships":
        "http://purl.oclc.org/ooxml/officeDocument/relationships",
    "http://schemas.openxmlformats.org/drawingml/2006/main":
        "http://purl.oclc.org/ooxml/drawingml/main",
}


def sample_variant(name: str, parts: dict[str, bytes | Callable[[bytes], bytes]],
                   renames: dict[str, str] | None = None) -> Builder:
    """The bundled sample with parts edited (and zip entries renamed)."""
    def build(folder: Path) -> Path:
        path = rewrite_zip(SAMPLE, folder / name, parts)
        if renames:
            tmp = folder / ("renamed-" + name)
            with zipfile.ZipFile(path) as zin, \
                    zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
                for info in zin.infolist():
                    zout.writestr(renames.get(info.filename, info.filename),
                                  zin.read(info.filename))
            tmp.replace(path)
        return path
    return build


def to_strict(data: bytes) -> bytes:
    """A part as Excel's "Strict Open XML Spreadsheet" writes it: other namespaces
    (and relationship types), the same content; ISO dates where it has dates."""
    text = data.decode("utf-8")
    for old, new in _TRANSITIONAL_TO_STRICT.items():
        text = text.replace(old, new)
    return text.encode("utf-8")


def _strict_sample(folder: Path) -> Path:
    with zipfile.ZipFile(SAMPLE) as zf:
        names = [n for n in zf.namelist() if n.endswith((".xml", ".rels"))]
    return sample_variant("strict.xlsx", {n: to_strict for n in names})(folder)


def _sample_xf_count() -> int:
    with zipfile.ZipFile(SAMPLE) as zf:
        return int(re.search(r'<cellXfs count="(\d+)"', zf.read("xl/styles.xml").decode()).group(1))


#: The index of the cell format :func:`date_style` adds to the sample's styles.
DATE_XF = _sample_xf_count()


def date_style(data: bytes) -> bytes:
    """styles.xml with one more cell format, index DATE_XF: built-in date format 14."""
    text = data.decode("utf-8")
    text, n = re.subn(rf'<cellXfs count="{DATE_XF}">(.*?)</cellXfs>',
                      lambda m: f'<cellXfs count="{DATE_XF + 1}">' + m.group(1)
                      + '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" '
                        'applyNumberFormat="1"/></cellXfs>', text, count=1, flags=re.S)
    assert n == 1
    return text.encode("utf-8")


FAITHFUL_CASES = [
    Case("escaped-line-break-in-header", sample_variant("header-cr.xlsx", {
        STRINGS: substitute(r"<si><t>Current</t></si>",
                      '<si><t xml:space="preserve">Current_x000D_\nposition</t></si>'),
        "xl/tables/table1.xml": substitute(r'name="Current"', 'name="Current_x000d__x000a_position"')}),
        check, 0, r"(?s)CS03 +Red .*Children's Services: 13 with a RAG.*"
                  r"Measures!K3: Current from 'Current position'",
        "Measures!K3", verify=lambda folder, book: None),
    Case("escaped-line-break-after-polarity", sample_variant("polarity-cr.xlsx", {
        STRINGS: substitute(r"<t>Lower is better</t>",
                      '<t xml:space="preserve">Lower is better_x000D_\n</t>')}),
        check, 0, r"(?m)^CS03 +Red +% repeat referrals$", verify=lambda folder, book: None),
    Case("escaped-tab-in-ref", sample_variant("ref-tab.xlsx", {
        STRINGS: substitute(r"<t>CS01</t>", "<t>CS01_x0009_</t>")}),
        check, 0, r"(?m)^CS01 +Green +% of Child", verify=lambda folder, book: None),
    Case("escaped-underscore-is-literal", sample_variant("literal-x.xlsx", {
        STRINGS: substitute(r"reviewed in timescales</t>", "reviewed in timescales _x005F_x0041_</t>")}),
        check, 0, r"(?m)reviewed in timescales _x0041_$", verify=lambda folder, book: None),
    Case("part-names-in-other-case", sample_variant("part-case.xlsx", {
        "xl/_rels/workbook.xml.rels": substitute(r'Target="worksheets/sheet1.xml"',
                                           'Target="Worksheets/Sheet1.XML"')},
        renames={STRINGS: "xl/SharedStrings.xml"}),
        check, 0, r"(?m)^CS03 +Red +% repeat referrals$", verify=lambda folder, book: None),
    Case("strict-open-xml", _strict_sample, check, 0,
         r"(?m)^CS03 +Red .*\n(.*\n)*Children's Services: 13 with a RAG \(1 Green, 3 Amber, "
         r"9 Red\)", verify=lambda folder, book: None),
    Case("iso-date-in-current", sample_variant("iso-date.xlsx", {
        SHEET1: substitute(r'<c r="K5" s="\d+"><v>0.98</v></c>',
                     '<c r="K5" t="d"><v>2016-09-30T00:00:00Z</v></c>')}),
        check, 1, r"current position '2016-09-30' is a date, not a number", "Measures!K5"),
    Case("serial-date-1904-epoch", sample_variant("date1904.xlsx", {
        "xl/workbook.xml": substitute(r"<workbookPr ", '<workbookPr date1904="1" '),
        "xl/styles.xml": date_style,
        SHEET1: substitute(r'<c r="K5" s="\d+"><v>0.98</v></c>',
                     f'<c r="K5" s="{DATE_XF}"><v>41181</v></c>')}),
        check, 1, r"current position '2016-09-30' is a date", "Measures!K5"),
    Case("no-current-column-recognised", sample_variant("no-current.xlsx", {
        STRINGS: substitute(r"<si><t>Current</t></si>", "<si><t>Q2 figure</t></si>"),
        "xl/tables/table1.xml": substitute(r'name="Current"', 'name="Q2 figure"')}),
        check, 0, r"warning: Measures!A3: table Measures has no Current column recognised, so "
                  r"every measure will show Data unavailable \(headers seen: .*'Q2 figure'",
        "Measures!A3", verify=lambda folder, book: None),
]
CASES.extend(FAITHFUL_CASES)


def _styles_with(code: str) -> Callable[[bytes], bytes]:
    """styles.xml with one more cell format, index DATE_XF: custom number format ``code``."""
    def edit(data: bytes) -> bytes:
        text = date_style(data).decode("utf-8").replace(
            '<numFmts count="1">', f'<numFmts count="2"><numFmt numFmtId="200" formatCode="{code}"/>')
        return text.replace('<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" '
                            'applyNumberFormat="1"/></cellXfs>',
                            '<xf numFmtId="200" fontId="0" fillId="0" borderId="0" xfId="0" '
                            'applyNumberFormat="1"/></cellXfs>').encode("utf-8")
    return edit


def _backslash_names(folder: Path) -> Path:
    """The sample with every zip entry name but the content types written with backslashes
    (as some Windows zip tools write them)."""
    with zipfile.ZipFile(SAMPLE) as zf:
        renames = {n: n.replace("/", "\\") for n in zf.namelist() if n != "[Content_Types].xml"}
    return sample_variant("backslash.xlsx", {}, renames)(folder)


_RESULTS_KEPT = {"xl/workbook.xml": substitute(r' fullCalcOnLoad="1"', "")}

#: Cells other programs save, read as they mean them (each once read silently wrong).
MISREAD_CASES = [
    Case("duration-format-is-not-a-date", sample_variant("duration.xlsx", {
        "xl/styles.xml": _styles_with("[h]:mm"),
        SHEET1: substitute(r'<c r="K5" s="\d+"><v>0.98</v></c>', f'<c r="K5" s="{DATE_XF}"><v>0.98</v></c>')}),
        check, 0, r"(?m)^CS02 +Amber +% Children Looked After", verify=lambda folder, book: None),
    Case("iso-time-of-day-in-current", sample_variant("iso-time.xlsx", {
        SHEET1: substitute(r'<c r="K5" s="\d+"><v>0.98</v></c>', '<c r="K5" t="d"><v>10:10:10</v></c>')}),
        check, 1, r"current position '10:10:10' is a time of day, not a number", "Measures!K5"),
    Case("serial-60-is-28-february-1900", sample_variant("serial-60.xlsx", {
        "xl/styles.xml": date_style,
        SHEET1: substitute(r'<c r="K5" s="\d+"><v>0.98</v></c>', f'<c r="K5" s="{DATE_XF}"><v>60</v></c>')}),
        check, 1, r"current position '1900-02-28' is a date", "Measures!K5"),
    Case("formula-with-empty-string-result", sample_variant("empty-result.xlsx", {
        **_RESULTS_KEPT,
        SHEET1: substitute(r'<c r="K5" s="(\d+)"><v>0.98</v></c>',
                     r'<c r="K5" s="\1" t="str"><f>IF(L5="","",L5)</f><v></v></c>')}),
        check, 0, r"(?m)^CS02 +Data unavailable", verify=lambda folder, book: None),
    Case("formula-with-inline-string-result", sample_variant("inline-result.xlsx", {
        **_RESULTS_KEPT,
        SHEET1: substitute(r'<c r="C5" s="(\d+)" t="s"><v>\d+</v></c>',
                     r'<c r="C5" s="\1" t="inlineStr"><f>"CS"&amp;"02"</f><is><t>CS02</t></is></c>')}),
        check, 0, r"(?m)^CS02 +Amber +% Children Looked After", verify=lambda folder, book: None),
    Case("zip-entry-names-with-backslashes", _backslash_names, check, 0,
         r"(?m)^CS03 +Red +% repeat referrals$", verify=lambda folder, book: None),
]
CASES.extend(MISREAD_CASES)


# --- import: published scorecards that are not what they seem ---------------------------

def import_to_out(folder: Path, book: Path) -> list[str]:
    return ["import", str(book), "-o", str(out_path(folder))]


def _file(name: str, data: bytes) -> Builder:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path
    return build


def _imported(folder: Path, book: Path) -> None:
    from kpi_core.reading.workbook import read_workbook
    (measure,) = read_workbook(out_path(folder)).measures
    assert (measure.ref, measure.name, measure.polarity.value, measure.target) == (
        "A01", "Delayed transfers \u2013 rate", "Lower is better", 10)


# --- the slips officers make (SPEC section 3) ----------------------------------------------

def _percent_history(folder: Path) -> Path:
    """History Value 72 typed for 72% on a % measure (Past periods!C3)."""
    from kpi_core.authoring.template import write_performance_workbook
    path = folder / "book.xlsx"
    write_performance_workbook(
        path, [{"Portfolio": "Adults", "Ref": "A1", "Measure": "m", "Unit": "%",
                "Frequency": "Quarterly", "Target": 0.85, "Current": 0.71}],
        settings={"Authority": "Test Council", "Period": "Q2 2016/17"},
        history=[{"Ref": "A1", "Period": "Q4 2015/16", "Value": 0.7},
                 {"Ref": "A1", "Period": "Q1 2016/17", "Value": 72}])
    return path


def _check_data_shown(folder: Path, book: Path) -> None:
    """--keep-going: the erroneous measure shows Check data in every place, never a RAG."""
    import openpyxl
    wb = openpyxl.load_workbook(out_path(folder))
    rows = [[c.value for c in row] for ws in wb if ws.title not in ("Summary", "Data")
            for row in ws.iter_rows()]
    row = next(r for r in rows if "Measure M2" in r)
    assert "Check data" in row and not {"Green", "Amber", "Red", "Blue"} & set(row), row


SLIP_CASES = [
    Case("percent-scale-current", with_value(Current=71, Target=0.85), check, 1,
         r"71 on a % measure reads as 7,100%; type 71% or 0\.71", "Measures!J3"),
    Case("percent-scale-target", with_value(Target=75, Current=0.8), check, 1,
         r"75 on a % measure reads as 7,500%; type 75% or 0\.75", "Measures!H3"),
    Case("percent-scale-previous", with_value(Previous=62), check, 1,
         r"62 on a % measure reads as 6,200%", "Measures!K3"),
    Case("percent-scale-history-value", _percent_history, check, 1,
         r"72 on a % measure reads as 7,200%; type 72% or 0\.72", "Past periods!C3"),
    Case("percent-text-a-factor-short", with_value(Current="0.88%", Target=0.85), check, 0,
         r"warning: Measures!J3: current 0\.88% is 97 times below the target 85%: was 88% "
         r"meant\?", "Measures!J3", verify=nothing_written),
    Case("percent-scale-keep-going-check-data", with_value(Current=71), regenerate_keep_going,
         0, r"71 on a % measure reads as 7,100%", "Measures!J3", verify=_check_data_shown),
]
CASES.extend(SLIP_CASES)


IMPORT_CASES = [
    Case("import-text-without-a-scorecard", _file("minutes.txt", b"Minutes\nApologies: none\n"),
         import_to_out, 2, r"minutes\.txt: no measures found; a scorecard in the reference's "
                           r"layout has a header row 'Measure \| Target"),
    Case("import-docx-not-a-word-file", _file("paper.docx", random.Random(7).randbytes(3000)),
         import_to_out, 2, r"paper\.docx: is not a Word document \(\.docx\)"),
    Case("import-workbook-is-not-a-scorecard", lambda folder: SAMPLE.parent / SAMPLE.name,
         import_to_out, 2, r"no measures found"),
    Case("import-cp1252-text", _file("q1.txt", "Adults Portfolio \u2013 Cllr. B\nMeasure\tTarget\t"
                                     "Current position\tRAG\nDelayed transfers \u2013 rate\t"
                                     "10\t12\tRed\n".encode("cp1252")),
         import_to_out, 0, r"Read 1 measures of Adults", verify=_imported),
]
CASES.extend(IMPORT_CASES)

BY_ID = {case.id: case for case in CASES}
assert len(BY_ID) == len(CASES), "case ids must be unique"


# --- cells as other programs save them: a one-sheet workbook from its XML ----------------

_RAW_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/>'
    '{table_type}</Types>')
_RAW_REL = '<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/{kind}" Target="{target}"/>'
_RAW_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
             '"http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>')
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_OFFICE_REL = "officeDocument/2006/relationships/"


def raw_book(path: Path, rows: str, *, strings: tuple[str, ...] = (),
             numfmts: dict[int, str] | None = None, xf_formats: tuple[int, ...] = (),
             date1904: bool = False, calc_on_load: bool = False, table: str | None = None,
             backslash: bool = False, sheet: str = "Sheet1", namespaces: str = "") -> Path:
    """A one-sheet workbook whose ``sheetData`` holds ``rows`` (the XML of its rows, as
    another program wrote it), with these shared strings, custom number formats, cell
    formats (``s="i"`` is the format of number-format id ``xf_formats[i - 1]``; 0 is
    General), an optional Excel table over ``table`` (an A1 range), and zip entry
    names written with backslashes when ``backslash``; ``namespaces``: more declarations on
    the worksheet element (``xmlns:x14ac="..."``, as Excel writes)."""
    xfs = "".join(f'<xf numFmtId="{f}" fontId="0" fillId="0" borderId="0" xfId="0" '
                  'applyNumberFormat="1"/>' for f in (0, *xf_formats))
    fmts = "".join(f'<numFmt numFmtId="{i}" formatCode="{code}"/>'
                   for i, code in (numfmts or {}).items())
    styles = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN_NS}">'
              + (f'<numFmts count="{len(numfmts)}">{fmts}</numFmts>' if numfmts else "")
              + '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
              '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
              'patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/>'
              '<top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" '
              f'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="{len(xf_formats) + 1}">'
              f'{xfs}</cellXfs></styleSheet>')
    sst = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN_NS}" '
           f'count="{len(strings)}" uniqueCount="{len(strings)}">'
           + "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in strings) + "</sst>")
    book = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN_NS}" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            + ('<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>") + '<sheets>'
            + f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets>'
            + ('<calcPr calcId="191029" fullCalcOnLoad="1"/>' if calc_on_load else "")
            + "</workbook>")
    sheet_xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN_NS}" '
                 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
                 f'{" " + namespaces if namespaces else ""}>'
                 f"<sheetData>{rows}</sheetData>"
                 + ('<tableParts count="1"><tablePart r:id="rId1"/></tableParts>' if table else "")
                 + "</worksheet>")
    parts = {
        "[Content_Types].xml": _RAW_TYPES.format(table_type=(
            '<Override PartName="/xl/tables/table1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.table+xml"/>' if table else "")),
        "_rels/.rels": _RAW_RELS.format(_RAW_REL.format(
            id="rId1", kind=_OFFICE_REL + "officeDocument", target="xl/workbook.xml")),
        "xl/workbook.xml": book,
        "xl/_rels/workbook.xml.rels": _RAW_RELS.format(
            _RAW_REL.format(id="rId1", kind=_OFFICE_REL + "worksheet",
                            target="worksheets/sheet1.xml")
            + _RAW_REL.format(id="rId2", kind=_OFFICE_REL + "styles", target="styles.xml")
            + _RAW_REL.format(id="rId3", kind=_OFFICE_REL + "sharedStrings",
                              target="sharedStrings.xml")),
        "xl/styles.xml": styles,
        "xl/sharedStrings.xml": sst,
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if table:
        first, last = table.split(":")
        width = column_number(re.match(r"[A-Z]+", last).group()) \
            - column_number(re.match(r"[A-Z]+", first).group()) + 1
        parts["xl/worksheets/_rels/sheet1.xml.rels"] = _RAW_RELS.format(_RAW_REL.format(
            id="rId1", kind=_OFFICE_REL + "table", target="../tables/table1.xml"))
        parts["xl/tables/table1.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<table xmlns="{_MAIN_NS}" '
            f'id="1" name="Data" displayName="Data" ref="{table}"><autoFilter ref="{table}"/>'
            f'<tableColumns count="{width}">'
            + "".join(f'<tableColumn id="{i}" name="Column{i}"/>' for i in range(1, width + 1))
            + "</tableColumns></table>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name.replace("/", "\\") if backslash and name != "[Content_Types].xml"
                        else name, text)
    return path


def column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number
