"""Build workbook_templates/performance_workbook.xlsx from sample_data.py.

    python workbook_templates/build_templates.py [OUT]
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import sample_data  # noqa: E402

from kpi_core.template import write_performance_workbook  # noqa: E402

SAMPLE = HERE / "performance_workbook.xlsx"


def build_sample(path: Path = SAMPLE) -> Path:
    write_performance_workbook(
        path, sample_data.MEASURES, sample_data.BENCHMARKS, sample_data.SETTINGS,
        title=f"{sample_data.AUTHORITY} performance workbook, {sample_data.PERIOD}")
    return path


if __name__ == "__main__":
    print(build_sample(Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE))
