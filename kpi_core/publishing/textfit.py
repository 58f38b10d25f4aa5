"""How many lines a wrapped cell takes, from the font's real advance widths.

The workbook's font is Calibri 11; LibreOffice draws it with Carlito, which is
metric-compatible (the same advance width for every character), so one table of
widths serves both. The widths below are Carlito's (units of 1/2048 em), read from
``Carlito-Regular.ttf`` and ``Carlito-Bold.ttf`` (fonts-crosextra-carlito).

Measured on LibreOffice 7.4 with Carlito (a calibration workbook of 87 texts in
columns 30, 40 and 60 wide, plain and bold, 522 cells, converted to PDF and each
cell's lines counted with ``pdftotext -bbox``): LibreOffice makes a column
``w`` wide ``(7w + 5) * 1.056`` pixels, wraps its text 3 pixels short of that, and
draws one line every 11.1 points (Carlito's ascent plus descent, 1.0 em, with no
line gap). The model below gives exactly LibreOffice's count in 513 of the 522
cells and one line more in 9, never fewer. Excel draws the same Calibri widths in
a column ``7w + 5`` pixels wide and gives each line 15 points (Calibri's Windows
ascent plus descent, 1.22 em, and its leading).

Pure Python; no XlsxWriter here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat

UNITS_PER_EM = 2048
#: Advance widths of the printable ASCII characters (32-126), Carlito Regular and Bold.
_REGULAR = (
    463, 667, 821, 1020, 1038, 1464, 1397, 452, 621, 621, 1020, 1020, 511, 627, 517, 791,
    1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 548, 548, 1020, 1020, 1020,
    949, 1831, 1185, 1114, 1092, 1260, 1000, 941, 1292, 1276, 516, 653, 1064, 861, 1751,
    1322, 1356, 1058, 1378, 1112, 941, 998, 1314, 1162, 1822, 1063, 998, 959, 628, 791, 628,
    1020, 1020, 596, 981, 1076, 866, 1076, 1019, 625, 964, 1076, 470, 490, 931, 470, 1636,
    1076, 1080, 1076, 1076, 714, 801, 686, 1076, 925, 1464, 887, 927, 809, 644, 943, 644,
    1020)
_BOLD = (
    463, 667, 898, 1020, 1038, 1493, 1443, 478, 638, 638, 1020, 1020, 528, 627, 547, 880,
    1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 565, 565, 1020, 1020, 1020,
    949, 1840, 1241, 1148, 1084, 1291, 999, 940, 1305, 1292, 546, 678, 1120, 866, 1790,
    1349, 1385, 1090, 1405, 1153, 968, 1014, 1337, 1211, 1856, 1128, 1064, 979, 665, 880,
    665, 1020, 1020, 615, 1011, 1099, 857, 1099, 1031, 648, 971, 1099, 503, 523, 983, 503,
    1666, 1099, 1101, 1099, 1099, 728, 817, 710, 1099, 969, 1526, 941, 970, 814, 704, 973,
    704, 1020)
#: Some characters outside ASCII that scorecards use; any other counts as an em (wide:
#: errs towards a taller row, never a clipped one).
_OTHER = {"\u00a3": 1038, "\u2013": 1100, "\u2014": 1854, "\u2018": 520, "\u2019": 520,
          "\u201c": 880, "\u201d": 880, "\u2026": 1460, "\u00e9": 1031, "\u2022": 1020,
          "\u25b2": 1400, "\u25bc": 1400, "\u25ba": 1400, "\u00a0": 463}
_WIDE = UNITS_PER_EM


def _table(ascii_widths: tuple[int, ...]) -> dict[str, int]:
    table = {chr(32 + i): w for i, w in enumerate(ascii_widths)}
    for ch, w in _OTHER.items():
        table.setdefault(ch, w)
    return table


_WIDTHS = {False: _table(_REGULAR), True: _table(_BOLD)}


@dataclass(frozen=True, slots=True)
class Renderer:
    """How a spreadsheet program lays out wrapped text in Calibri/Carlito 11."""

    name: str
    column_scale: float   # its column pixels per Excel pixel (7w + 5)
    padding_px: float     # the part of the column width text never uses
    line_height: float    # points per line
    extra: float          # points above and below the lines

    def column_pixels(self, width: float) -> float:
        return (int(width * 7 + 0.5) + 5) * self.column_scale - self.padding_px


#: Measured here (see the module's docstring).
LIBREOFFICE = Renderer("LibreOffice", column_scale=1.056, padding_px=3.0, line_height=11.1,
                       extra=3.0)
#: Excel on Windows: Calibri 11 rows are 15 points a line (20 pixels); a margin of a few
#: pixels each side of the text (not measurable here: no Excel; taken wide).
EXCEL = Renderer("Excel", column_scale=1.0, padding_px=7.0, line_height=15.0, extra=0.0)

FONT_PX = 11 * 96 / 72  # Calibri 11 in pixels


#: Words measured before, by weight (each cleared when it reaches _WORDS_KEPT).
_WORD_UNITS: dict[bool, dict[str, int]] = {False: {}, True: {}}
_WORDS_KEPT = 1 << 16


def _paragraphs(text: str, bold: bool) -> list[list[int]]:
    """Each paragraph's words as their widths in font units: the words measured before
    looked up at C speed, any other measured and kept."""
    known = _WORD_UNITS[bold]
    out = []
    for para in text.split("\n"):
        words = para.split(" ")
        units = list(map(known.get, words))
        if None in units:
            widths = _WIDTHS[bold]
            if len(known) >= _WORDS_KEPT:
                known.clear()
            for i, word in enumerate(words):
                if units[i] is None:
                    units[i] = sum(map(widths.get, word, repeat(_WIDE)))
                    if len(word) < 64:  # a long one (a link, a code) seldom recurs
                        known[word] = units[i]
        out.append(units)
    return out


def _count(paragraphs: list[list[int]], avail: float, space: int) -> int:
    lines = 0
    for words in paragraphs:
        lines += 1
        used = -1.0  # nothing on the line yet
        for w in words:
            if used < 0:
                used = w
            elif used + space + w <= avail:
                used += space + w
                continue
            else:
                lines += 1
                used = w
            while used > avail:  # a word wider than the line breaks inside it
                lines += 1
                used -= avail
    return lines


def _available(width: float, renderer: Renderer) -> float:
    return renderer.column_pixels(width) / FONT_PX * UNITS_PER_EM


@lru_cache(maxsize=256)
def _narrowest(width: float, renderers: tuple[Renderer, ...]) -> float:
    """The line's room in font units in the renderer that gives it least."""
    return min(_available(width, r) for r in renderers)


