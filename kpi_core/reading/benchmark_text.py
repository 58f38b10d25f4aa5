"""Free-text benchmarking (a Measures ``Benchmarking`` cell) read into benchmarks.

The API is one function and its result::

    parse_benchmark_text(text, ref="", *, authority=None, percent=False) -> BenchmarkText
    BenchmarkText(benchmarks, own, unread)

- ``benchmarks``: a tuple of :class:`~kpi_core.model.Benchmark` (``ref`` as given),
  each under its canonical comparator name (below), in the order written.
- ``own``: values the text gives for *our own* authority (the reference's
  ``Bucks 83%``), as Benchmarks named after ``authority``. They are not benchmarks: a
  gap against our own figure is a direction of travel, not a comparison, so they are
  kept apart (the reader drops them from the scorecard's benchmarks; ``import`` may
  put them in History). Without ``authority`` nothing is recognised as our own, and
  ``Bucks 83%`` is a benchmark named ``Bucks`` like any other named place.
- ``unread``: ``None`` when the whole text was read, else the part that could not
  be (from the first item that failed to the end). Callers that need the text read
  whole show it as it is and report a warning naming its cell.

Blank text and missing-data markers (``n/a``, ``-``) read as nothing, with nothing unread.

Accepted forms. The text is a run of items ``NAME [YEAR] [:] VALUE [(YEAR)]``,
separated by spaces, commas, semicolons, ``|``, ``/``, dashes or ``and``:

- NAME, compared case-insensitively, dots ignored, a trailing or leading
  ``Average``/``Avg``/``Ave``/``Mean`` optional:
  ``Statistical Neighbour(s)``, ``Stat neighbours``, ``Stat nbrs``, ``SN``, ``SNs``
  -> ``Statistical Neighbour Average``; ``National``, ``England``, ``Eng``
  -> ``National Average``; the English regions, also abbreviated (``S East``,
  ``SE``, ``E Mids``, ``South East region``, ...) -> ``South East Average`` and so on; ``Region``,
  ``Regional`` -> ``Regional Average``. Our own authority (by name, by its name
  without ``County Council`` and the like, by a county's usual short form such as
  ``Bucks``, ``Herts``, ``Oxon``, or by initials such as ``BCC``) -> ``own``. Any
  other name of capitalised words (``Oxfordshire``, ``Milton Keynes``) is kept as
  written.
- YEAR: ``2015``, ``2014/15``, ``2014-15``, ``2014/2015``, in brackets or not. A
  year written before a name applies to that item and to the following items that
  give none (``2014/15 England 82% S East 81%``); a year in brackets after the name
  or after the value belongs to its item.
- VALUE: a number (``23``, ``23.0``, ``1,250``, ``£12.50``, ``-1.5``), ``%`` or
  ``per cent`` after it making it a fraction (``23%`` is 0.23). With ``percent``
  (the measure's unit is ``%``), a bare number above 1 is read as percent too
  (``National: 24`` is 0.24) and one of 1 or less as the fraction it is.

>>> r = parse_benchmark_text(
...     "Statistical Neighbour Average (2015): 23% National Average (2015): 24%", "CS03")
>>> [(b.comparator, b.year, b.value) for b in r.benchmarks], r.unread
([('Statistical Neighbour Average', '2015', 0.23), ('National Average', '2015', 0.24)], None)
>>> r = parse_benchmark_text("2014/15 England 82% S East 81 % Bucks 83%",
...                          authority="Buckinghamshire County Council")
>>> [b.label for b in r.benchmarks], [(b.comparator, b.value) for b in r.own]
(['National Average (2014/15)', 'South East Average (2014/15)'], [('Buckinghamshire County Council', 0.83)])
>>> parse_benchmark_text("See LAIT for the latest figures").unread
'See LAIT for the latest figures'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..model import Benchmark
from .values import MISSING_MARKERS

STATISTICAL_NEIGHBOURS = "Statistical Neighbour Average"
NATIONAL = "National Average"
REGIONAL = "Regional Average"


@dataclass(frozen=True, slots=True)
class BenchmarkText:
    """What a Benchmarking text says: comparators' values, our own values, the rest."""

    benchmarks: tuple[Benchmark, ...]
    own: tuple[Benchmark, ...] = ()
    unread: str | None = None

    @property
    def fully_read(self) -> bool:
        """True when every part of the text was read (an empty text included)."""
        return self.unread is None


_YEAR = r"(?:19|20)\d\d(?:\s*[/-]\s*(?:\d\d){1,2})?"
_TOKEN = re.compile(
    rf"""
    (?P<pyear>\(\s*(?:FY\s*)?(?P<py>{_YEAR})\s*\))
    |(?P<year>(?<![\w.,£-])(?P<y>{_YEAR})(?![\w.%]|\s*%|\s*per\s*cent))
    |(?P<num>[-\u2212]?£?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?|[-\u2212]?£?\.\d+)
        (?![\w.])(?P<pct>\s*(?:%|per\s*cent\b|percent\b))?
    |(?P<word>(?:[^\W\d_]|&)[\w'’.&-]*)
    |(?P<colon>[:=])
    |(?P<sep>[,;|\u2013\u2014]|[-/](?=\s))
    |(?P<space>\s+)
    |(?P<other>.)
    """,
    re.VERBOSE,
)

