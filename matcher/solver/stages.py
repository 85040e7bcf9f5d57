"""The lexicographic stage driver: greedy starts, coverage, wishes, soft rules, held in turn.

One procedure for every backend (CP-SAT in the library, HiGHS in the
benchmark), so that a comparison of backends compares solvers, not
procedures:

1. two greedy rosters (file order, and best-valued volunteers first; with a
   reference roster a third, its pairs first); the best one, by whether it
   keeps must-cover needs, pins and history and then by its stage values,
   is the first start and, when it keeps every hard rule, the
   fallback roster;
2. each coverage stage (one, or one per priority), the changes stage (with
   a reference roster, :mod:`matcher.solver.reference`), the wishes stage
   (households' preferred gender and languages, when on and anything can be
   met), then the soft stage; coverage stages are given 60% of the time
   left, the wishes stage 50% (:data:`WISHES_SHARE`), the last stage all of
   it; a wishes stage that finds no roster in its share holds its start's
   value and the soft stage still runs;
3. before the soft stage the roster's teams are rebuilt and filled
   (:meth:`Solution.filled`), kept only when that keeps every earlier
   stage's value (rebuilt teams may swap a wished-for volunteer out);
4. each finished stage is held by :func:`hold_rows` while the later ones run.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence

import numpy as np

from matcher.baselines import greedy_roster
from matcher.domain import Assignment, Problem
from matcher.eligibility import Eligibility
from matcher.explain import explain_unmet
from matcher.i18n import N_, _
from matcher.params import SolverParams
from matcher.result import (
    MustCoverConflict,
    StageReport,
    Status,
    UnmetNeed,
    UnmetWish,
    relative_gap,
)
from matcher.solver.backend import Backend, HeldRow, Improved, StageEnd, StageOutcome
from matcher.solver.conflict import describe_conflict, must_cover_conflict
from matcher.solver.model import RosterModel
from matcher.solver.objective import Term, pair_bound
from matcher.solver.solution import Solution
from matcher.solver.stop import AnyOf, Deadline, StoppingCriterion, StopWatcher
from matcher.solver.wishes import unmet_wishes

WISHES_SHARE = 0.5
"""Share of the time left that the wishes stage may take (coverage stages take 0.6).

