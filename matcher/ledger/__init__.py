"""The participation ledger: attendance -> hours, points, stars, rankings, warnings, reports.

The ledger reads what really happened (attendance), never the plan, and
does not care where the records come from: a dataset's history and
attendance files (:func:`matcher.io.ledger.read_ledger_entries`) or the
service's database both give :class:`LedgerEntry` values, and every
function here is pure over them and the volunteers list.  The points rules
are a TOML file of dated versions (:mod:`matcher.ledger.rules`, defaults in
``rules.toml``; documented in ``docs/ledger.md``).

:func:`build_ledger` computes everything for one period in one call; the
pieces are public too.

Modules
-------
entries
    :class:`LedgerEntry` and :class:`Period`.
rules
    The rules file: schema, loading, the version in force on a day.
scoring
    Hours and points of each entry, and totals per group.
standing
    Star levels, rankings, streaks, first-timers, no-show rates.
report
    Early warnings and the department report.
feedback
    The ledger back into the roster (:func:`standing_before`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence

from matcher.domain import Volunteer
from matcher.ledger.entries import LedgerEntry, Period, month_index, period_around, with_volunteers
from matcher.ledger.report import (
    DepartmentReport,
    EarlyWarning,
    department_report,
    early_warnings,
)
from matcher.ledger.rules import Rules, RuleVersion, default_rules, load_rules, rules_from_mapping
from matcher.ledger.scoring import ScoredEntry, Totals, entry_hours, score_entries, totals_by
from matcher.ledger.standing import (
    STAR_HOURS,
    NoShowRate,
    RankRow,
    StarLevel,
    Streak,
    first_timers,
    no_show_rates,
    ranking,
    star_levels,
    streaks,
)

__all__ = [
    "STAR_HOURS",
    "DepartmentReport",
    "EarlyWarning",
    "Ledger",
    "LedgerEntry",
    "NoShowRate",
    "Period",
    "RankRow",
    "RuleVersion",
    "Rules",
    "ScoredEntry",
    "StarLevel",
    "Streak",
    "Totals",
    "build_ledger",
    "default_rules",
    "department_report",
    "early_warnings",
    "entry_hours",
    "first_timers",
    "load_rules",
    "month_index",
    "no_show_rates",
    "period_around",
    "ranking",
    "rules_from_mapping",
    "score_entries",
    "star_levels",
    "streaks",
    "totals_by",
    "with_volunteers",
]


@dataclasses.dataclass(frozen=True, slots=True)
class Ledger:
    """Everything the ledger says about one period.

    ``scored`` holds every entry up to the period's end (stars and streaks
    read the whole past); the other fields are about ``period``, seen from
    ``as_of`` (its last day).
    """

    period: Period
    as_of: dt.date
    scored: tuple[ScoredEntry, ...]
    per_volunteer: dict[str, Totals]
    stars: tuple[StarLevel, ...]
    ranking: tuple[RankRow, ...]
    streaks: dict[str, Streak]
    first_timers: dict[str, dt.date]
    warnings: tuple[EarlyWarning, ...]
    departments: tuple[DepartmentReport, ...]
    no_shows: dict[str, NoShowRate]

    def in_period(self) -> list[ScoredEntry]:
        """The scored entries dated in the period."""
        return [s for s in self.scored if s.entry.date in self.period]


def build_ledger(
    entries: Iterable[LedgerEntry],
    volunteers: Sequence[Volunteer],
    rules: Rules | None = None,
    period: Period | None = None,
) -> Ledger:
    """Score the entries and compute every table of the ledger for a period.

    Parameters
    ----------
    entries
        What happened, from any source (name, department and membership
        missing on an entry are taken from ``volunteers``).
    volunteers
        The registered volunteers (stars, warnings and registered counts
        cover them all, with or without records).
    rules
        The points rules; None uses the defaults shipped with the package.
    period
        The period reported; an open end is the last entry's day (or today
        without entries), an open start the first entry's day.

    Returns
    -------
    Ledger

    Raises
    ------
    DataError
        When an entry is dated before the first rule version.
    """
    rules = rules if rules is not None else default_rules()
    filled = with_volunteers(entries, volunteers)
    period = period or Period()
    as_of = period.end or max((e.date for e in filled), default=dt.date.today())
    start = period.start or min((e.date for e in filled), default=as_of)
    period = Period(start, as_of)
    known = [e for e in filled if e.date <= as_of]
    scored = score_entries(known, rules)
    version = rules.in_force(as_of) or rules.versions[0]
    return Ledger(
        period=period,
        as_of=as_of,
        scored=tuple(scored),
        per_volunteer=totals_by(scored, lambda e: e.volunteer_id, period),
        stars=tuple(star_levels(scored, volunteers, as_of, version.stars.near_next_hours)),
        ranking=tuple(ranking(scored, period)),
        streaks=streaks(known, as_of),
        first_timers=first_timers(known, period),
        warnings=tuple(early_warnings(scored, volunteers, rules, as_of)),
        departments=tuple(department_report(scored, volunteers, period)),
        no_shows=no_show_rates(known, period),
    )
