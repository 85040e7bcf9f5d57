"""Independent checker of every hard rule of a roster.

The checker re-reads the rules from ``docs/data-format.md`` and tests a roster
against them one rule at a time.  It deliberately shares no code with the
solver or the eligibility filter (it imports only :mod:`matcher.domain`,
:mod:`matcher.calendar`, the message catalogue :mod:`matcher.i18n`, which
knows no rule, and the standard library): its job is to catch their bugs, so
it must not inherit them.  Each rule is one plain function named after the
rule; :func:`check_roster` runs them all and never raises on odd input (a
``None`` time on a timed need is a ``timing`` violation, not a crash).
Over 500 lines on purpose: one plain function per hard rule, none shared.

How a roster row is read
------------------------
* A row whose need or volunteer is unknown is reported (``unknown-need``,
  ``unknown-volunteer``) and takes no part in any other rule.
* When the same volunteer appears more than once on one need
  (``duplicate-assignment``) only the first row counts for every other rule,
  so a duplicate is not also counted twice for staffing, shifts or hours.
* The date and times a row claims are what the volunteer would actually do,
  so the rules about the volunteer's day (service day, make-up day,
  availability, overlap) use them; ``timing`` compares them with the need.
  A timed-need row without a usable date falls back to the need's date; a row
  without usable times (missing, or end not after start) is reported by
  ``timing`` and skipped by the rules that need times (the window check of
  ``availability`` and ``overlap``).
* Rows of untimed needs must carry no date and no times (``timing``).

Rules
-----
``unknown-need``, ``unknown-volunteer``, ``duplicate-assignment``, ``timing``,
``service-day``, ``makeup-day``, ``skill``, ``department``, ``gender``,
``max-travel`` (near home), ``availability``, ``forbidden``, ``overlap``
(includes travel time),
``max-shifts``, ``max-hours`` (need durations plus pair extra minutes),
``staffing``, ``must-cover``, ``lead``, ``joint-departments``, ``language``,
``lead-role``, ``pin``.  :data:`RULES` lists them in this order; what each one
means exactly is in the docstring of the function of the same name below.
A violation about one row carries its need and volunteer id; a team rule
(staffing, must-cover, lead, joint-departments, language, two leads) carries
only the need id; a budget rule (max-shifts, max-hours) only the volunteer id.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import numbers
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

from matcher.calendar import weekday_number
from matcher.domain import (
    Assignment,
    AssignmentRole,
    AvailabilityWindow,
    Gender,
    Need,
    Pair,
    Problem,
    Role,
    Volunteer,
    format_minutes,
)
from matcher.i18n import N_, _, ngettext


@dataclasses.dataclass(frozen=True, slots=True)
class Violation:
    """One broken hard rule.

    Attributes
    ----------
    rule
        Rule name, one of :data:`RULES`.
    need_id
        The need concerned, or ``None`` for a rule about a volunteer alone.
    volunteer_id
        The volunteer concerned, or ``None`` for a rule about a whole team.
    message
        Sentence naming the ids, dates, times and limits involved, in the
        language in force when the roster was checked (:mod:`matcher.i18n`).
    """

    rule: str
    need_id: str | None
    volunteer_id: str | None
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


# What a rule function yields: (need_id, volunteer_id, message).
_Finding = tuple[str | None, str | None, str]


# ---------------------------------------------------------------------------
# Reading odd input without raising
# ---------------------------------------------------------------------------


def _as_date(value: object) -> dt.date | None:
    """A plain date from a roster cell, or None when it is not a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _as_minutes(value: object) -> int | None:
    """Whole minutes after midnight from a roster cell, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _show_date(value: object) -> str:
    """A date for messages (``2026-09-26``; ``no date`` for None)."""
    day = _as_date(value)
    if day is not None:
        return day.isoformat()
    if value is None:
        return _("no date")
    return repr(value)


def _show_time(value: object) -> str:
    """A time of day for messages (``09:00``; ``missing`` for None)."""
    minutes = _as_minutes(value)
    if minutes is not None:
        return format_minutes(minutes)
    if value is None:
        return _("missing")
    return repr(value)


def _show_span(start: int, end: int) -> str:
    return f"{format_minutes(start)}-{format_minutes(end)}"


def _sort_text(value: object) -> str:
    return "" if value is None else str(value)


# ---------------------------------------------------------------------------
# The roster as the rules see it
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _Row:
    """A roster row whose need and volunteer are both known."""

    assignment: Assignment
    need: Need
    volunteer: Volunteer

    @property
    def day(self) -> dt.date | None:
        """Date the row claims, else the need's date (None for untimed needs)."""
        if not self.need.is_timed:
            return None
        return _as_date(self.assignment.date) or self.need.date

    @property
    def times(self) -> tuple[int, int] | None:
        """(start, end) the row claims, or None if missing or end <= start."""
        start = _as_minutes(self.assignment.start)
        end = _as_minutes(self.assignment.end)
        if start is None or end is None or end <= start:
            return None
        return start, end

    @property
    def is_lead(self) -> bool:
        return self.assignment.role == AssignmentRole.LEAD


