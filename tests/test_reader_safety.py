"""The reader's fast XML path: it refuses DTDs (and so entities) wherever a part
declares them, in any encoding, and reads exactly what defusedxml's parser reads."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from defusedxml.ElementTree import iterparse as defused_iterparse

from kpi_core.reading.package import Package
from kpi_core.errors import FileError
from kpi_core.authoring.template import write_performance_workbook
from kpi_core.reading.xlsx import read_tables

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbook_templates" / "performance_workbook.xlsx"

LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
          '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>')


def _rewrite(src: Path, dst: Path, part: str, change) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, change(data) if info.filename == part else data)


def _with_dtd(data: bytes) -> bytes:
    text = data.decode("utf-8")
    head, sep, rest = text.partition("?>")
    return (head + sep + LAUGHS + rest).encode("utf-8") if sep else (LAUGHS + text).encode()


@pytest.fixture
def book(tmp_path) -> Path:
    path = tmp_path / "book.xlsx"
    write_performance_workbook(path, [{"Portfolio": "P", "Ref": "A1", "Measure": "m",
                                       "Target": 1, "Current": 2}])
    return path


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml",
                                  "xl/sharedStrings.xml"])
def test_a_dtd_is_refused_in_any_part(book, tmp_path, part):
    bad = tmp_path / "bad.xlsx"
    _rewrite(book, bad, part, _with_dtd)
    with pytest.raises(FileError, match="DTD"):
        read_tables(bad)


def test_a_dtd_after_a_long_prolog_is_refused(book, tmp_path):
    bad = tmp_path / "bad.xlsx"
    padding = "<!--" + "x" * 200_000 + "-->"
    _rewrite(book, bad, "xl/worksheets/sheet1.xml",
             lambda d: _with_dtd(d.replace(b"?>", b"?>" + padding.encode(), 1)))
    with pytest.raises(FileError, match="DTD"):
        read_tables(bad)


def test_a_dtd_in_a_utf16_part_is_refused(book, tmp_path):
    bad = tmp_path / "bad.xlsx"

    def utf16(data: bytes) -> bytes:
        text = _with_dtd(data).decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
        return text.encode("utf-16")

    _rewrite(book, bad, "xl/worksheets/sheet1.xml", utf16)
    with pytest.raises(FileError, match="DTD"):
        read_tables(bad)


def test_an_undeclared_entity_is_not_well_formed(book, tmp_path):
    bad = tmp_path / "bad.xlsx"
    _rewrite(book, bad, "xl/sharedStrings.xml", lambda d: d.replace(b"<t>m</t>", b"<t>&x;</t>"))
    with pytest.raises(FileError, match="not well-formed"):
        read_tables(bad)


def test_the_fast_path_reads_what_defusedxml_reads(monkeypatch):
    fast = read_tables(SAMPLE)

    def slow(self, name, events=("end",)):
        yield from defused_iterparse(self.open(name), events=events, forbid_dtd=True)

    monkeypatch.setattr(Package, "iterparse", slow)
    assert read_tables(SAMPLE) == fast
    assert fast.tables["measures"].rows[1][2] == "CS01"
