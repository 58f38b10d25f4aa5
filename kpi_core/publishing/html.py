"""Render a :class:`~kpi_core.publishing.scorecard.Scorecard` as one accessible web page.

The same frozen spec the workbook is drawn from, as a single self-contained HTML
file (inline CSS, no scripts, nothing fetched): ``lang`` set, a title, a skip link,
a contents list when there are several portfolios, ``h1``/``h2``/``h3`` headings,
tables with a caption and ``th`` cells with ``scope``, RAG as words on fills with at
least 4.5:1 contrast, charts and sparklines as SVG images with their alternative
text; on a narrow screen (320 px) each measure's row becomes a block with its name
and RAG word side by side and the other cells labelled below, so nothing scrolls
sideways. The print version (A4 landscape, ``Page x of y``) is what WeasyPrint lays out
as the tagged committee PDF (:mod:`kpi_core.publishing.pdf`): each portfolio starts a
page, no row is split, no heading or caption is left at a page's foot.

Everything from the workbook is text: it is escaped (a measure named ``<script>``
shows as ``<script>``), control characters and lone surrogates become U+FFFD.
Pure Python; no XlsxWriter here.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from ..atomic import atomic_path
from ..errors import FileError
from .spec import Cell, Chart, Heading, Scorecard, Sheet, Sparkline, Table
from .theme import BORDER_COLOUR, HEADER_FILL, LINK_COLOUR, STATUS_COLOURS, TEXT_COLOUR

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff"
                  "\U0001e800-\U0001efff]")


def clean_text(text: str) -> str:
    """Text safe to put in an HTML or XML file: controls and lone surrogates as U+FFFD.

    >>> clean_text("a\\x00b\\tc\\nd\\ud800")
    'a\\ufffdb\\tc\\nd\\ufffd'
    """
    return _CONTROL.sub("\ufffd", text)


def escape(text: str) -> str:
    """Workbook text as HTML text: escaped and cleaned, never markup.

    >>> escape('<script>alert("x")</script> & co')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co'
    """
    return html.escape(clean_text(text), quote=True)


def _text_html(text: str) -> str:
    """Escaped text with line breaks kept; right-to-left runs isolated (``bdi``)."""
    body = "<br>".join(escape(line) for line in text.split("\n"))
    return f"<bdi>{body}</bdi>" if _RTL.search(text) else body


# --- figures --------------------------------------------------------------------

def _grouped(value: float, places: int) -> str:
    return f"{value:,.{places}f}"


def format_figure(value: float | int, style: str) -> str:
    """A number as the workbook's number format of ``style`` shows it.

    >>> format_figure(0.275, "pct1"), format_figure(1250, "money0"), format_figure(-3.5, "money2")
    ('27.5%', '£1,250', '-£3.50')
    >>> format_figure(4.25, "days1"), format_figure(12.345, "number2"), format_figure(12.3, "number2")
    ('4.2 days', '12.35', '12.3')
    """
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if style.startswith("pct"):
        places = int(style[3:] or 0)
        return f"{value * 100:.{places}f}%"
    if style in ("money0", "money2"):
        text = _grouped(abs(value), 0 if style == "money0" else 2)
        return ("-£" if value < 0 else "£") + text
    if style == "days0":
        return f"{value:.0f} days"
    if style == "days1":
        return f"{value:.1f} days"
    if style == "rate":
        return f"{value:.1f}"
    if style == "number0":
        return _grouped(value, 0)
    if style == "number2":
        text = _grouped(value, 2)
        return text[:-1] if text.endswith("0") else text
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}" if abs(value) < 1e15 else f"{value:g}"
    return f"{value:g}"


# --- SVG images -----------------------------------------------------------------

def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _img(svg: str, alt: str, width: int, height: int, css: str) -> str:
    return (f'<img class="{css}" src="{_svg_uri(svg)}" alt="{escape(alt)}" '
            f'width="{width}" height="{height}">')


def sparkline_svg(spark: Sparkline, width: int = 96, height: int = 24) -> str:
    """A small line of the values, broken where a period has none, the last one dotted.

    >>> svg = sparkline_svg(Sparkline((1.0, None, 2.0, 3.0), ("a", "b", "c", "d"), "up"))
    >>> svg.count("<polyline"), svg.count("<circle")
    (1, 2)
    """
    values = spark.values
    known = [v for v in values if v is not None]
    pad = 3.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">']
    if known:
        low, high = min(known), max(known)
        span = (high - low) or 1.0
        step = (width - 2 * pad) / max(len(values) - 1, 1)

        def point(i: int, v: float) -> tuple[float, float]:
            y = height - pad - (v - low) / span * (height - 2 * pad) if high != low \
                else height / 2
            return round(pad + i * step, 1), round(y, 1)

        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(values):
            if v is None:
                runs.append([])
            else:
                runs[-1].append(point(i, v))
        for run in runs:
            if len(run) > 1:
                pts = " ".join(f"{x},{y}" for x, y in run)
                parts.append(f'<polyline points="{pts}" fill="none" stroke="{TEXT_COLOUR}" '
                             'stroke-width="1.5" stroke-linejoin="round"/>')
            elif len(run) == 1:
                x, y = run[0]
                parts.append(f'<circle cx="{x}" cy="{y}" r="1.5" fill="{TEXT_COLOUR}"/>')
        if values[-1] is not None:
            x, y = point(len(values) - 1, values[-1])
            parts.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{LINK_COLOUR}"/>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_text(text: str) -> str:
    return html.escape(clean_text(text), quote=False)


def _short(text: str, n: int = 34) -> str:
    return text if len(text) <= n else text[:n - 1] + "\u2026"


def chart_svg(chart: Chart, table: Table) -> tuple[str, int, int]:
    """A horizontal bar chart (stacked or not) of ``table``'s rows, as SVG text.

    Returns the SVG and its width and height in pixels. Labels are drawn inside;
    the page gives the chart's ``alt_text`` beside it.
    """
    rows = table.rows[chart.first_row:chart.last_row + 1]
    label_w, bar_w, row_h, top = 230, 380, 30, 12
    legend_h = 26 if len(chart.series) > 1 else 0
    width = label_w + bar_w + 40
    height = top + row_h * len(rows) + legend_h + 8

    def number(cell: Cell) -> float:
        return float(cell.value) if isinstance(cell.value, (int, float)) else 0.0

    totals = [sum(number(r[s.column]) for s in chart.series) if chart.stacked
              else max((number(r[s.column]) for s in chart.series), default=0.0) for r in rows]
    scale = bar_w / max(max(totals, default=0.0), 1.0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="Carlito, Calibri, Arial, sans-serif" '
           f'font-size="13">']
    for i, row in enumerate(rows):
        y = top + i * row_h
        label = row[chart.categories_column].value
        label_text = _short(str(label)) if label is not None else ""
        out.append(f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" '
                   f'fill="{TEXT_COLOUR}">{_svg_text(label_text)}</text>')
        x = float(label_w)
        for series in chart.series:
            value = number(row[series.column])
            colour = (series.point_colours[i] if i < len(series.point_colours)
                      else series.colour or "#505A5F")
            w = value * scale
            if w > 0:
                out.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                           f'fill="{colour}" stroke="{TEXT_COLOUR}" stroke-width="0.5"/>')
            if value or not chart.stacked:  # a zero bar is labelled 0
                text_colour = series.label_colour or TEXT_COLOUR
                if chart.stacked and w >= 18:
                    out.append(f'<text x="{x + w / 2:.1f}" y="{y + 19}" text-anchor="middle" '
                               f'fill="{text_colour}">{format_figure(value, "count")}</text>')
                elif not chart.stacked:
                    out.append(f'<text x="{x + w + 5:.1f}" y="{y + 19}" '
                               f'fill="{TEXT_COLOUR}">{format_figure(value, "count")}</text>')
            x += w if chart.stacked else 0
    if legend_h:
        x = label_w
        y = top + row_h * len(rows) + 6
        for series in chart.series:
            out.append(f'<rect x="{x}" y="{y}" width="12" height="12" '
                       f'fill="{series.colour or "#505A5F"}" stroke="{TEXT_COLOUR}" '
                       'stroke-width="0.5"/>')
            out.append(f'<text x="{x + 17}" y="{y + 11}" fill="{TEXT_COLOUR}">'
                       f'{_svg_text(series.name)}</text>')
            x += 30 + 8 * len(series.name)
    out.append("</svg>")
    return "".join(out), width, height


# --- the page -------------------------------------------------------------------

def _css() -> str:
    status = "\n".join(
        f".{style.replace('_', '-')} {{ background: {fill}; color: {text}; font-weight: bold; }}"
        for style, (fill, text) in STATUS_COLOURS.items())
    return f"""
