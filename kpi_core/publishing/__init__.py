"""Publishing: assessments to the frozen scorecard spec, and the spec to files.

``scorecard`` builds the spec (pure data); ``xlsx`` and ``pdf`` render it. Publishing
never reads a workbook.
"""
