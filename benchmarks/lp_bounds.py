"""LP bounds: the LP relaxation of each stage, and a bound of the problem without pruning.

:func:`lp_bounds` solves the LP relaxation of the translated model
(:mod:`matcher.solver.milp`), stage by stage with earlier stages held at the
values the compared run reached (weighted coverage held through the counts
per priority it implies, :func:`priority_count_rows`, for
numerical reasons).  :func:`unpruned_bounds` does the same for the model
built with pruning off (every eligible pair), translated in relaxation mode
(no ``no_overlap`` or interval rows, unions of intervals replaced by their
hull) and solved by column generation from the pruned pairs, each round
giving a valid Lagrangian bound; see its docstring for why that bounds the
full problem.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence

import highspy
import numpy as np

from matcher.domain import Problem
from matcher.eligibility import Eligibility, build_eligibility
from matcher.params import SolverParams
from matcher.solver.milp import (
    ExtraRow,
    Milp,
    StageObjective,
    highs_lp,
    highs_status,
    model_proto,
    new_highs,
    stage_objective,
    translate,
)
from matcher.solver.model import RosterModel, build_model
from matcher.solver.objective import Term
from matcher.solver.stages import stage_terms

UNPRUNED_PAIR_LIMIT = 2_000_000
"""Above this many eligible pairs the unpruned model is not built (3.3 GB and 2.5 min at 1.3M)."""

_INF = math.inf


def hold_row(stage: StageObjective, value: float) -> ExtraRow:
    """``stage >= value``: a stage held by its value in one row.

    :func:`matcher.solver.stages.hold_rows` holds a coverage stage by its
    counts per priority instead; this row is the plain variant, for the LP
    bounds and for ``solve_with_highs(hold_counts=False)``.
    """
    return ExtraRow(stage.cols, stage.coeffs, value - stage.offset, _INF)


def priority_count_rows(stage: StageObjective, low: float, high: float) -> list[ExtraRow] | None:
    """Rows on counts of staffed needs per priority, kept by rosters with ``low <= stage <= high``.

    The coverage weights are a mixed radix: a staffed need of one priority
    outweighs all needs of lower priorities together (``W[p] > sum over q < p
    of count[q] * W[q]``), so the coverage value of a roster orders its
    vector of counts per priority lexicographically, and the counts of any
    value are read off by dividing from the top.  A roster whose value lies
    in ``[low, high]`` therefore has counts lexicographically between
    ``decode(low)`` and ``decode(high)``: equal to both where they agree
    (from the top), and between them at the first priority where they differ;
    lower priorities are free.  Those rows hold for every such roster, so an
    LP with them instead of ``stage >= low`` is still a relaxation of the
    stage, and it avoids a row whose coefficients span ten orders of
    magnitude (with it HiGHS's simplex needed 325 s on 5,000 x 1,500 instead of 8 s).

    Parameters
    ----------
    stage
        A weighted coverage stage (one coefficient per priority class).
    low, high
        Value reached, and a proven upper bound of the stage.

    Returns
    -------
    list of ExtraRow or None
        None when the coefficients are not a mixed radix (then hold the stage itself).
    """
    weights = sorted({float(c) for c in stage.coeffs.tolist()})
    if len(weights) < 2 or weights[0] <= 0 or high < low:
        return None
    members = {w: stage.cols[stage.coeffs == w] for w in weights}
    below = 0.0
    for w in weights:
        if w <= below:
            return None
        below += w * members[w].size

    def decode(value: float) -> list[int]:
        rest = math.floor(value - stage.offset + 1e-9)
        counts = []
        for w in reversed(weights):
            k = min(members[w].size, max(0, rest // int(w)))
            counts.append(k)
            rest -= k * int(w)
        return counts

    rows = []
    for w, lo, hi in zip(reversed(weights), decode(low), decode(high), strict=True):
        cols = members[w]
        rows.append(ExtraRow(cols, np.ones(cols.size), float(lo), float(hi)))
        if lo != hi:
            break
    return rows


@dataclasses.dataclass
class LpBound:
    """The LP relaxation of one stage.

    Attributes
    ----------
    bound
        A bound of the stage: the LP optimum, rounded down when the objective
        is integral (all of ours are); None unless HiGHS says Optimal.
    lp_value
        The LP optimum as HiGHS returned it (by column generation: of the
        last restricted LP, a lower bound of the LP optimum).
    held_as
        How earlier stages were held: ``"value"`` (``stage >= held``) or
        ``"priority counts"`` (:func:`priority_count_rows`); empty for the first stage.
    status
        HiGHS's model status.
    rounds
        LPs solved (more than one by column generation).
    """

    name: str
    bound: float | None
    lp_value: float | None
    held_as: str
    status: str
    seconds: float
    rounds: int = 1


def _integral(stage: StageObjective) -> bool:
    return bool(np.all(stage.coeffs == np.rint(stage.coeffs))) and stage.offset == round(
        stage.offset
    )


def lagrangian_bound(
    cost: np.ndarray,
    offset: float,
    columns: tuple[np.ndarray, np.ndarray],
    rows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    entry_row: np.ndarray,
    dual: np.ndarray,
) -> tuple[float, np.ndarray]:
    """A bound of ``max cost x`` over the LP from any row prices, and the reduced costs.

    For feasible ``x`` and prices ``pi`` (``pi_i > 0`` only on rows with a
    finite upper side, ``< 0`` only with a finite lower side),
    ``cost x <= cost x + sum(pi_i (side_i - a_i x))``, whose maximum over the
    column boxes is ``sum(pi_i side_i) + sum(max over the box of rc_j x_j)``
    with ``rc = cost - A' pi``.  So the bound holds for every ``pi``: HiGHS's
    duals are tried with both signs and the smaller bound is kept.
    """
    lower, upper, _, index, value = rows
    col_lower, col_upper = columns
    best, best_rc = _INF, cost
    for pi in (dual, -dual):
        pi = np.where((pi > 0) & ~np.isfinite(upper), 0.0, pi)
        pi = np.where((pi < 0) & ~np.isfinite(lower), 0.0, pi)
        rc = cost - np.bincount(index, weights=value * pi[entry_row], minlength=cost.size)
        side = (
            np.where(pi > 0, np.where(np.isfinite(upper), upper, 0.0), 0.0) * pi
            + np.where(pi < 0, np.where(np.isfinite(lower), lower, 0.0), 0.0) * pi
        )
        box = np.where(rc > 0, col_upper, col_lower)
        if not np.isfinite(box[rc != 0]).all():
            continue
        total = float(side.sum() + np.dot(rc[rc != 0], box[rc != 0]) + offset)
        if total < best:
            best, best_rc = total, rc
    return best, best_rc


def _stage_lp(
    milp: Milp,
    stage: StageObjective,
    rows: Sequence[ExtraRow],
    columns: np.ndarray | None,
    params: SolverParams,
    time_limit: float,
    batch: int = 50_000,
    max_rounds: int = 30,
) -> tuple[float | None, float | None, str, int]:
    """The LP optimum of a stage, or a bound of it by column generation.

    Without ``columns``: one LP, its optimum.  With them: the LP restricted
    to the active columns is solved, its row duals price every column
    (:func:`lagrangian_bound`, a valid bound at every round), the ``batch``
    best columns that price out join, and so on until none does (the bound
    is then the LP optimum) or time runs out (the best bound so far stands).
    At 1.3 million columns this replaces a 9-minute simplex solve.

    Returns
    -------
    tuple
        Bound (None if the first LP failed), value of the last LP, HiGHS status, rounds.
    """
    deadline = time.perf_counter() + time_limit
    if columns is None:
        h = new_highs(time_limit, params)
        h.passModel(milp.lp(stage, rows, relax=True))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None, None, highs_status(h), 1
        value = float(h.getInfo().objective_function_value)
        return value, value, highs_status(h), 1
    matrix = milp.matrix(rows)
    lower, upper, start, index, value = matrix
    entry_row = np.repeat(np.arange(lower.size), np.diff(start))
    cost = stage.cost(milp.cols)
    bounds = (milp.col_lower, milp.col_upper)
    active = columns.copy()
    best: float | None = None
    lp_value: float | None = None
    status = "not run"
    rounds = 0
    while rounds < max_rounds and time.perf_counter() < deadline:
        rounds += 1
        chosen = np.flatnonzero(active)
        position = np.full(milp.cols, -1, dtype=np.int64)
        position[chosen] = np.arange(chosen.size)
        keep = active[index]
        counts = np.bincount(entry_row[keep], minlength=lower.size)
        restricted = (
            lower,
            upper,
            np.concatenate([[0], np.cumsum(counts)]),
            position[index[keep]],
            value[keep],
        )
        h = new_highs(max(0.01, deadline - time.perf_counter()), params)
        h.passModel(
            highs_lp(cost[chosen], stage.offset, (bounds[0][chosen], bounds[1][chosen]), restricted)
        )
        h.run()
        status = highs_status(h)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        lp_value = float(h.getInfo().objective_function_value)
        dual = np.array(h.getSolution().row_dual, dtype=np.float64)
        bound, rc = lagrangian_bound(cost, stage.offset, bounds, matrix, entry_row, dual)
        best = bound if best is None else min(best, bound)
        pricing = np.flatnonzero(~active & (rc > 1e-9))
        if pricing.size == 0 or best - lp_value <= 1e-9 * max(1.0, abs(best)):
            break
        if pricing.size > batch:
            pricing = pricing[np.argpartition(-rc[pricing], batch)[:batch]]
        active[pricing] = True
    return best, lp_value, status, rounds


def lp_bounds(
    milp: Milp,
    stages: Sequence[StageObjective],
    held: Sequence[float],
    known_bounds: Sequence[float | None] = (),
    params: SolverParams | None = None,
    time_limit: float = 600.0,
    columns: np.ndarray | None = None,
) -> list[LpBound]:
    """LP relaxation of each stage, earlier stages held at the values of the run compared.

    Stage ``k`` maximises its objective over the LP relaxation with every
    earlier stage ``j`` held at ``held[j]``: a bound of what any roster at
    least as good as the compared one on the earlier stages reaches in
    stage ``k`` (for the soft stage: coverage held at the value reached).
    A weighted coverage stage is held through :func:`priority_count_rows`
    with the best upper bound known for it (its own LP bound here, or
    ``known_bounds[j]`` when smaller); otherwise as ``stage >= held``.

    Parameters
    ----------
    milp
        The translated model.
    stages
        Stage objectives, in order.
    held
        Value reached in each stage by the run compared (stages beyond
        ``len(held) + 1`` are skipped).
    known_bounds
        Proven upper bounds of the stages of this model (e.g. CP-SAT's), if any.
    params
        For the seed; one thread always.
    time_limit
        Seconds per stage.
    columns
        When given (a mask over the columns), the stage is not solved as one
        LP but by column generation from these columns, and the bound is the
        Lagrangian bound of :func:`_stage_lp`: valid at every round, equal to
        the LP optimum once no column prices out.

    Returns
    -------
    list of LpBound
        One per stage solved.
    """
    params = params or SolverParams()
    out: list[LpBound] = []
    rows: list[ExtraRow] = []
    held_as = ""
    for k, stage in enumerate(stages[: len(held) + 1]):
        started = time.perf_counter()
        value, lp_value, status, rounds = _stage_lp(milp, stage, rows, columns, params, time_limit)
        seconds = time.perf_counter() - started
        bound = value
        if value is not None and _integral(stage):
            # Integral objective: round down, allowing for HiGHS's tolerances and for
            # doubles near 1e12 (coverage), where one unit is all the slack given.
            bound = float(math.floor(value + 1e-6 + 1e-12 * abs(value)))
        out.append(LpBound(stage.name, bound, lp_value, held_as, status, seconds, rounds))
        if k >= len(held):
            break
        # Hold this stage for the next ones.
        known = [b for b in (bound, *known_bounds[k : k + 1]) if b is not None]
        counts = priority_count_rows(stage, held[k], min(known)) if known else None
        if counts is None:
            rows.append(hold_row(stage, held[k]))
            held_as = "value" if held_as in ("", "value") else "mixed"
        else:
            rows.extend(counts)
            held_as = "priority counts" if held_as in ("", "priority counts") else "mixed"
    return out


@dataclasses.dataclass
class UnprunedBound:
    """LP bound of the problem with every eligible pair (no candidate limit).

    ``skipped`` says why no bound was computed (too many pairs); the other
    figures are then zero or empty.
    """

    pairs: int
    stages: list[LpBound]
    build_seconds: float
    translate_seconds: float
    columns: int
    rows: int
    kinds: dict[str, int]
    skipped: str = ""


def coverage_weights_by_priority(problem: Problem, rm: RosterModel) -> list[dict[int, float]]:
    """For each coverage stage of a model, the weight of a staffed need by priority."""
    need_of = {y.index: n for n, y in rm.variables.staffed.items()}
    out = []
    for term in rm.coverage:
        weights: dict[int, float] = {}
        for var, coeff in zip(term.variables, term.coefficients, strict=True):
            weights[problem.needs[need_of[var.index]].priority] = float(coeff)  # type: ignore[union-attr]
        out.append(weights)
    return out


def unpruned_bounds(
    problem: Problem,
    params: SolverParams,
    coverage_weights: Sequence[dict[int, float]],
    held: Sequence[float],
    max_pairs: int = UNPRUNED_PAIR_LIMIT,
    time_limit: float = 600.0,
    kept: Eligibility | None = None,
) -> UnprunedBound:
    """LP bound of every stage of the problem without pruning.

    The model is built by :func:`matcher.solver.model.build_model` with the
    candidate limit off (every eligible pair gets a variable) and translated
    in relaxation mode, then each stage's LP relaxation is solved with the
    earlier stages held at ``held``.  Coverage is scored with the pruned
    model's weight per priority (``coverage_weights``), so both value a
    staffing pattern the same way even if pruning closed a need.

    (Over 80 lines by this docstring: the proof that the bound holds stays
    next to the code it is about; the code itself is about 50 lines.)

    Why this bounds the compared roster's stages from above:

    1. Every roster of the pruned model is a roster of the unpruned one:
       pruning only removes pair variables (fixing them to 0), and the
       unpruned model has the same rules over a superset of pairs; a need
       left open only in the unpruned model is simply unstaffed.
    2. Each stage objective takes the same value on such a roster in both
       models: coverage by construction (same weight per priority), the
       wishes stage is a sum of per-pair counts (:func:`matcher.solver.wishes.wish_counts`),
       and the soft terms are sums of per-pair scores (:func:`matcher.solver.objective.pair_scores`
       depends on the pair only), ``fill`` per need, and ``fairness`` per
       volunteer (``max(0, shifts - 1)``, 0 for a volunteer with one pair).
    3. Relaxation mode only drops rows (``no_overlap``, interval consistency)
       or widens a union of intervals to its hull, and the LP relaxation
       drops integrality: the feasible set only grows.
    4. Holding earlier stages at the compared run's values keeps that roster
       feasible, so the LP optimum of stage ``k`` is at least its value.

    Hence ``LP_k >= value_k`` of the compared roster (and of any roster of
    the full problem at least as good on the earlier stages).

    Parameters
    ----------
    problem, params
        The problem and the parameters of the compared run (pruning is switched off here).
    coverage_weights
        From :func:`coverage_weights_by_priority` of the pruned model.
    held
        Values reached by the compared run in each stage.
    max_pairs
        Do not build models with more eligible pairs than this.
    time_limit
        Seconds per stage.
    kept
        The pruned eligibility: when it left pairs out, each stage's LP is
        solved by column generation from its pairs (and every other column),
        see :func:`lp_bounds`; the bound is valid however far that got.

    Returns
    -------
    UnprunedBound
        Bounds per stage with the time taken to build, translate and solve.
    """
    started = time.perf_counter()
    full = params.replace(candidate_limit=0)
    if kept is not None and kept.size + kept.pruned > max_pairs:
        # Known without building: at 50,000 x 15,000 the pair index alone would not fit.
        total = kept.size + kept.pruned
        return UnprunedBound(total, [], 0.0, 0.0, 0, 0, {}, skipped=f"{total} pairs > {max_pairs}")
    elig = build_eligibility(problem, 0, full.prune_above, full.travel_minutes_default)
    if elig.size > max_pairs:
        return UnprunedBound(
            elig.size, [], 0.0, 0.0, 0, 0, {}, skipped=f"{elig.size} pairs > {max_pairs}"
        )
    rm = build_model(problem, elig, full)
    built = time.perf_counter()
    milp = translate(model_proto(rm.model), relax=True)
    priority = {n: problem.needs[n].priority for n in rm.variables.staffed}
    stages = []
    coverage_terms = [t for t in stage_terms(rm) if t.name.startswith("coverage")]
    for term, weights in zip(coverage_terms, coverage_weights, strict=True):
        chosen = [n for n in sorted(rm.variables.staffed) if priority[n] in weights]
        aligned = Term(
            term.name,
            [rm.variables.staffed[n] for n in chosen],
            [int(weights[priority[n]]) for n in chosen],
        )
        stages.append(stage_objective(rm.model, aligned))
    # The stages after coverage (wishes, soft) are per-pair sums: the same on both models.
    stages += [stage_objective(rm.model, t) for t in stage_terms(rm)[len(coverage_terms) :]]
    translated = time.perf_counter()
    columns = None
    if kept is not None and kept.size < elig.size:
        columns = np.ones(milp.cols, dtype=bool)
        for p, var in enumerate(rm.variables.assign):
            if (int(elig.volunteer[p]), int(elig.need[p])) not in kept.pair_index:
                columns[var.index] = False
    bounds = lp_bounds(milp, stages, held, params=full, time_limit=time_limit, columns=columns)
    return UnprunedBound(
        pairs=elig.size,
        stages=bounds,
        build_seconds=built - started,
        translate_seconds=translated - built,
        columns=milp.cols,
        rows=milp.rows,
        kinds=milp.kinds,
    )