@dataclasses.dataclass
class _Context:
    """Everything the rule functions read, indexed once."""

    problem: Problem
    roster: tuple[Assignment, ...]
    travel_default: int
    rows: list[_Row] = dataclasses.field(default_factory=list)
    rows_by_need: dict[str, list[_Row]] = dataclasses.field(
        default_factory=lambda: defaultdict(list)
    )
    rows_by_volunteer: dict[str, list[_Row]] = dataclasses.field(
        default_factory=lambda: defaultdict(list)
    )
    windows_by_volunteer: dict[str, list[AvailabilityWindow]] = dataclasses.field(
        default_factory=lambda: defaultdict(list)
    )
    pairs_by_volunteer: dict[str, list[Pair]] = dataclasses.field(
        default_factory=lambda: defaultdict(list)
    )
    blackouts: set[tuple[str, dt.date]] = dataclasses.field(default_factory=set)
    service_days: frozenset[dt.date] = frozenset()
    makeup_days: frozenset[dt.date] = frozenset()


def _build_context(problem: Problem, roster: Sequence[Assignment], travel_default: int) -> _Context:
    ctx = _Context(problem=problem, roster=tuple(roster), travel_default=travel_default)
    needs = {n.id: n for n in problem.needs}
    volunteers = {v.id: v for v in problem.volunteers}
    seen: set[tuple[object, object]] = set()
    for a in ctx.roster:
        need = needs.get(a.need_id)
        volunteer = volunteers.get(a.volunteer_id)
        if need is None or volunteer is None or (a.need_id, a.volunteer_id) in seen:
            continue
        seen.add((a.need_id, a.volunteer_id))
        row = _Row(assignment=a, need=need, volunteer=volunteer)
        ctx.rows.append(row)
        ctx.rows_by_need[need.id].append(row)
        ctx.rows_by_volunteer[volunteer.id].append(row)
    for window in problem.availability:
        ctx.windows_by_volunteer[window.volunteer_id].append(window)
    for pair in problem.pairs:
        ctx.pairs_by_volunteer[pair.volunteer_id].append(pair)
    ctx.blackouts = {(b.volunteer_id, b.date) for b in problem.blackouts}
    ctx.service_days = frozenset(problem.horizon.service_days)
    ctx.makeup_days = frozenset(problem.horizon.makeup_days)
    return ctx


def _pair_applies(pair: Pair, need: Need) -> bool:
    """True when a pair row is about this need or about its household."""
    if pair.need_id is not None and pair.need_id == need.id:
        return True
    return pair.household_id is not None and pair.household_id == need.household_id


def _forbidden_message(pair: Pair, need: Need, volunteer_id: str) -> str:
    if pair.need_id is not None and pair.need_id == need.id:
        return _("a forbidden pair row excludes volunteer {volunteer} from need {need}").format(
            volunteer=volunteer_id, need=need.id
        )
    return _(
        "a forbidden pair row excludes volunteer {volunteer} from household {household} "
        "(need {need})"
    ).format(volunteer=volunteer_id, household=pair.household_id, need=need.id)


def _window_applies(
    window: AvailabilityWindow, day: dt.date, service_days: frozenset[dt.date]
) -> bool:
    """A dated window applies on its date; a weekday window on matching service days."""
    if window.date is not None:
        return window.date == day
    return window.weekday == weekday_number(day) and day in service_days


def _start_range(need: Need) -> tuple[int, int] | None:
    """(earliest, latest) start of a timed need, None if the need has no times."""
    if need.date is None or need.start is None or need.end is None:
        return None
    return need.start, need.end - need.duration


def _names(items: Iterable[str]) -> str:
    return ", ".join(items)


