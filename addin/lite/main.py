"""KPI Scorecard in xlwings Lite: paste this file into the Lite editor's main.py tab and
requirements.txt into its requirements.txt tab (see the README, "In Excel", xlwings
Lite).

The KPI_* functions are the desktop add-in's own (addin/udfs.py): in Lite, xlwings'
@func/@arg are Lite's, so the same definitions (arguments, help, category) register as
Lite custom functions. The scripts below are thin: the work is in addin/book_scripts.py
and addin/book_close.py.
Nothing is written beside the workbook: the scorecard sheets go into it.
"""

import xlwings as xw
from xlwings import script

from addin.book_close import close_book
from addin.book_scripts import check_book, read_number_formats, regenerate_book
from addin.udfs import *  # noqa: F401,F403  KPI_RAG, KPI_RAG_REASON, KPI_GAP, ... (udfs.__all__)


@script(name="Check workbook")
async def check_workbook(book: xw.Book):
    """List the workbook's problems, each with its Sheet!Cell, on the Check sheet."""
    check_book(book, await read_number_formats(book))


@script(name="Regenerate scorecards")
async def regenerate_scorecards(book: xw.Book):
    """Write the Summary and portfolio scorecard sheets into this workbook from its tables,
    replacing only the sheets this script generated before."""
    regenerate_book(book, await read_number_formats(book))


@script(name="Close period")
async def close_period(book: xw.Book, next_period: str = "", allow_gap: bool = False):
    """Put this period's figures and notes into History, clear the per-period cells and
    open the next period (blank: the one right after Settings Period; a later one only
    with allow_gap). Save a copy first: a script's changes cannot be undone."""
    close_book(book, next_period, await read_number_formats(book), allow_gap=allow_gap)
