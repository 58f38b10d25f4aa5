"""Build the sample workbooks from sample_data.py: performance_workbook.xlsx and,
with its button and VBA module, performance_workbook.xlsm (build_xlsm.py); and the
fictional demonstration workbook from demo_data.py: demo_performance_workbook.xlsx.

    python workbook_templates/build_templates.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import demo_data  # noqa: E402
import sample_data  # noqa: E402

from kpi_core.authoring.template import write_performance_workbook  # noqa: E402

SAMPLE = HERE / "performance_workbook.xlsx"
DEMO = HERE / "demo_performance_workbook.xlsx"


def build_sample(path: Path = SAMPLE) -> Path:
    write_performance_workbook(path, sample_data.MEASURES, sample_data.BENCHMARKS,
                               sample_data.SETTINGS, title=sample_data.TITLE)
    return path


def build_demo(path: Path = DEMO) -> Path:
    """The fictional council's workbook, with eight quarters of History."""
    write_performance_workbook(path, demo_data.MEASURES, demo_data.BENCHMARKS,
                               demo_data.SETTINGS, title=demo_data.TITLE,
                               history=demo_data.HISTORY)
    return path


if __name__ == "__main__":
    import build_xlsm  # noqa: E402  (beside this file)

    print(build_sample())
    print(build_demo())
    print(build_xlsm.build_xlsm())
