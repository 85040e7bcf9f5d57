"""Run the roster solver: greedy hint, lexicographic CP-SAT stages, a Result."""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from matcher.baselines import Placement, fill_teams, greedy_roster, restaff_teams
from matcher.decompose import Part, ProblemRows, find_parts, part_problem
from matcher.domain import Assignment, AssignmentRole, Membership, Problem, Role, Volunteer
from matcher.eligibility import (
    Candidates,
    Eligibility,
    build_eligibility,
    check_pins,
    find_candidates,
    part_candidates,
)
from matcher.explain import explain_unmet
from matcher.params import SolverParams
from matcher.result import Result, StageReport, Status, UnmetNeed, relative_gap
from matcher.solver.model import RosterModel, build_model, staffing_blockers
from matcher.solver.objective import (
    Standing,
    Term,
    coverage_weights,
    lexicographic_weights,
    pair_gain,
    pair_scores,
    separable_soft_bound,
    soft_values,
)
from matcher.teams import Blocker

Progress = Callable[[str, float, float, float], None]
"""Called as ``progress(stage, objective, bound, elapsed_seconds)`` on each better roster."""


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, stage: str, started: float, progress: Progress | None) -> None:
        super().__init__()
        self.stage = stage
        self.started = started
        self.progress = progress

    def on_solution_callback(self) -> None:
        if self.progress is not None:
            self.progress(
                self.stage,
                self.objective_value,
                self.best_objective_bound,
                time.perf_counter() - self.started,
            )


@dataclasses.dataclass
class _Solution:
    """Values of the roster variables: from CP-SAT, or built from placements."""

    assign: np.ndarray
    staffed: dict[int, bool]
    start: dict[int, int]
    terms: dict[str, float] = dataclasses.field(default_factory=dict)
    _value_of: dict[int, int] | None = dataclasses.field(
        default=None, init=False, repr=False, compare=False
    )

    @classmethod
    def from_solver(cls, rm: RosterModel, solver: cp_model.CpSolver) -> _Solution:
        x = rm.variables
        return cls(
            assign=np.array([solver.boolean_value(v) for v in x.assign], dtype=bool),
            staffed={n: solver.boolean_value(y) for n, y in x.staffed.items()},
            start={n: solver.value(s) for n, s in x.start.items()},
            terms={t.name: float(solver.value(t.expression())) for t in [*rm.coverage, *rm.soft]},
        )

    @classmethod
    def from_placements(
        cls, elig: Eligibility, rm: RosterModel, placements: list[Placement]
    ) -> _Solution:
        assign = np.zeros(elig.size, dtype=bool)
        start = {}
        for placement in placements:
            assign[placement.pair] = True
            n = int(elig.need[placement.pair])
            if n in rm.variables.start and placement.start is not None:
                start[n] = placement.start
        staffed_needs = set(elig.need[assign].tolist())
        return cls(
            assign=assign,
            staffed={n: n in staffed_needs for n in rm.variables.staffed},
            start=start,
        )

    def placements(self, problem: Problem, elig: Eligibility) -> list[Placement]:
        return [
            Placement(p, self.start.get(n, problem.needs[n].start))
            for p in np.flatnonzero(self.assign).tolist()
            for n in [int(elig.need[p])]
        ]

    def filled(
        self, problem: Problem, elig: Eligibility, gain: np.ndarray, params: SolverParams
    ) -> _Solution:
        """This solution with teams rebuilt and filled greedily where the soft rules ``gain``.

        The same needs stay staffed at the same starts, so every stage before
        the soft one keeps its value.
        """
        args = (gain, params.weights.fairness, params.travel_minutes_default)
        placements = restaff_teams(problem, elig, self.placements(problem, elig), *args)
        placements = fill_teams(problem, elig, placements, *args)
        assign = np.zeros_like(self.assign)
        assign[[m.pair for m in placements]] = True
        return _Solution(assign=assign, staffed=dict(self.staffed), start=dict(self.start))

    def keeps_must_cover_and_pins(self, problem: Problem, elig: Eligibility) -> bool:
        """Greedy rosters keep every other hard rule; these two they may miss."""
        staffed = set(elig.need[self.assign].tolist())
        if any(need.must_cover and n not in staffed for n, need in enumerate(problem.needs)):
            return False
        for pin in problem.pins:
            key = (problem.volunteer_index[pin.volunteer_id], problem.need_index[pin.need_id])
            p = elig.pair_index.get(key)
            if p is None or not self.assign[p]:
                return False
        return True

    def value(self, stage: Term, rm: RosterModel) -> float:
        """Value of a stage's objective under this solution."""
        if stage.name in self.terms:
            return self.terms[stage.name]
        if self._value_of is None:
            # Once per solution: a part asks for every soft term of its roster.
            x = rm.variables
            value_of = {var.index: int(self.assign[p]) for p, var in enumerate(x.assign)}
            value_of.update({y.index: int(self.staffed[n]) for n, y in x.staffed.items()})
            for over, pairs in rm.extra_shifts:
                value_of[over.index] = max(0, int(self.assign[pairs].sum()) - 1)
            self._value_of = value_of
        value_of = self._value_of
        return float(
            sum(
                c * value_of[var.index]
                for var, c in zip(stage.variables, stage.coefficients, strict=True)
            )
        )

    def hint(self, rm: RosterModel) -> None:
        """Give CP-SAT this solution as a complete hint (taken at once as its first roster)."""
        model, x = rm.model, rm.variables
        model.clear_hints()
        # In bulk, in the order add_hint would give: one call per variable was
        # seconds at city size.
        open_pairs = np.flatnonzero(rm.pair_open).tolist()
        variables = [x.assign[p].index for p in open_pairs]
        values = self.assign[open_pairs].astype(np.int64).tolist() if open_pairs else []
        variables += [y.index for y in x.staffed.values()]
        values += [int(self.staffed[n]) for n in x.staffed]
        variables += [s.index for s in x.start.values()]
        values += [self.start.get(n, rm.window_start[n]) for n in x.start]
        variables += [over.index for over, _ in rm.extra_shifts]
        values += [max(0, int(self.assign[pairs].sum()) - 1) for _, pairs in rm.extra_shifts]
        hint = model.proto.solution_hint
        hint.vars.extend(variables)
        hint.values.extend(values)


