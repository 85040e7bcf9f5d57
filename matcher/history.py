"""History rows of a roster: what a published roster adds to a dataset's history.

A published roster is the plan of record; its assignments become history
entries so later solves read them for continuity and fairness.  This is the
pure part of publishing (the service stores the rows, :mod:`api.store.publishing`).
"""

from __future__ import annotations

from collections.abc import Iterable

from matcher.domain import Assignment, HistoryEntry, Problem


def history_of(problem: Problem, roster: Iterable[Assignment]) -> list[HistoryEntry]:
    """History entries of a roster's assignments, one per assignment.

    Parameters
    ----------
    problem
        The problem the roster was solved for; its needs give each entry's
        household, category and (for untimed needs) duration.
    roster
        The roster's assignments; each must name a need of ``problem``.

    Returns
    -------
    list[HistoryEntry]
        In the roster's order, each marked attended; an untimed need is dated
        on the horizon's last day (the latest day it can have been served).
    """
    needs = {n.id: n for n in problem.needs}
    entries = []
    for a in roster:
        need = needs[a.need_id]
        minutes = a.end - a.start if a.start is not None and a.end is not None else need.duration
        entries.append(
            HistoryEntry(
                volunteer_id=a.volunteer_id,
                date=a.date or problem.horizon.end,
                minutes=minutes,
                attended=True,
                need_id=need.id,
                household_id=need.household_id,
                category=need.category,
            )
        )
    return entries
