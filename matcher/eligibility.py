"""Candidate (volunteer, need) pairs, built with numpy, and why others are out.

The solver gets a variable only for an eligible pair, so this module decides
every per-pair hard rule: skills, accepted departments, required gender,
make-up workdays, availability (the whole duration inside one window),
blackouts, forbidden pairs and a duration that alone exceeds the volunteer's
hour budget.  For each need it also records how many volunteers survive each
filter in turn (a funnel): the explanations of unmet needs are read off it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from functools import cached_property

import numpy as np

from matcher.domain import Gender, Need, Problem, Role
from matcher.errors import DataError, DataIssue

# Funnel stages in the order they are applied; a need's funnel holds the number
# of volunteers left after each one.
STAGES = (
    "service_day",
    "skill",
    "department",
    "gender",
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
class TravelTable:
    """Travel minutes between the places of a problem's needs.

    ``buffer_in[c]`` and ``buffer_out[c]`` are the longest travel into and out
    of place ``c``: the buffer a flexible need keeps around itself.
    """

    code: dict[str, int]
    minutes: np.ndarray
    buffer_in: np.ndarray
    buffer_out: np.ndarray

    @classmethod
    def of(cls, problem: Problem, default: int) -> TravelTable:
        """Build the table for every place named by a need."""
        places = sorted({n.place for n in problem.needs})
        minutes = np.array(
            [[problem.travel_minutes(a, b, default) for b in places] for a in places],
            dtype=np.int64,
        ).reshape(len(places), len(places))
        empty = np.zeros(len(places), dtype=np.int64)
        return cls(
            code={p: i for i, p in enumerate(places)},
            minutes=minutes,
            buffer_in=minutes.max(axis=0) if len(places) else empty,
            buffer_out=minutes.max(axis=1) if len(places) else empty,
        )


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

    def __init__(self, problem: Problem) -> None:
        volunteers = problem.volunteers
        count = len(volunteers)
        self.count = count
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
            vol, _, _ = self.windows_by_date.get(day, (np.empty(0, int),) * 3)
            ok = np.zeros(self.count, dtype=bool)
            ok[vol] = True
            if day in self.blackout_by_date:
                ok &= ~self.blackout_by_date[day]
            if day in makeup:
                ok &= ~self.student
            free |= ok
        return free


def _available(tables: _Tables, need: Need) -> tuple[np.ndarray, dict[int, list[tuple[int, int]]]]:
    """Mask of volunteers whose window holds the need, and flexible start ranges."""
    mask = np.zeros(tables.count, dtype=bool)
    domains: dict[int, list[tuple[int, int]]] = {}
    if need.date is None:
        return tables.free_some_day.copy(), domains
    windows = tables.windows_by_date.get(need.date)
    if windows is None:
        return mask, domains
    vol, wstart, wend = windows
    assert need.start is not None and need.latest_start is not None
    lo = np.maximum(wstart, need.start)
    hi = np.minimum(wend - need.duration, need.latest_start)
    ok = hi >= lo
    mask[vol[ok]] = True
    if need.is_flexible:
        for v, a, b in zip(vol[ok].tolist(), lo[ok].tolist(), hi[ok].tolist(), strict=True):
            domains.setdefault(v, []).append((a, b))
    if need.date in tables.blackout_by_date:
        mask &= ~tables.blackout_by_date[need.date]
    return mask, domains


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of closed integer ranges as sorted disjoint ranges."""
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def build_eligibility(
    problem: Problem, candidate_limit: int = 0, prune_above: int = 0
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

    Returns
    -------
    Eligibility
        Pairs in need order, then volunteer order.

    Raises
    ------
    DataError
        When a pin names a pair that breaks a per-pair hard rule.
    """
    tables = _Tables(problem)
    makeup = set(problem.horizon.makeup_days)
    service_days = set(problem.horizon.service_days)
    forbidden_need: dict[int, list[int]] = defaultdict(list)
    forbidden_household: dict[str, list[int]] = defaultdict(list)
    extra_need: dict[tuple[int, int], int] = defaultdict(int)
    extra_household: dict[tuple[int, str], int] = defaultdict(int)
    # Volunteers with extra minutes, per need and per household (for the budget filter).
    extra_volunteers_need: dict[int, set[int]] = defaultdict(set)
    extra_volunteers_household: dict[str, set[int]] = defaultdict(set)
    affinity_need: dict[tuple[int, int], int] = defaultdict(int)
    affinity_household: dict[tuple[int, str], int] = defaultdict(int)
    for p in problem.pairs:
        v = problem.volunteer_index[p.volunteer_id]
        if p.need_id is not None:
            n = problem.need_index[p.need_id]
            if p.forbidden:
                forbidden_need[n].append(v)
            extra_need[(v, n)] += p.extra_minutes
            if p.extra_minutes:
                extra_volunteers_need[n].add(v)
            affinity_need[(v, n)] += p.affinity
        elif p.household_id is not None:
            if p.forbidden:
                forbidden_household[p.household_id].append(v)
            extra_household[(v, p.household_id)] += p.extra_minutes
            if p.extra_minutes:
                extra_volunteers_household[p.household_id].add(v)
            affinity_household[(v, p.household_id)] += p.affinity

    all_vols = np.ones(tables.count, dtype=bool)
    pair_vol: list[np.ndarray] = []
    pair_need: list[np.ndarray] = []
    start_domains: dict[int, list[tuple[int, int]]] = {}
    pending_domains: list[tuple[int, dict[int, list[tuple[int, int]]]]] = []
    funnel: list[dict[str, int]] = []
    for n, need in enumerate(problem.needs):
        stages: dict[str, int] = {}
        mask = all_vols.copy()
        if need.date is not None and need.date not in service_days:
            mask[:] = False
        stages["service_day"] = int(mask.sum())
        for skill in need.skills:
            level = tables.skill_level.get(skill.name)
            mask &= level >= skill.level if level is not None else False
        stages["skill"] = int(mask.sum())
        if need.departments:
            codes = [
                tables.department_code[d] for d in need.departments if d in tables.department_code
            ]
            mask &= np.isin(tables.department, codes)
        stages["department"] = int(mask.sum())
        if need.required_gender is not None:
            mask &= tables.female if need.required_gender == Gender.FEMALE else tables.male
        stages["gender"] = int(mask.sum())
        if need.date is not None and need.date in makeup:
            mask &= ~tables.student
        stages["makeup_day"] = int(mask.sum())
        available, domains = _available(tables, need)
        mask &= available
        stages["availability"] = int(mask.sum())
        banned = forbidden_need.get(n, [])
        if need.household_id is not None:
            banned = banned + forbidden_household.get(need.household_id, [])
        if banned:
            mask[banned] = False
        stages["forbidden"] = int(mask.sum())
        # A need longer than the whole budget can never be taken (travel included).
        idx = np.flatnonzero(mask)
        load = np.full(idx.shape, need.duration, dtype=np.int64)
        travellers = extra_volunteers_need.get(n, set())
        if need.household_id is not None:
            travellers = travellers | extra_volunteers_household.get(need.household_id, set())
        for k in np.flatnonzero(np.isin(idx, list(travellers))).tolist() if travellers else ():
            v = int(idx[k])
            load[k] += extra_need.get((v, n), 0)
            if need.household_id is not None:
                load[k] += extra_household.get((v, need.household_id), 0)
        fits = (load <= tables.max_minutes[idx]) & (tables.max_shifts[idx] > 0)
        idx = idx[fits]
        stages["budget"] = int(idx.size)
        funnel.append(stages)
        pair_vol.append(idx.astype(np.int32))
        pair_need.append(np.full(idx.size, n, dtype=np.int32))
        if need.is_flexible:
            pending_domains.append((n, domains))

    pruned = 0
    total = sum(a.size for a in pair_vol)
    if candidate_limit > 0 and total > prune_above:
        pair_vol = _prune(problem, tables, pair_vol, candidate_limit)
        pair_need = [np.full(a.size, n, dtype=np.int32) for n, a in enumerate(pair_vol)]
        pruned = total - sum(a.size for a in pair_vol)
        for n, kept in enumerate(pair_vol):
            funnel[n]["considered"] = int(kept.size)
    volunteer = np.concatenate(pair_vol) if pair_vol else np.empty(0, np.int32)
    need_arr = np.concatenate(pair_need) if pair_need else np.empty(0, np.int32)
    pair_index = {
        (int(v), int(n)): p for p, (v, n) in enumerate(zip(volunteer, need_arr, strict=True))
    }
    for n, domains in pending_domains:
        for v, ranges in domains.items():
            p = pair_index.get((v, n))
            if p is not None:
                start_domains[p] = _merge(ranges)
    extra = np.zeros(volunteer.size, dtype=np.int64)
    affinity = np.zeros(volunteer.size, dtype=np.int64)
    for (v, n), minutes in extra_need.items():
        if (p := pair_index.get((v, n))) is not None:
            extra[p] += minutes
    for (v, n), value in affinity_need.items():
        if (p := pair_index.get((v, n))) is not None:
            affinity[p] += value
    if extra_household or affinity_household:
        household_of = [need.household_id for need in problem.needs]
        for p, (v, n) in enumerate(zip(volunteer.tolist(), need_arr.tolist(), strict=True)):
            h = household_of[n]
            if h is not None:
                extra[p] += extra_household.get((v, h), 0)
                affinity[p] += affinity_household.get((v, h), 0)

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
    _check_pins(problem, eligibility)
    return eligibility


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
    shifts = np.maximum(tables.max_shifts, 1).astype(np.float64)
    usage = np.zeros(tables.count, dtype=np.float64)
    volunteers = problem.volunteers
    out: list[np.ndarray] = list(candidates)
    for idx in candidates:
        if idx.size <= limit:
            usage[idx] += 1
    large = [n for n, idx in enumerate(candidates) if idx.size > limit]
    large.sort(key=lambda n: (-problem.needs[n].priority, candidates[n].size, n))
    for n in large:
        idx = candidates[n]
        need = problem.needs[n]
        keep_first = (
            np.array(
                [
                    (int(v), n) in pinned or (int(v), need.household_id) in served
                    for v in idx.tolist()
                ]
            )
            if pinned or served
            else np.zeros(idx.size, dtype=bool)
        )
        tie = (idx.astype(np.int64) * 2654435761 + n * 40503) % 4294967291
        order = np.lexsort((tie, past[idx], usage[idx] / shifts[idx], ~keep_first))
        ranked = idx[order]
        # Room for a full team plus reserves, and pinned volunteers always stay.
        room = max(limit, need.max_volunteers + TEAM_RULE_RESERVE)
        chosen = list(ranked[:room].tolist())
        chosen += [int(v) for v in idx.tolist() if (int(v), n) in pinned and int(v) not in chosen]
        rules = []
        if need.lead_required:
            rules.append(lambda v: volunteers[v].can_lead)
        for department in need.joint_departments:
            rules.append(lambda v, d=department: volunteers[v].department == d)
        for language in need.required_languages:
            rules.append(lambda v, lang=language: lang in volunteers[v].languages)
        if rules:
            chosen_set = set(chosen)
            for rule in rules:
                have = sum(1 for v in chosen if rule(v))
                for v in ranked[room:].tolist():
                    if have >= TEAM_RULE_RESERVE:
                        break
                    if v not in chosen_set and rule(v):
                        chosen.append(v)
                        chosen_set.add(v)
                        have += 1
        kept = np.array(sorted(chosen), dtype=np.int32)
        usage[kept] += 1
        out[n] = kept
    return out


def _check_pins(problem: Problem, eligibility: Eligibility) -> None:
    """A pin must name an eligible pair (and a start the volunteer can make)."""
    issues = []
    for row, pin in enumerate(problem.pins, start=2):
        v = problem.volunteer_index[pin.volunteer_id]
        n = problem.need_index[pin.need_id]
        p = eligibility.pair_index.get((v, n))
        if p is None:
            issues.append(
                DataIssue(
                    "pins",
                    row,
                    "volunteer_id",
                    f"volunteer {pin.volunteer_id} cannot be pinned to need {pin.need_id}: "
                    f"{pin_refusal(problem, eligibility, v, n)}",
                )
            )
        elif (
            pin.start is not None
            and p in eligibility.start_domains
            and not any(lo <= pin.start <= hi for lo, hi in eligibility.start_domains[p])
        ):
            issues.append(
                DataIssue(
                    "pins",
                    row,
                    "start",
                    f"volunteer {pin.volunteer_id} is not available for the whole of need "
                    f"{pin.need_id} when it starts at the pinned time",
                )
            )
    if issues:
        raise DataError(issues)


_REFUSALS = {
    "service_day": "the need's date is not a service day of the horizon",
    "skill": "lacks a required skill",
    "department": "is not from an accepted department",
    "gender": "does not match the required gender",
    "makeup_day": "is a student and the date is a make-up workday (调休)",
    "availability": "is not available for the whole duration on that date",
    "forbidden": "the pair is forbidden in the pairs sheet",
    "budget": "the volunteer's hour budget is smaller than the need (or shift budget is 0)",
}


def pin_refusal(problem: Problem, eligibility: Eligibility, v: int, n: int) -> str:
    """Say which per-pair rule keeps volunteer ``v`` off need ``n``."""
    single = problem.replace(
        volunteers=(problem.volunteers[v],),
        needs=(problem.needs[n],),
        pins=(),
        availability=tuple(
            w for w in problem.availability if w.volunteer_id == problem.volunteers[v].id
        ),
        blackouts=tuple(b for b in problem.blackouts if b.volunteer_id == problem.volunteers[v].id),
        pairs=tuple(
            p
            for p in problem.pairs
            if p.volunteer_id == problem.volunteers[v].id
            and (p.need_id in (None, problem.needs[n].id))
        ),
    )
    stages = build_eligibility(single).funnel[0]
    for stage in STAGES:
        if stages[stage] == 0:
            return _REFUSALS[stage]
    return "unknown reason"
