"""Who may support a household one to one, and how well they fit: the rules in one place.

:class:`PairingScreen` decides, for one household and every volunteer at
once (numpy masks), which hard rule each volunteer breaks.  The model takes
its candidates from :meth:`PairingScreen.eligible`, and the explanation of
unpaired households counts the same masks (:meth:`PairingScreen.broken`),
so the two cannot disagree.  The rules, in the order a coordinator checks
them (:data:`RULES`):

* ``language``: speaks one of the household's languages (when it lists any);
* ``gender``: is of the household's required gender;
* ``skill``: has each skill the household's support needs, at its level;
* ``reach``: lives within their ``max_travel`` of the household's area
  (the travel sheet's minutes, else the default, as for needs);
* ``availability``: has a weekly window (a weekday row) holding a visit of
  ``visit_minutes`` on one of the household's visit days inside one of its
  visit times; for visits on given dates, a window on one of those dates;
* ``refused``: is not refused by the household, nor kept apart from it by
  a forbidden row of the pairs sheet;
* ``capacity``: takes households at all (``max_households`` above 0).

The fit of a compatible pair (:class:`Fit`) scores affinity (the pairs
sheet's, plus past visits to the household in the history, at most
:data:`PAST_VISITS_COUNTED`), wishes met (the preferred gender, the
household's first language) and travel minutes from home.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict

import numpy as np

from matcher.domain import Household, Problem, VisitFrequency
from matcher.i18n import N_

RULES: tuple[str, ...] = (
    "language",
    "gender",
    "skill",
    "reach",
    "availability",
    "refused",
    "capacity",
)
"""Every hard rule of a (volunteer, household) pair, in the order they are explained."""

RULE_LABELS: dict[str, str] = {
    "language": N_("does not speak the household's language"),
    "gender": N_("is not of the required gender"),
    "skill": N_("lacks a skill the household needs"),
    "reach": N_("lives farther away than their max_travel"),
    "availability": N_("is not free at the household's visit times"),
    "refused": N_("is refused by the household"),
    "capacity": N_("takes no households (max_households 0)"),
}
"""What breaking each rule means for one volunteer (translated where shown)."""

PAST_VISITS_COUNTED = 3
"""Most past visits to a household that count towards a volunteer's affinity with it."""
AFFINITY_WEIGHT = 10
"""Fit points per point of affinity (a coordinator's pair, or a past visit)."""
PREFERENCE_WEIGHT = 5
"""Fit points per household wish met (preferred gender, first language)."""


