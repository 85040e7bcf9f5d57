"""Why a need is not (fully) staffed, with counts a coordinator can act on.

The reasons come in the order a coordinator would check them: nobody has the
skill; the skilled are of the wrong department or gender, live too far away
(``max_travel``), are students on a make-up workday, or are unavailable
then; too few eligible volunteers or a team rule nobody eligible can meet;
and, for needs that could have been staffed, where the eligible volunteers
went: to higher-priority needs at the same time, to other needs, or up
against their shift or hour cap.

Counts alone do not say whom to phone, so each unmet or short need also
names its nearest volunteers and why each is out (:mod:`matcher.nearest`).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence

from matcher.domain import Assignment, Need, Problem
from matcher.eligibility import STAGES, Eligibility
from matcher.i18n import N_, _
from matcher.nearest import NearestVolunteers, gender_word
from matcher.result import Reason, UnmetNeed
from matcher.teams import Blocker, BlockerKind
from matcher.timing import Bookings

_FILTER_REASONS = {
    "service_day": (
        "not_service_day",
        N_("{date} is not a service day of the horizon (a workday or a make-up workday 调休)"),
    ),
    "skill": ("no_skill", N_("nobody has the required skills ({skills})")),
    "department": (
        "department",
        N_(
            "none of the {before} volunteers with the skills is from an accepted department "
            "({departments})"
        ),
    ),
    "gender": ("gender", N_("none of the {before} qualified volunteers is {gender}")),
    "distance": (
        "too_far",
        N_(
            "the {before} qualified volunteers live too far away "
            "(farther than their max_travel from {area})"
        ),
    ),
    "makeup_day": (
        "makeup_day",
        N_(
            "{date} is a make-up workday (调休): "
            "the {before} qualified volunteers are students in class"
        ),
    ),
    "availability": ("unavailable", N_("the {before} qualified volunteers are unavailable then")),
    "forbidden": (
        "forbidden",
        N_("the {before} available volunteers are all forbidden for this pair"),
    ),
    "budget": (
        "cap",
        N_("the need alone exceeds the hour budget of the {before} available volunteers"),
    ),
}
"""Per funnel stage: the reason's code and its message id (translated where it is used)."""


def _skills(need: Need) -> str:
    return "、".join(f"{s.name}:{s.level}" if s.level > 1 else s.name for s in need.skills)


def _filter_reason(problem: Problem, need: Need, funnel: dict[str, int]) -> Reason | None:
    """The first filter that leaves nobody, if any."""
    before = len(problem.volunteers)
    for stage in STAGES:
        if funnel[stage] == 0:
            code, text = _FILTER_REASONS[stage]
            message = _(text).format(
                before=before,
                skills=_skills(need),
                departments="、".join(need.departments),
                gender=gender_word(need.required_gender),
                date=need.date,
                area=problem.need_area(need) or _("the need"),
            )
            return Reason(code, message, before if stage not in ("service_day", "skill") else 0)
        before = funnel[stage]
    return None


def _blocker_reasons(need: Need, blockers: Sequence[Blocker], eligible: int) -> list[Reason]:
    """Reasons for a need no roster can staff, one per :class:`Blocker`."""
    reasons = []
    for blocker in blockers:
        if blocker.kind == BlockerKind.TOO_FEW_ELIGIBLE:
            text = _("only {count} eligible volunteers, the minimum is {minimum}").format(
                count=eligible, minimum=need.min_volunteers
            )
            reasons.append(Reason("too_few_eligible", text, eligible))
        elif blocker.kind == BlockerKind.NO_LEAD:
            text = _("no eligible volunteer can lead (a teacher or party member)")
            reasons.append(Reason("team_rule", text, 0))
        elif blocker.kind == BlockerKind.NO_DEPARTMENT:
            text = _("no eligible volunteer from {department} (joint activity)").format(
                department=blocker.department
            )
            reasons.append(Reason("team_rule", text, 0))
        elif blocker.kind == BlockerKind.NO_LANGUAGE:
            text = _("no eligible volunteer speaks {language}").format(language=blocker.language)
            reasons.append(Reason("team_rule", text, 0))
    return reasons


