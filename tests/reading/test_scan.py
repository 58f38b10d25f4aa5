"""The sheet reader's expat scanner (``kpi_core.reading.xlsx._scan_rows``) reads what the
element reader it replaced read: that reader is kept here as the oracle (ElementTree's
pull parser, one row element at a time, ``_cell_value`` per cell), and both read every
workbook of the bad-input corpus, the sample, and a sheet holding every kind of cell
(numbers, shared and inline strings with rich and phonetic runs, formulas with and without
saved results, errors, booleans, ISO dates, date and percent styles, ``_xHHHH_`` escapes,
cells and rows without ``r``), as tables and as plain sheets: the same values or the same
error message."""

from __future__ import annotations

import pytest

from kpi_core.cells import cell_address, column_index
from kpi_core.errors import FileError
from kpi_core.reading import scan
from kpi_core.reading import xlsx as reader
from kpi_core.reading.package import Package
from kpi_core.reading.scan import (Book, CellError, FormulaNoResult, decode_escapes,
                                   parse_iso_date, parse_iso_time, serial_to_datetime,
                                   text_of)
from kpi_core.reading.xlsx import MAX_TABLE_CELLS, RawTable, _TableDef
from tests.support.corpus import CASES, SHEET1, sample_variant, substitute
from tests.support.paths import SAMPLE


# --- the element reader, as it was before the scanner (the oracle) ------------------------

def element_fill_grids(pkg: Package, part: str, tables: list[_TableDef], grids: dict,
                       percents: dict, book: Book, top: int, bottom: int, fast=None) -> None:
    main = book.main
    c_tag, row_tag, data_tag = f"{main}c", f"{main}row", f"{main}sheetData"
    percent_styles, date_styles = book.percent_styles, book.date_styles
    row_no = 0
    for _event, row in pkg.iterparse(part):
        if row.tag != row_tag:
            if row.tag == data_tag:
                break  # nothing after the rows is read
            continue
        row_no = element_row_number(row, c_tag, row_no)
        if row_no > bottom:
            break
        if row_no >= top:
            col_no = 0
            for elem in row:
                if elem.tag != c_tag:
                    continue
                ref = elem.get("r")
                col_no = column_index(ref.rstrip("0123456789")) if ref else col_no + 1
                cell_row = int(ref[len(ref.rstrip("0123456789")):]) if ref else row_no
                for t in tables:
                    if t.top <= cell_row <= t.bottom and t.left <= col_no <= t.right:
                        value = element_cell_value(elem, book)
                        ri, ci = cell_row - t.top, col_no - t.left
                        style = elem.get("s")
                        if style:
                            index = int(style)
                            if index in percent_styles:
                                percents[t.name].add((ri, ci))
                            elif date_styles and index in date_styles and type(value) is float:
                                value = serial_to_datetime(value, book.date1904) or value
                        grids[t.name][ri][ci] = value
        row.clear()
        pkg.release()


def element_fill_sheet(pkg: Package, part: str, book: Book, sheet: str, fast=None) -> RawTable:
    """Every cell of a sheet from A1 to its last used row and column (a plain range has
    no table to bound it), as one grid."""
    main = book.main
    c_tag, row_tag, data_tag = f"{main}c", f"{main}row", f"{main}sheetData"
    rows: dict[int, dict[int, object]] = {}
    percents: set[tuple[int, int]] = set()
    row_no = cells = width = 0
    for _event, row in pkg.iterparse(part):
        if row.tag != row_tag:
            if row.tag == data_tag:
                break
            continue
        row_no = element_row_number(row, c_tag, row_no)
        col_no = 0
        found: dict[int, dict[int, object]] = {}
        for elem in row:
            if elem.tag != c_tag:
                continue
            ref = elem.get("r")
            col_no = column_index(ref.rstrip("0123456789")) if ref else col_no + 1
            cell_row = int(ref[len(ref.rstrip("0123456789")):]) if ref else row_no
            value = element_cell_value(elem, book)
            style = elem.get("s")
            if style:
                index = int(style)
                if index in book.percent_styles:
                    percents.add((cell_row - 1, col_no - 1))
                elif index in book.date_styles and type(value) is float:
                    value = serial_to_datetime(value, book.date1904) or value
            if value is not None:
                found.setdefault(cell_row, {})[col_no] = value
        for number, values in found.items():
            rows.setdefault(number, {}).update(values)  # a row written twice is one row
            width = max(width, max(values))
            cells = max(cells, number * width)
            if cells > MAX_TABLE_CELLS:
                raise FileError(f"{pkg.path}: sheet {sheet} is used as far as "
                                f"{cell_address(number, width)}, more than the "
                                f"{MAX_TABLE_CELLS:,} cells this tool reads from a range "
                                "without an Excel table; make the measures an Excel table "
                                "(Insert > Table) named Measures")
        row.clear()
        pkg.release()
    height = max(rows, default=0)
    grid = [[rows.get(ri, {}).get(ci) for ci in range(1, width + 1)]
            for ri in range(1, height + 1)]
    return RawTable(sheet, sheet, 1, 1, grid, frozenset(percents))


