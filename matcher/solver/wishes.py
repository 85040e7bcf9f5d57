"""Household wishes: a preferred gender or a dialect, kept wherever they cost no coverage.

A household may ask for a volunteer of one gender (``preferred_gender``) or
one who speaks its language (``languages`` other than 普通话, which everyone
is taken to speak).  These are wishes, not rules: a need of the household
may be staffed without them.  The solver counts them in a stage of their own
between coverage and the soft rules (``SolverParams.wishes_stage``), so a
wish wins whenever a matching volunteer is free and coverage is not lost;
:func:`unmet_wishes` says, for every wish a staffed need still misses, why.

The one definition of "meets a wish" lives here: the wishes stage, the
``household_preference`` soft term and the explanations all read it.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from matcher.domain import Assignment, Gender, Household, Problem, Volunteer
from matcher.eligibility import Eligibility
from matcher.i18n import _, ngettext
from matcher.result import Reason, Status, UnmetWish
from matcher.timing import Bookings

COMMON_LANGUAGE = "普通话"
"""Spoken by everyone as far as wishes go: asking for it asks for nothing."""

# The spreadsheet's words for a gender (the reader's alias table says the same).
_GENDER_WORD = {Gender.FEMALE: "女", Gender.MALE: "男"}

NAMED = 3
"""Volunteers or needs named in one reason at most (a coordinator calls a few)."""


@dataclasses.dataclass(frozen=True)
class Wish:
    """One wish of a household: a gender, or any of a set of languages."""

    kind: str
    """``gender`` or ``language``."""
    wish: str
    """In the spreadsheet's words: ``女``, or the languages joined by ``、``."""
    gender: Gender | None = None
    languages: frozenset[str] = frozenset()

    def met_by(self, volunteer: Volunteer) -> bool:
        """Whether ``volunteer`` meets this wish."""
        if self.gender is not None:
            return volunteer.gender == self.gender
        return bool(self.languages & set(volunteer.languages))


def household_wishes(household: Household) -> list[Wish]:
    """A household's wishes: its preferred gender, then its languages (other than 普通话)."""
    wishes = []
    if household.preferred_gender is not None:
        gender = household.preferred_gender
        wishes.append(Wish("gender", _GENDER_WORD.get(gender, str(gender)), gender=gender))
    languages = [lang for lang in household.languages if lang != COMMON_LANGUAGE]
    if languages:
        wishes.append(Wish("language", "、".join(languages), languages=frozenset(languages)))
    return wishes


def wish_counts(problem: Problem, elig: Eligibility) -> np.ndarray:
    """Per eligible pair, how many wishes of the need's household the volunteer meets (0-2).

    Each wish counts once per assignment: a woman who speaks 柳州话 on a need
    of a household asking for both counts 2.
    """
    counts = np.zeros(elig.size, dtype=np.int64)
    households = problem.household_by_id
    wishes_of: dict[str, list[Wish]] = {}
    for n, need in enumerate(problem.needs):
        h = need.household_id
        if h is None or h not in households:
            continue
        if h not in wishes_of:
            wishes_of[h] = household_wishes(households[h])
        if not wishes_of[h]:
            continue
        for p in elig.pairs_of_need(n).tolist():
            volunteer = problem.volunteers[int(elig.volunteer[p])]
            counts[p] = sum(wish.met_by(volunteer) for wish in wishes_of[h])
    return counts


def unmet_wishes(
    problem: Problem,
    elig: Eligibility,
    roster: Sequence[Assignment],
    travel_default: int,
    stage: Status | None,
) -> tuple[UnmetWish, ...]:
    """Every wish that no volunteer on a staffed need of its household meets, and why.

    Needs nobody staffs are left out: :func:`matcher.explain.explain_unmet`
    already says why, and a wish without a visit is moot.

    Parameters
    ----------
    problem, elig
        The problem and the eligible pairs of the model that made ``roster``.
    roster
        The roster's assignments.
    travel_default
        Travel minutes between different places not in the travel sheet.
    stage
        How the wishes stage ended: None when it is switched off, OPTIMAL
        when proven (then a matching volunteer left off would have cost
        coverage or another wish), anything else when it was cut short.

    Returns
    -------
    tuple of UnmetWish
        In the problem's order of needs, the gender wish before the language one.
    """
    households = problem.household_by_id
    team: dict[int, set[int]] = defaultdict(set)
    start_of: dict[int, int | None] = {}
    bookings = Bookings(problem, travel_default)
    for a in roster:
        n, v = problem.need_index[a.need_id], problem.volunteer_index[a.volunteer_id]
        team[n].add(v)
        start_of[n] = a.start
        p = elig.pair_index.get((v, n))
        extra = int(elig.extra_minutes[p]) if p is not None else 0
        bookings.take(v, problem.needs[n], a.start, extra)
    out = []
    for n in sorted(team):
        need = problem.needs[n]
        if need.household_id is None or need.household_id not in households:
            continue
        wishes = household_wishes(households[need.household_id])
        members = [problem.volunteers[v] for v in team[n]]
        met = [wish for wish in wishes if any(wish.met_by(m) for m in members)]
        for wish in wishes:
            if wish in met:
                continue
            # A full team meeting the household's other wish: the stage had a tie to break.
            other = [w.wish for w in met] if len(members) >= need.max_volunteers else []
            reasons = _why_unmet(problem, elig, n, wish, bookings, start_of.get(n), stage, other)
            out.append(UnmetWish(need.household_id, need.id, wish.kind, wish.wish, reasons))
    return tuple(out)


