"""Plan a roster: the public ``solve()`` entry.

The work is elsewhere: :mod:`matcher.solver.stages` runs the lexicographic
stages on a backend (:mod:`matcher.solver.cpsat`), :mod:`matcher.solver.parts`
solves independent parts one by one and merges them, and
:mod:`matcher.solver.stop` says when to stop.
"""

from __future__ import annotations

import threading
import time
from contextlib import nullcontext

from matcher.decompose import find_parts
from matcher.domain import Assignment, Problem, canonical
from matcher.eligibility import build_eligibility, find_candidates
from matcher.params import SolverParams
from matcher.result import Result
from matcher.solver.model import build_model
from matcher.solver.parts import solve_parts
from matcher.solver.portfolio import stage_backend
from matcher.solver.reference import Reference
from matcher.solver.solution import roster_assignments
from matcher.solver.stages import ModelRun, Progress, StageSettings, run_stages
from matcher.solver.stop import StopWatcher, UserStop

__all__ = ["Progress", "Reference", "reserve", "solve"]


def reserve(time_limit: float, stage_count: int) -> float:
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
    reference: Reference | None = None,
) -> Result:
    """Plan a roster, from scratch or as close as possible to a reference roster.

    Coverage is maximised first (higher priorities strictly first), then held
    while the households' wishes are (``params.wishes_stage``), then both are
    held while the soft rules are optimised.  The time limit covers everything; a
    run that is stopped or runs out of time returns the best roster found with
    its gap.  When volunteers' travel limits (or anything else) split the
    problem into independent parts, each part is solved on its own and the
    rosters are merged (see :mod:`matcher.decompose`); no rule links two
    parts, so that loses nothing.  With a ``reference`` roster, a stage
    right after coverage keeps as many of its assignments as coverage
    allows (:mod:`matcher.solver.reference`); such a solve is one model.

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
    reference
        The roster to change as little as possible (a published plan), and
        the day before which it is history and stays as it is.

    Returns
    -------
    Result
        Never raises for a hard problem: infeasible and timed-out runs are statuses.
        Solved in the problem's canonical order (:func:`matcher.domain.canonical`):
        ties, and the order of the roster and of its lists, go by id whatever
        the row order of the files.
    """
    params = params or SolverParams()
    started = time.perf_counter()
    # Ties go by id, not by row order: the same data in any order gives the same roster.
    problem = canonical(problem)
    candidates = find_candidates(problem, params.travel_minutes_default)
    # A reference roster is solved as one model: the parts' merge knows no changes stage.
    decompose = params.decompose and reference is None
    parts = find_parts(candidates.volunteers, len(problem.volunteers)) if decompose else []
    user_stop = UserStop(stop) if stop is not None else None
    watcher = StopWatcher(user_stop) if user_stop is not None else None
    settings = StageSettings(
        params=params,
        started=started,
        deadline_for=lambda count: started + params.time_limit - reserve(params.time_limit, count),
        progress=progress,
        stop=user_stop,
        watcher=watcher,
    )
    with watcher if watcher is not None else nullcontext():
        if len(parts) > 1:
            return solve_parts(problem, candidates, parts, settings)
        elig = build_eligibility(
            problem,
            params.candidate_limit,
            params.prune_above,
            params.travel_minutes_default,
            candidates=candidates,
        )
        rm = build_model(problem, elig, params, reference=reference)
        run = run_stages(problem, elig, rm, stage_backend(rm, params, elig, problem), settings)
    return _result(problem, run, params, started)


def _result(problem: Problem, run: ModelRun, params: SolverParams, started: float) -> Result:
    """The result of a problem solved as one model."""
    elig, best, reports, status = run.elig, run.best, run.reports, run.status
    has_roster = run.has_roster
    assignments: tuple[Assignment, ...] = ()
    if has_roster and best is not None:
        assignments = roster_assignments(problem, elig, best)
    terms = dict(best.terms) if has_roster and best is not None else {}
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
        unmet=run.explain_unmet(problem, assignments, params.travel_minutes_default),
        unmet_wishes=run.explain_wishes(problem, assignments, params),
        message=run.message,
        params=params.as_dict(),
        pairs=elig.size,
        pruned_pairs=elig.pruned,
        conflict=run.conflict,
    )
