"""Pairing households with a primary volunteer and a backup: the CP-SAT model and its stages.

One boolean per candidate pair and role (``primary``, ``backup``); each
household has at most one primary, at most one backup and a backup only
with a primary, never the same person in both roles; each volunteer takes
at most ``max_households`` households, in either role.  The objective is
lexicographic, in stages held in turn (as the roster engine's stages, with
its :func:`~matcher.solver.stages.hold_rows` rule):

1. ``paired``: households with a primary, a household of higher priority
   before all of lower priority together;
2. ``kept``: the previous pairing kept (a primary kept as primary counts 2,
   a backup kept as backup, or moved to the other role, 1);
3. ``backed``: households with a backup, by priority;
4. ``fit``: affinity, wishes met and travel (the primary's fit counts twice);
5. ``spread``: fewest volunteers with more than one household, and fewest
   households past each department's share (its compatible volunteers').

Keeping the previous pairing comes before giving households a backup, so a
pair only changes when it must (a volunteer left, became incompatible or is
over their cap) or when the change lets another household have a primary.
One CP-SAT worker and a fixed seed by default, for the same answer each run.

How it runs fast enough (measured, see docs/benchmarks.md): households and
volunteers that share no candidate are independent parts
(:func:`matcher.decompose.find_parts`: with ``max_travel`` a district falls
apart by street office), solved one by one with the whole pairing's
priority weights, so their values add up exactly; a stage whose start (the
greedy pairing, completed after each stage) already reaches a value no
pairing can pass (:meth:`~matcher.pairing.model.PairingModel.most`) is held without a solve; fit and
spread are solved together in small parts (:func:`_solve_last`).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence

import numpy as np
from ortools.sat.python import cp_model

from matcher.decompose import find_parts
from matcher.domain import Problem, SupportPair
from matcher.i18n import _
from matcher.pairing.candidates import Candidates, Choice, build_candidates, greedy_pairing
from matcher.pairing.model import PairingModel
from matcher.pairing.rules import PairingScreen
from matcher.params import SolverParams
from matcher.result import StageReport, Status, relative_gap
from matcher.solver.cpsat import configure, hold_stage
from matcher.solver.objective import Term, lexicographic_weights

STAGES: tuple[str, ...] = ("paired", "kept", "backed", "fit", "spread")
"""The lexicographic stages of a pairing, in order."""


FIT_SHARE = 0.9
"""Share of a large part's time for the fit stage; the spread (a tie-break) gets the rest.

Measured on districts of 5,000 households: with 70% the fit of one seed ended 6.8%
from its bound while the spread, given 25 s, moved by a few households."""

PRESOLVE_ABOVE = 6_000
"""Candidate pairs of a part above which CP-SAT's presolve is on (see :class:`PairingParams`)."""


@dataclasses.dataclass(frozen=True, slots=True)
class PairingParams:
    """How a pairing is solved."""

    time_limit: float = 10.0
    """Wall-clock seconds for all stages together."""
    workers: int = 1
    """CP-SAT workers (one: the same answer on every run)."""
    seed: int = 0
    """CP-SAT's seed and the seed of the random half of a pruned household's candidates."""
    travel_minutes_default: int = 10
    """Travel minutes between two different places the travel sheet does not list."""
    candidate_limit: int = 40
    """Candidates kept per household once pruning applies (0: never prune)."""
    prune_above: int = 100_000
    """Compatible pairs above which each household keeps ``candidate_limit`` candidates."""
    relative_gap: float = 0.0
    """Stop a stage once its gap to the bound is at most this (0: prove optimal)."""
    weeks: int = 12
    """Length of the term in weeks, from the horizon's start (for the continuity report)."""
    presolve: bool | None = None
    """CP-SAT's presolve; None: on for parts of more than :data:`PRESOLVE_ABOVE` candidate
    pairs.  Measured: on 50 households x 200 volunteers (4,300 pairs) presolve spent
    0.7 s of a 1.1 s solve expanding the objective, and the proof took 0.5-0.9 s in all
    without it; on parts of 10,000-15,000 pairs it gave bounds within 1.5% where the
    search without it ended 15-25% from its bound."""

    def solver_params(self, pairs: int = 0) -> SolverParams:
        """The roster engine's CP-SAT settings with this pairing's time, workers and seed.

        ``pairs`` is the size of the part solved (for the automatic presolve).
        """
        presolve = self.presolve if self.presolve is not None else pairs > PRESOLVE_ABOVE
        return SolverParams(
            time_limit=self.time_limit,
            workers=self.workers,
            seed=self.seed,
            relative_gap=self.relative_gap,
            travel_minutes_default=self.travel_minutes_default,
            cp_sat={} if presolve else {"cp_model_presolve": False},
        )


