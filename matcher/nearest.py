"""Whom to call about an unmet need: the nearest volunteers, and why each is out.

Explanations give counts; a coordinator needs names.  Each unmet or short
need names up to :data:`NEAREST` volunteers not on it (``UnmetNeed.candidates``):
fewest rules short first, then least loaded in the roster, then file order.
Each says why they are out, with a code per thing short:

* a per-pair rule (the funnel's codes): ``no_skill`` (lacks a skill, or has
  it at a lower level), ``department``, ``gender``, ``too_far``,
  ``makeup_day``, ``unavailable`` (not that day, other hours, a blackout),
  ``forbidden``, ``cap`` (the need alone exceeds their budget);
* ``team_rule``: a team rule the need lacks that they do not meet either
  (not a teacher or party member for the lead, not from the joint
  department, does not speak the language);
* for eligible volunteers: ``busy`` (the clash, as the model sees it, with
  the other need's time and place), ``cap`` (at their shift cap or hour
  budget, with their load), ``free``, ``eligible`` (the need has too few
  eligible volunteers), ``no_roster``, ``not_considered`` (candidate limit).

The per-pair rules are :class:`matcher.eligibility.RuleScreen`'s, the clashes
:class:`matcher.timing.Bookings`' and the team rules :mod:`matcher.teams`',
so the names agree with the model without importing it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from matcher.domain import (
    AvailabilityWindow,
    Gender,
    Need,
    Problem,
    Skill,
    Volunteer,
    format_minutes,
)
from matcher.eligibility import STAGES, BrokenRules, RuleScreen
from matcher.i18n import N_, _
from matcher.result import Candidate
from matcher.teams import Blocker, TeamRule, TeamRuleKind, team_rules
from matcher.timing import Bookings

NEAREST = 5
"""Volunteers named per unmet or short need."""

STAGE_CODES = {
    "service_day": "not_service_day",
    "skill": "no_skill",
    "department": "department",
    "gender": "gender",
    "distance": "too_far",
    "makeup_day": "makeup_day",
    "availability": "unavailable",
    "forbidden": "forbidden",
    "budget": "cap",
}
"""The code of each per-pair rule: the same as the funnel's reasons in :mod:`matcher.explain`."""

_GENDER_WORDS: dict[str, str] = {
    str(Gender.MALE): N_("male"),
    str(Gender.FEMALE): N_("female"),
}


def gender_word(gender: Gender | str | None) -> str:
    """A gender as a message says it, in the language in force (``female``, ``女``)."""
    if gender is None:
        return ""
    word = _GENDER_WORDS.get(str(gender))
    return _(word) if word else str(gender)


def join_notes(notes: Sequence[str]) -> str:
    """Several reasons of one volunteer as one message (``; `` in English, ``；`` in Chinese)."""
    return _("; ").join(notes)


