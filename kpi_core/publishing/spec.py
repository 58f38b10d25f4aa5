"""The committee scorecard as plain frozen data: the spec's types alone (SPEC section 6).

:func:`kpi_core.publishing.scorecard.build_scorecard` builds a :class:`Scorecard` of
sheets, blocks of rows, cell values and style *names*; the renderers
(:mod:`~kpi_core.publishing.xlsx`, :mod:`~kpi_core.publishing.html`, the Lite renderer)
turn it into a file. Most tests assert on these values and need no file.

Style names used in cells (the renderer defines every one of them):

``title``, ``subtitle``, ``heading``       titles and section headings
``header``, ``header_figure``               a table's column headers (text, figures)
``text``, ``text_bold``, ``wrap``           plain, measure names, wrapped long text
``figure_text``                             text in a figure's place: ``TBC``, ``40% to 60%``
``blank``                                   an empty cell with no format at all
``plain``                                   the Data sheet's text: no wrap, no border
``label``, ``count``, ``count_bold``        the summary blocks
``index``                                   the 1..n numbers of the Red/Amber section
``rag_green``, ``rag_amber``, ``rag_red``   the RAG word on its fill (``rag_blue`` where Blue is used)
``status``                                  Data unavailable, Not due, No target
``check``                                   a row whose data has problems (``Check data``)
``note``                                    an empty section's note
``sparkline``                               a Trend cell holding a :class:`Sparkline`
``pct0``, ``pct1``, ``pct2``, ``number0``, ``number2``, ``money0``, ``money2``,
``days0``, ``days1``, ``rate``              figures, by unit and decimals needed
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..formatting import format_series
from ..model import Unit


@dataclass(frozen=True, slots=True)
class Sparkline:
    """A measure's trend drawn small: values oldest first (``None`` where a period has
    none), the period of each, and the measure's name and unit, from which
    :attr:`alt_text` says the same in words for those who cannot see it.

    >>> Sparkline((0.8, None, 0.95), ("Q4 2015/16", "Q1 2016/17", "Q2 2016/17"), "% seen",
    ...           Unit.PERCENT).alt_text
    '% seen, Q4 2015/16 to Q2 2016/17: 80%, no figure, 95%'
    """

    values: tuple[float | None, ...]
    periods: tuple[str, ...]
    name: str
    unit: Unit = Unit.NUMBER

    @property
    def alt_text(self) -> str:
        """The trend in words, made when a renderer asks for it (the web page and the
        PDF do; the workbook has no place for it, and a scorecard with History would
        put 5,000 together for nothing)."""
        if not self.periods:
            return self.name
        return f"{self.name}, {format_series(self.periods, self.values, self.unit)}"


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: a value (text, number, a sparkline or nothing) and the name of its style.

    ``link`` names the sheet the cell's text leads to (an internal link), if any.
    """

    value: str | float | int | Sparkline | None = None
    style: str = "text"
    link: str | None = None


#: An empty cell with no format.
BLANK = Cell(None, "blank")


@dataclass(frozen=True, slots=True)
class Column:
    """A sheet column: its width in Excel character units, and whether its text wraps."""

    width: float
    wrap: bool = False


@dataclass(frozen=True, slots=True)
class Heading:
    """A line of text in the first column, e.g. a title or a section heading.

    ``under_title`` is what the line reads where the document's own title stands above
    it (the web page and the PDF), when that differs: a portfolio's subtitle is its
    period there, not the whole title again; ``""`` leaves the line out there."""

    text: str
    style: str = "heading"
    under_title: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of cells under an optional header row; no merged cells.

    ``key`` names the table so a chart can refer to it. ``repeat_header`` asks for
    the header row to print at the top of every page (one table per sheet).
    ``caption`` says what the table holds and ``row_header`` is the column whose
    cell names its row (the measure, the portfolio): the HTML page marks them up.
    ``excel_table`` makes it an Excel table (filters, a name) in the workbook.

    With ``text_style`` the rows hold plain values rather than cells (the Data sheet's
    thousands of rows): text takes that style, ``None`` is an empty cell with no format,
    and a figure is a :class:`Cell` with its number style. :meth:`cell_rows` gives
    either kind as cells.
    """

    key: str
    header: tuple[Cell, ...] | None
    rows: tuple[tuple[Cell, ...], ...] | tuple[tuple[str | Cell | None, ...], ...]
    repeat_header: bool = False
    caption: str | None = None
    row_header: int | None = None
    excel_table: bool = False
    text_style: str | None = None

    def cell_rows(self) -> Iterator[tuple[Cell, ...]]:
        """Every row as cells, whichever way the table holds them.

        >>> t = Table("t", None, (("a", None, Cell(0.5, "pct0")),), text_style="plain")
        >>> [(c.value, c.style) for c in next(t.cell_rows())]
        [('a', 'plain'), (None, 'blank'), (0.5, 'pct0')]
        """
        if self.text_style is None:
            yield from self.rows
            return
        for row in self.rows:
            yield tuple(v if isinstance(v, Cell) else Cell(v, self.text_style)
                        if v is not None else BLANK for v in row)


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """One series: its name, the table column holding its values, its colour(s).

    ``label_colour`` is the colour of the value labels drawn on the bars.
    """

    name: str
    column: int
    colour: str | None = None
    point_colours: tuple[str, ...] = ()
    label_colour: str | None = None


@dataclass(frozen=True, slots=True)
class Chart:
    """A bar chart of a table's rows ``first_row`` to ``last_row`` (0-based, inclusive).

    ``beside`` puts it to the right of the table starting at ``column``; otherwise
    it stands below the table. ``alt_text`` describes the figures in words.
    """

    table: str
    categories_column: int
    series: tuple[ChartSeries, ...]
    first_row: int
    last_row: int
    title: str
    alt_text: str
    stacked: bool = False
    horizontal: bool = True
    beside: bool = False
    column: int = 0


Block = Heading | Table


@dataclass(frozen=True, slots=True)
class Sheet:
    """One worksheet, its blocks top to bottom, with its print settings."""

    name: str
    label: str  # the footer's left part: the portfolio or "Summary"
    columns: tuple[Column, ...]
    blocks: tuple[Block, ...]
    charts: tuple[Chart, ...] = ()
    freeze_rows: int = 2
    #: The analysts' plain table (the ``Data`` sheet): the workbook has it, the web
    #: page and the committee PDF leave it out.
    data: bool = False
    #: A sheet left out of the workbook's print (too wide to print legibly on A4) says
    #: so with this text in its first row, to the right of its table.
    print_note: str | None = None


@dataclass(frozen=True, slots=True)
class Scorecard:
    """The whole output workbook: document properties and sheets in order."""

    title: str
    subject: str
    author: str
    company: str
    sheets: tuple[Sheet, ...]
    language: str = "en-GB"

    def sheet(self, name: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(name)
