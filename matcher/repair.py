"""Minimal-change repair of a published roster, and re-solves kept close to one.

A repair is a solve with the published roster as the reference
(:mod:`matcher.solver.reference`): coverage first, then as few changes as
coverage allows, then the wishes and the soft rules among the rosters left.
So nothing moves unless moving it staffs more; the needs dated before
``frozen_before`` are history and stay as published.

A cancelled volunteer is made unavailable, in the problem's own terms, from
``frozen_before`` on (every service day from then, blacked out; every
undated need, a forbidden pair), so eligibility, the explanations and the
checker all see it; a pin of theirs on a need they can no longer do is
dropped.

The differences between two rosters are listed by :func:`diff_rosters`
(who is added, removed, moved, at a new time or now leads, and why) and
written as ``diff.csv`` beside the repaired roster's files
(:func:`write_repair`: one set, atomically, with the writer of ``matcher
solve``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path

from matcher.domain import Assignment, AssignmentRole, Blackout, Pair, Pin, Problem, format_minutes
from matcher.errors import DataError
from matcher.i18n import N_, _
from matcher.io.spreadsheet import csv_bytes
from matcher.params import SolverParams
from matcher.result import ReferenceReport, Result
from matcher.solver.reference import Reference
from matcher.solver.solve import Progress, solve

DIFF_FILE = "diff.csv"
"""The changes of a repair, written beside its roster."""

DIFF_COLUMNS = (
    "change",
    "volunteer_id",
    "volunteer_name",
    "need_id",
    "need_title",
    "date",
    "start",
    "end",
    "from_need_id",
    "from_need_title",
    "from_date",
    "from_start",
    "reason",
)
"""Columns of ``diff.csv`` (English headers, as ``roster.csv``'s)."""


class ChangeKind(StrEnum):
    """How an assignment differs from the reference roster."""

    ADDED = "added"
    REMOVED = "removed"
    MOVED = "moved"
    """The volunteer left one need for another."""
    TIME = "time"
    """Same volunteer, same need, another date or start."""
    ROLE = "role"
    """Same assignment, now leading the team or no longer leading it."""


@dataclasses.dataclass(frozen=True, slots=True)
class Change:
    """One line of a roster's diff: what changed for one volunteer, and why.

    ``before`` is the reference's assignment (None when added), ``after``
    the new roster's (None when removed); ``code`` says why in one word
    (``cancelled``, ``covers``, ``replaces``, ``unstaffed``, ``freed``,
    ``time``, ``team``) and ``reason`` in a sentence.
    """

    kind: ChangeKind
    volunteer_id: str
    before: Assignment | None
    after: Assignment | None
    code: str
    reason: str

    @property
    def need_id(self) -> str:
        """The need the change is about: the new one, or the one left."""
        held = self.after if self.after is not None else self.before
        assert held is not None
        return held.need_id


@dataclasses.dataclass(frozen=True)
class Repair:
    """A repaired (or re-solved) roster and how it differs from the reference.

    Attributes
    ----------
    problem
        The problem solved: the cancelled volunteers made unavailable.
    result
        The roster, with ``result.reference`` the counts of :attr:`changes`.
    changes
        The diff against the reference, by need and volunteer.
    cancelled
        Volunteer ids cancelled.
    dropped_pins
        Pins of cancelled volunteers, dropped.
    outside
        Reference assignments whose need or volunteer is not in the problem
        (another horizon or dataset): neither kept nor counted.
    """

    problem: Problem
    result: Result
    changes: tuple[Change, ...]
    cancelled: tuple[str, ...] = ()
    dropped_pins: tuple[Pin, ...] = ()
    outside: tuple[Assignment, ...] = ()


def cancel_volunteers(
    problem: Problem,
    volunteer_ids: Iterable[str],
    since: dt.date | None = None,
    source: str = "--cancel",
    declined: Iterable[tuple[str, str]] = (),
) -> tuple[Problem, tuple[Pin, ...]]:
    """``problem`` with volunteers unavailable from ``since`` (every day when None).

    ``declined`` (volunteer id, need id) pairs become forbidden pairs too:
    a volunteer who declined a need is not planned on it again.

    Parameters
    ----------
    problem
        The problem.
    volunteer_ids
        Who cancelled.
    since
        The first day they cannot serve; undated needs are refused them whatever the day.
    source
        Where the ids came from, for the error message (an option or a JSON path).

    Returns
    -------
    tuple
        The changed problem (validated) and the pins of theirs that were dropped.

    Raises
    ------
    DataError
        Naming an id that is not a volunteer of the problem.
    """
    ids = list(dict.fromkeys(volunteer_ids))
    for i, volunteer_id in enumerate(ids):
        if volunteer_id not in problem.volunteer_index:
            raise DataError.at(
                source,
                _("expected a volunteer id of the dataset, found unknown {value!r}").format(
                    value=volunteer_id
                ),
                row=i + 1,
            )
    refused = [
        Pair(v, need_id=n, forbidden=True)
        for v, n in dict.fromkeys(declined)
        if v in problem.volunteer_index and n in problem.need_index
    ]
    if not ids and not refused:
        return problem, ()
    days = [d for d in problem.horizon.service_days if since is None or d >= since]
    have = {(b.volunteer_id, b.date) for b in problem.blackouts}
    blackouts = [Blackout(v, d) for v in ids for d in days if (v, d) not in have]
    undated = [n.id for n in problem.needs if n.date is None]
    pairs = [Pair(v, need_id=n, forbidden=True) for v in ids for n in undated] + refused
    gone = set(ids)
    said_no = {(pair.volunteer_id, pair.need_id) for pair in refused}

    def still_possible(pin: Pin) -> bool:
        if (pin.volunteer_id, pin.need_id) in said_no:
            return False
        need = problem.need(pin.need_id)
        return pin.volunteer_id not in gone or (
            since is not None and need.date is not None and need.date < since
        )

    kept = tuple(p for p in problem.pins if still_possible(p))
    dropped = tuple(p for p in problem.pins if not still_possible(p))
    changed = problem.replace(
        blackouts=problem.blackouts + tuple(blackouts),
        pairs=problem.pairs + tuple(pairs),
        pins=kept,
    )
    return changed, dropped


def _key(a: Assignment) -> tuple[str, str]:
    return a.need_id, a.volunteer_id


def _within(problem: Problem, assignments: Iterable[Assignment]) -> list[Assignment]:
    return [
        a
        for a in assignments
        if a.need_id in problem.need_index and a.volunteer_id in problem.volunteer_index
    ]


def diff_rosters(
    problem: Problem,
    before: Sequence[Assignment],
    after: Sequence[Assignment],
    cancelled: Iterable[str] = (),
) -> tuple[Change, ...]:
    """What changed from roster ``before`` to roster ``after``, for each volunteer, and why.

    One piece on purpose: pairing a volunteer's removals with their
    additions (a move) and naming the reason of each read the same tables.

    Parameters
    ----------
    problem
        The problem ``after`` was solved on.
    before, after
        The reference roster and the new one (assignments outside ``problem`` are skipped).
    cancelled
        Volunteers who cancelled (the reason of their removals).

    Returns
    -------
    tuple of Change
        By date, start, need and volunteer of the change.
    """
    gone = set(cancelled)
    old = {_key(a): a for a in _within(problem, before)}
    new = {_key(a): a for a in _within(problem, after)}
    removed = [a for k, a in old.items() if k not in new]
    added = [a for k, a in new.items() if k not in old]
    left_by: dict[str, list[Assignment]] = defaultdict(list)
    for a in removed:
        left_by[a.volunteer_id].append(a)
    lost_on: dict[str, list[str]] = defaultdict(list)  # need -> volunteers who left it
    for a in removed:
        lost_on[a.need_id].append(a.volunteer_id)
    staffed_after = {a.need_id for a in after}
    team_after = Counter(a.need_id for a in new.values())
    changes: list[Change] = []
    moved_from: set[tuple[str, str]] = set()
    for a in added:
        need = problem.need(a.need_id)
        source = next(
            (r for r in left_by.get(a.volunteer_id, []) if _key(r) not in moved_from), None
        )
        if source is not None:
            moved_from.add(_key(source))
            kind, code = ChangeKind.MOVED, "covers"
            reason = _("moved from {old} to keep {need} (priority {priority}) staffed").format(
                old=_need_words(problem, source.need_id), need=need.title, priority=need.priority
            )
        elif lost_on.get(a.need_id):
            kind, code = ChangeKind.ADDED, "replaces"
            names = "、".join(_volunteer_name(problem, v) for v in lost_on[a.need_id])
            reason = _("replaces {names} on {need}").format(names=names, need=need.title)
        else:
            kind, code = ChangeKind.ADDED, "covers"
            reason = _("joins {need} (priority {priority})").format(
                need=need.title, priority=need.priority
            )
        changes.append(Change(kind, a.volunteer_id, source, a, code, reason))
    for a in removed:
        if _key(a) in moved_from:
            continue
        code, reason = _removal_reason(problem, a, gone, staffed_after)
        changes.append(Change(ChangeKind.REMOVED, a.volunteer_id, a, None, code, reason))
    for k, a in new.items():
        b = old.get(k)
        if b is None:
            continue
        if (a.date, a.start) != (b.date, b.start):
            reason = _("{need} moves from {old} to {new}").format(
                need=problem.need(a.need_id).title, old=_when(b), new=_when(a)
            )
            changes.append(Change(ChangeKind.TIME, a.volunteer_id, b, a, "time", reason))
        elif a.role != b.role and (a.role == AssignmentRole.LEAD or team_after[a.need_id] > 1):
            # losing the lead of a team now of one is no news to its volunteer
            text = (
                _("now leads the team of {need}")
                if a.role == AssignmentRole.LEAD
                else _("no longer leads the team of {need}")
            )
            reason = text.format(need=problem.need(a.need_id).title)
            changes.append(Change(ChangeKind.ROLE, a.volunteer_id, b, a, "team", reason))
    return tuple(sorted(changes, key=lambda c: _change_order(problem, c)))


def _change_order(problem: Problem, change: Change) -> tuple[object, ...]:
    held = change.after if change.after is not None else change.before
    assert held is not None
    return (
        held.date is None,
        held.date or dt.date.min,
        held.start or 0,
        problem.need_index[held.need_id],
        problem.volunteer_index[held.volunteer_id],
        list(ChangeKind).index(change.kind),
    )


def _volunteer_name(problem: Problem, volunteer_id: str) -> str:
    return problem.volunteer(volunteer_id).name


def _need_words(problem: Problem, need_id: str) -> str:
    return problem.need(need_id).title


def _when(a: Assignment) -> str:
    if a.date is None:
        return _("any day")
    return f"{a.date.isoformat()} {format_minutes(a.start)}".strip()


def _removal_reason(
    problem: Problem, a: Assignment, cancelled: set[str], staffed_after: set[str]
) -> tuple[str, str]:
    """Why a reference assignment is not on the new roster: a code and a sentence."""
    volunteer = problem.volunteer(a.volunteer_id)
    need = problem.need(a.need_id)
    if a.volunteer_id in cancelled:
        return "cancelled", _("{name} cancelled").format(name=volunteer.name)
    if a.need_id not in staffed_after:
        return "unstaffed", _("{need} is no longer staffed: too few volunteers left").format(
            need=need.title
        )
    return "freed", _("no longer on {need}: its team changed to keep the rules").format(
        need=need.title
    )


def reference_report(
    problem: Problem,
    reference: Sequence[Assignment],
    changes: Sequence[Change],
    label: str,
    fresh: bool = False,
) -> ReferenceReport:
    """Counts of a diff (:func:`diff_rosters`) for the summary."""
    counts = {kind: 0 for kind in ChangeKind}
    for change in changes:
        counts[change.kind] += 1
    within = _within(problem, reference)
    touched = {_key(c.before) for c in changes if c.before is not None and c.kind != "role"}
    return ReferenceReport(
        label=label,
        assignments=len(within),
        kept=sum(1 for a in within if _key(a) not in touched),
        added=counts[ChangeKind.ADDED],
        removed=counts[ChangeKind.REMOVED],
        moved=counts[ChangeKind.MOVED],
        time=counts[ChangeKind.TIME],
        role=counts[ChangeKind.ROLE],
        volunteers=len({c.volunteer_id for c in changes if c.kind != ChangeKind.ROLE}),
        fresh=fresh,
    )


def repair(
    problem: Problem,
    reference: Sequence[Assignment],
    cancelled: Sequence[str] = (),
    params: SolverParams | None = None,
    frozen_before: dt.date | None = None,
    fresh: bool = False,
    label: str = "",
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    declined: Sequence[tuple[str, str]] = (),
) -> Repair:
    """Repair ``reference`` for the volunteers who cancelled, changing as little as coverage allows.

    Also the stable re-solve: without cancellations it is the dataset solved
    again (data may have changed since) kept close to ``reference``.

    Parameters
    ----------
    problem
        The dataset as it is now.
    reference
        The published roster.
    cancelled
        Volunteer ids who can no longer serve (from ``frozen_before`` on).
    params
        Solver parameters; defaults when omitted.
    frozen_before
        Needs dated before this day are history and stay as published.
    fresh
        Plan afresh instead, and only compare with ``reference``.
    label
        Names the reference in the summary (``roster 12``, a file name).
    progress, stop
        As for :func:`matcher.solver.solve.solve`.
    declined
        (volunteer id, need id) of proposals declined: not planned again.

    Returns
    -------
    Repair
        The roster, its diff, and what was dropped.

    Raises
    ------
    DataError
        When a cancelled id is not a volunteer of the problem.
    """
    params = params or SolverParams()
    changed, dropped = cancel_volunteers(problem, cancelled, frozen_before, declined=declined)
    within = tuple(_within(problem, reference))
    outside = tuple(a for a in reference if a not in set(within))
    target = None if fresh else Reference(within, frozen_before)
    result = solve(changed, params, progress=progress, stop=stop, reference=target)
    if not result.has_roster:
        return Repair(changed, result, (), tuple(cancelled), dropped, outside)
    changes = diff_rosters(changed, within, result.assignments, cancelled)
    report = reference_report(changed, within, changes, label or _("the reference roster"), fresh)
    return Repair(
        changed,
        dataclasses.replace(result, reference=report),
        changes,
        tuple(cancelled),
        dropped,
        outside,
    )


def _time_cells(a: Assignment | None) -> tuple[str, str, str]:
    if a is None:
        return "", "", ""
    date = a.date.isoformat() if a.date else ""
    return date, format_minutes(a.start), format_minutes(a.end)


def diff_rows(problem: Problem, changes: Sequence[Change]) -> list[dict[str, str]]:
    """The rows of ``diff.csv`` (:data:`DIFF_COLUMNS`), one per change."""
    rows = []
    for c in changes:
        volunteer = problem.volunteer(c.volunteer_id)
        now = c.after if c.after is not None else c.before
        assert now is not None
        date, start, end = _time_cells(now)
        earlier = c.before if c.kind in (ChangeKind.MOVED, ChangeKind.TIME) else None
        from_date, from_start, _end = _time_cells(earlier)
        rows.append(
            {
                "change": str(c.kind),
                "volunteer_id": c.volunteer_id,
                "volunteer_name": volunteer.name,
                "need_id": now.need_id,
                "need_title": problem.need(now.need_id).title,
                "date": date,
                "start": start,
                "end": end,
                "from_need_id": earlier.need_id if earlier is not None else "",
                "from_need_title": problem.need(earlier.need_id).title
                if earlier is not None
                else "",
                "from_date": from_date,
                "from_start": from_start,
                "reason": c.reason,
            }
        )
    return rows


def diff_csv(problem: Problem, changes: Sequence[Change]) -> bytes:
    """The bytes of ``diff.csv``: UTF-8 with BOM, as ``roster.csv``."""
    rows = diff_rows(problem, changes)
    return csv_bytes(DIFF_COLUMNS, ([row[c] for c in DIFF_COLUMNS] for row in rows))


def write_repair(repaired: Repair, out: str | Path) -> list[Path]:
    """Write the repaired roster's files and ``diff.csv`` into ``out`` as one set.

    The files of ``matcher solve`` (:func:`matcher.export.write_result`) plus
    ``diff.csv``; without a roster only ``summary-failed.json`` is written
    and the last files stay.

    Returns
    -------
    list of Path
        The files written.
    """
    from matcher.export import write_result

    extra = {DIFF_FILE: diff_csv(repaired.problem, repaired.changes)}
    return write_result(repaired.problem, repaired.result, out, extra=extra)


CHANGE_WORDS = {
    ChangeKind.ADDED: N_("added"),
    ChangeKind.REMOVED: N_("removed"),
    ChangeKind.MOVED: N_("moved"),
    ChangeKind.TIME: N_("new time"),
    ChangeKind.ROLE: N_("new lead"),
}
"""Each kind of change as a word for people (tables; the CSV keeps the code)."""
