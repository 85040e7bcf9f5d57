"""CP-SAT as the stage driver's backend: the library's solver."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Sequence

import numpy as np
from ortools.sat.python import cp_model

from matcher.domain import Problem
from matcher.eligibility import Eligibility
from matcher.i18n import _
from matcher.params import SolverParams
from matcher.solver.backend import HeldRow, Improved, StageEnd, StageOutcome
from matcher.solver.lns import NeighbourhoodSearch, model_values, solution_of
from matcher.solver.model import RosterModel
from matcher.solver.objective import Term, pair_bound
from matcher.solver.solution import Solution
from matcher.solver.stages import hold_rows, trivial_bound


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, improved: Improved | None) -> None:
        super().__init__()
        self.improved = improved

    def on_solution_callback(self) -> None:
        if self.improved is not None:
            self.improved(self.objective_value, self.best_objective_bound)


def configure(solver: cp_model.CpSolver, params: SolverParams, seconds: float) -> None:
    """Set a CP-SAT solver's parameters for one stage of ``seconds``."""
    solver.parameters.max_time_in_seconds = max(0.01, seconds)
    solver.parameters.num_workers = params.workers
    solver.parameters.linearization_level = params.linearization_level
    solver.parameters.cp_model_probing_level = params.probing_level
    solver.parameters.random_seed = params.seed
    # Measured on 2 cores (docs/benchmarks.md, issue 11): without the
    # symmetry search and with one presolve pass, the generated communities
    # of 200 x 60 were proven in 0.34-0.47 s instead of 0.48-0.63 s and the
    # sample in 0.46 s instead of 0.57 s; GAP B and C ended alike and
    # 5,000 x 1,500 reached the same coverage and bound.  ``[cp_sat]`` may
    # set them back.
    solver.parameters.symmetry_level = 0
    solver.parameters.max_presolve_iterations = 1
    if params.relative_gap:
        solver.parameters.relative_gap_limit = params.relative_gap
    for key, value in params.cp_sat.items():
        setattr(solver.parameters, key, value)


def add_rows(model: cp_model.CpModel, rows: Sequence[HeldRow]) -> None:
    """Add held rows to a CP-SAT model, one constraint per row."""
    for row in rows:
        expr = cp_model.LinearExpr.weighted_sum(list(row.variables), list(row.coefficients))
        if row.lower is not None and row.upper is not None:
            model.add_linear_constraint(expr, row.lower, row.upper)
        elif row.lower is not None:
            model.add(expr >= row.lower)
        elif row.upper is not None:
            model.add(expr <= row.upper)


def hold_stage(model: cp_model.CpModel, stage: Term, reached: int, bound: int) -> None:
    """Keep ``stage`` at ``reached`` or better in ``model`` (see :func:`hold_rows`)."""
    add_rows(model, hold_rows(stage, reached, bound))