@dataclasses.dataclass(frozen=True)
class PairingResult:
    """A pairing: each paired household's primary and backup, and how the solve went.

    ``objective``, ``bound`` and ``gap`` are the last stage's; ``stages`` has
    every stage's (its objective, bound and gap); ``gap`` is the largest of
    them.  ``candidate_pairs`` are in the model, ``pruned_pairs`` compatible
    pairs left out by the candidate limit (the bounds are the pruned model's).
    """

    pairs: tuple[SupportPair, ...]
    status: Status
    stages: tuple[StageReport, ...]
    objective: float
    bound: float
    gap: float
    runtime: float
    candidate_pairs: int
    pruned_pairs: int
    message: str = ""

    @property
    def objective_by_stage(self) -> dict[str, float]:
        """Each stage's value reached."""
        return {s.name: s.objective for s in self.stages}

    def pair_of(self, household_id: str) -> SupportPair | None:
        """The pair of a household, None when it is unpaired."""
        return next((p for p in self.pairs if p.household_id == household_id), None)


def pair_households(
    problem: Problem,
    previous: Sequence[SupportPair] = (),
    params: PairingParams | None = None,
    screen: PairingScreen | None = None,
) -> PairingResult:
    """Pair each household with one-to-one support with a primary volunteer and a backup.

    Parameters
    ----------
    problem
        The dataset; its households with ``support`` one-to-one are paired.
    previous
        The pairing in place (``matcher pair --previous``): kept where it may be.
    params
        Time limit, workers, seed, candidate limit (default :class:`PairingParams`).
    screen
        The rules over this problem, when the caller has built them already.

    Returns
    -------
    PairingResult
        Never raises on a hard instance: out of time, the best pairing found
        (at least the greedy one) with its gap.
    """
    params = params or PairingParams()
    started = time.perf_counter()
    deadline = started + params.time_limit
    screen = screen or PairingScreen(problem, params.travel_minutes_default)
    cand = build_candidates(
        problem, screen, previous, params.candidate_limit, params.prune_above, params.seed
    )
    counts: dict[int, int] = {}
    for h in np.unique(cand.household).tolist():
        counts[cand.households[h].priority] = counts.get(cand.households[h].priority, 0) + 1
    weights = lexicographic_weights(counts)
    starts = np.searchsorted(cand.household, np.arange(len(cand.households) + 1))
    parts = find_parts(
        [cand.volunteer[starts[h] : starts[h + 1]] for h in range(len(cand.households))],
        len(problem.volunteers),
    )
    best = Choice(
        np.full(len(cand.households), -1, np.int64), np.full(len(cand.households), -1, np.int64)
    )
    by_stage: dict[str, list[StageReport]] = {}
    pairs_left = sum(part.pairs for part in parts)
    for part in parts:
        left = max(0.0, deadline - time.perf_counter())
        share = left * part.pairs / pairs_left if pairs_left else left
        pairs_left -= part.pairs
        sub, positions = _part_candidates(cand, part.needs, starts)
        choice, reports = _solve_part(problem, sub, weights, screen, share, params)
        for mine, chosen in ((best.primary, choice.primary), (best.backup, choice.backup)):
            found = chosen >= 0
            mine[part.needs[found]] = positions[chosen[found]]
        for report in reports:
            by_stage.setdefault(report.name, []).append(report)
    reports = [_merged(name, by_stage[name]) for name in STAGES if name in by_stage]
    proven = all(r.status == Status.OPTIMAL for r in reports)
    runtime = time.perf_counter() - started
    pairs = tuple(
        SupportPair(
            household.id,
            problem.volunteers[int(cand.volunteer[best.primary[h]])].id,
            problem.volunteers[int(cand.volunteer[best.backup[h]])].id
            if best.backup[h] >= 0
            else None,
        )
        for h, household in enumerate(cand.households)
        if best.primary[h] >= 0
    )
    last = reports[-1] if reports else StageReport("paired", Status.OPTIMAL, 0.0, 0.0, 0.0, 0.0)
    message = ""
    if cand.pruned:
        message = _(
            "{pruned} compatible pairs were left out by the candidate limit of {limit} per "
            "household (the bounds are the pruned model's)"
        ).format(pruned=cand.pruned, limit=params.candidate_limit)
    return PairingResult(
        pairs=pairs,
        status=Status.OPTIMAL if proven else Status.FEASIBLE,
        stages=tuple(reports),
        objective=last.objective,
        bound=last.bound,
        gap=max((r.gap for r in reports), default=0.0),
        runtime=runtime,
        candidate_pairs=len(cand),
        pruned_pairs=cand.pruned,
        message=message,
    )