def element_row_number(row, c_tag: str, row_before: int) -> int:
    """A row's number: its ``r``, else its first cell's, else one past the row before."""
    r = row.get("r")
    if not r:
        first = next((c.get("r") for c in row if c.tag == c_tag), None)
        r = first[len(first.rstrip("0123456789")):] if first else None
    return int(r) if r else row_before + 1


def element_cell_value(elem, book: Book) -> object:
    kind = elem.get("t", "n")
    v = elem.find(book.v_tag)
    f = elem.find(book.f_tag)
    text = v.text if v is not None else None
    if f is not None:
        if book.calc_on_load:
            # The writing program said to recalculate on load (fullCalcOnLoad: openpyxl
            # and XlsxWriter write placeholders, not results).
            return FormulaNoResult(f.text or "")
        if text is None:
            if kind == "str" and v is not None:
                return ""  # the saved result is the empty string
            if kind != "inlineStr" or elem.find(book.is_tag) is None:
                return FormulaNoResult(f.text or "")
    if kind == "inlineStr":
        inline = elem.find(book.is_tag)
        return text_of(inline, book.main) if inline is not None else ""
    if text is None:
        return None
    if kind == "s":
        try:
            index = int(text)
            if index >= 0:  # a negative index would pick another cell's text
                return book.strings[index]
        except (ValueError, IndexError):
            pass
        return CellError("#REF!")
    if kind == "b":
        return text.strip() == "1"
    if kind == "e":
        return CellError(text)
    if kind == "d":  # an ISO 8601 date or time (Strict files, and some other writers)
        return parse_iso_date(text) or parse_iso_time(text) or text
    if kind == "str":  # a formula's text result
        return decode_escapes(text)
    try:
        return float(text)
    except ValueError:
        return text


# --- both readers on the same files ---------------------------------------------------------

def _read_both(monkeypatch, path):
    """read_tables and read_sheet (every sheet) of ``path``: by the scanner, then by the
    element reader; each a value or ``("FileError", message)``."""
    def read():
        out = []
        for job in (lambda: reader.read_tables(path),
                    *(lambda name=name: reader.read_sheet(path, name)
                      for name in _names(path))):
            try:
                out.append(job())
            except FileError as exc:
                out.append(("FileError", str(exc)))
        return out

    scanned = read()
    with monkeypatch.context() as m:
        m.setattr(reader, "_fill_grids", element_fill_grids)
        m.setattr(reader, "_fill_sheet", element_fill_sheet)
        elements = read()
    return scanned, elements


def _names(path):
    try:
        return reader.sheet_names(path)
    except FileError:
        return ()


_EVERY_KIND = (
    '<row r="5" spans="1:20">'
    '<c r="A5" s="1" t="s"><v>0</v></c>'                                  # shared string
    '<c r="B5" t="inlineStr"><is><r><t>CS</t></r><r><rPr><b/></rPr><t>9_x0009_</t></r>'
    '<rPh sb="0" eb="1"><t>phonetic</t></rPh></is></c>'                    # rich inline
    '<c r="C5" t="inlineStr"><is><t xml:space="preserve"> lead_x000D_</t></is></c>'
    '<c r="D5"><f>1/0</f></c>'                                              # no result
    '<c r="E5" t="e"><f>1/0</f><v>#DIV/0!</v></c>'                          # saved error
    '<c r="F5" t="b"><v>1</v></c><c r="G5" t="d"><v>2016-09-30T00:00:00Z</v></c>'
    '<c r="H5" t="str"><f>A1</f><v>x_x005F_x0009_</v></c>'
    '<c r="I5" t="s"><v>999999</v></c><c r="J5" t="s"><v>-1</v></c>'       # bad indexes
    '<c r="K5"><v>not a number</v></c><c r="L5"><v></v></c><c r="M5"/>'
    '<c><v>3.5</v></c><c t="inlineStr"/><c t="inlineStr"><is/></c>'        # no r
    '<c r="Q5" t="d"><v>30/09/2016</v></c><c r="R5" t="n"><v> 2 </v></c>'
    '<c r="S5"><v>1<extra>2</extra>3</v><v>9</v></c>'                       # odd nesting
    '<c r="T5" t="s"><v>1</v><f>A2</f></c>'
    '</row><row><c r="A6" t="inlineStr"><is><t>no row number</t></is></c></row>')


