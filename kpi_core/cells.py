"""A1 cell addresses and the OOXML names shared by the reader and the package editor.

The ground floor for anything that speaks of cells by address: the reader turns
``ref`` attributes into 1-based positions here, and the editor and the messages turn
positions back into ``"J12"`` (XlsxWriter keeps its equivalents in ``utility.py``).
"""

from __future__ import annotations

import functools
import re

#: SpreadsheetML's main namespace, transitional and Strict Open XML.
SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_SPREADSHEET_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
#: The namespace of a package's ``.rels`` parts.
PACKAGE_RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
#: The namespace of ``r:id`` attributes and of relationship types, transitional and Strict.
OFFICE_RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_OFFICE_RELATIONSHIPS_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"

_CELL_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def column_letter(index: int) -> str:
    """1-based column number to letters.

    >>> column_letter(1), column_letter(26), column_letter(28), column_letter(16384)
    ('A', 'Z', 'AB', 'XFD')
    """
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@functools.lru_cache(maxsize=1024)
def column_index(letters: str) -> int:
    """Column letters to 1-based number.

    >>> column_index("A"), column_index("AB"), column_index("xfd")
    (1, 28, 16384)
    """
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def cell_address(row: int, col: int) -> str:
    """1-based row and column to an A1 address.

    >>> cell_address(12, 10)
    'J12'
    """
    return f"{column_letter(col)}{row}"


def parse_cell_address(ref: str) -> tuple[int, int]:
    """``'B3'`` -> (row 3, column 2).

    >>> parse_cell_address("$J$12")
    (12, 10)
    """
    match = _CELL_RE.match(ref.strip())
    if not match:
        raise ValueError(f"{ref!r} is not a cell address")
    return int(match.group(2)), column_index(match.group(1))
