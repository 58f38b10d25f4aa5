"""Assessing: the rules (status, gaps, direction of travel), pure functions.

``rules`` judges one measure's figures, one rule each; ``trends`` its history and
``comparators`` its comparator rows; ``measure`` combines them per measure
(:func:`~kpi_core.assessing.measure.assess_measure`); ``summary`` holds the one status
counter; ``cells`` applies the same rules to raw cell values for the Excel functions.
Assessing never reads a file and never renders.
"""
