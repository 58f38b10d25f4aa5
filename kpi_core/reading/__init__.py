"""Reading: workbook files and live ranges to typed measures, every problem with its ``Sheet!Cell``.

``xlsx`` reads the package's XML; ``values`` parses cell values (the only place text
is interpreted); ``tables`` turns the performance workbook's tables into a
:class:`~kpi_core.model.PerformanceWorkbook`. Reading never judges a measure.
"""