def _configure(solver: cp_model.CpSolver, params: SolverParams, seconds: float) -> None:
    solver.parameters.max_time_in_seconds = max(0.01, seconds)
    solver.parameters.num_workers = params.workers
    solver.parameters.linearization_level = params.linearization_level
    solver.parameters.cp_model_probing_level = params.probing_level
    solver.parameters.random_seed = params.seed
    if params.relative_gap:
        solver.parameters.relative_gap_limit = params.relative_gap
    for key, value in params.cp_sat.items():
        setattr(solver.parameters, key, value)


def _lead_rank(volunteer: Volunteer) -> tuple[int, int]:
    """Teachers lead before party members; then file order decides."""
    return (
        0 if volunteer.role == Role.TEACHER else 1,
        0 if volunteer.membership == Membership.PARTY else 1,
    )


def _roster(problem: Problem, elig: Eligibility, solution: _Solution) -> tuple[Assignment, ...]:
    """Assignments of a solution, with one lead per team that has a possible lead."""
    assignments = []
    chosen = np.flatnonzero(solution.assign)
    by_need: dict[int, list[int]] = {}
    for p in chosen.tolist():
        by_need.setdefault(int(elig.need[p]), []).append(int(elig.volunteer[p]))
    for n, team in sorted(by_need.items()):
        need = problem.needs[n]
        leads = [v for v in team if problem.volunteers[v].can_lead]
        lead = min(leads, key=lambda v: (_lead_rank(problem.volunteers[v]), v)) if leads else None
        if not (need.lead_required or len(team) > 1):
            lead = None
        start = solution.start.get(n, need.start) if need.date is not None else None
        end = start + need.duration if start is not None else None
        for v in sorted(team):
            assignments.append(
                Assignment(
                    need_id=need.id,
                    volunteer_id=problem.volunteers[v].id,
                    date=need.date,
                    start=start,
                    end=end,
                    role=AssignmentRole.LEAD if v == lead else AssignmentRole.MEMBER,
                )
            )
    return tuple(assignments)


def _stop_watcher(
    stop: threading.Event | None, holder: dict[str, cp_model.CpSolver]
) -> threading.Thread | None:
    if stop is None:
        return None

    def watch() -> None:
        # Keep stopping whichever solver runs until the solve is over: a stage
        # may start just after the stop was asked for.
        while not holder.get("done"):
            if stop.wait(0.05):
                solver = holder.get("solver")
                if solver is not None:
                    solver.stop_search()
                time.sleep(0.05)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


@dataclasses.dataclass
class _Run:
    """One model solved stage by stage: its best roster and what each stage reached."""

    elig: Eligibility
    rm: RosterModel
    soft: Term
    best: _Solution | None
    reports: list[StageReport]
    status: Status
    message: str


