"""Independent parts: solve each on its own, one after the other, and merge the rosters.

When volunteers' travel limits (or anything else) split a problem into parts
that share no candidate (:mod:`matcher.decompose`), no rule links two parts,
so solving them one by one loses nothing and keeps only one part's model in
memory at a time.  This module gives each part its share of the time, runs
the stage driver on it (or keeps its greedy roster when no time is left),
and merges the parts' rosters, objectives and bounds into one result.

About 550 lines because a merged result must carry every figure a
single model's result does (stage bounds, gaps, objective terms, unmet needs
with reasons), each rebuilt from the parts; split further, the pieces would
only be read together.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from matcher.baselines import greedy_roster
from matcher.decompose import Part, ProblemRows, part_problem
from matcher.domain import Assignment, Problem
from matcher.eligibility import (
    Candidates,
    Eligibility,
    build_eligibility,
    check_pins,
    part_candidates,
)
from matcher.explain import explain_unmet, with_nearest
from matcher.i18n import _
from matcher.params import SolverParams
from matcher.result import (
    MustCoverConflict,
    Result,
    StageReport,
    Status,
    UnmetNeed,
    UnmetWish,
    relative_gap,
)
from matcher.solver.model import build_model, staffing_blockers
from matcher.solver.objective import (
    Standing,
    coverage_weights,
    lexicographic_weights,
    pair_bound,
    pair_gain,
    pair_scores,
    separable_soft_bound,
    soft_values,
)
from matcher.solver.portfolio import stage_backend
from matcher.solver.solution import Solution, roster_assignments
from matcher.solver.stages import (
    ModelRun,
    StageSettings,
    filled_keeping,
    run_stages,
    stage_terms,
    trivial_bound,
)
from matcher.solver.stop import AnyOf, Deadline
from matcher.solver.wishes import unmet_wishes, wish_counts
from matcher.teams import Blocker

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
    wishes: StageReport | None
    """The wishes stage (None when the part's model has none)."""
    terms: dict[str, float]
    closed: dict[int, list[Blocker]]
    """Needs no roster can staff, by position in the whole problem."""
    unmet: tuple[UnmetNeed, ...]
    unmet_wishes: tuple[UnmetWish, ...]
    pairs: int
    pruned: int
    conflict: MustCoverConflict | None = None


def _coverage_reach(
    problem: Problem, run: ModelRun, open_counts: dict[int, int], staffed: dict[int, int]
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
    run: ModelRun,
    params: SolverParams,
    label: str,
) -> _PartOutcome:
    """Keep what the merge needs of a solved part, and explain its unmet needs."""
    elig, rm, best = run.elig, run.rm, run.best
    has_roster = run.has_roster
    if has_roster and best is not None and not any(r.name == "soft" for r in run.reports):
        # Cut short before the soft stage: fill the teams as that stage would start.
        best = filled_keeping(best, problem, elig, rm, params, stage_terms(rm)[:-1])
    assignments = roster_assignments(problem, elig, best) if has_roster and best is not None else ()
    open_counts = dict.fromkeys(PRIORITIES, 0)
    staffed = dict.fromkeys(PRIORITIES, 0)
    for n in rm.open_needs:
        priority = problem.needs[n].priority
        open_counts[priority] += 1
        if has_roster and best is not None and best.staffed.get(n):
            staffed[priority] += 1
    # With a few seconds a part, CP-SAT's soft bound may still be its first
    # guess; a bound from the pairs alone is then much closer (both hold).
    separable = pair_bound(problem, elig, rm.pair_open, rm.gain, params.weights, "soft")
    assert separable is not None
    soft = next((r for r in run.reports if r.name == "soft"), None)
    if soft is None:
        # The soft stage never ran: the roster's own value.
        held = best.value(run.soft, rm) if has_roster and best is not None else 0.0
        bound = min(trivial_bound(run.soft), separable)
        soft = StageReport("soft", Status.FEASIBLE, held, bound, relative_gap(held, bound), 0.0)
    elif soft.bound > separable:
        soft = dataclasses.replace(
            soft, bound=separable, gap=relative_gap(soft.objective, separable)
        )
    wishes = _part_wishes(run, best if has_roster else None)
    terms = (
        {t.name: best.value(t, rm) for t in [*rm.wishes, *rm.soft]}
        if has_roster and best is not None
        else {}
    )
    # The part's funnels are the whole problem's (part_candidates): explanations
    # count every volunteer, not only this part's.
    unmet = run.explain_unmet(problem, assignments, params.travel_minutes_default, nearest=False)
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
        wishes=wishes,
        terms=terms,
        closed={int(part.needs[n]): blockers for n, blockers in rm.closed.items()},
        unmet=unmet,
        unmet_wishes=run.explain_wishes(problem, assignments, params),
        pairs=elig.size,
        pruned=elig.pruned,
        conflict=run.conflict,
    )