_FILLER = frozenset({"average", "avg", "ave", "av", "avge", "mean", "the", "figure", "rate"})
_SN = re.compile(r"^(?:sns?|(?:stat|stats|statistical) (?:neighbou?rs?|nbrs?|nbs?)(?: group)?)$")
_NATIONAL = re.compile(r"^(?:national|england|eng|nat|natl|all england|england national"
                       r"|national england)$")
_REGIONS = {
    "South East": ("south east", "s east", "se", "sth east", "south eastern"),
    "South West": ("south west", "s west", "sw", "sth west"),
    "North East": ("north east", "n east", "ne"),
    "North West": ("north west", "n west", "nw"),
    "Yorkshire and the Humber": ("yorkshire and the humber", "yorkshire and humber",
                                 "yorks and humber", "y and h", "yorkshire"),
    "East Midlands": ("east midlands", "e midlands", "e mids", "east mids", "em"),
    "West Midlands": ("west midlands", "w midlands", "w mids", "west mids", "wm"),
    "East of England": ("east of england", "eastern", "east", "eoe"),
    "London": ("london",),
    "Inner London": ("inner london",),
    "Outer London": ("outer london",),
}
_REGION_OF = {alias: f"{region} Average" for region, aliases in _REGIONS.items()
              for alias in aliases}
_REGION_OF.update({"region": REGIONAL, "regional": REGIONAL})

#: Traditional short forms of county names, as councils write them.
_COUNTY_SHORT = {
    "beds": "bedfordshire", "berks": "berkshire", "bucks": "buckinghamshire",
    "cambs": "cambridgeshire", "derbys": "derbyshire", "glos": "gloucestershire",
    "hants": "hampshire", "herts": "hertfordshire", "lancs": "lancashire",
    "leics": "leicestershire", "lincs": "lincolnshire", "northants": "northamptonshire",
    "notts": "nottinghamshire", "oxon": "oxfordshire", "staffs": "staffordshire",
    "warks": "warwickshire", "wilts": "wiltshire", "worcs": "worcestershire",
    "yorks": "yorkshire", "northumb": "northumberland",
}
_AUTHORITY_WORDS = frozenset({"council", "county", "borough", "city", "district",
                              "metropolitan", "royal", "london", "of", "cc", "mbc", "bc",
                              "dc", "the", "and"})
_NAME_WORD = re.compile(r"^(?:[A-Z][\w'’.&-]*|of|and|the|upon|on|in|under|&)$")


def _norm(name: str) -> str:
    text = name.casefold().replace("&", " and ")
    text = re.sub(r"[.'’]", "", text).replace("-", " ")
    return " ".join(text.split())


def _strip_filler(norm: str) -> str:
    words = norm.split()
    while words and words[-1] in _FILLER:
        words.pop()
    while words and words[0] in _FILLER:
        words.pop(0)
    return " ".join(words)


def canonical_comparator(name: str) -> str | None:
    """The canonical name of a comparator written in free text, ``None`` if not a known one.

    >>> canonical_comparator("SN avg"), canonical_comparator("England")
    ('Statistical Neighbour Average', 'National Average')
    >>> canonical_comparator("S. East Average"), canonical_comparator("Oxfordshire") is None
    ('South East Average', True)
    """
    key = _strip_filler(_norm(name))
    if _SN.match(key):
        return STATISTICAL_NEIGHBOURS
    if _NATIONAL.match(key):
        return NATIONAL
    if key.endswith(" region"):  # South East region
        key = _strip_filler(key[:-len(" region")])
    return _REGION_OF.get(key)


def is_own_authority(name: str, authority: str | None) -> bool:
    """True when ``name`` in free text stands for ``authority`` (our own council).

    >>> [is_own_authority(n, "Buckinghamshire County Council")
    ...  for n in ("Bucks", "Buckinghamshire", "BCC", "Bucks CC", "Berks")]
    [True, True, True, True, False]
    """
    if not authority or not authority.strip():
        return False
    key = _norm(name)
    full = _norm(authority)
    if key == full:
        return True
    core = [w for w in full.split() if w not in _AUTHORITY_WORDS]
    words = [w for w in key.split() if w not in _AUTHORITY_WORDS]
    if not core or not words:
        return key.replace(" ", "") == "".join(w[0] for w in full.split() if w not in ("of", "the"))
    words = [_COUNTY_SHORT.get(w, w) for w in words]
    if words == core:
        return True
    initials = {"".join(w[0] for w in full.split() if w not in ("of", "the", "and")),
                "".join(w[0] for w in core)}
    return len(key) >= 2 and key.replace(" ", "") in initials