@pytest.mark.parametrize("calc_on_load", [False, True])
def test_every_kind_of_cell_reads_the_same(monkeypatch, tmp_path, calc_on_load):
    parts = {SHEET1: substitute(r'<row r="5"[^>]*>.*?</row>', _EVERY_KIND)}
    if not calc_on_load:  # the sample's writer asks for a full calculation on load
        parts["xl/workbook.xml"] = substitute(r' fullCalcOnLoad="1"', "")
    book = sample_variant("kinds.xlsx", parts)(tmp_path)
    scanned, elements = _read_both(monkeypatch, book)
    assert scanned == elements
    table = scanned[0].tables["measures"]
    row = table.rows[5 - table.top]
    assert isinstance(row[3], FormulaNoResult) and row[4] == (
        FormulaNoResult("1/0") if calc_on_load else CellError("#DIV/0!"))
    assert row[1] == "CS9\t" and row[2] == " lead\r"


@pytest.mark.parametrize("case", [c for c in CASES if c.exit_code != 0 or "faithful" in c.id
                                  or c.tags], ids=lambda c: c.id)
def test_the_corpus_reads_the_same(monkeypatch, tmp_path, case):
    book = case.build(tmp_path)
    if not book.is_file():
        pytest.skip("not a file")
    scanned, elements = _read_both(monkeypatch, book)
    assert scanned == elements


def test_the_sample_reads_the_same(monkeypatch):
    scanned, elements = _read_both(monkeypatch, SAMPLE)
    assert scanned == elements
    assert scanned[0].tables["measures"].rows[1][2] == "CS01"


def _plain_book(path):
    """A sheet as XlsxWriter writes it (the fast lane's form): every kind of plain value."""
    import datetime as dt

    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = wb.add_worksheet("Data")
    pct, date = wb.add_format({"num_format": "0.0%"}), wb.add_format({"num_format": "dd/mm/yyyy"})
    rows = [["Ref", "Text", "Number", "Percent", "Date", "Flag", "Escaped", "Blank"]]
    for i in range(300):
        rows.append([f"R{i:03d}", "x" * (i % 7) or None, i * 1.5 - 40, i / 300,
                     dt.datetime(2016, 1, 1) + dt.timedelta(days=i), bool(i % 2),
                     "tab\there" if i % 5 == 0 else f"t{i}", None])
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            fmt = pct if c == 3 and r else date if c == 4 and r else None
            if value is None:
                ws.write_blank(r, c, None, fmt)
            elif isinstance(value, dt.datetime):
                ws.write_datetime(r, c, value, fmt)
            else:
                ws.write(r, c, value, fmt)
    ws.write_string(400, 2, "after a gap")
    ws.add_table(0, 0, len(rows) - 1, len(rows[0]) - 1, {
        "name": "Data", "columns": [{"header": h} for h in rows[0]]})
    wb.close()
    return path


def test_a_plain_sheet_takes_the_fast_lane_and_reads_the_same(monkeypatch, tmp_path):
    book = _plain_book(tmp_path / "plain.xlsx")
    slow = []
    scan_elements = scan._scan_elements
    monkeypatch.setattr(scan, "_scan_elements",
                        lambda *a: slow.append(a[1]) or scan_elements(*a))
    scanned, elements = _read_both(monkeypatch, book)
    assert slow == []  # the fast lane read it all
    assert scanned == elements
    table = scanned[0].tables["data"]
    assert table.rows[1][:4] == ["R000", None, -40.0, 0.0] and table.rows[6][6] == "tab\there"
    assert (2, 3) in table.percent_cells and table.rows[2][4].year == 2016
    assert scanned[1].rows[400][2] == "after a gap"


@pytest.mark.parametrize("edit", [
    (r'<c r="B3"', '<c s="0" r="B3"'),                 # attributes in another order
    (r"<sheetData>", "<sheetData><!-- a comment -->"),
    (r'(<c r="C3"[^>]*><v>)([^<]*)', r"\1 <![CDATA[\2]]>"),
    (r'(<row r="4"[^>]*>)', "\\1 "),                 # whitespace between cells
    (r'(<c r="C5"[^>]*><v>)[^<]*', r"\g<1>1&#48;"),    # an entity in a value
])
def test_any_other_form_goes_to_the_general_reader_and_reads_the_same(monkeypatch, tmp_path,
                                                                      edit):
    from tests.support.corpus import rewrite_zip
    plain = _plain_book(tmp_path / "plain.xlsx")
    book = rewrite_zip(plain, tmp_path / "edited.xlsx", {SHEET1: substitute(*edit)})
    slow = []
    scan_elements = scan._scan_elements
    monkeypatch.setattr(scan, "_scan_elements",
                        lambda *a: slow.append(a[1]) or scan_elements(*a))
    scanned, elements = _read_both(monkeypatch, book)
    assert slow and scanned == elements