def _part_wishes(run: ModelRun, best: Solution | None) -> StageReport | None:
    """The part's wishes stage as reached, or as the roster holds it when it never ran."""
    if not run.rm.wishes:
        return None
    [stage] = run.rm.wishes
    report = next((r for r in run.reports if r.name == stage.name), None)
    if report is not None and report.status in (Status.OPTIMAL, Status.FEASIBLE):
        return report
    held = best.value(stage, run.rm) if best is not None else 0.0
    bound = trivial_bound(stage)
    return StageReport(stage.name, Status.FEASIBLE, held, bound, relative_gap(held, bound), 0.0)


def _greedy_wishes(
    problem: Problem,
    elig: Eligibility,
    params: SolverParams,
    open_pairs: np.ndarray,
    assign: np.ndarray | None,
) -> StageReport | None:
    """The wishes stage of a part kept greedy: the roster's count and the trivial bound."""
    if not (params.wishes_stage and problem.households):
        return None
    counts = wish_counts(problem, elig) * open_pairs
    if not counts.any():
        return None
    met = float(counts[assign].sum()) if assign is not None else 0.0
    bound = float(counts.sum())
    return StageReport("wishes", Status.FEASIBLE, met, bound, relative_gap(met, bound), 0.0)


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

    The same roster and values as :func:`matcher.solver.stages.run_stages` ends with when it is
    out of time before the first stage, in a fraction of the time (a city
    that is stopped has dozens of such parts).
    """
    closed = {n: staffing_blockers(problem, elig, n) for n in range(len(problem.needs))}
    closed = {n: blockers for n, blockers in closed.items() if blockers}
    open_needs = [n for n in range(len(problem.needs)) if n not in closed]
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
    best = Solution(assign, {n: n in staffed_needs for n in open_needs}, start)
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
    wishes = _greedy_wishes(problem, elig, params, open_pairs, best.assign if has_roster else None)
    if wishes is not None and has_roster:
        terms = {"wishes": wishes.objective, **terms}
    assignments = roster_assignments(problem, elig, best) if has_roster else ()
    travel, wishes_ran = (
        params.travel_minutes_default,
        Status.UNKNOWN if params.wishes_stage else None,
    )
    message = _("{why} before the first stage; keeping the greedy roster").format(why=_(why))
    if not has_roster:
        message = _("{why} before any roster keeping every hard rule was found").format(why=_(why))
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
        wishes=wishes,
        terms=terms,
        closed={int(part.needs[n]): blockers for n, blockers in closed.items()},
        unmet=explain_unmet(
            problem,
            elig,
            assignments,
            closed,
            params.travel_minutes_default,
            has_roster=has_roster,
            nearest=False,
        ),
        unmet_wishes=unmet_wishes(problem, elig, assignments, travel, wishes_ran)
        if has_roster
        else (),
        pairs=elig.size,
        pruned=elig.pruned,
    )


def _in_some_part(problem: Problem, parts: list[Part]) -> np.ndarray:
    """Which needs belong to a part (the others have no candidate at all)."""
    in_part = np.zeros(len(problem.needs), dtype=bool)
    for part in parts:
        in_part[part.needs] = True
    return in_part


def _time_weights(candidates: Candidates, parts: list[Part], limit: int) -> list[int]:
    """A part's share of the time follows the pairs its model will hold."""
    return [
        int(np.minimum([candidates.volunteers[n].size for n in part.needs.tolist()], limit).sum())
        if limit
        else part.pairs
        for part in parts
    ]


def _run_part(
    problem: Problem,
    part: Part,
    elig: Eligibility,
    standing: Standing,
    settings: StageSettings,
) -> _PartOutcome:
    """Solve one part's model, or keep its greedy roster when there is no time for it."""
    params, label = settings.params, settings.label
    stop_now = AnyOf(settings.stop, Deadline(settings.deadline_for(0)))
    if stop_now():
        # No time for a solver: skip building a model nobody will solve.
        return _greedy_part(problem, part, elig, params, standing, label, stop_now.reason)
    rm = build_model(problem, elig, params, standing.subset(part.volunteers))
    run = run_stages(problem, elig, rm, stage_backend(rm, params, elig, problem), settings)
    return _part_outcome(problem, part, run, params, label)