def _part_candidates(
    cand: Candidates, households: np.ndarray, starts: np.ndarray
) -> tuple[Candidates, np.ndarray]:
    """The candidates of some households (a part), and their positions among all candidates."""
    positions = np.concatenate(
        [np.arange(starts[h], starts[h + 1], dtype=np.int64) for h in households.tolist()]
    )
    local = np.repeat(np.arange(len(households)), np.diff(starts)[households])
    sub = Candidates(
        households=tuple(cand.households[h] for h in households.tolist()),
        household=local.astype(np.int64),
        volunteer=cand.volunteer[positions],
        fit=cand.fit[positions],
        previous=cand.previous[households],
        eligible_count=cand.eligible_count[households],
        pruned=0,
    )
    return sub, positions


def _solve_part(
    problem: Problem,
    cand: Candidates,
    weights: dict[int, int],
    screen: PairingScreen,
    seconds: float,
    params: PairingParams,
) -> tuple[Choice, list[StageReport]]:
    """Every stage of one independent part: its pairing (positions in ``cand``) and reports."""
    deadline = time.perf_counter() + seconds
    priority = {h: household.priority for h, household in enumerate(cand.households)}
    best = greedy_pairing(cand, screen.max_households, priority)
    m = PairingModel(problem, cand, weights)
    solver_params = params.solver_params(len(cand))
    reports: list[StageReport] = []
    terms = {
        "paired": lambda: m.by_priority(m.primary, "paired"),
        "kept": m.kept,
        "backed": lambda: m.by_priority(m.backup, "backed"),
    }
    for name in ("paired", "kept", "backed"):
        term = terms[name]()
        if not term.variables:
            continue
        most = m.most(name)
        if most is not None and m.value(term, best) >= most:
            # the start is as good as any pairing: held without a solve, in the form
            # presolve likes best (each household exactly one primary or backup)
            m.fill(term, name, most)
            reports.append(StageReport(name, Status.OPTIMAL, float(most), float(most), 0.0, 0.0))
        else:
            left = max(0.0, deadline - time.perf_counter())
            report, best = _solve_stage(m, term, best, left / 2, solver_params)
            reports.append(report)
        # later stages start from this pairing with every role it can still fill
        best = greedy_pairing(cand, screen.max_households, priority, start=best)
    assigned = int((best.primary >= 0).sum() + (best.backup >= 0).sum())
    fit, spread = m.fit(), m.spread(assigned)
    left = max(0.0, deadline - time.perf_counter())
    fit_report, spread_report, best = _solve_last(m, fit, spread, best, left, solver_params)
    return best, [*reports, fit_report, spread_report]


def _merged(name: str, reports: Sequence[StageReport]) -> StageReport:
    """One stage over independent parts: values and bounds add up, runtimes too."""
    objective = sum(r.objective for r in reports)
    bound = sum(r.bound for r in reports)
    proven = all(r.status == Status.OPTIMAL for r in reports)
    return StageReport(
        name,
        Status.OPTIMAL if proven else Status.FEASIBLE,
        objective,
        bound,
        relative_gap(objective, bound),
        sum(r.runtime for r in reports),
    )


