"""Why a household is unpaired, whom to ask, and how continuous each household's support is.

Unpaired reasons count the volunteers left after each rule of
:data:`~matcher.pairing.rules.RULES`, in that order, with the masks of
:class:`~matcher.pairing.rules.PairingScreen` (the model's own rules), as
:mod:`matcher.explain` does for unmet needs: the first rule that leaves
nobody is the reason ("nobody speaks 粤语"); when compatible volunteers
exist, they are all at their cap (or the one compatible volunteer is the
primary).  Each unpaired household names its nearest volunteers: fewest
rules broken, then least loaded, each with what keeps them out.

Continuity over the term (``weeks`` from the horizon's start): each planned
visit (weekly, fortnightly or on the given dates) goes to the primary when
the primary can make it that day, else to the backup, else to someone else;
per household the share of visits by the primary and the distinct
volunteers met (the reference-carer measure of home care).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import numpy as np

from matcher.domain import Household, Problem, SupportPair, VisitFrequency
from matcher.i18n import N_, _
from matcher.nearest import gender_word
from matcher.pairing.rules import RULE_LABELS, RULES, PairingScreen

NEAREST = 3
"""Volunteers named per unpaired household."""

_FUNNEL: dict[str, str] = {
    "language": N_("nobody speaks the household's language ({languages})"),
    "gender": N_("none of the {before} volunteers left is {gender}"),
    "skill": N_("none of the {before} volunteers left has the skills {skills}"),
    "reach": N_(
        "the {before} volunteers left all live too far away (farther than their "
        "max_travel from {area})"
    ),
    "availability": N_("none of the {before} volunteers left is free at the visit times ({when})"),
    "refused": N_("the household refused the {before} volunteers left"),
    "capacity": N_("the {before} volunteers left take no households (max_households 0)"),
}
"""The reason when a rule leaves nobody, by rule (translated where it is given)."""

_AT_CAP = N_(
    "all {count} compatible volunteers already support as many households as they can "
    "(max_households)"
)
_ONLY_PRIMARY = N_("the one compatible volunteer is the primary")


@dataclasses.dataclass(frozen=True, slots=True)
class NearestVolunteer:
    """A volunteer to ask about an unpaired household, and what keeps them out."""

    volunteer_id: str
    name: str
    codes: tuple[str, ...]
    message: str


@dataclasses.dataclass(frozen=True, slots=True)
class Unpaired:
    """A household with one-to-one support left without a primary or without a backup."""

    household_id: str
    missing: str
    code: str
    reason: str
    compatible: int
    nearest: tuple[NearestVolunteer, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Continuity:
    """One household's visits over the term and who makes them."""

    household_id: str
    primary_id: str | None
    backup_id: str | None
    visits: int
    by_primary: int
    by_backup: int
    by_others: int
    distinct_volunteers: int
    kept: bool
    past_visits: int

    @property
    def primary_share(self) -> float:
        """Share of the term's visits made by the primary (0 without visits)."""
        return self.by_primary / self.visits if self.visits else 0.0


def _when(household: Household) -> str:
    """The visit days and times for a message (``周六 09:00-11:30``)."""
    names = "一二三四五六日"
    if household.visit_frequency == VisitFrequency.DATES:
        days = "、".join(d.isoformat() for d in household.visit_dates)
    else:
        days = "、".join(f"周{names[d - 1]}" for d in household.visit_days) or _("any day")
    times = "、".join(
        f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in household.visit_times
    )
    return f"{days} {times}".strip()


def _funnel_reason(household: Household, broken: dict[str, np.ndarray]) -> tuple[str, str, int]:
    """(code, reason, compatible count): the first rule that leaves nobody, if any."""
    left = np.ones(len(next(iter(broken.values()))), dtype=bool)
    for rule in RULES:
        before = int(left.sum())
        left &= ~broken[rule]
        if not left.any():
            values = {
                "before": before,
                "languages": "、".join(household.languages),
                "gender": gender_word(household.required_gender),
                "skills": "、".join(
                    s.name if s.level == 1 else f"{s.name}:{s.level}" for s in household.skills
                ),
                "area": household.area,
                "when": _when(household),
            }
            return rule, _(_FUNNEL[rule]).format(**values), 0
    return "", "", int(left.sum())


def unpaired_households(
    problem: Problem, pairs: Sequence[SupportPair], screen: PairingScreen
) -> list[Unpaired]:
    """Every household with one-to-one support lacking a primary or a backup, and why.

    Parameters
    ----------
    problem
        The dataset.
    pairs
        The pairing.
    screen
        The rules over ``problem`` (the model's).

    Returns
    -------
    list of Unpaired
        In household order; ``missing`` is ``primary`` (nobody) or ``backup``.
    """
    by_household = {p.household_id: p for p in pairs}
    load = np.zeros(len(problem.volunteers), dtype=np.int64)
    index = problem.volunteer_index
    for p in pairs:
        for v in (p.primary_id, p.backup_id):
            if v in index:
                load[index[v]] += 1
    full = load >= screen.max_households
    found = []
    for household in problem.households:
        pair = by_household.get(household.id)
        if not household.one_to_one or (pair is not None and pair.backup_id):
            continue
        broken = screen.broken(household)
        code, reason, compatible = _funnel_reason(household, broken)
        missing = "primary" if pair is None else "backup"
        if not code:
            if missing == "backup" and compatible == 1:
                code, reason = "only_primary", _(_ONLY_PRIMARY)
            else:
                code, reason = "cap", _(_AT_CAP).format(count=compatible)
        taken = {index[pair.primary_id]} if pair is not None and pair.primary_id in index else set()
        nearest = _nearest(problem, broken, full, load, taken)
        found.append(Unpaired(household.id, missing, code, reason, compatible, nearest))
    return found


