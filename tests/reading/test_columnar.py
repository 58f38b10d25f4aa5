"""The columnar lane (:mod:`kpi_core.reading.columnar`) and the row readers give identical
results: the same tables (cells, percent cells, places) and the same ``check --json``,
over the corpus, the templates, a synthetic workbook with Comparators, the misread
patterns and an XlsxWriter book; every table is offered to the lane (its size threshold
set to 0, read in small slices). Each thing the lane does not read is shown to go back
to the row readers (a spy sees the refusal) with the same result; what it reads, it is
shown to read (the comparison is not empty).
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from addin.cli import main
from kpi_core.errors import FileError
from kpi_core.reading import columnar
from kpi_core.reading.xlsx import WorkbookFile
from tests.support.corpus import CASES, raw_book
from tests.support.paths import ROOT
from tests.support.reads import check_json

TEMPLATES = sorted((ROOT / "workbook_templates").glob("*.xls[xm]"))
OFF = 1 << 62


@pytest.fixture
def lane(monkeypatch):
    """``read(book, capsys=None)``: what each way reads of a workbook, and the lane's
    outcomes (``"read"`` or ``"refused"`` per sheet offered)."""
    monkeypatch.setattr(columnar, "SLICE_BYTES", 4 * 1024)
    outcomes: list[str] = []
    read_columns = columnar.read_columns

    def spy(*args, **kwargs):
        try:
            found = read_columns(*args, **kwargs)
        except columnar.NotColumnar:
            outcomes.append("refused")
            raise
        outcomes.append("read")
        return found

    monkeypatch.setattr(columnar, "read_columns", spy)

    def read(book, capsys=None):
        out = {}
        for way, size in (("columns", 0), ("rows", OFF)):
            monkeypatch.setattr(columnar, "MIN_PART_BYTES", size)
            out[way] = (_tables(book), check_json(book, capsys) if capsys else None)
        return out["columns"], out["rows"], outcomes

    return read


def _tables(book):
    """Every table, each offered to the lane, as plain data."""
    try:
        with WorkbookFile(book) as workbook:
            names = _table_names(workbook)
            raw = workbook.tables(by_column=names)
            return {key: (t.name, t.sheet, t.top, t.left, [list(r) for r in t.rows],
                          t.percent_cells) for key, t in raw.tables.items()}
    except FileError as exc:
        return str(exc)


def _table_names(workbook):
    try:
        return tuple(t.name for t in workbook.tables().tables.values())
    except FileError:
        return ()



@pytest.mark.parametrize("case", [c for c in CASES if "bomb" not in c.tags], ids=lambda c: c.id)
def test_the_corpus_reads_the_same_by_columns_and_by_rows(tmp_path, case, lane, capsys):
    book = case.build(tmp_path)
    if not book.is_file():
        pytest.skip("not a file")
    columns, rows, _ = lane(book, capsys)
    assert columns == rows


@pytest.mark.parametrize("book", TEMPLATES, ids=lambda p: p.name)
def test_the_templates_read_the_same_by_columns_and_by_rows(book, lane, capsys):
    columns, rows, outcomes = lane(book, capsys)
    assert columns == rows
    assert "read" in outcomes, "the lane read no table"


def _synthetic(tmp_path, markers=True):
    import xlsxwriter

    from benchmarks.synthetic import (COMPARATOR_HEADERS, history_rows, synthetic_comparators,
                                      synthetic_rows)
    from kpi_core.authoring.template import add_performance_sheets
    measures, benchmarks, settings = synthetic_rows(200)
    book = tmp_path / "synthetic.xlsx"
    rows = [list(r) for r in synthetic_comparators(measures, settings, 20)]
    if markers:  # a marker, a blank value, a blank row, a text in Value, an unknown Ref
        rows[3][3], rows[5][3] = "x", None
        rows[7] = [None] * len(rows[7])
        rows[9][3], rows[11][0] = "lots", "NOPE"
    workbook = xlsxwriter.Workbook(str(book), {"strings_to_formulas": False,
                                               "strings_to_urls": False})
    add_performance_sheets(workbook, measures, benchmarks, settings, title="Synthetic",
                           history=history_rows(measures))
    ws = workbook.add_worksheet("Comparators")
    ws.add_table(0, 0, len(rows), len(COMPARATOR_HEADERS) - 1, {
        "name": "Comparators", "data": rows, "columns": [{"header": h} for h in COMPARATOR_HEADERS]})
    workbook.close()
    return book


def test_a_synthetic_workbook_checks_the_same_by_columns_and_by_rows(tmp_path, lane, capsys):
    """Comparators as the benchmarks write them (smaller), with the odd rows a reader
    reports, in many slices: the same tables, ranks, bands and problems."""
    columns, rows, outcomes = lane(_synthetic(tmp_path), capsys)
    assert columns == rows
    assert outcomes.count("read") >= 2  # the Comparators table, and the others offered
    report = json.loads(columns[1][1])
    assert any(m["ranks"] for m in report["measures"])
    assert any(p["sheet"] == "Comparators" for p in report["problems"])


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_a_workbook_saved_by_libreoffice_is_read_by_columns(tmp_path, lane, capsys):
    """LibreOffice's own rows (its flags written out, no spans) and numbers (t="n"): the
    long tables still take the lane, with the same tables and check as by rows."""
    source = _synthetic(tmp_path)
    out = tmp_path / "libreoffice"
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out),
         str(source)], capture_output=True, text=True, timeout=240)
    book = out / source.name
    assert book.is_file(), done.stdout + done.stderr
    columns, rows, outcomes = lane(book, capsys)
    assert columns == rows
    assert outcomes.count("read") >= 4, outcomes  # Measures, Benchmarks, History, Comparators


def test_our_scorecard_reads_the_same_by_columns_and_by_rows(tmp_path, lane):
    out = tmp_path / "scorecard.xlsx"
    assert main(["regenerate", str(TEMPLATES[-1]), "-o", str(out)]) == 0
    columns, rows, _ = lane(out)
    assert columns == rows


# --- what the lane reads, and what it hands back -------------------------------------

STRINGS = ("Ref", "Authority", "Year", "Value", "Group", "M1", "Kent", "2015", "England", "x")
HEAD = ('<row r="1" spans="1:5"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c>'
        '</row>')


def _row(r, value='<c r="D{r}"><v>0.5</v></c>', ref='<c r="A{r}" t="s"><v>5</v></c>'):
    return (f'<row r="{r}" spans="1:5">' + ref.format(r=r)
            + f'<c r="B{r}" t="s"><v>6</v></c><c r="C{r}" t="s"><v>7</v></c>'
            + value.format(r=r) + f'<c r="E{r}" t="s"><v>8</v></c></row>')


X14AC = 'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"'
#: A row as Excel writes it (a style of its own, a height, its x14ac attribute) and as
#: LibreOffice does (no spans, its flags written out, each number's t="n").
EXCEL_ROW = 'spans="1:5" s="1" customFormat="1" ht="30" customHeight="1" x14ac:dyDescent="0.25"'
LIBREOFFICE_ROW = ('customFormat="false" ht="15" hidden="false" customHeight="false" '
                   'outlineLevel="0" collapsed="false"')


def _book(tmp_path, rows, table="A1:E4", namespaces=""):
    return raw_book(tmp_path / "book.xlsx", rows, strings=STRINGS, table=table,
                    numfmts={165: "0.0%"}, xf_formats=(165, 14, 0), namespaces=namespaces)


READ = {
    "plain": HEAD + _row(2) + _row(3) + _row(4),
    "a marker, a blank cell, a missing cell": HEAD + _row(2, '<c r="D{r}" t="s"><v>9</v></c>')
    + _row(3, '<c r="D{r}"/>') + _row(4, ""),
    "percent and date styles": HEAD + _row(2, '<c r="D{r}" s="1"><v>0.5</v></c>')
    + _row(3, '<c r="D{r}" s="2"><v>42643</v></c>') + _row(4, '<c r="D{r}" s="1"/>'),
    "a row missing, rows past the table": HEAD + _row(2) + _row(4) + _row(5) + _row(6),
    "numbers as written": HEAD + _row(2, '<c r="D{r}"><v>-1.5E-3</v></c>')
    + _row(3, '<c r="D{r}"><v>007</v></c>') + _row(4, '<c r="D{r}"><v>2</v></c>'),
    "no spans": (HEAD + _row(2) + _row(3) + _row(4)).replace(' spans="1:5"', ""),
    "a row height": (HEAD + _row(2) + _row(3) + _row(4)).replace(
        'spans="1:5"', 'spans="1:5" ht="20"'),
    "Excel's rows": (HEAD + _row(2) + _row(3) + _row(4)).replace('spans="1:5"', EXCEL_ROW),
    "LibreOffice's rows": (HEAD + _row(2, '<c r="D{r}" s="1" t="n"><v>0.5</v></c>')
                           + _row(3, '<c r="D{r}" t="n"><v>2</v></c>') + _row(4)
                           ).replace('spans="1:5"', LIBREOFFICE_ROW),
}

REFUSED = {
    "an entity": _row(2, '<c r="D{r}" t="inlineStr"><is><t>a &amp; b</t></is></c>'),
    "a formula": _row(2, '<c r="D{r}"><f>1+1</f><v>2</v></c>'),
    "a boolean": _row(2, '<c r="D{r}" t="b"><v>1</v></c>'),
    "an error": _row(2, '<c r="D{r}" t="e"><v>#N/A</v></c>'),
    "a formula's text": _row(2, '<c r="D{r}" t="str"><v>abc</v></c>'),
    "an inline string": _row(2, '<c r="D{r}" t="inlineStr"><is><t>abc</t></is></c>'),
    "a number float() reads otherwise": _row(2, '<c r="D{r}"><v>1e</v></c>'),
    "a number with spaces": _row(2, '<c r="D{r}"><v> 2 </v></c>'),
    "a string index past the strings": _row(2, '<c r="D{r}" t="s"><v>99</v></c>'),
    "a cell naming another row": _row(2, '<c r="D3"><v>0.5</v></c>'),
    "a cell outside the table": _row(2).replace("</row>", '<c r="F2"><v>1</v></c></row>'),
    "a comment between rows": _row(2) + "<!-- x -->",
    "text between rows": _row(2) + "\n  ",
    "a row written twice": _row(2) + _row(2, '<c r="D{r}"><v>0.7</v></c>'),
    "rows out of order": _row(3) + _row(2),
    "a row without r": _row(2).replace('r="2" ', ""),
    "cells out of order": _row(2).replace('<c r="A2" t="s"><v>5</v></c>', "")
    .replace("</row>", '<c r="A2" t="s"><v>5</v></c></row>'),
    "an attribute more": _row(2, '<c r="D{r}" cm="1"><v>0.5</v></c>'),
    "a text typed as a number": _row(2, '<c r="D{r}" t="n"><v>abc</v></c>'),
    "a row attribute it does not know": _row(2).replace('spans="1:5"', 'spans="1:5" foo="1"'),
    "row attributes out of order": _row(2).replace('spans="1:5"', 'ht="20" spans="1:5"'),
    "a self-closed row": _row(2) + '<row r="3" spans="1:5"/>',
}


@pytest.mark.parametrize("name", list(READ))
def test_the_lane_reads_regular_rows_as_the_row_readers_do(tmp_path, lane, name):
    columns, rows, outcomes = lane(_book(tmp_path, READ[name],
                                         namespaces=X14AC if "Excel" in name else ""))
    assert columns == rows
    assert outcomes == ["read"], name


@pytest.mark.parametrize("name", list(REFUSED))
def test_anything_else_goes_back_to_the_row_readers(tmp_path, lane, name):
    columns, rows, outcomes = lane(_book(tmp_path, HEAD + REFUSED[name] + _row(4)))
    assert columns == rows
    assert outcomes == ["refused"], name


# Columns of texts alone in the first slice are read by a pattern that takes texts alone
# there; a later slice with anything else in them is read by the usual pattern.
_MANY = "".join(_row(r, ref=f'<c r="A{{r}}" t="s"><v>{5 + r % 3}</v></c>') for r in range(2, 60))
_STYLED = "".join(_row(r, '<c r="D{r}" s="1"><v>0.5</v></c>', f'<c r="A{{r}}" s="3" t="s"><v>'
                        f'{5 + r % 3}</v></c>') for r in range(2, 60))


def _g(r, value='<c r="D{r}" s="3"><v>0.5</v></c>'):
    """A row of :data:`_GENERAL`'s shape: its Ref a text of style 3."""
    return _row(r, value, f'<c r="A{{r}}" s="3" t="s"><v>{5 + r % 3}</v></c>')


