"""Independent checker of every rule of a one-to-one pairing.

Like :mod:`matcher.check` for rosters, it re-reads the rules from
``docs/data-format.md`` (sheet households, "compatible") and tests each
pair against them one rule at a time, with its own code: it imports only
:mod:`matcher.domain`, the message catalogue :mod:`matcher.i18n` and the
standard library, never :mod:`matcher.pairing` or the solver, so that it
catches their bugs instead of inheriting them.  Each rule is one plain
function; :func:`check_pairing` runs them all and never raises on odd input.

Rules
-----
``unknown-household``, ``unknown-volunteer``, ``not-supported`` (the
household has no one-to-one support), ``duplicate-household``,
``same-volunteer`` (the backup is the primary), ``language``, ``gender``,
``skill``, ``reach`` (``max_travel`` from home), ``availability`` (a weekly
window, or one on a visit date, holds a visit inside the visit times),
``refused`` (refused by the household, or a forbidden pair), ``cap``
(``max_households``, primary and backup both counting).  A pair whose
household or volunteer is unknown takes part in no other rule.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence

from matcher.domain import Household, Problem, SupportPair, VisitFrequency, Volunteer
from matcher.i18n import _


@dataclasses.dataclass(frozen=True, slots=True)
class PairViolation:
    """One broken rule of a pairing: the rule, the household, the volunteer, and why."""

    rule: str
    household_id: str | None
    volunteer_id: str | None
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


@dataclasses.dataclass(frozen=True, slots=True)
class _Role:
    """One volunteer in one role of one pair, both known."""

    household: Household
    volunteer: Volunteer
    role: str


@dataclasses.dataclass
class _Context:
    problem: Problem
    pairs: Sequence[SupportPair]
    roles: list[_Role]
    travel_default: int


_Finding = tuple[str | None, str | None, str]


def _role_word(role: str) -> str:
    return _("primary") if role == "primary" else _("backup")


def _build(problem: Problem, pairs: Sequence[SupportPair], travel_default: int) -> _Context:
    households = {h.id: h for h in problem.households}
    volunteers = {v.id: v for v in problem.volunteers}
    roles = []
    for pair in pairs:
        household = households.get(pair.household_id)
        if household is None:
            continue
        for role, volunteer_id in (("primary", pair.primary_id), ("backup", pair.backup_id)):
            volunteer = volunteers.get(volunteer_id or "")
            if volunteer is not None:
                roles.append(_Role(household, volunteer, role))
    return _Context(problem, pairs, roles, travel_default)


def _unknown_household(ctx: _Context) -> Iterator[_Finding]:
    """Each pair's household is in the dataset."""
    known = {h.id for h in ctx.problem.households}
    for pair in ctx.pairs:
        if pair.household_id not in known:
            yield (
                pair.household_id,
                None,
                _("household {household} is not in the dataset").format(
                    household=pair.household_id
                ),
            )


def _unknown_volunteer(ctx: _Context) -> Iterator[_Finding]:
    """Each named primary and backup is in the dataset."""
    known = {v.id for v in ctx.problem.volunteers}
    for pair in ctx.pairs:
        for volunteer_id in (pair.primary_id, pair.backup_id):
            if volunteer_id is not None and volunteer_id not in known:
                yield (
                    pair.household_id,
                    volunteer_id,
                    _(
                        "volunteer {volunteer} of household {household} is not in the dataset"
                    ).format(volunteer=volunteer_id, household=pair.household_id),
                )


def _not_supported(ctx: _Context) -> Iterator[_Finding]:
    """Only households with one-to-one support are paired."""
    for pair in ctx.pairs:
        household = next((h for h in ctx.problem.households if h.id == pair.household_id), None)
        if household is not None and str(household.support) != "one-to-one":
            yield (
                pair.household_id,
                None,
                _("household {household} has no one-to-one support").format(
                    household=pair.household_id
                ),
            )


