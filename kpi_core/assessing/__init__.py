"""Assessing: the rules (status, gaps, direction of travel, summaries), pure functions.

``rules`` judges typed measures; ``cells`` applies the same rules to raw cell values
for the Excel functions. Assessing never reads a file and never renders.
"""