html {{ color: {TEXT_COLOUR}; background: #FFFFFF; }}
body {{ font-family: Carlito, Calibri, Arial, sans-serif; font-size: 11pt; line-height: 1.35;
       margin: 0 auto; padding: 0 16px 32px; max-width: 1280px; }}
h1, h2, h3 {{ font-family: Carlito, Calibri, Arial, sans-serif; line-height: 1.2; }}
h1 {{ font-size: 20pt; margin: 16px 0 4px; }}
h2 {{ font-size: 16pt; margin: 28px 0 4px; }}
h3 {{ font-size: 13pt; margin: 20px 0 6px; }}
p.subtitle {{ font-size: 12pt; margin: 0 0 10px; }}
a {{ color: {LINK_COLOUR}; }}
a:focus, .table-wrap:focus {{ outline: 3px solid #FFDD00; outline-offset: 0; }}
.skip {{ position: absolute; left: -10000px; top: 0; background: #FFDD00; color: {TEXT_COLOUR};
         padding: 8px 12px; }}
.skip:focus {{ left: 0; }}
nav ul {{ margin: 4px 0; padding-left: 20px; }}
nav a {{ display: inline-block; min-height: 24px; line-height: 24px; }}
.table-wrap {{ overflow-x: auto; max-width: 100%; margin: 0 0 12px; }}
table {{ border-collapse: collapse; margin: 0; }}
caption {{ text-align: left; font-style: italic; padding: 2px 0 4px; }}
th, td {{ border: 1px solid {BORDER_COLOUR}; padding: 3px 6px; vertical-align: top;
          text-align: left; overflow-wrap: break-word; }}
thead th {{ background: {HEADER_FILL}; vertical-align: middle; }}
th[scope="row"] {{ font-weight: bold; }}
.figure {{ text-align: center; white-space: nowrap; }}
td.wrap {{ min-width: 14em; }}
td.index {{ text-align: center; }}
th.measure {{ min-width: 12em; max-width: 24em; }}
td.note {{ font-style: italic; }}
p.note {{ font-style: italic; margin: 0 0 12px; }}
figure {{ margin: 8px 0 16px; }}
figure img.chart {{ max-width: 100%; height: auto; }}
figcaption {{ font-size: 10pt; max-width: 650px; }}
img.spark {{ vertical-align: middle; }}
{status}
@media (max-width: 640px) {{
  body {{ padding: 0 8px 24px; font-size: 12pt; }}
  h1 {{ font-size: 17pt; }} h2 {{ font-size: 15pt; }}
  /* a measure's row as a block: No., name and RAG word on one line, the rest below */
  table.measures, table.measures tbody, table.measures caption {{ display: block; }}
  table.measures {{ width: 100%; }}
  table.measures thead {{ position: absolute; width: 1px; height: 1px; overflow: hidden;
                          clip: rect(0 0 0 0); white-space: nowrap; }}
  table.measures tr {{ display: grid; grid-template-columns: auto minmax(0, 1fr) auto;
                       border: 1px solid {BORDER_COLOUR}; margin: 0 0 10px; }}
  table.measures th, table.measures td {{ display: block; border: 0; grid-column: 1 / -1;
                                          min-width: 0; max-width: none; }}
  table.measures td.index {{ grid-column: 1; grid-row: 1; }}
  table.measures th[scope="row"] {{ grid-column: 2; grid-row: 1; }}
  table.measures td.rag {{ grid-column: 3; grid-row: 1; text-align: center; }}
  table.measures td:empty {{ display: none; }}
  table.measures td[data-label]::before {{ content: attr(data-label) ": "; font-weight: bold;
                                           font-style: normal; }}
  table.measures td.index::before, table.measures td.rag::before {{ content: none; }}
  table.measures td.figure {{ text-align: left; }}
}}
@page {{ size: A4 landscape; margin: 11mm 10mm 13mm;
  @bottom-left {{ content: string(sheet); font-family: Carlito, Calibri, Arial, sans-serif;
                  font-size: 8pt; color: {TEXT_COLOUR}; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages);
                   font-family: Carlito, Calibri, Arial, sans-serif; font-size: 8pt;
                   color: {TEXT_COLOUR}; }}
}}
@media print {{
  body {{ max-width: none; padding: 0; font-size: 9.5pt; }}
  .skip, nav.contents {{ display: none; }}
  .table-wrap {{ overflow: visible; }}
  section.sheet + section.sheet {{ break-before: page; }}
  tr, img, figure, caption {{ break-inside: avoid; }}
  h1, h2, h3, h1 + p.subtitle, h2 + p.subtitle, caption {{ break-after: avoid; }}
  thead {{ display: table-header-group; }}
  a {{ color: {TEXT_COLOUR}; text-decoration: none; }}
}}
"""


#: The print version's type and tables, for the committee PDF.
_PRINT_CSS = """
body, td, th, p, caption, figcaption { font-size: 8.5pt; line-height: 1.15; }
h1 { font-size: 15pt; margin-top: 0; } h2 { font-size: 13pt; margin-top: 0; }
h3 { font-size: 11pt; margin: 10px 0 4px; }
section.sheet > :first-child { string-set: sheet content(); }
table { width: 100%; table-layout: fixed; }
th, td { box-sizing: border-box; }
table.counts { width: auto; table-layout: auto; }
th.measure { min-width: 0; max-width: none; }
td.wrap { min-width: 0; }
figure { margin: 4px 0 8px; }
figure img.chart { max-height: 60mm; width: auto; }
div.side { float: left; margin: 0 24px 6px 0; }
figure.beside { float: left; margin: 0 0 6px; }
figure.beside img.chart { width: 480px; height: auto; }
h3, p.subtitle, table.measures, p.note { clear: both; }
thead th.figure, td.figure { white-space: normal; }
th, td { padding: 2px 4px; }
p.subtitle { font-size: 10.5pt; margin: 0 0 6px; }
img.spark { width: 100%; max-width: 96px; height: auto; }
"""


class _Ids:
    def __init__(self) -> None:
        self.n = 0

    def next(self, stem: str) -> str:
        self.n += 1
        return f"{stem}-{self.n}"


def _cell_html(cell: Cell, tag: str, scope: str | None, sheet_ids: dict[str, str],
               extra_class: str = "", label: str | None = None) -> str:
    value = cell.value
    classes = []
    if cell.style in STATUS_COLOURS:
        classes.append(cell.style.replace("_", "-"))
    if cell.style in ("wrap", "note", "index"):
        classes.append(cell.style)
    if cell.style not in ("text", "text_bold", "wrap", "label", "note", "blank", "header",
                          "index") and cell.style not in STATUS_COLOURS:
        classes.append("figure")
    if extra_class:
        classes.append(extra_class)
    if value is None:
        body = ""
    elif isinstance(value, Sparkline):
        body = _img(sparkline_svg(value), value.alt_text, 96, 24, "spark")
    elif isinstance(value, str):
        body = _text_html(value)
    else:
        body = escape(format_figure(value, cell.style))
    if cell.link and cell.link in sheet_ids and body:
        body = f'<a href="#{sheet_ids[cell.link]}">{body}</a>'
    attrs = f' scope="{scope}"' if scope else ""
    if classes:
        attrs += f' class="{" ".join(classes)}"'
    if label:
        attrs += f' data-label="{escape(label)}"'
    return f"<{tag}{attrs}>{body}</{tag}>"


def _kept_columns(table: Table) -> list[int]:
    """Columns with something in them: an all-empty index or spacer column is left out."""
    width = max((len(r) for r in table.rows), default=0)
    if table.header is not None:
        width = max(width, len(table.header))
    kept = []
    for c in range(width):
        cells = [r[c] for r in table.rows if c < len(r)]
        if cells and all(x.value is None and x.style in ("blank", "index") for x in cells):
            continue
        kept.append(c)
    return kept


def _is_note(table: Table) -> str | None:
    """The note of an empty section (its only row holds a ``note`` cell), else None."""
    if len(table.rows) == 1:
        notes = [c for c in table.rows[0] if c.style == "note" and isinstance(c.value, str)]
        if notes and all(c.value is None or c.style == "note" for c in table.rows[0]):
            return notes[0].value
    return None


#: On paper the direction of travel's lines are long against the workbook's column
#: width: its share of the page, scaled.
_PRINT_SHARE = {"Direction of travel": 1.7}


def _widths(columns, kept: list[int], headers: list[str] | None = None) -> list[float]:
    """Percent widths of the kept columns for print, from the sheet's column widths.

    Wide (text) columns get more than their share, short figures less: on a page
    the long comments set the rows' heights. A header's longest word is not broken.

    >>> from kpi_core.publishing.scorecard import PORTFOLIO_COLUMNS
    >>> _widths(PORTFOLIO_COLUMNS, list(range(len(PORTFOLIO_COLUMNS))))
    [5.2, 19.4, 5.2, 5.2, 7.1, 12.1, 6.1, 14.1, 25.6]
    """
    longest = [max((len(w) for w in h.split()), default=0) for h in headers or ()]
    weights = [max(12.0, columns[c].width if c < len(columns) else 10.0,
                   1.4 * (longest[i] if i < len(longest) else 0)) ** 1.1
               for i, c in enumerate(kept)]
    if headers:
        weights = [w * _PRINT_SHARE.get(h, 1.0) for w, h in zip(weights, headers)]
    total = sum(weights) or 1.0
    shares = [round(100 * w / total, 1) for w in weights]
    shares[-1] = round(100 - sum(shares[:-1]), 1) if shares else 0
    return shares


def _table_html(table: Table, ids: _Ids, sheet_ids: dict[str, str], sheet: Sheet,
                for_print: bool) -> str:
    note = _is_note(table)
    if note is not None:
        return f'<p class="note">{_text_html(note)}</p>'
    kept = _kept_columns(table)
    cap_id = ids.next("caption")
    header = table.header
    # a table of measures (it has a RAG column) becomes stacked blocks on a narrow screen
    labels = {c: str(header[c].value) for c in kept
              if header is not None and c < len(header) and header[c].value is not None}
    rag_column = next((c for c, text in labels.items() if text == "RAG"), None)
    css = "measures" if rag_column is not None else ("counts" if header is None else "")
    klass = f' class="{css}"' if css else ""
    side = for_print and css == "counts"  # a chart may stand beside it on the page
    if for_print:
        out = [f'<div class="side"><table{klass}>' if side else f"<table{klass}>"]
    else:
        out = [f'<div class="table-wrap" role="region" aria-labelledby="{cap_id}" '
               'tabindex="0">', f"<table{klass}>"]
    caption = table.caption or (table.key.capitalize())
    out.append(f'<caption id="{cap_id}">{_text_html(caption)}</caption>')
    if header is not None:
        out.append("<thead><tr>")
        widths = (_widths(sheet.columns, kept, [labels.get(c, "") for c in kept])
                  if for_print else [None] * len(kept))
        for c, width in zip(kept, widths):
            cell = header[c] if c < len(header) else Cell(None, "header")
            extra = "measure" if c == table.row_header else ""
            th = _cell_html(cell, "th", "col", sheet_ids, extra)
            if width is not None:
                th = th.replace("<th ", f'<th style="width: {width}%" ', 1)
            out.append(th)
        out.append("</tr></thead>")
    out.append("<tbody>")
    stacked = rag_column is not None and not for_print
    for row in table.rows:
        out.append("<tr>")
        for c in kept:
            cell = row[c] if c < len(row) else Cell(None, "blank")
            if c == table.row_header:
                out.append(_cell_html(cell, "th", "row", sheet_ids))
            else:
                out.append(_cell_html(cell, "td", None, sheet_ids,
                                      "rag" if c == rag_column else "",
                                      labels.get(c) if stacked else None))
        out.append("</tr>")
    out.append("</tbody></table>" if for_print and not side else "</tbody></table></div>")
    return "".join(out)


def _chart_html(chart: Chart, table: Table) -> str:
    svg, width, height = chart_svg(chart, table)
    beside = ' class="beside"' if chart.beside else ""
    return (f"<figure{beside}>{_img(svg, chart.alt_text, width, height, 'chart')}"
            f"<figcaption>{_text_html(chart.title)}</figcaption></figure>")


_HEADING_TAGS = {
    # first sheet (Summary), other sheets
    "title": ("h1", "h2"),
    "subtitle": ("h2", "p"),
    "heading": ("h3", "h3"),
}


def _sheet_html(sheet: Sheet, first: bool, ids: _Ids, sheet_ids: dict[str, str],
                for_print: bool) -> str:
    sid = sheet_ids[sheet.name]
    out = [f'<section class="sheet" id="{sid}" aria-labelledby="{sid}-title">']
    charts_after = {c.table: c for c in sheet.charts}
    titled = False
    subtitled = False
    for block in sheet.blocks:
        if isinstance(block, Heading):
            if block.under_title is not None:  # the page's own title stands above
                if not block.under_title:
                    continue
                block = Heading(block.under_title, block.style)
            tag = _HEADING_TAGS.get(block.style, ("h3", "h3"))[0 if first else 1]
            if block.style == "subtitle":  # only the first subtitle of the page heads it
                tag, subtitled = (tag if not subtitled else "p"), True
            attrs = ""
            if not titled and tag.startswith("h"):
                attrs, titled = f' id="{sid}-title"', True
            elif tag == "p":
                attrs = ' class="subtitle"'
            out.append(f"<{tag}{attrs}>{_text_html(block.text)}</{tag}>")
        else:
            out.append(_table_html(block, ids, sheet_ids, sheet, for_print))
            chart = charts_after.get(block.key)
            if chart is not None:
                out.append(_chart_html(chart, block))
    out.append("</section>")
    return "\n".join(out)


def render_html(scorecard: Scorecard, *, for_print: bool = False) -> str:
    """The whole page as one string (UTF-8 text, no scripts, nothing external).

    ``for_print`` gives the page WeasyPrint lays out as the committee PDF: no skip
    link or contents list, smaller type, fixed column widths, each page's footer.
    """
    sheets = [s for s in scorecard.sheets if not s.data]
    sheet_ids = {s.name: f"sheet-{i}" for i, s in enumerate(sheets, start=1)}
    ids = _Ids()
    body = [_sheet_html(s, i == 0, ids, sheet_ids, for_print) for i, s in enumerate(sheets)]
    contents = ""
    portfolios = sheets[1:]
    if len(portfolios) > 1 and not for_print:
        items = "".join(f'<li><a href="#{sheet_ids[s.name]}">{_text_html(s.label)}</a></li>'
                        for s in portfolios)
        contents = (f'<nav class="contents" aria-labelledby="contents-title">'
                    f'<h2 id="contents-title">Contents</h2><ul>{items}</ul></nav>')
    if body and contents:  # the contents list follows the page's title
        first = body[0]
        cut = first.find("</h1>")
        body[0] = first[:cut + 5] + contents + first[cut + 5:] if cut >= 0 else first + contents
    lang = escape(scorecard.language)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(scorecard.title)}</title>\n"
        f'<meta name="description" content="{escape(scorecard.subject)}">\n'
        f'<meta name="author" content="{escape(scorecard.author)}">\n'
        f"<style>{_css()}{_PRINT_CSS if for_print else ''}</style>\n</head>\n<body>\n"
        + ("" if for_print else '<a class="skip" href="#main">Skip to main content</a>\n') +
        '<main id="main" tabindex="-1">\n' + "\n".join(body) + "\n</main>\n</body>\n</html>\n")


def write_html(scorecard: Scorecard, path, *, for_print: bool = False) -> Path:
    """Render the page to ``path`` atomically (UTF-8) and return the path written."""
    path = Path(path)
    text = render_html(scorecard, for_print=for_print)
    with atomic_path(path) as tmp:
        try:
            tmp.write_text(text, encoding="utf-8", newline="\n")
        except OSError as exc:
            raise FileError(f"{path}: cannot be written ({exc.strerror or exc})") from exc
    return path
