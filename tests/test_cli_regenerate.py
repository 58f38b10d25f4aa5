"""`kpi-scorecard regenerate`: the sample's scorecard end to end, and how it refuses."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from kpi_core.reading.workbook import read_workbook
from kpi_core.publishing.scorecard import (
    LABEL_NO_TARGET, LABEL_NOT_DUE, LABEL_RAG_TOTAL, LABEL_UNAVAILABLE,
)
from tests.workbooks import measure_row, write_book

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbook_templates" / "performance_workbook.xlsx"
STATUS_WORDS = {"Green", "Amber", "Red", "Data unavailable", "Not due", "No target"}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def sample_output(tmp_path_factory) -> Path:
    """`kpi-scorecard regenerate` with no arguments, as a new user runs it."""
    folder = tmp_path_factory.mktemp("cwd")
    before = digest(SAMPLE)
    done = subprocess.run([sys.executable, "-m", "addin.cli", "regenerate"], cwd=folder,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = folder / "performance_workbook - Scorecards.xlsx"
    assert f"Wrote {out}" in done.stdout
    assert digest(SAMPLE) == before  # the input is never written
    return out


def label_counts(ws) -> dict[str, object]:
    counts = {}
    for row in ws.iter_rows(values_only=True):
        for i, value in enumerate(row[:-1]):
            if isinstance(value, str):
                counts.setdefault(value, row[i + 1])
    return counts


def test_sample_counts_in_the_portfolio_sheet(sample_output):
    wb = openpyxl.load_workbook(sample_output)
    assert wb.sheetnames == ["Summary", "Children's Services", "Data"]
    counts = label_counts(wb["Children's Services"])
    assert counts[LABEL_RAG_TOTAL] == 13
    assert counts[LABEL_UNAVAILABLE] == 0
    assert counts[LABEL_NOT_DUE] == 0
    assert counts[LABEL_NO_TARGET] == 1
    assert (counts["Green"], counts["Amber"], counts["Red"]) == (1, 3, 9)


def test_every_measure_row_shows_its_status_word(sample_output):
    ws = openpyxl.load_workbook(sample_output)["Children's Services"]
    names = {m.name for m in read_workbook(SAMPLE).measures}
    seen = {}
    for row in ws.iter_rows(values_only=True):
        words = [v for v in row if v in STATUS_WORDS]
        if names & set(row):
            (name,) = names & set(row)
            assert len(words) == 1, row
            seen[name] = words[0]
    assert set(seen) == names
    assert seen["% repeat referrals"] == "Red"
    assert seen["% of CLA are placed no more than 20 miles away from home"] == "No target"


def test_json_adds_the_output(tmp_path, capsys):
    out = tmp_path / "card.xlsx"
    assert main(["regenerate", str(SAMPLE), "-o", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["output"] == str(out) and out.is_file()
    assert {"measures", "summary", "problems"} <= set(doc)
    assert doc["summary"]["Children's Services"]["Amber"] == 3


def test_output_equal_to_input_is_refused(tmp_path, capsys):
    book = tmp_path / "book.xlsx"
    shutil.copyfile(SAMPLE, book)
    before = digest(book)
    assert main(["regenerate", str(book), "-o", str(tmp_path / "." / "book.xlsx")]) == 2
    assert "is the input workbook" in capsys.readouterr().err
    assert digest(book) == before


def test_missing_output_folder_is_exit_2(tmp_path, capsys):
    assert main(["regenerate", str(SAMPLE), "-o", str(tmp_path / "nope" / "x.xlsx")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_data_errors_stop_the_run_and_write_nothing(tmp_path, capsys):
    book = write_book(tmp_path / "b.xlsx", [measure_row("M1", Current="abc"), measure_row("M2")])
    out = tmp_path / "out.xlsx"
    assert main(["regenerate", str(book), "-o", str(out)]) == 1
    assert "Measures!J2: current position 'abc' is not a number" in capsys.readouterr().err
    assert not out.exists()


def test_keep_going_shows_the_problem_on_the_measure(tmp_path):
    book = write_book(tmp_path / "b.xlsx", [measure_row("M1", Current="abc"), measure_row("M2")])
    out = tmp_path / "out.xlsx"
    assert main(["regenerate", str(book), "-o", str(out), "--keep-going"]) == 0
    ws = openpyxl.load_workbook(out)["Adults"]
    rows = [r for r in ws.iter_rows(values_only=True) if "Measure M1" in r]
    assert len(rows) == 1 and "Check data" in rows[0]
    assert any(isinstance(v, str) and "Measures!J2" in v for v in rows[0])
    green = [r for r in ws.iter_rows(values_only=True) if "Measure M2" in r]
    assert "Green" in green[0]


def test_formula_text_in_comments_stays_text(tmp_path):
    book = write_book(tmp_path / "b.xlsx", [measure_row("M1", Notes="=HYPERLINK(\"x\")+1")])
    out = tmp_path / "out.xlsx"
    assert main(["regenerate", str(book), "-o", str(out)]) == 0
    cells = [c for row in openpyxl.load_workbook(out)["Adults"].iter_rows() for c in row
             if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)
    assert cells[0].value.endswith('Notes: =HYPERLINK("x")+1')


@pytest.mark.slow
def test_pdf_holds_the_measure_names(tmp_path):
    pytest.importorskip("weasyprint", reason="WeasyPrint is not installed; cannot test --pdf")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; cannot read the PDF")
    out = tmp_path / "card.xlsx"
    assert main(["regenerate", str(SAMPLE), "-o", str(out), "--pdf"]) == 0
    text = subprocess.run(["pdftotext", str(out.with_suffix(".pdf")), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "% repeat referrals" in flat
    assert "Key areas of good performance" in flat
    assert "Page 1 of" in flat
