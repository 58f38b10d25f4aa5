"""The compiled fast path (python-calamine) and the pure reader give identical results:
the same ``check --json`` (measures, settings, History, Comparators, problems) and the
same tables and sheets, over every workbook the tests have: the bad-input corpus, the
templates, synthetic workbooks with History and Comparators, the misread patterns and
an XlsxWriter book. Every sheet is offered to the fast path (its size threshold set to
0) and read in small slices, so that the slicing is exercised too; a spy shows the fast
path did read the sheets it is meant for, so the comparison is not empty.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest

from addin.cli import main
from kpi_core.reading import columnar, compiled
from tests.support.corpus import CASES, raw_book
from tests.support.paths import ROOT
from tests.support.reads import cells, check_json

pytest.importorskip("python_calamine")

TEMPLATES = sorted((ROOT / "workbook_templates").glob("*.xls[xm]"))


@pytest.fixture
def both_paths(monkeypatch):
    """A function of a workbook: what each path reads of it, and which sheets the fast
    path read itself."""
    monkeypatch.setattr(compiled, "MIN_PART_BYTES", 0)
    monkeypatch.setattr(compiled, "SLICE_BYTES", 16 * 1024)
    # the tables by rows (the columnar lane would read them first): calamine's rows
    # against the pure scanner's
    monkeypatch.setattr(columnar, "MIN_PART_BYTES", 1 << 62)
    fast_parts: list[str] = []
    read_blocks = compiled.CompiledReader.read_blocks

    def spy(self, part, on_block):
        read_blocks(self, part, on_block)
        fast_parts.append(part)

    monkeypatch.setattr(compiled.CompiledReader, "read_blocks", spy)

    def read(book, capsys=None):
        out = {}
        for path in ("fast", "pure"):
            monkeypatch.setenv("KPI_SCORECARD_PURE", "1" if path == "pure" else "0")
            out[path] = (cells(book), check_json(book, capsys) if capsys else None)
        return out["fast"], out["pure"], fast_parts

    return read




def _cases():
    return [c for c in CASES if "bomb" not in c.tags]


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c.id)
def test_the_corpus_checks_the_same_by_both_paths(tmp_path, case, both_paths, capsys):
    book = case.build(tmp_path)
    if not book.is_file():
        pytest.skip("not a file")
    fast, pure, _ = both_paths(book, capsys)
    assert fast == pure


@pytest.mark.parametrize("book", TEMPLATES, ids=lambda p: p.name)
def test_the_templates_check_the_same_by_both_paths(book, both_paths, capsys):
    fast, pure, fast_parts = both_paths(book, capsys)
    assert fast == pure
    assert fast_parts, "the fast path read no sheet"


def test_synthetic_workbooks_check_the_same_by_both_paths(tmp_path, both_paths, capsys):
    """History and Comparators, as the benchmarks write them (smaller): the fast path
    reads every sheet, in many slices."""
    import xlsxwriter

    from benchmarks.synthetic import (COMPARATOR_HEADERS, history_rows, synthetic_comparators,
                                      synthetic_rows)
    from kpi_core.authoring.template import add_performance_sheets
    measures, benchmarks, settings = synthetic_rows(300)
    book = tmp_path / "synthetic.xlsx"
    rows = synthetic_comparators(measures, settings, 20)
    workbook = xlsxwriter.Workbook(str(book), {"strings_to_formulas": False,
                                               "strings_to_urls": False})
    add_performance_sheets(workbook, measures, benchmarks, settings, title="Synthetic",
                           history=history_rows(measures))
    ws = workbook.add_worksheet("Comparators")
    ws.add_table(0, 0, len(rows), len(COMPARATOR_HEADERS) - 1, {
        "name": "Comparators", "data": rows, "columns": [{"header": h} for h in COMPARATOR_HEADERS]})
    workbook.close()
    fast, pure, fast_parts = both_paths(book, capsys)
    assert fast == pure
    report = json.loads(fast[1][1])
    assert len(report["measures"]) == 300 and any(m["ranks"] for m in report["measures"])
    with zipfile.ZipFile(book) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sorted(set(fast_parts)) == sorted(sheets)


@pytest.mark.slow
@pytest.mark.parametrize("history", [False, True], ids=["plain", "history"])
def test_the_benchmark_workbooks_check_the_same_by_both_paths(both_paths, capsys, history,
                                                              monkeypatch):
    """The 5,000-measure workbooks of the benchmarks (written once, cached), read in the
    fast path's own slices."""
    from benchmarks.synthetic import history_workbook_path, workbook_path
    book = history_workbook_path(5000) if history else workbook_path(5000)
    monkeypatch.setattr(compiled, "SLICE_BYTES", 2 << 20)
    fast, pure, fast_parts = both_paths(book, capsys)
    assert fast == pure and fast_parts