_SST = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas'
        '.openxmlformats.org/spreadsheetml/2006/main" count="9" uniqueCount="9">{}</sst>')


@pytest.mark.parametrize("items, fast, texts", [
    ('<si><t>CS01</t></si><si><t xml:space="preserve"> lead </t></si><si><t></t></si>',
     True, ["CS01", " lead ", ""]),
    ('<si><t>Health &amp; Care &lt;18 &quot;x&quot; &apos;y&apos; a&gt;b</t></si>',
     True, ["Health & Care <18 \"x\" 'y' a>b"]),
    ("<si><t>Current_x000D_\nposition</t></si><si><t>_x005F_x0009_</t></si>",
     True, ["Current\r\nposition", "_x0009_"]),
    ("<si><r><t>rich </t></r><r><rPr><b/></rPr><t>text</t></r></si>", False, ["rich text"]),
    ("<si><t>a</t><rPh sb=\"0\" eb=\"1\"><t>phonetic</t></rPh></si>", False, ["a"]),
    ("<si><t>line\r\nend</t></si>", False, ["line\nend"]),
    ("<si><t>new&#10;line</t></si>", False, ["new\nline"]),
    ("<si><t>a</t></si>\n  <si><t>b</t></si>", False, ["a", "b"]),
    ("<si><t/></si><si><t>b</t></si>", False, ["", "b"]),
    ("<!-- a comment --><si><t>a</t></si>", False, ["a"]),
])
def test_plain_shared_strings_read_at_c_speed_as_the_parser_reads_them(monkeypatch, tmp_path,
                                                                      items, fast, texts):
    import zipfile
    path = tmp_path / "sst.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/sharedStrings.xml", _SST.format(items).encode("utf-8"))
    pkg = Package(path)
    assert (scan._plain_shared_strings(pkg, "xl/sharedStrings.xml") is not None) is fast
    ours = scan.read_shared_strings(pkg, "xl/sharedStrings.xml")
    monkeypatch.setattr(scan, "_plain_shared_strings", lambda *_a: None)
    assert ours == scan.read_shared_strings(pkg, "xl/sharedStrings.xml") == texts


def test_an_undefined_entity_in_shared_strings_is_the_parser_s_error(tmp_path):
    import zipfile
    path = tmp_path / "sst.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/sharedStrings.xml", _SST.format("<si><t>a &nbsp; b</t></si>"))
    with pytest.raises(FileError, match="not well-formed"):
        scan.read_shared_strings(Package(path), "xl/sharedStrings.xml")


_MAIN_XMLNS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


@pytest.mark.parametrize("head, plain", [
    (f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet {_MAIN_XMLNS}><dimension ref="A1"/>',
     True),
    (f'\ufeff<?xml version="1.0" encoding="utf-8"?><worksheet {_MAIN_XMLNS} '
     'xmlns:x14ac="urn:x"><sheetViews/>', True),
    (f'<?xml version="1.0" encoding="UTF-16"?><worksheet {_MAIN_XMLNS}>', False),
    (f'<?xml version="1.0"?><worksheet {_MAIN_XMLNS}><dimension ref="A1"/>', True),
    (f"<?xml version='1.0' encoding='utf8' standalone='yes'?><worksheet {_MAIN_XMLNS}>", True),
    (f"<?xml version='1.0' encoding='latin-1'?><worksheet {_MAIN_XMLNS}>", False),
    (f'<?xml version="1.0"?><!-- a note --><worksheet {_MAIN_XMLNS}>', False),
    (f'<?xml version="1.0"?><?pi x?><worksheet {_MAIN_XMLNS}>', False),
    ('<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
     'spreadsheetml/2006/main">', False),
    (f'<?xml version="1.0"?><worksheet {_MAIN_XMLNS}><y:pane/>', False),  # y: undeclared
    (f'<?xml version="1.0"?><worksheet {_MAIN_XMLNS}><a></b>', False),
])
def test_the_fast_lanes_take_a_plain_sheet_head_only(head, plain):
    from kpi_core.reading.package import plain_sheet_head
    assert plain_sheet_head(head.encode("utf-8"), scan.MAIN) is plain
