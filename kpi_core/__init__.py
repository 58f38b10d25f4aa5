"""kpi_core: the rules and the workbook I/O of kpi-scorecard, free of Excel glue.

Data flows one way, and the folders name its steps:

- ``reading/``: workbook files and live ranges -> typed measures, every problem with
  its ``Sheet!Cell``;
- ``assessing/``: measures -> assessments (status, reason, gaps, direction, trends,
  comparators) and their counts;
- ``publishing/``: assessments -> a frozen scorecard spec -> .xlsx, web page, .pdf;
- ``authoring/``: what writes an officer's own workbook (the template, an import,
  closing a period).

``model``, ``period`` (months, quarters, financial years and their labels), ``errors``,
``atomic``, ``formatting``, ``cells`` (A1 addresses, OOXML names) and ``accelerators``
(the optional compiled parts) are the ground every layer stands on; ``pipeline`` is the
one chain from file to files. Arrows run down only, and nothing here imports xlwings.
"""

__version__ = "0.1.0"
