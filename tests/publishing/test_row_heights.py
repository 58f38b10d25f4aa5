"""Row heights for wrapped text, measured against what LibreOffice draws: a calibration
workbook converted by Calc, each cell's lines counted in the PDF (pdftotext -bbox) and
compared with the model in kpi_core/publishing/textfit.py; and the sample scorecard's
rows are tall enough for LibreOffice and Excel alike."""

from __future__ import annotations

import random
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings, strategies as st

from kpi_core.publishing.pdf import convert_to_pdf, find_soffice
from kpi_core.publishing.scorecard import build_scorecard
from kpi_core.publishing.textfit import EXCEL, LIBREOFFICE, row_height, wrapped_lines
from kpi_core.publishing.theme import MAX_ROW_HEIGHT
from kpi_core.publishing.xlsx import write_scorecard
from tests.support.scorecard_samples import CS, SETTINGS, mixed_assessments, reference_measures
from tests.support.paths import TEMPLATES

COLUMNS = ((60, False), (40, True), (30, False))  # width, bold


def _texts() -> list[str]:
    texts = [m.notes for m in reference_measures() if m.notes]
    texts += [m.name for m in reference_measures()]
    words = " ".join(texts).split()
    rng = random.Random(12)
    for _ in range(8):
        k = rng.randint(8, 90)
        start = rng.randint(0, len(words) - k)
        texts.append(" ".join(words[start:start + k]))
    return texts


class _Words(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.pages: list[list[tuple[float, float]]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "page":
            self.pages.append([])
        elif tag == "word":
            self.pages[-1].append((float(a["xmin"]), float(a["ymin"])))


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """Lines LibreOffice draws for each (text, column): one 400-point row per page."""
    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed; cannot measure what it draws")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; cannot read the PDF")
    folder = tmp_path_factory.mktemp("calibrate")
    texts = _texts()
    book = xlsxwriter.Workbook(str(folder / "calibrate.xlsx"))
    ws = book.add_worksheet("c")
    formats = {bold: book.add_format({"font_name": "Calibri", "font_size": 11, "bold": bold,
                                      "text_wrap": True, "valign": "top", "border": 1})
               for bold in (False, True)}
    for c, (width, _bold) in enumerate(COLUMNS):
        ws.set_column(c, c, width)
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.55, bottom=0.6)
    for r, text in enumerate(texts):
        ws.set_row(r, 400)
        for c, (_width, bold) in enumerate(COLUMNS):
            ws.write_string(r, c, text, formats[bold])
    book.close()
    pdf = convert_to_pdf(folder / "calibrate.xlsx", timeout=180)
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = _Words(bbox).pages
    assert len(pages) == len(texts), "expected one page per row, all columns on it"
    # the columns' left edges in points: the left margin, then LibreOffice's column widths
    edges = [0.4 * 72]
    for width, _bold in COLUMNS:
        edges.append(edges[-1] + (int(width * 7 + 0.5) + 5) * LIBREOFFICE.column_scale * 0.75)
    out = []
    for text, words in zip(texts, pages):
        for c, (width, bold) in enumerate(COLUMNS):
            ys = {round(y) for x, y in words if edges[c] - 1 <= x < edges[c + 1] - 1}
            out.append((text, width, bold, len(ys)))
    assert all(n >= 1 for *_rest, n in out)
    return out


@pytest.mark.slow
def test_model_never_counts_fewer_lines_than_libreoffice_draws(drawn):
    exact = 0
    for text, width, bold, lines in drawn:
        predicted = wrapped_lines(text, width, bold, LIBREOFFICE)
        assert predicted >= lines, (text[:60], width, bold, predicted, lines)
        assert predicted <= lines + 1, (text[:60], width, bold, predicted, lines)
        exact += predicted == lines
    assert exact >= 0.9 * len(drawn)


