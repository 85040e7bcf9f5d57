"""Each stage to the solver measured to do it better: CP-SAT, and HiGHS on large models.

On 2 cores (docs/benchmarks.md, issue 11) the two solvers of the same model
(:mod:`matcher.solver.cpsat`, :mod:`matcher.solver.highs`) split the work
this way at district size (5,000 volunteers x 1,500 needs): HiGHS's
LP-based branch and bound proves the coverage and wishes stages in 8-20 s
each, where CP-SAT reached the coverage bound within 1e-9 but never proved
it and its neighbourhood search reached about 90% of the wishes bound; the
soft stage stays with CP-SAT and its neighbourhood search (HiGHS on it
reached 20,592 and 18,570 in 20-25 s where CP-SAT reached 37,956 and
42,944).  Below ``params.highs_above`` eligible pairs (community size, GAP
instances, the parts of a city) CP-SAT alone proves every stage sooner.

HiGHS also stays out of a model whose volunteers have many needs that may
overlap on the same day (:data:`MOST_OVERLAPS`): each such pair of needs is
a disjunction with a big-M in the MILP, whose LP relaxation says little,
while CP-SAT reasons on the intervals themselves.  At 1,000 x 300 (every
need open to about 50 volunteers, nothing pruned) HiGHS did not improve the
coverage stage's start in 31 s where CP-SAT gained in 2 s.

With two workers or more the solvers race on every stage instead
(:class:`Portfolio`), on models of any size: at 5,000 x 1,500 seed 1 that
ended within 0.11% of the bound on every stage in 60 s, against 20% with
one worker, because HiGHS's soft stage wins there given 30 s, and CP-SAT's
on seed 2; on the GAP instances neither solver proved alone in 10 s
(gapc-4, gapc-6) the race proved both in about 7 s.

Both backends hear every start and every held stage, so whichever solves
the next stage solves it under the same rows from the same roster.
"""

from __future__ import annotations

import dataclasses
import math
import threading

from ortools.sat import cp_model_pb2

from matcher.domain import Problem
from matcher.eligibility import Eligibility
from matcher.params import SolverParams
from matcher.solver.backend import Backend, Improved, StageEnd, StageOutcome
from matcher.solver.cpsat import CpSatBackend
from matcher.solver.highs import HighsBackend, translation
from matcher.solver.milp import TranslationError, model_proto
from matcher.solver.model import RosterModel
from matcher.solver.objective import Term
from matcher.solver.solution import Solution

_PROOFS = (StageEnd.OPTIMAL, StageEnd.INFEASIBLE)

HIGHS_STAGES = ("coverage", "wishes")
"""Stages (by name prefix) that HiGHS solves on a large model; see the module docstring."""


MOST_OVERLAPS = 4.0
"""Pairs of intervals that may overlap (in the model's no-overlap constraints) per eligible
pair above which HiGHS stays out.  Measured on generated communities, seeds 1 and 2:
7.4 and 8.0 at 1,000 x 300 (HiGHS worse than CP-SAT on coverage), 1.8-2.1 at
3,000 x 900 and 5,000 x 1,500 (HiGHS proves coverage and wishes, CP-SAT does not)."""


def overlap_pairs(proto: cp_model_pb2.CpModelProto) -> int:
    """Pairs of intervals that share a no-overlap constraint (each a disjunction in the MILP)."""
    total = 0
    for constraint in proto.constraints:
        if constraint.WhichOneof("constraint") == "no_overlap":
            k = len(constraint.no_overlap.intervals)
            total += k * (k - 1) // 2
    return total


def uses_highs(stage: Term) -> bool:
    """Whether a large model's ``stage`` goes to HiGHS."""
    return stage.name.startswith(HIGHS_STAGES)


