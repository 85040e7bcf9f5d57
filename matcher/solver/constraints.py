"""Hard rules of the roster model, one function per rule.

Per-pair rules (skills, departments, availability, gender, forbidden pairs,
make-up workdays) are already decided by :mod:`matcher.eligibility`: a pair
that breaks one has no variable.  The rules here tie several pairs together.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from ortools.sat.python import cp_model

from matcher.domain import Problem
from matcher.eligibility import Eligibility
from matcher.solver.variables import RosterVariables


def add_staffing(
    model: cp_model.CpModel, problem: Problem, elig: Eligibility, x: RosterVariables
) -> None:
    """A need gets at least its minimum and at most its maximum, or nobody."""
    for n, y in x.staffed.items():
        need = problem.needs[n]
        team = [x.assign[p] for p in elig.pairs_of_need(n).tolist()]
        model.add(sum(team) >= need.min_volunteers * y)
        model.add(sum(team) <= need.max_volunteers * y)


def add_must_cover(model: cp_model.CpModel, problem: Problem, x: RosterVariables) -> None:
    """Must-cover needs are staffed (a must-cover need with no variable is caught earlier)."""
    for n, y in x.staffed.items():
        if problem.needs[n].must_cover:
            model.add(y == 1)


def add_team_rules(
    model: cp_model.CpModel, problem: Problem, elig: Eligibility, x: RosterVariables
) -> None:
    """Lead, one volunteer from each joint department, and required languages."""
    volunteers = problem.volunteers
    for n, y in x.staffed.items():
        need = problem.needs[n]
        pairs = elig.pairs_of_need(n).tolist()
        if need.lead_required:
            leads = [x.assign[p] for p in pairs if volunteers[elig.volunteer[p]].can_lead]
            model.add(sum(leads) >= y)
        for department in need.joint_departments:
            members = [
                x.assign[p] for p in pairs if volunteers[elig.volunteer[p]].department == department
            ]
            model.add(sum(members) >= y)
        for language in need.required_languages:
            speakers = [
                x.assign[p] for p in pairs if language in volunteers[elig.volunteer[p]].languages
            ]
            model.add(sum(speakers) >= y)


def add_caps(
    model: cp_model.CpModel, problem: Problem, elig: Eligibility, x: RosterVariables
) -> None:
    """Shift and hour budgets per volunteer (extra travel minutes count)."""
    durations = np.array([n.duration for n in problem.needs], dtype=np.int64)
    for v, volunteer in enumerate(problem.volunteers):
        pairs = elig.pairs_of_volunteer(v)
        if pairs.size == 0:
            continue
        if pairs.size > volunteer.max_shifts:
            model.add(sum(x.assign[p] for p in pairs.tolist()) <= volunteer.max_shifts)
        load = durations[elig.need[pairs]] + elig.extra_minutes[pairs]
        if int(load.sum()) > volunteer.max_minutes:
            model.add(
                cp_model.LinearExpr.weighted_sum(
                    [x.assign[p] for p in pairs.tolist()], load.tolist()
                )
                <= volunteer.max_minutes
            )


def add_flexible_windows(
    model: cp_model.CpModel, problem: Problem, elig: Eligibility, x: RosterVariables
) -> None:
    """A volunteer on a flexible need is available for the whole chosen time."""
    for p, ranges in elig.start_domains.items():
        n = int(elig.need[p])
        if n not in x.start:
            continue
        need = problem.needs[n]
        if len(ranges) == 1 and ranges[0] == (need.start, need.latest_start):
            continue
        domain = cp_model.Domain.from_intervals([list(r) for r in ranges])
        model.add_linear_expression_in_domain(x.start[n], domain).only_enforce_if(x.assign[p])


def add_pins(
    model: cp_model.CpModel, problem: Problem, elig: Eligibility, x: RosterVariables
) -> None:
    """Coordinator pins hold (pins were checked for eligibility on load)."""
    for pin in problem.pins:
        v = problem.volunteer_index[pin.volunteer_id]
        n = problem.need_index[pin.need_id]
        model.add(x.assign[elig.pair_index[(v, n)]] == 1)
        if pin.start is not None and n in x.start:
            model.add(x.start[n] == pin.start)


def add_no_overlap(
    model: cp_model.CpModel,
    problem: Problem,
    elig: Eligibility,
    x: RosterVariables,
    travel_default: int,
) -> None:
    """One place at a time per volunteer, with travel time between places.

    Fixed-time needs that overlap form cliques of an interval graph: one
    at-most-one constraint per maximal clique.  Fixed needs that do not
    overlap but leave too little time to travel get a pairwise constraint.
    A flexible need against any other need on the same date gets a
    disjunction on its start variable, enforced only when both are taken.
    """
    needs = problem.needs
    places = sorted({n.place for n in needs})
    place_code = {p: i for i, p in enumerate(places)}
    travel = np.array(
        [[problem.travel_minutes(a, b, travel_default) for b in places] for a in places],
        dtype=np.int64,
    ).reshape(len(places), len(places))
    need_place = np.array([place_code[n.place] for n in needs], dtype=np.int64)
    open_needs = set(x.staffed)
    by_volunteer_date: dict[tuple[int, dt.date], list[int]] = defaultdict(list)
    for p, (v, n) in enumerate(zip(elig.volunteer.tolist(), elig.need.tolist(), strict=True)):
        if n in open_needs and needs[n].date is not None:
            by_volunteer_date[(v, needs[n].date)].append(p)
    for pairs in by_volunteer_date.values():
        if len(pairs) < 2:
            continue
        fixed = [p for p in pairs if int(elig.need[p]) not in x.start]
        flexible = [p for p in pairs if int(elig.need[p]) in x.start]
        _fixed_cliques(model, problem, elig, x, fixed)
        _fixed_travel(model, problem, elig, x, fixed, need_place, travel)
        for i, a in enumerate(flexible):
            for b in fixed:
                _flexible_vs_fixed(model, problem, elig, x, a, b, need_place, travel)
            for b in flexible[i + 1 :]:
                _flexible_vs_flexible(model, problem, elig, x, a, b, need_place, travel)


def _fixed_cliques(
    model: cp_model.CpModel,
    problem: Problem,
    elig: Eligibility,
    x: RosterVariables,
    pairs: list[int],
) -> None:
    """At most one pair per maximal set of mutually overlapping fixed needs."""
    needs = problem.needs
    spans = sorted((needs[int(elig.need[p])].start, needs[int(elig.need[p])].end, p) for p in pairs)
    active: list[tuple[int, int]] = []  # (end, pair) of intervals covering the sweep point
    for i, (start, end, p) in enumerate(spans):
        active = [(e, q) for e, q in active if e > start]
        active.append((end, p))
        next_start = spans[i + 1][0] if i + 1 < len(spans) else None
        # The set is a maximal clique unless the next interval joins before anyone leaves.
        if len(active) >= 2 and (next_start is None or next_start >= min(e for e, _ in active)):
            model.add_at_most_one(x.assign[q] for _, q in active)


def _fixed_travel(
    model: cp_model.CpModel,
    problem: Problem,
    elig: Eligibility,
    x: RosterVariables,
    pairs: list[int],
    need_place: np.ndarray,
    travel: np.ndarray,
) -> None:
    """Fixed needs that do not overlap but leave too little time to travel."""
    if len(pairs) < 2 or not travel.any():
        return
    needs = problem.needs
    idx = np.array([int(elig.need[p]) for p in pairs])
    starts = np.array([needs[n].start for n in idx])
    ends = np.array([needs[n].end for n in idx])
    place = need_place[idx]
    # gap[i, j] = time between the end of i and the start of j.
    gap = starts[None, :] - ends[:, None]
    needed = travel[place[:, None], place[None, :]]
    clash = (gap >= 0) & (gap < needed)
    for i, j in zip(*np.nonzero(clash), strict=True):
        model.add_bool_or([~x.assign[pairs[i]], ~x.assign[pairs[j]]])


def _flexible_vs_fixed(
    model: cp_model.CpModel,
    problem: Problem,
    elig: Eligibility,
    x: RosterVariables,
    a: int,
    b: int,
    need_place: np.ndarray,
    travel: np.ndarray,
) -> None:
    """Flexible need of pair ``a`` ends before, or starts after, fixed need of pair ``b``."""
    na, nb = int(elig.need[a]), int(elig.need[b])
    flex, fixed = problem.needs[na], problem.needs[nb]
    assert flex.start is not None and flex.latest_start is not None
    assert fixed.start is not None and fixed.end is not None
    to_b = int(travel[need_place[na], need_place[nb]])
    from_b = int(travel[need_place[nb], need_place[na]])
    before_hi = fixed.start - flex.duration - to_b  # latest start that ends in time
    after_lo = fixed.end + from_b  # earliest start after b
    lo, hi = flex.start, flex.latest_start
    if hi <= before_hi or lo >= after_lo:
        return  # every start of the window is compatible
    ranges = []
    if before_hi >= lo:
        ranges.append([lo, before_hi])
    if after_lo <= hi:
        ranges.append([after_lo, hi])
    if not ranges:
        model.add_bool_or([~x.assign[a], ~x.assign[b]])
        return
    domain = cp_model.Domain.from_intervals(ranges)
    model.add_linear_expression_in_domain(x.start[na], domain).only_enforce_if(
        [x.assign[a], x.assign[b]]
    )


def _flexible_vs_flexible(
    model: cp_model.CpModel,
    problem: Problem,
    elig: Eligibility,
    x: RosterVariables,
    a: int,
    b: int,
    need_place: np.ndarray,
    travel: np.ndarray,
) -> None:
    """Two flexible needs of one volunteer happen one after the other."""
    na, nb = int(elig.need[a]), int(elig.need[b])
    first, second = problem.needs[na], problem.needs[nb]
    if na == nb:
        return
    to_b = int(travel[need_place[na], need_place[nb]])
    to_a = int(travel[need_place[nb], need_place[na]])
    assert first.latest_start is not None and second.latest_start is not None
    assert first.start is not None and second.start is not None
    a_first_possible = first.start + first.duration + to_b <= second.latest_start
    b_first_possible = second.start + second.duration + to_a <= first.latest_start
    a_first_always = first.latest_start + first.duration + to_b <= second.start
    b_first_always = second.latest_start + second.duration + to_a <= first.start
    if a_first_always or b_first_always:
        return
    both = [x.assign[a], x.assign[b]]
    if not a_first_possible and not b_first_possible:
        model.add_bool_or([~x.assign[a], ~x.assign[b]])
        return
    sa, sb = x.start[na], x.start[nb]
    if a_first_possible and b_first_possible:
        order = model.new_bool_var(f"order_{a}_{b}")
        model.add(sa + first.duration + to_b <= sb).only_enforce_if([*both, order])
        model.add(sb + second.duration + to_a <= sa).only_enforce_if([*both, ~order])
    elif a_first_possible:
        model.add(sa + first.duration + to_b <= sb).only_enforce_if(both)
    else:
        model.add(sb + second.duration + to_a <= sa).only_enforce_if(both)
