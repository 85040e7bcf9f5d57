"""Errors that reach users: bad input data, named by file, row and column."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class DataIssue:
    """One thing wrong with the input."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


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
