"""HiGHS as a second backend of the stage driver, for the benchmark.

``solve_with_highs`` runs :func:`matcher.solver.stages.run_stages`, the very
procedure :func:`matcher.solver.solve` runs (two greedy starts, coverage,
teams rebuilt and filled before the soft stage, each stage held by its
counts per priority, the same time split and reserve), with
:class:`HighsBackend` in place of CP-SAT.  The backend solves each stage on
the MILP translation of the same CP-SAT model (:mod:`matcher.solver.milp`), so
the two columns of the benchmark differ in the solver only.

One difference stays: ``solve`` splits a problem into independent parts when
it has several and solves each on its own; HiGHS solves the one model of the
whole problem (what :func:`prepare` builds, and what the LP bounds are
computed on).  Every rule is about one part, so the optimum is the same.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tempfile
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks.gap import GapInstance, gap_params, gap_problem
from benchmarks.highs_stage import StageRun, timed
from benchmarks.lp_bounds import hold_row
from benchmarks.timing import TARGET_GAP, GapClock
from matcher.baselines import Placement
from matcher.domain import Assignment, Problem
from matcher.eligibility import Eligibility, build_eligibility
from matcher.io import load_dataset, write_dataset
from matcher.params import SolverParams
from matcher.result import StageReport, Status
from matcher.solver import highs
from matcher.solver.backend import Improved, StageOutcome
from matcher.solver.milp import THREADS, Milp, StageObjective, highs_version
from matcher.solver.model import RosterModel, build_model
from matcher.solver.objective import Term
from matcher.solver.solution import Solution
from matcher.solver.solve import reserve
from matcher.solver.stages import StageSettings, run_stages

_INF = math.inf


@dataclasses.dataclass
class HighsRun:
    """A lexicographic run of HiGHS on the roster model.

    Attributes
    ----------
    status
        The run's status as ``solve`` gives it (OPTIMAL only when every stage
        is proven and nothing was pruned).
    stages
        One record per stage.
    gap
        Largest stage gap (None when a stage has no bound or no roster).
    prepare_seconds
        Time outside HiGHS's stages: eligibility and model build (as
        :func:`matcher.solver.solve` spends them), greedy starts, and the
        driver's work between stages (teams rebuilt, starts handed over);
        counted in ``time_to_gap``.
    translate_seconds
        Proto export and translation (tooling; not counted anywhere else).
    time_to_gap
        Seconds from the start of the run (``prepare_seconds`` included) until
        the last stage first reached the target gap, every earlier stage having
        ended within it; None when that never happened.
    assignments
        ``(volunteer index, need index)`` of every pair on the final roster.
    """

    status: str
    stages: list[StageRun]
    gap: float | None
    prepare_seconds: float
    translate_seconds: float
    time_to_gap: float | None
    assignments: list[tuple[int, int]]
    columns: int
    rows: int
    kinds: dict[str, int]
    version: str
    threads: int = THREADS

    @property
    def runtime(self) -> float:
        """Preparation and every stage (the translation left out)."""
        return self.prepare_seconds + sum(s.runtime for s in self.stages)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for the results JSON (assignments left out)."""
        out = dataclasses.asdict(self)
        del out["assignments"]
        out["runtime"] = self.runtime
        return out


@dataclasses.dataclass
class Prepared:
    """The model of one problem, built as :func:`matcher.solver.solve` builds it, and translated.

    Attributes
    ----------
    prepare_seconds
        Eligibility and model build (what the solver spends before its stages).
    translate_seconds
        Proto export, translation and stage objectives (tooling only).
    """

    params: SolverParams
    elig: Eligibility
    rm: RosterModel
    milp: Milp
    stages: list[StageObjective]
    prepare_seconds: float
    translate_seconds: float


