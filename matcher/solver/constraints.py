"""Hard rules of the roster model, one function per rule.

Per-pair rules (skills, departments, availability, gender, forbidden pairs,
make-up workdays) are already decided by :mod:`matcher.eligibility`: a pair
that breaks one has no variable.  The rules here tie several pairs together.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
from ortools.sat.python import cp_model

from matcher.domain import Problem
from matcher.eligibility import Eligibility
from matcher.solver.variables import RosterVariables
from matcher.teams import team_rules
from matcher.timing import Span, TravelTable


def add_staffing(
    model: cp_model.CpModel, problem: Problem, elig: Eligibility, x: RosterVariables
) -> None:
    """A need gets at least its minimum and at most its maximum, or nobody."""
    for n, y in x.staffed.items():
        need = problem.needs[n]
        team = [x.assign[p] for p in elig.pairs_of_need(n).tolist()]
        model.add(sum(team) >= need.min_volunteers * y)
        model.add(sum(team) <= need.max_volunteers * y)


def add_must_cover(
    model: cp_model.CpModel,
    problem: Problem,
    x: RosterVariables,
    enforce: Mapping[int, cp_model.IntVar] | None = None,
) -> None:
    """Must-cover needs are staffed (a must-cover need with no variable is caught earlier).

    ``enforce`` gives a literal per must-cover need that switches its rule
    on (the conflict search assumes them); None: every rule holds.
    """
    for n, y in x.staffed.items():
        if problem.needs[n].must_cover:
            rule = model.add(y == 1)
            if enforce is not None:
                rule.only_enforce_if(enforce[n])


def add_team_rules(
    model: cp_model.CpModel, problem: Problem, elig: Eligibility, x: RosterVariables
) -> None:
    """Someone on a staffed team meets each of its team rules (:func:`matcher.teams.team_rules`)."""
    volunteers = problem.volunteers
    for n, y in x.staffed.items():
        pairs = elig.pairs_of_need(n).tolist()
        for rule in team_rules(problem.needs[n]):
            members = [x.assign[p] for p in pairs if rule.admits(volunteers[elig.volunteer[p]])]
            model.add(sum(members) >= y)


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
    model: cp_model.CpModel,
    problem: Problem,
    elig: Eligibility,
    x: RosterVariables,
    enforce: Sequence[cp_model.IntVar] | None = None,
) -> None:
    """Coordinator pins hold (pins were checked for eligibility on load).

    ``enforce`` gives a literal per pin, in file order, that switches it on
    (the conflict search assumes them); None: every pin holds.
    """
    for k, pin in enumerate(problem.pins):
        v = problem.volunteer_index[pin.volunteer_id]
        n = problem.need_index[pin.need_id]
        rules = [model.add(x.assign[elig.pair_index[(v, n)]] == 1)]
        if pin.start is not None and n in x.start:
            rules.append(model.add(x.start[n] == pin.start))
        if enforce is not None:
            for rule in rules:
                rule.only_enforce_if(enforce[k])


def add_no_overlap(
    model: cp_model.CpModel,
    problem: Problem,
    elig: Eligibility,
    x: RosterVariables,
    travel_default: int,
) -> None:
    """One place at a time per volunteer, with travel time between places.

    Fixed-time needs that overlap form cliques of an interval graph: one
    at-most-one constraint per maximal clique (these also tighten the LP).
    Fixed needs that do not overlap but leave too little time to travel get a
    pairwise constraint.  On a day with flexible needs, every timed pair of
    the volunteer also gets an optional interval in one no-overlap
    constraint; a flexible need's interval carries a buffer of the longest
    travel into and out of its place, so travel is always respected (at the
    price of that buffer even next to a need at the same place).  This keeps
    the model linear in the number of pairs instead of quadratic.  Spans,
    buffers and the travel test are :mod:`matcher.timing`'s, which the greedy
    roster and the explanations use too.
    """
    needs = problem.needs
    table = TravelTable.of(problem, travel_default)
    open_needs = set(x.staffed)
    travels = bool(table.minutes.any())
    by_volunteer_date: dict[tuple[int, dt.date], list[int]] = defaultdict(list)
    for p, (v, n) in enumerate(zip(elig.volunteer.tolist(), elig.need.tolist(), strict=True)):
        if n in open_needs and needs[n].date is not None:
            by_volunteer_date[(v, needs[n].date)].append(p)
    spans: dict[int, Span] = {}  # of fixed needs, shared by every volunteer
    for pairs in by_volunteer_date.values():
        if len(pairs) < 2:
            continue
        fixed = [p for p in pairs if int(elig.need[p]) not in x.start]
        flexible = [p for p in pairs if int(elig.need[p]) in x.start]
        _fixed_cliques(model, problem, elig, x, fixed)
        if travels and len(fixed) >= 2:
            _fixed_travel(model, problem, elig, x, fixed, table, spans)
        if not flexible:
            continue
        intervals = []
        for p in fixed:
            need = needs[int(elig.need[p])]
            intervals.append(
                model.new_optional_fixed_size_interval_var(
                    need.start, need.duration, x.assign[p], f"i_{p}"
                )
            )
        for p in flexible:
            n = int(elig.need[p])
            before, after = table.buffer(needs[n])
            intervals.append(
                model.new_optional_fixed_size_interval_var(
                    x.start[n] - before, needs[n].duration + before + after, x.assign[p], f"f_{p}"
                )
            )
        model.add_no_overlap(intervals)


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
    table: TravelTable,
    spans: dict[int, Span],
) -> None:
    """Fixed needs that do not overlap but leave too little time to travel.

    Plain Python: a volunteer has a handful of pairs a day, and numpy's
    overhead on such small arrays dominated city-sized models.
    """
    needs = problem.needs
    mine = []
    for p in pairs:
        n = int(elig.need[p])
        if n not in spans:
            span = table.span(needs[n], None)
            assert span is not None
            spans[n] = span
        mine.append(spans[n])
    for i, earlier in enumerate(mine):
        for j, later in enumerate(mine):
            if table.too_close(earlier, later):
                model.add_bool_or([~x.assign[pairs[i]], ~x.assign[pairs[j]]])