@lru_cache(maxsize=8192)
def line_counts(text: str, width: float, bold: bool, renderers: tuple[Renderer, ...]
                ) -> tuple[int, ...]:
    """:func:`wrapped_lines` for several renderers, measuring the words once (and a text
    measured before in the same column not again: statuses, units, repeated notes)."""
    if not renderers:
        return ()
    if "\n" not in text:
        narrowest = _narrowest(width, renderers)
        # no wider than the line even in the widest characters, or in its own (its
        # words and spaces side by side): one line in every renderer, no wrapping to do
        if len(text) * _WIDE <= narrowest or (
                sum(map(_WIDTHS[bold].get, text, repeat(_WIDE))) <= narrowest):
            return (1,) * len(renderers)
    paragraphs = _paragraphs(text, bold)
    space = _WIDTHS[bold][" "]
    out = []
    for renderer in renderers:
        avail = _available(width, renderer)
        out.append(_count(paragraphs, avail, space) if avail > 0 else max(1, len(text)))
    return tuple(out)


def wrapped_lines(text: str, width: float, bold: bool = False,
                  renderer: Renderer = LIBREOFFICE) -> int:
    """Lines ``text`` takes in a column ``width`` characters wide, wrapped at spaces
    (a word longer than a line is broken inside it, as both programs do).

    >>> wrapped_lines("short", 10), wrapped_lines("a\\nb", 10), wrapped_lines("", 10)
    (1, 2, 1)
    >>> wrapped_lines("Reviews for Children Looked After are also improving", 40)
    2
    >>> wrapped_lines("x" * 100, 10) >= 100 * 1020 // 2048 * 14 // 70
    True
    """
    return line_counts(text, width, bold, (renderer,))[0]


def dominates(a: Renderer, b: Renderer) -> bool:
    """True when ``a`` never needs a shorter row than ``b``: its lines are no wider (so
    no fewer) and no shorter, its row no shorter for any number of lines.

    >>> dominates(EXCEL, LIBREOFFICE), dominates(LIBREOFFICE, EXCEL)
    (True, False)
    """
    return (a.column_scale <= b.column_scale and a.padding_px >= b.padding_px
            and a.line_height >= b.line_height
            and a.line_height - b.line_height >= b.extra - a.extra)


def deciding(renderers: tuple[Renderer, ...]) -> tuple[Renderer, ...]:
    """The renderers whose rows can be the tallest: those no other one dominates (the
    others need not be measured).

    >>> [r.name for r in deciding((LIBREOFFICE, EXCEL))]
    ['Excel']
    """
    return tuple(r for i, r in enumerate(renderers)
                 if not any(dominates(o, r) and not (dominates(r, o) and j > i)
                            for j, o in enumerate(renderers) if j != i))


def row_height(lines: int, renderer: Renderer) -> float:
    """Points a row of ``lines`` wrapped lines needs in ``renderer``.

    >>> row_height(1, EXCEL), row_height(4, LIBREOFFICE)
    (15.0, 47.4)
    """
    return round(lines * renderer.line_height + renderer.extra, 1)