def prepare(problem: Problem, params: SolverParams | None = None) -> Prepared:
    """Build the roster model exactly as the solver does, and translate it.

    Parameters
    ----------
    problem
        The problem.
    params
        Solver parameters (pruning, weights and travel time shape the model).

    Returns
    -------
    Prepared
        Eligibility, model, MILP and stage objectives.
    """
    params = params or SolverParams()
    started = time.perf_counter()
    elig = build_eligibility(
        problem, params.candidate_limit, params.prune_above, params.travel_minutes_default
    )
    rm = build_model(problem, elig, params)
    prepared = time.perf_counter()
    milp, stages = highs.translation(rm)
    return Prepared(
        params=params,
        elig=elig,
        rm=rm,
        milp=milp,
        stages=stages,
        prepare_seconds=prepared - started,
        translate_seconds=time.perf_counter() - prepared,
    )


def milp_point(prepared: Prepared, solution: Solution) -> np.ndarray:
    """A roster as a complete point of the MILP (:func:`matcher.solver.highs.milp_point`)."""
    return highs.milp_point(prepared.rm, prepared.milp, solution)


def roster_values(
    problem: Problem, prepared: Prepared, assignments: Sequence[Assignment]
) -> np.ndarray | None:
    """A roster (as :class:`matcher.result.Result` gives it) as a point of the MILP.

    Evaluating the stage objectives at this point gives the roster's value in
    *this* model's terms, however the roster was found.

    Returns
    -------
    numpy.ndarray or None
        One value per column; None when an assignment is not a pair of the
        model (a roster from another pruning).
    """
    elig = prepared.elig
    placements = []
    for a in assignments:
        key = (problem.volunteer_index[a.volunteer_id], problem.need_index[a.need_id])
        p = elig.pair_index.get(key)
        if p is None:
            return None
        placements.append(Placement(p, a.start))
    return milp_point(prepared, Solution.from_placements(elig, prepared.rm, placements))


class HighsBackend(highs.HighsBackend):
    """The library's HiGHS backend, recording each stage with its first time to the target gap.

    Parameters
    ----------
    prepared
        The model and its translation (:func:`prepare`).
    started
        ``perf_counter`` time the run's clock counts from (stage offsets for ``time_to_gap``).
    target_gap
        Gap whose first time each stage records.
    hold_counts
        Hold a finished stage as ``solve`` does (:func:`matcher.solver.stages.hold_rows`:
        counts of staffed needs per priority for weighted coverage); False
        holds it by the single row ``stage >= value`` instead, whose
        coefficients span ten orders of magnitude and stall HiGHS's LP (a
        variant for comparison only).
    """

    def __init__(
        self,
        prepared: Prepared,
        started: float,
        target_gap: float = TARGET_GAP,
        hold_counts: bool = True,
    ) -> None:
        super().__init__(prepared.rm, prepared.params, (prepared.milp, prepared.stages))
        self.started = started
        self.target_gap = target_gap
        self.hold_counts = hold_counts
        self.records: list[StageRun] = []
        self.offsets: list[float] = []
        """When each stage started, in seconds on the run's clock."""

    def solve_stage(
        self, stage: Term, seconds: float, improved: Improved | None = None
    ) -> StageOutcome:
        """The library's stage, timed by a gap clock."""
        if self._interrupted:
            return super().solve_stage(stage, seconds, improved)
        self.offsets.append(time.perf_counter() - self.started)
        clock = GapClock(self.target_gap)
        self.watch = clock
        outcome = super().solve_stage(stage, seconds, improved)
        assert self.last is not None
        self.records.append(timed(self.last, clock, self.target_gap))
        return outcome

    def hold(self, stage: Term, reached: int, bound: int) -> None:
        """Hold as ``solve`` does, or by the stage's single row (``hold_counts=False``)."""
        if self.hold_counts:
            super().hold(stage, reached, bound)
        else:
            self.holds.append(hold_row(self.objectives[stage.name], reached))


def _not_run(report: StageReport) -> StageRun:
    """A stage the driver closed without HiGHS (no time left): the driver's figures."""
    feasible = report.status == Status.FEASIBLE
    return StageRun(
        name=report.name,
        status=str(report.status),
        highs_status="not run",
        objective=report.objective if feasible else None,
        bound=report.bound,
        gap=report.gap if feasible else None,
        mip_gap=None,
        runtime=report.runtime,
        nodes=0,
        time_to_gap=None,
    )


