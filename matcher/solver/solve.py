"""Run the roster solver: greedy hint, lexicographic CP-SAT stages, a Result."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from matcher.baselines import Placement, fill_teams, greedy_roster
from matcher.domain import Assignment, AssignmentRole, Membership, Problem, Role, Volunteer
from matcher.eligibility import Eligibility, build_eligibility
from matcher.explain import explain_unmet
from matcher.params import SolverParams
from matcher.result import Result, StageReport, Status, relative_gap
from matcher.solver.model import RosterModel, build_model
from matcher.solver.objective import Term

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
        self, problem: Problem, elig: Eligibility, rm: RosterModel, params: SolverParams
    ) -> _Solution:
        """This solution with teams filled up greedily where the soft rules gain."""
        placements = self.placements(problem, elig)
        more = fill_teams(
            problem,
            elig,
            placements,
            rm.gain,
            params.weights.fairness,
            params.travel_minutes_default,
        )
        assign = self.assign.copy()
        assign[[m.pair for m in more[len(placements) :]]] = True
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
        x = rm.variables
        value_of = {var.index: int(self.assign[p]) for p, var in enumerate(x.assign)}
        value_of.update({y.index: int(self.staffed[n]) for n, y in x.staffed.items()})
        for over, pairs in rm.extra_shifts:
            value_of[over.index] = max(0, int(self.assign[pairs].sum()) - 1)
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
        for p, var in enumerate(x.assign):
            if rm.pair_open[p]:
                model.add_hint(var, bool(self.assign[p]))
        for n, y in x.staffed.items():
            model.add_hint(y, self.staffed[n])
        for n, s in x.start.items():
            model.add_hint(s, self.start.get(n, rm.window_start[n]))
        for over, pairs in rm.extra_shifts:
            model.add_hint(over, max(0, int(self.assign[pairs].sum()) - 1))


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
    its gap.

    Parameters
    ----------
    problem
        The validated problem.
    params
        Solver parameters and weights; defaults when omitted.
    progress
        Called on every improving roster.
    stop
        Set it (from another thread) to stop early and keep the best roster.

    Returns
    -------
    Result
        Never raises for a hard problem: infeasible and timed-out runs are statuses.
    """
    params = params or SolverParams()
    started = time.perf_counter()
    elig = build_eligibility(problem, params.candidate_limit, params.prune_above)
    rm = build_model(problem, elig, params)
    soft = Term(
        "soft",
        [v for t in rm.soft for v in t.variables],
        [c for t in rm.soft for c in t.coefficients],
    )
    stages = [*rm.coverage, soft]
    # Keep part of the limit for the roster and its explanations, and for CP-SAT
    # returning a little after its own limit (measured: up to 0.4 s a stage at 5,000 x 1,500).
    reserve = params.time_limit * 0.03 + min(0.4 * len(stages), params.time_limit * 0.2)
    deadline = started + params.time_limit - reserve
    best: _Solution | None = None
    if params.use_hint:
        greedy = _Solution.from_placements(
            elig, rm, greedy_roster(problem, elig, params.travel_minutes_default)
        )
        greedy.hint(rm)
        # The greedy roster is a fallback only when it keeps every hard rule.
        if greedy.keeps_must_cover_and_pins(problem, elig):
            best = greedy
    reports: list[StageReport] = []
    holder: dict = {}
    watcher = _stop_watcher(stop, holder)
    status = Status.OPTIMAL
    message = ""
    try:
        for i, stage in enumerate(stages):
            remaining = deadline - time.perf_counter()
            if remaining <= 0 or (stop is not None and stop.is_set()):
                status, message = _out_of_time(stage, rm, best, reports, "stopped", 0.0)
                break
            share = remaining if i == len(stages) - 1 else remaining * 0.6
            if stage is soft and best is not None:
                best = best.filled(problem, elig, rm, params)
                best.hint(rm)
            rm.model.maximize(stage.expression())
            solver = cp_model.CpSolver()
            _configure(solver, params, share)
            holder["solver"] = solver
            if stop is not None and stop.is_set():
                status, message = _out_of_time(stage, rm, best, reports, "stopped", 0.0)
                break
            stage_started = time.perf_counter()
            code = solver.solve(rm.model, _Callback(stage.name, started, progress))
            runtime = time.perf_counter() - stage_started
            if code == cp_model.MODEL_INVALID:
                raise ValueError(
                    f"CP-SAT refused the model or parameters: {solver.solution_info()}"
                )
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
            rm.model.add(stage.expression() >= round(objective))
            best.hint(rm)
    finally:
        holder["done"] = True
        if watcher is not None:
            watcher.join(timeout=1)
    if status == Status.OPTIMAL and elig.pruned:
        status = Status.FEASIBLE
        message = (
            f"optimal for the {elig.size} candidate pairs kept; {elig.pruned} more eligible "
            "pairs were left out by the candidate limit"
        )
    return _result(problem, elig, rm, params, best, reports, status, message, started)


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


def _result(
    problem: Problem,
    elig: Eligibility,
    rm: RosterModel,
    params: SolverParams,
    best: _Solution | None,
    reports: list[StageReport],
    status: Status,
    message: str,
    started: float,
) -> Result:
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
        message=message,
        params=params.as_dict(),
        pairs=elig.size,
        pruned_pairs=elig.pruned,
    )
