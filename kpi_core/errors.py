"""The project's one error hierarchy. Everything the tool refuses is a ``KpiError``."""

from __future__ import annotations


class KpiError(Exception):
    """Base of every error this project raises on purpose."""


class FileError(KpiError):
    """A file cannot be read or written: missing, not a workbook, locked (exit code 2)."""


class UsageError(KpiError):
    """The command was asked for something it cannot do, e.g. OUT equal to BOOK (exit code 2)."""


class ValueParseError(KpiError, ValueError):
    """A cell's value cannot be read as what its column needs.

    The message is a phrase about the value alone (``'abc' is not a number``); the
    reader adds the sheet and cell.
    """

    def __init__(self, message: str, value: object = None) -> None:
        super().__init__(message)
        self.value = value


class InputError(KpiError):
    """A problem in the performance workbook at a known sheet and cell."""

    def __init__(self, sheet: str, cell: str, value: object, message: str) -> None:
        super().__init__(f"{sheet}!{cell}: {message}" if cell else f"{sheet}: {message}")
        self.sheet = sheet
        self.cell = cell
        self.value = value
        self.message = message


class DataErrors(KpiError):
    """The workbook has data errors; ``problems`` lists them all (exit code 1)."""

    def __init__(self, problems) -> None:
        self.problems = tuple(problems)
        first = self.problems[0].text if self.problems else "no details"
        more = len(self.problems) - 1
        super().__init__(first + (f" (and {more} more)" if more > 0 else ""))


class PdfError(KpiError):
    """LibreOffice is missing, failed or timed out while converting to PDF (exit code 2)."""
