"""Free-text benchmarking read into benchmarks: every accepted form, the reference's
texts, our own authority's values and what is left unread."""

from __future__ import annotations

import importlib.util
import re

import pytest
from hypothesis import given, settings, strategies as st

from kpi_core.reading.benchmark_text import (
    canonical_comparator, is_own_authority, parse_benchmark_text,
)
from tests.support.paths import ROOT

SN, NAT, SE = "Statistical Neighbour Average", "National Average", "South East Average"
BUCKS = "Buckinghamshire County Council"
REFERENCE = ROOT / "tests" / "support" / "data"  # a copy of the shared reference scorecard


def _sample_data():
    spec = importlib.util.spec_from_file_location(
        "sample_data", ROOT / "workbook_templates" / "sample_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(text, **kw):
    r = parse_benchmark_text(text, "CS03", **kw)
    return [(b.comparator, b.year, pytest.approx(b.value)) for b in r.benchmarks], r


# Every form the parser accepts: (text, [(comparator, year, value)]).
ACCEPTED = [
    # the reference's own texts
    ("Statistical Neighbour Average (2015): 23% National Average (2015): 24%",
     [(SN, "2015", 0.23), (NAT, "2015", 0.24)]),
    ("S East Average (2015): 65% National Average (2015): 61%",
     [(SE, "2015", 0.65), (NAT, "2015", 0.61)]),
    ("S East Average (2015): 69% National Average (2015): 77%",
     [(SE, "2015", 0.69), (NAT, "2015", 0.77)]),
    ("2014/15 England 82% S East 81 % Bucks 83%",  # Bucks is a name when no authority is given
     [(NAT, "2014/15", 0.82), (SE, "2014/15", 0.81), ("Bucks", "2014/15", 0.83)]),
    # the variants councils write
    ("SN avg 23%", [(SN, None, 0.23)]),
    ("England 24% (2015)", [(NAT, "2015", 0.24)]),
    ("Stat neighbours: 23.0%", [(SN, None, 0.23)]),
    ("National: 24", [(NAT, None, 24.0)]),
    # statistical neighbours, written other ways
    ("Statistical neighbours 23%", [(SN, None, 0.23)]),
    ("Statistical Neighbour 23%", [(SN, None, 0.23)]),
    ("Stat. neighbours avg: 23%", [(SN, None, 0.23)]),
    ("Stat nbrs 23%", [(SN, None, 0.23)]),
    ("SNs 23%", [(SN, None, 0.23)]),
    ("SN: 23%", [(SN, None, 0.23)]),
    ("Statistical neighbour mean 23%", [(SN, None, 0.23)]),
    ("Average SN 23%", [(SN, None, 0.23)]),
    ("Statistical neighbors 23%", [(SN, None, 0.23)]),
    # national
    ("National average 24%", [(NAT, None, 0.24)]),
    ("Eng avg 24%", [(NAT, None, 0.24)]),
    ("England average = 24%", [(NAT, None, 0.24)]),
    ("ENGLAND 24%", [(NAT, None, 0.24)]),
    # regions
    ("South East 65%", [(SE, None, 0.65)]),
    ("SE avg 65%", [(SE, None, 0.65)]),
    ("S. East Average: 65%", [(SE, None, 0.65)]),
    ("South-East 65%", [(SE, None, 0.65)]),
    ("South East region 65%", [(SE, None, 0.65)]),
    ("South East region average (2015): 65%", [(SE, "2015", 0.65)]),
    ("E Mids 40%", [("East Midlands Average", None, 0.4)]),
    ("Yorkshire & Humber 40%", [("Yorkshire and the Humber Average", None, 0.4)]),
    ("London 40%", [("London Average", None, 0.4)]),
    ("Regional average 40%", [("Regional Average", None, 0.4)]),
    # years: in brackets before or after the value, bare before the name, FY, dashes
    ("National Average 2015: 24%", [(NAT, "2015", 0.24)]),
    ("(2015) National 24%", [(NAT, "2015", 0.24)]),
    ("England 24% 2015", [(NAT, "2015", 0.24)]),
    ("England (FY 2014/15) 24%", [(NAT, "2014/15", 0.24)]),
    ("Statistical neighbours (2014-15) 23 per cent", [(SN, "2014-15", 0.23)]),
    ("2014/2015 England 82%", [(NAT, "2014/2015", 0.82)]),
    ("2015 England 82% 2016 England 84%", [(NAT, "2015", 0.82), (NAT, "2016", 0.84)]),
    ("2015 England 82% SN (2014) 80% SE 79%",
     [(NAT, "2015", 0.82), (SN, "2014", 0.8), (SE, "2015", 0.79)]),
    # separators
    ("SN avg 23%, England 24%", [(SN, None, 0.23), (NAT, None, 0.24)]),
    ("SN 23%; England 24%", [(SN, None, 0.23), (NAT, None, 0.24)]),
    ("Eng avg 24% | SN 23.5% | SE 22%", [(NAT, None, 0.24), (SN, None, 0.235), (SE, None, 0.22)]),
    ("SN 23% and England 24%", [(SN, None, 0.23), (NAT, None, 0.24)]),
    ("SN 23% \u2013 England 24%", [(SN, None, 0.23), (NAT, None, 0.24)]),
    ("SN 23% - England 24%", [(SN, None, 0.23), (NAT, None, 0.24)]),
    ("SN 23%\nEngland 24%", [(SN, None, 0.23), (NAT, None, 0.24)]),
    ("SN: 23% / Eng: 24%", [(SN, None, 0.23), (NAT, None, 0.24)]),
    # numbers
    ("England: 1,250 (2015)", [(NAT, "2015", 1250.0)]),
    ("National £12.50", [(NAT, None, 12.5)]),
    ("National 0.24", [(NAT, None, 0.24)]),
    ("National -1.5", [(NAT, None, -1.5)]),
    ("National 24 percent", [(NAT, None, 0.24)]),
    ("National 543.2", [(NAT, None, 543.2)]),
    # named places and groups of the council's own choosing, kept as written
    ("Oxfordshire 80%, Milton Keynes 78%", [("Oxfordshire", None, 0.8), ("Milton Keynes", None, 0.78)]),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED, ids=[t for t, _ in ACCEPTED])
def test_accepted_forms(text, expected):
    got, result = _read(text)
    assert result.unread is None
    assert result.own == ()
    assert got == expected
    assert all(b.ref == "CS03" for b in result.benchmarks)


@pytest.mark.parametrize(("text", "value"), [
    ("National: 24", 0.24), ("National: 24%", 0.24), ("National: 0.24", 0.24),
    ("National: 100", 1.0), ("National: 1", 1.0), ("SN 23.5", 0.235),
])
def test_percent_measure_reads_bare_numbers_as_percent(text, value):
    (b,) = parse_benchmark_text(text, percent=True).benchmarks
    assert b.value == pytest.approx(value)


@pytest.mark.parametrize(("text", "unread"), [
    ("See LAIT for the latest figures", "See LAIT for the latest figures"),
    ("Ranked 5th of 11", "Ranked 5th of 11"),
    ("Below national average", "Below national average"),
    ("Not published until 2017", "Not published until 2017"),
    ("23%", "23%"),
    ("SN 23% (see note)", "(see note)"),
    ("Top 10% nationally", "nationally"),
    ("England 24% then", "then"),
    ("National average", "National average"),
    ("2014/15", "2014/15"),
])
def test_text_that_cannot_be_read_is_returned_unread(text, unread):
    result = parse_benchmark_text(text)
    assert result.unread == unread
    assert not result.fully_read


@pytest.mark.parametrize("text", [None, "", "   ", "n/a", "N/A", "-", "TBC", "Not available"])
def test_blank_and_markers_read_as_nothing(text):
    result = parse_benchmark_text(text)
    assert result.benchmarks == () and result.own == () and result.unread is None


def test_own_authority_value_is_kept_apart():
    result = parse_benchmark_text("2014/15 England 82% S East 81 % Bucks 83%", "CS11",
                                  authority=BUCKS)
    assert [(b.comparator, b.year, b.value) for b in result.benchmarks] == [
        (NAT, "2014/15", 0.82), (SE, "2014/15", 0.81)]
    assert [(b.ref, b.comparator, b.year, b.value) for b in result.own] == [
        ("CS11", BUCKS, "2014/15", 0.83)]
    assert result.unread is None


@pytest.mark.parametrize(("name", "authority", "mine"), [
    ("Bucks", BUCKS, True), ("Buckinghamshire", BUCKS, True), ("BCC", BUCKS, True),
    ("Buckinghamshire County Council", BUCKS, True), ("bucks cc", BUCKS, True),
    ("Herts", "Hertfordshire County Council", True), ("Oxon", "Oxfordshire County Council", True),
    ("Milton Keynes", "Milton Keynes Council", True), ("MK", "Milton Keynes Council", True),
    ("Berks", BUCKS, False), ("England", BUCKS, False), ("Bucks", None, False),
    ("Bucks", "", False), ("Oxfordshire", BUCKS, False), ("SE", BUCKS, False),
])
def test_own_authority_names(name, authority, mine):
    assert is_own_authority(name, authority) is mine


@pytest.mark.parametrize(("name", "canonical"), [
    ("SN", SN), ("sn avg", SN), ("Statistical Neighbour Average", SN), ("England", NAT),
    ("National Average", NAT), ("S East", SE), ("S East Average", SE), ("Oxfordshire", None),
    ("Average", None),
])
def test_canonical_comparator(name, canonical):
    assert canonical_comparator(name) == canonical


#: The reference scorecard's Benchmarking cells that hold a figure, as printed.
REFERENCE_TEXTS = {
    "Statistical Neighbour Average (2015): 23% National Average (2015): 24%":
        ([(SN, "2015", 0.23), (NAT, "2015", 0.24)], []),
    "2014/15 England 82% S East 81 % Bucks 83%":
        ([(NAT, "2014/15", 0.82), (SE, "2014/15", 0.81)], [(BUCKS, "2014/15", 0.83)]),
    "S East Average (2015): 65% National Average (2015): 61%":
        ([(SE, "2015", 0.65), (NAT, "2015", 0.61)], []),
    "S East Average (2015): 69% National Average (2015): 77%":
        ([(SE, "2015", 0.69), (NAT, "2015", 0.77)], []),
}


@pytest.mark.parametrize("text", list(REFERENCE_TEXTS))
def test_every_reference_benchmark_text_is_read(text):
    result = parse_benchmark_text(text, authority=BUCKS, percent=True)
    benchmarks, own = REFERENCE_TEXTS[text]
    assert result.unread is None
    assert [(b.comparator, b.year, pytest.approx(b.value)) for b in result.benchmarks] == benchmarks
    assert [(b.comparator, b.year, pytest.approx(b.value)) for b in result.own] == own


def test_reference_texts_are_the_sample_and_the_reference_ones():
    """The sample workbook carries the reference's texts, and the reference scorecard's
    Benchmarking cells are these too."""
    sample = {m["Benchmarking"] for m in _sample_data().MEASURES if m["Benchmarking"]}
    assert sample == set(REFERENCE_TEXTS)
    found = re.findall(r"(?:Statistical Neighbour|S East Average|\d{4}/\d\d England)[^\t]*",
                       (REFERENCE / "children-services-scorecard-q2-2016-17.txt").read_text())
    assert {" ".join(f.split()) for f in found} == set(REFERENCE_TEXTS)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
       | st.lists(st.sampled_from(["SN", "avg", "England", "(2015)", "2014/15", ":", "23%",
                                   "24", "S East", "Bucks", ",", "and", "x", "£1,250", "-",
                                   "per cent", "(", ")", "National Average"]),
                  max_size=12).map(" ".join))
def test_any_text_is_read_or_left_unread_never_raises(text):
    result = parse_benchmark_text(text, "M1", authority=BUCKS, percent=True)
    if result.unread is not None:
        assert result.unread and text.strip().endswith(result.unread)
    for b in (*result.benchmarks, *result.own):
        assert b.ref == "M1" and b.value == b.value  # a number, never NaN
