"""Authoring: what writes an officer's own performance workbook: the template (``new``),
the import of a past scorecard, and closing a period (``closing`` decides the edits,
``package`` writes them part by part, every other byte kept)."""