_GENERAL = "".join(_g(r, '<c r="D{r}" s="3"><v>%s</v></c>' % (r / 8) if r % 5 else
                      '<c r="D{r}" s="3"/>' if r % 2 else "") for r in range(2, 60))
_PERCENT = _GENERAL.replace(' s="3"><v>', ' s="1"><v>').replace(' s="3"/>', ' s="1"/>')
LATER = {
    "texts alone throughout": _MANY,
    "a number in a column of texts": _MANY + _row(60, ref='<c r="A{r}"><v>7</v></c>'),
    "a blank cell in a column of texts": _MANY + _row(60, ref='<c r="A{r}"/>'),
    "a missing cell in a column of texts": _MANY + _row(60, ref="") + _row(61),
    "a styled text in a column of texts": _MANY + _row(60, ref='<c r="A{r}" s="1" t="s">'
                                                      '<v>5</v></c>'),
    "a marker, then numbers, in the values": _MANY.replace(
        '<c r="D3"><v>0.5</v></c>', '<c r="D3" t="s"><v>9</v></c>') + _row(60),
    "styled cells from a later slice on": _MANY + _row(60, '<c r="D{r}" s="1"><v>0.5</v></c>')
    + _row(61, '<c r="D{r}" s="2"><v>42643</v></c>') + _row(62),
    # a styled sheet: its texts of one style (a General one here, s="3") read alone too
    "texts of one style throughout": _STYLED,
    "a text of another style later": _STYLED + _row(60, ref='<c r="A{r}" s="1" t="s"><v>5</v></c>'),
    "a text without its style later": _STYLED + _row(60, ref='<c r="A{r}" t="s"><v>5</v></c>'),
    "texts of a percent style": _STYLED.replace(' s="3" t="s"', ' s="1" t="s"'),
    # a styled sheet's numbers of one General style (s="3"), absent and empty cells among
    # them, read by a pattern that takes that style alone; anything else later
    "numbers of one style throughout": _GENERAL,
    "a number of a percent style later": _GENERAL + _g(60, '<c r="D{r}" s="1"><v>0.5</v></c>'),
    "a number of a date style later": _GENERAL + _g(60, '<c r="D{r}" s="2"><v>42643</v></c>'),
    "a number without its style later": _GENERAL + _g(60, '<c r="D{r}"><v>0.7</v></c>'),
    "an empty cell without its style later": _GENERAL + _g(60, '<c r="D{r}"/>') + _g(61),
    "a text of the style later": _GENERAL + _g(60, '<c r="D{r}" s="3" t="s"><v>9</v></c>'),
    "numbers of a percent style throughout": _PERCENT,
}