def solve_parts(
    problem: Problem,
    candidates: Candidates,
    parts: list[Part],
    settings: StageSettings,
) -> Result:
    """Solve each independent part in turn and merge the rosters.

    Parts run smallest first, each with a share of the remaining time in
    proportion to the pairs its model will hold, so what a small part leaves
    unused goes to the larger ones.  Only one part's model exists at a time.
    A part that is infeasible, or has no roster when time runs out, ends the
    run: the whole problem then has no roster either.

    Parameters
    ----------
    problem
        The whole problem.
    candidates
        Its candidate pairs (before pruning), from which each part takes its own.
    parts
        The independent parts (:func:`matcher.decompose.find_parts`), at least two.
    settings
        Parameters, clock, progress and stopping of the whole solve; each
        part gets its own label and deadline.

    Returns
    -------
    Result
        The merged result, or a failed one when a part has no roster.
    """
    params, started = settings.params, settings.started
    check_pins(problem, candidates)  # with the whole problem's row numbers
    funnel = candidates.funnel
    in_part = _in_some_part(problem, parts)
    hopeless = [
        need.id for n, need in enumerate(problem.needs) if need.must_cover and not in_part[n]
    ]
    if hopeless:
        message = _(
            "no roster keeps every hard rule; must-cover needs nobody can staff: {needs}"
        ).format(needs=", ".join(hopeless))
        return _failed_result(
            problem, params, [], candidates.size, funnel, Status.INFEASIBLE, message, started
        )
    rows = ProblemRows(problem)
    standing = Standing.of(problem)
    # Pruning is for the size of the whole: Python builds every part's model
    # and CP-SAT shares one time limit, so a city prunes all parts alike.
    limit = params.candidate_limit if candidates.size > params.prune_above else 0
    deadline = started + params.time_limit - (params.time_limit * 0.03 + 1.0)
    weights = _time_weights(candidates, parts, limit)
    order = sorted(range(len(parts)), key=lambda k: (weights[k], k))
    weight_left = sum(weights)
    outcomes: list[_PartOutcome] = []
    for step, k in enumerate(order, start=1):
        part = parts[k]
        now = time.perf_counter()
        part_deadline = now + max(0.0, deadline - now) * weights[k] / max(1, weight_left)
        weight_left -= weights[k]
        label = _("part {step} of {count}").format(step=step, count=len(parts))
        sub = part_problem(rows, part, step)
        elig = build_eligibility(
            sub,
            limit,
            0,
            params.travel_minutes_default,
            candidates=part_candidates(candidates, sub, part.needs, part.volunteers),
        )
        part_settings = dataclasses.replace(
            settings, label=label, deadline_for=lambda _count, end=part_deadline: end
        )
        outcome = _run_part(sub, part, elig, standing, part_settings)
        outcomes.append(outcome)
        if outcome.status in (Status.INFEASIBLE, Status.UNKNOWN):
            # No roster for the whole problem: the parts left need not run.
            unreached = sum(parts[j].pairs for j in order[step:])
            message = _("{part}: {message}").format(part=label, message=outcome.message)
            return _failed_result(
                problem, params, outcomes, unreached, funnel, outcome.status, message, started
            )
    return _merged_result(problem, params, parts, outcomes, funnel, started)


def _unproven_message(outcomes: list[_PartOutcome], count: int) -> str:
    """How many parts are not proven optimal, and the first one's reason."""
    unproven = [o for o in outcomes if o.status != Status.OPTIMAL]
    first = next((o for o in unproven if o.message), None)
    if first is None:
        return _("{unproven} of {count} independent parts not proven optimal").format(
            unproven=len(unproven), count=count
        )
    return _(
        "{unproven} of {count} independent parts not proven optimal; {part}: {message}"
    ).format(unproven=len(unproven), count=count, part=first.label, message=first.message)


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
        conflict=next((o.conflict for o in outcomes if o.conflict is not None), None),
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


def _merged_coverage(outcomes: list[_PartOutcome]) -> StageReport:
    """The parts' coverage as one stage, weighted as a single model of the whole would be."""
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
    return coverage


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
    The wishes stage (when any part has one) and the soft stage add up the
    parts' objectives and bounds.
    """
    coverage = _merged_coverage(outcomes)
    stages = [coverage]
    terms: dict[str, float] = {"coverage": coverage.objective}
    wishes = [o.wishes for o in outcomes if o.wishes is not None]
    if wishes:
        # Parts without a wish to meet add 0 to both sides.
        stages.append(
            _merged_stage(
                "wishes", wishes, sum(r.objective for r in wishes), sum(r.bound for r in wishes)
            )
        )
    softs = [o.soft for o in outcomes]
    stages.append(
        _merged_stage("soft", softs, sum(r.objective for r in softs), sum(r.bound for r in softs))
    )
    for outcome in outcomes:
        for name, value in outcome.terms.items():
            terms[name] = terms.get(name, 0.0) + value
    proven = all(o.status == Status.OPTIMAL for o in outcomes)
    message = "" if proven else _unproven_message(outcomes, len(parts))
    assignments = sorted(
        (a for o in outcomes for a in o.assignments),
        key=lambda a: (problem.need_index[a.need_id], problem.volunteer_index[a.volunteer_id]),
    )
    in_part = _in_some_part(problem, parts)
    unmet = [u for o in outcomes for u in o.unmet]
    unmet += explain_unmet(
        problem,
        _funnel_only(problem, funnel),
        (),
        {},
        params.travel_minutes_default,
        needs=np.flatnonzero(~in_part).tolist(),
        nearest=False,
    )
    # The nearest volunteers of a need are often one rule short of it, so in
    # no part or another one: name them over the whole problem and roster.
    closed = {n: b for outcome in outcomes for n, b in outcome.closed.items()}
    unmet = with_nearest(problem, unmet, assignments, closed, params.travel_minutes_default)
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
        unmet_wishes=tuple(
            sorted(
                (w for o in outcomes for w in o.unmet_wishes),
                key=lambda w: problem.need_index[w.need_id],
            )
        ),
    )
