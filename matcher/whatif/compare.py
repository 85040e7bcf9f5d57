"""A scenario's roster beside the base roster: coverage, unmet needs, load, changes.

The figures of one run (:func:`run_figures`) are what an organiser reads
first: how many needs are staffed (overall, by category, by priority, and
weighted by priority), which needs stay unmet and why (the reasons
:mod:`matcher.explain` gave the solve), how the load spreads over the
volunteers, and how many assignments differ from the base roster, that is
how many people would have to be told of a change.

Load spread is stated three ways over every volunteer of the scenario's
problem: the share who serve at least once, the most shifts anyone has, and
the Gini coefficient of shifts per volunteer (0 when everyone serves
equally often, towards 1 when a few carry everything; computed over all
registered volunteers, so people with no shift count as zeros).
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from matcher.domain import Problem
from matcher.i18n import _
from matcher.result import Result

__all__ = [
    "Change",
    "Figures",
    "RunOutcome",
    "changes",
    "comparison_data",
    "gini",
    "run_figures",
]


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of non-negative values (0 = all equal; 0 for all zeros).

    Computed from the sorted values as ``sum((2i - n - 1) x_i) / (n sum x)``
    with ``i`` from 1 to ``n``.
    """
    data = np.sort(np.asarray(values, dtype=float))
    n = data.size
    total = data.sum()
    if n == 0 or total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float(((2 * ranks - n - 1) * data).sum() / (n * total))


@dataclasses.dataclass(frozen=True, slots=True)
class Coverage:
    """Needs staffed to their minimum, of how many, in one group."""

    needs: int
    staffed: int

    @property
    def share(self) -> float:
        """Staffed needs over needs (1 for no needs)."""
        return self.staffed / self.needs if self.needs else 1.0


@dataclasses.dataclass(frozen=True, slots=True)
class UnmetRow:
    """A need below its minimum in one run, and why."""

    need_id: str
    title: str
    category: str
    priority: int
    must_cover: bool
    assigned: int
    min_volunteers: int
    reasons: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Figures:
    """The figures of one run (base or scenario)."""

    status: str
    runtime: float
    gap: float
    volunteers: int
    needs: int
    staffed: int
    weighted_coverage: float
    """Staffed needs weighted by priority, over all needs weighted alike."""
    places_min: int
    """Volunteers the needs ask for at least, summed."""
    places_filled: int
    """Of those, places filled (a need's assignments up to its minimum)."""
    assignments: int
    must_cover_unmet: int
    by_category: dict[str, Coverage]
    by_priority: dict[int, Coverage]
    serving: int
    max_shifts: int
    gini_shifts: float
    unmet: tuple[UnmetRow, ...]

    @property
    def coverage(self) -> float:
        """Staffed needs over needs."""
        return self.staffed / self.needs if self.needs else 1.0

    @property
    def share_serving(self) -> float:
        """Volunteers with at least one shift over all volunteers."""
        return self.serving / self.volunteers if self.volunteers else 0.0