@pytest.mark.parametrize("name", list(LATER))
def test_columns_of_texts_read_the_same_whatever_comes_later(tmp_path, lane, name):
    columns, rows, outcomes = lane(_book(tmp_path, HEAD + LATER[name], table="A1:E62"))
    assert columns == rows
    assert outcomes == ["read"], name
    assert len(HEAD + LATER[name]) > 2 * columnar.SLICE_BYTES  # read in several slices


# A column with a number in fewer than half its cells (History's Target): the numbers are
# put among the texts and blanks, not the texts among the numbers.
_FEW = (_row(2, '<c r="D{r}" t="s"><v>9</v></c>') + _row(3, '<c r="D{r}"/>') + _row(4, "")
        + _row(5, '<c r="D{r}"><v>2.5</v></c>') + _row(6, '<c r="D{r}"/>'))
FEW_NUMBERS = {
    "a number among texts and blanks": (_FEW, "read"),
    "two numbers, the last cell one": (_FEW + _row(7, '<c r="D{r}"><v>-1E-3</v></c>'), "read"),
    "a number float() refuses among them": (_FEW.replace("2.5", "1e"), "refused"),
}


@pytest.mark.parametrize("name", list(FEW_NUMBERS))
def test_a_column_of_few_numbers_reads_as_the_row_readers_do(tmp_path, lane, name):
    rows_xml, outcome = FEW_NUMBERS[name]
    columns, rows, outcomes = lane(_book(tmp_path, HEAD + rows_xml, table="A1:E7"))
    assert columns == rows
    assert outcomes == [outcome], name