_GENDERS = {Gender.MALE: N_("male"), Gender.FEMALE: N_("female")}


def _gender_word(gender: Gender) -> str:
    return _(_GENDERS[gender]) if gender in _GENDERS else str(gender.value)


# ---------------------------------------------------------------------------
# Rules, one function each
# ---------------------------------------------------------------------------


def _unknown_need(ctx: _Context) -> Iterator[_Finding]:
    """Every roster row names a need of the problem."""
    known = {n.id for n in ctx.problem.needs}
    for a in ctx.roster:
        if a.need_id not in known:
            yield (
                a.need_id,
                a.volunteer_id,
                _("roster row names unknown need {need!r}").format(need=a.need_id),
            )


def _unknown_volunteer(ctx: _Context) -> Iterator[_Finding]:
    """Every roster row names a volunteer of the problem."""
    known = {v.id for v in ctx.problem.volunteers}
    for a in ctx.roster:
        if a.volunteer_id not in known:
            yield (
                a.need_id,
                a.volunteer_id,
                _("roster row names unknown volunteer {volunteer!r}").format(
                    volunteer=a.volunteer_id
                ),
            )


def _duplicate_assignment(ctx: _Context) -> Iterator[_Finding]:
    """A volunteer appears at most once on a need (one finding per repeated pair)."""
    counts = Counter((a.need_id, a.volunteer_id) for a in ctx.roster)
    for (need_id, volunteer_id), count in counts.items():
        if count > 1:
            yield (
                need_id,
                volunteer_id,
                _(
                    "volunteer {volunteer} is on need {need} {count} times; "
                    "only the first row is counted"
                ).format(volunteer=volunteer_id, need=need_id, count=count),
            )


def _timing(ctx: _Context) -> Iterator[_Finding]:
    """Rows follow the need's timing.

    Timed need: the row's date is the need's date, ``end - start`` is the
    need's duration and the start lies in ``[need.start, need.latest_start]``
    (exactly ``need.start`` for a fixed need); all volunteers of a flexible
    need share one start.  Untimed need: the row has no date and no times.
    """
    for row in ctx.rows:
        yield from _timing_of_row(row)
    for need_id, rows in ctx.rows_by_need.items():
        yield from _shared_start(need_id, rows)


def _timing_of_row(row: _Row) -> Iterator[_Finding]:
    need, a = row.need, row.assignment
    nid, vid = need.id, row.volunteer.id
    if not need.is_timed:
        given = [
            shown
            for value, shown in (
                (a.date, _("date {date}").format(date=_show_date(a.date))),
                (a.start, _("start {time}").format(time=_show_time(a.start))),
                (a.end, _("end {time}").format(time=_show_time(a.end))),
            )
            if value is not None
        ]
        if given:
            yield (
                nid,
                vid,
                _(
                    "need {need} is untimed, but volunteer {volunteer}'s row gives {given}; "
                    "rows of untimed needs carry no date or times"
                ).format(need=nid, volunteer=vid, given=_names(given)),
            )
        return
    if _as_date(a.date) != need.date:
        if a.date is None:
            text = _("need {need} is on {date}, but volunteer {volunteer}'s row has no date")
        else:
            text = _("need {need} is on {date}, but volunteer {volunteer}'s row says {claimed}")
        yield (
            nid,
            vid,
            text.format(
                need=nid, date=_show_date(need.date), volunteer=vid, claimed=_show_date(a.date)
            ),
        )
    start, end = _as_minutes(a.start), _as_minutes(a.end)
    if start is None or end is None:
        yield (
            nid,
            vid,
            _(
                "volunteer {volunteer}'s row on timed need {need} lacks a usable start or end "
                "time (start {start}, end {end})"
            ).format(volunteer=vid, need=nid, start=_show_time(a.start), end=_show_time(a.end)),
        )
        return
    if end - start != need.duration:
        yield (
            nid,
            vid,
            _(
                "volunteer {volunteer} works {span} ({minutes} minutes) on "
                "need {need}, which takes {duration} minutes"
            ).format(
                volunteer=vid,
                span=_show_span(start, end),
                minutes=end - start,
                need=nid,
                duration=need.duration,
            ),
        )
    yield from _start_in_range(row, start)


