"""The web page rendered from the scorecard spec, read back with the standard HTML parser:
language, title, skip link, headings, captions, header scopes, RAG words on fills with
enough contrast, images with text alternatives, escaping, links, the print version."""

from __future__ import annotations

import base64
import html
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings, strategies as st

from addin.cli import main
from kpi_core.model import Measure, Settings, Unit
from kpi_core.assessing.measure import assess_measures
from kpi_core.publishing.html import (
    chart_svg, format_figure, render_html, sparkline_svg, write_html,
)
from kpi_core.publishing.scorecard import KEY_AREAS, build_scorecard
from kpi_core.publishing.spec import Cell, Sheet, Sparkline, Table
from kpi_core.publishing.theme import RAG_COLOURS, RAG_STYLES, RAG_TEXT_COLOURS, STATUS_COLOURS
from tests.support.scorecard_samples import (
    CS, RES, SETTINGS, mixed_assessments, reference_assessments, with_trend,
)
from tests.support.colours import contrast_ratio
from tests.support.workbooks import measure_row, write_book


class Page(HTMLParser):
    """Elements with their attributes, the text of each element kind, in document order."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.texts: list[tuple[tuple[str, ...], str]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag == "br":
            self.texts.append((tuple(self.stack), "\n"))
        if tag not in ("br", "img", "meta", "input", "hr", "link"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        self.texts.append((tuple(self.stack), data))

    def all(self, tag: str) -> list[dict]:
        return [a for t, a in self.elements if t == tag]

    def text(self) -> str:
        return "".join(d for _s, d in self.texts)


def _headings(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), html.unescape(re.sub(r"<[^>]+>", "", m.group(2))))
            for m in re.finditer(r"<(h[1-6])[^>]*>(.*?)</\1>", text, re.S)]


@pytest.fixture(scope="module")
def card():
    return build_scorecard(mixed_assessments(), SETTINGS)


@pytest.fixture(scope="module")
def page(card) -> str:
    return render_html(card)


# --- colours ---------------------------------------------------------------------

@pytest.mark.parametrize("style", sorted(STATUS_COLOURS))
def test_status_fills_have_enough_contrast(style):
    fill, text = STATUS_COLOURS[style]
    assert contrast_ratio(fill, text) >= 4.5


@pytest.mark.parametrize("status", sorted(RAG_STYLES, key=lambda s: s.value))
def test_status_fills_are_the_spec_colours(status, page):
    style = RAG_STYLES[status]
    assert STATUS_COLOURS[style] == (RAG_COLOURS[status], RAG_TEXT_COLOURS[status])
    css = re.search(r"\." + style.replace("_", "-") + r" \{([^}]*)\}", page).group(1)
    assert f"background: {RAG_COLOURS[status]}" in css and f"color: {RAG_TEXT_COLOURS[status]}" in css


def test_rag_cells_carry_the_word(page):
    cells = re.findall(r'<td class="(rag-[a-z]+|check) rag"[^>]*>([^<]*)</td>', page)
    assert cells, "no RAG cells found"
    words = {"rag-green": "Green", "rag-amber": "Amber", "rag-red": "Red",
             "rag-blue": "Blue", "check": "Check data"}
    for css, word in cells:
        assert word == words[css]


# --- the page's frame ------------------------------------------------------------

def test_language_title_viewport_and_no_scripts(page, card):
    parsed = Page(page)
    assert parsed.all("html") == [{"lang": "en-GB"}]
    assert page.count("<title>") == 1 and f"<title>{card.title}</title>" in page
    assert any(m.get("name") == "viewport" for m in parsed.all("meta"))
    assert not parsed.all("script") and "<script" not in page.lower()
    assert not parsed.all("link") and not parsed.all("iframe")
    for tag, attrs in parsed.elements:
        for name in ("src", "href"):
            if name in attrs:
                assert attrs[name].startswith(("#", "data:image/svg+xml;base64,")), attrs
        assert not any(a.startswith("on") for a in attrs), (tag, attrs)
    assert "url(" not in page and "@import" not in page


def test_skip_link_and_ids(page):
    parsed = Page(page)
    first_link = parsed.all("a")[0]
    assert first_link == {"class": "skip", "href": "#main"}
    ids = [a["id"] for _t, a in parsed.elements if "id" in a]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for a in parsed.all("a"):
        assert a["href"][1:] in ids, a
    assert parsed.all("main")[0]["id"] == "main"


def test_headings_in_order(page):
    heads = _headings(page)
    assert heads[0] == ("h1", SETTINGS.authority + " performance scorecard, " + SETTINGS.period)
    assert [h for h, _t in heads].count("h1") == 1
    h2 = [t for h, t in heads if h == "h2"]
    assert "Contents" in h2
    assert any(t.startswith(CS) for t in h2) and any(t.startswith(RES) for t in h2)
    assert [t for h, t in heads if h == "h3"].count(KEY_AREAS) == 2
    levels = [int(h[1]) for h, _t in heads]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), "a heading level is skipped"


def test_contents_only_for_several_portfolios(page):
    assert '<nav class="contents"' in page
    one = render_html(build_scorecard(reference_assessments(), SETTINGS))
    assert "<nav" not in one


def test_tables_have_captions_and_scoped_headers(page):
    tables = page.count("<table")
    assert tables >= 6
    assert page.count("<caption") == tables
    parsed = Page(page)
    for th in parsed.all("th"):
        assert th.get("scope") in ("col", "row"), th
    assert sum(1 for th in parsed.all("th") if th.get("scope") == "row") >= 20


def test_summary_names_link_to_their_sections(page, card):
    summary = page[page.index('<section class="sheet" id="sheet-1"'):page.index("</section>")]
    summary = summary[summary.index("<table"):]
    links = re.findall(r'<a href="#(sheet-\d+)">([^<]*)</a>', summary)
    assert [text for _id, text in links] == [CS.replace("'", "&#x27;"), RES]
    for target, _text in links:
        assert f'<section class="sheet" id="{target}"' in page


def test_charts_are_images_with_their_alt_text(page, card):
    charts = [c for s in card.sheets for c in s.charts]
    imgs = [a for a in Page(page).all("img") if a.get("class") == "chart"]
    assert [a["alt"] for a in imgs] == [c.alt_text for c in charts]
    for a in imgs:
        svg = base64.b64decode(a["src"].split(",", 1)[1]).decode()
        assert svg.startswith("<svg") and "<rect" in svg


def test_every_measure_appears_once_with_its_word(card, page):
    text = Page(page).text()
    for a in mixed_assessments():
        assert text.count(a.measure.name) == 1, a.measure.name


def test_data_sheet_left_out(card):
    data = Sheet("Data", "Data", (), (Table("data", (Cell("Ref", "header"),),
                                            ((Cell("SECRET-ROW"),),)),), data=True)
    assert "SECRET-ROW" not in render_html(replace(card, sheets=card.sheets + (data,)))


# --- escaping --------------------------------------------------------------------

HOSTILE = ['<script>alert("x")</script>', "<b>bold</b> & co", "Tom & Jerry's <i>",
           "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627", "\U0001F600 emoji \u2603",
           "]]><!--", "a\x00b\x1fc"]


@pytest.mark.parametrize("name", HOSTILE)
def test_workbook_text_is_text(name):
    measures = [Measure("X1", name, name, cabinet_member=name, notes=name, outcome=name,
                        current=1.0, target=2.0, benchmarking_text=name)]
    page = render_html(build_scorecard(assess_measures(measures), Settings(name, name)))
    assert "<script" not in page and "<b>" not in page and "<i>" not in page
    assert "<!--" not in page
    parsed = Page(page)
    shown = parsed.text()
    clean = name.replace("\x00", "\ufffd").replace("\x1f", "\ufffd")
    assert clean in shown
    if "\u05e9" in name:
        assert "<bdi>" in page


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_text_round_trips(name):
    measures = [Measure("X1", "P", name, notes=name, current=1.0, target=1.0)]
    page = render_html(build_scorecard(assess_measures(measures)))
    page.encode("utf-8")  # no lone surrogates left
    parsed = Page(page)
    expected = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]",
                      "\ufffd", name)
    assert " ".join(expected.replace("\r", "\n").split()) in " ".join(
        parsed.text().replace("\r", "\n").split())
    assert not parsed.all("script")


# --- figures and sparklines ------------------------------------------------------

@pytest.mark.parametrize("value, style, shown", [
    (0.97, "pct0", "97%"), (0.275, "pct1", "27.5%"), (0.12345, "pct2", "12.35%"),
    (1250, "money0", "£1,250"), (-1250, "money0", "-£1,250"), (3.5, "money2", "£3.50"),
    (12, "days0", "12 days"), (4.25, "days1", "4.2 days"), (7.25, "rate", "7.2"),
    (1234567, "number0", "1,234,567"), (2.5, "number2", "2.5"), (14, "count", "14"),
    (3, "index", "3"),
])
def test_figures_as_the_workbook_shows_them(value, style, shown):
    assert format_figure(value, style) == shown


def test_sparkline_cells_are_images_with_alt_text(card):
    def spark(name):
        return Sparkline((0.5, None, 0.7, 0.6), ("Q3 2015/16", "Q4 2015/16", "Q1 2016/17",
                                                  "Q2 2016/17"), f"Trend of {name}", Unit.PERCENT)

    page = render_html(with_trend(card, spark))
    sparks = [a for a in Page(page).all("img") if a.get("class") == "spark"]
    assert len(sparks) == len(mixed_assessments())
    for a in sparks:
        assert a["alt"].startswith("Trend of ") and a["width"] == "96"
        assert a["alt"].endswith(", Q3 2015/16 to Q2 2016/17: 50%, no figure, 70%, 60%")
        svg = base64.b64decode(a["src"].split(",", 1)[1]).decode()
        assert "<polyline" in svg and svg.count("<circle") == 1 + 1  # lone point, last dot


@pytest.mark.parametrize("values, lines, dots", [
    ((), 0, 0), ((None, None), 0, 0), ((1.0,), 0, 2), ((1.0, 1.0, 1.0), 1, 1),
    ((1.0, None, 2.0), 0, 3), ((1.0, 2.0, None), 1, 0),
])
def test_sparkline_drawing(values, lines, dots):
    svg = sparkline_svg(Sparkline(values, tuple(str(i) for i in range(len(values))), "x"))
    assert svg.count("<polyline") == lines and svg.count("<circle") == dots
    assert "nan" not in svg


def test_chart_svg_escapes_labels(card):
    summary = card.sheets[0]
    table = next(b for b in summary.blocks if isinstance(b, Table))
    table = replace(table, rows=((Cell("<b>&</b>"),) + table.rows[0][1:],) + table.rows[1:])
    svg, width, height = chart_svg(summary.charts[0], table)
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in svg and width > 0 and height > 0


# --- the print version and the files ---------------------------------------------

def test_print_version(card):
    page = render_html(card, for_print=True)
    assert "Skip to main content" not in page and "<nav" not in page
    assert page.count("<caption") == page.count("<table")
    assert " data-label=" not in page  # the narrow screen's labels are the web page's
    widths = [float(w) for w in re.findall(r'<th style="width: ([\d.]+)%"', page)]
    assert widths and all(w >= 3 for w in widths)


def test_narrow_screen_labels_and_rag_cell(card):
    page = render_html(card)
    assert '<table class="measures">' in page
    assert re.search(r'<td class="figure" data-label="Current position">36%</td>'
                     r'<td class="rag-red rag" data-label="RAG">Red</td>', page)
    assert "@media (max-width: 640px)" in page and "display: grid" in page


def test_zero_bars_are_labelled(card):
    from kpi_core.publishing.html import chart_svg
    sheet = card.sheet("Resources- Finance-IT")
    chart = sheet.charts[0]
    counts = next(b for b in sheet.blocks if isinstance(b, Table) and b.key == chart.table)
    svg, _w, _h = chart_svg(chart, counts)
    labels = re.findall(r"<text[^>]*>(\d+)</text>", svg)
    zeros = [r[2].value for r in counts.rows[chart.first_row:chart.last_row + 1]].count(0)
    assert zeros and labels.count("0") == zeros


def test_write_html_is_atomic_and_utf8(card, tmp_path):
    out = write_html(card, tmp_path / "page.html")
    assert out.read_text(encoding="utf-8") == render_html(card)
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_cli_html_beside_out(tmp_path, capsys):
    book = write_book(tmp_path / "book.xlsx", [measure_row("A1", Measure="<b>Bold</b> & <script>")])
    out = tmp_path / "card.xlsx"
    assert main(["regenerate", str(book), "-o", str(out), "--html", "--json"]) == 0
    import json
    doc = json.loads(capsys.readouterr().out)
    assert doc["html"] == str(out.with_suffix(".html")) and "pdf" not in doc
    page = out.with_suffix(".html").read_text(encoding="utf-8")
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;script&gt;" in page
    assert out.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx", "card.html", "card.xlsx"]


def test_only_the_first_subtitle_is_a_heading(card):
    from kpi_core.publishing.spec import Heading
    summary = card.sheets[0]
    blocks = summary.blocks[:2] + (Heading("RAG movement since Q1: 1 improved", "subtitle"),) \
        + summary.blocks[2:]
    page = render_html(replace(card, sheets=(replace(summary, blocks=blocks),) + card.sheets[1:]))
    assert "<h2>Summary of measures by portfolio and status</h2>" in page
    assert '<p class="subtitle">RAG movement since Q1: 1 improved</p>' in page
