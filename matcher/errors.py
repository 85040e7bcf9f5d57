"""Errors that reach users: bad input data, named by file, row and column."""

from __future__ import annotations

import dataclasses

from matcher.i18n import _


@dataclasses.dataclass(frozen=True, slots=True)
class DataIssue:
    """One thing wrong with the input."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        """``file, row N, column X: message`` in the language in force."""
        if self.row is not None and self.column:
            text = _("{file}, row {row}, column {column}: {message}")
        elif self.row is not None:
            text = _("{file}, row {row}: {message}")
        elif self.column:
            text = _("{file}, column {column}: {message}")
        else:
            text = _("{file}: {message}")
        return text.format(file=self.file, row=self.row, column=self.column, message=self.message)


class DataError(ValueError):
    """Input data that cannot be used, with every place that is wrong.

    ``issues`` lists each problem with file, row (the spreadsheet's own row
    number; the header is row 1) and column; ``str(error)`` lists them all.
    """

    def __init__(self, issues: list[DataIssue] | DataIssue) -> None:
        self.issues = [issues] if isinstance(issues, DataIssue) else list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))

    @classmethod
    def at(
        cls, file: str, message: str, row: int | None = None, column: str | None = None
    ) -> DataError:
        """Build an error about one place."""
        return cls(DataIssue(file=file, row=row, column=column, message=message))


class DatasetTooLargeError(DataError):
    """A dataset (or roster file) that is larger than the reader was allowed to read.

    Raised as soon as a :class:`~matcher.io.ReadLimits` limit is passed, before
    the rest of the file is read; the service answers it with 413.

    Attributes
    ----------
    limit
        The name of the limit passed: ``max_rows_per_sheet``, ``max_cells`` or
        ``max_seconds``.
    allowed
        Its value.
    file
        The file (and sheet) being read when it was passed.
    """

    def __init__(self, file: str, limit: str, allowed: float, message: str) -> None:
        self.limit = limit
        self.allowed = allowed
        self.file = file
        super().__init__(DataIssue(file=file, row=None, column=None, message=message))