def _start_in_range(row: _Row, start: int) -> Iterator[_Finding]:
    """A row of a timed need starts in the need's range of starts."""
    need, nid, vid = row.need, row.need.id, row.volunteer.id
    window = _start_range(need)
    if window is None:
        return
    earliest, latest = window
    if not earliest <= start <= latest:
        if earliest == latest:
            text = _(
                "volunteer {volunteer} starts need {need} at {start}, "
                "but the need must start at {earliest}"
            )
        elif latest < earliest:
            text = _(
                "volunteer {volunteer} starts need {need} at {start}, "
                "but the need cannot fit its {duration} minutes into {need_start}-{need_end}"
            )
        else:
            text = _(
                "volunteer {volunteer} starts need {need} at {start}, "
                "but the need must start between {earliest} and {latest}"
            )
        yield (
            nid,
            vid,
            text.format(
                volunteer=vid,
                need=nid,
                start=format_minutes(start),
                earliest=format_minutes(earliest),
                latest=format_minutes(max(earliest, latest)),
                duration=need.duration,
                need_start=_show_time(need.start),
                need_end=_show_time(need.end),
            ),
        )


def _shared_start(need_id: str, rows: list[_Row]) -> Iterator[_Finding]:
    """All volunteers of a flexible need start together (at the most common start)."""
    window = _start_range(rows[0].need)
    if window is None or window[1] <= window[0]:
        return  # untimed or fixed: the per-row check already pins the start
    starts = {
        row.volunteer.id: start
        for row in rows
        if (start := _as_minutes(row.assignment.start)) is not None
    }
    if len(set(starts.values())) <= 1:
        return
    counts = Counter(starts.values())
    team_start = max(counts, key=lambda s: (counts[s], -s))
    for vid, start in starts.items():
        if start != team_start:
            yield (
                need_id,
                vid,
                _(
                    "volunteer {volunteer} starts flexible need {need} at {start}, "
                    "but the rest of the team starts at {team_start}; "
                    "a team starts together"
                ).format(
                    volunteer=vid,
                    need=need_id,
                    start=format_minutes(start),
                    team_start=format_minutes(team_start),
                ),
            )


def _service_day(ctx: _Context) -> Iterator[_Finding]:
    """A timed need's row falls on a service day of the horizon."""
    for row in ctx.rows:
        day = row.day
        if day is not None and day not in ctx.service_days:
            yield (
                row.need.id,
                row.volunteer.id,
                _(
                    "volunteer {volunteer} serves need {need} on "
                    "{date}, which is not a service day of the horizon"
                ).format(volunteer=row.volunteer.id, need=row.need.id, date=day.isoformat()),
            )


def _makeup_day(ctx: _Context) -> Iterator[_Finding]:
    """Students are never rostered on a make-up workday (调休), even an extra service day."""
    for row in ctx.rows:
        day = row.day
        if row.volunteer.role == Role.STUDENT and day is not None and day in ctx.makeup_days:
            yield (
                row.need.id,
                row.volunteer.id,
                _(
                    "student {volunteer} is rostered on need {need} on "
                    "{date}, a make-up workday (students are in class)"
                ).format(volunteer=row.volunteer.id, need=row.need.id, date=day.isoformat()),
            )


def _skill(ctx: _Context) -> Iterator[_Finding]:
    """The volunteer has every skill of the need at least at the need's level."""
    for row in ctx.rows:
        for skill in row.need.skills:
            level = row.volunteer.skill_level(skill.name)
            if level < skill.level:
                if level:
                    text = _(
                        "need {need} asks for skill {skill} at level {level}; "
                        "volunteer {volunteer} has level {has}"
                    )
                else:
                    text = _(
                        "need {need} asks for skill {skill} at level {level}; "
                        "volunteer {volunteer} has none"
                    )
                yield (
                    row.need.id,
                    row.volunteer.id,
                    text.format(
                        need=row.need.id,
                        skill=skill.name,
                        level=skill.level,
                        volunteer=row.volunteer.id,
                        has=level,
                    ),
                )


def _department(ctx: _Context) -> Iterator[_Finding]:
    """A need that lists departments takes only volunteers of those departments."""
    for row in ctx.rows:
        accepted = row.need.departments
        if accepted and row.volunteer.department not in accepted:
            yield (
                row.need.id,
                row.volunteer.id,
                _(
                    "need {need} accepts only departments {departments}; "
                    "volunteer {volunteer} is from {department}"
                ).format(
                    need=row.need.id,
                    departments=_names(accepted),
                    volunteer=row.volunteer.id,
                    department=row.volunteer.department,
                ),
            )


