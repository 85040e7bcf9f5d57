"""``matcher attendance``: the sheet to fill in on the day, and importing it into the history.

``matcher attendance template OUT.xlsx [--dataset DATASET --roster ROSTER]``
writes the sheet (one row per assignment of the roster, status blank);
``matcher attendance import DATASET FILE [--roster ROSTER]`` checks a filled
sheet and appends what happened to the dataset's history.  Exit codes and
languages as for every ``matcher`` command (:mod:`matcher.cli`, which
registers these; its helpers are imported when a command runs, as
:mod:`matcher.cli` imports this module while it loads).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from matcher.attendance import STATUS_NAMES
from matcher.domain import Assignment, Problem
from matcher.errors import DataError, DataIssue
from matcher.i18n import _, ngettext

attendance_app = typer.Typer(
    help="Attendance: a sheet to fill in on the day, and importing it into the history.",
    no_args_is_help=True,
)


def _served_roster(problem: Problem, roster: Path) -> list[Assignment]:
    """The roster that was served, its needs and volunteers in the dataset."""
    from matcher.cli import _fail
    from matcher.io import read_roster

    try:
        assignments = read_roster(roster)
    except DataError as error:
        raise _fail(error) from None
    needs = {n.id for n in problem.needs}
    volunteers = {v.id for v in problem.volunteers}
    unknown = []
    for a in assignments:
        if a.need_id not in needs:
            message = _("need {need} is not in the dataset").format(need=a.need_id)
            unknown.append(DataIssue(roster.name, None, "need_id", message))
        if a.volunteer_id not in volunteers:
            message = _("volunteer {volunteer} is not in the dataset").format(
                volunteer=a.volunteer_id
            )
            unknown.append(DataIssue(roster.name, None, "volunteer_id", message))
    if unknown:
        raise _fail(DataError(unknown))
    return assignments


def _row_ranges(rows: list[int]) -> str:
    """Row numbers as runs: ``2-5, 8, 10-11``."""
    runs: list[list[int]] = []
    for row in sorted(rows):
        if runs and row == runs[-1][1] + 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


@attendance_app.command("template")
def attendance_template(
    out: Annotated[Path, typer.Argument(help="XLSX file to write")] = Path("attendance.xlsx"),
    dataset: Annotated[
        Path | None, typer.Option(help="dataset the roster belongs to (names, titles)")
    ] = None,
    roster: Annotated[
        Path | None,
        typer.Option(help="roster.csv or roster.xlsx: one row per assignment, status blank"),
    ] = None,
) -> None:
    """Write an attendance workbook (出勤记录) to fill in, prefilled from a roster if given."""
    from matcher.cli import _fail, _load, console
    from matcher.io.attendance import write_attendance_template

    if (dataset is None) != (roster is None):
        raise _fail(
            DataError.at(
                "--dataset/--roster",
                _("give both --dataset and --roster to prefill the sheet, or neither"),
            )
        )
    problem = _load(dataset) if dataset is not None else None
    assignments = _served_roster(problem, roster) if problem and roster else None
    try:
        rows = write_attendance_template(out, problem, assignments)
    except OSError as error:
        raise _fail(
            DataError.at(str(out), _("cannot write the template: {error}").format(error=error))
        ) from None
    text = ngettext(
        "wrote {path}: {count} row to fill in",
        "wrote {path}: {count} rows to fill in",
        rows,
    )
    console.print(text.format(path=out, count=rows), highlight=False)


@attendance_app.command("import")
def attendance_import(
    dataset: Annotated[Path, typer.Argument(help="dataset folder or workbook whose history grows")],
    file: Annotated[Path, typer.Argument(help="attendance sheet: .csv or .xlsx")],
    roster: Annotated[
        Path | None,
        typer.Option(help="roster.csv or roster.xlsx that was served: each row must be on it"),
    ] = None,
) -> None:
    """Check an attendance sheet and add what happened to the dataset's history.

    Nothing is written when the sheet has a problem (each is named by file,
    row and column); rows the history already holds (same volunteer, need
    and date) are skipped and listed, so importing a file twice adds nothing.
    """
    from matcher.cli import _fail, _load, _print_warning, console
    from matcher.io.attendance import import_attendance

    problem = _load(dataset)
    assignments = _served_roster(problem, roster) if roster is not None else None
    try:
        report = import_attendance(dataset, file, assignments, problem=problem)
    except DataError as error:
        raise _fail(error) from None
    except OSError as error:
        raise _fail(
            DataError.at(str(dataset), _("cannot write the history: {error}").format(error=error))
        ) from None
    for warning in report.warnings:
        _print_warning(str(warning))
    if report.already:
        rows = _row_ranges([found.row for found in report.already])
        text = ngettext(
            "{count} row already in the history, skipped (rows {rows})",
            "{count} rows already in the history, skipped (rows {rows})",
            len(report.already),
        )
        console.print(text.format(count=len(report.already), rows=rows), highlight=False)
    if not report.added:
        console.print(_("nothing new to add to the history"), highlight=False)
        return
    counts = ", ".join(
        f"{_(STATUS_NAMES[status])} {count}" for status, count in report.counts().items()
    )
    text = ngettext(
        "added {count} history entry to {path}: {counts}",
        "added {count} history entries to {path}: {counts}",
        len(report.added),
    )
    console.print(
        text.format(count=len(report.added), path=report.written, counts=counts),
        highlight=False,
    )
