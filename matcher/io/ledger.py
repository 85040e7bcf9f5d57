"""Ledger entries from a dataset: its history sheet plus attendance sheets.

The ledger (:mod:`matcher.ledger`) is computed from what happened.  In a
dataset folder that is the ``history`` sheet (attended or not, hours) and
any attendance sheets of the horizon (:mod:`matcher.io.attendance`: on
time, late, left early, no-show, actual times), each read and checked
against the dataset.  A record of the same volunteer, need and day in an
attendance sheet replaces the history's (it says more), and a later sheet
replaces an earlier one (a correction).

Two facts the points rules read are worked out here, from the dataset:

* **festival day**: a festival of the horizon, or a statutory holiday
  (:func:`matcher.calendar.is_festival`);
* **hard-to-fill need**: a need of the dataset for which fewer than
  :data:`HARD_TO_FILL_FACTOR` eligible volunteers per place are left
  (:func:`matcher.eligibility.build_eligibility`); history needs that are
  not in the dataset any more are not flagged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path

from matcher.attendance import AttendancePlan, AttendanceRecord, AttendanceStatus
from matcher.calendar import is_festival
from matcher.domain import Assignment, HistoryEntry, Need, Problem
from matcher.eligibility import build_eligibility
from matcher.errors import DataError, DataIssue
from matcher.io.attendance import read_attendance_rows
from matcher.io.load import load_dataset_with_warnings
from matcher.ledger.entries import LedgerEntry, with_volunteers

__all__ = [
    "HARD_TO_FILL_FACTOR",
    "LedgerSource",
    "fitting_needs",
    "hard_to_fill_needs",
    "ledger_entries",
    "read_ledger_entries",
    "with_history_standing",
]

HARD_TO_FILL_FACTOR = 2
"""A need is hard to fill when it has fewer eligible volunteers than this many per place."""


@dataclasses.dataclass(frozen=True, slots=True)
class LedgerSource:
    """The entries read from a dataset, the dataset itself and what was read past."""

    problem: Problem
    entries: tuple[LedgerEntry, ...]
    warnings: tuple[DataIssue, ...]


def hard_to_fill_needs(problem: Problem) -> set[str]:
    """Ids of the dataset's needs with fewer than two eligible volunteers per place."""
    eligibility = build_eligibility(problem)
    return {
        need.id
        for need, funnel in zip(problem.needs, eligibility.funnel, strict=True)
        if funnel["budget"] < HARD_TO_FILL_FACTOR * need.min_volunteers
    }


def fitting_needs(problem: Problem, volunteer_ids: Iterable[str]) -> dict[str, Need]:
    """The first need of the dataset each volunteer is eligible for (date, then start).

    Untimed needs come after dated ones.  A volunteer eligible for none is
    left out.  This is where a warned member could serve next.
    """
    eligibility = build_eligibility(problem)
    found = {}
    for volunteer_id in volunteer_ids:
        index = problem.volunteer_index.get(volunteer_id)
        if index is None:
            continue
        pairs = eligibility.pairs_of_volunteer(index)
        needs = [problem.needs[int(n)] for n in eligibility.need[pairs]]
        if needs:
            found[volunteer_id] = min(
                needs,
                key=lambda n: (n.date is None, n.date or problem.horizon.end, n.start or 0, n.id),
            )
    return found


def ledger_entries(
    problem: Problem,
    history: Iterable[HistoryEntry],
    records: Iterable[tuple[AttendanceRecord, str]] = (),
) -> list[LedgerEntry]:
    """Ledger entries of history entries and attendance records, against a dataset.

    Parameters
    ----------
    problem
        The dataset: volunteers (name, department, membership), needs
        (category, hard to fill) and horizon (festivals).
    history
        History entries: attended (minutes as recorded) or not (a no-show).
    records
        Attendance records with their source label, in the order read; one
        for the same volunteer, need and day as a history entry or an
        earlier record replaces it.

    Returns
    -------
    list of LedgerEntry
        By volunteer, date and need.
    """
    needs = {n.id: n for n in problem.needs}
    hard = hard_to_fill_needs(problem)
    chosen: dict[tuple[str, str | None, object], LedgerEntry] = {}
    for item in history:
        status = AttendanceStatus.ATTENDED if item.attended else AttendanceStatus.NO_SHOW
        chosen[(item.volunteer_id, item.need_id, item.date)] = LedgerEntry(
            volunteer_id=item.volunteer_id,
            date=item.date,
            status=status,
            minutes=item.minutes if item.attended else 0,
            need_id=item.need_id,
            category=item.category,
            festival=is_festival(item.date, problem.horizon),
            hard_to_fill=item.need_id in hard,
            source="history",
        )
    for record, label in records:
        need = needs.get(record.need_id)
        chosen[(record.volunteer_id, record.need_id, record.date)] = LedgerEntry(
            volunteer_id=record.volunteer_id,
            date=record.date,
            status=record.status,
            minutes=record.minutes,
            need_id=record.need_id,
            category=need.category if need else None,
            festival=is_festival(record.date, problem.horizon),
            hard_to_fill=record.need_id in hard,
            source=label,
        )
    entries = with_volunteers(chosen.values(), problem.volunteers)
    entries.sort(key=lambda e: (e.volunteer_id, e.date, e.need_id or ""))
    return entries


def with_history_standing(problem: Problem) -> Problem:
    """``problem`` carrying the ledger's standing read from its own history (``solve --ledger``).

    The service reads attendance as well (:mod:`api.ledger_view`); a dataset
    on its own has only its history sheet.
    """
    from matcher.ledger.feedback import standing_before

    entries = ledger_entries(problem, problem.history)
    return problem.replace(
        ledger=standing_before(entries, problem.volunteers, problem.horizon.start)
    )


def read_ledger_entries(
    dataset: str | Path,
    attendance: Sequence[str | Path] = (),
    roster: Iterable[Assignment] | None = None,
    *,
    problem: Problem | None = None,
) -> LedgerSource:
    """Read a dataset and attendance sheets into ledger entries.

    Parameters
    ----------
    dataset
        A dataset folder or workbook (its history sheet is read).
    attendance
        Attendance sheets (``.csv`` or ``.xlsx``) of the dataset's horizon,
        each checked against the dataset (and the roster, when given).
    roster
        The roster that was served, to check each record against.
    problem
        The dataset already loaded (read from ``dataset`` otherwise).

    Returns
    -------
    LedgerSource

    Raises
    ------
    DataError
        For a dataset or sheet with problems: every problem of every sheet,
        named by file, row and column.
    """
    warnings: list[DataIssue] = []
    if problem is None:
        problem, loaded = load_dataset_with_warnings(dataset)
        warnings += loaded
    plan = AttendancePlan(problem, roster)
    records: list[tuple[AttendanceRecord, str]] = []
    issues: list[DataIssue] = []
    for path in attendance:
        try:
            found, read_past = read_attendance_rows(path, plan)
        except DataError as error:
            issues += error.issues
            continue
        warnings += read_past
        records += [(item.record, f"attendance:{Path(path).name}") for item in found]
    if issues:
        raise DataError(issues)
    entries = ledger_entries(problem, problem.history, records)
    return LedgerSource(problem, tuple(entries), tuple(warnings))