def _duplicate_household(ctx: _Context) -> Iterator[_Finding]:
    """A household has one pair."""
    counts = Counter(p.household_id for p in ctx.pairs)
    for household_id, count in sorted(counts.items()):
        if count > 1:
            yield (
                household_id,
                None,
                _("household {household} is paired {count} times").format(
                    household=household_id, count=count
                ),
            )


def _same_volunteer(ctx: _Context) -> Iterator[_Finding]:
    """The backup is never the primary of the same household."""
    for pair in ctx.pairs:
        if pair.backup_id is not None and pair.backup_id == pair.primary_id:
            yield (
                pair.household_id,
                pair.primary_id,
                _(
                    "volunteer {volunteer} is both primary and backup of household {household}"
                ).format(volunteer=pair.primary_id, household=pair.household_id),
            )


def _language(ctx: _Context) -> Iterator[_Finding]:
    """The volunteer speaks one of the household's languages (when it lists any)."""
    for r in ctx.roles:
        wanted = set(r.household.languages)
        if wanted and not wanted & set(r.volunteer.languages):
            yield (
                r.household.id,
                r.volunteer.id,
                _(
                    "{role} {volunteer} speaks none of the languages of household "
                    "{household} ({languages})"
                ).format(
                    role=_role_word(r.role),
                    volunteer=r.volunteer.id,
                    household=r.household.id,
                    languages="、".join(r.household.languages),
                ),
            )


def _gender(ctx: _Context) -> Iterator[_Finding]:
    """The volunteer is of the household's required gender."""
    for r in ctx.roles:
        required = r.household.required_gender
        if required is not None and r.volunteer.gender != required:
            yield (
                r.household.id,
                r.volunteer.id,
                _("{role} {volunteer} is not of the gender household {household} requires").format(
                    role=_role_word(r.role), volunteer=r.volunteer.id, household=r.household.id
                ),
            )


def _skill(ctx: _Context) -> Iterator[_Finding]:
    """The volunteer has each skill the household's support needs, at its level."""
    for r in ctx.roles:
        levels = {s.name: s.level for s in r.volunteer.skills}
        for skill in r.household.skills:
            if levels.get(skill.name, 0) < skill.level:
                yield (
                    r.household.id,
                    r.volunteer.id,
                    _(
                        "{role} {volunteer} lacks the skill {skill} household {household} needs"
                    ).format(
                        role=_role_word(r.role),
                        volunteer=r.volunteer.id,
                        skill=f"{skill.name}:{skill.level}",
                        household=r.household.id,
                    ),
                )


def _minutes_between(ctx: _Context, origin: str, destination: str) -> int:
    """Travel minutes as the travel sheet gives them (either direction), else the default."""
    if not origin or not destination or origin == destination:
        return 0
    forward = backward = None
    for t in ctx.problem.travel:
        if (t.origin, t.destination) == (origin, destination) and forward is None:
            forward = t.minutes
        elif (t.origin, t.destination) == (destination, origin) and backward is None:
            backward = t.minutes
    if forward is not None:
        return forward
    return backward if backward is not None else ctx.travel_default


def _reach(ctx: _Context) -> Iterator[_Finding]:
    """The household lies within the volunteer's ``max_travel`` of their home."""
    for r in ctx.roles:
        limit = r.volunteer.max_travel
        if limit is None or not r.household.area:
            continue
        minutes = _minutes_between(ctx, r.volunteer.home_area, r.household.area)
        if minutes > limit:
            yield (
                r.household.id,
                r.volunteer.id,
                _(
                    "{role} {volunteer} lives {minutes} minutes from household {household}, "
                    "more than their {limit}"
                ).format(
                    role=_role_word(r.role),
                    volunteer=r.volunteer.id,
                    minutes=minutes,
                    household=r.household.id,
                    limit=limit,
                ),
            )


