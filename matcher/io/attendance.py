"""Attendance sheets: who came, read from CSV or XLSX, and the template to fill in.

An attendance sheet (:data:`~matcher.io.format.ATTENDANCE_SHEET`, documented
in ``docs/data-format.md``) has one row per volunteer and need: the status
(到岗 / 迟到 / 早退 / 缺席), the actual times when they differ from the
plan, and a reason.  It is read with the dataset machinery (encodings, a
title row above the headers, Chinese headers and words) and checked against
the dataset and, when given, the roster that was served
(:class:`~matcher.attendance.AttendancePlan`); every problem is reported at
once by file, row and column, and nothing is imported from a file with one.

:func:`import_attendance` adds the records to a dataset's history
(:mod:`matcher.io.history_append`), leaving out what the history already
holds, so importing the same file twice adds nothing the second time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from matcher.attendance import (
    AttendancePlan,
    AttendanceRecord,
    AttendanceStatus,
    history_from_attendance,
    history_key,
)
from matcher.domain import Assignment, Problem, format_minutes
from matcher.errors import DataError, DataIssue
from matcher.i18n import _, ngettext
from matcher.io.cells import header_key
from matcher.io.format import ATTENDANCE_SHEET, ENUM_WORDS
from matcher.io.history_append import append_history
from matcher.io.limits import ReadBudget, ReadLimits
from matcher.io.load import load_dataset
from matcher.io.read import IGNORED_SHEETS, Issues, Table, read_csv_grid, table_from_grid
from matcher.io.rows import Row
from matcher.io.spreadsheet import append_row, autofit, new_workbook
from matcher.io.workbook import read_workbook, sheet_label
from matcher.io.write import atomic_file

__all__ = [
    "AttendanceImport",
    "SheetRecord",
    "import_attendance",
    "read_attendance",
    "read_attendance_rows",
    "write_attendance_template",
]

_SHEET_NAMES = (ATTENDANCE_SHEET.name, ATTENDANCE_SHEET.zh, "出勤", "出勤登记", "签到")


@dataclasses.dataclass(frozen=True, slots=True)
class SheetRecord:
    """One record and where it was read: ``label`` names the file (and sheet), ``row`` its row."""

    label: str
    row: int
    record: AttendanceRecord


def _attendance_sheet(names: list[str]) -> list[str]:
    """The sheet to read: one named like an attendance sheet, else the first that is not notes."""
    wanted = {header_key(name) for name in _SHEET_NAMES}
    named = [name for name in names if header_key(name) in wanted]
    others = [name for name in names if name not in IGNORED_SHEETS]
    chosen = named or others or names
    return chosen[:1]


def _table(path: Path, budget: ReadBudget, warnings: Issues) -> Table:
    if not path.is_file():
        raise DataError.at(str(path), _("no such file"))
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        sheets = read_workbook(path, budget, _attendance_sheet)
        if not sheets:
            raise DataError.at(path.name, _("the workbook has no sheets"))
        chosen, grid = next(iter(sheets.items()))
        label = sheet_label(path.name, chosen)
    elif path.suffix.casefold() in (".csv", ".txt"):
        label, grid = path.name, read_csv_grid(path, budget)
    else:
        raise DataError.at(path.name, _("expected a .csv file or an .xlsx workbook"))
    issues = Issues()
    table = table_from_grid(grid, label, ATTENDANCE_SHEET, issues, warnings)
    issues.raise_if_any()
    assert table is not None
    return table


def _record(row: Row, plan: AttendancePlan) -> AttendanceRecord | None:
    """The record of one row, its issues placed on the row; None for a row not yet filled in."""
    need_id = row.text("need_id", required=True)
    volunteer_id = row.text("volunteer_id", required=True)
    date = row.date("date")
    start, end = row.window()
    reason = row.text("reason")
    if not row.has("status"):
        if any(row.has(column) for column in ("start", "end", "reason")):
            row.fail(
                "status",
                _("expected a status for a row with times or a reason, found an empty cell"),
            )
        return None
    status = row.enum("status", AttendanceStatus)
    planned = plan.planned(need_id, volunteer_id) if need_id and volunteer_id else None
    if date is None and not row.has("date"):
        date = planned.date if planned is not None else None
        if date is None and need_id in plan.needs:
            row.fail(
                "date",
                _(
                    "expected a date (need {need} has no date of its own), found an empty cell"
                ).format(need=need_id),
            )
    if date is None:
        if need_id and volunteer_id:
            for field, message in plan.reference_findings(need_id, volunteer_id):
                row.fail(field, message)
        return None
    if (
        status is not AttendanceStatus.NO_SHOW
        and planned is not None
        and (start is None) != (end is None)
    ):
        # late: the start is written, the end is the plan's (and the other way round)
        start = planned.start if start is None else start
        end = planned.end if end is None else end
    record = AttendanceRecord(
        need_id=need_id,
        volunteer_id=volunteer_id,
        date=date,
        status=status or AttendanceStatus.ATTENDED,  # a bad status is an issue already
        start=start,
        end=end,
        planned_minutes=planned.minutes if planned is not None else 0,
        reason=reason,
    )
    if need_id and volunteer_id:
        for field, message in plan.findings(record):
            row.fail(field, message)
    return record if row.ok else None


def read_attendance_rows(
    path: str | Path,
    plan: AttendancePlan,
    limits: ReadLimits | None = None,
) -> tuple[list[SheetRecord], list[DataIssue]]:
    """Read and check an attendance sheet; say where each record was and what was read past.

    Parameters
    ----------
    path
        A ``.csv`` file (any encoding the dataset reader accepts) or an
        ``.xlsx``/``.xlsm`` workbook (its sheet ``attendance``/``出勤记录``/
        ``出勤``, or else its first sheet that is not ``说明``).
    plan
        The dataset and, when given, the roster the records are checked against.
    limits
        Bounds on the work of reading (default: none).

    Returns
    -------
    records
        One :class:`SheetRecord` per filled-in row, in file order.
    warnings
        What was read past: a title row above the headers, unknown columns,
        and rows whose status is still empty (not yet recorded, skipped).

    Raises
    ------
    DataError
        Every problem of the file at once, each by file, row and column:
        missing columns, bad cells, unknown volunteers or needs, a volunteer
        not on the need in the roster, a date outside the horizon or other
        than the need's, an end not after the start, the same volunteer,
        need and date twice.
    """
    budget = ReadBudget(limits)
    warnings = Issues()
    table = _table(Path(path), budget, warnings)
    issues = Issues()
    span = (plan.problem.horizon.start, plan.problem.horizon.end)
    found: list[SheetRecord] = []
    first_row: dict[tuple[str, str, dt.date], int] = {}
    blank: list[int] = []
    for number, cells in table.rows:
        row = Row(table, number, cells, issues, span)
        record = _record(row, plan)
        if record is None:
            if row.ok:
                blank.append(number)
            continue
        key = (record.volunteer_id, record.need_id, record.date)
        if key in first_row:
            row.fail(
                "need_id",
                _("the same volunteer, need and date as row {row}; keep one").format(
                    row=first_row[key]
                ),
            )
            continue
        first_row[key] = number
        found.append(SheetRecord(table.label, number, record))
    issues.raise_if_any()
    if blank:
        rows = ", ".join(map(str, blank))
        note = ngettext(
            "row {rows} has no status yet and was skipped",
            "rows {rows} have no status yet and were skipped",
            len(blank),
        ).format(rows=rows)
        warnings.add(table.label, None, None, note)
    return found, warnings.listed()


def read_attendance(
    path: str | Path, plan: AttendancePlan, limits: ReadLimits | None = None
) -> list[AttendanceRecord]:
    """Read and check an attendance sheet (see :func:`read_attendance_rows`).

    Parameters
    ----------
    path, plan, limits
        As for :func:`read_attendance_rows`.

    Returns
    -------
    list of AttendanceRecord
        One per filled-in row, in file order.

    Raises
    ------
    DataError
        As for :func:`read_attendance_rows`.
    """
    return [found.record for found in read_attendance_rows(path, plan, limits)[0]]


@dataclasses.dataclass(frozen=True, slots=True)
class AttendanceImport:
    """What an import added to a dataset's history, and what it left out.

    ``added`` are the records whose history entries were appended (to
    ``written``, None when nothing was); ``already`` the records the history
    held before (same volunteer, need and date), left out; ``warnings`` what
    the reader read past.
    """

    added: tuple[SheetRecord, ...]
    already: tuple[SheetRecord, ...]
    warnings: tuple[DataIssue, ...]
    written: Path | None

    def counts(self) -> dict[AttendanceStatus, int]:
        """Records added per status, every status listed (0 where none)."""
        counted = Counter(found.record.status for found in self.added)
        return {status: counted[status] for status in AttendanceStatus}


def import_attendance(
    dataset: str | Path,
    file: str | Path,
    roster: Iterable[Assignment] | None = None,
    *,
    problem: Problem | None = None,
) -> AttendanceImport:
    """Check an attendance sheet and append what happened to a dataset's history.

    Parameters
    ----------
    dataset
        The dataset folder or workbook whose history grows.
    file
        The attendance sheet (see :func:`read_attendance_rows`).
    roster
        The roster that was served, to check each volunteer was on the need.
    problem
        The dataset already loaded (it is loaded from ``dataset`` otherwise).

    Returns
    -------
    AttendanceImport
        What was added and what the history held already.

    Raises
    ------
    DataError
        For a dataset or sheet with problems; nothing is written then.
    OSError
        When the history cannot be written; the dataset is unchanged then.
    """
    problem = problem if problem is not None else load_dataset(dataset)
    plan = AttendancePlan(problem, roster)
    found, warnings = read_attendance_rows(file, plan)
    held = {history_key(entry) for entry in problem.history}
    added: list[SheetRecord] = []
    already: list[SheetRecord] = []
    for item in found:
        key = (item.record.volunteer_id, item.record.need_id, item.record.date)
        (already if key in held else added).append(item)
    written = None
    if added:
        entries = history_from_attendance(problem, [item.record for item in added])
        written = append_history(dataset, entries)
    return AttendanceImport(tuple(added), tuple(already), tuple(warnings), written)


def _planned_text(assignment: Assignment) -> str:
    if assignment.start is None or assignment.end is None:
        return ""
    return f"{format_minutes(assignment.start)}-{format_minutes(assignment.end)}"


def _prefilled(problem: Problem, roster: Sequence[Assignment]) -> list[list[Any]]:
    """One row per assignment, by date, time, need and volunteer; status left blank."""
    needs = {n.id: n for n in problem.needs}
    volunteers = {v.id: v for v in problem.volunteers}
    ordered = sorted(
        roster,
        key=lambda a: (a.date or dt.date.max, a.start or 0, a.need_id, a.volunteer_id),
    )
    rows = []
    for a in ordered:
        need = needs.get(a.need_id)
        volunteer = volunteers.get(a.volunteer_id)
        values = {
            "need_id": a.need_id,
            "need_title": need.title if need else None,
            "volunteer_id": a.volunteer_id,
            "volunteer_name": volunteer.name if volunteer else None,
            "date": a.date.isoformat() if a.date else None,
            "planned": _planned_text(a) or None,
        }
        rows.append([values.get(column) for column in ATTENDANCE_SHEET.columns])
    return rows


def write_attendance_template(
    path: str | Path,
    problem: Problem | None = None,
    roster: Sequence[Assignment] | None = None,
) -> int:
    """Write an attendance workbook to fill in: Chinese headers, a status list, notes.

    Parameters
    ----------
    path
        The ``.xlsx`` file to write (atomically).
    problem, roster
        With both, one row per assignment of the roster (need, its title,
        volunteer, name, date, planned time), the status and actual times
        left blank; without, an empty sheet.

    Returns
    -------
    int
        The rows prefilled.
    """
    rows = _prefilled(problem, roster) if problem is not None and roster is not None else []
    statuses = [words[0] for words in ENUM_WORDS[AttendanceStatus].values()]

    def fill(temp: Path) -> None:
        book = new_workbook()
        sheet = book.create_sheet(ATTENDANCE_SHEET.zh)
        append_row(sheet, [info.zh[0] for info in ATTENDANCE_SHEET.columns.values()])
        for values in rows:
            append_row(sheet, values)
        required = PatternFill("solid", fgColor="FFF2CC")
        for cell, info in zip(sheet[1], ATTENDANCE_SHEET.columns.values(), strict=True):
            cell.font = Font(bold=True)
            if info.required:
                cell.fill = required
        sheet.freeze_panes = "A2"
        autofit(sheet)
        letters = {
            column: cell.column_letter
            for column, cell in zip(ATTENDANCE_SHEET.columns, sheet[1], strict=True)
        }
        for column in ("need_id", "volunteer_id"):
            sheet.column_dimensions[letters[column]].number_format = "@"
        last = max(len(rows) + 1, 500)
        choose = DataValidation(
            type="list", formula1='"' + ",".join(statuses) + '"', allow_blank=True
        )
        choose.add(f"{letters['status']}2:{letters['status']}{last}")
        sheet.add_data_validation(choose)
        sheet.column_dimensions[letters["status"]].width = 12
        notes = book.create_sheet("说明")
        append_row(notes, ["列 (column)", "中文表头", "必填", "说明"])
        for column, info in ATTENDANCE_SHEET.columns.items():
            append_row(
                notes, [column, " / ".join(info.zh), "是" if info.required else "", info.note]
            )
        append_row(notes, [])
        for status, words in ENUM_WORDS[AttendanceStatus].items():
            append_row(notes, [status.value, " / ".join(words), "", ""])
        for cell in notes[1]:
            cell.font = Font(bold=True)
        autofit(notes)
        book.save(temp)

    atomic_file(Path(path), fill)
    return len(rows)
