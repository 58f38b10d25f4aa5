"""The scorecard's look, one home for every renderer: the RAG palette and the style
metrics the .xlsx writer, the web page, the Lite renderer and the benchmarks share.

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