def _booked(
    problem: Problem, elig: Eligibility, roster: Sequence[Assignment], travel_default: int
) -> tuple[Bookings, dict[str, list[str]], dict[str, int | None]]:
    """The roster's bookings (loads and spans, as the greedy keeps them), teams and starts."""
    bookings = Bookings(problem, travel_default)
    team: dict[str, list[str]] = defaultdict(list)
    start_of: dict[str, int | None] = {}
    for a in roster:
        team[a.need_id].append(a.volunteer_id)
        start_of[a.need_id] = a.start
        n, v = problem.need_index[a.need_id], problem.volunteer_index[a.volunteer_id]
        p = elig.pair_index.get((v, n))
        extra = int(elig.extra_minutes[p]) if p is not None else 0
        bookings.take(v, problem.needs[n], a.start, extra)
    return bookings, team, start_of


def explain_unmet(
    problem: Problem,
    elig: Eligibility,
    roster: Sequence[Assignment],
    closed: Mapping[int, Sequence[Blocker]],
    travel_default: int = 10,
    has_roster: bool = True,
    needs: Collection[int] | None = None,
    nearest: bool = True,
) -> tuple[UnmetNeed, ...]:
    """Explain every need staffed below its maximum, naming the nearest volunteers.

    Parameters
    ----------
    problem, elig
        The problem and its eligible pairs.
    roster
        The assignments of the roster (empty when there is none).
    closed
        Needs no roster can staff, with what blocks each (from the model).
    travel_default
        Travel minutes between different places not in the travel sheet.
    has_roster
        False when the run produced no roster (infeasible or out of time):
        then no need is blamed on where volunteers went.
    needs
        Positions of the needs to explain (default: all of them).
    nearest
        Name the nearest volunteers of each need (``UnmetNeed.candidates``);
        False when the caller names them later over a larger problem
        (:func:`with_nearest`).

    Returns
    -------
    tuple of UnmetNeed
        Unstaffed needs first (by priority, highest first), then needs short of their maximum.
    """
    bookings, team, start_of = _booked(problem, elig, roster, travel_default)
    near: NearestVolunteers | None = None
    out: list[UnmetNeed] = []
    for n in range(len(problem.needs)) if needs is None else sorted(needs):
        need = problem.needs[n]
        assigned = len(team[need.id])
        if assigned >= need.max_volunteers:
            continue
        funnel = elig.funnel[n]
        eligible = funnel["budget"]
        if (filtered := _filter_reason(problem, need, funnel)) is not None:
            reasons = [filtered]
        elif n in closed:
            reasons = _blocker_reasons(need, closed[n], funnel.get("considered", eligible))
        elif not has_roster:
            text = _("the run produced no roster; {count} volunteers are eligible for it").format(
                count=eligible
            )
            reasons = [Reason("no_roster", text, eligible)]
        else:
            reasons = _where_they_went(problem, elig, n, set(team[need.id]), start_of, bookings)
        reasons += _candidate_limit(funnel, eligible)
        if nearest and near is None:
            # Built at the first unmet need: a fully staffed roster never pays for it.
            in_model = (lambda v, m: (v, m) in elig.pair_index) if elig.pruned else None
            near = NearestVolunteers(
                problem, bookings, team, start_of, travel_default, has_roster, in_model
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
                candidates=near.of(n, closed.get(n, ())) if near is not None else (),
            )
        )
    out.sort(key=lambda u: (u.staffed, -u.priority, problem.need_index[u.need_id]))
    return tuple(out)


def _candidate_limit(funnel: Mapping[str, int], eligible: int) -> list[Reason]:
    """The reason to add when pruning left eligible volunteers of a need out of the model."""
    considered = funnel.get("considered", eligible)
    if considered >= eligible:
        return []
    text = _(
        "only {considered} of the {eligible} eligible volunteers were considered "
        "(candidate limit for large problems)"
    ).format(considered=considered, eligible=eligible)
    return [Reason("candidate_limit", text, eligible - considered)]


