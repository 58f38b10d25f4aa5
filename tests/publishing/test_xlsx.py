"""The rendered workbook, opened with openpyxl: values, fills, formats, print settings."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import zipfile
import zlib
from dataclasses import replace

import openpyxl
import pytest

from kpi_core.errors import FileError
from kpi_core.model import Measure, Unit
from kpi_core.publishing.theme import MAX_ROW_HEIGHT, STATUS_COLOURS, STYLES
from kpi_core.publishing.package import ZIP_LEVEL
from kpi_core.publishing.xlsx import MAX_CELL_CHARS, truncate_cell_text, write_scorecard
from kpi_core.assessing.measure import assess_measures
from kpi_core.publishing.textfit import wrapped_lines
from kpi_core.publishing.scorecard import (
    KEY_AREAS, LABEL_NO_TARGET, LABEL_NOT_DUE, LABEL_RAG_TOTAL, LABEL_UNAVAILABLE, LOWER_AREAS,
    OTHER_MEASURES, build_scorecard,
)
from tests.support.scorecard_samples import CS, SETTINGS, mixed_assessments
from tests.support.colours import contrast_ratio
from tests.support.paths import SAMPLE


def test_contrast_formula_on_known_pairs():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("style", sorted(STATUS_COLOURS))
def test_status_fills_have_enough_contrast(style):
    fill, text = STATUS_COLOURS[style]
    assert contrast_ratio(fill, text) >= 4.5
    assert STYLES[style]["bg_color"] == fill and STYLES[style]["font_color"] == text


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("render") / "scorecard.xlsx"
    card = build_scorecard(mixed_assessments(), SETTINGS)
    assert write_scorecard(card, path) == path
    return path


@pytest.fixture(scope="module")
def wb(book):
    return openpyxl.load_workbook(book)


def _find(ws, text):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell
    raise AssertionError(f"{text!r} not on {ws.title}")


def _right(ws, cell, n=1):
    return ws.cell(cell.row, cell.column + n)


def _under(ws, name, header):
    """The cell of ``name``'s row in the column headed ``header`` (a column with nothing
    to show in the whole scorecard is left out, so positions vary)."""
    for r in range(name.row - 1, 0, -1):
        if ws.cell(r, 2).value == "Measure":
            for c in range(1, ws.max_column + 1):
                if ws.cell(r, c).value == header:
                    return ws.cell(name.row, c)
            raise AssertionError(f"no {header!r} column on {ws.title}")
    raise AssertionError(f"no header row above {name.coordinate}")


def _fill(cell) -> str:
    return cell.fill.fgColor.rgb[-6:].upper()


def test_package_is_deflated_at_our_level_and_xlsxwriter_keeps_its_zip(book):
    """Every part is deflated at ZIP_LEVEL (the same bytes as zlib gives at that level,
    not at zlib's default), and XlsxWriter's own ZipFile is back for other workbooks."""
    import xlsxwriter.workbook
    assert ZIP_LEVEL != 6
    with zipfile.ZipFile(book) as z:
        for info in z.infolist():
            data = z.read(info)
            ours = zlib.compressobj(ZIP_LEVEL, zlib.DEFLATED, -15)
            default = zlib.compressobj(6, zlib.DEFLATED, -15)
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.compress_size == len(ours.compress(data) + ours.flush()), info.filename
            if len(data) > 4096:
                assert info.compress_size != len(default.compress(data) + default.flush())
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile



def test_big_parts_are_deflated_by_zlib_ng_to_the_same_parts(tmp_path, monkeypatch):
    """With the fast extra, parts of FAST_DEFLATE_BYTES or more are deflated by zlib-ng
    at ZIP_LEVEL (its bytes, not zlib's), with zipfile's CRC; each part inflates to the
    same bytes as the pure install writes."""
    zlib_ng = pytest.importorskip("zlib_ng.zlib_ng")
    from kpi_core import accelerators
    from kpi_core.publishing import package

    monkeypatch.setattr(package, "FAST_DEFLATE_BYTES", 4096)
    card = build_scorecard(mixed_assessments(), SETTINGS)
    parts = {}
    for way in ("fast", "pure"):
        monkeypatch.setenv(accelerators.ENV_PURE, "1" if way == "pure" else "0")
        path = write_scorecard(card, tmp_path / f"{way}.xlsx")
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None  # every CRC checks
            parts[way] = {i.filename: (z.read(i), i.compress_size) for i in z.infolist()}
    assert parts["fast"].keys() == parts["pure"].keys()
    big = 0
    for name, (data, size) in parts["fast"].items():
        if name != "docProps/core.xml":  # its time
            assert data == parts["pure"][name][0], name
        for way, module in (("fast", zlib_ng), ("pure", zlib)):
            deflater = module.compressobj(ZIP_LEVEL, module.DEFLATED, -15)
            expected = len(deflater.compress(data) + deflater.flush())
            if way == "pure" or len(data) >= 4096:
                assert parts[way][name][1] == expected, (way, name)
        big += len(data) >= 4096 and size != parts["pure"][name][1]
    assert big >= 2  # zlib-ng's deflate is not zlib's, byte for byte

def test_sheet_names_and_order(wb):
    assert wb.sheetnames == ["Summary", CS, "Resources- Finance-IT", "Data"]


def test_document_properties(wb):
    props = wb.properties
    assert props.title == "Buckinghamshire County Council performance scorecard, Q2 2016/17"
    assert "Q2 2016/17" in props.subject
    assert props.creator == "Buckinghamshire County Council"


def test_company_property_and_no_macros_or_links(book):
    with zipfile.ZipFile(book) as z:
        names = z.namelist()
        app = z.read("docProps/app.xml").decode()
    assert "<Company>Buckinghamshire County Council</Company>" in app
    assert not any("vbaProject" in n or "externalLink" in n for n in names)
    assert book.suffix == ".xlsx"


def test_titles_and_summary_block(wb):
    ws = wb[CS]
    assert ws["A1"].value == "Children's Services Portfolio - Cllr. Lin Hazell"
    assert ws["A2"].value == "Buckinghamshire County Council performance scorecard, Q2 2016/17"
    expected = {LABEL_RAG_TOTAL: 13, LABEL_UNAVAILABLE: 0, LABEL_NOT_DUE: 0,
                LABEL_NO_TARGET: 1, "Green": 1, "Amber": 3, "Red": 9}
    for label, count in expected.items():
        assert _right(ws, _find(ws, label)).value == count
    for heading in (KEY_AREAS, LOWER_AREAS, OTHER_MEASURES):
        assert _find(ws, heading).font.b


def test_measure_row_values_fills_and_formats(wb):
    ws = wb[CS]
    name = _find(ws, "% repeat referrals")
    assert ws.cell(name.row, 1).value == 1
    target, current, rag = (_right(ws, name, i) for i in (1, 2, 3))
    assert (target.value, current.value) == (0.25, 0.36)
    assert target.number_format == current.number_format == "0%"
    assert target.data_type == "n"
    assert rag.value == "Red" and _fill(rag) == "D4351C"
    assert rag.font.color.rgb[-6:].upper() == "FFFFFF"
    assert _right(ws, name, 4).value == "\u25bc Worsening since the previous period (33%)"
    assert _under(ws, name, "Benchmarking").value.startswith(
        "Statistical Neighbour Average (2015): 23%")
    assert _under(ws, name, "Benchmarking").alignment.wrap_text
    green = _right(ws, _find(ws, "% of Child Protection Plans reviewed in timescales"), 3)
    assert green.value == "Green" and _fill(green) == "00703C"
    amber = _right(ws, _find(ws, "% children seen during assessment"), 3)
    assert amber.value == "Amber" and _fill(amber) == "FFBF47"


@pytest.mark.parametrize("measure, column, value, number_format", [
    ("Council tax collected", 2, 1312345, "£#,##0;-£#,##0"),
    ("Average days to pay invoices", 2, 12.5, '0.0 "days"'),
    ("Average days to pay invoices", 1, 10, '0 "days"'),
    ("Sickness absence rate", 2, 7.25, "0.0"),
    ("Complaints answered", 2, 42, "#,##0"),
    ("Staff turnover within range", 1, "8% to 12%", "General"),
    ("Annual residents survey satisfaction", 2, "TBC", "General"),
])
def test_number_formats_by_unit(wb, measure, column, value, number_format):
    cell = _right(wb["Resources- Finance-IT"], _find(wb["Resources- Finance-IT"], measure), column)
    assert cell.value == value
    assert cell.number_format == number_format


def test_check_data_row(wb):
    ws = wb["Resources- Finance-IT"]
    name = _find(ws, "Budget variance")
    rag = _right(ws, name, 3)
    assert rag.value == "Check data" and _fill(rag) == "505A5F"
    assert "Measures!J12" in _under(ws, name, "Comments").value


def test_text_that_looks_like_formulas_stays_text(wb):
    ws = wb["Resources- Finance-IT"]
    name = _find(ws, "=SUM(A1:A2) formula-looking name")
    assert name.data_type == "s"
    assert _under(ws, name, "Comments").value.startswith("Notes: +44")
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"


def test_print_settings(wb):
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9
        # fitToWidth 1 is the default and may be left out of the XML
        assert int(ws.page_setup.fitToWidth or 1) == 1
        assert int(ws.page_setup.fitToHeight) == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        if ws.title != "Data":  # the Data sheet does not print (below)
            assert ws.print_title_rows and re.fullmatch(r"\$?\d+:\$?\d+",
                                                        ws.print_title_rows)
        assert ws.sheet_view.showGridLines is False
        assert ws.print_options.gridLines in (None, False)
        assert ws.freeze_panes == ("A2" if ws.title == "Data" else "A3")
        assert ws.oddFooter.right.text == "Page &P of &N"
        assert ws.merged_cells.ranges == set() or not ws.merged_cells.ranges
    ws = wb[CS]
    assert ws.oddFooter.left.text == CS
    header_row = int(ws.print_title_rows.split(":")[0].lstrip("$"))
    assert ws.cell(header_row, 2).value == "Measure"
    assert _find(ws, KEY_AREAS).row == header_row - 1


def test_data_sheet_stays_out_of_the_print_and_says_so(wb):
    from kpi_core.publishing.data_sheet import DATA_COLUMNS, DATA_PRINT_NOTE
    ws = wb["Data"]
    note = ws.cell(1, len(DATA_COLUMNS) + 2)
    assert note.value == DATA_PRINT_NOTE and note.font.i
    assert [c.value for c in ws[1][:len(DATA_COLUMNS)]] == [h for h, _g in DATA_COLUMNS]
    assert not ws.print_title_rows
    (area,) = [a.strip("$").replace("$", "") for a in ws.print_area.split("!")[-1:]]
    cells = [c.value for row in ws[area] for c in (row if isinstance(row, tuple) else (row,))] \
        if ":" in area else [ws[area].value]
    assert cells == [None] and ws[area].row > ws.max_row - 1  # a blank cell below the table


def test_zero_bar_is_labelled_on_the_portfolio_chart(book):
    with zipfile.ZipFile(book) as z:
        charts = [z.read(n).decode() for n in sorted(z.namelist())
                  if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    stacked = [c for c in charts if "<c:grouping val=\"stacked\"" in c]
    single = [c for c in charts if c not in stacked]
    assert stacked and single
    assert all('formatCode="0;-0;;@"' in c for c in stacked)
    assert all('formatCode="0"' in c and 'formatCode="0;-0;;@"' not in c for c in single)


def test_footer_escapes_ampersand(tmp_path):
    card = build_scorecard(assess_measures([Measure("A", "Health & Care", "m")]), SETTINGS)
    path = write_scorecard(card, tmp_path / "amp.xlsx")
    ws = openpyxl.load_workbook(path)["Health & Care"]
    assert ws.oddFooter.left.text == "Health && Care"


def test_wrapped_rows_are_tall_enough(wb):
    ws = wb[CS]
    name = _find(ws, "% of contacts received actioned within 24 hours (1 working day)")
    long_row = name.row
    cell = _under(ws, name, "Comments")
    comments = cell.value
    width = ws.column_dimensions[cell.column_letter].width
    lines = wrapped_lines(comments, width)
    assert lines >= 8
    assert ws.row_dimensions[long_row].height >= lines * 15
    short_row = _find(ws, "% children seen during assessment").row
    assert ws.row_dimensions[short_row].height in (None, 15)


def test_row_height_is_capped(tmp_path):
    m = Measure("A", "P", "m", notes="word " * 5000)
    path = write_scorecard(build_scorecard(assess_measures([m])), tmp_path / "tall.xlsx")
    ws = openpyxl.load_workbook(path)["P"]
    assert ws.row_dimensions[_find(ws, "m").row].height == pytest.approx(MAX_ROW_HEIGHT, abs=1)


def test_long_text_is_truncated_visibly(tmp_path):
    m = Measure("A", "P", "m", notes="x" * 40_000)
    path = write_scorecard(build_scorecard(assess_measures([m])), tmp_path / "long.xlsx")
    ws = openpyxl.load_workbook(path)["P"]
    comments = _under(ws, _find(ws, "m"), "Comments").value
    assert len(comments) <= MAX_CELL_CHARS
    assert comments.startswith("Notes: xxx")
    assert re.search(r"\u2026 \[truncated: [\d,]+ characters not shown\]$", comments)
    assert truncate_cell_text("y" * MAX_CELL_CHARS) == "y" * MAX_CELL_CHARS


def test_charts_have_alt_text(book):
    with zipfile.ZipFile(book) as z:
        drawings = [z.read(n).decode() for n in z.namelist()
                    if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)]
        charts = [n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    assert len(drawings) == 3 and len(charts) == 3
    alts = [m for d in drawings for m in re.findall(r'descr="([^"]*)"', d)]
    assert any("13 measures with a RAG: 1 Green, 3 Amber, 9 Red." in a for a in alts)
    assert any("Children&apos;s Services: 1 Green, 3 Amber, 9 Red." in a
               or "Children's Services: 1 Green, 3 Amber, 9 Red." in a for a in alts)


def test_summary_sheet_rows(wb):
    ws = wb["Summary"]
    assert ws["A1"].value == "Buckinghamshire County Council performance scorecard, Q2 2016/17"
    total = next(c for c in ws["A"] if c.value == "Total")
    header = _find(ws, "Portfolio")
    headers = [ws.cell(header.row, c).value for c in range(1, ws.max_column + 1)]
    assert ws.cell(total.row, headers.index("Total") + 1).value == 23
    assert ws.cell(total.row, headers.index("Red") + 1).value == 10
    assert ws.cell(total.row, 1).font.b


# --- writing safely ------------------------------------------------------------

def test_missing_folder_is_a_file_error(tmp_path):
    card = build_scorecard(assess_measures([Measure("A", "P", "m")]))
    with pytest.raises(FileError, match="does not exist"):
        write_scorecard(card, tmp_path / "nope" / "out.xlsx")


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0,
                    reason="root and Windows ignore the read-only folder mode")
def test_unwritable_folder_is_a_file_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(FileError):
            write_scorecard(build_scorecard(assess_measures([Measure("A", "P", "m")])),
                            folder / "out.xlsx")
    finally:
        folder.chmod(stat.S_IRWXU)


def test_folder_refusing_new_files_is_a_file_error(tmp_path, monkeypatch):
    import kpi_core.atomic as atomic

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(atomic.tempfile, "mkstemp", refused)
    with pytest.raises(FileError, match="Permission denied"):
        write_scorecard(build_scorecard(assess_measures([Measure("A", "P", "m")])),
                        tmp_path / "out.xlsx")


def test_failure_leaves_previous_output_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"previous")
    import kpi_core.publishing.xlsx as render

    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(render, "render_workbook", broken)
    with pytest.raises(RuntimeError):
        write_scorecard(build_scorecard(assess_measures([Measure("A", "P", "m")])), target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_locked_target_is_a_file_error(tmp_path, monkeypatch):
    target = tmp_path / "out.xlsx"

    def locked(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))
    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(FileError, match="out.xlsx"):
        write_scorecard(build_scorecard(assess_measures([Measure("A", "P", "m")])), target)
    assert list(tmp_path.iterdir()) == []


def test_output_is_readable_by_others(book):
    if os.name == "nt":
        pytest.skip("POSIX modes only")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(book.stat().st_mode) == 0o666 & ~mask


def test_overwrites_previous_output(tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    write_scorecard(build_scorecard(assess_measures([Measure("A", "P", "m")])), target)
    assert openpyxl.load_workbook(target).sheetnames == ["Summary", "P", "Data"]


@pytest.mark.slow
def test_import_is_light():
    code = ("import sys, kpi_core.publishing.xlsx, kpi_core.publishing.scorecard, kpi_core.publishing.pdf; "
            "print(sorted(m for m in ('pandas', 'numpy', 'openpyxl', 'xlwings') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_many_measures_render_one_sheet_per_portfolio(tmp_path):
    # speed is measured in benchmarks/, never asserted here
    base = [a.measure for a in mixed_assessments()]
    measures = [replace(base[i % len(base)], ref=f"M{i}", portfolio=f"Portfolio {i % 25}")
                for i in range(5000)]
    card = build_scorecard(assess_measures(measures, SETTINGS), SETTINGS)
    write_scorecard(card, tmp_path / "big.xlsx")
    assert len(card.sheets) == 27
    assert openpyxl.load_workbook(tmp_path / "big.xlsx", read_only=True).sheetnames[1:] == [
        s.name for s in card.sheets[1:]]


def test_units_cover_every_value_style():
    for unit in Unit:
        assert any(name.startswith({"%": "pct", "number": "number", "days": "days",
                                    "£": "money", "rate": "rate"}[unit.value])
                   for name in STYLES)


def test_sample_has_no_empty_columns_in_any_rendering(tmp_path):
    """The sample has no History and no Previous: no Direction of travel or Trend column
    in the workbook or the web page; its Comments column is the wider for it."""
    from addin.cli import main
    sample = SAMPLE
    out = tmp_path / "sample.xlsx"
    assert main(["regenerate", str(sample), "-o", str(out), "--html"]) == 0
    ws = openpyxl.load_workbook(out)[CS]
    header = next(r for r in ws.iter_rows(values_only=True) if r[1] == "Measure")
    assert [h for h in header if h] == ["No.", "Measure", "Target", "Current position", "RAG",
                                        "Benchmarking", "Comments"]
    assert ws.column_dimensions["G"].width >= 60 + 18 + 14  # the room of the two left out
    page = out.with_suffix(".html").read_text(encoding="utf-8")
    assert ">Benchmarking</th>" in page
    assert ">Direction of travel</th>" not in page and ">Trend</th>" not in page


@pytest.mark.parametrize("direct", [True, False])
def test_a_sparklines_hidden_figures_read_back_as_the_trend(tmp_path, direct):
    """The figures a sparkline draws, in the hidden columns of its row, are the trend's
    own: a sum that needs 17 digits, whole numbers, tiny and huge ones, a gap."""
    from kpi_core.model import Trend
    from kpi_core.publishing.xlsx import render_workbook

    values = (0.1 + 0.2, 172708.0, None, 1e-7, 12345678901234.567, -0.0, 2 / 3, 0.58)
    trend = Trend(tuple(f"Q{i}" for i in range(len(values))), values)
    items = list(mixed_assessments())
    items[0] = replace(items[0], trend=trend)
    out = tmp_path / "card.xlsx"
    render_workbook(build_scorecard(tuple(items), SETTINGS), out, direct=direct)
    with zipfile.ZipFile(out) as z:
        xml = next(z.read(n).decode() for n in z.namelist()
                   if n.startswith("xl/worksheets/") and b"<x14:sparkline>" in z.read(n))
    where = re.search(r"<xm:f>[^!]+!([A-Z]+)(\d+):([A-Z]+)\d+</xm:f>", xml)
    first, row, last = where.groups()
    cells = dict(re.findall(rf'<c r="([A-Z]+){row}"[^>]*><v>([^<]+)</v></c>', xml))
    columns = [openpyxl.utils.get_column_letter(c) for c in range(
        openpyxl.utils.column_index_from_string(first),
        openpyxl.utils.column_index_from_string(last) + 1)]
    read = tuple(float(cells[c]) if c in cells else None for c in columns)
    assert [r is None for r in read] == [v is None for v in values]
    if direct:
        assert read == values  # every figure to its last bit
    else:  # XlsxWriter's own cells: 16 significant digits
        assert all(r == pytest.approx(v, rel=1e-15, abs=0) for r, v in zip(read, values)
                   if v is not None)
