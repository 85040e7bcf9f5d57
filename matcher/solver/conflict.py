"""Which must-cover needs cannot all be staffed: the smallest clashing set, not a neighbourhood.

When no roster keeps every hard rule, listing every must-cover need does not
tell a coordinator what to change.  This module rebuilds the model's hard
rules with a literal that switches on each must-cover need (and each pin),
asks CP-SAT for the assumptions sufficient for infeasibility, and then drops
one item at a time while the rest still cannot be kept (a deletion filter),
so that every item left is needed: drop any one and a roster exists.

The search uses CP-SAT whatever backend ran the stages, one worker and no
presolve: with presolve, CP-SAT may name a literal that is not among the
assumptions (google/or-tools#5141), and every set kept is checked by a solve
anyway.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence

from ortools.sat.python import cp_model

from matcher.domain import Problem, format_minutes
from matcher.eligibility import Eligibility
from matcher.i18n import _
from matcher.params import SolverParams
from matcher.result import MustCoverConflict
from matcher.solver.model import RosterModel, add_hard_rules
from matcher.solver.variables import make_variables


@dataclasses.dataclass(frozen=True, slots=True)
class _Item:
    """A must-cover need (``need`` set) or a pin (``pin`` set) and its switch."""

    switch: cp_model.IntVar
    need: int = -1
    pin: int = -1

    @property
    def literal(self) -> int:
        """The switch's index, as CP-SAT names it in a core."""
        return self.switch.index


class _Search:
    """The hard rules with switchable must-cover needs and pins, solved under assumptions."""

    def __init__(
        self,
        problem: Problem,
        elig: Eligibility,
        rm: RosterModel,
        params: SolverParams,
        deadline: float,
        stop: Callable[[], bool] | None = None,
    ) -> None:
        self.params = params
        self.deadline = deadline
        self.stop = stop
        self.model = cp_model.CpModel()
        x = make_variables(self.model, problem, elig, rm.open_needs)
        must = {
            n: self.model.new_bool_var(f"must_{n}")
            for n in rm.open_needs
            if problem.needs[n].must_cover
        }
        pins = [self.model.new_bool_var(f"pin_{k}") for k in range(len(problem.pins))]
        add_hard_rules(self.model, problem, elig, x, params.travel_minutes_default, must, pins)
        self.items = [_Item(lit, need=n) for n, lit in must.items()]
        self.items += [_Item(lit, pin=k) for k, lit in enumerate(pins)]

    def infeasible(self, items: Sequence[_Item]) -> tuple[bool | None, set[int]]:
        """Whether no roster keeps ``items`` (None: time ran out), and CP-SAT's core."""
        left = self.deadline - time.perf_counter()
        if left < 0.01 or (self.stop is not None and self.stop()):
            return None, set()
        self.model.clear_assumptions()
        self.model.add_assumptions([item.switch for item in items])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = left
        solver.parameters.num_workers = 1
        solver.parameters.cp_model_presolve = False
        solver.parameters.random_seed = self.params.seed
        done = threading.Event()

        def watch() -> None:
            # a user's stop ends the search as it ends the stages, not at the deadline
            while not done.wait(0.2):
                if self.stop is not None and self.stop():
                    solver.stop_search()
                    return

        watcher = threading.Thread(target=watch, name="conflict-stop", daemon=True)
        watcher.start()
        try:
            code = solver.solve(self.model)
        finally:
            done.set()
            watcher.join()
        if code == cp_model.INFEASIBLE:
            return True, set(solver.sufficient_assumptions_for_infeasibility())
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False, set()
        return None, set()


