"""Where the tests find the repository and the workbooks it ships."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "workbook_templates"
#: The sample: the reference scorecard's data, one period.
SAMPLE = TEMPLATES / "performance_workbook.xlsx"
#: The sample with its Regenerate button and VBA module.
XLSM = TEMPLATES / "performance_workbook.xlsm"
#: The fictional demonstration council, with eight quarters of History.
DEMO = TEMPLATES / "demo_performance_workbook.xlsx"
