"""What a valid problem holds that a coordinator should look at: warnings, not errors.

Nothing here refuses data (that is :mod:`matcher.validate`'s); each warning
is an :class:`~matcher.validate.Issue` placed like an error, so the reader,
the CLI, ``summary.json`` and the API show it where the coordinator looks.
"""

from __future__ import annotations

from matcher.domain import Problem
from matcher.i18n import _
from matcher.validate import Issue


def _unavailable_volunteers(problem: Problem) -> list[Issue]:
    has_window = {w.volunteer_id for w in problem.availability}
    message = _("volunteer {id} {name} has no availability at all")
    return [
        Issue("volunteers", i, "id", message.format(id=v.id, name=v.name))
        for i, v in enumerate(problem.volunteers)
        if v.id not in has_window
    ]


def _needs_off_service_days(problem: Problem) -> list[Issue]:
    service, makeup = set(problem.horizon.service_days), set(problem.horizon.makeup_days)
    found = []
    for i, need in enumerate(problem.needs):
        if need.date is None or need.date in service or not problem.horizon.contains(need.date):
            continue
        if need.date in makeup:
            message = _("need {id} {title} is on {date}: a make-up workday (调休)")
        else:
            message = _("need {id} {title} is on {date}: not a service day")
        found.append(
            Issue("needs", i, "date", message.format(id=need.id, title=need.title, date=need.date))
        )
    return found


def _unknown_refusals(problem: Problem) -> list[Issue]:
    # a typo would let the refused volunteer be paired: say so, without refusing the data
    known = set(problem.volunteer_index)
    message = _("household {id} refuses {volunteer}, who is not in the volunteers list")
    return [
        Issue("households", i, "refused", message.format(id=h.id, volunteer=v))
        for i, h in enumerate(problem.households)
        for v in h.refused
        if v not in known
    ]


def _unreachable_households(problem: Problem, travel_default: int) -> list[Issue]:
    # volunteers grouped by where they live and how far they go: few groups, however many people
    reach = {(v.home_area, v.max_travel) for v in problem.volunteers}
    found = []
    for i, household in enumerate(problem.households):
        if not household.area or any(
            limit is None or problem.travel_minutes(home, household.area, travel_default) <= limit
            for home, limit in reach
        ):
            continue
        found.append(
            Issue(
                "households",
                i,
                "area",
                _("household {id} in {area} is beyond every volunteer's max_travel").format(
                    id=household.id, area=household.area
                ),
            )
        )
    return found


def _skills_nobody_has(problem: Problem) -> list[Issue]:
    best: dict[str, int] = {}
    for volunteer in problem.volunteers:
        for skill in volunteer.skills:
            best[skill.name] = max(best.get(skill.name, 0), skill.level)
    found = []
    for i, need in enumerate(problem.needs):
        missing = [s for s in need.skills if best.get(s.name, 0) < s.level]
        if missing:
            wanted = "、".join(
                _("{skill} (level {level})").format(skill=s.name, level=s.level)
                if s.level > 1
                else s.name
                for s in missing
            )
            message = _("need {id} {title}: nobody has {wanted}")
            found.append(
                Issue(
                    "needs",
                    i,
                    "skills",
                    message.format(id=need.id, title=need.title, wanted=wanted),
                )
            )
    return found


def problem_warnings(problem: Problem, travel_default: int = 10) -> list[Issue]:
    """What a valid problem holds that a coordinator should look at before solving.

    A volunteer with no availability at all, a need dated on a day that is
    not a service day, a household no volunteer's ``max_travel`` reaches, a
    household that refuses a volunteer who is not listed, a skill (at its
    level) that nobody has.  None of these refuses the data.

    Parameters
    ----------
    problem
        A valid problem.
    travel_default
        Travel minutes between places the travel sheet does not list (the
        solve's ``travel_minutes_default``).
    """
    return [
        *_unavailable_volunteers(problem),
        *_needs_off_service_days(problem),
        *_unreachable_households(problem, travel_default),
        *_unknown_refusals(problem),
        *_skills_nobody_has(problem),
    ]
