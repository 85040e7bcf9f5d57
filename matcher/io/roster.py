"""The roster file format: ``roster.csv`` and ``roster.xlsx`` (sheet 排班表).

One module for every roster file the project writes or reads: ``matcher
solve`` (:func:`matcher.export.write_result`), the service's roster export
and stored roster rows (``api/exports.py``), and ``matcher check``
(:func:`read_roster`).  A roster row is a mapping of the English columns
:data:`~matcher.io.format.ROSTER_COLUMNS` to text: dates as ``2026-10-24``,
times as ``09:00``, both empty for an untimed need, ``role`` ``lead`` or
``member``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from matcher.domain import Assignment, AssignmentRole, Problem, format_minutes
from matcher.errors import DataError
from matcher.i18n import _
from matcher.io.cells import header_key
from matcher.io.format import ROSTER_COLUMNS, ROSTER_COLUMNS_ZH, ROSTER_SHEET
from matcher.io.limits import ReadBudget, ReadLimits
from matcher.io.read import Issues, Table, read_csv_grid, read_workbook, table_from_grid
from matcher.io.rows import Row
from matcher.io.spreadsheet import add_sheet, csv_bytes, new_workbook, workbook_bytes
from matcher.io.workbook import sheet_label

__all__ = [
    "ROLE_ZH",
    "read_roster",
    "roster_assignments",
    "roster_csv",
    "roster_rows",
    "roster_xlsx",
]

ROLE_ZH: dict[str, str] = {"lead": "带队", "member": "队员"}
"""The Chinese word of each assignment role, as ``roster.xlsx`` shows it."""

_ORDER = ("date", "start", "need_id", "role", "volunteer_id")


def roster_rows(problem: Problem, assignments: Iterable[Assignment]) -> list[dict[str, str]]:
    """The roster rows of ``assignments``, by date, start, need, role and volunteer.

    Parameters
    ----------
    problem
        The problem the assignments belong to (for titles, names, departments).
    assignments
        The assignments.

    Returns
    -------
    list of dict
        One row per assignment with the columns of :data:`ROSTER_COLUMNS`.
    """
    rows = []
    for a in assignments:
        need = problem.need(a.need_id)
        volunteer = problem.volunteer(a.volunteer_id)
        rows.append(
            {
                "need_id": a.need_id,
                "need_title": need.title,
                "volunteer_id": a.volunteer_id,
                "volunteer_name": volunteer.name,
                "department": volunteer.department,
                "date": a.date.isoformat() if a.date else "",
                "start": format_minutes(a.start),
                "end": format_minutes(a.end),
                "role": str(a.role),
            }
        )
    return sorted(rows, key=lambda row: tuple(row[column] for column in _ORDER))


def _cells(row: Mapping[str, Any]) -> Sequence[Any]:
    return [row.get(column) for column in ROSTER_COLUMNS]


def _cells_zh(row: Mapping[str, Any]) -> Sequence[Any]:
    """The cells of ``roster.xlsx``: the role in Chinese."""
    role = row.get("role")
    return _cells({**row, "role": ROLE_ZH.get(str(role), role)})


def roster_csv(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """The bytes of ``roster.csv`` for roster ``rows`` (see :func:`roster_rows`).

    English headers, UTF-8 with BOM (Excel opens it right).
    """
    return csv_bytes(ROSTER_COLUMNS, (_cells(row) for row in rows))


def roster_xlsx(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """The bytes of ``roster.xlsx`` for roster ``rows`` (see :func:`roster_rows`).

    Sheet 排班表 with Chinese headers and Chinese roles.
    """
    book = new_workbook()
    add_sheet(book, ROSTER_SHEET.zh, ROSTER_COLUMNS_ZH, (_cells_zh(row) for row in rows))
    return workbook_bytes(book)


def roster_assignments(rows: Iterable[Mapping[str, Any]]) -> list[Assignment]:
    """Assignments back from roster rows (as stored by the service).

    Parameters
    ----------
    rows
        Mappings with the columns of :data:`ROSTER_COLUMNS`.

    Returns
    -------
    list of Assignment
        In the order of ``rows``.

    Raises
    ------
    DataError
        For a row that is not a valid roster row.
    """
    table = Table(
        "roster",
        {column: column for column in ROSTER_COLUMNS},
        [(number, dict(row)) for number, row in enumerate(rows, start=2)],
    )
    return _assignments(table)


def _roster_sheet(names: list[str]) -> str:
    """The roster sheet of a workbook: ``roster``/``排班表`` or else the first."""
    wanted = (ROSTER_SHEET.name, ROSTER_SHEET.zh, "排班")
    return next((n for n in names if header_key(n) in wanted), names[0] if names else "")


def read_roster(path: str | Path, limits: ReadLimits | None = None) -> list[Assignment]:
    """Read a roster written by ``matcher solve``.

    Parameters
    ----------
    path
        ``roster.csv`` (English or Chinese headers, any encoding the loader reads) or
        ``roster.xlsx`` (its sheet ``roster``/``排班表`` or else the first).
    limits
        Bounds on the work of reading (default: none).

    Returns
    -------
    list of Assignment
        In file order.  Ids are not checked against a problem here.

    Raises
    ------
    DataError
        For a missing or unreadable file, missing columns and bad cells;
        :class:`~matcher.errors.DatasetTooLargeError` past a limit.
    """
    budget = ReadBudget(limits)
    path = Path(path)
    if not path.is_file():
        raise DataError.at(str(path), _("no such file"))
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        sheets = read_workbook(path, budget, lambda names: [_roster_sheet(names)])
        if not sheets:
            raise DataError.at(path.name, _("the workbook has no sheets"))
        chosen, grid = next(iter(sheets.items()))
        label = sheet_label(path.name, chosen)
    else:
        label, grid = path.name, read_csv_grid(path, budget)
    issues = Issues()
    table = table_from_grid(grid, label, ROSTER_SHEET, issues)
    issues.raise_if_any()
    assert table is not None
    return _assignments(table)


def _assignments(table: Table) -> list[Assignment]:
    """The assignments of a roster table; every bad row raised in one DataError."""
    issues = Issues()
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
                _(
                    "expected date, start and end all given (timed need) or all empty "
                    "(untimed need)"
                ),
            )
        elif start is not None and end is not None and end <= start:
            row.fail(
                "end",
                _("expected an end after the start {start}, found {end}").format(
                    start=format_minutes(start), end=format_minutes(end)
                ),
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