def must_cover_conflict(
    problem: Problem,
    elig: Eligibility,
    rm: RosterModel,
    params: SolverParams,
    seconds: float,
    stop: Callable[[], bool] | None = None,
) -> MustCoverConflict | None:
    """The smallest set of must-cover needs (and pins) that no roster can keep together.

    Parameters
    ----------
    problem, elig, rm
        The problem, its eligible pairs and the roster model found infeasible.
    params
        Seed and travel minutes (the search runs one CP-SAT worker).
    seconds
        Time for the whole search.
    stop
        The solve's stop criterion: when it holds, the search ends at once
        (returning what it has, or None).

    Returns
    -------
    MustCoverConflict or None
        None when the hard rules fail even without every must-cover need
        and pin, or when time ran out before one infeasible set was found.
        ``minimal`` is False when time ran out while dropping items.
    """
    if seconds < 0.1 or (stop is not None and stop()):
        return None  # not even time to build the search model
    deadline = time.perf_counter() + seconds
    search = _Search(problem, elig, rm, params, deadline, stop)
    if not search.items:
        return None
    verdict, core = search.infeasible(search.items)
    if not verdict:
        return None
    kept = [item for item in search.items if item.literal in core]
    if len(kept) < len(search.items):
        # CP-SAT's core is a start, not a proof: check it before trusting it.
        verdict, _core = search.infeasible(kept)
        if not verdict:
            kept = list(search.items)
    minimal = True
    i = 0
    while i < len(kept):
        trial = kept[:i] + kept[i + 1 :]
        verdict, core = search.infeasible(trial)
        if verdict is None:
            minimal = False
            break
        if verdict:
            kept = trial  # still infeasible without it: it was not needed
        else:
            i += 1
    return _conflict(problem, elig, kept, minimal)


def _conflict(
    problem: Problem, elig: Eligibility, items: Sequence[_Item], minimal: bool
) -> MustCoverConflict:
    """The conflict's needs, pins and the volunteers they compete for."""
    needs = [item.need for item in items if item.need >= 0]
    pins = [problem.pins[item.pin] for item in items if item.pin >= 0]
    # Volunteers eligible for two or more of the needs are what they compete
    # for; a single need (or needs sharing nobody) names all its candidates.
    counts: Counter[int] = Counter()
    for n in needs:
        counts.update(set(elig.volunteer[elig.pairs_of_need(n)].tolist()))
    shared = {v for v, c in counts.items() if c >= 2} or set(counts)
    shared |= {problem.volunteer_index[pin.volunteer_id] for pin in pins}
    return MustCoverConflict(
        need_ids=tuple(problem.needs[n].id for n in sorted(needs)),
        volunteer_ids=tuple(problem.volunteers[v].id for v in sorted(shared)),
        pins=tuple((pin.volunteer_id, pin.need_id) for pin in pins),
        minimal=minimal,
    )


def describe_conflict(problem: Problem, conflict: MustCoverConflict) -> str:
    """The conflict in a sentence: the needs with their times, the volunteers by name, the pins."""
    parts = []
    listed = _(", ")
    if conflict.need_ids:
        needs = []
        for need_id in conflict.need_ids:
            need = problem.need(need_id)
            when = ""
            if need.date is not None:
                when = f" {need.date} {format_minutes(need.start)}-{format_minutes(need.end)}"
            needs.append(f"{need.id} {need.title}{when}")
        parts.append(
            _("these must-cover needs cannot all be staffed: {needs}").format(
                needs=listed.join(needs)
            )
        )
    if conflict.volunteer_ids:
        names = [f"{v} {problem.volunteer(v).name}" for v in conflict.volunteer_ids]
        shown = names[:10]
        if len(names) > 10:
            shown.append(_("and {count} more").format(count=len(names) - 10))
        parts.append(_("they compete for {volunteers}").format(volunteers=listed.join(shown)))
    if conflict.pins:
        pins = listed.join(
            _("{volunteer} on {need}").format(volunteer=v, need=n) for v, n in conflict.pins
        )
        if conflict.need_ids:
            parts.append(_("with the pins {pins}").format(pins=pins))
        else:
            parts.append(_("these pins cannot all hold: {pins}").format(pins=pins))
    if not conflict.minimal:
        parts.append(_("time ran out before the set was proven smallest"))
    return _("; ").join(parts)
