"""Publishing: assessments to the frozen scorecard spec, and the spec to files.

``spec`` holds the spec's frozen types alone; ``measure_rows`` words a measure's row,
``scorecard`` builds the committee sheets (pure data) and ``data_sheet`` the analysts'
Data sheet; ``theme`` is the palette, the style metrics and the cell formats every
renderer shares; ``textfit`` measures wrapped text for row heights. ``xlsx`` (with
``sheetdata``) renders the workbook, ``html`` the web page, ``pdf`` the tagged committee
PDF. Publishing never reads a workbook.
"""