def _gender(ctx: _Context) -> Iterator[_Finding]:
    """A need with a required gender takes only volunteers of that gender."""
    for row in ctx.rows:
        wanted = row.need.required_gender
        if wanted is not None and row.volunteer.gender != wanted:
            if row.volunteer.gender:
                text = _(
                    "need {need} requires {gender} volunteers; volunteer {volunteer} has {has}"
                )
            else:
                text = _(
                    "need {need} requires {gender} volunteers; "
                    "volunteer {volunteer} has no recorded gender"
                )
            yield (
                row.need.id,
                row.volunteer.id,
                text.format(
                    need=row.need.id,
                    gender=_gender_word(wanted),
                    volunteer=row.volunteer.id,
                    has=_gender_word(row.volunteer.gender) if row.volunteer.gender else "",
                ),
            )


def _need_area(ctx: _Context, need: Need) -> str:
    """Where a need is for the near-home rule, as docs/data-format.md defines it."""
    household = ctx.problem.household_by_id.get(need.household_id or "")
    if household is not None and household.area:
        return household.area
    return need.area or need.location


def _max_travel(ctx: _Context) -> Iterator[_Finding]:
    """A volunteer with ``max_travel`` serves only needs near their home.

    Travel minutes run from the volunteer's ``home_area`` to the need's area
    (its household's area when the household has one, else the need's area,
    else its location), read from the travel rows in that direction; two
    different places without a row take ``travel_minutes_default``; an empty
    home or need area, or the same place, is 0 minutes.
    """
    for row in ctx.rows:
        limit = row.volunteer.max_travel
        if limit is None:
            continue
        home, area = row.volunteer.home_area, _need_area(ctx, row.need)
        minutes = ctx.problem.travel_minutes(home, area, ctx.travel_default)
        if minutes > limit:
            yield (
                row.need.id,
                row.volunteer.id,
                _(
                    "volunteer {volunteer} serves at most {limit} travel minutes from home "
                    "({home}), but need {need} in {area} is {minutes} minutes away"
                ).format(
                    volunteer=row.volunteer.id,
                    limit=limit,
                    home=home,
                    need=row.need.id,
                    area=area,
                    minutes=minutes,
                ),
            )


def _availability(ctx: _Context) -> Iterator[_Finding]:
    """The volunteer can serve then.

    Timed need: no blackout on the row's date, and the row's whole
    ``[start, end)`` lies inside one window of the volunteer that applies on
    that date (a window with that date, or a weekday window when the date is a
    service day).  Untimed need: the volunteer has a window applying to at
    least one service day that is not blacked out (for students, not a make-up
    workday either); the window need not be as long as the need.
    """
    for row in ctx.rows:
        if row.need.is_timed:
            yield from _timed_availability(ctx, row)
        else:
            yield from _untimed_availability(ctx, row)


def _timed_availability(ctx: _Context, row: _Row) -> Iterator[_Finding]:
    nid, vid = row.need.id, row.volunteer.id
    day = row.day
    if day is None:
        return
    if (vid, day) in ctx.blackouts:
        yield (
            nid,
            vid,
            _("volunteer {volunteer} has a blackout on {date} (need {need})").format(
                volunteer=vid, date=day.isoformat(), need=nid
            ),
        )
        return
    times = row.times
    if times is None:
        return  # reported by timing
    start, end = times
    windows = [
        w for w in ctx.windows_by_volunteer[vid] if _window_applies(w, day, ctx.service_days)
    ]
    if any(w.start <= start and end <= w.end for w in windows):
        return
    spans = _names(_show_span(w.start, w.end) for w in sorted(windows, key=lambda w: w.start))
    if windows:
        text = _(
            "volunteer {volunteer} is rostered {span} on {date} "
            "(need {need}), but their windows that day are {windows}"
        )
    else:
        text = _(
            "volunteer {volunteer} is rostered {span} on {date} "
            "(need {need}), but they have no availability window that day"
        )
    yield (
        nid,
        vid,
        text.format(
            volunteer=vid,
            span=_show_span(start, end),
            date=day.isoformat(),
            need=nid,
            windows=spans,
        ),
    )


