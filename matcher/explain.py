"""Why a need is not (fully) staffed, with counts a coordinator can act on.

The reasons come in the order a coordinator would check them: nobody has the
skill; the skilled are of the wrong department or gender, live too far away
(``max_travel``), are students on a make-up workday, or are unavailable
then; too few eligible volunteers or a team rule nobody eligible can meet;
and, for needs that could have been staffed, where the eligible volunteers
went: to higher-priority needs at the same time, to other needs, or up
against their shift or hour cap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

from matcher.domain import Assignment, Need, Problem
from matcher.eligibility import STAGES, Eligibility
from matcher.result import Reason, UnmetNeed

_FILTER_REASONS = {
    "service_day": (
        "not_service_day",
        "{date} is not a service day of the horizon (a workday or a make-up workday 调休)",
    ),
    "skill": ("no_skill", "nobody has the required skills ({skills})"),
    "department": (
        "department",
        "none of the {before} volunteers with the skills is from an accepted department "
        "({departments})",
    ),
    "gender": ("gender", "none of the {before} qualified volunteers is {gender}"),
    "distance": (
        "too_far",
        "the {before} qualified volunteers live too far away "
        "(farther than their max_travel from {area})",
    ),
    "makeup_day": (
        "makeup_day",
        "{date} is a make-up workday (调休): "
        "the {before} qualified volunteers are students in class",
    ),
    "availability": ("unavailable", "the {before} qualified volunteers are unavailable then"),
    "forbidden": ("forbidden", "the {before} available volunteers are all forbidden for this pair"),
    "budget": (
        "cap",
        "the need alone exceeds the hour budget of the {before} available volunteers",
    ),
}


def _skills(need: Need) -> str:
    return "、".join(f"{s.name}:{s.level}" if s.level > 1 else s.name for s in need.skills)


def _filter_reason(problem: Problem, need: Need, funnel: dict[str, int]) -> Reason | None:
    """The first filter that leaves nobody, if any."""
    before = len(problem.volunteers)
    for stage in STAGES:
        if funnel[stage] == 0:
            code, text = _FILTER_REASONS[stage]
            message = text.format(
                before=before,
                skills=_skills(need),
                departments="、".join(need.departments),
                gender=need.required_gender,
                date=need.date,
                area=problem.need_area(need) or "the need",
            )
            return Reason(code, message, before if stage not in ("service_day", "skill") else 0)
        before = funnel[stage]
    return None


def _blocker_reasons(need: Need, blockers: list[str], eligible: int) -> list[Reason]:
    reasons = []
    for blocker in blockers:
        if blocker == "too_few_eligible":
            reasons.append(
                Reason(
                    "too_few_eligible",
                    f"only {eligible} eligible volunteers, the minimum is {need.min_volunteers}",
                    eligible,
                )
            )
        elif blocker == "no_lead":
            reasons.append(
                Reason("team_rule", "no eligible volunteer can lead (a teacher or party member)", 0)
            )
        elif blocker.startswith("no_department:"):
            department = blocker.split(":", 1)[1]
            reasons.append(
                Reason("team_rule", f"no eligible volunteer from {department} (joint activity)", 0)
            )
        elif blocker.startswith("no_language:"):
            language = blocker.split(":", 1)[1]
            reasons.append(Reason("team_rule", f"no eligible volunteer speaks {language}", 0))
    return reasons


def _overlaps(
    problem: Problem, a: Need, a_start: int | None, b: Need, b_start: int | None, travel: int
) -> bool:
    """Whether assignment to ``b`` (at ``b_start``) keeps a volunteer from ``a``."""
    if a.date is None or b.date is None or a.date != b.date or b_start is None:
        return False
    assert a.start is not None and a.end is not None
    lo = a_start if a_start is not None else a.start
    hi = lo + a.duration if a_start is not None else a.end
    b_end = b_start + b.duration
    gap_after = problem.travel_minutes(b.place, a.place, travel)
    gap_before = problem.travel_minutes(a.place, b.place, travel)
    return not (b_end + gap_after <= lo or hi + gap_before <= b_start)


def explain_unmet(
    problem: Problem,
    elig: Eligibility,
    roster: Sequence[Assignment],
    closed: dict[int, list[str]],
    travel_default: int = 10,
    has_roster: bool = True,
    needs: Collection[int] | None = None,
) -> tuple[UnmetNeed, ...]:
    """Explain every need staffed below its maximum.

    Parameters
    ----------
    problem, elig
        The problem and its eligible pairs.
    roster
        The assignments of the roster (empty when there is none).
    closed
        Needs no roster can staff, with the blocking rules (from the model).
    travel_default
        Travel minutes between different places not in the travel sheet.
    has_roster
        False when the run produced no roster (infeasible or out of time):
        then no need is blamed on where volunteers went.
    needs
        Positions of the needs to explain (default: all of them).

    Returns
    -------
    tuple of UnmetNeed
        Unstaffed needs first (by priority, highest first), then needs short of their maximum.
    """
    team: dict[str, list[str]] = defaultdict(list)
    start_of: dict[str, int | None] = {}
    shifts: dict[str, int] = defaultdict(int)
    minutes: dict[str, int] = defaultdict(int)
    by_volunteer: dict[str, list[str]] = defaultdict(list)
    for a in roster:
        team[a.need_id].append(a.volunteer_id)
        start_of[a.need_id] = a.start
        by_volunteer[a.volunteer_id].append(a.need_id)
        shifts[a.volunteer_id] += 1
        n, v = problem.need_index[a.need_id], problem.volunteer_index[a.volunteer_id]
        extra = elig.pair_index.get((v, n))
        minutes[a.volunteer_id] += problem.needs[n].duration + (
            int(elig.extra_minutes[extra]) if extra is not None else 0
        )
    out: list[UnmetNeed] = []
    for n in range(len(problem.needs)) if needs is None else sorted(needs):
        need = problem.needs[n]
        assigned = len(team[need.id])
        if assigned >= need.max_volunteers:
            continue
        funnel = elig.funnel[n]
        eligible = funnel["budget"]
        reasons: list[Reason] = []
        filtered = _filter_reason(problem, need, funnel)
        if filtered is not None:
            reasons.append(filtered)
        elif n in closed:
            reasons.extend(_blocker_reasons(need, closed[n], funnel.get("considered", eligible)))
        elif not has_roster:
            reasons.append(
                Reason(
                    "no_roster",
                    f"the run produced no roster; {eligible} volunteers are eligible for it",
                    eligible,
                )
            )
        else:
            reasons.extend(
                _where_they_went(
                    problem, elig, n, team, start_of, shifts, minutes, by_volunteer, travel_default
                )
            )
        considered = funnel.get("considered", eligible)
        if considered < eligible:
            reasons.append(
                Reason(
                    "candidate_limit",
                    f"only {considered} of the {eligible} eligible volunteers were considered "
                    "(candidate limit for large problems)",
                    eligible - considered,
                )
            )
        out.append(
            UnmetNeed(
                need_id=need.id,
                title=need.title,
                category=str(need.category),
                priority=need.priority,
                min_volunteers=need.min_volunteers,
                max_volunteers=need.max_volunteers,
                assigned=assigned,
                eligible=eligible,
                reasons=tuple(reasons),
            )
        )
    out.sort(key=lambda u: (u.staffed, -u.priority, problem.need_index[u.need_id]))
    return tuple(out)


def _where_they_went(
    problem: Problem,
    elig: Eligibility,
    n: int,
    team: dict[str, list[str]],
    start_of: dict[str, int | None],
    shifts: dict[str, int],
    minutes: dict[str, int],
    by_volunteer: dict[str, list[str]],
    travel_default: int,
) -> list[Reason]:
    need = problem.needs[n]
    own_start = start_of.get(need.id)
    higher = other = capped = free = 0
    members = set(team[need.id])
    for p in elig.pairs_of_need(n).tolist():
        volunteer = problem.volunteers[int(elig.volunteer[p])]
        if volunteer.id in members:
            continue
        clash = [
            problem.need(other_id)
            for other_id in by_volunteer[volunteer.id]
            if _overlaps(
                problem, need, own_start, problem.need(other_id), start_of[other_id], travel_default
            )
        ]
        if clash:
            if any(c.priority > need.priority for c in clash):
                higher += 1
            else:
                other += 1
        elif shifts[volunteer.id] + 1 > volunteer.max_shifts or (
            minutes[volunteer.id] + need.duration + int(elig.extra_minutes[p])
            > volunteer.max_minutes
        ):
            capped += 1
        else:
            free += 1
    reasons = []
    if higher:
        reasons.append(
            Reason(
                "taken_higher",
                f"{higher} eligible volunteers went to higher-priority needs at the same time",
                higher,
            )
        )
    if other:
        reasons.append(
            Reason(
                "taken_other",
                f"{other} eligible volunteers went to needs of equal or lower priority "
                "at the same time",
                other,
            )
        )
    if capped:
        reasons.append(
            Reason("cap", f"{capped} eligible volunteers reached their shift or hour cap", capped)
        )
    if free:
        if len(members) < need.min_volunteers:
            text = (
                f"{free} eligible volunteers were still free, too few to meet the minimum of "
                f"{need.min_volunteers} and the team rules together"
            )
            reasons.append(Reason("team_rule", text, free))
        else:
            text = (
                f"{free} eligible volunteers were still free; adding them scored lower on the "
                "soft rules (fairness, spreading the load)"
            )
            reasons.append(Reason("soft_rules", text, free))
    if not reasons:
        reasons.append(
            Reason("too_few_eligible", "every eligible volunteer is already on this need", 0)
        )
    return reasons
