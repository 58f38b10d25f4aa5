"""`kpi-scorecard import` (issue 10, SPEC section 7): the reference scorecard, as text,
as a Word table and as a worksheet, into a performance workbook; the reconciliation."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from addin.cli import main
from kpi_core.authoring.importing import (
    PublishedMeasure, PublishedScorecard, build_measures, import_scorecard, parse_measure_line,
    reconcile,
)
from kpi_core.model import Status
from kpi_core.reading.workbook import read_workbook
from kpi_core.reading.xlsx import read_tables
from workbook_templates import sample_data

#: A copy of the project's reference scorecard (shared/reference), byte for byte.
REFERENCE = Path(__file__).resolve().parent / "data" / "children-services-scorecard-q2-2016-17.txt"
AUTHORITY = sample_data.AUTHORITY
#: The RAG column of the reference, in its order, as printed.
REFERENCE_RAG = ["Green", "Amber", "Red", "Red", "Amber", "Red", "Red", "Red", "Red", "Red",
                 "Amber", "Red", "Red", "Red"]


def _import(tmp_path, source=REFERENCE, name="imported.xlsx", capsys=None):
    out = tmp_path / name
    code = main(["import", str(source), "-o", str(out), "--authority", AUTHORITY])
    assert code == 0
    return out


def test_reference_text_imports_every_measure_as_the_sample_has_it(tmp_path, capsys):
    out = _import(tmp_path)
    said = capsys.readouterr().out
    book = read_workbook(out)
    assert book.errors == ()
    assert len(book.measures) == 14
    assert book.settings.period == "Q2 2016/17" and book.settings.authority == AUTHORITY
    for m, s in zip(book.measures, sample_data.MEASURES, strict=True):
        assert (m.ref, m.name, m.portfolio, m.cabinet_member) == (
            s["Ref"], s["Measure"], s["Portfolio"], s["Cabinet Member"])
        assert (m.target, m.current) == (s["Target"], s["Current"]), m.ref
        assert (m.outcome, m.notes) == (s["Outcome"], s["Notes"]), m.ref
        assert m.polarity.value == s["Polarity"] and m.unit.value == s["Unit"], m.ref
        assert m.highlight == (s["Highlight"] == "Yes") and m.benchmarking_text == s["Benchmarking"]
    got = [(b.ref, b.comparator, b.year, b.value) for m in book.measures for b in m.benchmarks]
    # the sample's benchmarks are its Benchmarking text as read (our own figure is not one)
    sample = [(b.ref, b.comparator, b.year, b.value)
              for m in read_workbook(Path(sample_data.__file__).with_name(
                  "performance_workbook.xlsx")).measures for b in m.benchmarks]
    assert len(sample) == 8
    assert got == sample
    assert "CS03 (line 24): Polarity set to Lower is better" in said
    assert "CS11 (line 34): our own figures in Benchmarking (Buckinghamshire County Council " \
           "(2014/15): 83%)" in said


def test_check_on_the_import_gives_the_reference_rag_for_all_13(tmp_path, capsys):
    out = _import(tmp_path)
    capsys.readouterr()
    assert main(["check", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    measures = doc["measures"]
    with_both = [(m, rag) for m, rag in zip(measures, REFERENCE_RAG) if m["target_gap"] is not None]
    assert len(with_both) == 13
    assert [m["status"] for m, _ in with_both] == [rag for _, rag in with_both]
    assert measures[13]["status"] == "No target"
    table = read_tables(out).tables["measures"]
    published = table.rows[0].index("Published RAG")
    assert [row[published] for row in table.rows[1:]] == REFERENCE_RAG
    assert doc["problems"] == []


def test_reconciliation_lists_the_measure_whose_target_the_text_lost(tmp_path, capsys):
    _import(tmp_path)
    said = capsys.readouterr().out
    assert "Published RAG against the rules: 13 of 13 measures with a target and a current " \
           "position agree." in said
    listed = said.split("differs from the rules':\n", 1)[1].split("\nTolerances", 1)[0]
    assert listed.splitlines() == [
        "  CS14 % of CLA are placed no more than 20 miles away from home: published Red, the "
        "rules give No target (No target: 41% with no target set); the published target is "
        "missing (the scorecard shows no figure for it): fill in Target"]
    assert "CS14 (line 38): the target reads '%', not a figure; Target left blank" in said
    assert "Default Tolerance 10%" in said and "any from 7% to 10% does as well" in said


def reference_as_docx(path: Path) -> Path:
    """The reference as a committee paper in Word: its lines as paragraphs, its runs of
    tab-separated lines as tables (padded to one width, as Word tables are)."""
    import docx

    document = docx.Document()
    lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    block: list[list[str]] = []

    def flush():
        if block:
            width = max(len(r) for r in block)
            table = document.add_table(rows=len(block), cols=width)
            for ri, cells in enumerate(block):
                for ci, text in enumerate(cells):
                    table.cell(ri, ci).text = text
            block.clear()

    for line in lines:
        if "\t" in line:
            block.append(line.split("\t"))
        else:
            flush()
            if line.strip():
                document.add_paragraph(line)
    flush()
    document.save(str(path))
    return path


def reference_as_xlsx(path: Path) -> Path:
    """The reference pasted into a worksheet: percent figures as percent cells."""
    import re

    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = wb.add_worksheet("Scorecard Q2")
    pct = wb.add_format({"num_format": "0%"})
    for ri, line in enumerate(REFERENCE.read_text(encoding="utf-8").splitlines()):
        for ci, text in enumerate(line.split("\t")):
            if re.fullmatch(r"\d+%", text):
                ws.write_number(ri, ci, int(text[:-1]) / 100, pct)
            elif text:
                ws.write_string(ri, ci, text)
    wb.close()
    return path


def _dump(path: Path) -> dict:
    tables = read_tables(path).tables
    return {name: table.rows for name, table in tables.items()}


@pytest.mark.parametrize("make", [reference_as_docx, reference_as_xlsx], ids=["docx", "xlsx"])
def test_docx_and_xlsx_of_the_reference_import_to_the_same_workbook(tmp_path, make, capsys):
    from_text = _import(tmp_path, name="from-text.xlsx")
    source = make(tmp_path / ("reference" + (".docx" if make is reference_as_docx else ".xlsx")))
    other = tmp_path / "from-other.xlsx"
    assert main(["import", str(source), "-o", str(other), "--authority", AUTHORITY,
                 "--period", "Q2 2016/17"]) == 0
    said = capsys.readouterr().out
    assert "Read 14 measures of Children's Services (Q2 2016/17)" in said
    assert _dump(other) == _dump(from_text)
    assert set(_dump(other)) == {"measures", "benchmarks", "settings"}


def test_parse_measure_line_cases():
    line = parse_measure_line("line 1", ["3", "% seen", "100%", "95%", "Amber", "",
                                         "Outcome: Safe Notes: Logged."], "lower")
    assert (line.name, line.target, line.current, line.rag, line.outcome, line.notes) == (
        "% seen", 1.0, 0.95, Status.AMBER, "Safe", "Logged.")
    lost = parse_measure_line("line 2", ["% placed", "% 41% Red", "S East Average (2015): 69%",
                                         "Outcome: O Notes: N"], "")
    assert (lost.target, lost.target_text, lost.current, lost.rag, lost.benchmarking) == (
        None, "%", 0.41, Status.RED, "S East Average (2015): 69%")
    assert parse_measure_line("line 3", ["Total number of measures with a RAG", "17"], "") is None
    plain = parse_measure_line("line 4", ["Days to assess", "20", "25", "Red", "Slow"], "")
    assert (plain.target, plain.current, plain.is_percent, plain.notes) == (20, 25, False, "Slow")


def _card(*rows) -> PublishedScorecard:
    return PublishedScorecard("Adults", None, "Q1 2017/18", tuple(
        PublishedMeasure(f"line {i}", "", f"m{i}", t, c, f"{t}", f"{c}", Status(rag), None,
                         None, None, False) for i, (t, c, rag) in enumerate(rows, 1)))


def test_reconciliation_finds_the_tolerance_the_council_used():
    # 93 against 100 published Red: only a tolerance under 7% gives that; 96 Amber needs >= 4%
    card = _card((100, 93, "Red"), (100, 96, "Amber"), (100, 100, "Green"), (50, 40, "Red"))
    measures, _b, _m = build_measures(card)
    published = {m.ref: p.rag for m, p in zip(measures, card.measures)}
    result = reconcile(measures, published)
    assert result.compared == 4 and result.default_reproduced == 3
    assert result.reproduced == 4 and result.tolerance == 0.06
    assert result.tolerance_range == (0.04, 0.06)
    assert result.differences == ()


def test_an_rag_the_rules_do_not_give_is_kept_as_the_officers_override(tmp_path):
    source = tmp_path / "q1.txt"
    source.write_text("Adult Social Care Portfolio - Cllr. A. Person\n"
                      "Measure\tTarget\tCurrent position\tRAG\tBenchmarking\tComments\n"
                      "Reviews done\t100%\t80%\tAmber\t\tOutcome: Safe Notes: Recovering\n"
                      "Visits\t90%\t95%\tGreen\t\tNotes: fine\n"
                      "Calls\t100%\t85%\tRed\t\tNotes: short-staffed\n", encoding="utf-8")
    # 80% Amber needs a tolerance of 20% or more, 85% Red one under 15%: no default fits
    # both, and the nearest to 10% that fits most keeps the published Amber as an override
    result = import_scorecard(source, tmp_path / "book.xlsx", period="Q1 2017/18")
    assert [m.ref for m in result.measures] == ["ASC01", "ASC02", "ASC03"]
    assert result.reconciliation.tolerance == 0.1 and result.reconciliation.reproduced == 2
    (diff,) = result.reconciliation.differences
    assert (diff.ref, diff.published, diff.rules) == ("ASC01", Status.AMBER, Status.RED)
    table = read_tables(tmp_path / "book.xlsx").tables["measures"]
    header = table.rows[0]
    row = dict(zip(header, table.rows[1]))
    assert (row["RAG Override"], row["Override Reason"], row["Published RAG"]) == (
        "Amber", "as published in Q1 2017/18", "Amber")
    assert dict(zip(header, table.rows[2]))["RAG Override"] is None
    from kpi_core.pipeline import assess_workbook
    first = assess_workbook(read_workbook(tmp_path / "book.xlsx"))[0]
    assert (first.status, first.computed_status) == (Status.AMBER, Status.RED)
    assert first.override_reason == "as published in Q1 2017/18"


def test_import_refusals(tmp_path, capsys, monkeypatch):
    out = tmp_path / "book.xlsx"
    assert main(["import", str(tmp_path / "none.txt"), "-o", str(out)]) == 2
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text("Minutes of the meeting\nApologies: none\n")
    assert main(["import", str(tmp_path / "notes.txt"), "-o", str(out)]) == 2
    assert "no measures found" in capsys.readouterr().err
    assert main(["import", str(REFERENCE), "-o", str(tmp_path / "book.csv")]) == 2
    out.write_bytes(b"mine")
    assert main(["import", str(REFERENCE), "-o", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err and out.read_bytes() == b"mine"
    monkeypatch.setitem(sys.modules, "docx", None)  # python-docx not installed
    (tmp_path / "paper.docx").write_bytes(b"PK")
    assert main(["import", str(tmp_path / "paper.docx"), "-o", str(tmp_path / "b2.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "needs python-docx" in err and "pip install 'kpi-scorecard[import]'" in err
    assert "Traceback" not in err


def test_our_own_scorecard_imports_back_to_the_same_measures(tmp_path, capsys):
    """A scorecard this tool wrote (its .xlsx, with the No. and Direction of travel columns,
    gaps after each benchmark and the No target measure under Other measures)."""
    from_text = _import(tmp_path, name="from-text.xlsx")
    card = tmp_path / "card.xlsx"
    assert main(["regenerate", str(from_text), "-o", str(card)]) == 0
    again = tmp_path / "again.xlsx"
    assert main(["import", str(card), "-o", str(again), "--authority", AUTHORITY]) == 0
    said = capsys.readouterr().out
    assert "Read 14 measures of Children's Services (Q2 2016/17)" in said
    fields = ("ref", "name", "outcome", "polarity", "unit", "target", "current", "notes",
              "benchmarks", "highlight")
    first, second = read_workbook(from_text), read_workbook(again)
    for a, b in zip(first.measures, second.measures, strict=True):
        assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields], a.ref


DEMO = Path(__file__).resolve().parent.parent / "workbook_templates" / \
    "demo_performance_workbook.xlsx"


def test_regenerate_import_check_gives_the_demos_20_statuses_back(tmp_path, capsys):
    """Our own scorecard (four portfolios, ranges, judgement marks, Trend, the Data sheet)
    imports back to the same portfolios, cabinet members, measures, targets, current
    positions and statuses."""
    card, again = tmp_path / "card.xlsx", tmp_path / "again.xlsx"
    assert main(["regenerate", str(DEMO), "-o", str(card), "--json"]) == 0
    before = {m["ref"]: m for m in json.loads(capsys.readouterr().out)["measures"]}
    assert len(before) == 20
    assert main(["import", str(card), "-o", str(again)]) == 0
    said = capsys.readouterr()
    assert "Read 20 measures of 4 portfolios (Q2 2016/17)" in said.out
    assert "warning" not in said.err  # the titles name the authority and the period
    assert main(["check", str(again), "--json"]) == 0
    after = {m["ref"]: m for m in json.loads(capsys.readouterr().out)["measures"]}
    assert {r: m["status"] for r, m in after.items()} == \
        {r: m["status"] for r, m in before.items()}
    first, second = read_workbook(DEMO), read_workbook(again)
    fields = ("portfolio", "cabinet_member", "name", "unit", "polarity", "target",
              "target_upper", "current")
    old = {m.ref: m for m in first.measures}
    for m in second.measures:
        assert [getattr(m, f) for f in fields] == [getattr(old[m.ref], f) for f in fields], m.ref
    assert second.settings.authority == first.settings.authority
    assert second.settings.period == "Q2 2016/17"


def test_our_scorecard_without_its_titles_warns_of_the_missing_period(tmp_path, capsys):
    import openpyxl
    card = tmp_path / "card.xlsx"
    assert main(["regenerate", str(DEMO), "-o", str(card)]) == 0
    wb = openpyxl.load_workbook(card)
    for name in wb.sheetnames[:-1]:
        del wb[name]
    bare = tmp_path / "bare.xlsx"
    wb.save(bare)
    capsys.readouterr()
    assert main(["import", str(bare), "-o", str(tmp_path / "again.xlsx")]) == 0
    err = capsys.readouterr().err
    assert "warning: bare.xlsx names no period" in err
    assert "warning: bare.xlsx names no authority" in err


def test_the_councils_own_figure_stays_visible_through_regenerate_and_import(tmp_path,
                                                                             capsys):
    """CS11's Benchmarking text holds 'Bucks 83%': not a benchmark, still shown."""
    sample = Path(sample_data.__file__).with_name("performance_workbook.xlsx")
    card, again = tmp_path / "card.xlsx", tmp_path / "again.xlsx"
    assert main(["regenerate", str(sample), "-o", str(card)]) == 0
    import openpyxl
    texts = [c.value for row in openpyxl.load_workbook(card)["Children's Services"].iter_rows()
             for c in row if isinstance(c.value, str)]
    assert any("Buckinghamshire County Council (2014/15): 83%" in t for t in texts)
    assert main(["import", str(card), "-o", str(again)]) == 0
    cs11 = next(m for m in read_workbook(again).measures if m.ref == "CS11")
    assert "Bucks 83%" in cs11.benchmarking_text
    assert [b.comparator for b in cs11.benchmarks] == ["National Average",
                                                       "South East Average"]