@pytest.mark.parametrize("rows_xml, narrowed", [
    (_GENERAL, {3: b"3"}),  # D's numbers; A's texts are read as texts alone
    (_PERCENT, {}),  # a percent style: its group kept
    (_GENERAL.replace('<c r="D8" s="3"><v>1.0</v></c>', '<c r="D8"><v>1.0</v></c>'), {}),
])
def test_numbers_of_one_style_are_read_without_a_group_for_it(tmp_path, monkeypatch, rows_xml,
                                                            narrowed):
    learned = []
    pattern = columnar._row_pattern

    def spy(*args, **kwargs):
        learned.append(kwargs.get("one_style", args[5] if len(args) > 5 else None))
        return pattern(*args, **kwargs)

    monkeypatch.setattr(columnar, "_row_pattern", spy)
    monkeypatch.setattr(columnar, "MIN_PART_BYTES", 0)
    monkeypatch.setattr(columnar, "SLICE_BYTES", 4 * 1024)
    with WorkbookFile(_book(tmp_path, HEAD + rows_xml, table="A1:E59")) as workbook:
        workbook.tables(by_column=("Data",))
    assert [one for one in learned if one] == ([narrowed] if narrowed else [])

def test_the_rows_end_wherever_the_slices_fall(tmp_path, lane, monkeypatch):
    """``</sheetData>`` whole in a slice, cut between two, or alone in the last one."""
    book = _book(tmp_path, HEAD + _MANY, table="A1:E59")
    _, (rows, _), outcomes = lane(book)
    tried = set()
    for size in range(1024, 1024 + 420, 3):  # a row is ~200 bytes, </sheetData> 12
        monkeypatch.setattr(columnar, "SLICE_BYTES", size)
        monkeypatch.setattr(columnar, "MIN_PART_BYTES", 0)
        with WorkbookFile(book) as workbook:
            table = workbook.tables(by_column=("Data",)).tables["data"]
        assert [list(r) for r in table.rows] == rows["data"][4], size
        tried.add(size)
    assert len(tried) == 140 and outcomes == ["read"] * 141


#: Rows no XML parser takes: the same error either way (the lane never reads them as rows).
MALFORMED = {
    "a row attribute twice": _row(2).replace('spans="1:5"', 'spans="1:5" ht="20" ht="20"'),
    "Excel's prefix not declared": _row(2).replace('spans="1:5"', EXCEL_ROW),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_row_is_the_same_error_either_way(tmp_path, lane, name):
    columns, rows, _outcomes = lane(_book(tmp_path, HEAD + MALFORMED[name] + _row(4)))
    assert columns == rows
    assert "not well-formed" in columns[0], name