@pytest.mark.slow
def test_libreoffice_line_pitch(tmp_path, drawn):
    """One line every 11.1 points (Carlito 11: ascent plus descent, no line gap)."""
    text = max((t for t, *_rest in drawn), key=len)
    book = xlsxwriter.Workbook(str(tmp_path / "pitch.xlsx"))
    ws = book.add_worksheet("p")
    ws.set_column(0, 0, 30)
    ws.set_row(0, 400)
    ws.write_string(0, 0, text, book.add_format({"font_name": "Calibri", "font_size": 11,
                                                 "text_wrap": True, "valign": "top"}))
    book.close()
    pdf = convert_to_pdf(tmp_path / "pitch.xlsx", timeout=120)
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    ys = sorted({round(y, 1) for _x, y in _Words(bbox).pages[0]})
    assert len(ys) >= 5
    pitch = (ys[-1] - ys[0]) / (len(ys) - 1)  # single words' tops wobble by 0.2 points
    assert LIBREOFFICE.line_height - 0.2 <= pitch <= LIBREOFFICE.line_height + 0.05


@pytest.mark.parametrize("text, width, bold, lines", [
    ("", 60, False, 1),
    ("one", 5, False, 1),
    ("a\nb\nc", 60, False, 3),
    ("word " * 40, 30, False, 7),
    ("x" * 200, 30, False, 6),
    ("Reviews for Children Looked After are also improving and now above target", 40, True,
     2),
])
def test_wrapped_lines_table(text, width, bold, lines):
    assert wrapped_lines(text, width, bold, LIBREOFFICE) == lines


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
       st.floats(min_value=3, max_value=120), st.booleans())
def test_more_text_or_narrower_never_fewer_lines(text, width, bold):
    for renderer in (LIBREOFFICE, EXCEL):
        n = wrapped_lines(text, width, bold, renderer)
        assert n >= 1 + text.count("\n")
        assert wrapped_lines(text, width * 0.8, bold, renderer) >= n  # narrower: no fewer
        assert wrapped_lines(text + "\n", width, bold, renderer) == n + 1


def test_rows_fit_both_programs(tmp_path):
    card = build_scorecard(mixed_assessments(), SETTINGS)
    path = write_scorecard(card, tmp_path / "card.xlsx")
    ws = openpyxl.load_workbook(path)[CS]
    widths = {c: ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width
              for c in range(1, 9)}
    checked = 0
    for row in ws.iter_rows(min_row=1, max_col=8):
        for cell in row:
            if isinstance(cell.value, str) and cell.alignment.wrap_text:
                bold = bool(cell.font.b)
                need = max(row_height(wrapped_lines(cell.value, widths[cell.column], bold, r), r)
                           for r in (LIBREOFFICE, EXCEL))
                height = ws.row_dimensions[cell.row].height or 15
                assert height >= min(need, MAX_ROW_HEIGHT) - 0.01, (cell.coordinate, need)
                checked += 1
    assert checked > 30


def text_sizes(path) -> list[tuple[int, float]]:
    """(page, size in points) of every piece of text a PDF shows, after every scaling
    (the font size of ``Tf`` through the text and graphics matrices): how big the
    printed text really is once a sheet is fitted to the page's width."""
    import math

    import pikepdf

    def mul(a, b):
        return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
                a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
                a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]

    out = []
    with pikepdf.open(path) as pdf:
        for n, page in enumerate(pdf.pages, start=1):
            ctm, stack, tm, size = [1, 0, 0, 1, 0, 0], [], [1, 0, 0, 1, 0, 0], None
            for operands, op in pikepdf.parse_content_stream(page):
                op = str(op)
                if op == "q":
                    stack.append(ctm[:])
                elif op == "Q":
                    ctm = stack.pop()
                elif op == "cm":
                    ctm = mul([float(x) for x in operands], ctm)
                elif op == "BT":
                    tm = [1, 0, 0, 1, 0, 0]
                elif op == "Tm":
                    tm = [float(x) for x in operands]
                elif op == "Tf":
                    size = float(operands[1])
                elif op in ("Tj", "TJ", "'", '"') and size:
                    m = mul(tm, ctm)
                    out.append((n, size * math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))))
    return out