def with_nearest(
    problem: Problem,
    unmet: Sequence[UnmetNeed],
    roster: Sequence[Assignment],
    closed: Mapping[int, Sequence[Blocker]],
    travel_default: int = 10,
    has_roster: bool = True,
) -> list[UnmetNeed]:
    """``unmet`` with the nearest volunteers of each need named over the whole ``problem``.

    For results merged from independent parts: a part holds only the
    volunteers eligible for its needs, while the nearest volunteers of a
    need are often one rule short of it and so in no part, or in another.

    Parameters
    ----------
    problem
        The whole problem.
    unmet
        The explained needs (their reasons are kept).
    roster
        The whole roster (empty when there is none).
    closed
        Needs no roster can staff, by position in ``problem``, with what blocks each.
    travel_default
        Travel minutes between different places not in the travel sheet.
    has_roster
        False when the run produced no roster.

    Returns
    -------
    list of UnmetNeed
        In the order of ``unmet``.
    """
    if not unmet:
        return list(unmet)
    bookings = Bookings(problem, travel_default)
    team: dict[str, list[str]] = defaultdict(list)
    start_of: dict[str, int | None] = {}
    near = NearestVolunteers(problem, bookings, team, start_of, travel_default, has_roster)
    for a in roster:
        team[a.need_id].append(a.volunteer_id)
        start_of[a.need_id] = a.start
        n, v = problem.need_index[a.need_id], problem.volunteer_index[a.volunteer_id]
        bookings.take(v, problem.needs[n], a.start, near.extra(v, n))
    out = []
    for u in unmet:
        n = problem.need_index[u.need_id]
        out.append(dataclasses.replace(u, candidates=near.of(n, closed.get(n, ()))))
    return out


def _where_they_went(
    problem: Problem,
    elig: Eligibility,
    n: int,
    members: set[str],
    start_of: dict[str, int | None],
    bookings: Bookings,
) -> list[Reason]:
    """Count the eligible volunteers kept off need ``n``: busy then, capped, or free.

    Busy means booked on a need that clashes with this one as the model
    sees it (:meth:`matcher.timing.TravelTable.clash`, travel buffers of
    flexible needs included); an unstaffed flexible need counts at any time
    of its window.
    """
    need = problem.needs[n]
    own_start = start_of.get(need.id)
    higher = other = capped = free = 0
    for p in elig.pairs_of_need(n).tolist():
        v = int(elig.volunteer[p])
        if problem.volunteers[v].id in members:
            continue
        clash = bookings.clashing(v, need, own_start)
        if clash:
            if any(problem.needs[c].priority > need.priority for c in clash):
                higher += 1
            else:
                other += 1
        elif not bookings.within_caps(v, need, int(elig.extra_minutes[p])):
            capped += 1
        else:
            free += 1
    reasons = []
    if higher:
        reasons.append(
            Reason(
                "taken_higher",
                _(
                    "{count} eligible volunteers went to higher-priority needs at the same time"
                ).format(count=higher),
                higher,
            )
        )
    if other:
        reasons.append(
            Reason(
                "taken_other",
                _(
                    "{count} eligible volunteers went to needs of equal or lower priority "
                    "at the same time"
                ).format(count=other),
                other,
            )
        )
    if capped:
        reasons.append(
            Reason(
                "cap",
                _("{count} eligible volunteers reached their shift or hour cap").format(
                    count=capped
                ),
                capped,
            )
        )
    if free:
        if len(members) < need.min_volunteers:
            text = _(
                "{count} eligible volunteers were still free, too few to meet the minimum of "
                "{minimum} and the team rules together"
            ).format(count=free, minimum=need.min_volunteers)
            reasons.append(Reason("team_rule", text, free))
        else:
            text = _(
                "{count} eligible volunteers were still free; adding them scored lower on the "
                "soft rules (fairness, spreading the load)"
            ).format(count=free)
            reasons.append(Reason("soft_rules", text, free))
    if not reasons:
        reasons.append(
            Reason("too_few_eligible", _("every eligible volunteer is already on this need"), 0)
        )
    return reasons
