"""Paired households' visits in the weekend roster: a need per visit, pinned to who should go.

Each visit of the roster's horizon (weekly, fortnightly from the horizon's
start, or on the given dates; on a service day) becomes a need of the
household: its visit time as a window of ``visit_minutes``, its required
gender and skills, its priority.  The need is pinned to the primary when
the primary can take it (eligible by the roster's own rules, within their
shift and hour budget, no other visit or pin that day), else to the
backup, else to nobody: then anyone eligible may serve it, and the visit is
flagged.  Pins are hard rules of the roster engine and of its checker
(``pin``), so the roster keeps the continuity and ``matcher check`` verifies
it; nothing in the engine changes, and a dataset without visits solves as
before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from matcher.domain import (
    Household,
    HouseholdCategory,
    Need,
    NeedCategory,
    Pin,
    Problem,
    SupportPair,
)
from matcher.eligibility import find_candidates
from matcher.i18n import N_, _
from matcher.pairing.report import visit_dates
from matcher.pairing.rules import PairingScreen

WHOLE_DAY = (8 * 60, 18 * 60)
"""The window of a visit with no visit times: the whole service day."""

FLAGS: dict[str, str] = {
    "primary": N_("the primary {volunteer} goes"),
    "backup": N_("the primary {primary} cannot go; the backup {volunteer} goes"),
    "others": N_("neither the primary {primary} nor the backup {backup} can go; someone else goes"),
}
"""What the plan says of each visit, by who goes (translated where it is made)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Visit:
    """One visit of the horizon: its need, who is pinned to it, and why."""

    household_id: str
    need_id: str
    date: dt.date
    role: str
    volunteer_id: str | None
    note: str


def _window(household: Household) -> tuple[int, int]:
    """The visit's window: the household's first visit time, else the whole service day."""
    return household.visit_times[0] if household.visit_times else WHOLE_DAY


def _visit_need(household: Household, day: dt.date) -> Need:
    start, end = _window(household)
    short = household.notes.split("，")[0][:20] or household.id
    category = (
        NeedCategory.ELDERLY_CARE
        if household.category == HouseholdCategory.ELDERLY_ALONE
        else NeedCategory.OTHER
    )
    return Need(
        id=f"{household.id}-{day:%m%d}",
        title=f"点对点探访（{short}）",  # i18n: not shown: a need title is data, in Chinese
        category=category,
        duration=household.visit_minutes,
        date=day,
        start=start,
        end=end,
        household_id=household.id,
        area=household.area,
        skills=household.skills,
        required_gender=household.required_gender,
        priority=household.priority,
    )


def with_visits(
    problem: Problem,
    pairs: Sequence[SupportPair],
    travel_default: int = 10,
) -> tuple[Problem, list[Visit]]:
    """The problem with a pinned need per visit of each paired household in its horizon.

    Parameters
    ----------
    problem
        The dataset whose roster will carry the visits.
    pairs
        The pairing (``pairs.csv`` of ``matcher pair``).
    travel_default
        Travel minutes between places the travel sheet does not list.

    Returns
    -------
    problem, visits
        The problem with the visit needs and their pins added (checked like
        a loaded dataset), and each visit with who goes and why.
    """
    screen = PairingScreen(problem, travel_default)
    weeks = (problem.horizon.end - problem.horizon.start).days // 7 + 1
    service = set(problem.horizon.service_days)
    planned: list[tuple[Need, SupportPair]] = []
    households = problem.household_by_id
    index = problem.volunteer_index
    for pair in pairs:
        household = households.get(pair.household_id)
        if household is None or not household.one_to_one or pair.primary_id not in index:
            continue
        for days in visit_dates(household, problem.horizon.start, weeks):
            days = [d for d in days if d in service and problem.horizon.contains(d)]
            if not days:
                continue
            # the day the primary can come, else the backup's, else the first
            chosen = days[0]
            for volunteer_id in (pair.primary_id, pair.backup_id):
                v = index.get(volunteer_id or "")
                free = [d for d in days if v is not None and screen.free_on(v, household, d)]
                if free:
                    chosen = free[0]
                    break
            planned.append((_visit_need(household, chosen), pair))
    with_needs = problem.replace(needs=(*problem.needs, *(need for need, _pair in planned)))
    candidates = find_candidates(with_needs, travel_default)
    pins, visits = _pins(with_needs, planned, candidates.volunteers)
    return with_needs.replace(pins=(*problem.pins, *pins)), visits


def _pins(
    problem: Problem,
    planned: Sequence[tuple[Need, SupportPair]],
    eligible: Sequence[np.ndarray],
) -> tuple[list[Pin], list[Visit]]:
    """Pin each visit to its primary, else its backup, within their budgets (see the notes)."""
    index = problem.volunteer_index
    shifts: dict[str, int] = defaultdict(int)
    minutes: dict[str, int] = defaultdict(int)
    busy: set[tuple[str, dt.date | None]] = set()
    for pin in problem.pins:
        need = problem.need(pin.need_id)
        shifts[pin.volunteer_id] += 1
        minutes[pin.volunteer_id] += need.duration
        busy.add((pin.volunteer_id, need.date))
    pins, visits = [], []
    for need, pair in planned:
        allowed = set(eligible[problem.need_index[need.id]].tolist())
        role, volunteer_id = "others", None
        for candidate_role, candidate in (("primary", pair.primary_id), ("backup", pair.backup_id)):
            if candidate is None or candidate not in index:
                continue
            volunteer = problem.volunteer(candidate)
            if (
                index[candidate] in allowed
                and (candidate, need.date) not in busy
                and shifts[candidate] < volunteer.max_shifts
                and minutes[candidate] + need.duration <= volunteer.max_minutes
            ):
                role, volunteer_id = candidate_role, candidate
                break
        if volunteer_id is not None:
            pins.append(Pin(volunteer_id, need.id))
            shifts[volunteer_id] += 1
            minutes[volunteer_id] += need.duration
            busy.add((volunteer_id, need.date))
        note = _(FLAGS[role]).format(
            volunteer=volunteer_id, primary=pair.primary_id, backup=pair.backup_id or "-"
        )
        visits.append(Visit(pair.household_id, need.id, need.date, role, volunteer_id, note))  # type: ignore[arg-type]
    return pins, visits