def _named(ids: Sequence[str]) -> str:
    shown = "、".join(ids[:NAMED])
    if len(ids) <= NAMED:
        return shown
    return _("{names} and {count} more").format(names=shown, count=len(ids) - NAMED)


def _why_unmet(
    problem: Problem,
    elig: Eligibility,
    n: int,
    wish: Wish,
    bookings: Bookings,
    start: int | None,
    stage: Status | None,
    other: Sequence[str] = (),
) -> tuple[Reason, ...]:
    """Where the volunteers who meet ``wish`` and could serve need ``n`` were instead.

    ``other`` names the household's other wishes that the need's full team meets.
    """
    need = problem.needs[n]
    busy: dict[str, list[str]] = {}
    capped: list[str] = []
    free: list[str] = []
    for p in elig.pairs_of_need(n).tolist():
        v = int(elig.volunteer[p])
        volunteer = problem.volunteers[v]
        if not wish.met_by(volunteer):
            continue
        clash = bookings.clashing(v, need, start)
        if clash:
            busy[volunteer.id] = [problem.needs[c].id for c in clash]
        elif not bookings.within_caps(v, need, int(elig.extra_minutes[p])):
            capped.append(volunteer.id)
        else:
            free.append(volunteer.id)
    if not (busy or capped or free):
        text = _("no volunteer with {wish} was qualified and available for {need}").format(
            wish=wish.wish, need=need.id
        )
        return (Reason("none_qualified", text, 0),)
    reasons = []
    if busy:
        needs = sorted({c for cs in busy.values() for c in cs}, key=problem.need_index.__getitem__)
        who = _named(sorted(busy, key=problem.volunteer_index.__getitem__))
        if stage == Status.OPTIMAL:
            text = _(
                "kept for coverage of {needs}: the volunteers with {wish} ({who}) "
                "serve there at the same time, and moving one would cost coverage, another "
                "wish or a team rule"
            ).format(needs=_named(needs), wish=wish.wish, who=who)
            reasons.append(Reason("kept_for_coverage", text, len(busy)))
        else:
            text = _("the volunteers with {wish} ({who}) serve {needs} at the same time").format(
                wish=wish.wish, who=who, needs=_named(needs)
            )
            reasons.append(Reason("busy", text, len(busy)))
    if capped:
        text = _("the volunteers with {wish} ({who}) reached their shift or hour cap").format(
            wish=wish.wish, who=_named(capped)
        )
        reasons.append(Reason("cap", text, len(capped)))
    if free:
        reasons.append(_free_reason(free, wish, need.id, stage, other))
    return tuple(reasons)


def _free_reason(
    free: Sequence[str], wish: Wish, need_id: str, stage: Status | None, other: Sequence[str]
) -> Reason:
    """Why the free volunteers ``free`` who meet ``wish`` are not on need ``need_id``."""
    fields = {
        "who": _named(free),
        "wish": wish.wish,
        "need": need_id,
        "other": "、".join(other),
    }
    count = len(free)
    if stage is None:
        text = ngettext(
            "{who} with {wish} was free; the soft rules scored the team as it is "
            "higher (the wishes stage is off)",
            "{who} with {wish} were free; the soft rules scored the team as it is "
            "higher (the wishes stage is off)",
            count,
        )
        return Reason("soft_rules", text.format(**fields), count)
    if stage == Status.OPTIMAL and other:
        text = ngettext(
            "{who} with {wish} was free, but the team of {need} is full and "
            "meets the household's other wish ({other}) instead; each wish counts the same",
            "{who} with {wish} were free, but the team of {need} is full and "
            "meets the household's other wish ({other}) instead; each wish counts the same",
            count,
        )
        return Reason("other_wish", text.format(**fields), count)
    if stage == Status.OPTIMAL:
        text = ngettext(
            "{who} with {wish} was free, but the team of {need} has no place for "
            "them: its size, lead, departments, languages or pins need the members it has",
            "{who} with {wish} were free, but the team of {need} has no place for "
            "them: its size, lead, departments, languages or pins need the members it has",
            count,
        )
        return Reason("team_rules", text.format(**fields), count)
    text = ngettext(
        "{who} with {wish} was free; the run ended before the wishes stage did",
        "{who} with {wish} were free; the run ended before the wishes stage did",
        count,
    )
    return Reason("out_of_time", text.format(**fields), count)
