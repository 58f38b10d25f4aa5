"""Our reader against openpyxl and python-calamine, cell by cell, over every workbook the
tests have: the corpus, the templates, a synthetic workbook, the misread patterns,
workbooks XlsxWriter writes, and (marked slow) the same saved again by LibreOffice.

Cells are compared by kind and value. Where a reader differs from ours by design, the
rule is written out in :func:`_agree`:

- a formula without a saved result (ours :class:`FormulaNoResult`) is not compared;
- python-calamine gives an error cell as an empty value, openpyxl as its text;
- openpyxl reads no Strict Open XML workbook: it is compared with calamine alone; both
  pick a shared string counted from the end for a negative index (we read ``#REF!``):
  that hostile file is left to the bad-input corpus;
- openpyxl leaves ``_xHHHH_`` escapes in text as they are stored (we and calamine decode
  them): such text is compared with calamine alone;
- a number formatted as a time of day alone (``h:mm``) stays a number with us, where
  the others give a ``datetime.time``; an elapsed-time format (``[h]:mm``) is a number with
  us and a ``timedelta`` with them: the same value either way;
- calamine leaves an ISO date text it does not parse (``2016-09-30T00:00:00Z``) as text.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import pytest

from kpi_core.errors import FileError
from kpi_core.reading.scan import CellError, FormulaNoResult, decode_escapes
from kpi_core.reading.xlsx import read_sheet, sheet_names
from tests.corpus import CASES, ROOT, raw_book

openpyxl = pytest.importorskip("openpyxl")
calamine = pytest.importorskip("python_calamine")

_SKIP = object()


def _kind(value: object) -> tuple[str, object] | None:
    if value is None or value == "":
        return None
    if isinstance(value, FormulaNoResult):
        return ("formula", value)
    if isinstance(value, CellError):
        return ("error", value.code)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", float(value))
    if isinstance(value, dt.timedelta):
        return ("duration", value / dt.timedelta(days=1))
    if isinstance(value, dt.datetime):
        return ("date", value)
    if isinstance(value, dt.date):
        return ("date", dt.datetime.combine(value, dt.time()))
    if isinstance(value, dt.time):
        return ("time", value)
    return ("text", str(value))


def _seconds(t: dt.time) -> float:
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6


def _agree(ours: tuple | None, theirs: tuple | None, who: str) -> bool:
    if ours is not None and ours[0] == "formula":
        return True
    if ours == theirs:
        return True
    if ours is None or theirs is None:
        return who == "calamine" and ours is not None and ours[0] == "error" and theirs is None
    (kind, value), (their_kind, their_value) = ours, theirs
    if kind == their_kind == "number":
        return abs(value - their_value) <= 1e-9 * max(1.0, abs(value))
    if kind == their_kind == "date":
        return abs((value - their_value).total_seconds()) < 0.001
    if kind == "number" and their_kind == "duration":  # [h]:mm, to the millisecond
        return abs(value - their_value) * 86400 < 0.001
    if kind == "number" and their_kind == "time":  # h:mm stays a number with us
        return abs(value * 86400 % 86400 - _seconds(their_value)) < 0.001
    if kind == "error" and their_kind == "text" and who == "openpyxl":
        return value == their_value
    if kind == "text" and their_kind == "text" and who == "openpyxl":
        return value == decode_escapes(their_value) or "_x" in their_value
    if kind == "date" and their_kind == "text" and who == "calamine":
        try:
            return dt.datetime.fromisoformat(their_value).replace(tzinfo=None) == value
        except ValueError:
            return False
    return False


def _ours(path: Path) -> dict[str, dict[tuple[int, int], tuple]] | None:
    try:
        out = {}
        for name in sheet_names(path):
            table = read_sheet(path, name)
            out[name] = {(ri + 1, ci + 1): _kind(v) for ri, row in enumerate(table.rows)
                         for ci, v in enumerate(row) if _kind(v) is not None}
        return out
    except FileError:
        return None


def _openpyxl(path: Path) -> dict[str, dict[tuple[int, int], tuple]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path, data_only=True)  # read-only drops repeated rows
    return {ws.title: {(cell.row, cell.column): _kind(cell.value)
                       for row in ws.iter_rows() for cell in row
                       if _kind(cell.value) is not None}
            for ws in book.worksheets}


def _calamine(path: Path) -> dict[str, dict[tuple[int, int], tuple]]:
    book = calamine.CalamineWorkbook.from_path(str(path))
    out = {}
    for meta in book.sheets_metadata:
        if meta.typ != calamine.SheetTypeEnum.WorkSheet:
            continue
        rows = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
        out[meta.name] = {(ri + 1, ci + 1): _kind(v) for ri, row in enumerate(rows)
                          for ci, v in enumerate(row) if _kind(v) is not None}
    return out


def _differences(path: Path, oracles: tuple[str, ...] = ("openpyxl", "calamine")) -> list[str]:
    ours = _ours(path)
    if ours is None:
        return []  # refused: the bad-input corpus says why
    found, read_by = [], 0
    for who, read in (("openpyxl", _openpyxl), ("calamine", _calamine)):
        if who not in oracles:
            continue
        try:
            theirs = read(path)
        except Exception:  # noqa: BLE001 - openpyxl cannot open backslash entry names
            continue
        read_by += 1
        for sheet, cells in ours.items():
            other = theirs.get(sheet, {})
            for at in sorted(cells.keys() | other.keys()):
                if not _agree(cells.get(at), other.get(at), who):
                    found.append(f"{path.name} {sheet}!R{at[0]}C{at[1]}: ours {cells.get(at)}, "
                                 f"{who} {other.get(at)}")
    return found if read_by or not oracles else [f"{path.name}: neither openpyxl nor "
                                                 "calamine reads it"]


def _zip_cases():
    return [c for c in CASES if c.exit_code != 2 or "bomb" not in c.tags]


@pytest.mark.parametrize("case", _zip_cases(), ids=lambda c: c.id)
def test_the_corpus_reads_as_openpyxl_and_calamine_read_it(tmp_path, case):
    book = case.build(tmp_path)
    if not book.is_file() or not zipfile.is_zipfile(book):
        pytest.skip("not a workbook")
    try:
        with zipfile.ZipFile(book) as zf:
            zf.testzip()
    except Exception:  # noqa: BLE001 - a damaged zip is the bad-input corpus's business
        pytest.skip("damaged zip")
    assert _differences(book, _CALAMINE_ONLY.get(case.id, ("openpyxl", "calamine"))) == []


_CALAMINE_ONLY = {"strict-open-xml": ("calamine",), "shared-string-index-negative": ()}
TEMPLATES = sorted((ROOT / "workbook_templates").glob("*.xls[xm]"))


@pytest.mark.parametrize("book", TEMPLATES, ids=lambda p: p.name)
def test_the_templates_read_as_openpyxl_and_calamine_read_them(book):
    assert _differences(book) == []


def test_a_synthetic_workbook_reads_as_openpyxl_and_calamine_read_it(tmp_path):
    from benchmarks.synthetic import history_rows, synthetic_rows
    from kpi_core.authoring.template import write_performance_workbook
    measures, benchmarks, settings = synthetic_rows(200)
    book = tmp_path / "synthetic.xlsx"
    write_performance_workbook(book, measures, benchmarks, settings, title="Synthetic",
                               history=history_rows(measures))
    assert _differences(book) == []


#: The XML of each misread (tests/test_reader_misreads.py), in one sheet.
MISREAD_ROWS = (
    '<row r="1"><c r="A1" s="1"><v>1.5</v></c><c r="B1" s="2"><v>1.5</v></c>'
    '<c r="C1" s="3"><v>1.5</v></c><c r="D1" s="4"><v>60</v></c><c r="E1" s="4"><v>61</v></c>'
    '<c r="F1" s="4"><v>59</v></c></row>'
    '<row r="2"><c r="A2"><v>2</v></c></row><row r="2"><c r="B2"><v>3</v></c></row>'
    '<row r="3"><c r="A3" t="d"><v>10:10:10</v></c><c r="B3" t="d"><v>2016-09-30T10:10:10</v></c>'
    '<c r="C3" t="str"><f>IF(D3="","",D3)</f><v></v></c>'
    '<c r="D3" t="str"><v>one\r\ntwo\rthree</v></c>'
    '<c r="E3" t="inlineStr"><f>"x"&amp;"y"</f><is><t>xy</t></is></c>'
    '<c r="F3" t="e"><v>#DIV/0!</v></c><c r="G3" t="s"><v>0</v></c><c r="H3" t="b"><v>1</v></c>'
    '<c r="I3" s="5"><v>0.5</v></c><c r="J3" s="6"><v>0.25</v></c></row>'
    '<row><c r="A6"><v>6</v></c></row>')


def _misread_books(folder: Path) -> list[Path]:
    kwargs = {"strings": ("tab_x0009_and_x000D_",),
              "numfmts": {164: "[h]:mm", 165: "[hh]:mm", 166: "[mm]:ss", 167: "h:mm",
                          168: "0.0%"},
              "xf_formats": (164, 165, 166, 14, 167, 168)}
    return [raw_book(folder / "misreads.xlsx", MISREAD_ROWS, **kwargs),
            raw_book(folder / "misreads-expat.xlsx", "<!-- expat -->" + MISREAD_ROWS, **kwargs),
            raw_book(folder / "misreads-backslash.xlsx", MISREAD_ROWS, backslash=True, **kwargs)]


def _xlsxwriter_book(folder: Path) -> Path:
    """Every kind of value XlsxWriter writes: numbers, text with escapes and line breaks,
    booleans, dates, durations, times, percents, formulas with results, errors, blanks."""
    import xlsxwriter
    path = folder / "xlsxwriter.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Kinds")
    formats = [wb.add_format({"num_format": f}) for f in
               ("dd/mm/yyyy", "[h]:mm", "h:mm", "0.0%", "General", "d mmm yyyy hh:mm")]
    for r in range(60):
        ws.write_number(r, 0, r * 1.25 - 7)
        ws.write_string(r, 1, f"text {r}\r\nline _x0041_ \t end" if r % 3 else "")
        ws.write_boolean(r, 2, bool(r % 2))
        ws.write_datetime(r, 3, dt.datetime(1900, 2, 1) + dt.timedelta(days=r), formats[0])
        ws.write_number(r, 4, r / 7, formats[1])
        ws.write_number(r, 5, r / 60, formats[2])
        ws.write_number(r, 6, r / 100, formats[3])
        ws.write_formula(r, 7, f"=A{r + 1}*2", None, (r * 1.25 - 7) * 2)
        ws.write_formula(r, 8, f'=IF(A{r + 1}>0,"yes","")', None, "yes" if r > 5 else "")
        ws.write_formula(r, 9, "=1/0", None, "#DIV/0!")
        ws.write_blank(r, 10, None, formats[4])
        ws.write_datetime(r, 11, dt.datetime(2016, 9, 30, 17, 30), formats[5])
    wb.close()
    return path


def test_misread_patterns_read_as_openpyxl_and_calamine_read_them(tmp_path):
    for book in _misread_books(tmp_path):
        assert _differences(book) == [], book.name


def test_xlsxwriter_books_read_as_openpyxl_and_calamine_read_them(tmp_path):
    from tests.workbooks import HEADERS, measure_row, write_book
    books = [_xlsxwriter_book(tmp_path),
             write_book(tmp_path / "measures.xlsx",
                        [measure_row(f"M{i}", Current=i / 10, Notes=f"n\r\n{i}") for i in range(30)],
                        headers=HEADERS, comparators=[["M1", "Kent", "2015", 0.4, "SN"]])]
    for book in books:
        assert _differences(book) == [], book.name


def test_our_scorecard_and_a_history_book_read_as_openpyxl_and_calamine_read_them(tmp_path):
    """What the command line writes (read back by ``import``) and a History table."""
    from addin.cli import main
    from tests.history_books import write_history_book
    from tests.workbooks import measure_row
    out = tmp_path / "scorecard.xlsx"
    assert main(["regenerate", str(TEMPLATES[-1]), "-o", str(out)]) == 0
    history = write_history_book(tmp_path / "history.xlsx", [measure_row("M1")],
                                 [["M1", "Q1 2016/17", 0.5, 0.9, "Red"], ["M1", "2015/16", "n/a", None, None]])
    for book in (out, history):
        assert _differences(book) == [], book.name


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_saves_read_as_openpyxl_and_calamine_read_them(tmp_path):
    """The same workbooks saved again by LibreOffice Calc (its own XML: other attribute
    orders, rows without spans, its own styles). LibreOffice opens no backslash entry names."""
    sources = [*_misread_books(tmp_path)[:2], _xlsxwriter_book(tmp_path), *TEMPLATES[:1]]
    out = tmp_path / "libreoffice"
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out),
         *map(str, sources)], capture_output=True, text=True, timeout=240)
    saved = sorted(out.glob("*.xlsx"))
    assert len(saved) == len(sources), done.stdout + done.stderr
    for book in saved:
        assert _differences(book) == [], book.name
