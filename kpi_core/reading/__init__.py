"""Reading: workbook files and live ranges to typed measures, every problem with its ``Sheet!Cell``.

``package`` opens the zip behind its guards; ``scan`` reads a sheet's rows (a fast lane
and expat); ``compiled`` hands big plain sheets to python-calamine where it is installed
(the same results); ``xlsx`` reads the Excel tables and plain sheets as raw grids. ``values``,
``periods``, ``bands``, ``mapping`` and ``benchmark_text`` parse cell values and headers
(the only places text is interpreted); ``rows`` is the row toolkit under the table
readers: ``tables`` (Measures, Benchmarks, Settings), ``history`` and ``comparators``;
``workbook`` (:func:`~kpi_core.reading.workbook.read_workbook`) combines them into a
:class:`~kpi_core.model.PerformanceWorkbook`. Reading never judges a measure.
"""