def test_misread_patterns_and_xlsxwriter_books_read_the_same_by_both_paths(tmp_path,
                                                                          both_paths):
    rows = ('<row r="1"><c r="A1" s="1"><v>1.5</v></c><c r="B1" s="2"><v>60</v></c>'
            '<c r="C1" s="3"><v>0.25</v></c><c r="D1" t="s"><v>0</v></c>'
            '<c r="E1" t="b"><v>1</v></c><c r="F1"><v>not a number</v></c></row>'
            '<row r="2"><c r="A2"><v>2</v></c></row><row r="2"><c r="B2"><v>3</v></c></row>'
            '<row><c r="A6"><v>6</v></c></row><row><c><v>7</v></c><c><v>8</v></c></row>'
            '<row r="9"><c r="B9"><v> 9 </v></c><c r="C9"><v>1_000</v></c></row>'
            '<row r="10"><c r="A10" s="3"/><c r="B10" t="s"><v>-1</v></c></row>'
            '<row r="11"><c r="A11" t="str"><f>A1</f><v></v></c></row>')
    kwargs = {"strings": ("Ref",), "numfmts": {164: "[h]:mm", 165: "0.0%"},
              "xf_formats": (164, 14, 165)}
    beside = "".join(f'<row r="{r}"><c r="C{r}"><v>{r}</v></c><c r="D{r}" s="3"><v>0.{r}</v></c>'
                     f'<c r="E{r}" t="s"><v>0</v></c></row>' for r in range(1, 5))
    for book in (raw_book(tmp_path / "left.xlsx", beside, table="A1:A4", **kwargs),
                 raw_book(tmp_path / "right.xlsx", beside, table="D1:F4", **kwargs),
                 raw_book(tmp_path / "misreads.xlsx", rows, **kwargs),
                 raw_book(tmp_path / "table.xlsx", rows, table="A1:F11", **kwargs),
                 raw_book(tmp_path / "plain.xlsx", rows.split("<row r=\"9\">")[0], **kwargs)):
        fast, pure, _ = both_paths(book)
        assert fast == pure, book.name


def test_our_scorecard_reads_the_same_by_both_paths(tmp_path, both_paths):
    """What the command line writes, as ``import`` reads it back."""
    out = tmp_path / "scorecard.xlsx"
    assert main(["regenerate", str(TEMPLATES[-1]), "-o", str(out)]) == 0
    fast, pure, fast_parts = both_paths(out)
    assert fast == pure and fast_parts


@pytest.mark.slow
def test_the_pure_reader_needs_no_calamine(tmp_path):
    """As in Pyodide: python-calamine cannot be imported; kpi_core reads the sample."""
    script = ("import sys; sys.modules['python_calamine'] = None\n"
              "from kpi_core.reading import compiled\n"
              "from kpi_core.reading.workbook import read_workbook\n"
              "assert not compiled.available()\n"
              f"print(len(read_workbook({str(TEMPLATES[0])!r}).measures))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0 and int(done.stdout) > 0, done.stderr


def test_a_flood_of_elements_in_one_slice_goes_to_the_pure_scanner(tmp_path, both_paths,
                                                                   monkeypatch):
    """600,000 empty elements in a row, all within one slice of the fast path: calamine
    would read past them, the pure scanner refuses the part (its bound on XML tags held),
    and so the fast path hands it over."""
    monkeypatch.setattr(compiled, "SLICE_BYTES", 8 << 20)
    rows = ('<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c>'
            + "<x/>" * 600_000 + "</row>")
    fast, pure, _fast_parts = both_paths(raw_book(tmp_path / "flood.xlsx", rows))
    assert fast == pure
    assert "nests or repeats more than" in fast[0]


def test_a_slice_of_many_short_rows_is_read_by_the_fast_path(tmp_path, both_paths,
                                                             monkeypatch):
    """More tags in one slice than the pure scanner holds at once, in rows of a few tags
    each: no flood, so the fast path reads it."""
    monkeypatch.setattr(compiled, "SLICE_BYTES", 8 << 20)
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 100_001))
    assert rows.count("<") > compiled.MAX_HELD_TAGS
    fast, pure, fast_parts = both_paths(raw_book(tmp_path / "long.xlsx", rows))
    assert fast == pure and fast_parts