def solve_with_highs(
    problem: Problem,
    params: SolverParams | None = None,
    target_gap: float = TARGET_GAP,
    prepared: Prepared | None = None,
    hold_counts: bool = True,
) -> HighsRun:
    """Run :func:`matcher.solver.solve`'s stage driver with HiGHS as the backend.

    Same eligibility (pruning included), same model, same stages and the
    same driver (:func:`matcher.solver.stages.run_stages`): two greedy
    starts, each stage held for the next, 60% of what is left for every
    stage but the last, the same reserve, teams rebuilt and filled before
    the soft stage.  The clock starts before eligibility, as the solver's
    does, but does not run during the translation.

    Parameters
    ----------
    problem
        The problem.
    params
        Solver parameters (time limit, pruning, weights, seed, relative gap).
    target_gap
        Gap whose first time is recorded.
    prepared
        The model from :func:`prepare` (built here when omitted).
    hold_counts
        Hold stages as ``solve`` does (default); False holds each stage by
        its single row, see :class:`HighsBackend`.

    Returns
    -------
    HighsRun
        Status, per-stage figures and the roster.
    """
    if prepared is None:
        prepared = prepare(problem, params)
    params = prepared.params
    started = time.perf_counter() - prepared.prepare_seconds
    backend = HighsBackend(prepared, started, target_gap, hold_counts)
    settings = StageSettings(
        params=params,
        started=started,
        deadline_for=lambda count: started + params.time_limit - reserve(params.time_limit, count),
    )
    run = run_stages(problem, prepared.elig, prepared.rm, backend, settings)
    total = time.perf_counter() - started
    records = list(backend.records)
    records += [_not_run(report) for report in run.reports[len(records) :]]
    time_to_gap = None
    last = records[-1] if records else None
    earlier_within = all(r.gap is not None and r.gap <= target_gap for r in records[:-1])
    if (
        last is not None
        and len(records) == len(prepared.stages)
        and len(backend.offsets) == len(records)
        and earlier_within
        and last.time_to_gap is not None
    ):
        time_to_gap = backend.offsets[-1] + last.time_to_gap
    assignments = []
    if run.best is not None and run.status in (Status.OPTIMAL, Status.FEASIBLE):
        chosen = np.flatnonzero(run.best.assign)
        assignments = [
            (int(prepared.elig.volunteer[p]), int(prepared.elig.need[p])) for p in chosen
        ]
    gaps = [r.gap for r in records]
    return HighsRun(
        status=str(run.status),
        stages=records,
        gap=max(gaps) if gaps and all(g is not None for g in gaps) else None,  # type: ignore[type-var]
        prepare_seconds=total - sum(r.runtime for r in records),
        translate_seconds=prepared.translate_seconds,
        time_to_gap=time_to_gap,
        assignments=assignments,
        columns=prepared.milp.cols,
        rows=prepared.milp.rows,
        kinds=prepared.milp.kinds,
        version=highs_version(),
    )


def solve_gap_with_highs(
    instance: GapInstance, time_limit: float = 10.0
) -> tuple[int | None, HighsRun]:
    """HiGHS on a GAP instance through the dataset path, as :func:`benchmarks.gap.solve_gap`.

    Parameters
    ----------
    instance
        The GAP instance.
    time_limit
        Seconds, as for the solver.

    Returns
    -------
    tuple
        The GAP value of HiGHS's roster (None unless every job is assigned) and the run.
    """
    with tempfile.TemporaryDirectory(prefix="gap-") as tmp:
        folder = os.path.join(tmp, instance.name)
        write_dataset(gap_problem(instance), folder)
        problem = load_dataset(folder)
    run = solve_with_highs(problem, gap_params(time_limit))
    if run.status not in ("OPTIMAL", "FEASIBLE") or len(run.assignments) != instance.jobs:
        return None, run
    value = 0
    for v, n in run.assignments:
        i = int(problem.volunteers[v].id[1:]) - 1
        j = int(problem.needs[n].id[1:]) - 1
        value += int(instance.value[i, j])
    return value, run
