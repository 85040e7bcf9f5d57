"""Spans, clashes and bookings: the one definition of when a volunteer is busy."""

from __future__ import annotations

import datetime as dt

from matcher.calendar import build_horizon
from matcher.domain import Membership, Need, NeedCategory, Problem, Role, Travel, Volunteer
from matcher.timing import Bookings, Span, TravelTable

SAT = dt.date(2026, 9, 19)


def _need(i: int, start: int, end: int, place: str, duration: int = 60) -> Need:
    return Need(
        id=f"N{i}",
        title=f"需求{i}",
        category=NeedCategory.CLEAN_UP,
        duration=duration,
        date=SAT,
        start=start,
        end=end,
        location=place,
        priority=i,
    )


def _span(table: TravelTable, need: Need, start: int | None) -> Span:
    span = table.span(need, start)
    assert span is not None
    return span


def _problem() -> Problem:
    volunteer = Volunteer(
        id="V1",
        name="志愿者1",
        role=Role.STUDENT,
        membership=Membership.LEAGUE,
        department="装备制造学院",
        max_shifts=3,
        max_minutes=150,
    )
    return Problem(
        horizon=build_horizon(SAT, SAT + dt.timedelta(days=8)),
        volunteers=(volunteer,),
        needs=(
            _need(1, 540, 600, "广场"),
            _need(2, 605, 665, "养老院"),
            _need(3, 600, 780, "养老院"),  # flexible
            _need(4, 900, 960, "远处"),
        ),
        travel=(Travel("广场", "养老院", 5), Travel("远处", "养老院", 30)),
    )


def test_fixed_needs_clash_only_when_travel_does_not_fit() -> None:
    problem = _problem()
    table = TravelTable.of(problem, default=10)
    first, second = (_span(table, problem.needs[n], None) for n in (0, 1))
    assert not table.clash(first, second)  # 10:00 -> 10:05, 5 minutes to walk
    slow = TravelTable.of(problem.replace(travel=(Travel("广场", "养老院", 6),)), default=10)
    assert slow.clash(*(_span(slow, problem.needs[n], None) for n in (0, 1)))


def test_a_flexible_need_keeps_the_longest_travel_into_its_place_free() -> None:
    problem = _problem()
    table = TravelTable.of(problem, default=10)
    flexible = problem.needs[2]
    assert table.buffer(flexible) == (30, 30)
    assert table.buffer(problem.needs[0]) == (0, 0)
    fixed = _span(table, problem.needs[0], None)
    assert table.clash(fixed, _span(table, flexible, 610))
    assert not table.clash(fixed, _span(table, flexible, 630))
    # An unscheduled flexible need spans its whole window.
    window = _span(table, flexible, None)
    assert (window.padded_start, window.padded_end) == (570, 810)


def test_bookings_track_caps_and_name_the_clashing_needs() -> None:
    problem = _problem()
    bookings = Bookings(problem, travel_default=10)
    first, flexible, far = problem.needs[0], problem.needs[2], problem.needs[3]
    assert bookings.fits(0, first, 540, extra=0)
    bookings.take(0, first, 540, extra=0)
    assert bookings.clashing(0, flexible, 610) == [0]
    assert not bookings.fits(0, flexible, 610, extra=0)
    assert bookings.fits(0, flexible, 630, extra=0)
    assert bookings.within_caps(0, far, extra=30)
    assert not bookings.within_caps(0, far, extra=31)  # 60 + 60 + 31 > 150 minutes
    bookings.release(0, first, 540, extra=0)
    assert bookings.clashing(0, flexible, 610) == []
    assert bookings.shifts[0] == 0 and bookings.minutes[0] == 0