def _untimed_availability(ctx: _Context, row: _Row) -> Iterator[_Finding]:
    nid, vid = row.need.id, row.volunteer.id
    student = row.volunteer.role == Role.STUDENT
    open_days = [
        day
        for day in ctx.problem.horizon.service_days
        if (vid, day) not in ctx.blackouts and not (student and day in ctx.makeup_days)
    ]
    windows = ctx.windows_by_volunteer[vid]
    if any(_window_applies(w, day, ctx.service_days) for w in windows for day in open_days):
        return
    yield (
        nid,
        vid,
        _(
            "volunteer {volunteer} has no availability window on any open service day of the "
            "horizon, so cannot do untimed need {need}"
        ).format(volunteer=vid, need=nid),
    )


def _forbidden(ctx: _Context) -> Iterator[_Finding]:
    """No forbidden pair row matches the volunteer and the need or its household."""
    for row in ctx.rows:
        for pair in ctx.pairs_by_volunteer[row.volunteer.id]:
            if pair.forbidden and _pair_applies(pair, row.need):
                yield (
                    row.need.id,
                    row.volunteer.id,
                    _forbidden_message(pair, row.need, row.volunteer.id),
                )


def _overlap(ctx: _Context) -> Iterator[_Finding]:
    """A volunteer's timed rows on one date neither overlap nor leave too little travel time.

    Every two rows on the same date are compared (not only consecutive ones).
    Between different places the gap from the earlier row's end to the later
    row's start must be at least the travel minutes from the earlier need's
    place to the later one's (travel rows may differ by direction; unlisted
    pairs of places take ``travel_minutes_default``; an empty place needs no
    travel).  The finding is reported on the later need.
    """
    for vid, rows in ctx.rows_by_volunteer.items():
        by_day: dict[dt.date, list[tuple[int, int, _Row]]] = defaultdict(list)
        for row in rows:
            day, times = row.day, row.times
            if day is not None and times is not None:
                by_day[day].append((times[0], times[1], row))
        for day, items in by_day.items():
            items.sort(key=lambda item: (item[0], item[1], item[2].need.id))
            for i, first in enumerate(items):
                for second in items[i + 1 :]:
                    yield from _overlap_of(ctx, vid, day, first, second)


def _overlap_of(
    ctx: _Context,
    vid: str,
    day: dt.date,
    first: tuple[int, int, _Row],
    second: tuple[int, int, _Row],
) -> Iterator[_Finding]:
    """Compare two rows of one volunteer and date; ``first`` starts no later."""
    a_start, a_end, a_row = first
    b_start, b_end, b_row = second
    a_need, b_need = a_row.need, b_row.need
    where = {
        "volunteer": vid,
        "date": day.isoformat(),
        "first": a_need.id,
        "first_span": _show_span(a_start, a_end),
        "second": b_need.id,
        "second_span": _show_span(b_start, b_end),
    }
    if b_start < a_end:
        yield (
            b_need.id,
            vid,
            _(
                "volunteer {volunteer} on {date}: need {first} {first_span} "
                "and need {second} {second_span} overlap"
            ).format(**where),
        )
        return
    travel = ctx.problem.travel_minutes(a_need.place, b_need.place, ctx.travel_default)
    gap = b_start - a_end
    if gap < travel:
        yield (
            b_need.id,
            vid,
            _(
                "volunteer {volunteer} on {date}: need {first} {first_span} "
                "and need {second} {second_span} leave {gap} minutes between them, "
                "but travel from {origin} to {destination} takes {travel} minutes"
            ).format(
                **where, gap=gap, origin=a_need.place, destination=b_need.place, travel=travel
            ),
        )


def _max_shifts(ctx: _Context) -> Iterator[_Finding]:
    """A volunteer is on at most ``max_shifts`` needs."""
    for vid, rows in ctx.rows_by_volunteer.items():
        limit = rows[0].volunteer.max_shifts
        if len(rows) > limit:
            needs = _names(row.need.id for row in rows)
            yield (
                None,
                vid,
                ngettext(
                    "volunteer {volunteer} is on {count} need ({needs}) but may take at most "
                    "{limit}",
                    "volunteer {volunteer} is on {count} needs ({needs}) but may take at most "
                    "{limit}",
                    len(rows),
                ).format(volunteer=vid, count=len(rows), needs=needs, limit=limit),
            )