def _printed(book: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    """``regenerate`` of ``book`` printed whole by LibreOffice: the PDF and each page's
    footer label."""
    from addin.cli import main
    out = tmp_path / f"{book.stem}.xlsx"
    assert main(["regenerate", str(book), "-o", str(out)]) == 0
    pdf = convert_to_pdf(out, timeout=180)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    return pdf, [p.strip().splitlines()[-1].split()[0] for p in pages]


@pytest.mark.slow
def test_sample_workbook_prints_on_four_pages_legibly(tmp_path):
    """The sample printed whole, as a clerk prints it, by LibreOffice: at most 4 pages,
    the Data sheet out of the print, no text under 7 points after fitting."""
    if find_soffice() is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice or pdftotext is not installed")
    sample = TEMPLATES / "performance_workbook.xlsx"
    pdf, footers = _printed(sample, tmp_path)
    assert len(footers) <= 4, footers
    assert "Data" not in footers and footers[0] == "Summary"
    sizes = text_sizes(pdf)
    assert len({page for page, _size in sizes}) == len(footers)
    assert min(size for _page, size in sizes) >= 7.0
    assert max(size for _page, size in sizes) >= 10.0  # the titles: the reading is right
    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    flat = " ".join(raw.split())
    from kpi_core.reading.workbook import read_workbook
    words = set(flat.split())
    for m in read_workbook(sample).measures:  # every name and every note's end is printed
        assert " ".join(m.name.split()[:3]) in flat, m.ref
        if m.notes:  # (its last line may come out of pdftotext amid the next column's)
            assert m.notes.split()[-1] in words, m.ref


@pytest.mark.slow
def test_demo_workbook_prints_legibly(tmp_path):
    if find_soffice() is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice or pdftotext is not installed")
    pdf, footers = _printed(TEMPLATES / "demo_performance_workbook.xlsx", tmp_path)
    assert "Data" not in footers
    assert min(size for _page, size in text_sizes(pdf)) >= 7.0


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400),
       st.floats(min_value=3, max_value=120), st.booleans())
def test_excel_rows_are_never_shorter_than_libreoffice_rows(text, width, bold):
    """Why only Excel is measured when both programs are asked for (textfit.deciding)."""
    xl, lo = (wrapped_lines(text, width, bold, r) for r in (EXCEL, LIBREOFFICE))
    assert xl >= lo
    assert row_height(xl, EXCEL) >= row_height(lo, LIBREOFFICE) or lo == 1


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("il mMW.,%£é\u00a0 ") + ["\u4e00"]),
                    max_size=120),
       width=st.integers(min_value=1, max_value=60), bold=st.booleans())
def test_a_text_on_one_line_is_found_without_wrapping_it(text, width, bold):
    """The quick one-line answer of line_counts (the text's own width against the line)
    is what wrapping word by word gives, in every renderer."""
    from kpi_core.publishing import textfit
    renderers = (LIBREOFFICE, EXCEL)
    space = textfit._WIDTHS[bold][" "]
    wrapped = tuple(textfit._count(textfit._paragraphs(text, bold), avail, space)
                    if (avail := textfit._available(width, r)) > 0 else max(1, len(text))
                    for r in renderers)
    assert textfit.line_counts.__wrapped__(text, width, bold, renderers) == wrapped


def _measured(text: str, bold: bool) -> list[list[int]]:
    from kpi_core.publishing import textfit
    widths = textfit._WIDTHS[bold]
    return [[sum(widths.get(ch, textfit._WIDE) for ch in word) for word in para.split(" ")]
            for para in text.split("\n")]


@settings(max_examples=200, deadline=None)
@given(text=st.lists(st.sampled_from(list("il mMW.,%£é\u00a0\n ") + ["\u4e00", "x" * 70]),
                    max_size=80).map("".join), bold=st.booleans())
def test_a_kept_word_measures_as_its_characters(text, bold):
    """The words' widths, measured once and then kept, are their characters' widths."""
    from kpi_core.publishing import textfit
    assert textfit._paragraphs(text, bold) == _measured(text, bold)  # measured or kept
    assert textfit._paragraphs(text, bold) == _measured(text, bold)  # kept


def test_the_kept_words_are_bounded(monkeypatch):
    from kpi_core.publishing import textfit
    monkeypatch.setattr(textfit, "_WORDS_KEPT", 5)
    rng = random.Random(3)
    for _ in range(200):
        text = " ".join(rng.choice(["a", "bb", "W.", "x" * 70, "£5", "ü"]) + str(rng.randrange(9))
                        for _ in range(rng.randrange(1, 8)))
        assert textfit._paragraphs(text, False) == _measured(text, False)
        assert len(textfit._WORD_UNITS[False]) <= 5 + 8
