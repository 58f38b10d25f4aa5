"""Every bad input of ``tests/support/corpus.py``: the documented exit code, a message that
explains, the ``Sheet!Cell`` at fault, no traceback, and the input's bytes unchanged.

The cases run in-process through ``addin.cli.main`` (fast); a handful run again as
real processes (``python -m addin.cli``), and the zip bombs once more in a process
whose time and peak memory are measured.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from addin.cli import main
from tests.support.corpus import BY_ID, CASES, Case, out_path, running_as_root
from tests.support.paths import ROOT


def sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def assert_outcome(case: Case, code: int, output: str, folder: Path, book: Path,
                   before: str | None) -> None:
    assert "Traceback" not in output, output
    assert code == case.exit_code, f"exit {code}, expected {case.exit_code}:\n{output}"
    assert re.search(case.message, output), f"{case.message!r} not in:\n{output}"
    if case.cell:
        assert f"{case.cell}: " in output, f"{case.cell} not named in:\n{output}"
    assert sha256(book) == before, "the input workbook was changed"
    if case.verify:
        case.verify(folder, book)
    elif case.exit_code != 0:
        assert not out_path(folder).is_file(), "an output was written for a failed run"


def test_corpus_is_big_enough():
    assert len(CASES) >= 40
    assert {c.exit_code for c in CASES} == {0, 1, 2}
    assert sum(1 for c in CASES if c.cell) >= 20
    assert all(c.verify for c in CASES if c.exit_code == 0)  # outputs are always checked


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_in_process(case: Case, tmp_path, capsys):
    book = case.build(tmp_path)
    before = sha256(book)
    argv = case.argv(tmp_path, book)
    code = main(argv)
    captured = capsys.readouterr()
    assert_outcome(case, code, captured.out + captured.err, tmp_path, book, before)


SUBPROCESS_CASES = ["random-bytes", "password-protected", "billion-laughs-sheet",
                    "duplicate-refs", "names-forty-emoji", "output-read-only",
                    "zip-entry-encrypted"]


def run_cli(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "addin.cli", *argv], capture_output=True,
                          text=True, cwd=cwd, timeout=60)


@pytest.mark.parametrize("case_id", SUBPROCESS_CASES)
@pytest.mark.slow
def test_case_as_a_real_process(case_id, tmp_path):
    case = BY_ID[case_id]
    book = case.build(tmp_path)
    before = sha256(book)
    done = run_cli(case.argv(tmp_path, book), ROOT)
    assert_outcome(case, done.returncode, done.stdout + done.stderr, tmp_path, book, before)
    if case.exit_code == 2:
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("kpi-scorecard: "), done.stderr


def test_read_only_output_case_says_how_it_is_forced(tmp_path):
    """As root ``chmod a-w`` stops nothing, so the case writes under /proc instead."""
    from tests.support.corpus import read_only_out
    out = Path(read_only_out(tmp_path, tmp_path / "book.xlsx")[-1])
    if running_as_root():
        assert out.parent == Path("/proc")
    else:
        assert not os.access(out.parent, os.W_OK)


_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run([sys.executable, "-m", "addin.cli", *sys.argv[1:]], capture_output=True,
                      text=True)
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
print(done.returncode, round(took, 3), peak)
print(done.stderr)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
@pytest.mark.parametrize("case_id", [c.id for c in CASES if "bomb" in c.tags])
@pytest.mark.slow
def test_zip_bomb_refused_within_time_and_memory(case_id, tmp_path):
    """The CLI runs in a fresh child of a fresh process, so RUSAGE_CHILDREN is its peak
    alone (this test process's other children do not count)."""
    case = BY_ID[case_id]
    book = case.build(tmp_path)
    assert book.stat().st_size < 2 * 2**20  # a small file...
    done = subprocess.run([sys.executable, "-c", _MEASURE, *case.argv(tmp_path, book)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    first, _, stderr = done.stdout.partition("\n")
    code, took, peak_kib = first.split()
    assert int(code) == 2 and re.search(case.message, stderr), done.stdout
    assert float(took) < 20, f"took {took} s"
    assert int(peak_kib) < 300 * 1024, f"peak RSS {int(peak_kib) // 1024} MB"
    print(f"{case_id}: refused in {took} s, peak RSS {int(peak_kib) // 1024} MB")


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice not installed")
@pytest.mark.slow
def test_cell_limit_output_opens_in_libreoffice(tmp_path, capsys):
    """The 32,767-character Notes case: LibreOffice opens the output and prints it."""
    from kpi_core.publishing.pdf import convert_to_pdf
    case = BY_ID["notes-at-excel-cell-limit"]
    book = case.build(tmp_path)
    assert main(case.argv(tmp_path, book)) == 0
    pdf = convert_to_pdf(out_path(tmp_path), tmp_path / "out.pdf", timeout=90)
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 2000