def _hold(model: cp_model.CpModel, stage: Term, reached: int, bound: int) -> None:
    """Keep a stage at ``reached`` or better while the later stages run.

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
    """
    levels: dict[int, list[cp_model.IntVar]] = {}
    for var, coeff in zip(stage.variables, stage.coefficients, strict=True):
        levels.setdefault(int(coeff), []).append(var)  # type: ignore[arg-type]
    weights = sorted(levels, reverse=True)
    below = 0
    for w in reversed(weights):
        if w <= below:  # not a mixed radix: hold the row as it is
            model.add(stage.expression() >= reached)
            return
        below += w * len(levels[w])
    if len(weights) < 2 or bound < reached:
        model.add(stage.expression() >= reached)
        return

    def counts(value: int) -> list[int]:
        out = []
        for w in weights:
            k = min(len(levels[w]), max(0, value // w))
            out.append(k)
            value -= k * w
        return out

    low, high = counts(reached), counts(bound)
    for i, w in enumerate(weights):
        if low[i] == high[i]:
            model.add(sum(levels[w]) == low[i])
            continue
        model.add(sum(levels[w]) >= low[i])
        model.add(sum(levels[w]) <= high[i])
        rest = weights[i:]
        if len(rest) > 1:
            model.add(
                sum(v * u for u in rest for v in levels[u])
                >= sum(low[i + j] * u for j, u in enumerate(rest))
            )
        return


def _reserve(time_limit: float, stage_count: int) -> float:
    """Time kept back from the stages of a single model.

    For the roster and its explanations, and for CP-SAT returning a little
    after its own limit (measured: up to 0.4 s a stage at 5,000 x 1,500).
    """
    return time_limit * 0.03 + min(0.4 * stage_count, time_limit * 0.2)


def solve(
    problem: Problem,
    params: SolverParams | None = None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> Result:
    """Plan a roster.

    Coverage is maximised first (higher priorities strictly first), then held
    while the soft rules are optimised.  The time limit covers everything; a
    run that is stopped or runs out of time returns the best roster found with
    its gap.  When volunteers' travel limits (or anything else) split the
    problem into independent parts, each part is solved on its own and the
    rosters are merged (see :mod:`matcher.decompose`); no rule links two
    parts, so that loses nothing.

    Parameters
    ----------
    problem
        The validated problem.
    params
        Solver parameters and weights; defaults when omitted.
    progress
        Called on every improving roster (of a part, when there are several:
        the stage name then says which, e.g. ``soft (part 3 of 40)``).
    stop
        Set it (from another thread) to stop early and keep the best roster.

    Returns
    -------
    Result
        Never raises for a hard problem: infeasible and timed-out runs are statuses.
    """
    params = params or SolverParams()
    started = time.perf_counter()
    candidates = find_candidates(problem, params.travel_minutes_default)
    parts = find_parts(candidates.volunteers, len(problem.volunteers)) if params.decompose else []
    holder: dict = {}
    watcher = _stop_watcher(stop, holder)
    try:
        if len(parts) > 1:
            return _solve_parts(problem, params, candidates, parts, progress, stop, holder, started)
        elig = build_eligibility(
            problem,
            params.candidate_limit,
            params.prune_above,
            params.travel_minutes_default,
            candidates=candidates,
        )
        rm = build_model(problem, elig, params)
        run = _run_stages(
            problem,
            elig,
            rm,
            params,
            progress,
            stop,
            holder,
            started,
            lambda count: started + params.time_limit - _reserve(params.time_limit, count),
        )
    finally:
        holder["done"] = True
        if watcher is not None:
            watcher.join(timeout=1)
    return _result(problem, run, params, started)


def _run_stages(
    problem: Problem,
    elig: Eligibility,
    rm: RosterModel,
    params: SolverParams,
    progress: Progress | None,
    stop: threading.Event | None,
    holder: dict,
    started: float,
    deadline_for: Callable[[int], float],
    label: str = "",
) -> _Run:
    """Solve one model: greedy hint, then each stage in turn until the deadline.

    ``deadline_for(stage_count)`` gives the time by which the stages must
    end; ``label`` names the part in progress reports.
    """
    soft = Term(
        "soft",
        [v for t in rm.soft for v in t.variables],
        [c for t in rm.soft for c in t.coefficients],
    )
    stages = [*rm.coverage, soft]
    deadline = deadline_for(len(stages))
    best: _Solution | None = None
    if params.use_hint:
        greedy = _Solution.from_placements(
            elig, rm, greedy_roster(problem, elig, params.travel_minutes_default)
        )
        # A second greedy that takes the best-valued volunteers first: at
        # 1,000 x 300 and above CP-SAT with one worker rarely improves on its
        # start, so the start's soft value matters.  Kept only when it staffs
        # at least as much (coverage is the first stage).
        scored = _Solution.from_placements(
            elig,
            rm,
            greedy_roster(
                problem,
                elig,
                params.travel_minutes_default,
                preference=rm.gain,
                fairness=params.weights.fairness,
            ),
        )

        # A roster that keeps must-cover needs and pins beats one that does not,
        # whatever it staffs: only such a roster may be the fallback.
        def rank(solution: _Solution) -> tuple[bool, list[float]]:
            return (
                solution.keeps_must_cover_and_pins(problem, elig),
                [solution.value(stage, rm) for stage in stages],
            )

        if rank(scored) > rank(greedy):
            greedy = scored
        greedy.hint(rm)
        # The greedy roster is a fallback only when it keeps every hard rule.
        if greedy.keeps_must_cover_and_pins(problem, elig):
            best = greedy
    reports: list[StageReport] = []
    status = Status.OPTIMAL
    message = ""
    for i, stage in enumerate(stages):
        remaining = deadline - time.perf_counter()
        if remaining <= 0 or (stop is not None and stop.is_set()):
            why = "stopped" if stop is not None and stop.is_set() else "time ran out"
            status, message = _out_of_time(stage, rm, best, reports, why, 0.0)
            break
        share = remaining if i == len(stages) - 1 else remaining * 0.6
        if stage is soft and best is not None:
            best = best.filled(problem, elig, rm.gain, params)
            best.hint(rm)
        rm.model.maximize(stage.expression())
        solver = cp_model.CpSolver()
        _configure(solver, params, share)
        holder["solver"] = solver
        if stop is not None and stop.is_set():
            status, message = _out_of_time(stage, rm, best, reports, "stopped", 0.0)
            break
        stage_started = time.perf_counter()
        name = f"{stage.name} ({label})" if label else stage.name
        code = solver.solve(rm.model, _Callback(name, started, progress))
        runtime = time.perf_counter() - stage_started
        if code == cp_model.MODEL_INVALID:
            raise ValueError(f"CP-SAT refused the model or parameters: {solver.solution_info()}")
        if code == cp_model.INFEASIBLE:
            status = Status.INFEASIBLE
            message = _infeasible_message(problem, rm)
            best = None
            reports.append(StageReport(stage.name, Status.INFEASIBLE, 0, 0, 0, runtime))
            break
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            why = "stopped" if stop is not None and stop.is_set() else "time ran out"
            status, message = _out_of_time(
                stage, rm, best, reports, why, runtime, solver.best_objective_bound
            )
            break
        objective, bound = solver.objective_value, solver.best_objective_bound
        # A gap limit makes CP-SAT say OPTIMAL early: only a closed gap is optimal.
        proven = code == cp_model.OPTIMAL and abs(bound - objective) < 0.5
        if not proven:
            status = Status.FEASIBLE
        reports.append(
            StageReport(
                stage.name,
                Status.OPTIMAL if proven else Status.FEASIBLE,
                objective,
                bound,
                relative_gap(objective, bound),
                runtime,
            )
        )
        best = _Solution.from_solver(rm, solver)
        # Hold this stage's value while the next ones run.
        _hold(rm.model, stage, round(objective), math.floor(bound + 1e-6))
        best.hint(rm)
    if status == Status.OPTIMAL and elig.pruned:
        status = Status.FEASIBLE
        message = (
            f"optimal for the {elig.size} candidate pairs kept; {elig.pruned} more eligible "
            "pairs were left out by the candidate limit"
        )
    return _Run(elig, rm, soft, best, reports, status, message)


def _trivial_bound(stage: Term) -> float:
    """A bound that always holds: every positive term at its best (variables are 0/1 or >= 0)."""
    return float(sum(c for c in stage.coefficients if c > 0))


def _out_of_time(
    stage: Term,
    rm: RosterModel,
    best: _Solution | None,
    reports: list[StageReport],
    why: str,
    runtime: float,
    solver_bound: float | None = None,
) -> tuple[Status, str]:
    """Close the run early, keeping the best roster there is (a stage's, or the greedy one)."""
    if best is None:
        reports.append(
            StageReport(stage.name, Status.UNKNOWN, 0, _trivial_bound(stage), 1, runtime)
        )
        return Status.UNKNOWN, f"{why} before any roster keeping every hard rule was found"
    held = best.value(stage, rm)
    bound = _trivial_bound(stage)
    # Without a solution CP-SAT's bound may be a placeholder; use it only when it can hold.
    if solver_bound is not None and held <= solver_bound < bound:
        bound = solver_bound
    reports.append(
        StageReport(stage.name, Status.FEASIBLE, held, bound, relative_gap(held, bound), runtime)
    )
    source = "the previous stage's roster" if reports[:-1] else "the greedy roster"
    return Status.FEASIBLE, f"{why} in stage {stage.name}; keeping {source}"


def _infeasible_message(problem: Problem, rm: RosterModel) -> str:
    must = [problem.needs[n].id for n in rm.closed if problem.needs[n].must_cover]
    parts = ["no roster keeps every hard rule"]
    if must:
        parts.append("must-cover needs nobody can staff: " + ", ".join(must))
    else:
        must_all = [n.id for n in problem.needs if n.must_cover]
        if must_all:
            parts.append("check the must-cover needs together: " + ", ".join(must_all))
        if problem.pins:
            parts.append("or the pins")
    return "; ".join(parts)


def _result(problem: Problem, run: _Run, params: SolverParams, started: float) -> Result:
    elig, rm, best, reports, status = run.elig, run.rm, run.best, run.reports, run.status
    if best is None or status in (Status.INFEASIBLE, Status.UNKNOWN):
        assignments: tuple[Assignment, ...] = ()
        best_for_explain = None
    else:
        assignments = _roster(problem, elig, best)
        best_for_explain = assignments
    terms = dict(best.terms) if best is not None and best_for_explain is not None else {}
    coverage_reports = [r for r in reports if r.name.startswith("coverage")]
    last = reports[-1] if reports else None
    return Result(
        status=status,
        assignments=assignments,
        objective=last.objective if last else 0.0,
        bound=last.bound if last else 0.0,
        gap=max((r.gap for r in reports), default=0.0),
        runtime=time.perf_counter() - started,
        coverage_score=sum(r.objective for r in coverage_reports),
        coverage_bound=sum(r.bound for r in coverage_reports),
        stages=tuple(reports),
        objective_terms=terms,
        unmet=explain_unmet(
            problem,
            elig,
            assignments,
            rm.closed,
            params.travel_minutes_default,
            has_roster=best_for_explain is not None,
        ),
        message=run.message,
        params=params.as_dict(),
        pairs=elig.size,
        pruned_pairs=elig.pruned,
    )


# ---------------------------------------------------------------------------
# Independent parts: solve one by one, merge into one result
# ---------------------------------------------------------------------------

PRIORITIES = (5, 4, 3, 2, 1)


@dataclasses.dataclass
class _PartOutcome:
    """What one part contributes to the merged result (its model is gone by then)."""

    label: str
    status: Status
    message: str
    reports: list[StageReport]
    assignments: tuple[Assignment, ...]
    open_counts: dict[int, int]
    """Needs of each priority that some roster could staff."""
    staffed: dict[int, int]
    """Staffed needs of each priority in the part's roster."""
    reach: dict[int, int]
    """A lexicographic upper bound of ``staffed`` (from the coverage bounds)."""
    soft: StageReport
    terms: dict[str, float]
    closed: dict[int, list[Blocker]]
    """Needs no roster can staff, by position in the whole problem."""
    unmet: tuple[UnmetNeed, ...]
    pairs: int
    pruned: int


def _coverage_reach(
    problem: Problem, run: _Run, open_counts: dict[int, int], staffed: dict[int, int]
) -> dict[int, int]:
    """Most needs per priority any roster of the part could staff, lexicographically.

    Every roster's vector of staffed needs (priority 5 first) is
    lexicographically at most the one returned; it equals ``staffed`` when
    coverage is proven optimal.  From a weighted coverage bound it is the
    largest vector whose weighted sum stays within the bound (the weights
    are lexicographic, so the greedy split is exact).
    """
    reports = {r.name: r for r in run.reports}
    coverage = run.rm.coverage
    if len(coverage) == 1 and coverage[0].name == "coverage":
        report = reports.get("coverage")
        if report is None or report.status not in (Status.OPTIMAL, Status.FEASIBLE):
            return dict(open_counts)
        if report.status == Status.OPTIMAL:
            return dict(staffed)
        weights = coverage_weights(problem, run.rm.open_needs)
        left = math.floor(report.bound + 1e-6)
        reach = {}
        for p in PRIORITIES:
            reach[p] = min(open_counts[p], left // weights[p])
            left -= reach[p] * weights[p]
        return reach
    reach = dict(open_counts)
    for p in PRIORITIES:
        report = reports.get(f"coverage_p{p}")
        if not open_counts[p]:
            continue
        if report is None or report.status not in (Status.OPTIMAL, Status.FEASIBLE):
            break
        if report.status == Status.OPTIMAL:
            reach[p] = staffed[p]
            continue
        reach[p] = min(open_counts[p], math.floor(report.bound + 1e-6))
        break
    return reach


def _part_outcome(
    problem: Problem,
    part: Part,
    run: _Run,
    params: SolverParams,
    label: str,
) -> _PartOutcome:
    """Keep what the merge needs of a solved part, and explain its unmet needs."""
    elig, rm, best = run.elig, run.rm, run.best
    has_roster = best is not None and run.status in (Status.OPTIMAL, Status.FEASIBLE)
    if has_roster and best is not None and not any(r.name == "soft" for r in run.reports):
        # Cut short before the soft stage: fill the teams as that stage would start.
        best = best.filled(problem, elig, rm.gain, params)
    assignments = _roster(problem, elig, best) if has_roster and best is not None else ()
    open_counts = dict.fromkeys(PRIORITIES, 0)
    staffed = dict.fromkeys(PRIORITIES, 0)
    for n in rm.open_needs:
        priority = problem.needs[n].priority
        open_counts[priority] += 1
        if has_roster and best is not None and best.staffed.get(n):
            staffed[priority] += 1
    # With a few seconds a part, CP-SAT's soft bound may still be its first
    # guess; a bound from the pairs alone is then much closer (both hold).
    open_pairs = rm.pair_open
    separable = separable_soft_bound(
        problem,
        elig.volunteer[open_pairs],
        elig.need[open_pairs],
        rm.gain[open_pairs],
        params.weights,
    )
    soft = next((r for r in run.reports if r.name == "soft"), None)
    if soft is None:
        # The soft stage never ran: the roster's own value.
        held = best.value(run.soft, rm) if has_roster and best is not None else 0.0
        bound = min(_trivial_bound(run.soft), separable)
        soft = StageReport("soft", Status.FEASIBLE, held, bound, relative_gap(held, bound), 0.0)
    elif soft.bound > separable:
        soft = dataclasses.replace(
            soft, bound=separable, gap=relative_gap(soft.objective, separable)
        )
    terms = {t.name: best.value(t, rm) for t in rm.soft} if has_roster and best is not None else {}
    # The part's funnels are the whole problem's (part_candidates): explanations
    # count every volunteer, not only this part's.
    unmet = explain_unmet(
        problem,
        elig,
        assignments,
        rm.closed,
        params.travel_minutes_default,
        has_roster=has_roster,
    )
    return _PartOutcome(
        label=label,
        status=run.status,
        message=run.message,
        reports=run.reports,
        assignments=assignments,
        open_counts=open_counts,
        staffed=staffed,
        reach=_coverage_reach(problem, run, open_counts, staffed) if has_roster else open_counts,
        soft=soft,
        terms=terms,
        closed={int(part.needs[n]): blockers for n, blockers in rm.closed.items()},
        unmet=unmet,
        pairs=elig.size,
        pruned=elig.pruned,
    )


def _greedy_part(
    problem: Problem,
    part: Part,
    elig: Eligibility,
    params: SolverParams,
    standing: Standing,
    label: str,
    why: str,
) -> _PartOutcome:
    """A part with no time left: its greedy roster, filled, valued without a model.

    The same roster and values as :func:`_run_stages` ends with when it is
    out of time before the first stage, in a fraction of the time (a city
    that is stopped has dozens of such parts).
    """
    closed = {}
    open_needs = []
    for n in range(len(problem.needs)):
        blockers = staffing_blockers(problem, elig, n)
        if blockers:
            closed[n] = blockers
        else:
            open_needs.append(n)
    assign = np.zeros(elig.size, dtype=bool)
    start: dict[int, int] = {}
    flexible = {n for n in open_needs if problem.needs[n].is_flexible}
    placements = greedy_roster(problem, elig, params.travel_minutes_default)
    for placement in placements if params.use_hint else ():
        assign[placement.pair] = True
        n = int(elig.need[placement.pair])
        if n in flexible and placement.start is not None:
            start[n] = placement.start
    staffed_needs = set(elig.need[assign].tolist())
    best = _Solution(assign, {n: n in staffed_needs for n in open_needs}, start)
    has_roster = params.use_hint and best.keeps_must_cover_and_pins(problem, elig)
    scores = pair_scores(problem, elig, params.weights, standing.subset(part.volunteers))
    gain = pair_gain(problem, elig, params.weights, scores)
    open_counts = dict.fromkeys(PRIORITIES, 0)
    staffed = dict.fromkeys(PRIORITIES, 0)
    for n in open_needs:
        open_counts[problem.needs[n].priority] += 1
    if has_roster:
        best = best.filled(problem, elig, gain, params)
        for n in open_needs:
            staffed[problem.needs[n].priority] += int(best.staffed[n])
    terms = (
        soft_values(problem, elig, params.weights, scores, best.assign, open_needs)
        if has_roster
        else {}
    )
    open_pairs = np.isin(elig.need, np.array(open_needs, dtype=np.int64))
    bound = separable_soft_bound(
        problem, elig.volunteer[open_pairs], elig.need[open_pairs], gain[open_pairs], params.weights
    )
    held = sum(terms.values())
    assignments = _roster(problem, elig, best) if has_roster else ()
    message = f"{why} before the first stage; keeping the greedy roster"
    if not has_roster:
        message = f"{why} before any roster keeping every hard rule was found"
    return _PartOutcome(
        label=label,
        status=Status.FEASIBLE if has_roster else Status.UNKNOWN,
        message=message,
        reports=[],
        assignments=assignments,
        open_counts=open_counts,
        staffed=staffed,
        reach=dict(open_counts),
        soft=StageReport("soft", Status.FEASIBLE, held, bound, relative_gap(held, bound), 0.0),
        terms=terms,
        closed={int(part.needs[n]): blockers for n, blockers in closed.items()},
        unmet=explain_unmet(
            problem,
            elig,
            assignments,
            closed,
            params.travel_minutes_default,
            has_roster=has_roster,
        ),
        pairs=elig.size,
        pruned=elig.pruned,
    )


def _solve_parts(
    problem: Problem,
    params: SolverParams,
    candidates: Candidates,
    parts: list[Part],
    progress: Progress | None,
    stop: threading.Event | None,
    holder: dict,
    started: float,
) -> Result:
    """Solve each independent part in turn and merge the rosters.

    Parts run smallest first, each with a share of the remaining time in
    proportion to the pairs its model will hold, so what a small part leaves
    unused goes to the larger ones.  Only one part's model exists at a time.
    A part that is infeasible, or has no roster when time runs out, ends the
    run: the whole problem then has no roster either.
    """
    check_pins(problem, candidates)  # with the whole problem's row numbers
    funnel = candidates.funnel
    in_part = np.zeros(len(problem.needs), dtype=bool)
    for part in parts:
        in_part[part.needs] = True
    hopeless = [
        need.id for n, need in enumerate(problem.needs) if need.must_cover and not in_part[n]
    ]
    if hopeless:
        message = "no roster keeps every hard rule; must-cover needs nobody can staff: " + (
            ", ".join(hopeless)
        )
        return _failed_result(
            problem, params, [], candidates.size, funnel, Status.INFEASIBLE, message, started
        )
    rows = ProblemRows(problem)
    standing = Standing.of(problem)
    # Pruning is for the size of the whole: Python builds every part's model
    # and CP-SAT shares one time limit, so a city prunes all parts alike.
    limit = params.candidate_limit if candidates.size > params.prune_above else 0
    deadline = started + params.time_limit - (params.time_limit * 0.03 + 1.0)
    # A part's share of the time follows the pairs its model will hold.
    weights = [
        int(np.minimum([candidates.volunteers[n].size for n in part.needs.tolist()], limit).sum())
        if limit
        else part.pairs
        for part in parts
    ]
    order = sorted(range(len(parts)), key=lambda k: (weights[k], k))
    weight_left = sum(weights)
    outcomes: list[_PartOutcome] = []
    for step, k in enumerate(order, start=1):
        part = parts[k]
        now = time.perf_counter()
        part_deadline = now + max(0.0, deadline - now) * weights[k] / max(1, weight_left)
        weight_left -= weights[k]
        label = f"part {step} of {len(parts)}"
        sub = part_problem(rows, part, step)
        elig = build_eligibility(
            sub,
            limit,
            0,
            params.travel_minutes_default,
            candidates=part_candidates(candidates, sub, part.needs, part.volunteers),
        )
        if (stop is not None and stop.is_set()) or part_deadline <= time.perf_counter():
            # No time for CP-SAT: skip building a model nobody will solve.
            why = "stopped" if stop is not None and stop.is_set() else "time ran out"
            outcome = _greedy_part(sub, part, elig, params, standing, label, why)
            outcomes.append(outcome)
            if outcome.status == Status.UNKNOWN:
                unreached = sum(parts[j].pairs for j in order[step:])
                return _failed_result(
                    problem,
                    params,
                    outcomes,
                    unreached,
                    funnel,
                    Status.UNKNOWN,
                    f"{label}: {outcome.message}",
                    started,
                )
            continue
        rm = build_model(sub, elig, params, standing.subset(part.volunteers))
        run = _run_stages(
            sub,
            elig,
            rm,
            params,
            progress,
            stop,
            holder,
            started,
            lambda _count, end=part_deadline: end,
            label,
        )
        outcome = _part_outcome(sub, part, run, params, label)
        outcomes.append(outcome)
        if run.status in (Status.INFEASIBLE, Status.UNKNOWN):
            # No roster for the whole problem: the parts left need not run.
            unreached = sum(parts[j].pairs for j in order[step:])
            message = f"{label}: {run.message}"
            return _failed_result(
                problem, params, outcomes, unreached, funnel, run.status, message, started
            )
    return _merged_result(problem, params, parts, outcomes, funnel, started)


def _funnel_only(problem: Problem, funnel: list[dict[str, int]]) -> Eligibility:
    """An eligibility with the funnels and no pairs: enough to explain needs nobody can take."""
    return Eligibility(
        volunteer=np.empty(0, np.int32),
        need=np.empty(0, np.int32),
        extra_minutes=np.empty(0, np.int64),
        affinity=np.empty(0, np.int64),
        start_domains={},
        funnel=funnel,
        pair_index={},
        volunteer_count=len(problem.volunteers),
    )


def _sort_unmet(problem: Problem, unmet: list[UnmetNeed]) -> tuple[UnmetNeed, ...]:
    unmet.sort(key=lambda u: (u.staffed, -u.priority, problem.need_index[u.need_id]))
    return tuple(unmet)


def _failed_result(
    problem: Problem,
    params: SolverParams,
    outcomes: list[_PartOutcome],
    unreached: int,
    funnel: list[dict[str, int]],
    status: Status,
    message: str,
    started: float,
) -> Result:
    """No roster for the whole problem: one part is infeasible or ran out of time first.

    ``unreached`` counts the eligible pairs of the parts that never ran.
    """
    closed = {n: b for outcome in outcomes for n, b in outcome.closed.items()}
    runtime = sum(r.runtime for outcome in outcomes for r in outcome.reports)
    last = outcomes[-1].reports[-1] if outcomes and outcomes[-1].reports else None
    gap = 1.0 if status == Status.UNKNOWN else 0.0
    report = StageReport(last.name if last else "coverage", status, 0.0, 0.0, gap, runtime)
    pairs = sum(o.pairs for o in outcomes) + unreached
    return Result(
        status=status,
        assignments=(),
        objective=0.0,
        bound=0.0,
        gap=gap,
        runtime=time.perf_counter() - started,
        stages=(report,),
        unmet=explain_unmet(
            problem,
            _funnel_only(problem, funnel),
            (),
            closed,
            params.travel_minutes_default,
            has_roster=False,
        ),
        message=message,
        params=params.as_dict(),
        pairs=pairs,
        pruned_pairs=sum(o.pruned for o in outcomes),
    )


def _merged_stage(
    name: str, reports: list[StageReport], objective: float, bound: float
) -> StageReport:
    proven = all(r.status == Status.OPTIMAL for r in reports)
    return StageReport(
        name,
        Status.OPTIMAL if proven else Status.FEASIBLE,
        objective,
        bound,
        relative_gap(objective, bound),
        sum(r.runtime for r in reports),
    )


def _merged_result(
    problem: Problem,
    params: SolverParams,
    parts: list[Part],
    outcomes: list[_PartOutcome],
    funnel: list[dict[str, int]],
    started: float,
) -> Result:
    """One result from the parts: rosters side by side, objectives and bounds added up.

    Coverage is one stage weighted with the whole problem's lexicographic
    weights (as a single model of the whole would score it), its bound the
    weighted sum of each part's lexicographic bound (:func:`_coverage_reach`).
    The soft stage adds up the parts' soft objectives and bounds.
    """
    open_counts = {p: sum(o.open_counts[p] for o in outcomes) for p in PRIORITIES}
    staffed = {p: sum(o.staffed[p] for o in outcomes) for p in PRIORITIES}
    reach = {p: sum(o.reach[p] for o in outcomes) for p in PRIORITIES}
    # The whole problem's lexicographic weights, in exact integers: beyond 2**50
    # (thousands of needs) only the floats reported lose the last digits.
    weights = lexicographic_weights(open_counts)
    objective = sum(weights[p] * staffed[p] for p in PRIORITIES)
    bound = sum(weights[p] * reach[p] for p in PRIORITIES)
    coverage = StageReport(
        "coverage",
        Status.OPTIMAL if bound == objective else Status.FEASIBLE,
        float(objective),
        float(bound),
        abs(bound - objective) / max(1, abs(objective), abs(bound)),
        sum(r.runtime for o in outcomes for r in o.reports if r.name.startswith("coverage")),
    )
    stages = [coverage]
    terms: dict[str, float] = {"coverage": float(objective)}
    softs = [o.soft for o in outcomes]
    stages.append(
        _merged_stage("soft", softs, sum(r.objective for r in softs), sum(r.bound for r in softs))
    )
    for outcome in outcomes:
        for name, value in outcome.terms.items():
            terms[name] = terms.get(name, 0.0) + value
    proven = all(o.status == Status.OPTIMAL for o in outcomes)
    message = ""
    if not proven:
        unproven = [o for o in outcomes if o.status != Status.OPTIMAL]
        first = next((o for o in unproven if o.message), None)
        message = f"{len(unproven)} of {len(parts)} independent parts not proven optimal" + (
            f"; {first.label}: {first.message}" if first else ""
        )
    assignments = sorted(
        (a for o in outcomes for a in o.assignments),
        key=lambda a: (problem.need_index[a.need_id], problem.volunteer_index[a.volunteer_id]),
    )
    in_part = np.zeros(len(problem.needs), dtype=bool)
    for part in parts:
        in_part[part.needs] = True
    unmet = [u for o in outcomes for u in o.unmet]
    unmet += explain_unmet(
        problem,
        _funnel_only(problem, funnel),
        (),
        {},
        params.travel_minutes_default,
        needs=np.flatnonzero(~in_part).tolist(),
    )
    return Result(
        status=Status.OPTIMAL if proven else Status.FEASIBLE,
        assignments=tuple(assignments),
        objective=stages[-1].objective,
        bound=stages[-1].bound,
        gap=max(r.gap for r in stages),
        runtime=time.perf_counter() - started,
        coverage_score=coverage.objective,
        coverage_bound=coverage.bound,
        stages=tuple(stages),
        objective_terms=terms,
        unmet=_sort_unmet(problem, unmet),
        message=message,
        params=params.as_dict(),
        pairs=sum(o.pairs for o in outcomes),
        pruned_pairs=sum(o.pruned for o in outcomes),
    )
