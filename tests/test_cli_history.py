"""History end to end: `check --json` and `regenerate` on real workbooks with History, the
scorecard's Direction and Trend cells, native sparklines LibreOffice reads, and the
fictional demonstration workbook."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from kpi_core.publishing.pdf import find_soffice
from tests.history_books import write_history_book
from tests.workbooks import measure_row

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "workbook_templates" / "demo_performance_workbook.xlsx"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "addin.cli", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=120)


MEASURES = [
    measure_row("H1", "Adults", Target=0.9, Current=0.95),
    measure_row("L1", "Adults", Polarity="Lower is better", Unit="number", Target=10,
                Current=12),
    measure_row("R1", "Adults", Polarity="Within range", Unit="number", Target=40,
                Target_Upper=60, Current=65),
    measure_row("N1", "Children", Target=0.9, Current=0.95, Previous=0.5),
    measure_row("M1", "Children", Unit="number", Frequency="Monthly", Target=100, Current=120),
]
HISTORY = [
    ["H1", "Q2 2015/16", 0.97, None, None],
    ["H1", "Q3 2015/16", 0.86, None, None],
    ["H1", "Q4 2015/16", 0.85, None, None],
    ["H1", "2016/17 Q1", 0.8, None, None],
    ["L1", "Q1 16/17", 10.5, None, "Green"],  # published Green; the rules would give Amber
    ["L1", "Q2 2015/16", 15, None, None],
    ["R1", "Q1 2016/17", 70, None, None],
    ["M1", "2016-08", 90, None, None],
    ["M1", "Sep 2015", 130, None, None],
]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_history_book(tmp_path / "history.xlsx", MEASURES, HISTORY)


def test_check_json_carries_the_history_fields(book: Path):
    done = run_cli("check", str(book), "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    doc = json.loads(done.stdout)
    assert doc["problems"] == []
    got = {m["ref"]: m for m in doc["measures"]}
    fields = ("status", "direction", "direction_long", "previous_status", "movement")
    assert {ref: tuple(m[f] for f in fields) for ref, m in got.items()} == {
        "H1": ("Green", "Improving", "Worsening", "Red", "Improved"),
        "L1": ("Red", "Worsening", "Improving", "Green", "Declined"),
        "R1": ("Amber", "Improving", None, "Red", "Improved"),
        "N1": ("Green", "Improving", None, "Red", "Improved"),
        "M1": ("Green", "Improving", "Worsening", "Amber", "Improved"),
    }
    assert got["H1"]["trend"] == [
        {"period": "Q2 2015/16", "value": 0.97}, {"period": "Q3 2015/16", "value": 0.86},
        {"period": "Q4 2015/16", "value": 0.85}, {"period": "Q1 2016/17", "value": 0.8},
        {"period": "Q2 2016/17", "value": 0.95}]
    assert got["N1"]["trend"] == []  # no History: no trend, whatever the Previous column says
    assert [t["period"] for t in got["M1"]["trend"]] == [
        "Feb 2016", "Mar 2016", "Apr 2016", "May 2016", "Jun 2016", "Jul 2016", "Aug 2016",
        "Sep 2016"]
    assert got["M1"]["trend"][-2:] == [{"period": "Aug 2016", "value": 90},
                                       {"period": "Sep 2016", "value": 120}]


def test_check_lists_history_errors_with_cells_and_exit_1(tmp_path: Path):
    path = write_history_book(tmp_path / "bad.xlsx", MEASURES, HISTORY + [
        ["H1", "Q1 2016/17", 0.5, None, None],  # row 11: H1 Q1 twice
        ["L1", "Q3 2016/17", 5, None, None],    # row 12: after the current period
        ["R1", "Q5 2016/17", 5, None, None],    # row 13: not a period
    ])
    done = run_cli("check", str(path))
    assert done.returncode == 1
    assert "History!B11: H1 has Q1 2016/17 twice (also History!B5); keep one" in done.stdout
    assert "History!B12: period Q3 2016/17 is after the current period Q2 2016/17" \
        in done.stdout
    assert "History!B13: period 'Q5 2016/17' is not a period label" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    doc = json.loads(run_cli("check", str(path), "--json").stdout)
    assert {(p["sheet"], p["cell"]) for p in doc["problems"]} == {
        ("History", "B11"), ("History", "B12"), ("History", "B13")}


def _row_of(ws, text):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row
    raise AssertionError(f"{text!r} not found in {ws.title}")


def test_regenerate_json_and_the_scorecard_cells(book: Path, tmp_path: Path, capsys):
    out = tmp_path / "card.xlsx"
    assert main(["regenerate", str(book), "-o", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["output"] == str(out)
    assert {m["ref"]: m["movement"] for m in doc["measures"]}["L1"] == "Declined"

    with pytest.warns(UserWarning, match="Sparkline"):  # openpyxl cannot keep them
        wb = openpyxl.load_workbook(out)
    ws = wb["Adults"]
    header_row = _row_of(ws, "Direction of travel")
    headers = [c.value for c in ws[header_row]]
    direction_col = headers.index("Direction of travel") + 1
    trend_col = headers.index("Trend") + 1
    assert headers.index("Trend") == headers.index("Direction of travel") + 1
    h1 = _row_of(ws, "Measure H1")
    # one fact a line, each naming the period it compares with and the figure then
    assert ws.cell(h1, direction_col).value.splitlines() == [
        "\u25b2 Improving since Q1 2016/17 (80%)", "\u25bc Worsening since Q2 2015/16 (97%)",
        "Red in Q1 2016/17"]
    assert ws.cell(h1, trend_col).value is None  # the sparkline is drawn over an empty cell
    l1 = _row_of(ws, "Measure L1")
    assert ws.cell(l1, direction_col).value.splitlines() == [
        "\u25bc Worsening since Q1 2016/17 (10.5)", "\u25b2 Improving since Q2 2015/16 (15)",
        "Green in Q1 2016/17"]
    n1 = _row_of(wb["Children"], "Measure N1")
    assert wb["Children"].cell(n1, trend_col).value == "-"  # no history: a plain dash

    summary = wb["Summary"]
    top = _row_of(summary, "Portfolio")
    heads = [c.value for c in summary[top]]
    rows = {summary.cell(r, 1).value: {h: summary.cell(r, i + 1).value
                                        for i, h in enumerate(heads)}
            for r in range(top + 1, top + 4)}
    assert (rows["Adults"]["Improved"], rows["Adults"]["Declined"], rows["Adults"]["Same RAG"]) \
        == (2, 1, 0)
    assert (rows["Children"]["Improved"], rows["Total"]["Improved"]) == (2, 4)
    texts = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
    assert "RAG movement since Q1 2016/17: 4 improved, 1 declined, 0 the same" in texts
    adults = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "RAG movement since Q1 2016/17: 2 improved, 1 declined, 0 the same" in adults


def _sparklines(xlsx: Path, sheet_index: int) -> list[tuple[str, str]]:
    with zipfile.ZipFile(xlsx) as z:
        xml = z.read(f"xl/worksheets/sheet{sheet_index}.xml").decode()
    return re.findall(r"<x14:sparkline><xm:f>([^<]+)</xm:f><xm:sqref>([^<]+)</xm:sqref>", xml)


def test_native_sparklines_over_hidden_values(book: Path, tmp_path: Path):
    out = tmp_path / "card.xlsx"
    assert main(["regenerate", str(book), "-o", str(out)]) == 0
    sparks = _sparklines(out, 2)  # Summary is sheet 1, Adults sheet 2
    assert len(sparks) == 3  # H1, L1, R1: each with history
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet2.xml").decode()
    assert 'displayHidden="1"' in xml and 'high="1"' in xml and 'low="1"' in xml
    assert 'first="1"' in xml and 'last="1"' in xml
    with pytest.warns(UserWarning, match="Sparkline"):  # openpyxl cannot keep them
        ws = openpyxl.load_workbook(out)["Adults"]
    h1 = _row_of(ws, "Measure H1")
    data_range = next(f for f, where in sparks if where.endswith(str(h1)))
    cells = ws[data_range.split("!")[1]][0]
    assert [c.value for c in cells] == [0.97, 0.86, 0.85, 0.8, 0.95]
    hidden = [(int(a), int(b)) for a, b in
              re.findall(r'<col min="(\d+)" max="(\d+)"[^>]*hidden="1"', xml)]
    assert all(any(a <= c.column <= b for a, b in hidden) for c in cells)
    # hidden columns beyond the print area: the values never print
    assert cells[0].column > len([c for c in ws[_row_of(ws, "Direction of travel")] if c.value])


@pytest.mark.slow
def test_libreoffice_reads_the_sparklines(book: Path, tmp_path: Path):
    soffice = find_soffice()
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path / "card.xlsx"
    assert main(["regenerate", str(book), "-o", str(out)]) == 0
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "ods", "--outdir", str(tmp_path), str(out)],
                   capture_output=True, timeout=180, check=True)
    with zipfile.ZipFile(out.with_suffix(".ods")) as z:
        content = z.read("content.xml").decode()
    assert content.count("<calcext:sparkline ") == 4  # H1, L1, R1 and M1; N1 has no history
    assert content.count("<calcext:sparkline-group ") >= 2


@pytest.mark.slow
def test_demo_workbook_checks_and_prints_a_tagged_pdf(tmp_path: Path):
    pytest.importorskip("weasyprint", reason="WeasyPrint is not installed; cannot test --pdf")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = run_cli("check", str(DEMO), "--json")
    assert done.returncode == 0
    doc = json.loads(done.stdout)
    assert doc["problems"] == []
    assert len(doc["summary"]) >= 3
    with_trend = [m for m in doc["measures"] if len(m["trend"]) == 8]
    assert len(with_trend) >= 15
    out = tmp_path / "demo.xlsx"
    assert main(["regenerate", str(DEMO), "-o", str(out), "--pdf"]) == 0
    pdf = out.with_suffix(".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
    assert pages <= 2 * (1 + len(doc["summary"]))  # the committee PDF flows (issue 12)
    assert "Tagged:          yes" in info
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   text=True).stdout.split())
    assert "RAG movement since Q1 2016/17" in text
    assert "since Q2 2015/16" in text
    assert "fictional" in text
    # the trends are drawn as figures whose alternative text gives the figures
    pikepdf = pytest.importorskip("pikepdf")
    with pikepdf.open(pdf) as document:
        alts = []

        def walk(node):
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids else []):
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    if kid.S == "/Figure":
                        alts.append(str(kid.Alt))
                    walk(kid)

        walk(document.Root.StructTreeRoot)
    trends = [a for a in alts if " to Q2 2016/17: " in a]
    assert len(trends) >= 15


def test_the_printable_copy_has_text_trends_and_no_sparklines(book: Path, tmp_path: Path):
    from kpi_core.pipeline import assess_workbook
    from kpi_core.publishing.scorecard import build_scorecard, has_sparklines
    from kpi_core.publishing.xlsx import write_scorecard
    from kpi_core.reading.workbook import read_workbook

    workbook = read_workbook(book)
    card = build_scorecard(assess_workbook(workbook), workbook.settings)
    assert has_sparklines(card)
    out = write_scorecard(card, tmp_path / "print.xlsx", text_trends=True)
    assert _sparklines(out, 2) == []
    ws = openpyxl.load_workbook(out)["Adults"]
    h1 = _row_of(ws, "Measure H1")
    headers = [c.value for c in ws[_row_of(ws, "Trend")]]
    # 0.97, 0.86, 0.85, 0.8, 0.95 on eight heights: 7, 2.5, 2.1, 0, 6.2, rounded
    assert ws.cell(h1, headers.index("Trend") + 1).value == "\u2588\u2583\u2583\u2581\u2587"
