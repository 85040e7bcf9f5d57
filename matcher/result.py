"""The outcome of a roster run: assignments, solver figures and explanations."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import Any

from matcher.domain import Assignment
from matcher.i18n import N_, _


class Status(StrEnum):
    """Solver status as users see it."""

    OPTIMAL = "OPTIMAL"
    """Every stage proven optimal."""
    FEASIBLE = "FEASIBLE"
    """A roster that keeps every hard rule, not proven optimal (see ``gap``)."""
    INFEASIBLE = "INFEASIBLE"
    """No roster keeps every hard rule (usually must-cover needs; see ``unmet``)."""
    UNKNOWN = "UNKNOWN"
    """Time ran out before any roster was found."""

    @property
    def label(self) -> str:
        """The status as a word for people, in the language in force (``最优``, ``OPTIMAL``).

        The value stays the code (summary.json, the API); this is what a table shows.
        """
        return _(_STATUS_LABELS[self])


_STATUS_LABELS = {
    Status.OPTIMAL: N_("OPTIMAL"),
    Status.FEASIBLE: N_("FEASIBLE"),
    Status.INFEASIBLE: N_("INFEASIBLE"),
    Status.UNKNOWN: N_("UNKNOWN"),
}


def relative_gap(objective: float, bound: float) -> float:
    """Gap between objective and bound relative to the larger of the two (0 when equal).

    Dividing by the larger magnitude keeps the figure in [0, 1] when both
    have the same sign, also for soft objectives near zero.
    """
    return abs(bound - objective) / max(1.0, abs(objective), abs(bound))


@dataclasses.dataclass(frozen=True, slots=True)
class StageReport:
    """One lexicographic stage of the solve (coverage first, then the soft rules)."""

    name: str
    status: Status
    objective: float
    bound: float
    gap: float
    runtime: float


@dataclasses.dataclass(frozen=True, slots=True)
class Reason:
    """Why a need is not (fully) staffed; ``count`` is how many volunteers it concerns."""

    code: str
    message: str
    count: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class Candidate:
    """A volunteer near an unmet or short need, and why they are not on it: whom to call.

    ``code`` is the first thing keeping them off (see :mod:`matcher.explain`
    for the codes) and ``codes`` every one, in the order ``message`` gives
    them; ``rules_short`` counts them (0: eligible and free, or eligible on a
    run without a roster).  ``shifts`` and ``minutes`` are their load in the
    roster.
    """

    volunteer_id: str
    name: str
    department: str
    code: str
    message: str
    rules_short: int
    shifts: int = 0
    minutes: int = 0
    codes: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class UnmetNeed:
    """A need staffed below its minimum (so not at all) or below its maximum."""

    need_id: str
    title: str
    category: str
    priority: int
    min_volunteers: int
    max_volunteers: int
    assigned: int
    eligible: int
    reasons: tuple[Reason, ...]
    candidates: tuple[Candidate, ...] = ()
    """Up to five nearest volunteers not on the need: fewest rules short, least loaded first."""

    @property
    def staffed(self) -> bool:
        """True when the need has at least its minimum (only short of its maximum)."""
        return self.assigned >= self.min_volunteers


@dataclasses.dataclass(frozen=True, slots=True)
class MustCoverConflict:
    """Must-cover needs (and pins) that no roster can keep together, none of them spare.

    ``minimal`` is True when dropping any one of them was tried and each
    time a roster existed; False when the search ran out of time first
    (the set still cannot be kept, but may hold more than it needs).
    ``volunteer_ids`` are the volunteers they compete for: eligible for at
    least two of them (for a single need, its eligible volunteers).
    """

    need_ids: tuple[str, ...]
    volunteer_ids: tuple[str, ...]
    pins: tuple[tuple[str, str], ...] = ()
    """(volunteer_id, need_id) of each pin in the set."""
    minimal: bool = True


@dataclasses.dataclass(frozen=True, slots=True)
class UnmetWish:
    """A household's wish that no volunteer on one of its staffed needs meets.

    ``kind`` is ``gender`` (the household's preferred gender) or ``language``
    (any of its languages other than 普通话); ``wish`` is what was asked in
    the spreadsheet's words (``女``, ``柳州话、壮话``).  ``reasons`` say why,
    in the order a coordinator would check them (see
    :func:`matcher.solver.wishes.unmet_wishes`).
    """

    household_id: str
    need_id: str
    kind: str
    wish: str
    reasons: tuple[Reason, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class ReferenceReport:
    """How a roster differs from the reference roster it was solved against (or compared with).

    Counted as :func:`matcher.repair.diff_rosters` lists the changes: a
    volunteer who left one need for another is one ``moved``; a new start
    on the same need is one ``time``; a new lead of the same team is a
    ``role`` change (told, but not counted as a change of plan).
    """

    label: str
    """Which roster: ``roster 12`` (the service's plan of record) or a file name."""
    assignments: int
    """Assignments of the reference in this problem's dates."""
    kept: int
    """Of them, on the roster as they were (same need, volunteer, date and time)."""
    added: int = 0
    removed: int = 0
    moved: int = 0
    time: int = 0
    role: int = 0
    volunteers: int = 0
    """Volunteers whose plan changed (a role change alone does not count)."""
    fresh: bool = False
    """True: planned afresh, only compared; False: kept where coverage allowed."""

    @property
    def message(self) -> str:
        """The report in a sentence, in the language in force."""
        if self.fresh:
            text = _(
                "a fresh plan, not kept close to {label}: {volunteers} volunteers' plans differ "
                "from it ({kept} of {assignments} assignments as they were)"
            )
        else:
            text = _(
                "kept close to {label}: {volunteers} volunteers' plans changed "
                "({kept} of {assignments} assignments as they were; {added} added, "
                "{removed} removed, {moved} moved, {time} at a new time)"
            )
        return text.format(**{f.name: getattr(self, f.name) for f in dataclasses.fields(self)})

    def as_dict(self) -> dict[str, Any]:
        """Plain data for summaries, with the sentence."""
        return {**dataclasses.asdict(self), "message": self.message}


@dataclasses.dataclass(frozen=True)
class Result:
    """A roster and everything needed to trust it.

    ``objective`` and ``bound`` are those of the last stage that ran (normally
    the soft rules, with coverage held at its best; ``stages`` names it);
    ``gap`` is the largest relative gap over all stages, so 0 means every
    stage is proven optimal and it is never smaller than the last stage's own.
    """

    status: Status
    assignments: tuple[Assignment, ...]
    objective: float
    bound: float
    gap: float
    runtime: float
    coverage_score: float = 0.0
    coverage_bound: float = 0.0
    stages: tuple[StageReport, ...] = ()
    objective_terms: dict[str, float] = dataclasses.field(default_factory=dict)
    unmet: tuple[UnmetNeed, ...] = ()
    message: str = ""
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    pairs: int = 0
    """Volunteer-need pairs in the model (one variable each)."""
    pruned_pairs: int = 0
    """Eligible pairs left out by the candidate limit; the bound is the pruned model's."""
    conflict: MustCoverConflict | None = None
    """When the run is infeasible: the smallest set of must-cover needs found that clash."""
    unmet_wishes: tuple[UnmetWish, ...] = ()
    """Household wishes (gender, language) not met on a staffed need of the household, and why."""
    reference: ReferenceReport | None = None
    """How the roster differs from a reference roster (repair, stable re-solve); None without."""

    @property
    def has_roster(self) -> bool:
        """True when the result carries a roster that keeps every hard rule."""
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)

    def assignments_of(self, need_id: str) -> list[Assignment]:
        """Assignments of one need."""
        return [a for a in self.assignments if a.need_id == need_id]