def _max_hours(ctx: _Context) -> Iterator[_Finding]:
    """Need durations plus extra pair minutes stay within the volunteer's budget.

    Extra minutes of every pair row matching the volunteer and the need, and
    of every pair row matching the volunteer and the need's household, add up
    (a need row and a household row both count).
    """
    for vid, rows in ctx.rows_by_volunteer.items():
        limit = rows[0].volunteer.max_minutes
        work = sum(row.need.duration for row in rows)
        extra = sum(
            pair.extra_minutes
            for row in rows
            for pair in ctx.pairs_by_volunteer[vid]
            if _pair_applies(pair, row.need)
        )
        if work + extra > limit:
            yield (
                None,
                vid,
                _(
                    "volunteer {volunteer} is rostered for {total} minutes ({work} of service "
                    "+ {extra} extra) but may serve at most {limit} minutes"
                ).format(volunteer=vid, total=work + extra, work=work, extra=extra, limit=limit),
            )


def _staffing(ctx: _Context) -> Iterator[_Finding]:
    """A need has no volunteers or between ``min_volunteers`` and ``max_volunteers``."""
    for need in ctx.problem.needs:
        count = len(ctx.rows_by_need.get(need.id, ()))
        low, high = need.min_volunteers, need.max_volunteers
        if count and not low <= count <= high:
            if low == high:
                text = ngettext(
                    "need {need} has {count} volunteer; it takes none or exactly {low}",
                    "need {need} has {count} volunteers; it takes none or exactly {low}",
                    count,
                )
            else:
                text = ngettext(
                    "need {need} has {count} volunteer; it takes none or {low} to {high}",
                    "need {need} has {count} volunteers; it takes none or {low} to {high}",
                    count,
                )
            yield need.id, None, text.format(need=need.id, count=count, low=low, high=high)


def _must_cover(ctx: _Context) -> Iterator[_Finding]:
    """A must-cover need has at least ``min_volunteers`` volunteers."""
    for need in ctx.problem.needs:
        count = len(ctx.rows_by_need.get(need.id, ()))
        if need.must_cover and count < need.min_volunteers:
            yield (
                need.id,
                None,
                ngettext(
                    "need {need} must be covered but has {count} volunteer; "
                    "it needs at least {min}",
                    "need {need} must be covered but has {count} volunteers; "
                    "it needs at least {min}",
                    count,
                ).format(need=need.id, count=count, min=need.min_volunteers),
            )


def _lead(ctx: _Context) -> Iterator[_Finding]:
    """A staffed need that requires a lead has a teacher or (probationary) party member."""
    for need in ctx.problem.needs:
        rows = ctx.rows_by_need.get(need.id, [])
        if rows and need.lead_required and not any(row.volunteer.can_lead for row in rows):
            team = _names(row.volunteer.id for row in rows)
            yield (
                need.id,
                None,
                _(
                    "need {need} requires a lead (teacher or party member), but none of "
                    "{team} can lead"
                ).format(need=need.id, team=team),
            )


def _joint_departments(ctx: _Context) -> Iterator[_Finding]:
    """A staffed need has a volunteer from each of its joint departments."""
    for need in ctx.problem.needs:
        rows = ctx.rows_by_need.get(need.id, [])
        if not rows:
            continue
        present = {row.volunteer.department for row in rows}
        for department in need.joint_departments:
            if department not in present:
                yield (
                    need.id,
                    None,
                    _(
                        "need {need} is a joint need with {department}, but no volunteer "
                        "of its team ({team}) is from it"
                    ).format(
                        need=need.id,
                        department=department,
                        team=_names(row.volunteer.id for row in rows),
                    ),
                )


def _language(ctx: _Context) -> Iterator[_Finding]:
    """A staffed need has, for each required language, a volunteer who speaks it."""
    for need in ctx.problem.needs:
        rows = ctx.rows_by_need.get(need.id, [])
        if not rows:
            continue
        spoken = {lang for row in rows for lang in row.volunteer.languages}
        for language in need.required_languages:
            if language not in spoken:
                yield (
                    need.id,
                    None,
                    _(
                        "need {need} requires a speaker of {language}, but no volunteer of "
                        "its team ({team}) speaks it"
                    ).format(
                        need=need.id,
                        language=language,
                        team=_names(row.volunteer.id for row in rows),
                    ),
                )


