"""Candidate (volunteer, need) pairs, built with numpy, and why others are out.

(Over 500 lines on purpose: filtering, the funnel, pruning, the pin checks
and the rule screen of the explanations share the private per-volunteer
tables; split it where they can be public.)

The solver gets a variable only for an eligible pair, so this module decides
every per-pair hard rule: skills, accepted departments, required gender,
distance from home (``max_travel``), make-up workdays, availability (the
whole duration inside one window), blackouts, forbidden pairs and a duration
that alone exceeds the volunteer's hour budget.  For each need it also
records how many volunteers survive each filter in turn (a funnel): the
explanations of unmet needs are read off it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from functools import cached_property

import numpy as np

from matcher.domain import Gender, Need, Problem, Role, Skill
from matcher.errors import DataError, DataIssue
from matcher.i18n import N_, _
from matcher.teams import team_rules

# Funnel stages in the order they are applied; a need's funnel holds the number
# of volunteers left after each one.
STAGES = (
    "service_day",
    "skill",
    "department",
    "gender",
    "distance",
    "makeup_day",
    "availability",
    "forbidden",
    "budget",
)


@dataclasses.dataclass(frozen=True)
class Eligibility:
    """Eligible pairs as parallel arrays, plus per-need funnels.

    Attributes
    ----------
    volunteer, need
        Index of the volunteer and the need of each pair (int32 arrays).
    extra_minutes, affinity
        From the ``pairs`` sheet (need and household rows add up).
    start_domains
        For pairs of flexible needs only: the list of ``(lo, hi)`` ranges of
        start minutes that keep the whole duration inside one of the
        volunteer's windows.
    funnel
        ``funnel[n][stage]`` = volunteers left for need ``n`` after ``stage``;
        after pruning, ``funnel[n]["considered"]`` is how many stayed in the model.
    """

    volunteer: np.ndarray
    need: np.ndarray
    extra_minutes: np.ndarray
    affinity: np.ndarray
    start_domains: dict[int, list[tuple[int, int]]]
    funnel: list[dict[str, int]]
    pair_index: dict[tuple[int, int], int]
    volunteer_count: int
    pruned: int = 0
    """Eligible pairs left out by the candidate limit (0: every pair is in the model)."""

    @property
    def size(self) -> int:
        """Number of eligible pairs."""
        return int(self.volunteer.shape[0])

    def pairs_of_need(self, n: int) -> np.ndarray:
        """Pair positions of need ``n``."""
        return self._by_need[n]

    def pairs_of_volunteer(self, v: int) -> np.ndarray:
        """Pair positions of volunteer ``v``."""
        return self._by_volunteer[v]

    @cached_property
    def _by_need(self) -> list[np.ndarray]:
        return _group(self.need, len(self.funnel))

    @cached_property
    def _by_volunteer(self) -> list[np.ndarray]:
        return _group(self.volunteer, self.volunteer_count)


@dataclasses.dataclass(frozen=True)
class Participation:
    """What the history says about each volunteer (by position in the problem)."""

    minutes: np.ndarray
    """Attended minutes per volunteer."""
    attended: np.ndarray
    """True for volunteers with at least one attended assignment."""
    served: frozenset[tuple[int, str]]
    """(volunteer, household) pairs with an attended visit: continuity."""

    @classmethod
    def of(cls, problem: Problem) -> Participation:
        """Aggregate the history of a problem."""
        minutes = np.zeros(len(problem.volunteers), dtype=np.int64)
        attended = np.zeros(len(problem.volunteers), dtype=bool)
        served = set()
        for h in problem.history:
            if h.attended:
                v = problem.volunteer_index[h.volunteer_id]
                minutes[v] += h.minutes
                attended[v] = True
                if h.household_id:
                    served.add((v, h.household_id))
        return cls(minutes=minutes, attended=attended, served=frozenset(served))


def _group(keys: np.ndarray, count: int) -> list[np.ndarray]:
    """Positions grouped by key, for keys 0..count-1."""
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(count + 1))
    return [order[bounds[k] : bounds[k + 1]] for k in range(count)]


class _Tables:
    """Per-volunteer arrays used by every need's filter."""

    def __init__(self, problem: Problem, travel_default: int = 10) -> None:
        volunteers = problem.volunteers
        count = len(volunteers)
        self.count = count
        self.problem = problem
        self.travel_default = travel_default
        skill_names = sorted({s.name for v in volunteers for s in v.skills})
        self.skill_level = {name: np.zeros(count, dtype=np.int8) for name in skill_names}
        for i, v in enumerate(volunteers):
            for s in v.skills:
                self.skill_level[s.name][i] = max(self.skill_level[s.name][i], s.level)
        departments = sorted({v.department for v in volunteers})
        self.department_code = {d: k for k, d in enumerate(departments)}
        self.department = np.array([self.department_code[v.department] for v in volunteers])
        self.female = np.array([v.gender == Gender.FEMALE for v in volunteers], dtype=bool)
        self.male = np.array([v.gender == Gender.MALE for v in volunteers], dtype=bool)
        self.student = np.array([v.role == Role.STUDENT for v in volunteers], dtype=bool)
        self.max_minutes = np.array([v.max_minutes for v in volunteers], dtype=np.int64)
        self.max_shifts = np.array([v.max_shifts for v in volunteers], dtype=np.int64)
        self.windows_by_date = self._windows(problem)
        self.blackout_by_date: dict[dt.date, np.ndarray] = {}
        blackouts: dict[dt.date, list[int]] = defaultdict(list)
        for b in problem.blackouts:
            blackouts[b.date].append(problem.volunteer_index[b.volunteer_id])
        for day, idx in blackouts.items():
            mask = np.zeros(count, dtype=bool)
            mask[idx] = True
            self.blackout_by_date[day] = mask
        self.free_some_day = self._free_some_day(problem)
        # Near-home limits: one mask per need area, shared by every need there.
        self.max_travel = np.array(
            [-1 if v.max_travel is None else v.max_travel for v in volunteers], dtype=np.int64
        )
        self.limited = self.max_travel >= 0
        self.homes = sorted({v.home_area for v in volunteers if v.max_travel is not None})
        home_code = {h: k for k, h in enumerate(self.homes)}
        self.home_code = np.array(
            [home_code.get(v.home_area, 0) if v.max_travel is not None else 0 for v in volunteers],
            dtype=np.int64,
        )
        self._near: dict[str, np.ndarray] = {}

    @staticmethod
    def _windows(problem: Problem) -> dict[dt.date, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Windows that apply on each service day as (volunteer, start, end) arrays."""
        service = set(problem.horizon.service_days)
        by_weekday: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        by_date: dict[dt.date, list[tuple[int, int, int]]] = defaultdict(list)
        for w in problem.availability:
            row = (problem.volunteer_index[w.volunteer_id], w.start, w.end)
            if w.date is not None:
                by_date[w.date].append(row)
            elif w.weekday is not None:
                by_weekday[w.weekday].append(row)
        out = {}
        for day in sorted(service | set(by_date)):
            rows = list(by_date.get(day, ()))
            if day in service:
                rows += by_weekday.get(day.isoweekday(), [])
            arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
            out[day] = (arr[:, 0], arr[:, 1], arr[:, 2])
        return out

    def _free_some_day(self, problem: Problem) -> np.ndarray:
        """Volunteers with a window on at least one service day without blackout."""
        free = np.zeros(self.count, dtype=bool)
        makeup = set(problem.horizon.makeup_days)
        for day in problem.horizon.service_days:
            vol, _starts, _ends = self.windows_by_date.get(day, (np.empty(0, int),) * 3)
            ok = np.zeros(self.count, dtype=bool)
            ok[vol] = True
            if day in self.blackout_by_date:
                ok &= ~self.blackout_by_date[day]
            if day in makeup:
                ok &= ~self.student
            free |= ok
        return free

    def near(self, area: str) -> np.ndarray | None:
        """Volunteers within their ``max_travel`` of ``area``; None when nobody has a limit."""
        if not self.homes:
            return None
        mask = self._near.get(area)
        if mask is None:
            minutes = np.array(
                [self.problem.travel_minutes(h, area, self.travel_default) for h in self.homes],
                dtype=np.int64,
            )
            mask = ~self.limited | (minutes[self.home_code] <= self.max_travel)
            self._near[area] = mask
        return mask


def _windows_holding(
    tables: _Tables, need: Need
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(volunteer, earliest start, latest start) of each window on the need's date that holds it."""
    windows = tables.windows_by_date.get(need.date) if need.date is not None else None
    if windows is None:
        return None
    vol, wstart, wend = windows
    assert need.start is not None and need.latest_start is not None
    lo = np.maximum(wstart, need.start)
    hi = np.minimum(wend - need.duration, need.latest_start)
    ok = hi >= lo
    return vol[ok], lo[ok], hi[ok]


def _qualified(
    tables: _Tables, need: Need, off_day: bool
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Volunteers with the skills, department and gender of a need, and the counts on the way.

    ``off_day`` is true when the need's date is not a service day (nobody then).
    """
    mask = np.zeros(tables.count, dtype=bool) if off_day else np.ones(tables.count, dtype=bool)
    service_day = int(mask.sum())
    for skill in need.skills:
        level = tables.skill_level.get(skill.name)
        mask &= level >= skill.level if level is not None else False
    skill_count = int(mask.sum())
    if need.departments:
        codes = [tables.department_code[d] for d in need.departments if d in tables.department_code]
        mask &= np.isin(tables.department, codes)
    department = int(mask.sum())
    if need.required_gender is not None:
        mask &= tables.female if need.required_gender == Gender.FEMALE else tables.male
    return mask, (service_day, skill_count, department, int(mask.sum()))


def _available(tables: _Tables, need: Need) -> np.ndarray:
    """Mask of volunteers whose window holds the need (untimed: free on some service day)."""
    if need.date is None:
        return tables.free_some_day.copy()
    mask = np.zeros(tables.count, dtype=bool)
    holding = _windows_holding(tables, need)
    if holding is None:
        return mask
    mask[holding[0]] = True
    if need.date in tables.blackout_by_date:
        mask &= ~tables.blackout_by_date[need.date]
    return mask


def _start_ranges(
    tables: _Tables, need: Need, kept: np.ndarray
) -> dict[int, list[tuple[int, int]]]:
    """Start ranges of a flexible need for the kept volunteers only.

    Built after filtering and pruning: for every available volunteer of every
    flexible need they would be tens of millions of tuples at city size.
    """
    holding = _windows_holding(tables, need)
    domains: dict[int, list[tuple[int, int]]] = {}
    if holding is None or kept.size == 0:
        return domains
    vol, lo, hi = holding
    mine = np.isin(vol, kept)
    for v, a, b in zip(vol[mine].tolist(), lo[mine].tolist(), hi[mine].tolist(), strict=True):
        domains.setdefault(v, []).append((a, b))
    return {v: _merge(ranges) for v, ranges in domains.items()}


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of closed integer ranges as sorted disjoint ranges."""
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


class _PairSheet:
    """The ``pairs`` sheet by need and by household, in volunteer positions."""

    def __init__(self, problem: Problem) -> None:
        self.forbidden_need: dict[int, list[int]] = defaultdict(list)
        self.forbidden_household: dict[str, list[int]] = defaultdict(list)
        self.extra_need: dict[tuple[int, int], int] = defaultdict(int)
        self.extra_household: dict[tuple[int, str], int] = defaultdict(int)
        # Volunteers with extra minutes, per need and per household (for the budget filter).
        self.extra_volunteers_need: dict[int, set[int]] = defaultdict(set)
        self.extra_volunteers_household: dict[str, set[int]] = defaultdict(set)
        self.affinity_need: dict[tuple[int, int], int] = defaultdict(int)
        self.affinity_household: dict[tuple[int, str], int] = defaultdict(int)
        for p in problem.pairs:
            v = problem.volunteer_index[p.volunteer_id]
            if p.need_id is not None:
                n = problem.need_index[p.need_id]
                if p.forbidden:
                    self.forbidden_need[n].append(v)
                self.extra_need[(v, n)] += p.extra_minutes
                if p.extra_minutes:
                    self.extra_volunteers_need[n].add(v)
                self.affinity_need[(v, n)] += p.affinity
            elif p.household_id is not None:
                if p.forbidden:
                    self.forbidden_household[p.household_id].append(v)
                self.extra_household[(v, p.household_id)] += p.extra_minutes
                if p.extra_minutes:
                    self.extra_volunteers_household[p.household_id].add(v)
                self.affinity_household[(v, p.household_id)] += p.affinity


@dataclasses.dataclass(frozen=True)
class Candidates:
    """Every eligible volunteer of every need, before pruning (the first half of eligibility).

    :func:`matcher.decompose.find_parts` reads the candidate lists to split a
    problem into independent parts; :func:`build_eligibility` turns them into
    the :class:`Eligibility` of one model without filtering again.
    """

    volunteers: list[np.ndarray]
    """Per need, the positions of its eligible volunteers (int32, ascending)."""
    funnel: list[dict[str, int]]
    """Per need, volunteers left after each stage of :data:`STAGES`."""
    tables: _Tables
    sheet: _PairSheet

    @property
    def size(self) -> int:
        """Number of eligible pairs."""
        return sum(int(a.size) for a in self.volunteers)


def find_candidates(problem: Problem, travel_default: int = 10) -> Candidates:
    """Filter every volunteer for every need, one need at a time.

    Memory stays at a few masks over the volunteers plus the eligible pairs:
    nothing of size volunteers x needs is ever built.

    Parameters
    ----------
    problem
        A validated problem.
    travel_default
        Travel minutes between two different places not in the travel sheet
        (for ``max_travel``).

    Returns
    -------
    Candidates
        Eligible volunteers and the funnel of every need.
    """
    tables = _Tables(problem, travel_default)
    sheet = _PairSheet(problem)
    makeup = set(problem.horizon.makeup_days)
    service_days = set(problem.horizon.service_days)
    # Needs repeat a few kinds of requirement and a few time slots: filter each
    # kind once over all volunteers, then only the few near the need's area.
    qualified_cache: dict[tuple, tuple[np.ndarray, tuple[int, ...]]] = {}
    available_cache: dict[tuple, np.ndarray] = {}
    chosen: list[np.ndarray] = []
    funnel: list[dict[str, int]] = []
    for n, need in enumerate(problem.needs):
        key = (
            need.date is not None and need.date not in service_days,
            need.skills,
            need.departments,
            need.required_gender,
        )
        if key not in qualified_cache:
            qualified_cache[key] = _qualified(tables, need, key[0])
        qualified, counts = qualified_cache[key]
        stages = dict(zip(("service_day", "skill", "department", "gender"), counts, strict=True))
        near = tables.near(problem.need_area(need))
        idx = np.flatnonzero(qualified if near is None else qualified & near)
        stages["distance"] = int(idx.size)
        if need.date is not None and need.date in makeup:
            idx = idx[~tables.student[idx]]
        stages["makeup_day"] = int(idx.size)
        slot = (need.date, need.start, need.latest_start, need.duration)
        if slot not in available_cache:
            available_cache[slot] = _available(tables, need)
        idx = idx[available_cache[slot][idx]]
        stages["availability"] = int(idx.size)
        banned = sheet.forbidden_need.get(n, [])
        if need.household_id is not None:
            banned = banned + sheet.forbidden_household.get(need.household_id, [])
        if banned:
            idx = idx[~np.isin(idx, banned)]
        stages["forbidden"] = int(idx.size)
        # A need longer than the whole budget can never be taken (travel included).
        load = np.full(idx.shape, need.duration, dtype=np.int64)
        travellers = sheet.extra_volunteers_need.get(n, set())
        if need.household_id is not None:
            travellers = travellers | sheet.extra_volunteers_household.get(need.household_id, set())
        for k in np.flatnonzero(np.isin(idx, list(travellers))).tolist() if travellers else ():
            v = int(idx[k])
            load[k] += sheet.extra_need.get((v, n), 0)
            if need.household_id is not None:
                load[k] += sheet.extra_household.get((v, need.household_id), 0)
        fits = (load <= tables.max_minutes[idx]) & (tables.max_shifts[idx] > 0)
        idx = idx[fits]
        stages["budget"] = int(idx.size)
        funnel.append(stages)
        chosen.append(idx.astype(np.int32))
    return Candidates(volunteers=chosen, funnel=funnel, tables=tables, sheet=sheet)


def part_candidates(
    whole: Candidates, part: Problem, needs: np.ndarray, volunteers: np.ndarray
) -> Candidates:
    """The candidates of an independent part of a problem, without filtering again.

    Parameters
    ----------
    whole
        The candidates of the whole problem.
    part
        The part's problem: the whole problem's ``needs`` and ``volunteers``
        (positions, ascending) and their rows.
    needs, volunteers
        Positions in the whole problem of the part's needs and volunteers;
        every candidate of those needs is among those volunteers.

    Returns
    -------
    Candidates
        Positions renumbered to ``part``; the funnels stay the whole
        problem's, so explanations count every volunteer, not only the part's.
    """
    local = [
        np.searchsorted(volunteers, whole.volunteers[n]).astype(np.int32) for n in needs.tolist()
    ]
    return Candidates(
        volunteers=local,
        funnel=[whole.funnel[n] for n in needs.tolist()],
        tables=_Tables(part, whole.tables.travel_default),
        sheet=_PairSheet(part),
    )


def build_eligibility(
    problem: Problem,
    candidate_limit: int = 0,
    prune_above: int = 0,
    travel_default: int = 10,
    candidates: Candidates | None = None,
) -> Eligibility:
    """Find every eligible (volunteer, need) pair.

    Parameters
    ----------
    problem
        A validated problem.
    candidate_limit
        When positive and the problem has more than ``prune_above`` eligible
        pairs, keep at most this many candidates per need (see
        :func:`_prune`); 0 keeps every pair.
    prune_above
        Pair count above which ``candidate_limit`` applies.
    travel_default
        Travel minutes between two different places not in the travel sheet
        (for ``max_travel``).
    candidates
        The result of :func:`find_candidates` for this problem, when the
        caller already has it (the filters then do not run again).

    Returns
    -------
    Eligibility
        Pairs in need order, then volunteer order.

    Raises
    ------
    DataError
        When a pin names a pair that breaks a per-pair hard rule.
    """
    if candidates is None:
        candidates = find_candidates(problem, travel_default)
    tables, sheet = candidates.tables, candidates.sheet
    pair_vol = list(candidates.volunteers)
    funnel = [dict(stages) for stages in candidates.funnel]
    pruned = 0
    total = candidates.size
    if candidate_limit > 0 and total > prune_above:
        pair_vol = _prune(problem, tables, pair_vol, candidate_limit)
        pruned = total - sum(a.size for a in pair_vol)
        for n, kept in enumerate(pair_vol):
            funnel[n]["considered"] = int(kept.size)
    pair_need = [np.full(a.size, n, dtype=np.int32) for n, a in enumerate(pair_vol)]
    volunteer = np.concatenate(pair_vol) if pair_vol else np.empty(0, np.int32)
    need_arr = np.concatenate(pair_need) if pair_need else np.empty(0, np.int32)
    pair_index = {
        (int(v), int(n)): p for p, (v, n) in enumerate(zip(volunteer, need_arr, strict=True))
    }
    start_domains: dict[int, list[tuple[int, int]]] = {}
    for n, need in enumerate(problem.needs):
        if need.is_flexible:
            for v, ranges in _start_ranges(tables, need, pair_vol[n]).items():
                start_domains[pair_index[(v, n)]] = ranges
    extra, affinity = _pair_sheet_values(problem, sheet, volunteer, need_arr, pair_index)
    eligibility = Eligibility(
        volunteer=volunteer,
        need=need_arr,
        extra_minutes=extra,
        affinity=affinity,
        start_domains=start_domains,
        funnel=funnel,
        pair_index=pair_index,
        volunteer_count=len(problem.volunteers),
        pruned=pruned,
    )
    check_pins(problem, candidates)
    return eligibility


def _pair_sheet_values(
    problem: Problem,
    sheet: _PairSheet,
    volunteer: np.ndarray,
    need: np.ndarray,
    pair_index: dict[tuple[int, int], int],
) -> tuple[np.ndarray, np.ndarray]:
    """Extra travel minutes and affinity of each pair (need and household rows add up)."""
    extra = np.zeros(volunteer.size, dtype=np.int64)
    affinity = np.zeros(volunteer.size, dtype=np.int64)
    for (v, n), minutes in sheet.extra_need.items():
        if (p := pair_index.get((v, n))) is not None:
            extra[p] += minutes
    for (v, n), value in sheet.affinity_need.items():
        if (p := pair_index.get((v, n))) is not None:
            affinity[p] += value
    if sheet.extra_household or sheet.affinity_household:
        household_of = [n.household_id for n in problem.needs]
        for p, (v, n) in enumerate(zip(volunteer.tolist(), need.tolist(), strict=True)):
            h = household_of[n]
            if h is not None:
                extra[p] += sheet.extra_household.get((v, h), 0)
                affinity[p] += sheet.affinity_household.get((v, h), 0)
    return extra, affinity


TEAM_RULE_RESERVE = 3
"""Candidates kept per team rule (lead, joint department, language) when pruning."""


def _prune(
    problem: Problem, tables: _Tables, candidates: list[np.ndarray], limit: int
) -> list[np.ndarray]:
    """Keep at most ``limit`` candidates per need, spreading volunteers across needs.

    Large districts give a clean-up hundreds of eligible volunteers; the
    solver needs a good handful, not all.  Needs with few candidates keep
    them all and are counted first; the others, highest priority and fewest
    candidates first, keep pinned volunteers and those who served the
    household before, then the volunteers who are on the fewest kept lists
    so far for their shift budget (so every volunteer stays useful somewhere
    instead of the same people landing on every list), then those with the
    fewest past minutes; a hash of (volunteer, need) breaks ties.  For each
    team rule a few volunteers who can meet it are kept too, so pruning never
    makes a team rule impossible.
    """
    history = Participation.of(problem)
    past, served = history.minutes, history.served
    pinned = {
        (problem.volunteer_index[p.volunteer_id], problem.need_index[p.need_id])
        for p in problem.pins
    }
    pinned_by_need: dict[int, list[int]] = defaultdict(list)
    for v, n in pinned:
        pinned_by_need[n].append(v)
    by_household: dict[str, list[int]] = defaultdict(list)
    for v, h in served:
        by_household[h].append(v)
    served_by_household = {h: np.array(vs, dtype=np.int64) for h, vs in by_household.items()}
    shifts = np.maximum(tables.max_shifts, 1).astype(np.float64)
    usage = np.zeros(tables.count, dtype=np.float64)
    out: list[np.ndarray] = list(candidates)
    for idx in candidates:
        if idx.size <= limit:
            usage[idx] += 1
    large = [n for n, idx in enumerate(candidates) if idx.size > limit]
    large.sort(key=lambda n: (-problem.needs[n].priority, candidates[n].size, n))
    for n in large:
        idx = candidates[n]
        need = problem.needs[n]
        keep_first = np.zeros(idx.size, dtype=bool)
        if n in pinned_by_need:
            keep_first |= np.isin(idx, pinned_by_need[n])
        if need.household_id in served_by_household:
            keep_first |= np.isin(idx, served_by_household[need.household_id])
        tie = (idx.astype(np.int64) * 2654435761 + n * 40503) % 4294967291
        order = np.lexsort((tie, past[idx], usage[idx] / shifts[idx], ~keep_first))
        ranked = idx[order]
        # Room for a full team plus reserves, and pinned volunteers always stay.
        room = max(limit, need.max_volunteers + TEAM_RULE_RESERVE)
        chosen = list(ranked[:room].tolist())
        if n in pinned_by_need:
            taken = set(chosen)
            pins = idx[np.isin(idx, pinned_by_need[n])].tolist()
            chosen += [v for v in pins if v not in taken]
        _reserve_team_rules(problem, need, ranked[room:], chosen)
        kept = np.array(sorted(chosen), dtype=np.int32)
        usage[kept] += 1
        out[n] = kept
    return out


def _reserve_team_rules(problem: Problem, need: Need, rest: np.ndarray, chosen: list[int]) -> None:
    """Add to ``chosen`` from ``rest`` (in order) until each team rule has a few who meet it.

    Keeps :data:`TEAM_RULE_RESERVE` volunteers per rule of
    :func:`matcher.teams.team_rules`, so pruning never makes a team rule
    impossible that the full candidate list could meet.
    """
    rules = team_rules(need)
    if not rules:
        return
    volunteers, others = problem.volunteers, rest.tolist()
    chosen_set = set(chosen)
    for rule in rules:
        have = sum(1 for v in chosen if rule.admits(volunteers[v]))
        for v in others:
            if have >= TEAM_RULE_RESERVE:
                break
            if v not in chosen_set and rule.admits(volunteers[v]):
                chosen.append(v)
                chosen_set.add(v)
                have += 1


@dataclasses.dataclass(frozen=True)
class BrokenRules:
    """Which per-pair rules of one need each volunteer breaks, each rule on its own.

    Unlike the funnel, a rule is tested on every volunteer, not only on those
    who passed the rules before it: the explanations count how many rules a
    volunteer is short of a need, to name the nearest ones.

    Attributes
    ----------
    stages
        For each stage of :data:`STAGES` but ``skill`` that applies to the
        need, a mask over the volunteers: True where the rule keeps them off.
    skills
        Each required skill with the mask of volunteers who lack it at its level.
    """

    stages: dict[str, np.ndarray]
    skills: tuple[tuple[Skill, np.ndarray], ...]

    def count(self, volunteers: int) -> np.ndarray:
        """Rules broken per volunteer (each missing skill counts as one rule)."""
        total = np.zeros(volunteers, dtype=np.int64)
        for mask in [*self.stages.values(), *(m for _skill, m in self.skills)]:
            total += mask
        return total


class RuleScreen:
    """Test every volunteer against the per-pair rules of one need at a time.

    The same tables and rules as :func:`find_candidates`, read per rule for
    the explanations (who is nearest to an unmet need, and why each is out).

    Parameters
    ----------
    problem
        A validated problem.
    travel_default
        Travel minutes between two different places not in the travel sheet.
    """

    def __init__(self, problem: Problem, travel_default: int = 10) -> None:
        self.problem = problem
        self.tables = _Tables(problem, travel_default)
        self.sheet = _PairSheet(problem)
        self._service_days = set(problem.horizon.service_days)
        self._makeup = set(problem.horizon.makeup_days)
        self._available: dict[tuple, np.ndarray] = {}

    def broken(self, n: int) -> BrokenRules:
        """The per-pair rules of need ``n`` each volunteer breaks."""
        tables, sheet, need = self.tables, self.sheet, self.problem.needs[n]
        count = tables.count
        stages: dict[str, np.ndarray] = {}
        if need.date is not None and need.date not in self._service_days:
            stages["service_day"] = np.ones(count, dtype=bool)
        skills = tuple(
            (
                skill,
                tables.skill_level[skill.name] < skill.level
                if skill.name in tables.skill_level
                else np.ones(count, dtype=bool),
            )
            for skill in need.skills
        )
        if need.departments:
            codes = [
                tables.department_code[d] for d in need.departments if d in tables.department_code
            ]
            stages["department"] = ~np.isin(tables.department, codes)
        if need.required_gender is not None:
            stages["gender"] = ~(
                tables.female if need.required_gender == Gender.FEMALE else tables.male
            )
        near = tables.near(self.problem.need_area(need))
        if near is not None:
            stages["distance"] = ~near
        if need.date is not None and need.date in self._makeup:
            stages["makeup_day"] = tables.student.copy()
        slot = (need.date, need.start, need.latest_start, need.duration)
        if slot not in self._available:
            self._available[slot] = _available(tables, need)
        stages["availability"] = ~self._available[slot]
        banned = sheet.forbidden_need.get(n, [])
        if need.household_id is not None:
            banned = banned + sheet.forbidden_household.get(need.household_id, [])
        if banned:
            forbidden = np.zeros(count, dtype=bool)
            forbidden[banned] = True
            stages["forbidden"] = forbidden
        load = np.full(count, need.duration, dtype=np.int64)
        for v in sheet.extra_volunteers_need.get(n, ()):
            load[v] += sheet.extra_need.get((v, n), 0)
        if need.household_id is not None:
            for v in sheet.extra_volunteers_household.get(need.household_id, ()):
                load[v] += sheet.extra_household.get((v, need.household_id), 0)
        stages["budget"] = (load > tables.max_minutes) | (tables.max_shifts <= 0)
        return BrokenRules(stages=stages, skills=skills)


def check_pins(problem: Problem, candidates: Candidates) -> None:
    """A pin must name an eligible pair (and a start the volunteer can make).

    Raises
    ------
    DataError
        Naming the row of each pin that breaks a per-pair rule, and the rule.
    """
    issues = []
    tables = candidates.tables
    for row, pin in enumerate(problem.pins, start=2):
        v = problem.volunteer_index[pin.volunteer_id]
        n = problem.need_index[pin.need_id]
        need = problem.needs[n]
        eligible = candidates.volunteers[n]
        if not np.isin(v, eligible):
            issues.append(
                DataIssue(
                    "pins",
                    row,
                    "volunteer_id",
                    _("volunteer {volunteer} cannot be pinned to need {need}: {reason}").format(
                        volunteer=pin.volunteer_id,
                        need=pin.need_id,
                        reason=pin_refusal(problem, v, n, tables.travel_default),
                    ),
                )
            )
        elif (
            pin.start is not None
            and need.is_flexible
            and not any(
                lo <= pin.start <= hi
                for lo, hi in _start_ranges(tables, need, np.array([v])).get(v, [])
            )
        ):
            issues.append(
                DataIssue(
                    "pins",
                    row,
                    "start",
                    _(
                        "volunteer {volunteer} is not available for the whole of need "
                        "{need} when it starts at the pinned time"
                    ).format(volunteer=pin.volunteer_id, need=pin.need_id),
                )
            )
    if issues:
        raise DataError(issues)


_REFUSALS = {
    "service_day": N_("the need's date is not a service day of the horizon"),
    "skill": N_("lacks a required skill"),
    "department": N_("is not from an accepted department"),
    "gender": N_("does not match the required gender"),
    "distance": N_("lives farther from the need than their max_travel allows"),
    "makeup_day": N_("is a student and the date is a make-up workday (调休)"),
    "availability": N_("is not available for the whole duration on that date"),
    "forbidden": N_("the pair is forbidden in the pairs sheet"),
    "budget": N_("the volunteer's hour budget is smaller than the need (or shift budget is 0)"),
}
"""Why a pin's pair is not eligible, per stage (message ids: translated where shown)."""


def pin_refusal(problem: Problem, v: int, n: int, travel_default: int = 10) -> str:
    """Say which per-pair rule keeps volunteer ``v`` off need ``n``.

    The rules are asked of a problem of this one volunteer and need; every row
    about anyone else is left out of it, so it is as valid as the whole.
    """
    volunteer_id = problem.volunteers[v].id
    single = problem.replace(
        volunteers=(problem.volunteers[v],),
        needs=(problem.needs[n],),
        pins=(),
        availability=tuple(w for w in problem.availability if w.volunteer_id == volunteer_id),
        blackouts=tuple(b for b in problem.blackouts if b.volunteer_id == volunteer_id),
        pairs=tuple(
            p
            for p in problem.pairs
            if p.volunteer_id == volunteer_id and (p.need_id in (None, problem.needs[n].id))
        ),
        history=tuple(h for h in problem.history if h.volunteer_id == volunteer_id),
    )
    stages = find_candidates(single, travel_default).funnel[0]
    for stage in STAGES:
        if stages[stage] == 0:
            return _(_REFUSALS[stage])
    return _("unknown reason")