class Portfolio:
    """CP-SAT and HiGHS on one model: each stage to the better solver, or to both at once.

    With one worker (the default) a stage goes to one solver: HiGHS for
    :data:`HIGHS_STAGES`, CP-SAT for the rest.  With two workers or more
    every stage races: HiGHS in a thread of its own (it releases the GIL
    while it solves) beside CP-SAT with the other workers, both from the
    same start under the same held rows; the better roster and the smaller
    bound win, and the first to prove the stage optimal (or infeasible) ends
    the other.

    Parameters
    ----------
    cpsat
        The CP-SAT backend of the model.
    highs
        The HiGHS backend of the same model.
    race
        Run both on every stage (two workers or more).
    """

    def __init__(self, cpsat: CpSatBackend, highs: HighsBackend, race: bool = False) -> None:
        self.cpsat = cpsat
        self.highs = highs
        self.race = race
        self._start: Solution | None = None
        self._highs_start: Solution | None = None

    def start_from(self, solution: Solution) -> None:
        """Both solvers start the next stage from ``solution``.

        HiGHS's start is converted only when a stage of its own comes
        (completing the MILP point is a Python loop over the model's
        ordering columns).
        """
        self.cpsat.start_from(solution)
        self._start = solution

    def _start_highs(self) -> None:
        if self._start is not None and self._start is not self._highs_start:
            self.highs.start_from(self._start)
            self._highs_start = self._start

    def solve_stage(
        self, stage: Term, seconds: float, improved: Improved | None = None
    ) -> StageOutcome:
        """Maximise ``stage`` with the solver it belongs to, or with both."""
        if self.race:
            return self._race(stage, seconds, improved)
        if not uses_highs(stage):
            return self.cpsat.solve_stage(stage, seconds, improved)
        self._start_highs()
        return self.highs.solve_stage(stage, seconds, improved)

    def _race(self, stage: Term, seconds: float, improved: Improved | None) -> StageOutcome:
        """Both solvers on ``stage`` at once; the first to prove its stage stops the other."""
        self._start_highs()
        done = threading.Event()
        self.cpsat.stage_stop = self.highs.stage_stop = done
        lock = threading.Lock()
        best = [-math.inf]
        bounds = {"cpsat": math.inf, "highs": math.inf}

        def reporter(solver: str) -> Improved:
            def report(objective: float, bound: float) -> None:
                with lock:  # two threads report; progress sees one rising sequence
                    bounds[solver] = min(bounds[solver], bound)
                    if objective > best[0]:
                        best[0] = objective
                        if improved is not None:
                            improved(objective, min(bounds.values()))

            return report

        outcomes: dict[str, StageOutcome | BaseException] = {}

        def run_highs() -> None:
            try:
                outcome = self.highs.solve_stage(stage, seconds, reporter("highs"))
                outcomes["highs"] = outcome
            except BaseException as error:  # re-raised in the caller's thread
                outcomes["highs"] = error
                return
            if outcome.end in _PROOFS:
                done.set()
                self.cpsat.stop_stage()

        thread = threading.Thread(target=run_highs, name=f"highs-{stage.name}", daemon=True)
        thread.start()
        try:
            cpsat = self.cpsat.solve_stage(stage, seconds, reporter("cpsat"))
            if cpsat.end in _PROOFS:
                done.set()
            # else HiGHS keeps its time: it may still find more than CP-SAT did
        except BaseException:
            done.set()
            raise
        finally:
            thread.join()
            self.cpsat.stage_stop = self.highs.stage_stop = None
        highs = outcomes["highs"]
        if isinstance(highs, BaseException):
            raise highs
        return better_of(cpsat, highs)

    def hold(self, stage: Term, reached: int, bound: int) -> None:
        """Hold ``stage`` in both solvers."""
        self.cpsat.hold(stage, reached, bound)
        self.highs.hold(stage, reached, bound)

    def interrupt(self) -> None:
        """Stop both solvers."""
        self.cpsat.interrupt()
        self.highs.interrupt()


def better_of(cpsat: StageOutcome, highs: StageOutcome) -> StageOutcome:
    """One stage solved by both solvers of the same model: the better roster, the smaller bound.

    Either's infeasibility proof holds for both.  A bound counts when its
    solver found a roster (CP-SAT's bound without one can be a placeholder)
    and, for HiGHS, whenever it is finite (a dual bound always holds).
    """
    both = (cpsat, highs)
    runtime = max(o.runtime for o in both)
    proofs = [o for o in both if o.end == StageEnd.INFEASIBLE]
    if proofs:
        return dataclasses.replace(proofs[0], runtime=runtime)
    found = [o for o in both if o.solution is not None and o.objective is not None]
    bounds = [o.bound for o in found if o.bound is not None]
    if highs.bound is not None and math.isfinite(highs.bound):
        bounds.append(highs.bound)
    if not found:
        return StageOutcome(StageEnd.NO_ROSTER, None, min(bounds, default=None), runtime)
    chosen = max(found, key=lambda o: (o.objective, o.end == StageEnd.OPTIMAL))
    assert chosen.objective is not None
    # Each bound holds for every roster: one below the best is a solver's rounding.
    bound = max(min(bounds), chosen.objective) if bounds else None
    proven = chosen.end == StageEnd.OPTIMAL or (
        bound is not None and bound - chosen.objective < 0.5
    )
    end = StageEnd.OPTIMAL if proven else StageEnd.FEASIBLE
    return StageOutcome(end, chosen.objective, bound, runtime, chosen.solution)


def stage_backend(
    rm: RosterModel, params: SolverParams, elig: Eligibility, problem: Problem
) -> Backend:
    """The backend of one model: CP-SAT, with HiGHS for some stages of a large one.

    With one worker HiGHS joins a model of at least ``params.highs_above``
    eligible pairs; with two workers or more it races CP-SAT on every stage
    of a model of any size (:class:`Portfolio`).  Either way only with
    ``highs_above`` above 0, at most :data:`MOST_OVERLAPS` pairs of intervals
    that may overlap per eligible pair, and no reference roster (a changes
    stage counts negated literals, which the measurements did not cover); a
    model the MILP translation cannot read stays with CP-SAT alone.
    """
    highs = _highs_backend(rm, params, elig)
    if highs is None:
        return CpSatBackend(rm, params, elig, problem)
    if params.workers < 2:
        return Portfolio(CpSatBackend(rm, params, elig, problem), highs)
    # HiGHS takes one of the workers (one thread); CP-SAT the others.
    others = params.replace(workers=params.workers - 1)
    return Portfolio(CpSatBackend(rm, others, elig, problem), highs, race=True)


def _highs_backend(rm: RosterModel, params: SolverParams, elig: Eligibility) -> HighsBackend | None:
    """HiGHS on the model when it joins (see :func:`stage_backend`), else None."""
    if params.highs_above <= 0 or rm.reference is not None:
        return None
    if params.workers < 2 and elig.size < params.highs_above:
        return None  # on one core the smaller models are CP-SAT's (see the module docstring)
    # Exported once (0.05 s at 5,000 x 1,500) for the count and the translation;
    # read-only, unlike rm.model.proto, whose sub-messages are made on access.
    proto = model_proto(rm.model)
    if overlap_pairs(proto) > MOST_OVERLAPS * elig.size:
        return None
    try:
        return HighsBackend(rm, params, translation(rm, proto))
    except TranslationError:
        return None
