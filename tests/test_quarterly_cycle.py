"""A year on the demonstration workbook, as an officer runs it: enter the quarter's
figures, regenerate, close the period; four times. Each close's History, the cells it
clears, the scorecard's Key areas and its direction texts are asserted; so are the
refusals (an empty quarter, a skipped one) and the default names."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from addin.cli import main
from kpi_core.pipeline import assess_workbook
from kpi_core.publishing.scorecard import direction_text, split_sections
from kpi_core.reading.periods import parse_period
from kpi_core.reading.workbook import read_workbook
from kpi_core.reading.xlsx import read_sheet, read_tables
from tests.figures import enter

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "workbook_templates" / "demo_performance_workbook.xlsx"
PER_PERIOD = ("current", "data_status", "rag_override", "override_reason", "notes",
              "highlight")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def quarter_figures(path: Path, quarter: int) -> dict[str, dict[str, object]]:
    """This quarter's figures: each measure a little on its Previous (or at its target),
    AS01 typed 50% (Red), a note and a Highlight on CF01 only."""
    figures: dict[str, dict[str, object]] = {}
    for m in read_workbook(path).measures:
        base = m.previous if m.previous is not None else m.target
        if base is None:
            base = 1.0
        figures[m.ref] = {"current": round(base * (1 + 0.01 * quarter), 4)}
    figures["AS01"] = {"current": 0.5}
    figures["CF01"].update({"notes": f"Q{quarter} note for CF01", "highlight": "Yes"})
    return figures


def key_areas(path: Path) -> dict[str, set[str]]:
    """Each portfolio's Key areas of good performance, by Ref."""
    assessments = assess_workbook(read_workbook(path))
    out: dict[str, set[str]] = {}
    for a in assessments:
        out.setdefault(a.measure.portfolio, [])
        out[a.measure.portfolio].append(a)
    return {p: {a.measure.ref for a in split_sections(items)[0]} for p, items in out.items()}


def history_rows(path: Path) -> list[list[object]]:
    table = read_tables(path, ("History",)).tables["history"]
    assert table.sheet == "Past periods"
    return table.rows


