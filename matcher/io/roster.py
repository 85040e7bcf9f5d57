"""The roster file format: ``roster.csv`` and ``roster.xlsx`` (sheet 排班表).

One module for every roster file the project writes or reads: ``matcher
solve`` (:func:`matcher.export.write_result`), the service's roster export,
the stored roster rows, and ``matcher check`` (:func:`read_roster`).
"""

from __future__ import annotations

from pathlib import Path

from matcher.domain import Assignment, AssignmentRole, format_minutes
from matcher.errors import DataError
from matcher.io.cells import header_key
from matcher.io.format import ROSTER_SHEET
from matcher.io.read import Issues, read_csv_frame, read_workbook, table_from_frame
from matcher.io.rows import Row

__all__ = ["read_roster"]


def read_roster(path: str | Path) -> list[Assignment]:
    """Read a roster written by ``matcher solve``.

    Parameters
    ----------
    path
        ``roster.csv`` (English or Chinese headers, UTF-8 or GBK) or
        ``roster.xlsx`` (its sheet ``roster``/``排班表`` or else the first).

    Returns
    -------
    list of Assignment
        In file order.  Ids are not checked against a problem here.

    Raises
    ------
    DataError
        For a missing or unreadable file, missing columns and bad cells.
    """
    path = Path(path)
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        if not path.is_file():
            raise DataError.at(str(path), "no such file")
        sheets = read_workbook(path)
        if not sheets:
            raise DataError.at(path.name, "the workbook has no sheets")
        names = [str(name) for name in sheets]
        chosen = next(
            (n for n in names if header_key(n) in (ROSTER_SHEET.name, ROSTER_SHEET.zh, "排班")),
            names[0],
        )
        label, frame = f"{path.name}, sheet {chosen}", sheets[chosen]
    else:
        if not path.is_file():
            raise DataError.at(str(path), "no such file")
        label, frame = path.name, read_csv_frame(path)
    issues = Issues()
    table = table_from_frame(frame, label, ROSTER_SHEET, issues)
    issues.raise_if_any()
    assert table is not None
    assignments = []
    for number, cells in table.rows:
        row = Row(table, number, cells, issues)
        date = row.date("date")
        start = row.time("start")
        end = row.time("end", end=True)
        timed = [row.has(c) for c in ("date", "start", "end")]
        if any(timed) and not all(timed):
            row.fail(
                "date",
                "expected date, start and end all given (timed need) or all empty (untimed need)",
            )
        elif start is not None and end is not None and end <= start:
            row.fail(
                "end",
                f"expected an end after the start {format_minutes(start)}, "
                f"found {format_minutes(end)}",
            )
        assignment = Assignment(
            need_id=row.text("need_id", required=True),
            volunteer_id=row.text("volunteer_id", required=True),
            date=date,
            start=start,
            end=end,
            role=row.enum("role", AssignmentRole, AssignmentRole.MEMBER) or AssignmentRole.MEMBER,
        )
        if row.ok:
            assignments.append(assignment)
    issues.raise_if_any()
    return assignments