class NearestVolunteers:
    """The volunteers nearest to each unmet need, and why each is not on it.

    Nearest means fewest rules short (each per-pair rule broken, each team
    rule the need lacks that they do not meet, being busy then, being at a
    cap), then least loaded in the roster, then file order.

    Parameters
    ----------
    problem
        The problem whose volunteers are named.
    bookings
        The roster's bookings (loads and spans).
    team, start_of
        Volunteer ids on each need, and the start of each staffed need.
    travel_default
        Travel minutes between different places not in the travel sheet.
    has_roster
        False when the run produced no roster.
    considered
        ``considered(v, n)``: whether the pair is in the model (None when
        nothing was pruned: every eligible pair is).
    """

    def __init__(
        self,
        problem: Problem,
        bookings: Bookings,
        team: Mapping[str, Sequence[str]],
        start_of: Mapping[str, int | None],
        travel_default: int,
        has_roster: bool,
        considered: Callable[[int, int], bool] | None = None,
    ) -> None:
        self.problem = problem
        self.bookings = bookings
        self.team = team
        self.start_of = start_of
        self.travel_default = travel_default
        self.has_roster = has_roster
        self.considered = considered
        self.screen = RuleScreen(problem, travel_default)
        self.windows: dict[str, list[AvailabilityWindow]] = defaultdict(list)
        for w in problem.availability:
            self.windows[w.volunteer_id].append(w)
        self.blackouts = {(b.volunteer_id, b.date) for b in problem.blackouts}
        self.service_days = set(problem.horizon.service_days)
        self._admits: dict[TeamRule, np.ndarray] = {}
        self._loads: tuple[int, np.ndarray, np.ndarray] | None = None

    def _booked(self) -> tuple[np.ndarray, np.ndarray]:
        """Minutes and shifts booked per volunteer, as arrays (rebuilt only when bookings move).

        Built afresh for each need, they took 2.2 of the 7.2 s of naming the
        nearest volunteers of 1,004 needs of a city of 50,000.
        """
        version = self.bookings.version
        if self._loads is None or self._loads[0] != version:
            loads = np.array(self.bookings.minutes, dtype=np.int64)
            shifts = np.array(self.bookings.shifts, dtype=np.int64)
            self._loads = (version, loads, shifts)
        return self._loads[1], self._loads[2]

    def _admitted(self, rule: TeamRule) -> np.ndarray:
        if rule not in self._admits:
            self._admits[rule] = np.array(
                [rule.admits(v) for v in self.problem.volunteers], dtype=bool
            )
        return self._admits[rule]

    def of(self, n: int, blockers: Sequence[Blocker]) -> tuple[Candidate, ...]:
        """Up to :data:`NEAREST` volunteers not on need ``n``, nearest first."""
        problem, need = self.problem, self.problem.needs[n]
        count = len(problem.volunteers)
        broken = self.screen.broken(n)
        if "service_day" in broken.stages or count == 0:
            return ()  # nobody can serve on that date: naming people would not help
        rules_broken = broken.count(count)
        short = rules_broken.copy()
        lacking = [rule for rule in team_rules(need) if rule.blocker in blockers]
        for rule in lacking:
            short += ~self._admitted(rule)
        members = {problem.volunteer_index[i] for i in self.team.get(need.id, ())}
        roster_notes: dict[int, list[tuple[str, str]]] = {}
        for v in np.flatnonzero(rules_broken == 0).tolist():
            if v in members:
                continue
            notes = self._eligible_notes(n, v, blockers, bool(lacking))
            roster_notes[v] = notes
            short[v] += sum(1 for code, _text in notes if code in ("busy", "cap"))
        if not blockers and len(members) < need.min_volunteers:
            # Staffable, yet unstaffed: a team rule nobody on the team and nobody
            # still free meets is what the free volunteers lack.
            free = [v for v, notes in roster_notes.items() if notes and notes[0][0] == "free"]
            for rule in team_rules(need):
                admitted = self._admitted(rule)
                if not any(admitted[v] for v in [*members, *free]):
                    lacking.append(rule)
                    short += ~admitted
            for v in free:
                if any(not rule.admits(problem.volunteers[v]) for rule in lacking):
                    roster_notes[v] = []  # the team rule they do not meet says it
        loads, shifts = self._booked()
        out = np.ones(count, dtype=bool)
        out[list(members)] = False
        idx = np.flatnonzero(out)
        if idx.size > NEAREST:
            # Fewest rules short come first: only those up to the NEAREST-th
            # fewest can be named, so sort just them (a city has 50,000).
            cut = np.partition(short[idx], NEAREST - 1)[NEAREST - 1]
            idx = idx[short[idx] <= cut]
        order = idx[np.lexsort((idx, shifts[idx], loads[idx], short[idx]))][:NEAREST]
        return tuple(
            self._candidate(n, v, broken, lacking, roster_notes.get(v, []), int(short[v]))
            for v in order.tolist()
        )

    def _eligible_notes(
        self, n: int, v: int, blockers: Sequence[Blocker], lacking: bool
    ) -> list[tuple[str, str]]:
        """Why a volunteer who meets every per-pair rule of need ``n`` is not on it."""
        need = self.problem.needs[n]
        if blockers:
            if lacking:
                return []  # the team rules they do not meet say it
            # Only too few eligible blocks it: they are needed, with someone more.
            text = _("eligible, but too few are eligible for the minimum of {minimum}").format(
                minimum=need.min_volunteers
            )
            return [("eligible", text)]
        if not self.has_roster:
            return [("no_roster", _("eligible; the run produced no roster"))]
        if self.considered is not None and not self.considered(v, n):
            return [("not_considered", _("eligible, but left out by the candidate limit"))]
        notes = []
        for booking in self.bookings.clashes(v, need, self.start_of.get(need.id)):
            other = self.problem.needs[booking.need]
            span = booking.span
            fields = {
                "need": other.id,
                "start": format_minutes(span.start),
                "end": format_minutes(span.end),
                "place": other.place,
            }
            if other.place:
                text = _("busy at {need} {start}-{end} in {place}").format(**fields)
            else:
                text = _("busy at {need} {start}-{end}").format(**fields)
            notes.append(("busy", text))
        volunteer = self.problem.volunteers[v]
        shifts, minutes = self.bookings.shifts[v], self.bookings.minutes[v]
        takes = need.duration + self.extra(v, n)
        if shifts + 1 > volunteer.max_shifts:
            text = _("at their shift cap ({shifts} of {max_shifts} shifts)").format(
                shifts=shifts, max_shifts=volunteer.max_shifts
            )
            notes.append(("cap", text))
        elif minutes + takes > volunteer.max_minutes:
            text = _(
                "hour budget: {minutes} of {max_minutes} minutes booked, "
                "the need takes {takes} more"
            ).format(minutes=minutes, max_minutes=volunteer.max_minutes, takes=takes)
            notes.append(("cap", text))
        if notes:
            return notes
        if len(self.team.get(need.id, ())) < need.min_volunteers:
            text = _(
                "eligible and free, but too few with the others for the minimum of "
                "{minimum} and the team rules"
            ).format(minimum=need.min_volunteers)
        else:
            text = _("eligible and free; adding them scored lower on the soft rules")
        return [("free", text)]

    def extra(self, v: int, n: int) -> int:
        """Extra travel minutes of the pair (need and household rows add up)."""
        sheet, need = self.screen.sheet, self.problem.needs[n]
        extra = sheet.extra_need.get((v, n), 0)
        if need.household_id is not None:
            extra += sheet.extra_household.get((v, need.household_id), 0)
        return extra

    def _candidate(
        self,
        n: int,
        v: int,
        broken: BrokenRules,
        lacking: Sequence[TeamRule],
        notes: list[tuple[str, str]],
        short: int,
    ) -> Candidate:
        volunteer = self.problem.volunteers[v]
        pair_notes = self._rule_notes(n, v, broken)
        team_notes = [
            ("team_rule", _team_rule_note(rule)) for rule in lacking if not rule.admits(volunteer)
        ]
        all_notes = [*pair_notes, *team_notes, *notes]
        return Candidate(
            volunteer_id=volunteer.id,
            name=volunteer.name,
            department=volunteer.department,
            code=all_notes[0][0] if all_notes else "free",
            message=join_notes([text for _code, text in all_notes]),
            rules_short=short,
            shifts=self.bookings.shifts[v],
            minutes=self.bookings.minutes[v],
            codes=tuple(code for code, _text in all_notes),
        )

    def _rule_notes(self, n: int, v: int, broken: BrokenRules) -> list[tuple[str, str]]:
        """The per-pair rules of need ``n`` volunteer ``v`` breaks, in :data:`STAGES` order."""
        problem, need, volunteer = self.problem, self.problem.needs[n], self.problem.volunteers[v]
        stages = [s for s in STAGES if s in broken.stages and broken.stages[s][v]]
        only = len(stages) + sum(1 for _skill, m in broken.skills if m[v]) == 1
        notes: list[tuple[str, str]] = []
        for skill, mask in broken.skills:
            if mask[v]:
                notes.append(("no_skill", _skill_note(skill, volunteer.skill_level(skill.name))))
        for stage in stages:
            if stage == "department":
                text = _("from {department}, not an accepted department ({departments})").format(
                    department=volunteer.department, departments="、".join(need.departments)
                )
            elif stage == "gender":
                required = gender_word(need.required_gender)
                if volunteer.gender:
                    text = _("is {gender}; the need asks for {required}").format(
                        gender=gender_word(volunteer.gender), required=required
                    )
                else:
                    text = _("is of unrecorded gender; the need asks for {required}").format(
                        required=required
                    )
            elif stage == "distance":
                area = problem.need_area(need)
                minutes = problem.travel_minutes(volunteer.home_area, area, self.travel_default)
                text = _(
                    "lives in {home}, {minutes} minutes from {area} (max_travel {max_travel})"
                ).format(
                    home=volunteer.home_area or "?",
                    minutes=minutes,
                    area=area,
                    max_travel=volunteer.max_travel,
                )
            elif stage == "makeup_day":
                text = _("a student, and {date} is a make-up workday (调休)").format(date=need.date)
            elif stage == "availability":
                text = self._availability_note(need, volunteer, only)
            elif stage == "forbidden":
                text = _("the pairs sheet forbids this pair")
            else:  # budget
                if volunteer.max_shifts <= 0:
                    text = _("has no shifts to give (max_shifts 0)")
                else:
                    text = _(
                        "hour budget of {max_minutes} minutes is less than the need's {takes}"
                    ).format(
                        max_minutes=volunteer.max_minutes, takes=need.duration + self.extra(v, n)
                    )
            notes.append((STAGE_CODES[stage], text))
        return notes

    def _availability_note(self, need: Need, volunteer: Volunteer, only: bool) -> str:
        """Why a volunteer cannot make a need's time: blackout, other hours, or not that day."""
        if need.date is None:
            return _("not available on any service day")
        day = need.date
        if (volunteer.id, day) in self.blackouts:
            return _("not available on {date} (blackout)").format(date=day)
        windows = [
            w
            for w in self.windows.get(volunteer.id, ())
            if w.date == day or (w.weekday == day.isoweekday() and day in self.service_days)
        ]
        if not windows:
            if only:
                return _("qualified but not available on {date}").format(date=day)
            return _("not available on {date}").format(date=day)
        hours = "、".join(f"{format_minutes(w.start)}-{format_minutes(w.end)}" for w in windows)
        wanted = f"{format_minutes(need.start)}-{format_minutes(need.end)}"
        if need.is_flexible:
            wanted = _("{minutes} minutes within {window}").format(
                minutes=need.duration, window=wanted
            )
        return _("available {hours} on {date}, which does not hold {wanted}").format(
            hours=hours, date=day, wanted=wanted
        )


def _skill_note(skill: Skill, has: int) -> str:
    """``lacks 手语`` or ``has 理发 at level 1, needs 2``."""
    if has:
        return _("has {skill} at level {has}, needs {level}").format(
            skill=skill.name, has=has, level=skill.level
        )
    if skill.level > 1:
        return _("lacks {skill} at level {level}").format(skill=skill.name, level=skill.level)
    return _("lacks {skill}").format(skill=skill.name)


def _team_rule_note(rule: TeamRule) -> str:
    """What a volunteer lacks for a team rule no eligible volunteer meets."""
    if rule.kind == TeamRuleKind.LEAD:
        return _("not a teacher or party member (the team needs a lead)")
    if rule.kind == TeamRuleKind.DEPARTMENT:
        return _("not from {department} (joint activity)").format(department=rule.department)
    return _("does not speak {language}").format(language=rule.language)