def holds_a_visit(household: Household, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Which windows (start and end arrays) hold a visit of ``visit_minutes`` in a visit time."""
    fits = np.zeros(len(starts), dtype=bool)
    for lo, hi in household.visit_times or ((0, 24 * 60),):
        fits |= np.minimum(ends, hi) - np.maximum(starts, lo) >= household.visit_minutes
    return fits


@dataclasses.dataclass(frozen=True, slots=True)
class Fit:
    """How well the compatible volunteers fit one household (arrays over ``volunteers``).

    ``score = AFFINITY_WEIGHT * affinity + PREFERENCE_WEIGHT * preference - travel``.
    """

    volunteers: np.ndarray
    affinity: np.ndarray
    preference: np.ndarray
    travel: np.ndarray

    @property
    def score(self) -> np.ndarray:
        """The fit of each volunteer: higher is better."""
        return AFFINITY_WEIGHT * self.affinity + PREFERENCE_WEIGHT * self.preference - self.travel


class PairingScreen:
    """The hard rules and the fit of every (volunteer, household) pair of a problem.

    Parameters
    ----------
    problem
        The problem whose volunteers and households are paired.
    travel_default
        Travel minutes between two different places the travel sheet does not list.
    """

    def __init__(self, problem: Problem, travel_default: int = 10) -> None:
        self.problem = problem
        self.travel_default = travel_default
        volunteers = problem.volunteers
        self.count = count = len(volunteers)
        languages = sorted({lang for v in volunteers for lang in v.languages})
        self._language = {lang: k for k, lang in enumerate(languages)}
        self.speaks = np.zeros((count, len(languages)), dtype=bool)
        for i, v in enumerate(volunteers):
            for lang in v.languages:
                self.speaks[i, self._language[lang]] = True
        self.gender = np.array([str(v.gender or "") for v in volunteers], dtype=object)
        wanted = sorted({s.name for h in problem.households for s in h.skills})
        self._skill = {name: k for k, name in enumerate(wanted)}
        self.level = np.zeros((count, len(wanted)), dtype=np.int64)
        for i, v in enumerate(volunteers):
            for s in v.skills:
                if s.name in self._skill:
                    self.level[i, self._skill[s.name]] = s.level
        self.max_travel = np.array(
            [-1 if v.max_travel is None else v.max_travel for v in volunteers], dtype=np.int64
        )
        homes = sorted({v.home_area for v in volunteers})
        self._homes = homes
        home_code = {h: k for k, h in enumerate(homes)}
        self.home = np.array([home_code[v.home_area] for v in volunteers], dtype=np.int64)
        self.max_households = np.array([v.max_households for v in volunteers], dtype=np.int64)
        self._weekly: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._dated: dict[dt.date, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._windows()
        self._kept_apart: dict[str, list[int]] = defaultdict(list)
        self._affinity: dict[str, Counter[int]] = defaultdict(Counter)
        for pair in problem.pairs:
            if pair.household_id is None or pair.volunteer_id not in problem.volunteer_index:
                continue
            v = problem.volunteer_index[pair.volunteer_id]
            if pair.forbidden:
                self._kept_apart[pair.household_id].append(v)
            else:
                self._affinity[pair.household_id][v] += pair.affinity
        self._visits: dict[str, Counter[int]] = defaultdict(Counter)
        for entry in problem.history:
            if entry.household_id and entry.attended:
                v = problem.volunteer_index.get(entry.volunteer_id)
                if v is not None:
                    self._visits[entry.household_id][v] += 1
        self._blackouts = {
            (problem.volunteer_index[b.volunteer_id], b.date) for b in problem.blackouts
        }
        self._travel: dict[str, np.ndarray] = {}
        self._slots: dict[tuple[object, ...], np.ndarray] = {}

    def _windows(self) -> None:
        """Weekday windows by weekday and dated windows by date, as (volunteer, start, end)."""
        weekly: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        dated: dict[dt.date, list[tuple[int, int, int]]] = defaultdict(list)
        index = self.problem.volunteer_index
        for w in self.problem.availability:
            row = (index[w.volunteer_id], w.start, w.end)
            if w.weekday is not None:
                weekly[w.weekday].append(row)
            elif w.date is not None:
                dated[w.date].append(row)
        for table, rows_by in ((self._weekly, weekly), (self._dated, dated)):
            for key, rows in rows_by.items():
                arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
                table[key] = (arr[:, 0], arr[:, 1], arr[:, 2])  # type: ignore[index]

    # --- the rules ----------------------------------------------------------------

    def travel(self, household: Household) -> np.ndarray:
        """Travel minutes from each volunteer's home to the household's area (0 if unknown)."""
        area = household.area
        minutes = self._travel.get(area)
        if minutes is None:
            by_home = np.array(
                [
                    self.problem.travel_minutes(home, area, self.travel_default)
                    for home in self._homes
                ],
                dtype=np.int64,
            )
            minutes = by_home[self.home] if len(by_home) else np.zeros(self.count, np.int64)
            self._travel[area] = minutes
        return minutes

    def free_at_visits(self, household: Household) -> np.ndarray:
        """Volunteers with a window that holds one of the household's visits (availability)."""
        if household.visit_frequency == VisitFrequency.DATES:
            key: tuple[object, ...] = ("dates", household.visit_dates)
        else:
            key = ("weekly", household.visit_days)
        key = (*key, household.visit_times, household.visit_minutes)
        free = self._slots.get(key)
        if free is not None:
            return free
        windows = []
        if household.visit_frequency == VisitFrequency.DATES:
            for day in household.visit_dates:
                windows.append(self._dated.get(day))
                windows.append(self._weekly.get(day.isoweekday()))
        else:
            for weekday in household.visit_days or range(1, 8):
                windows.append(self._weekly.get(weekday))
        free = np.zeros(self.count, dtype=bool)
        for found in windows:
            if found is not None:
                vol, starts, ends = found
                free[vol[holds_a_visit(household, starts, ends)]] = True
        self._slots[key] = free
        return free

    def free_on(self, volunteer: int, household: Household, day: dt.date) -> bool:
        """Whether a volunteer (index) can make a visit to the household on ``day``.

        A window on that date, or on its weekday, holds a visit inside the
        visit times (as for the availability rule), and no blackout that day.
        """
        if (volunteer, day) in self._blackouts:
            return False
        for found in (self._dated.get(day), self._weekly.get(day.isoweekday())):
            if found is not None:
                vol, starts, ends = found
                mine = vol == volunteer
                if holds_a_visit(household, starts[mine], ends[mine]).any():
                    return True
        return False

    def broken(self, household: Household) -> dict[str, np.ndarray]:
        """For each rule of :data:`RULES`, the volunteers who break it with this household.

        Returns
        -------
        dict
            Rule name to a boolean array over the problem's volunteers (True:
            breaks it), in :data:`RULES` order.
        """
        count = self.count
        out: dict[str, np.ndarray] = {}
        if household.languages:
            codes = [self._language[lang] for lang in household.languages if lang in self._language]
            speaks = self.speaks[:, codes].any(axis=1) if codes else np.zeros(count, bool)
            out["language"] = ~speaks
        else:
            out["language"] = np.zeros(count, dtype=bool)
        if household.required_gender is not None:
            out["gender"] = self.gender != str(household.required_gender)
        else:
            out["gender"] = np.zeros(count, dtype=bool)
        lacks = np.zeros(count, dtype=bool)
        for skill in household.skills:
            lacks |= self.level[:, self._skill[skill.name]] < skill.level
        out["skill"] = lacks
        if household.area:
            out["reach"] = (self.max_travel >= 0) & (self.travel(household) > self.max_travel)
        else:
            out["reach"] = np.zeros(count, dtype=bool)
        out["availability"] = ~self.free_at_visits(household)
        refused = np.zeros(count, dtype=bool)
        index = self.problem.volunteer_index
        refused[[index[v] for v in household.refused if v in index]] = True
        refused[self._kept_apart.get(household.id, [])] = True
        out["refused"] = refused
        out["capacity"] = self.max_households <= 0
        return out

    def eligible(self, household: Household) -> np.ndarray:
        """Indices of the volunteers who keep every rule with this household (ascending)."""
        breaks = np.zeros(self.count, dtype=bool)
        for mask in self.broken(household).values():
            breaks |= mask
        return np.flatnonzero(~breaks)

    def fit(self, household: Household, volunteers: np.ndarray) -> Fit:
        """The fit of ``volunteers`` (indices) with the household (see :class:`Fit`)."""
        affinity = np.zeros(len(volunteers), dtype=np.int64)
        for table, most in ((self._affinity, None), (self._visits, PAST_VISITS_COUNTED)):
            given = table.get(household.id)
            if not given:
                continue
            # a few known volunteers per household: look them up, not every candidate
            known = np.fromiter(given.keys(), dtype=np.int64, count=len(given))
            values = np.fromiter(given.values(), dtype=np.int64, count=len(given))
            if most is not None:
                values = np.minimum(values, most)
            order = np.argsort(known)
            known, values = known[order], values[order]
            at = np.searchsorted(known, volunteers)
            hit = at < len(known)
            hit[hit] = known[at[hit]] == volunteers[hit]
            affinity[hit] += values[at[hit]]
        preference = np.zeros(len(volunteers), dtype=np.int64)
        if household.preferred_gender is not None:
            preference += self.gender[volunteers] == str(household.preferred_gender)
        if household.languages and household.languages[0] in self._language:
            preference += self.speaks[volunteers, self._language[household.languages[0]]]
        return Fit(volunteers, affinity, preference, self.travel(household)[volunteers])

    def past_visits(self, household_id: str, volunteer: int) -> int:
        """Attended visits of a volunteer (index) to a household in the history."""
        visits = self._visits.get(household_id)
        return visits.get(volunteer, 0) if visits else 0
