"""Early warnings for members behind their points scheme, and the department report.

The early warning follows the party-member points scheme (党员积分制管理)
of the rule version in force on the day seen from: every registered
volunteer of the scheme's memberships whose points in the current period
(month, quarter or year up to that day) are below the warning mark is
listed, even with no record at all, with the year's figures against the
yearly minimum and pass mark and their most recent records.

The department report is for the annual summary meeting: per department,
registered and active volunteers, hours, points, needs served by category,
the no-show rate and the share of active volunteers who are not party
members (participation widened beyond them).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from matcher.domain import Membership, NeedCategory, Volunteer
from matcher.errors import DataError
from matcher.i18n import _
from matcher.ledger.entries import Period, period_around
from matcher.ledger.rules import Rules
from matcher.ledger.scoring import ScoredEntry

__all__ = ["DepartmentReport", "EarlyWarning", "department_report", "early_warnings"]


@dataclasses.dataclass(frozen=True, slots=True)
class EarlyWarning:
    """A member behind the points scheme.

    ``period`` is the warning period (its start to the day seen from);
    ``points``/``hours`` are in that period and ``threshold`` is the
    warning mark; ``year_points``/``year_hours`` count from 1 January to the
    same day, against ``pass_mark`` and ``yearly_min_hours``.  ``recent``
    are the member's last records (of any period), newest first.
    """

    volunteer_id: str
    name: str
    department: str
    membership: Membership
    period: Period
    points: Decimal
    hours: Decimal
    threshold: Decimal
    year_points: Decimal
    year_hours: Decimal
    pass_mark: Decimal
    yearly_min_hours: Decimal
    last_served: dt.date | None
    recent: tuple[ScoredEntry, ...]
    rule_version: str

    @property
    def shortfall(self) -> Decimal:
        """Points still missing to reach the warning mark."""
        return self.threshold - self.points


def early_warnings(
    scored: Sequence[ScoredEntry],
    volunteers: Iterable[Volunteer],
    rules: Rules,
    as_of: dt.date,
    recent: int = 3,
) -> list[EarlyWarning]:
    """Members of the points scheme under its warning mark in the current period.

    Parameters
    ----------
    scored
        From :func:`~matcher.ledger.scoring.score_entries`.
    volunteers
        The registered volunteers (members without any record are warned too).
    rules
        The rules; the version in force on ``as_of`` gives the scheme.
    as_of
        The day seen from: the period runs from the start of its month,
        quarter or year (as the scheme says) to this day.
    recent
        How many of each member's last records to list.

    Returns
    -------
    list of EarlyWarning
        Fewest points first, then by volunteer id.

    Raises
    ------
    DataError
        When no rule version is in force on ``as_of``.
    """
    version = rules.in_force(as_of)
    if version is None:
        raise DataError.at(
            "rules",
            _("no rule version is in force on {date}; the first takes effect on {first}").format(
                date=as_of, first=rules.versions[0].effective_from
            ),
        )
    scheme = version.party
    period = period_around(as_of, scheme.warning_period.value)
    year = period_around(as_of, "year")
    own: dict[str, list[ScoredEntry]] = defaultdict(list)
    for item in scored:
        if item.entry.date <= as_of:
            own[item.entry.volunteer_id].append(item)
    warnings = []
    for volunteer in volunteers:
        if volunteer.membership not in scheme.memberships:
            continue
        items = own[volunteer.id]
        inside = [s for s in items if s.entry.date in period]
        points = sum((s.points for s in inside), Decimal(0))
        if points >= scheme.warning_below_points:
            continue
        this_year = [s for s in items if s.entry.date in year]
        served = [s.entry.date for s in items if s.entry.served]
        latest = sorted(items, key=lambda s: (s.entry.date, s.entry.need_id or ""), reverse=True)
        warnings.append(
            EarlyWarning(
                volunteer_id=volunteer.id,
                name=volunteer.name,
                department=volunteer.department,
                membership=volunteer.membership,
                period=period,
                points=points,
                hours=sum((s.hours for s in inside), Decimal(0)),
                threshold=scheme.warning_below_points,
                year_points=sum((s.points for s in this_year), Decimal(0)),
                year_hours=sum((s.hours for s in this_year), Decimal(0)),
                pass_mark=scheme.pass_mark,
                yearly_min_hours=scheme.yearly_min_hours,
                last_served=max(served) if served else None,
                recent=tuple(latest[:recent]),
                rule_version=version.version,
            )
        )
    warnings.sort(key=lambda w: (w.points, w.volunteer_id))
    return warnings


@dataclasses.dataclass(frozen=True, slots=True)
class DepartmentReport:
    """One department over a period (see :func:`department_report`)."""

    department: str
    registered: int
    active: int
    hours: Decimal
    points: Decimal
    needs_by_category: dict[NeedCategory | None, int]
    records: int
    no_shows: int
    active_non_party: int

    @property
    def no_show_rate(self) -> float:
        """No-shows of all records (0 without records)."""
        return self.no_shows / self.records if self.records else 0.0

    @property
    def non_party_share(self) -> float:
        """Share of the active volunteers who are not party members (0 without any active)."""
        return self.active_non_party / self.active if self.active else 0.0


def department_report(
    scored: Sequence[ScoredEntry],
    volunteers: Iterable[Volunteer],
    period: Period | None = None,
) -> list[DepartmentReport]:
    """Per department: registered vs active volunteers, hours, points, needs, no-shows.

    Parameters
    ----------
    scored
        From :func:`~matcher.ledger.scoring.score_entries`; an entry counts for
        the department recorded on it (where the volunteer was then).
    volunteers
        The registered volunteers (``registered`` counts them by their
        department now).
    period
        Entries dated in it count; None counts all.

    Returns
    -------
    list of DepartmentReport
        By department name; a department with entries but no registered
        volunteer any more is listed too.

    Notes
    -----
    ``active`` counts distinct volunteers who served at least once;
    ``needs_by_category`` counts distinct needs served (an entry without a
    need id counts as its own need); "not party members" are those whose
    membership is neither full nor probationary party member (团员, 入党积极分子
    and 群众), as recorded on their entries.
    """
    registered: dict[str, int] = defaultdict(int)
    for volunteer in volunteers:
        registered[volunteer.department] += 1
    hours: dict[str, Decimal] = defaultdict(Decimal)
    points: dict[str, Decimal] = defaultdict(Decimal)
    records: dict[str, int] = defaultdict(int)
    no_shows: dict[str, int] = defaultdict(int)
    active: dict[str, dict[str, Membership]] = defaultdict(dict)
    needs: dict[str, dict[NeedCategory | None, set[object]]] = defaultdict(lambda: defaultdict(set))
    for item in scored:
        entry = item.entry
        if period is not None and entry.date not in period:
            continue
        department = entry.department
        hours[department] += item.hours
        points[department] += item.points
        records[department] += 1
        if not entry.served:
            no_shows[department] += 1
            continue
        active[department][entry.volunteer_id] = entry.membership
        need = entry.need_id or (entry.volunteer_id, entry.date)
        needs[department][entry.category].add(need)
    reports = []
    for department in sorted(set(registered) | set(records)):
        members = active[department]
        reports.append(
            DepartmentReport(
                department=department,
                registered=registered[department],
                active=len(members),
                hours=hours[department],
                points=points[department],
                needs_by_category={
                    category: len(ids)
                    for category, ids in sorted(
                        needs[department].items(), key=lambda pair: str(pair[0] or "")
                    )
                },
                records=records[department],
                no_shows=no_shows[department],
                active_non_party=sum(1 for m in members.values() if not m.is_party),
            )
        )
    return reports
