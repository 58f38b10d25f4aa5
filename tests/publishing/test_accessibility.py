"""axe-core in a real browser (Debian's chromium, driven by puppeteer-core) against the web
page: no violations at WCAG 2.0/2.1/2.2 A and AA, on the sample and on 500 measures with
hostile names; at 320 px wide the page reflows (no sideways scrolling of the page)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from addin.cli import main
from kpi_core.model import Unit
from kpi_core.publishing.html import write_html
from kpi_core.publishing.scorecard import build_scorecard
from kpi_core.publishing.spec import Sparkline
from tests.support.scorecard_samples import SETTINGS, mixed_assessments
from tests.support.tools import missing_axe, require
from tests.support.scorecard_samples import with_trend
from tests.support.workbooks import measure_row, write_book
from tests.support.paths import DEMO, ROOT, SAMPLE

SCRIPT = ROOT / "tests" / "a11y" / "axe_check.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install "
                                                "chromium); cannot run axe-core in a browser"),
]


@pytest.fixture(autouse=True)
def _tools():
    """Skip with the reason on a fresh machine; fail in CI (.ci/run installs them all)."""
    require(missing_axe(ROOT))


def axe(page: Path, width: int = 1280, screenshot: Path | None = None) -> dict:
    """axe-core's result for ``page`` at ``width`` px (and a screenshot of the view)."""
    node = shutil.which("node")
    command = [node, str(SCRIPT), str(page), "--chromium", CHROMIUM, "--width", str(width)]
    if screenshot:
        command += ["--screenshot", str(screenshot)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def assert_clean(result: dict) -> None:
    assert result["tags"] == ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
    assert result["violations"] == [], json.dumps(result["violations"], indent=1)
    for rule in ("color-contrast", "document-title", "html-has-lang", "image-alt", "bypass",
                 "th-has-data-cells"):
        assert rule in result["passes"], rule
    assert result["external_requests"] == []


@pytest.fixture(scope="module")
def sample_page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("a11y") / "sample.xlsx"
    assert main(["regenerate", str(SAMPLE), "-o", str(out), "--html"]) == 0
    return out.with_suffix(".html")


def test_sample_has_no_violations(sample_page, tmp_path):
    result = axe(sample_page, 1280, tmp_path / "desktop.png")
    assert_clean(result)
    assert (tmp_path / "desktop.png").stat().st_size > 10_000


def test_sample_reflows_at_320_px(sample_page, tmp_path):
    result = axe(sample_page, 320, tmp_path / "narrow.png")
    assert_clean(result)
    assert result["viewport_width"] == 320 and result["scroll_width"] <= 320


RTL = "\u05de\u05d3\u05d3 \u05d1\u05d9\u05e6\u05d5\u05e2 \u0645\u0624\u0634\u0631 \u0627\u0644\u0623\u062f\u0627\u0621"
NAMES = ["<b>bold</b> measure", "Tom & Jerry's <i>rate</i>", "\U0001F600 happy residents \U0001F3E0",
         RTL, '<script>alert("x")</script>', "=SUM(A1:A9)", "a" * 120]


def _hostile_rows(n: int = 500) -> list[dict]:
    rows = []
    for i in range(n):
        portfolio = ["<b>Adults</b> & Health", "Children's \U0001F476 Services", RTL,
                     "Resources: Finance/IT [2016]", "Place & <i>Growth</i>"][i % 5]
        comment = (f"Comment {i}: " + "Long commentary with <tags>, & ampersands, "
                   "\U0001F4C8 emoji and " + RTL + " text. ") * 4
        rows.append(measure_row(
            f"M{i:03d}", portfolio, Measure=f"{NAMES[i % len(NAMES)]} #{i}",
            Cabinet_Member="Cllr. <O'Brien> & co", Unit=["%", "number", "days", "£", "rate"][i % 5],
            Polarity=["Higher is better", "Lower is better"][i % 2],
            Target=[0.9, 100, 10, 5000, 8.0][i % 5],
            Current=[0.95, 80, 12, 4000, None][i % 5] if i % 7 else "n/a",
            Previous=[0.9, 90, 11, 4500, 7.0][i % 5],
            Notes=comment[:300], Highlight="Yes" if i % 11 == 0 else None))
    return rows


def test_500_hostile_measures_have_no_violations(tmp_path):
    book = write_book(tmp_path / "hostile.xlsx", _hostile_rows(500))
    out = tmp_path / "hostile - Scorecards.xlsx"
    assert main(["regenerate", str(book), "-o", str(out), "--html"]) == 0
    page = out.with_suffix(".html")
    text = page.read_text(encoding="utf-8")
    assert "<script>alert" not in text and "&lt;b&gt;Adults&lt;/b&gt;" in text
    assert len([n for n in _hostile_rows(500) if len(n["Notes"]) == 300]) == 500
    assert_clean(axe(page, 1280))
    narrow = axe(page, 320)
    assert_clean(narrow)
    assert narrow["scroll_width"] <= 320


def test_sparklines_have_no_violations(tmp_path):
    """A hand-built spec with a Trend column of sparklines (the history work fills it)."""
    card = with_trend(build_scorecard(mixed_assessments(), SETTINGS), lambda name: Sparkline(
        (0.4, 0.5, None, 0.6, 0.55, 0.7, 0.65, 0.8), tuple(f"Q{i}" for i in range(8)),
        f"Trend of {name}", Unit.PERCENT))
    page = write_html(card, tmp_path / "trend.html")
    assert page.read_text(encoding="utf-8").count('class="spark"') == len(mixed_assessments())
    assert_clean(axe(page, 1280))


def rag_beside_name_problems(result: dict) -> list[str]:
    """Rows whose RAG cell is not inside the viewport beside (level with, right of) the
    measure's name, in words; empty when every row is as it should be."""
    width = result["viewport_width"]
    problems = []
    for i, row in enumerate(result["rows"]):
        name, rag = row["name"], row["rag"]
        if name is None or rag is None:
            problems.append(f"row {i}: no name or no RAG cell")
            continue
        inside = 0 <= rag["left"] and rag["right"] <= width and rag["left"] < rag["right"]
        level = rag["top"] < name["bottom"] and name["top"] < rag["bottom"]
        beside = rag["left"] >= name["right"] - 1
        if not (inside and level and beside):
            problems.append(f"row {i} ({name['text'][:30]!r}): RAG {rag} name {name}")
    return problems


@pytest.mark.parametrize("book", [SAMPLE, DEMO], ids=["sample", "demo"])
def test_at_320_px_each_rag_stands_beside_its_measure(book, tmp_path):
    out = tmp_path / "card.xlsx"
    assert main(["regenerate", str(book), "-o", str(out), "--html"]) == 0
    shot = tmp_path / "narrow.png"
    narrow = axe(out.with_suffix(".html"), 320, shot)
    assert_clean(narrow)
    assert narrow["scroll_width"] <= 320
    assert len(narrow["rows"]) >= 14
    assert rag_beside_name_problems(narrow) == []
    assert shot.stat().st_size > 5_000
    wide = axe(out.with_suffix(".html"), 1280)
    assert_clean(wide)
    # on a wide screen the row is a table row: the RAG cell is further right, level too
    assert rag_beside_name_problems(wide) == []


def test_rag_beside_check_can_fail():
    row = {"name": {"left": 9, "right": 250, "top": 100, "bottom": 140, "text": "m"},
           "rag": {"left": 9, "right": 60, "top": 200, "bottom": 220, "text": "Red"}}
    assert rag_beside_name_problems({"viewport_width": 320, "rows": [row]})  # below it
    row["rag"] = {"left": 300, "right": 380, "top": 100, "bottom": 120, "text": "Red"}
    assert rag_beside_name_problems({"viewport_width": 320, "rows": [row]})  # off-screen
    row["rag"] = {"left": 260, "right": 311, "top": 100, "bottom": 120, "text": "Red"}
    assert rag_beside_name_problems({"viewport_width": 320, "rows": [row]}) == []