def own_authority_names(authority: str) -> tuple[str, ...]:
    """The names :func:`is_own_authority` answers to, for a message that says what it looked for.

    >>> own_authority_names("Buckinghamshire County Council")
    ('Buckinghamshire County Council', 'Buckinghamshire', 'Bucks', 'BCC')
    """
    full = " ".join(authority.split())
    words = _norm(full).split()
    core = [w for w in words if w not in _AUTHORITY_WORDS]
    names = [full]
    if core:
        names.append(" ".join(w.title() for w in core))
        short = {long: s for s, long in _COUNTY_SHORT.items()}
        if len(core) == 1 and core[0] in short:
            names.append(short[core[0]].title())
    names.append("".join(w[0] for w in words if w not in ("of", "the", "and")).upper())
    if core:
        names.append("".join(w[0] for w in core).upper())
    return tuple(dict.fromkeys(n for n in names if len(n) >= 2))


@dataclass(slots=True)
class _Tok:
    kind: str
    text: str
    start: int
    year: str | None = None
    percent: bool = False


def _tokens(text: str) -> list[_Tok]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = "other"
        for k in ("pyear", "year", "num", "word", "colon", "sep", "space", "other"):
            if m.group(k) is not None:
                kind = k
                break
        if kind == "space":
            continue
        tok = _Tok(kind, m.group(kind), m.start())
        if kind == "pyear":
            tok.year = _norm_year(m.group("py"))
        elif kind == "year":
            tok.year = _norm_year(m.group("y"))
        elif kind == "num":
            tok.percent = m.group("pct") is not None
            tok.text = m.group(0)
        elif kind == "word" and tok.text.casefold() == "and":
            tok.kind = "sep"
        out.append(tok)
    return out


def _norm_year(year: str) -> str:
    """``2014 / 15`` -> ``2014/15``: spaces out, as written otherwise."""
    return re.sub(r"\s+", "", year)


def _number(tok: _Tok, percent: bool) -> float:
    raw = tok.text
    if tok.percent:
        raw = re.sub(r"\s*(%|per\s*cent|percent)$", "", raw)
    raw = raw.replace("\u2212", "-").replace("£", "").replace(",", "")
    value = float(raw)
    if tok.percent or (percent and abs(value) > 1):
        return value / 100
    return value


def _is_name(words: list[str]) -> bool:
    return bool(words) and all(_NAME_WORD.match(w) for w in words) and words[0][0].isupper()


def parse_benchmark_text(text: str | None, ref: str = "", *, authority: str | None = None,
                         percent: bool = False) -> BenchmarkText:
    """Read free-text benchmarking into benchmarks (see the module docstring for the forms).

    >>> r = parse_benchmark_text("SN avg 23%, England 24% (2015)")
    >>> [(b.comparator, b.year, b.value) for b in r.benchmarks]
    [('Statistical Neighbour Average', None, 0.23), ('National Average', '2015', 0.24)]
    >>> parse_benchmark_text("National: 24", percent=True).benchmarks[0].value
    0.24
    >>> parse_benchmark_text("SN 23% (see note)").unread
    '(see note)'
    """
    if text is None or not text.strip() or " ".join(text.split()).lower() in MISSING_MARKERS:
        return BenchmarkText(())
    toks = _tokens(text)
    benchmarks: list[Benchmark] = []
    own: list[Benchmark] = []
    context_year: str | None = None
    last: tuple[list[Benchmark]] | None = None  # the list the item just read went to
    i, n = 0, len(toks)

    def skip(kinds: tuple[str, ...]) -> None:
        nonlocal i
        while i < n and toks[i].kind in kinds:
            i += 1

    while True:
        skip(("sep",))
        if i >= n:
            break
        start = toks[i].start
        lead_year = item_year = None
        while i < n and toks[i].kind in ("year", "pyear"):
            lead_year = toks[i].year
            i += 1
            skip(("sep", "colon"))
        if i >= n and lead_year is not None and last is not None and last[0][-1].year is None:
            last[0][-1] = replace(last[0][-1], year=lead_year)  # ``England 24% 2015``
            break
        words: list[str] = []
        while i < n and toks[i].kind in ("word", "year", "pyear", "colon"):
            tok = toks[i]
            if tok.kind == "word":
                if item_year is not None:
                    break  # a word after the item's year: not this form
                words.append(tok.text)
            elif tok.kind in ("year", "pyear") and words:
                item_year = tok.year
            i += 1
        name = " ".join(words)
        mine = is_own_authority(name, authority)
        canonical = None if mine else canonical_comparator(name)
        if (i >= n or toks[i].kind != "num"
                or not (mine or canonical or _is_name(words))):
            return BenchmarkText(tuple(benchmarks), tuple(own), text[start:].strip())
        value = _number(toks[i], percent)
        i += 1
        if i < n and toks[i].kind == "pyear":
            item_year = item_year or toks[i].year
            i += 1
        if lead_year is not None:
            context_year = lead_year
        year = item_year or lead_year or context_year
        if mine:
            own.append(Benchmark(ref, " ".join(authority.split()), year, value))
            last = (own,)
            continue
        benchmarks.append(Benchmark(ref, canonical or " ".join(words).rstrip("."), year, value))
        last = (benchmarks,)
    return BenchmarkText(tuple(benchmarks), tuple(own))
