"""The scorecard's look, one home for every renderer: the RAG palette, the style metrics
and the cell formats the .xlsx writer, the web page, the Lite renderer and the benchmarks
share.

The spec (:mod:`kpi_core.publishing.spec`) names styles; this module says what the
shared ones look like. Every fill and text colour pair has a WCAG contrast ratio of at
least 4.5:1 (the renderers' tests compute it).
"""

from __future__ import annotations

from ..model import Status
from .textfit import EXCEL, LIBREOFFICE

#: The style name of each RAG status's cell.
RAG_STYLES = {Status.GREEN: "rag_green", Status.AMBER: "rag_amber", Status.RED: "rag_red",
              Status.BLUE: "rag_blue"}
#: Chart colours of the RAG statuses, the same as the fills of the RAG cells, and the
#: colour of text drawn on them (contrast at least 4.5:1).
RAG_COLOURS = {Status.GREEN: "#00703C", Status.AMBER: "#FFBF47", Status.RED: "#D4351C",
               Status.BLUE: "#1D70B8"}
RAG_TEXT_COLOURS = {Status.GREEN: "#FFFFFF", Status.AMBER: "#000000", Status.RED: "#FFFFFF",
                    Status.BLUE: "#FFFFFF"}
#: The fill and text colour of a row whose data has problems (``Check data``).
CHECK_COLOURS = ("#505A5F", "#FFFFFF")
#: Fill and text colour of the status styles, by style name: the RAG colours and the
#: grey of ``check``.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    **{style: (RAG_COLOURS[status], RAG_TEXT_COLOURS[status])
       for status, style in RAG_STYLES.items()},
    "check": CHECK_COLOURS,
}
TEXT_COLOUR = "#0B0C0C"
LINK_COLOUR = "#1D70B8"
HEADER_FILL = "#DEE0E2"
BORDER_COLOUR = "#B1B4B6"

#: Excel's limit on a row's height, in points.
MAX_ROW_HEIGHT = 409.0
LINE_HEIGHT = 15.0  # points per line of Calibri 11
DEFAULT_ROW_HEIGHT = 15.0
#: The programs whose wrapped text a row's height must hold (the tallest wins).
ROW_RENDERERS = (LIBREOFFICE, EXCEL)
#: Row heights of the title rows, in points.
TITLE_HEIGHTS = {"title": 21.0, "subtitle": 18.0, "heading": 18.0}
#: Styles whose text never wraps: no row height is computed for them.
NO_WRAP_STYLES = frozenset({"plain", "blank", "title", "subtitle", "heading", "note"})
#: Styles drawn in bold (wider text: the row heights take it into account).
BOLD_STYLES = frozenset({"title", "heading", "header", "header_figure", "text_bold",
                         "count_bold",
                         "rag_green", "rag_amber", "rag_red", "check", "rag_blue"})

#: The cells' font (Carlito draws like it where Calibri is missing).
FONT = "Calibri"

#: The look of a bordered cell, and of a centred figure: what most styles build on.
_CELL = {"border": 1, "border_color": BORDER_COLOUR, "valign": "top", "text_wrap": True}
_FIGURE = {**_CELL, "align": "center"}


def _rag(name: str) -> dict:
    fill, text = STATUS_COLOURS[name]
    return {**_CELL, "bold": True, "align": "center", "bg_color": fill, "font_color": text}


#: Every style name the scorecard uses, as XlsxWriter format properties.
STYLES: dict[str, dict] = {
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"font_size": 12},
    "heading": {"bold": True, "font_size": 12},
    "header": {**_CELL, "bold": True, "bg_color": HEADER_FILL, "valign": "vcenter"},
    "header_figure": {**_CELL, "bold": True, "bg_color": HEADER_FILL, "valign": "vcenter",
                      "align": "center"},
    "text": dict(_CELL),
    "text_bold": {**_CELL, "bold": True},
    "wrap": dict(_CELL),
    "label": dict(_CELL),
    "count": {**_FIGURE, "num_format": "0"},
    "count_bold": {**_FIGURE, "num_format": "0", "bold": True},
    "index": {**_FIGURE, "num_format": "0"},
    "status": {**_FIGURE},
    "figure_text": {**_FIGURE},
    "blank": {},
    "note": {"italic": True},
    "sparkline": dict(_CELL),
    "trend_text": {**_FIGURE, "font_color": "#1D70B8", "valign": "vcenter"},
    "rag_green": _rag("rag_green"),
    "rag_amber": _rag("rag_amber"),
    "rag_red": _rag("rag_red"),
    "check": _rag("check"),
    "rag_blue": _rag("rag_blue"),
    "pct0": {**_FIGURE, "num_format": "0%"},
    "pct1": {**_FIGURE, "num_format": "0.0%"},
    "pct2": {**_FIGURE, "num_format": "0.00%"},
    "number0": {**_FIGURE, "num_format": "#,##0"},
    "number2": {**_FIGURE, "num_format": "#,##0.0#"},
    "money0": {**_FIGURE, "num_format": "\u00a3#,##0;-\u00a3#,##0"},
    "money2": {**_FIGURE, "num_format": "\u00a3#,##0.00;-\u00a3#,##0.00"},
    "days0": {**_FIGURE, "num_format": '0 "days"'},
    "days1": {**_FIGURE, "num_format": '0.0 "days"'},
    "rate": {**_FIGURE, "num_format": "0.0"},
    "plain": {"valign": "top"},
}
#: A cell that links to another sheet: its style's look, blue and underlined.
LINK_FORMAT = {"font_color": LINK_COLOUR, "underline": 1}
