"""Authoring: what writes an officer's own performance workbook (the template, ``new``)."""
