"""The committee PDF: the web page laid out by WeasyPrint, checked from the PDF's own
structure tree with pikepdf (which page each row's and heading's content lies on, not
the CSS asked for), with the pdfua checker, and the ways the route can fail."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from addin.cli import main
from kpi_core.errors import PdfError
from kpi_core.model import Benchmark, Measure, Polarity, Unit
from kpi_core.assessing.measure import assess_measures
from kpi_core.pipeline import assess_workbook, write_pdf
from kpi_core.publishing.html import render_html
from kpi_core.publishing.pdf import MISSING_WEASYPRINT, finish_pdf, write_committee_pdf
from kpi_core.publishing.scorecard import build_scorecard
from kpi_core.publishing.spec import Heading, Scorecard, Table
from kpi_core.reading.workbook import read_workbook
from tests.support.paths import DEMO, SAMPLE
from tests.support.scorecard_samples import SETTINGS, mixed_assessments

pikepdf = pytest.importorskip("pikepdf", reason="pikepdf is not installed (pip install '.[pdf]')")
pytest.importorskip("weasyprint", reason="WeasyPrint is not installed (pip install '.[pdf]')")

A4_LANDSCAPE = (841.9, 595.3)
#: What stands above what it heads: it must never be the last thing on its page.
HEADS = ("/H1", "/H2", "/H3")


# --- reading the structure tree ---------------------------------------------------

@dataclass
class Node:
    role: str
    obj: object
    parent: Node | None
    kids: list[Node] = field(default_factory=list)
    pages: set[int] = field(default_factory=set)  # pages its marked content lies on


def structure_tree(pdf) -> Node:
    """The structure tree with, for every element, the pages its content lies on."""
    page_of = {page.objgen: i for i, page in enumerate(pdf.pages, start=1)}
    root = Node("/StructTreeRoot", pdf.Root.StructTreeRoot, None)

    def items(k):
        if k is None:
            return []
        return list(k) if isinstance(k, pikepdf.Array) else [k]

    def walk(node: Node, page: int | None) -> None:
        for kid in items(node.obj.get("/K")):
            if isinstance(kid, int):  # a marked-content id on the element's page
                if page is not None:
                    node.pages.add(page)
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                node.pages.add(page_of[kid.Pg.objgen])
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                child = Node(str(kid.S), kid, node)
                node.kids.append(child)
                pg = kid.get("/Pg")
                walk(child, page_of[pg.objgen] if pg is not None else page)
                node.pages |= child.pages

    walk(root, None)
    return root


def elements(node: Node):
    """Every element below ``node``, depth first, in reading order."""
    for kid in node.kids:
        yield kid
        yield from elements(kid)


def under(node: Node, role: str) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.role == role:
            return True
        parent = parent.parent
    return False


def body_rows(tree: Node) -> list[Node]:
    return [n for n in elements(tree) if n.role == "/TR" and n.parent.role == "/TBody"]


def blocks(tree: Node) -> list[Node]:
    """What a reader meets on the page, in order: headings, paragraphs, table captions,
    body rows, figures and their captions (header rows and cells left out)."""
    out = []
    for n in elements(tree):
        if n.role in HEADS + ("/P", "/Figure") and not under(n, "/TR"):
            out.append(n)
        elif n.role == "/Caption":
            out.append(n)
        elif n.role == "/TR" and n.parent.role == "/TBody":
            out.append(n)
    return out


def layout_problems(tree: Node) -> list[str]:
    """Split rows, stranded headings/subtitles/captions, in words (empty: none)."""
    problems = []
    for i, row in enumerate(body_rows(tree)):
        if len(row.pages) != 1:
            problems.append(f"body row {i} lies on pages {sorted(row.pages)}")
    order = blocks(tree)
    for i, node in enumerate(order):
        if not node.pages:
            continue
        page = min(node.pages)
        is_table_caption = node.role == "/Caption" and node.parent.role == "/Table"
        is_subtitle = node.role == "/P" and i > 0 and order[i - 1].role in ("/H1", "/H2")
        if node.role in HEADS or is_table_caption or is_subtitle:
            # what follows it (a heading's subtitle, a caption's first row) shares its page
            after = next((n for n in order[i + 1:] if n.pages), None)
            if after is None or min(after.pages) != max(node.pages):
                problems.append(f"{node.role} #{i} on page {page} stands apart from what "
                                f"follows it (page {min(after.pages) if after else None})")
        elif node.role == "/Caption":  # a figure's caption: on its figure's page
            before = next((n for n in reversed(order[:i]) if n.role == "/Figure"), None)
            if before is None or before.pages != node.pages:
                problems.append(f"figure caption #{i} on page {page} apart from its figure")
    return problems


# --- the scorecards ----------------------------------------------------------------

def _card_of(book: Path) -> Scorecard:
    workbook = read_workbook(book)
    return build_scorecard(assess_workbook(workbook), workbook.settings)


def hostile_card(n: int = 200) -> Scorecard:
    """200 measures in 4 portfolios with long comments of hostile text, previous values
    and benchmarks: the rows are of very different heights."""
    rtl = "\u05de\u05d3\u05d3 \u0645\u0624\u0634\u0631 \u0627\u0644\u0623\u062f\u0627\u0621"
    measures = []
    for i in range(n):
        words = ("Long commentary with <tags>, & ampersands, \U0001F4C8 emoji, "
                 f"{rtl} text and an unbreakable {'x' * 60} token. ")
        measures.append(Measure(
            ref=f"M{i:03d}", portfolio=["Adults & <b>Health</b>", "Children's Services",
                                        "Place: Roads/Waste [2016]", rtl][i % 4],
            name=(f"<script>alert({i})</script> measure {i} " + "with a long name " * (i % 4)),
            cabinet_member="Cllr. <O'Brien> & co",
            outcome="Residents are safe & well " * (1 + i % 3),
            unit=[Unit.PERCENT, Unit.NUMBER, Unit.DAYS, Unit.MONEY][i % 4],
            polarity=[Polarity.HIGHER, Polarity.LOWER][i % 2],
            target=[0.9, 100.0, 10.0, 5000.0][i % 4],
            current=[0.95, 80.0, 12.0, 4000.0][i % 4] if i % 7 else None,
            previous=[0.9, 90.0, 11.0, 4500.0][i % 4],
            notes=words * (1 + (i * 7) % 12),  # up to about 1,900 characters
            highlight=i % 11 == 0,
            benchmarks=((Benchmark(f"M{i:03d}", "National Average", "2015",
                                   [0.8, 95.0, 9.0, 4800.0][i % 4]),) if i % 3 == 0 else ())))
    return build_scorecard(assess_measures(measures, SETTINGS), SETTINGS)


def expected_rows(card: Scorecard) -> int:
    """Body rows the printed tables have (a section with no measures prints a note)."""
    def is_note(table: Table) -> bool:
        return len(table.rows) == 1 and any(c.style == "note" for c in table.rows[0])
    return sum(len(b.rows) for s in card.sheets if not s.data for b in s.blocks
               if isinstance(b, Table) and not is_note(b))


def portfolio_titles(card: Scorecard) -> list[str]:
    return [next(b.text for b in s.blocks if isinstance(b, Heading))
            for s in card.sheets[1:] if not s.data]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, tuple[Scorecard, Path]]:
    folder = tmp_path_factory.mktemp("committee")
    out = {}
    for name, card in (("sample", _card_of(SAMPLE)), ("demo", _card_of(DEMO)),
                       ("hostile", hostile_card())):
        out[name] = card, write_pdf(card, folder / f"{name}.pdf")
    return out


def _text_pages(path: Path, layout: bool = True) -> list[str]:
    text = subprocess.run(["pdftotext", *(["-layout"] if layout else []), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


# --- the layout a committee expects ------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name", ["sample", "demo", "hostile"])
def test_committee_layout_from_the_structure_tree(pdfs, name):
    card, path = pdfs[name]
    with pikepdf.open(path) as pdf:
        tree = structure_tree(pdf)
        n_pages = len(pdf.pages)
        with pdf.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1"
        assert str(pdf.Root.Lang) == "en-GB"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True
        assert str(pdf.docinfo.Title) == card.title
        headers = [n for n in elements(tree) if n.role == "/TH"]
        assert headers
        for th in headers:
            attrs = th.obj.get("/A")
            attrs = list(attrs) if isinstance(attrs, pikepdf.Array) else [attrs]
            scopes = [str(a.Scope) for a in attrs if isinstance(a, pikepdf.Dictionary)
                      and "/Scope" in a]
            want = "/Column" if under(th, "/THead") else "/Row"
            assert scopes == [want], (th.pages, scopes)
    # each body row once, on one page: a row split across pages is tagged twice
    assert len(body_rows(tree)) == expected_rows(card)
    assert layout_problems(tree) == []
    # every portfolio starts a page: its heading is the first thing on its page
    order = blocks(tree)
    starts = [n.kids[0] for n in elements(tree) if n.role == "/Sect" and n.kids
              and n.kids[0].role == "/H2"]
    assert len(starts) == len(portfolio_titles(card))
    for heading in starts:
        i = next(i for i, n in enumerate(order) if n is heading)
        assert i > 0 and max(order[i - 1].pages) < min(heading.pages), i
    pages = _text_pages(path)
    assert len(pages) == n_pages
    if name != "hostile":  # (right-to-left titles come out of pdftotext reordered)
        firsts = [text.strip().splitlines()[0].strip() for text in pages]
        assert [t for t in firsts if t in portfolio_titles(card)] == portfolio_titles(card)
    for i, text in enumerate(pages, start=1):
        assert f"Page {i} of {n_pages}" in " ".join(text.split())


@pytest.mark.slow
def test_page_counts_and_size(pdfs):
    for name, most in (("sample", 4), ("demo", 8)):
        with pikepdf.open(pdfs[name][1]) as pdf:
            assert len(pdf.pages) <= most, name
            for page in pdf.pages:
                assert [round(float(v), 1) for v in page.MediaBox[2:]] == \
                    pytest.approx(A4_LANDSCAPE, abs=1)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sample", "demo"])
def test_pdfua_checker_finds_nothing(pdfs, name):
    pytest.importorskip("pdfua", reason="the pdfua checker is not installed (pip install '.[test]')")
    done = subprocess.run([sys.executable, "-m", "pdfua", "check", "--format", "json",
                           str(pdfs[name][1])], capture_output=True, text=True, timeout=300)
    report = json.loads(done.stdout)
    assert report["summary"]["errors"] == 0 and report["summary"]["warnings"] == 0, \
        report["findings"]
    assert report["skipped"] == [], report["skipped"]  # every rule it has ran
    assert report["summary"]["rules_run"] >= 10


@pytest.mark.slow
def test_sample_pdf_reads_in_order_with_its_figures(pdfs):
    card, path = pdfs["sample"]
    with pikepdf.open(path) as pdf:
        tree = structure_tree(pdf)
    roles = [n.role for n in elements(tree)]
    assert roles.count("/H1") == 1
    for role in ("/H2", "/H3", "/Table", "/THead", "/TBody", "/TH", "/TD", "/Caption"):
        assert role in roles, role
    alts = [str(n.obj.Alt) for n in elements(tree) if n.role == "/Figure"]
    assert len(alts) == 2 and alts[0].startswith("Stacked bar chart of measures")
    assert alts[1].startswith("Bar chart of Children's Services: 13 measures")
    flat = " ".join(" ".join(_text_pages(path, layout=False)).split())
    for words in ("% repeat referrals", "Key areas of good performance", "Other measures",
                  "% of CLA placed in county", "Statistical Neighbour Average (2015): 23%"):
        assert words in flat
    # nothing printed empty: the sample has no History and no Previous column
    assert "Direction of travel" not in flat and "Trend" not in flat
    # the portfolio's subtitle is the period, not the document's title again
    assert "Children's Services Portfolio - Cllr. Lin Hazell Q2 2016/17 Children's" in flat
    assert flat.count(card.title) == 2  # the title and the first page's footer


@pytest.mark.slow
def test_table_headers_repeat_on_a_continued_table(pdfs):
    pages = _text_pages(pdfs["sample"][1])
    continued = [p for p in pages[1:] if not p.strip().startswith(("Children's", "Areas",
                                                                     "Key", "Other"))]
    assert continued, "expected a table that runs on to another page"
    for page in continued:
        assert "Current" in page.split("\n", 3)[0] + page.split("\n", 3)[1]


@pytest.mark.slow
def test_sparklines_are_figures_with_alt_text(tmp_path):
    from dataclasses import replace
    from kpi_core.model import Trend
    trend = Trend(("Q3", "Q4", "Q1", "Q2"), (0.4, 0.5, None, 0.6))
    items = tuple(replace(a, trend=trend) for a in mixed_assessments())
    card = build_scorecard(items, SETTINGS)
    header = next(b for b in card.sheets[1].blocks if isinstance(b, Table) and b.header).header
    assert "Trend" in [h.value for h in header]
    out = write_pdf(card, tmp_path / "trend.pdf")
    with pikepdf.open(out) as pdf:
        alts = [str(n.obj.Alt) for n in elements(structure_tree(pdf)) if n.role == "/Figure"]
    trends = [a for a in alts if ", Q3 to Q2: " in a]
    assert len(trends) == len(items) - 1  # the row with a data problem shows none
    assert len(alts) == len(trends) + 3  # and the three charts
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trend.pdf"]


# --- the checks can fail -------------------------------------------------------------

def _tree_of(roles_and_pages) -> Node:
    """A hand-made tree: [(role, pages, parent index or None)]."""
    root = Node("/StructTreeRoot", None, None)
    made = []
    for role, pages, parent in roles_and_pages:
        up = root if parent is None else made[parent]
        node = Node(role, None, up, pages=set(pages))
        up.kids.append(node)
        made.append(node)
    return root


def test_layout_check_sees_a_split_row_and_a_stranded_heading():
    tree = _tree_of([
        ("/Sect", [1, 2], None),
        ("/H2", [1], 0), ("/P", [1], 0), ("/H3", [1], 0),               # H3 at the foot
        ("/Table", [2], 0), ("/Caption", [2], 4), ("/TBody", [2], 4),
        ("/TR", [2, 3], 6),                                              # split row
    ])
    problems = layout_problems(tree)
    assert any(p.startswith("/H3") and "page 2" in p for p in problems), problems
    assert any(p.startswith("body row 0 lies on pages [2, 3]") for p in problems), problems


def test_layout_check_passes_a_good_page():
    tree = _tree_of([
        ("/Sect", [1], None), ("/H2", [1], 0), ("/P", [1], 0), ("/H3", [1], 0),
        ("/Table", [1], 0), ("/Caption", [1], 4), ("/TBody", [1], 4), ("/TR", [1], 6),
        ("/NonStruct", [1], 0), ("/Figure", [1], 8), ("/Caption", [1], 8),
    ])
    assert layout_problems(tree) == []


# --- what is added to WeasyPrint's PDF, and when it cannot be made --------------------

def test_finish_adds_scope_identification_language_and_title(tmp_path):
    source = tmp_path / "in.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(842, 595))
    th_head = pikepdf.Dictionary(S=pikepdf.Name.TH, A=pikepdf.Dictionary(O=pikepdf.Name.Table))
    th_row = pikepdf.Dictionary(S=pikepdf.Name.TH)
    head = pikepdf.Dictionary(S=pikepdf.Name.THead, K=pikepdf.Array([
        pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.TR, K=pikepdf.Array(
            [pdf.make_indirect(th_head)])))]))
    body = pikepdf.Dictionary(S=pikepdf.Name.TBody, K=pikepdf.Array([
        pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.TR, K=pikepdf.Array(
            [pdf.make_indirect(th_row)])))]))
    table = pikepdf.Dictionary(S=pikepdf.Name.Table, K=pikepdf.Array(
        [pdf.make_indirect(head), pdf.make_indirect(body)]))
    pdf.Root.StructTreeRoot = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array([pdf.make_indirect(table)])))
    pdf.save(source)
    finish_pdf(source, tmp_path / "out.pdf", "en-GB", "A title")
    with pikepdf.open(tmp_path / "out.pdf") as done:
        ths = [n for n in elements(structure_tree(done)) if n.role == "/TH"]
        assert [str(t.obj.A.Scope) for t in ths] == ["/Column", "/Row"]
        assert str(done.Root.Lang) == "en-GB" and bool(done.Root.ViewerPreferences.DisplayDocTitle)
        assert str(done.docinfo.Title) == "A title"
        with done.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1" and meta.get("dc:title") == "A title"


def test_missing_weasyprint_is_said_before_anything_is_written(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint raises ImportError
    with pytest.raises(PdfError) as info:
        write_committee_pdf("<html></html>", tmp_path / "x.pdf")
    assert str(info.value).startswith(MISSING_WEASYPRINT)
    assert "pip install 'kpi-scorecard[pdf]'" in MISSING_WEASYPRINT
    out = tmp_path / "card.xlsx"
    assert main(["regenerate", str(SAMPLE), "-o", str(out), "--pdf"]) == 2
    err = capsys.readouterr().err
    assert "kpi-scorecard: the committee PDF needs WeasyPrint and pikepdf" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # not even the workbook


def test_missing_pikepdf_is_said_too(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pikepdf", None)
    with pytest.raises(PdfError, match="pip install 'kpi-scorecard\\[pdf\\]'"):
        write_committee_pdf("<html></html>", tmp_path / "x.pdf")
    assert list(tmp_path.iterdir()) == []


def test_print_version_is_what_weasyprint_lays_out():
    page = render_html(build_scorecard(mixed_assessments(), SETTINGS), for_print=True)
    assert "Skip to main content" not in page and "<nav" not in page
    assert "counter(pages)" in page and "break-before: page" in page
    assert page.count("<caption") == page.count("<table")


@pytest.mark.slow
def test_cli_pdf_beside_out(tmp_path):
    out = tmp_path / "sample.xlsx"
    done = subprocess.run([sys.executable, "-m", "addin.cli", "regenerate", str(SAMPLE), "-o",
                           str(out), "--pdf", "--json"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["pdf"] == str(out.with_suffix(".pdf")) and "html" not in doc
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample.pdf", "sample.xlsx"]


@pytest.mark.slow
def test_html_and_pdf_together(tmp_path, capsys):
    out = tmp_path / "both.xlsx"
    assert main(["regenerate", str(SAMPLE), "-o", str(out), "--html", "--pdf", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["html"] == str(out.with_suffix(".html")) and doc["pdf"] == str(out.with_suffix(".pdf"))
    page = out.with_suffix(".html").read_text(encoding="utf-8")
    assert "Skip to main content" in page  # the web page, not the print version
    assert sorted(p.name for p in tmp_path.iterdir()) == ["both.html", "both.pdf", "both.xlsx"]


@pytest.mark.slow
def test_a_long_figure_wraps_inside_its_cell_rather_than_running_into_the_rag(tmp_path):
    """Figures do not wrap on screen, but the printed tables have fixed widths: a figure
    like '12,345.6 days' there breaks at its space and stays in its own cell."""
    measures = [Measure(ref=f"D{i}", portfolio="Children's Services", name=f"Days {i}",
                        unit=Unit.DAYS, polarity=Polarity.LOWER, target=426.0,
                        current=12345.6 + i, previous=455.0) for i in range(3)]
    card = build_scorecard(assess_measures(measures, SETTINGS), SETTINGS)
    pdf = write_pdf(card, tmp_path / "days.pdf")
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    words = [(w, float(a), float(b), float(c)) for a, b, c, w in
             re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" [^>]*>([^<]*)<', html)]
    rags = [(x0, y0) for w, x0, y0, _x1 in words if w == "Red"]
    figures = [(x1, y0) for w, _x0, y0, x1 in words
               if w == "days" or w.startswith("1234")]
    beside = [(x1, x0) for x1, y in figures for x0, y0 in rags if abs(y - y0) < 1 and x0 > x1 - 30]
    assert len(beside) >= 3  # each row's current figure on the line of its RAG word
    assert all(x1 <= x0 - 4 for x1, x0 in beside), beside
