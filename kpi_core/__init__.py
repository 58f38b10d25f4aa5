"""kpi_core: the rules and the workbook I/O of kpi-scorecard, free of Excel glue.

Data flows one way: reading (cells -> typed measures, every problem with its
``Sheet!Cell``), rules (measure -> assessment), scorecard (assessments -> a frozen
spec), rendering (spec -> .xlsx, .pdf). Nothing here imports xlwings.
"""

__version__ = "0.1.0"
