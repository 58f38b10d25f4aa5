"""Build the sample workbooks from sample_data.py: performance_workbook.xlsx and,
with its button and VBA module, performance_workbook.xlsm (build_xlsm.py).

    python workbook_templates/build_templates.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import sample_data  # noqa: E402

from kpi_core.authoring.template import write_performance_workbook  # noqa: E402

SAMPLE = HERE / "performance_workbook.xlsx"


def build_sample(path: Path = SAMPLE) -> Path:
    write_performance_workbook(path, sample_data.MEASURES, sample_data.BENCHMARKS,
                               sample_data.SETTINGS, title=sample_data.TITLE)
    return path


if __name__ == "__main__":
    import build_xlsm  # noqa: E402  (beside this file)

    print(build_sample())
    print(build_xlsm.build_xlsm())
