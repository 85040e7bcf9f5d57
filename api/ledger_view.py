"""The participation ledger of a stored dataset: what really happened, scored.

The ledger reads attendance, never the plan (docs/ledger.md): the dataset's
history rows plus the current attendance entries of its published rosters
(a correction counts, the entry it superseded does not), scored by
:func:`matcher.ledger.build_ledger` with the service's rules
(``MATCHER_LEDGER_RULES``, default the rules shipped in the package).
The routes (:mod:`api.routes.ledger`) answer its tables as JSON, the
workbook and chart as files, and a volunteer's certificate as PDF.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.orm import Session

from api.store.attendance import dataset_attendance_items, now_in_shanghai
from api.store.datasets import load_problem
from matcher.domain import Problem
from matcher.io.ledger import fitting_needs, ledger_entries
from matcher.ledger import Ledger, LedgerEntry, Period, Rules, build_ledger
from matcher.ledger.feedback import standing_before
from matcher.ledger.files import Table, ledger_files, ledger_tables


@dataclasses.dataclass(frozen=True, slots=True)
class DatasetLedger:
    """A dataset's ledger for a period, with what its tables and files need."""

    problem: Problem
    ledger: Ledger

    def titles(self) -> dict[str, str]:
        """Need titles by id, for the records the tables list."""
        return {n.id: n.title for n in self.problem.needs}

    def tables(self) -> list[Table]:
        """Every table of the ledger (hours, points, stars, ranking, warnings, departments)."""
        warned = [w.volunteer_id for w in self.ledger.warnings]
        return ledger_tables(self.ledger, self.titles(), fitting_needs(self.problem, warned))

    def files(self, certificates: tuple[str, ...] = (), issuer: str = "") -> dict[str, bytes]:
        """The ledger's files by name, as ``matcher ledger`` writes them."""
        warned = [w.volunteer_id for w in self.ledger.warnings]
        return ledger_files(
            self.ledger,
            self.problem.volunteers,
            need_titles=self.titles(),
            next_needs=fitting_needs(self.problem, warned),
            certificates=certificates,
            issuer=issuer,
            issued_on=now_in_shanghai().date(),
        )


def _entries(session: Session, dataset_id: int, problem: Problem) -> list[LedgerEntry]:
    """The dataset's history and the current attendance of its published rosters, as entries."""
    durations = {need.id: need.duration for need in problem.needs}
    records = [
        (item.record, f"attendance:{item.entry_id}")
        for item in dataset_attendance_items(session, dataset_id, durations)
    ]
    return ledger_entries(problem, problem.history, records)


def with_ledger_standing(
    session: Session, dataset_id: int, problem: Problem, rules: Rules | None = None
) -> Problem:
    """``problem`` carrying the ledger's standing as of the day before its horizon.

    The roster engine then favours members behind in points for the period
    (a warned member most) and keeps volunteers with no-shows from being
    alone on a need that must be covered (:mod:`matcher.ledger.feedback`).
    ``problem`` is the one to solve (its horizon possibly narrowed); the
    ledger is read from the stored dataset, whose history it does not hold
    twice.
    """
    stored = load_problem(session, dataset_id)
    entries = _entries(session, dataset_id, stored)
    standing = standing_before(entries, problem.volunteers, problem.horizon.start, rules)
    return problem.replace(ledger=standing)


def dataset_ledger(
    session: Session,
    dataset_id: int,
    start: dt.date | None,
    end: dt.date | None,
    rules: Rules | None = None,
) -> DatasetLedger:
    """The ledger of a dataset for ``start``..``end`` (open ends: the records' own).

    Raises
    ------
    KeyError
        No such dataset.
    matcher.errors.DataError
        A record dated before the first rule version.
    """
    problem = load_problem(session, dataset_id)
    durations = {need.id: need.duration for need in problem.needs}
    records = [
        (item.record, f"attendance:{item.entry_id}")
        for item in dataset_attendance_items(session, dataset_id, durations)
    ]
    entries = ledger_entries(problem, problem.history, records)
    return DatasetLedger(
        problem, build_ledger(entries, problem.volunteers, rules, Period(start, end))
    )