def _solve_stage(
    m: PairingModel,
    term: Term,
    best: Choice,
    seconds: float,
    params: SolverParams,
    most: int | None = None,
) -> tuple[StageReport, Choice]:
    """Maximise one stage from ``best``, hold it, and return its report and the pairing.

    ``most`` is a value no pairing passes (:meth:`PairingModel.most`): the
    bound is never above it, and a start that reaches it needs no solve.
    """
    start_value = m.value(term, best)
    if most is not None and start_value >= most:
        hold_stage(m.model, term, start_value, start_value)
        value = float(start_value)
        return StageReport(term.name, Status.OPTIMAL, value, value, 0.0, 0.0), best
    m.hint(best)
    m.model.maximize(term.expression())
    solver = cp_model.CpSolver()
    configure(solver, params, seconds)
    started = time.perf_counter()
    code = solver.solve(m.model)
    runtime = time.perf_counter() - started
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = m.choice(solver)
        reached = m.value(term, found)
        if reached >= start_value:
            best = found
        else:  # a hint is not always taken whole in time: never end below the start
            reached = start_value
        bound = math.floor(solver.best_objective_bound + 1e-6)
    else:
        reached = start_value
        bound = sum(max(0, c) for c in term.coefficients)
        if math.isfinite(solver.best_objective_bound):
            bound = min(bound, math.floor(solver.best_objective_bound + 1e-6))
    if most is not None:
        bound = min(bound, most)
    bound = max(bound, reached)
    status = Status.OPTIMAL if code == cp_model.OPTIMAL or bound == reached else Status.FEASIBLE
    hold_stage(m.model, term, reached, bound)
    report = StageReport(
        term.name, status, float(reached), float(bound), relative_gap(reached, bound), runtime
    )
    return report, best


def _solve_last(
    m: PairingModel, fit: Term, spread: Term, best: Choice, seconds: float, params: SolverParams
) -> tuple[StageReport, StageReport, Choice]:
    """The fit and spread stages: one solve of ``K * fit + spread`` for a small part, else two.

    ``K`` past spread's range keeps it lexicographic (no spread makes up one
    point of fit).  Measured: on 50 households x 200 volunteers the two
    stages took 4-5 s apart, well under a second together; on a part of 400
    households and 16,000 pairs the fit alone was proven optimal in 5 s,
    while the joint solve had not closed in 15 s.  So parts above
    :data:`PRESOLVE_ABOVE` pairs solve the fit, hold it, then the spread.
    """
    if len(m.cand) > PRESOLVE_ABOVE:
        fit_report, best = _solve_stage(m, fit, best, seconds * FIT_SHARE, params, m.most("fit"))
        left = max(0.0, seconds - fit_report.runtime)
        spread_report, best = _solve_stage(m, spread, best, left, params)
        return fit_report, spread_report, best
    span = sum(-c * _upper(x) for x, c in zip(spread.variables, spread.coefficients, strict=True))
    weight = span + 1
    both = Term(
        "fit+spread",
        [*fit.variables, *spread.variables],
        [weight * c for c in fit.coefficients] + list(spread.coefficients),
    )
    report, best = _solve_stage(m, both, best, seconds, params)
    fit_value, spread_value = m.value(fit, best), m.value(spread, best)
    if report.status == Status.OPTIMAL:
        fit_bound, spread_bound = fit_value, spread_value
    else:
        bound = int(report.bound)
        most = m.most("fit")
        fit_bound = max(fit_value, (bound + span) // weight)
        fit_bound = min(fit_bound, most) if most is not None else fit_bound
        spread_bound = max(spread_value, min(0, bound - weight * fit_value))
    reports = [
        StageReport(
            term.name,
            Status.OPTIMAL if value == bound else Status.FEASIBLE,
            float(value),
            float(bound),
            relative_gap(value, bound),
            report.runtime,
        )
        for term, value, bound in (
            (fit, fit_value, fit_bound),
            (spread, spread_value, spread_bound),
        )
    ]
    return reports[0], reports[1], best


def _upper(variable: cp_model.IntVar) -> int:
    """The largest value of a model variable (its domain's end)."""
    domain = variable.proto.domain
    return int(domain[-1])