Half of what coverage leaves: at 5,000 x 1,500 CP-SAT's presolve alone takes
about 7 s a stage, so a smaller share ends before the first roster; the soft
stage keeps the other half (one CP-SAT worker rarely improves its start there).
"""

Progress = Callable[[str, float, float, float], None]
"""Called as ``progress(stage, objective, bound, elapsed_seconds)`` on each better roster."""


@dataclasses.dataclass(frozen=True)
class StageSettings:
    """How one model's stages run (everything but the model and its backend).

    Attributes
    ----------
    params
        Solver parameters (hint on or off, weights, travel minutes).
    started
        ``time.perf_counter()`` when the whole solve started (progress times count from it).
    deadline_for
        ``deadline_for(stage_count)``: the ``perf_counter`` time by which the stages must end.
    progress
        Called on every better roster.
    label
        Names the part in progress reports (``soft (part 3 of 40)``); empty for a whole problem.
    stop
        A criterion to poll between stages (the user's stop); the deadline is added to it.
    watcher
        Interrupts the running backend when the user's stop comes mid-stage.
    """

    params: SolverParams
    started: float
    deadline_for: Callable[[int], float]
    progress: Progress | None = None
    label: str = ""
    stop: StoppingCriterion | None = None
    watcher: StopWatcher | None = None


@dataclasses.dataclass
class ModelRun:
    """One model solved stage by stage: its best roster and what each stage reached."""

    elig: Eligibility
    rm: RosterModel
    soft: Term
    best: Solution | None
    reports: list[StageReport]
    status: Status
    message: str
    conflict: MustCoverConflict | None = None
    """When infeasible: the smallest set of must-cover needs and pins found that clash."""

    @property
    def has_roster(self) -> bool:
        """True when the run ends with a roster that keeps every hard rule."""
        return self.best is not None and self.status in (Status.OPTIMAL, Status.FEASIBLE)

    def explain_unmet(
        self,
        problem: Problem,
        roster: Sequence[Assignment],
        travel_default: int,
        nearest: bool = True,
    ) -> tuple[UnmetNeed, ...]:
        """Why each need is unmet or short in ``roster`` (this run's, empty when it has none).

        The one call a single model's result and a part's outcome both make
        (:func:`matcher.explain.explain_unmet` with this run's blocked needs);
        a part leaves the nearest volunteers to the merge (``nearest`` False),
        which names them over the whole problem.
        """
        return explain_unmet(
            problem,
            self.elig,
            roster,
            self.rm.closed,
            travel_default,
            has_roster=self.has_roster,
            nearest=nearest,
        )

    def explain_wishes(
        self, problem: Problem, roster: Sequence[Assignment], params: SolverParams
    ) -> tuple[UnmetWish, ...]:
        """Household wishes ``roster`` leaves unmet on staffed needs, and why (empty without one).

        The wishes stage's status tells the reasons apart: proven, a wish
        left unmet would have cost coverage, another wish or a team rule.
        """
        if not self.has_roster:
            return ()
        stage: Status | None = None
        if params.wishes_stage:
            # Without a stage in the model no pair meets a wish: nothing to prove.
            stage = Status.OPTIMAL if not self.rm.wishes else Status.UNKNOWN
            for report in self.reports:
                if report.name == "wishes":
                    stage = report.status
        return unmet_wishes(problem, self.elig, roster, params.travel_minutes_default, stage)


def stage_terms(rm: RosterModel) -> list[Term]:
    """The stages in order: coverage, changes to a reference (if any), wishes (if any), soft.

    All soft terms are one stage.
    """
    soft = Term(
        "soft",
        [v for t in rm.soft for v in t.variables],
        [c for t in rm.soft for c in t.coefficients],
    )
    return [*rm.coverage, *rm.changes, *rm.wishes, soft]


def hold_rows(stage: Term, reached: int, bound: int) -> list[HeldRow]:
    """Rows that keep a stage at ``reached`` or better while the later stages run.

    Coverage weights are a mixed radix (a staffed need of one priority
    outweighs all lower priorities together), so ``coverage >= reached`` says
    the counts of staffed needs per priority are lexicographically at least
    those of ``reached``, and ``coverage <= bound`` that they are at most
    those of ``bound``.  Where the two agree, from the top, the count is
    fixed; at the first priority where they differ the weighted row stays,
    over that priority and the ones below only.  That is the same set of
    rosters, written with coefficients of 1 instead of a row spanning ten
    orders of magnitude, which starved the soft stage's LP (measured at
    5,000 x 1,500: the soft stage ended 34% below its bound, while a roster
    within 2% of it exists).

    Parameters
    ----------
    stage
        The finished stage.
    reached
        Its value reached (rounded).
    bound
        Its proven upper bound (rounded down).

    Returns
    -------
    list of HeldRow
        In the order a backend should add them.
    """
    levels: dict[int, list[object]] = {}
    for var, coeff in zip(stage.variables, stage.coefficients, strict=True):
        levels.setdefault(int(coeff), []).append(var)
    weights = sorted(levels, reverse=True)
    whole = HeldRow(list(stage.variables), list(stage.coefficients), reached, None)
    below = 0
    for w in reversed(weights):
        if w <= below:  # not a mixed radix: hold the row as it is
            return [whole]
        below += w * len(levels[w])
    if len(weights) < 2 or bound < reached:
        return [whole]

    def counts(value: int) -> list[int]:
        out = []
        for w in weights:
            k = min(len(levels[w]), max(0, value // w))
            out.append(k)
            value -= k * w
        return out

    low, high = counts(reached), counts(bound)
    rows = []
    for i, w in enumerate(weights):
        ones = [1] * len(levels[w])
        if low[i] == high[i]:
            rows.append(HeldRow(levels[w], ones, low[i], low[i]))
            continue
        rows.append(HeldRow(levels[w], ones, low[i], None))
        rows.append(HeldRow(levels[w], ones, None, high[i]))
        rest = weights[i:]
        if len(rest) > 1:
            rows.append(
                HeldRow(
                    [v for u in rest for v in levels[u]],
                    [u for u in rest for _ in levels[u]],
                    sum(low[i + j] * u for j, u in enumerate(rest)),
                    None,
                )
            )
        break
    return rows


def _greedy_start(
    problem: Problem, elig: Eligibility, rm: RosterModel, params: SolverParams, stages: list[Term]
) -> Solution:
    """The best greedy roster: file order, best-valued volunteers first, or the reference's.

    The second greedy takes the best-valued volunteers first: at 1,000 x 300
    and above CP-SAT with one worker rarely improves on its start, so the
    start's soft value matters.  It is kept only when it staffs at least as
    much (coverage is the first stage).  With a reference roster a third
    greedy takes the reference's pairs first.
    """
    travel, fairness = params.travel_minutes_default, params.weights.fairness
    preferences: list[np.ndarray | None] = [None, rm.gain]
    if rm.reference is not None:
        # the reference's own pairs first: a start that changes little
        preferences.append(rm.gain + (int(np.abs(rm.gain).sum()) + 1) * rm.reference.held)
    starts = [
        Solution.from_placements(
            elig, rm, greedy_roster(problem, elig, travel, preference=preference, fairness=fairness)
        )
        for preference in preferences
    ]

    # A roster that keeps must-cover needs and pins beats one that does not,
    # whatever it staffs: only such a roster may be the fallback.
    def rank(solution: Solution) -> tuple[bool, list[float]]:
        return (
            solution.keeps_hard_rules(problem, elig, rm),
            [solution.value(stage, rm) for stage in stages],
        )

    # ties go to the earlier start (file order), as before there was a reference
    return max(starts, key=rank)


def run_stages(
    problem: Problem,
    elig: Eligibility,
    rm: RosterModel,
    backend: Backend,
    settings: StageSettings,
) -> ModelRun:
    """Solve one model: greedy start, then each stage in turn until the deadline.

    Parameters
    ----------
    problem, elig, rm
        The problem, its eligible pairs and the model built from them.
    backend
        The solver of the stages, holding ``rm`` (CP-SAT, or HiGHS in the benchmark).
    settings
        Parameters, clock, progress and stopping.

    Returns
    -------
    ModelRun
        The best roster (None without one keeping every hard rule) and a report per stage.
    """
    params = settings.params
    stages = stage_terms(rm)
    deadline = Deadline(settings.deadline_for(len(stages)))
    stop_now = AnyOf(settings.stop, deadline)
    best: Solution | None = None
    if params.use_hint:
        greedy = _greedy_start(problem, elig, rm, params, stages)
        backend.start_from(greedy)
        # The greedy roster is a fallback only when it keeps every hard rule.
        if greedy.keeps_hard_rules(problem, elig, rm):
            best = greedy
    if settings.watcher is not None:
        settings.watcher.running(backend)
    reports: list[StageReport] = []
    status = Status.OPTIMAL
    message = ""
    conflict: MustCoverConflict | None = None
    for i, stage in enumerate(stages):
        if stop_now():
            status, message = _out_of_time(stage, rm, best, reports, stop_now.reason, 0.0)
            break
        remaining = deadline.remaining()
        share = remaining if i == len(stages) - 1 else remaining * _share(stage)
        if stage is stages[-1] and best is not None:
            best = filled_keeping(best, problem, elig, rm, params, stages[:i])
            backend.start_from(best)
        if settings.stop is not None and settings.stop():
            status, message = _out_of_time(stage, rm, best, reports, settings.stop.reason, 0.0)
            break
        outcome = backend.solve_stage(stage, share, _improved(settings, stage))
        if outcome.end == StageEnd.INFEASIBLE:
            status = Status.INFEASIBLE
            if not any(problem.needs[n].must_cover for n in rm.closed):
                # A must-cover need nobody can staff says it all; otherwise find the clash.
                conflict = must_cover_conflict(
                    problem, elig, rm, params, deadline.remaining(), settings.stop
                )
            message = _infeasible_message(problem, rm, conflict)
            best = None
            reports.append(StageReport(stage.name, Status.INFEASIBLE, 0, 0, 0, outcome.runtime))
            break
        if outcome.solution is None or outcome.objective is None:
            why = settings.stop.reason if settings.stop is not None and settings.stop() else ""
            status, message = _out_of_time(
                stage, rm, best, reports, why or deadline.reason, outcome.runtime, outcome.bound
            )
            if best is not None and _hold_start(stage, status, reports, backend, best, stop_now):
                message = _(_WISHES_HELD)
                continue
            break
        ceiling = pair_bound(problem, elig, rm.pair_open, rm.gain, params.weights, stage.name)
        report = _reached(stage, outcome, ceiling)
        reports.append(report)
        if report.status != Status.OPTIMAL:
            status = Status.FEASIBLE
        best = outcome.solution
        if i < len(stages) - 1:
            # Hold this stage's value while the next ones run.
            backend.hold(stage, round(report.objective), math.floor(report.bound + 1e-6))
            backend.start_from(best)
    if status == Status.OPTIMAL and elig.pruned:
        status = Status.FEASIBLE
        message = _(
            "optimal for the {kept} candidate pairs kept; {pruned} more eligible "
            "pairs were left out by the candidate limit"
        ).format(kept=elig.size, pruned=elig.pruned)
    return ModelRun(elig, rm, stages[-1], best, reports, status, message, conflict)


_WISHES_HELD = N_("the wishes stage found no roster in its share of time; its start is held")


def _hold_start(
    stage: Term,
    status: Status,
    reports: list[StageReport],
    backend: Backend,
    best: Solution,
    stop_now: StoppingCriterion,
) -> bool:
    """Whether a stage cut short may hold its start's value and let the soft stage run.

    Only the wishes stage, and only out of its share rather than out of time
    (presolve alone takes about 7 s at 5,000 x 1,500): the soft rules then
    start from the coverage roster with its wishes held.
    """
    if stage.name != "wishes" or status != Status.FEASIBLE or stop_now():
        return False
    held = reports[-1]
    backend.hold(stage, round(held.objective), math.floor(held.bound + 1e-6))
    backend.start_from(best)
    return True


def _share(stage: Term) -> float:
    """Share of the time left a stage other than the last may take."""
    return WISHES_SHARE if stage.name == "wishes" else 0.6


def filled_keeping(
    best: Solution,
    problem: Problem,
    elig: Eligibility,
    rm: RosterModel,
    params: SolverParams,
    held: Sequence[Term],
) -> Solution:
    """``best`` with its teams rebuilt and filled, unless that loses a held stage's value.

    Rebuilding keeps every staffed need at its start, so coverage holds; the
    wishes stage may not (the greedy rebuild scores wishes only by the soft
    ``household_preference`` weight), and a start below a held row would be
    no start at all for the backend, nor a fallback.
    """
    filled = best.filled(problem, elig, rm.gain, params)
    if all(filled.value(stage, rm) >= best.value(stage, rm) for stage in held):
        return filled
    return best


def _reached(stage: Term, outcome: StageOutcome, ceiling: float | None = None) -> StageReport:
    """The report of a stage that found a roster; ``ceiling``: a bound known without the solver."""
    assert outcome.objective is not None
    objective = outcome.objective
    # CP-SAT's bound can sit far above the plain one early on (19 times it
    # was seen at 3,000 x 900): every bound holds, the smallest says most.
    bounds = [trivial_bound(stage), *(b for b in (outcome.bound, ceiling) if b is not None)]
    bound = min(bounds)
    # A gap limit makes CP-SAT say OPTIMAL early: only a closed gap is optimal.
    proven = outcome.end == StageEnd.OPTIMAL and abs(bound - objective) < 0.5
    return StageReport(
        stage.name,
        Status.OPTIMAL if proven else Status.FEASIBLE,
        objective,
        bound,
        relative_gap(objective, bound),
        outcome.runtime,
    )


def _improved(settings: StageSettings, stage: Term) -> Improved | None:
    """The backend's callback on a better roster: progress with the stage's name and time."""
    progress = settings.progress
    if progress is None:
        return None
    name = f"{stage.name} ({settings.label})" if settings.label else stage.name
    started = settings.started
    ceiling = trivial_bound(stage)  # HiGHS's bound is inf before its first LP

    def improved(objective: float, bound: float) -> None:
        progress(name, objective, min(bound, ceiling), time.perf_counter() - started)

    return improved


def trivial_bound(stage: Term) -> float:
    """A bound that always holds: every positive term at its best (variables are 0/1 or >= 0)."""
    return float(sum(c for c in stage.coefficients if c > 0))


def _out_of_time(
    stage: Term,
    rm: RosterModel,
    best: Solution | None,
    reports: list[StageReport],
    why: str,
    runtime: float,
    solver_bound: float | None = None,
) -> tuple[Status, str]:
    """Close the run early, keeping the best roster there is (a stage's, or the greedy one)."""
    if best is None:
        reports.append(StageReport(stage.name, Status.UNKNOWN, 0, trivial_bound(stage), 1, runtime))
        return Status.UNKNOWN, _(
            "{why} before any roster keeping every hard rule was found"
        ).format(why=_(why))
    held = best.value(stage, rm)
    bound = trivial_bound(stage)
    # Without a solution CP-SAT's bound may be a placeholder; use it only when it can hold.
    if solver_bound is not None and held <= solver_bound < bound:
        bound = solver_bound
    reports.append(
        StageReport(stage.name, Status.FEASIBLE, held, bound, relative_gap(held, bound), runtime)
    )
    if reports[:-1]:
        text = _("{why} in stage {stage}; keeping the previous stage's roster")
    else:
        text = _("{why} in stage {stage}; keeping the greedy roster")
    return Status.FEASIBLE, text.format(why=_(why), stage=stage.name)


def _infeasible_message(
    problem: Problem, rm: RosterModel, conflict: MustCoverConflict | None
) -> str:
    must = [problem.needs[n].id for n in rm.closed if problem.needs[n].must_cover]
    if must:
        return _(
            "no roster keeps every hard rule; must-cover needs nobody can staff: {needs}"
        ).format(needs=", ".join(must))
    if conflict is not None:
        return _("no roster keeps every hard rule; {conflict}").format(
            conflict=describe_conflict(problem, conflict)
        )
    must_all = ", ".join(n.id for n in problem.needs if n.must_cover)
    if must_all and problem.pins:
        text = _(
            "no roster keeps every hard rule; check the must-cover needs together: {needs}; "
            "or the pins"
        )
    elif must_all:
        text = _("no roster keeps every hard rule; check the must-cover needs together: {needs}")
    elif problem.pins:
        text = _("no roster keeps every hard rule; check the pins")
    else:
        text = _("no roster keeps every hard rule")
    return text.format(needs=must_all)