def test_a_year_on_the_demo(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    book = tmp_path / "demo.xlsx"
    shutil.copy(DEMO, book)
    period = parse_period(read_workbook(book).settings.period)  # Q2 2016/17
    for quarter in range(1, 5):
        before = read_workbook(book, titles=True)
        rows_before = len(history_rows(book))
        if quarter > 1:  # the officer types this quarter's figures into the clean quarter
            typed = enter(book, tmp_path / "typing.xlsx", quarter_figures(book, quarter))
            typed.replace(book)  # saved in Excel under its own name
            before = read_workbook(book, titles=True)
            assert not before.errors
            # regenerate: AS01 is Red and last quarter's Highlight cannot lead Key areas
            card = tmp_path / f"card {quarter}.xlsx"
            code, out, err = run(capsys, "regenerate", str(book), "-o", str(card), "--json")
            assert code == 0, err
            doc = json.loads(out)
            statuses = {m["ref"]: m["status"] for m in doc["measures"]}
            assert statuses["AS01"] == "Red"
            keys = key_areas(book)
            assert keys["Adult Social Care"] != {"AS01"} and "AS01" not in keys[
                "Adult Social Care"]
            assert keys["Children and Families"] == {"CF01"}  # this quarter's Highlight
            # direction: one fact a line, against the period just closed and its figure
            as01 = next(a for a in assess_workbook(before) if a.measure.ref == "AS01")
            lines = direction_text(as01).splitlines()
            word = "▼ Worsening" if quarter == 2 else "► No change"  # 88%, then 50% on
            assert lines[0] == f"{word} since {period.previous().label} " \
                               f"({'88%' if quarter == 2 else '50%'})"
            assert all(" since " in line or " in " in line for line in lines)
        # close the period: default name, the next quarter
        nxt = period.next()
        code, out, err = run(capsys, "close-period", str(book), "--next", nxt.label)
        assert code == 0, err
        closed = tmp_path / f"demo - {nxt.label.replace('/', '-')}.xlsx"
        assert f"Wrote {closed}" in out, out  # a trailing period replaced, not added to
        after = read_workbook(closed, titles=True)
        assert after.settings.period == nxt.label
        assert not after.errors
        # History: one row per measure closing, Notes with them
        rows = history_rows(closed)
        assert rows[0] == ["Ref", "Period", "Value", "Target", "Status", "Notes"]
        added = rows[rows_before:]
        old = {m.ref: m for m in before.measures}
        closing = {r[0]: r for r in added}
        assert "AS01" in closing and closing["AS01"][1] == period.label
        assert closing["AS01"][2] == old["AS01"].current
        assert closing["AS01"][5] == old["AS01"].notes
        if quarter > 1:
            assert closing["AS01"][4] == "Red"
            assert closing["CF01"][5] == f"Q{quarter} note for CF01"
        # the clean quarter: per-period cells cleared for every measure closed
        for m in after.measures:
            if m.ref not in closing:
                continue
            assert (m.current, m.current_marker, m.notes, m.highlight, m.rag_override,
                    m.override_reason) == (None, None, None, False, None, None), m.ref
            assert m.data_status.value == "Available"
            assert m.previous == old[m.ref].current, m.ref
        title = read_sheet(closed, "Measures").rows[0][0]
        assert title.endswith(nxt.label) and period.label not in title
        book, period = closed, nxt

    # four closes: Q2 2016/17 .. Q1 2017/18 on record
    assert period.label == "Q2 2017/18"
    assert book.name == "demo - Q2 2017-18.xlsx"
    recorded = {r[1] for r in history_rows(book)[1:] if r[0] == "AS01"}
    assert {"Q2 2016/17", "Q3 2016/17", "Q4 2016/17", "Q1 2017/18"} <= recorded
    assert run(capsys, "check", str(book))[0] == 0

    # refusals: the just-closed quarter has no figures; a skipped quarter needs --allow-gap
    code, out, err = run(capsys, "close-period", str(book), "--next", "Q3 2017/18")
    assert code == 1
    assert "Measures!K3: no measure has a figure for Q2 2017/18" in err
    assert not (tmp_path / "demo - Q3 2017-18.xlsx").exists()
    typed = enter(book, tmp_path / "typed 5.xlsx", quarter_figures(book, 5))
    code, out, err = run(capsys, "close-period", str(typed), "--next", "Q4 2017/18")
    assert code == 2 and "the period after Q2 2017/18 is Q3 2017/18" in err
    assert "--allow-gap" in err
    code, out, err = run(capsys, "close-period", str(typed), "--next", "Q4 2017/18",
                         "--allow-gap", "-o", str(tmp_path / "gap.xlsx"))
    assert code == 0, err
    assert "the periods between are left out" in err
    assert read_workbook(tmp_path / "gap.xlsx").settings.period == "Q4 2017/18"


def test_a_measure_without_a_figure_is_a_warning_not_a_refusal(tmp_path, capsys):
    book = enter(DEMO, tmp_path / "gap.xlsx", {"AS02": {"current": None}})
    code, out, err = run(capsys, "close-period", str(book), "--next", "Q3 2016/17", "-o",
                         str(tmp_path / "out.xlsx"))
    assert code == 0, err
    assert "warning: Measures!K5: AS02 has no figure for Q2 2016/17" in err


@pytest.mark.parametrize("name, nxt, expected", [
    ("book.xlsx", "Q3 2016/17", "book - Q3 2016-17.xlsx"),
    ("demo - Q3 2016-17.xlsx", "Q4 2016/17", "demo - Q4 2016-17.xlsx"),
    ("Plan - 2016-17 Q3.xlsm", "Q4 2016/17", "Plan - Q4 2016-17.xlsm"),
    ("Report - final.xlsx", "Q3 2016/17", "Report - final - Q3 2016-17.xlsx"),
])
def test_default_names_replace_a_trailing_period(name, nxt, expected):
    from kpi_core.authoring.closing import default_output
    assert default_output(Path(name), nxt).name == expected