class CpSatBackend:
    """One roster model solved stage by stage with CP-SAT.

    Parameters
    ----------
    rm
        The built model (stages add their holds to it).
    params
        Workers, seed, linearisation and the other CP-SAT settings.
    elig
        The model's eligible pairs: with them, a model of at least
        ``params.neighbourhood_above`` pairs improves its stages after
        coverage by neighbourhood search first (:mod:`matcher.solver.lns`).
    problem
        The problem: with it, the search's progress reports carry the bound
        from the pairs alone (:func:`matcher.solver.objective.pair_bound`)
        instead of the trivial one.
    """

    def __init__(
        self,
        rm: RosterModel,
        params: SolverParams,
        elig: Eligibility | None = None,
        problem: Problem | None = None,
    ) -> None:
        self.rm = rm
        self.params = params
        self._problem = problem
        self._elig = elig
        self._solver: cp_model.CpSolver | None = None
        self._interrupted = False
        self.stage_stop: threading.Event | None = None
        """Set (by a portfolio racing HiGHS) to end the stage in progress, and no later one."""
        self._start: Solution | None = None
        large = elig is not None and 0 < params.neighbourhood_above <= elig.size
        self._search = NeighbourhoodSearch(rm, elig, params) if large and elig is not None else None

    def start_from(self, solution: Solution) -> None:
        """Give CP-SAT this solution as a complete hint (taken at once as its first roster)."""
        rm = self.rm
        self._start = solution
        model, x = rm.model, rm.variables
        model.clear_hints()
        # In bulk, in the order add_hint would give: one call per variable was
        # seconds at city size.
        open_pairs = np.flatnonzero(rm.pair_open).tolist()
        variables = [x.assign[p].index for p in open_pairs]
        values = solution.assign[open_pairs].astype(np.int64).tolist() if open_pairs else []
        variables += [y.index for y in x.staffed.values()]
        values += [int(solution.staffed[n]) for n in x.staffed]
        variables += [s.index for s in x.start.values()]
        values += [solution.start.get(n, rm.window_start[n]) for n in x.start]
        variables += [over.index for over, _ in rm.extra_shifts]
        values += [max(0, int(solution.assign[pairs].sum()) - 1) for _, pairs in rm.extra_shifts]
        if rm.reference is not None:
            value_of = solution.variable_values(rm)
            variables += [literal.index for literal in rm.reference.same_start.values()]
            values += [value_of[literal.index] for literal in rm.reference.same_start.values()]
        hint = model.proto.solution_hint
        hint.vars.extend(variables)
        hint.values.extend(values)

    def solve_stage(
        self, stage: Term, seconds: float, improved: Improved | None = None
    ) -> StageOutcome:
        """Maximise ``stage`` within ``seconds``: by neighbourhoods first when the model is large.

        Coverage always goes to the whole model with its whole share
        (CP-SAT's LP closes it at district size; a neighbourhood search of
        coverage was measured and gained less, and half the share cost
        coverage at 1,000 x 300, which outranks every later stage).  The
        later stages of a large model search neighbourhoods from the start
        roster for ``neighbourhood_share`` of the time, then give the whole
        model the rest, from the best roster.

        Raises
        ------
        ValueError
            When CP-SAT refuses the model or the parameters.
        """
        if (
            self._search is not None
            and self._start is not None
            and not stage.name.startswith("coverage")
        ):
            return self._solve_by_neighbourhoods(stage, seconds, improved)
        return self._solve_whole(stage, seconds, improved)

    def _solve_by_neighbourhoods(
        self, stage: Term, seconds: float, improved: Improved | None
    ) -> StageOutcome:
        """Neighbourhood search from the start roster, then the whole model from its best."""
        assert self._search is not None and self._start is not None
        started = time.perf_counter()
        rm = self.rm
        rm.model.maximize(stage.expression())
        ceiling = trivial_bound(stage)
        if self._problem is not None and self._elig is not None:
            problem, elig, weights = self._problem, self._elig, self.params.weights
            pairs = pair_bound(problem, elig, rm.pair_open, rm.gain, weights, stage.name)
            ceiling = min(ceiling, pairs) if pairs is not None else ceiling

        def better(value: float) -> None:
            if improved is not None:
                improved(value, ceiling)

        found = self._search.improve(
            stage,
            model_values(rm, self._start),
            seconds * self.params.neighbourhood_share,
            better,
            self._running,
            self._stopped,
        )
        best = solution_of(rm, found.values, self._terms())
        if found.whole:
            runtime = time.perf_counter() - started
            return StageOutcome(StageEnd.OPTIMAL, found.objective, found.objective, runtime, best)
        self.start_from(best)
        left = seconds - (time.perf_counter() - started)
        whole = (
            self._solve_whole(stage, left, improved)
            if left > 0.05 and not self._stopped()
            else None
        )
        runtime = time.perf_counter() - started
        if (
            whole is not None
            and whole.solution is not None
            and whole.objective is not None
            and whole.objective >= found.objective
        ):
            return dataclasses.replace(whole, runtime=runtime)
        bound = whole.bound if whole is not None else None
        if bound is not None and not found.objective <= bound <= ceiling:
            bound = None  # without a roster CP-SAT's bound may be a placeholder
        return StageOutcome(StageEnd.FEASIBLE, found.objective, bound, runtime, best)

    def _running(self, solver: cp_model.CpSolver) -> None:
        self._solver = solver

    def _terms(self) -> list[Term]:
        rm = self.rm
        return [*rm.coverage, *rm.changes, *rm.wishes, *rm.soft]

    def _solve_whole(
        self, stage: Term, seconds: float, improved: Improved | None = None
    ) -> StageOutcome:
        """Maximise ``stage`` with a fresh CP-SAT solver of ``seconds`` on the whole model.

        Raises
        ------
        ValueError
            When CP-SAT refuses the model or the parameters.
        """
        self.rm.model.maximize(stage.expression())
        solver = cp_model.CpSolver()
        configure(solver, self.params, seconds)
        self._solver = solver
        if self._stopped():
            # Asked to stop before this solver existed: it would not have heard.
            return StageOutcome(StageEnd.NO_ROSTER, None, None, 0.0)
        started = time.perf_counter()
        code = solver.solve(self.rm.model, _Callback(improved))
        runtime = time.perf_counter() - started
        if code == cp_model.MODEL_INVALID:
            raise ValueError(
                _("CP-SAT refused the model or parameters: {info}").format(
                    info=solver.solution_info()
                )
            )
        if code == cp_model.INFEASIBLE:
            return StageOutcome(StageEnd.INFEASIBLE, None, None, runtime)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return StageOutcome(StageEnd.NO_ROSTER, None, solver.best_objective_bound, runtime)
        return StageOutcome(
            StageEnd.OPTIMAL if code == cp_model.OPTIMAL else StageEnd.FEASIBLE,
            solver.objective_value,
            solver.best_objective_bound,
            runtime,
            self._solution(solver),
        )

    def _solution(self, solver: cp_model.CpSolver) -> Solution:
        rm = self.rm
        x = rm.variables
        return Solution(
            assign=np.array([solver.boolean_value(v) for v in x.assign], dtype=bool),
            staffed={n: solver.boolean_value(y) for n, y in x.staffed.items()},
            start={n: solver.value(s) for n, s in x.start.items()},
            terms={t.name: float(solver.value(t.expression())) for t in self._terms()},
        )

    def hold(self, stage: Term, reached: int, bound: int) -> None:
        """Add the rows that hold ``stage`` to the model as constraints."""
        hold_stage(self.rm.model, stage, reached, bound)

    def _stopped(self) -> bool:
        stage_stop = self.stage_stop
        return self._interrupted or (stage_stop is not None and stage_stop.is_set())

    def stop_stage(self) -> None:
        """End the stage in progress soon (``stage_stop`` set first), with its best roster."""
        solver = self._solver
        if solver is not None:
            solver.stop_search()

    def interrupt(self) -> None:
        """Stop the running CP-SAT search, and refuse to start another."""
        self._interrupted = True
        self.stop_stage()
