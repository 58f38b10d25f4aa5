"""Big deflated parts are inflated by zlib-ng where it is installed (the ``fast`` extra),
from the zip's own bytes: every part gives the same bytes as zipfile's reader, every
workbook of the corpus the same tables and sheets (or the same error: damaged data, a
truncated zip, a size the zip's directory lies about, a zip bomb), and a part damaged in
its compressed data or its CRC is reported as damaged."""

from __future__ import annotations

import struct
import zipfile

import pytest

from kpi_core.accelerators import ENV_PURE
from kpi_core.errors import FileError
from kpi_core.reading import package
from kpi_core.reading.package import Package
from tests.support.corpus import CASES
from tests.support.paths import ROOT
from tests.support.reads import cells

pytest.importorskip("zlib_ng")

TEMPLATES = sorted((ROOT / "workbook_templates").glob("*.xls[xm]"))


@pytest.fixture
def both_ways(monkeypatch):
    """``read(function)``: ``function()`` with every deflated part inflated by zlib-ng,
    then by zipfile's reader (the pure install's way); and the parts zlib-ng read."""
    opened: list[str] = []
    inflated = package._Inflated

    class Spy(inflated):
        def __init__(self, zf, info, inflater):
            super().__init__(zf, info, inflater)
            opened.append(info.filename)

    monkeypatch.setattr(package, "_Inflated", Spy)

    def read(function):
        out = []
        for way in ("zlib-ng", "zlib"):
            monkeypatch.setattr(package, "FAST_INFLATE_BYTES", 0)
            monkeypatch.setenv(ENV_PURE, "0" if way == "zlib-ng" else "1")
            try:
                out.append(function())
            except FileError as exc:
                out.append(("FileError", str(exc)))
        return out[0], out[1], opened

    return read



def _parts(book):
    """Every part's bytes, read as the readers read a part (damage is a FileError)."""
    pkg = Package(book)
    out = {}
    for info in pkg.zip.infolist():
        chunks: list[bytes] = []
        pkg.parse_with(info.filename, chunks.append, lambda: None, bounded=True)
        out[info.filename] = b"".join(chunks)
    return out


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_corpus_reads_the_same_inflated_either_way(tmp_path, case, both_ways):
    book = case.build(tmp_path)
    if not book.is_file():
        pytest.skip("not a file")
    fast, zlib, _opened = both_ways(lambda: cells(book))
    assert fast == zlib


@pytest.mark.parametrize("book", TEMPLATES, ids=lambda p: p.name)
def test_every_part_inflates_to_the_same_bytes(book, both_ways):
    fast, zlib, opened = both_ways(lambda: _parts(book))
    assert fast == zlib and opened


def _damage(src, dst, part: str, at: float = 0.5, crc: bool = False) -> None:
    """A copy with one byte of ``part``'s compressed data flipped (``at``: how far in),
    or with its CRC-32 in both headers wrong."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as z:
        info = z.getinfo(part)
    name_bytes, extra_bytes = struct.unpack("<HH", data[info.header_offset + 26:
                                                        info.header_offset + 30])
    start = info.header_offset + 30 + name_bytes + extra_bytes
    if crc:
        wrong = struct.pack("<I", info.CRC ^ 1)
        data[info.header_offset + 14:info.header_offset + 18] = wrong
        found = data.find(b"PK\x01\x02")
        while found >= 0:  # the part's entry in the central directory
            if struct.unpack("<I", data[found + 42:found + 46])[0] == info.header_offset:
                data[found + 16:found + 20] = wrong
            found = data.find(b"PK\x01\x02", found + 4)
    else:
        data[start + int(info.compress_size * at)] ^= 0xFF
    dst.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["data near the start", "data in the middle",
                                 "data near the end", "the CRC"])
def test_a_damaged_part_is_damaged_either_way(tmp_path, both_ways, how):
    book = TEMPLATES[0]
    with zipfile.ZipFile(book) as z:
        part = max(z.infolist(), key=lambda i: i.compress_size).filename
    damaged = tmp_path / "damaged.xlsx"
    _damage(book, damaged, part, at={"data near the start": 0.05, "data in the middle": 0.5,
                                     "data near the end": 0.95}.get(how, 0), crc=how == "the CRC")
    fast, zlib, opened = both_ways(lambda: _parts(damaged))
    assert fast[0] == zlib[0] == "FileError", (fast, zlib)
    assert "damaged" in fast[1] and "damaged" in zlib[1]
    assert opened