def _nearest(
    problem: Problem,
    broken: dict[str, np.ndarray],
    full: np.ndarray,
    load: np.ndarray,
    taken: set[int],
) -> tuple[NearestVolunteer, ...]:
    """The volunteers fewest rules (or a full cap) away, least loaded first."""
    short = sum(mask.astype(np.int64) for mask in broken.values()) + full.astype(np.int64)
    order = np.lexsort((np.arange(len(short)), load, short))
    out = []
    for v in order.tolist():
        if v in taken:
            continue
        codes = [rule for rule in RULES if broken[rule][v]]
        notes = [_(RULE_LABELS[rule]) for rule in codes]
        if full[v]:
            codes.append("cap")
            notes.append(
                _("already supports {count} households (max_households {limit})").format(
                    count=int(load[v]), limit=problem.volunteers[v].max_households
                )
            )
        volunteer = problem.volunteers[v]
        message = _("; ").join(notes) if notes else _("compatible and has room")
        out.append(NearestVolunteer(volunteer.id, volunteer.name, tuple(codes), message))
        if len(out) == NEAREST:
            break
    return tuple(out)


def visit_dates(household: Household, start: dt.date, weeks: int) -> list[list[dt.date]]:
    """The term's visits of a household: for each, the days it may happen on (in order)."""
    end = start + dt.timedelta(weeks=weeks)
    if household.visit_frequency == VisitFrequency.DATES:
        return [[day] for day in household.visit_dates if start <= day < end]
    step = 2 if household.visit_frequency == VisitFrequency.FORTNIGHTLY else 1
    days = household.visit_days or tuple(range(1, 8))
    visits = []
    for week in range(0, weeks, step):
        first = start + dt.timedelta(weeks=week)
        week_days = [first + dt.timedelta(days=k) for k in range(7)]
        visits.append(sorted((d for d in week_days if d.isoweekday() in days), key=_weekday_order))
    return visits


def _weekday_order(day: dt.date) -> int:
    return day.isoweekday()


def continuity(
    problem: Problem,
    pairs: Sequence[SupportPair],
    screen: PairingScreen,
    weeks: int,
    previous: Sequence[SupportPair] = (),
) -> list[Continuity]:
    """Who makes each household's visits over the term (see the module notes).

    Parameters
    ----------
    problem
        The dataset (the term starts on its horizon's first day).
    pairs
        The pairing.
    screen
        The rules over ``problem`` (windows, blackouts, past visits).
    weeks
        Length of the term.
    previous
        The previous pairing: ``kept`` says whether the primary stayed.

    Returns
    -------
    list of Continuity
        One per household with one-to-one support, in household order.
    """
    by_household = {p.household_id: p for p in pairs}
    before = {p.household_id: p.primary_id for p in previous}
    index = problem.volunteer_index
    out = []
    for household in problem.households:
        if not household.one_to_one:
            continue
        pair = by_household.get(household.id)
        primary = index.get(pair.primary_id) if pair else None
        backup = index.get(pair.backup_id or "") if pair else None
        counts = {"primary": 0, "backup": 0, "others": 0}
        for days in visit_dates(household, problem.horizon.start, weeks):
            counts[_who(screen, household, days, primary, backup)] += 1
        visits = sum(counts.values())
        met = (counts["primary"] > 0) + (counts["backup"] > 0) + counts["others"]
        out.append(
            Continuity(
                household_id=household.id,
                primary_id=pair.primary_id if pair else None,
                backup_id=pair.backup_id if pair else None,
                visits=visits,
                by_primary=counts["primary"],
                by_backup=counts["backup"],
                by_others=counts["others"],
                distinct_volunteers=int(met),
                kept=pair is not None and before.get(household.id) == pair.primary_id,
                past_visits=screen.past_visits(household.id, primary) if primary is not None else 0,
            )
        )
    return out


def _who(
    screen: PairingScreen,
    household: Household,
    days: Sequence[dt.date],
    primary: int | None,
    backup: int | None,
) -> str:
    """Who makes one visit: the primary on a day they can, else the backup, else others."""
    for role, volunteer in (("primary", primary), ("backup", backup)):
        if volunteer is not None and any(screen.free_on(volunteer, household, d) for d in days):
            return role
    return "others"


def continuity_summary(rows: Sequence[Continuity]) -> dict[str, float | int]:
    """The term over the paired households: visits, share by the primary, distinct volunteers.

    Unpaired households' visits are counted apart (``visits_unpaired``): they
    have no primary to measure.
    """
    paired = [r for r in rows if r.primary_id]
    visits = sum(r.visits for r in paired)
    with_visits = [r for r in paired if r.visits]
    return {
        "households": len(rows),
        "paired": len(paired),
        "visits": visits,
        "by_primary": sum(r.by_primary for r in paired),
        "by_backup": sum(r.by_backup for r in paired),
        "by_others": sum(r.by_others for r in paired),
        "visits_unpaired": sum(r.visits for r in rows if not r.primary_id),
        "primary_share": round(sum(r.by_primary for r in paired) / visits, 4) if visits else 0.0,
        "mean_distinct_volunteers": round(
            sum(r.distinct_volunteers for r in with_visits) / len(with_visits), 3
        )
        if with_visits
        else 0.0,
        "primaries_kept": sum(r.kept for r in rows),
    }