def _holds_a_visit(household: Household, start: int, end: int) -> bool:
    times = household.visit_times or ((0, 24 * 60),)
    return any(min(end, hi) - max(start, lo) >= household.visit_minutes for lo, hi in times)


def _availability(ctx: _Context) -> Iterator[_Finding]:
    """A window of the volunteer holds a visit on a visit day inside the visit times."""
    for r in ctx.roles:
        h = r.household
        windows = [w for w in ctx.problem.availability if w.volunteer_id == r.volunteer.id]
        if h.visit_frequency == VisitFrequency.DATES:
            fits = any(
                (w.date == day or (w.date is None and w.weekday == day.isoweekday()))
                and _holds_a_visit(h, w.start, w.end)
                for day in h.visit_dates
                for w in windows
            )
        else:
            days = set(h.visit_days or range(1, 8))
            fits = any(
                w.weekday in days and _holds_a_visit(h, w.start, w.end)
                for w in windows
                if w.date is None
            )
        if not fits:
            yield (
                h.id,
                r.volunteer.id,
                _(
                    "{role} {volunteer} has no window that holds a visit to household {household}"
                ).format(role=_role_word(r.role), volunteer=r.volunteer.id, household=h.id),
            )


def _refused(ctx: _Context) -> Iterator[_Finding]:
    """The household did not refuse the volunteer, and no forbidden pair keeps them apart."""
    forbidden = {
        (p.volunteer_id, p.household_id)
        for p in ctx.problem.pairs
        if p.forbidden and p.household_id is not None
    }
    for r in ctx.roles:
        if r.volunteer.id in r.household.refused or (r.volunteer.id, r.household.id) in forbidden:
            yield (
                r.household.id,
                r.volunteer.id,
                _("{role} {volunteer} is refused by household {household}").format(
                    role=_role_word(r.role), volunteer=r.volunteer.id, household=r.household.id
                ),
            )


def _cap(ctx: _Context) -> Iterator[_Finding]:
    """A volunteer supports at most ``max_households`` households, as primary or backup."""
    load = Counter(r.volunteer.id for r in ctx.roles)
    for volunteer in ctx.problem.volunteers:
        if load[volunteer.id] > volunteer.max_households:
            yield (
                None,
                volunteer.id,
                _(
                    "volunteer {volunteer} supports {count} households, more than their {limit}"
                ).format(
                    volunteer=volunteer.id, count=load[volunteer.id], limit=volunteer.max_households
                ),
            )


_CHECKS: tuple[tuple[str, Callable[[_Context], Iterable[_Finding]]], ...] = (
    ("unknown-household", _unknown_household),
    ("unknown-volunteer", _unknown_volunteer),
    ("not-supported", _not_supported),
    ("duplicate-household", _duplicate_household),
    ("same-volunteer", _same_volunteer),
    ("language", _language),
    ("gender", _gender),
    ("skill", _skill),
    ("reach", _reach),
    ("availability", _availability),
    ("refused", _refused),
    ("cap", _cap),
)

PAIRING_RULES: tuple[str, ...] = tuple(name for name, _check in _CHECKS)
"""Every rule the pairing checker knows, in the order they are checked."""


def check_pairing(
    problem: Problem, pairs: Sequence[SupportPair], travel_minutes_default: int = 10
) -> list[PairViolation]:
    """Check a pairing against every rule.

    Parameters
    ----------
    problem
        The dataset the pairing was made for.
    pairs
        The pairing, in any order; odd pairs are reported, never raised on.
    travel_minutes_default
        Travel minutes between different places without a travel row.

    Returns
    -------
    list of PairViolation
        Every broken rule, in rule order; empty when the pairing keeps them all.
    """
    ctx = _build(problem, pairs, travel_minutes_default)
    return [
        PairViolation(rule, household_id, volunteer_id, message)
        for rule, check in _CHECKS
        for household_id, volunteer_id, message in check(ctx)
    ]
