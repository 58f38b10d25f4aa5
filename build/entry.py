"""Entry script of the frozen ``kpi-scorecard`` executable (build/kpi-scorecard.spec).

The executable is the command line, ``addin.cli:run``; the .xlsm's Regenerate
scorecards button runs it as ``kpi-scorecard.exe regenerate BOOK -o OUT``.
"""

from addin.cli import run

if __name__ == "__main__":
    run()