def run_figures(problem: Problem, result: Result) -> Figures:
    """The figures of one solved run.

    Parameters
    ----------
    problem
        The problem that was solved.
    result
        Its result (with or without a roster: without one, nothing is staffed).
    """
    assigned: Counter[str] = Counter(a.need_id for a in result.assignments)
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_priority: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    staffed = weight = weight_staffed = places_min = places_filled = must_cover_unmet = 0
    for need in problem.needs:
        ok = assigned[need.id] >= need.min_volunteers
        staffed += ok
        weight += need.priority
        weight_staffed += need.priority * ok
        places_min += need.min_volunteers
        places_filled += min(assigned[need.id], need.min_volunteers)
        must_cover_unmet += need.must_cover and not ok
        for table, key in ((by_category, str(need.category)), (by_priority, need.priority)):
            table[key][0] += 1  # type: ignore[index]
            table[key][1] += ok  # type: ignore[index]
    reasons = {u.need_id: tuple(r.message for r in u.reasons) for u in result.unmet}
    unmet = tuple(
        UnmetRow(
            need_id=need.id,
            title=need.title,
            category=str(need.category),
            priority=need.priority,
            must_cover=need.must_cover,
            assigned=assigned[need.id],
            min_volunteers=need.min_volunteers,
            reasons=reasons.get(need.id, ()),
        )
        for need in sorted(problem.needs, key=lambda n: (-n.priority, n.id))
        if assigned[need.id] < need.min_volunteers
    )
    shifts = Counter(a.volunteer_id for a in result.assignments)
    load = [shifts[v.id] for v in problem.volunteers]
    return Figures(
        status=str(result.status),
        runtime=result.runtime,
        gap=result.gap,
        volunteers=len(problem.volunteers),
        needs=len(problem.needs),
        staffed=staffed,
        weighted_coverage=weight_staffed / weight if weight else 1.0,
        places_min=places_min,
        places_filled=places_filled,
        assignments=len(result.assignments),
        must_cover_unmet=must_cover_unmet,
        by_category={k: Coverage(*v) for k, v in sorted(by_category.items())},
        by_priority={k: Coverage(*v) for k, v in sorted(by_priority.items(), reverse=True)},
        serving=sum(1 for x in load if x),
        max_shifts=max(load, default=0),
        gini_shifts=gini(load),
        unmet=unmet,
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Change:
    """One assignment in one roster and not in the other."""

    kind: str
    """``added`` (in the scenario only) or ``removed`` (in the base only)."""
    need_id: str
    volunteer_id: str
    name: str


def changes(base: Problem, base_result: Result, problem: Problem, result: Result) -> list[Change]:
    """Assignments that differ between the base roster and a scenario's, by need then person.

    An assignment is a (need, volunteer) pair; one whose need or volunteer
    the scenario removed counts as removed.
    """
    before = {(a.need_id, a.volunteer_id) for a in base_result.assignments}
    after = {(a.need_id, a.volunteer_id) for a in result.assignments}
    names = {v.id: v.name for v in base.volunteers} | {v.id: v.name for v in problem.volunteers}
    rows = [Change("removed", n, v, names.get(v, "")) for n, v in before - after]
    rows += [Change("added", n, v, names.get(v, "")) for n, v in after - before]
    return sorted(rows, key=lambda c: (c.need_id, c.kind, c.volunteer_id))


@dataclasses.dataclass(frozen=True)
class RunOutcome:
    """One scenario (or the base) after its run: problem, result, or why it did not run.

    ``issues`` hold the messages of a scenario that could not be built
    (a change that refers to nothing, a rule the changed problem breaks);
    then ``problem`` and ``result`` are None.
    """

    name: str
    description: str = ""
    extends: str | None = None
    problem: Problem | None = None
    result: Result | None = None
    issues: tuple[str, ...] = ()

    @property
    def state(self) -> str:
        """``ok``, ``invalid`` (not built) or ``no_roster`` (built, no roster found)."""
        if self.result is None:
            return "invalid"
        return "ok" if self.result.has_roster else "no_roster"


def _coverage_json(table: dict[Any, Coverage]) -> dict[str, dict[str, float]]:
    return {
        str(k): {"needs": c.needs, "staffed": c.staffed, "share": round(c.share, 4)}
        for k, c in table.items()
    }


def figures_json(figures: Figures) -> dict[str, Any]:
    """The figures as plain JSON data."""
    return {
        "status": figures.status,
        "runtime": round(figures.runtime, 3),
        "gap": figures.gap,
        "volunteers": figures.volunteers,
        "needs": figures.needs,
        "staffed": figures.staffed,
        "coverage": round(figures.coverage, 4),
        "weighted_coverage": round(figures.weighted_coverage, 4),
        "places_min": figures.places_min,
        "places_filled": figures.places_filled,
        "assignments": figures.assignments,
        "must_cover_unmet": figures.must_cover_unmet,
        "coverage_by_category": _coverage_json(figures.by_category),
        "coverage_by_priority": _coverage_json(figures.by_priority),
        "load": {
            "serving": figures.serving,
            "share_serving": round(figures.share_serving, 4),
            "max_shifts": figures.max_shifts,
            "gini_shifts": round(figures.gini_shifts, 4),
        },
        "unmet_needs": [dataclasses.asdict(u) for u in figures.unmet],
    }


def comparison_data(
    base: RunOutcome, scenarios: Sequence[RunOutcome], stable: bool = True
) -> dict[str, Any]:
    """The whole comparison as plain JSON data (``comparison.json``).

    Each scenario has its figures, the difference of its headline figures
    from the base's (``delta``), and the assignments that changed;
    ``stable`` says whether the scenarios kept the base roster as their
    reference (recorded, for whoever reads the changes).
    """
    assert base.problem is not None and base.result is not None
    base_figures = run_figures(base.problem, base.result)
    runs = []
    for run in scenarios:
        entry: dict[str, Any] = {
            "name": run.name,
            "description": run.description,
            "extends": run.extends,
            "state": run.state,
            "issues": list(run.issues),
        }
        if run.problem is not None and run.result is not None:
            figures = run_figures(run.problem, run.result)
            moved = changes(base.problem, base.result, run.problem, run.result)
            entry["figures"] = figures_json(figures)
            entry["delta"] = {
                "staffed": figures.staffed - base_figures.staffed,
                "coverage": round(figures.coverage - base_figures.coverage, 4),
                "weighted_coverage": round(
                    figures.weighted_coverage - base_figures.weighted_coverage, 4
                ),
                "places_filled": figures.places_filled - base_figures.places_filled,
                "unmet": len(figures.unmet) - len(base_figures.unmet),
                "gini_shifts": round(figures.gini_shifts - base_figures.gini_shifts, 4),
            }
            entry["changes"] = {
                "added": sum(1 for c in moved if c.kind == "added"),
                "removed": sum(1 for c in moved if c.kind == "removed"),
                "volunteers_affected": len({c.volunteer_id for c in moved}),
                "assignments": [dataclasses.asdict(c) for c in moved],
            }
        runs.append(entry)
    return {
        "dataset": base.problem.name,
        "stable": stable,
        "base": {"name": _("base"), "state": base.state, "figures": figures_json(base_figures)},
        "scenarios": runs,
        "notes": {
            "coverage": _("needs staffed to their minimum, over all needs"),
            "weighted_coverage": _("the same, each need weighted by its priority"),
            "gini_shifts": _(
                "Gini coefficient of shifts per volunteer over every volunteer "
                "(0: all serve equally often)"
            ),
        },
    }
