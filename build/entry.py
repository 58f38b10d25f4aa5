"""Entry script of the frozen ``kpi-scorecard`` executable (build/kpi-scorecard.spec).

The executable is the command line, ``addin.cli:main``; the .xlsm's Regenerate
scorecards button runs it as ``kpi-scorecard.exe regenerate BOOK -o OUT``.
"""

import sys

from addin.cli import main

if __name__ == "__main__":
    sys.exit(main())