def _lead_role(ctx: _Context) -> Iterator[_Finding]:
    """A row marked lead is a volunteer who can lead; a need has at most one lead."""
    for row in ctx.rows:
        if row.is_lead and not row.volunteer.can_lead:
            yield (
                row.need.id,
                row.volunteer.id,
                _(
                    "volunteer {volunteer} is marked lead of need {need} but is "
                    "neither a teacher nor a party member"
                ).format(volunteer=row.volunteer.id, need=row.need.id),
            )
    for need_id, rows in ctx.rows_by_need.items():
        leads = [row.volunteer.id for row in rows if row.is_lead]
        if len(leads) > 1:
            yield (
                need_id,
                None,
                _("need {need} has {count} leads ({leads}); at most one").format(
                    need=need_id, count=len(leads), leads=_names(leads)
                ),
            )


def _pin(ctx: _Context) -> Iterator[_Finding]:
    """Every pin is in the roster, at the pinned start when the pin gives one."""
    for pin in ctx.problem.pins:
        rows = [
            row
            for row in ctx.rows_by_need.get(pin.need_id, [])
            if row.volunteer.id == pin.volunteer_id
        ]
        if not rows:
            yield (
                pin.need_id,
                pin.volunteer_id,
                _(
                    "volunteer {volunteer} is pinned to need {need} but is not in the roster for it"
                ).format(volunteer=pin.volunteer_id, need=pin.need_id),
            )
        elif pin.start is not None and _as_minutes(rows[0].assignment.start) != pin.start:
            yield (
                pin.need_id,
                pin.volunteer_id,
                _(
                    "volunteer {volunteer} is pinned to start need {need} at "
                    "{pinned} but starts at {start}"
                ).format(
                    volunteer=pin.volunteer_id,
                    need=pin.need_id,
                    pinned=format_minutes(pin.start),
                    start=_show_time(rows[0].assignment.start),
                ),
            )


_CHECKS: tuple[tuple[str, Callable[[_Context], Iterable[_Finding]]], ...] = (
    ("unknown-need", _unknown_need),
    ("unknown-volunteer", _unknown_volunteer),
    ("duplicate-assignment", _duplicate_assignment),
    ("timing", _timing),
    ("service-day", _service_day),
    ("makeup-day", _makeup_day),
    ("skill", _skill),
    ("department", _department),
    ("gender", _gender),
    ("max-travel", _max_travel),
    ("availability", _availability),
    ("forbidden", _forbidden),
    ("overlap", _overlap),
    ("max-shifts", _max_shifts),
    ("max-hours", _max_hours),
    ("staffing", _staffing),
    ("must-cover", _must_cover),
    ("lead", _lead),
    ("joint-departments", _joint_departments),
    ("language", _language),
    ("lead-role", _lead_role),
    ("pin", _pin),
)

RULES: tuple[str, ...] = tuple(name for name, _check in _CHECKS)
"""Every rule name the checker knows, in the order the rules are checked."""


def check_roster(
    problem: Problem, roster: Sequence[Assignment], travel_minutes_default: int = 10
) -> list[Violation]:
    """Check a roster against every hard rule.

    Parameters
    ----------
    problem
        The problem the roster was made for.
    roster
        Roster rows, in any order; odd rows (unknown ids, missing or
        inconsistent times, duplicates) are reported, never raised on.
    travel_minutes_default
        Travel minutes between two different places that have no travel row,
        as the solver assumes.

    Returns
    -------
    list of Violation
        Every broken rule, sorted by need id, volunteer id, rule and message
        (``None`` ids first); empty when the roster is valid.
    """
    ctx = _build_context(problem, roster, travel_minutes_default)
    violations = [
        Violation(rule=rule, need_id=need_id, volunteer_id=volunteer_id, message=message)
        for rule, check in _CHECKS
        for need_id, volunteer_id, message in check(ctx)
    ]
    violations.sort(
        key=lambda v: (_sort_text(v.need_id), _sort_text(v.volunteer_id), v.rule, v.message)
    )
    return violations


def summarize(violations: Iterable[Violation]) -> dict[str, int]:
    """Count violations per rule.

    Parameters
    ----------
    violations
        Violations, e.g. from :func:`check_roster`.

    Returns
    -------
    dict of str to int
        Number of violations of each rule that occurs, in :data:`RULES` order
        (rules the checker does not know come last, by name); rules without
        violations are left out, so an empty dict means a valid roster.
    """
    counts = Counter(v.rule for v in violations)
    known = [rule for rule in RULES if rule in counts]
    unknown = sorted(rule for rule in counts if rule not in RULES)
    return {rule: counts[rule] for rule in known + unknown}
