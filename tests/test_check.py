"""Tests of the independent roster checker (matcher.check).

One small hand-built problem with a valid roster; each case injects exactly
one broken rule and expects exactly that rule to be reported.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from matcher.calendar import build_horizon
from matcher.check import RULES, Violation, check_roster, summarize
from matcher.domain import (
    Assignment,
    AssignmentRole,
    AvailabilityWindow,
    Blackout,
    Department,
    Gender,
    Household,
    HouseholdCategory,
    Membership,
    Need,
    NeedCategory,
    Pair,
    Pin,
    Problem,
    Role,
    Skill,
    Travel,
    Volunteer,
)

SAT = dt.date(2026, 9, 26)
SUN = dt.date(2026, 9, 27)
MAKEUP = dt.date(2026, 9, 20)  # Sunday, official make-up workday; opened as extra day
FESTIVAL = dt.date(2026, 9, 25)  # Mid-Autumn, Friday
MONDAY = dt.date(2026, 9, 21)
CENTRE = "A社区活动中心"
BLOCK_B = "B小区"
LEAD = AssignmentRole.LEAD


def hm(text: str) -> int:
    """Minutes after midnight of ``HH:MM``."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def make_problem() -> Problem:
    """A small valid problem; :func:`make_roster` is a valid roster for it."""
    horizon = build_horizon(
        dt.date(2026, 9, 19),
        SUN,
        extra_days=[MAKEUP],
        festivals=[(FESTIVAL, "中秋节")],
    )
    volunteers = (
        Volunteer(
            "T1",
            "王老师",
            Role.TEACHER,
            Membership.PARTY,
            "机电学院",
            skills=(Skill("家电维修", 3),),
            languages=("普通话", "柳州话"),
            gender=Gender.MALE,
            max_shifts=3,
            max_minutes=600,
        ),
        Volunteer(
            "S1",
            "李同学",
            Role.STUDENT,
            Membership.LEAGUE,
            "机电学院",
            skills=(Skill("家电维修", 2),),
            languages=("普通话",),
            gender=Gender.FEMALE,
            max_shifts=3,
        ),
        Volunteer(
            "S2",
            "韦同学",
            Role.STUDENT,
            Membership.NONE,
            "经管学院",
            languages=("普通话", "壮语"),
            gender=Gender.FEMALE,
        ),
        Volunteer("F1", "张师傅", Role.STAFF, Membership.PARTY, "艺术学院", gender=Gender.MALE),
    )
    needs = (
        Need(
            "N1",
            "家电维修",
            NeedCategory.REPAIR_APPLIANCE,
            120,
            date=SAT,
            start=hm("09:00"),
            end=hm("11:00"),
            household_id="H1",
            location=CENTRE,
            skills=(Skill("家电维修", 2),),
            departments=("机电学院",),
            min_volunteers=2,
            max_volunteers=2,
            lead_required=True,
        ),
        Need(
            "N2",
            "四点半课堂",
            NeedCategory.TUTORING,
            60,
            date=SAT,
            start=hm("13:00"),
            end=hm("17:00"),
            location=BLOCK_B,
            max_volunteers=2,
            joint_departments=("经管学院",),
            required_languages=("壮语",),
        ),
        Need(
            "N3",
            "中秋探访",
            NeedCategory.ELDERLY_CARE,
            60,
            date=FESTIVAL,
            start=hm("09:00"),
            end=hm("10:00"),
            location="A社区",
            required_gender=Gender.FEMALE,
        ),
        Need("N4", "微心愿", NeedCategory.MICRO_WISH, 90),
        Need(
            "N5",
            "环境清扫",
            NeedCategory.CLEAN_UP,
            60,
            date=MAKEUP,
            start=hm("10:00"),
            end=hm("11:00"),
            location="A社区",
        ),
        Need(
            "N6",
            "宣传",
            NeedCategory.PUBLICITY,
            60,
            date=SAT,
            start=hm("11:35"),
            end=hm("12:35"),
            location=BLOCK_B,
        ),
        Need(
            "N7",
            "文艺",
            NeedCategory.CULTURE,
            60,
            date=SUN,
            start=hm("10:00"),
            end=hm("11:00"),
        ),
    )
    availability = (
        AvailabilityWindow("T1", hm("08:00"), hm("18:00"), weekday=6),
        AvailabilityWindow("T1", hm("09:00"), hm("12:00"), date=MAKEUP),
        AvailabilityWindow("S1", hm("08:00"), hm("12:00"), weekday=6),
        AvailabilityWindow("S1", hm("08:00"), hm("12:00"), date=FESTIVAL),
        AvailabilityWindow("S2", hm("13:00"), hm("18:00"), weekday=6),
        AvailabilityWindow("F1", hm("09:00"), hm("17:00"), weekday=7),
        AvailabilityWindow("F1", hm("13:00"), hm("18:00"), weekday=6),
    )
    return Problem(
        horizon=horizon,
        volunteers=volunteers,
        needs=needs,
        households=(Household("H1", "3栋201", HouseholdCategory.ELDERLY_ALONE),),
        availability=availability,
        blackouts=(Blackout("S2", SUN),),
        pairs=(
            Pair("T1", household_id="H1", affinity=2, extra_minutes=20),
            Pair("S2", need_id="N1", forbidden=True),
        ),
        pins=(Pin("S2", "N2", start=hm("14:00")), Pin("S1", "N3")),
        departments=tuple(Department(d) for d in ("机电学院", "经管学院", "艺术学院")),
        travel=(Travel(CENTRE, BLOCK_B, 30), Travel(BLOCK_B, CENTRE, 5)),
    )


def row(
    need_id: str,
    volunteer_id: str,
    date: dt.date | None = None,
    start: str | None = None,
    end: str | None = None,
    role: AssignmentRole = AssignmentRole.MEMBER,
) -> Assignment:
    """A roster row with ``HH:MM`` times."""
    return Assignment(
        need_id,
        volunteer_id,
        date,
        None if start is None else hm(start),
        None if end is None else hm(end),
        role,
    )


def make_roster() -> list[Assignment]:
    """A valid roster for :func:`make_problem`."""
    return [
        row("N1", "T1", SAT, "09:00", "11:00", LEAD),
        row("N1", "S1", SAT, "09:00", "11:00"),
        row("N2", "S2", SAT, "14:00", "15:00"),
        row("N3", "S1", FESTIVAL, "09:00", "10:00"),
        row("N4", "F1"),
        row("N5", "T1", MAKEUP, "10:00", "11:00"),
        row("N6", "T1", SAT, "11:35", "12:35"),
    ]


# --- helpers to inject one change -------------------------------------------


def set_volunteer(problem: Problem, volunteer_id: str, **changes: object) -> Problem:
    volunteers = tuple(
        dataclasses.replace(v, **changes) if v.id == volunteer_id else v for v in problem.volunteers
    )
    return problem.replace(volunteers=volunteers)


def set_need(problem: Problem, need_id: str, **changes: object) -> Problem:
    needs = tuple(
        dataclasses.replace(n, **changes) if n.id == need_id else n for n in problem.needs
    )
    return problem.replace(needs=needs)


def add(problem: Problem, field: str, *items: object) -> Problem:
    return problem.replace(**{field: (*getattr(problem, field), *items)})


def set_row(
    roster: list[Assignment], need_id: str, volunteer_id: str, **changes: object
) -> list[Assignment]:
    return [
        dataclasses.replace(a, **changes)
        if (a.need_id, a.volunteer_id) == (need_id, volunteer_id)
        else a
        for a in roster
    ]


def drop_row(roster: list[Assignment], need_id: str, volunteer_id: str) -> list[Assignment]:
    return [a for a in roster if (a.need_id, a.volunteer_id) != (need_id, volunteer_id)]


Case = tuple[Problem, list[Assignment]]
Injection = Callable[[Problem, list[Assignment]], Case]


def rules_of(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


# --- the valid case ---------------------------------------------------------


def test_valid_roster_has_no_violations() -> None:
    assert check_roster(make_problem(), make_roster()) == []


def test_empty_roster_is_valid_without_pins_or_must_cover() -> None:
    assert check_roster(make_problem().replace(pins=()), []) == []


def test_horizon_has_makeup_and_festival_days() -> None:
    horizon = make_problem().horizon
    assert horizon.makeup_days == (MAKEUP,)
    assert MAKEUP in horizon.service_days  # only because it is an extra day
    assert FESTIVAL in horizon.service_days
    assert MONDAY not in horizon.service_days


# --- one injected violation per case ------------------------------------------


def _unknown_need(p: Problem, r: list[Assignment]) -> Case:
    return p, [*r, row("NX", "S2", SAT, "15:00", "16:00")]


def _unknown_volunteer(p: Problem, r: list[Assignment]) -> Case:
    return p, [*r, row("N2", "VX", SAT, "14:00", "15:00")]


def _duplicate(p: Problem, r: list[Assignment]) -> Case:
    return p, [*r, row("N2", "S2", SAT, "14:00", "15:00")]


def _fixed_wrong_start(p: Problem, r: list[Assignment]) -> Case:
    return p, set_row(r, "N1", "S1", start=hm("09:30"), end=hm("11:30"))


def _wrong_duration(p: Problem, r: list[Assignment]) -> Case:
    return p, set_row(r, "N2", "S2", end=hm("14:30"))


def _missing_times(p: Problem, r: list[Assignment]) -> Case:
    return p, set_row(r, "N1", "S1", start=None, end=None)


def _missing_date(p: Problem, r: list[Assignment]) -> Case:
    return p, set_row(r, "N1", "S1", date=None)


def _wrong_date(p: Problem, r: list[Assignment]) -> Case:
    return p, set_row(r, "N2", "S2", date=dt.date(2026, 9, 19))


def _flexible_after_latest_start(p: Problem, r: list[Assignment]) -> Case:
    return p, [*r, row("N2", "F1", SAT, "16:30", "17:30")]


def _flexible_different_starts(p: Problem, r: list[Assignment]) -> Case:
    return p, [*r, row("N2", "F1", SAT, "15:00", "16:00")]


def _untimed_with_date(p: Problem, r: list[Assignment]) -> Case:
    return p, set_row(r, "N4", "F1", date=SUN, start=hm("10:00"), end=hm("11:30"))


def _service_day(p: Problem, r: list[Assignment]) -> Case:
    p = add(
        p, "needs", Need("N8", "周一", NeedCategory.OTHER, 60, MONDAY, hm("10:00"), hm("11:00"))
    )
    p = add(p, "availability", AvailabilityWindow("F1", hm("09:00"), hm("12:00"), date=MONDAY))
    return p, [*r, row("N8", "F1", MONDAY, "10:00", "11:00")]


def _student_on_makeup_day(p: Problem, r: list[Assignment]) -> Case:
    p = add(p, "availability", AvailabilityWindow("S2", hm("09:00"), hm("12:00"), date=MAKEUP))
    r = drop_row(r, "N5", "T1")
    return p, [*r, row("N5", "S2", MAKEUP, "10:00", "11:00")]


def _skill_level(p: Problem, r: list[Assignment]) -> Case:
    return set_volunteer(p, "S1", skills=(Skill("家电维修", 1),)), r


def _skill_missing(p: Problem, r: list[Assignment]) -> Case:
    return set_need(p, "N6", skills=(Skill("摄影", 1),)), r


def _department(p: Problem, r: list[Assignment]) -> Case:
    return set_volunteer(p, "S1", department="经管学院"), r


def _gender(p: Problem, r: list[Assignment]) -> Case:
    return set_volunteer(p, "S1", gender=Gender.MALE), r


def _gender_unrecorded(p: Problem, r: list[Assignment]) -> Case:
    return set_volunteer(p, "S1", gender=None), r


def _too_far_from_home(p: Problem, r: list[Assignment]) -> Case:
    # Unlisted places are the default 10 minutes apart: farther than 5.
    return set_volunteer(p, "S1", home_area="城北", max_travel=5), r


def _window_too_short(p: Problem, r: list[Assignment]) -> Case:
    windows = tuple(
        dataclasses.replace(w, end=hm("10:00")) if (w.volunteer_id, w.weekday) == ("S1", 6) else w
        for w in p.availability
    )
    return p.replace(availability=windows), r


def _blackout(p: Problem, r: list[Assignment]) -> Case:
    return add(p, "blackouts", Blackout("S1", SAT)), r


def _untimed_all_blacked_out(p: Problem, r: list[Assignment]) -> Case:
    # F1's windows are Saturdays and Sundays; every weekend service day is blacked out.
    days = (dt.date(2026, 9, 19), MAKEUP, SAT, SUN)
    return add(p, "blackouts", *(Blackout("F1", day) for day in days)), r


def _forbidden_need(p: Problem, r: list[Assignment]) -> Case:
    return add(p, "pairs", Pair("S1", need_id="N1", forbidden=True)), r


def _forbidden_household(p: Problem, r: list[Assignment]) -> Case:
    return add(p, "pairs", Pair("S1", household_id="H1", forbidden=True)), r


def _time_overlap(p: Problem, r: list[Assignment]) -> Case:
    p = add(
        p, "needs", Need("N9", "重叠", NeedCategory.OTHER, 60, FESTIVAL, hm("09:30"), hm("10:30"))
    )
    return p, [*r, row("N9", "S1", FESTIVAL, "09:30", "10:30")]


def _travel_too_short(p: Problem, r: list[Assignment]) -> Case:
    # N1 ends 11:00 at the centre; N6 now starts 11:05 at block B (30 minutes away).
    p = set_need(p, "N6", start=hm("11:05"), end=hm("12:05"))
    return p, set_row(r, "N6", "T1", start=hm("11:05"), end=hm("12:05"))


def _max_shifts(p: Problem, r: list[Assignment]) -> Case:
    return set_volunteer(p, "S2", max_shifts=0), r


def _max_hours_by_extra_minutes(p: Problem, r: list[Assignment]) -> Case:
    # T1 serves 240 minutes plus 20 extra minutes for household H1.
    return set_volunteer(p, "T1", max_minutes=250), r


def _understaffed(p: Problem, r: list[Assignment]) -> Case:
    return p, drop_row(r, "N1", "S1")


def _overstaffed(p: Problem, r: list[Assignment]) -> Case:
    return p, [*r, row("N4", "S2")]


def _must_cover(p: Problem, r: list[Assignment]) -> Case:
    return set_need(p, "N7", must_cover=True), r


def _lead(p: Problem, r: list[Assignment]) -> Case:
    return set_need(p, "N3", lead_required=True), r


def _joint_departments(p: Problem, r: list[Assignment]) -> Case:
    return set_need(p, "N2", joint_departments=("经管学院", "艺术学院")), r


def _language(p: Problem, r: list[Assignment]) -> Case:
    return set_need(p, "N2", required_languages=("壮语", "柳州话")), r


def _lead_who_cannot_lead(p: Problem, r: list[Assignment]) -> Case:
    return p, set_row(r, "N2", "S2", role=LEAD)


def _two_leads(p: Problem, r: list[Assignment]) -> Case:
    p = set_volunteer(p, "S1", membership=Membership.PROBATIONARY)
    return p, set_row(r, "N1", "S1", role=LEAD)


def _pin_missing(p: Problem, r: list[Assignment]) -> Case:
    return add(p, "pins", Pin("F1", "N2")), r


def _pin_other_start(p: Problem, r: list[Assignment]) -> Case:
    return p.replace(pins=(Pin("S2", "N2", start=hm("15:00")), Pin("S1", "N3"))), r


CASES: list[tuple[str, Injection, str]] = [
    ("unknown-need", _unknown_need, "unknown-need"),
    ("unknown-volunteer", _unknown_volunteer, "unknown-volunteer"),
    ("duplicate", _duplicate, "duplicate-assignment"),
    ("fixed-wrong-start", _fixed_wrong_start, "timing"),
    ("wrong-duration", _wrong_duration, "timing"),
    ("missing-times", _missing_times, "timing"),
    ("missing-date", _missing_date, "timing"),
    ("wrong-date", _wrong_date, "timing"),
    ("flexible-after-latest-start", _flexible_after_latest_start, "timing"),
    ("flexible-different-starts", _flexible_different_starts, "timing"),
    ("untimed-with-date", _untimed_with_date, "timing"),
    ("not-a-service-day", _service_day, "service-day"),
    ("student-on-makeup-day", _student_on_makeup_day, "makeup-day"),
    ("skill-level", _skill_level, "skill"),
    ("skill-missing", _skill_missing, "skill"),
    ("department", _department, "department"),
    ("gender", _gender, "gender"),
    ("gender-unrecorded", _gender_unrecorded, "gender"),
    ("too-far-from-home", _too_far_from_home, "max-travel"),
    ("window-too-short", _window_too_short, "availability"),
    ("blackout", _blackout, "availability"),
    ("untimed-all-blacked-out", _untimed_all_blacked_out, "availability"),
    ("forbidden-need", _forbidden_need, "forbidden"),
    ("forbidden-household", _forbidden_household, "forbidden"),
    ("time-overlap", _time_overlap, "overlap"),
    ("travel-too-short", _travel_too_short, "overlap"),
    ("max-shifts", _max_shifts, "max-shifts"),
    ("max-hours-extra-minutes", _max_hours_by_extra_minutes, "max-hours"),
    ("understaffed", _understaffed, "staffing"),
    ("overstaffed", _overstaffed, "staffing"),
    ("must-cover", _must_cover, "must-cover"),
    ("lead", _lead, "lead"),
    ("joint-departments", _joint_departments, "joint-departments"),
    ("language", _language, "language"),
    ("lead-cannot-lead", _lead_who_cannot_lead, "lead-role"),
    ("two-leads", _two_leads, "lead-role"),
    ("pin-missing", _pin_missing, "pin"),
    ("pin-other-start", _pin_other_start, "pin"),
]


@pytest.mark.parametrize(("inject", "rule"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_injected_violation_is_reported_alone(inject: Injection, rule: str) -> None:
    problem, roster = inject(make_problem(), make_roster())
    violations = check_roster(problem, roster)
    assert rules_of(violations) == {rule}, [str(v) for v in violations]


def test_every_rule_has_an_injection_case() -> None:
    assert {c[2] for c in CASES} == set(RULES)


# --- details of particular rules ----------------------------------------------


def test_travel_message_names_places_gap_and_minutes() -> None:
    problem, roster = _travel_too_short(make_problem(), make_roster())
    [violation] = check_roster(problem, roster)
    assert (violation.need_id, violation.volunteer_id) == ("N6", "T1")
    assert "5 minutes" in violation.message and "30 minutes" in violation.message
    assert CENTRE in violation.message and BLOCK_B in violation.message


def test_travel_uses_direction_of_travel() -> None:
    # T1 at block B 08:00-08:55, then the centre at 09:00: B -> centre is 5 minutes.
    problem = set_need(make_problem(), "N6", start=hm("08:00"), end=hm("08:55"), duration=55)
    roster = set_row(make_roster(), "N6", "T1", start=hm("08:00"), end=hm("08:55"))
    assert check_roster(problem, roster) == []
    problem = set_need(problem, "N6", start=hm("08:00"), end=hm("08:56"), duration=56)
    roster = set_row(roster, "N6", "T1", end=hm("08:56"))
    assert rules_of(check_roster(problem, roster)) == {"overlap"}


def test_travel_default_applies_between_unlisted_places() -> None:
    problem = set_need(make_problem(), "N6", location="C站", start=hm("11:05"), end=hm("12:05"))
    roster = set_row(make_roster(), "N6", "T1", start=hm("11:05"), end=hm("12:05"))
    assert rules_of(check_roster(problem, roster)) == {"overlap"}  # default 10 > gap 5
    assert check_roster(problem, roster, travel_minutes_default=5) == []


def test_empty_place_needs_no_travel() -> None:
    problem = set_need(make_problem(), "N6", location="", start=hm("11:00"), end=hm("12:00"))
    roster = set_row(make_roster(), "N6", "T1", start=hm("11:00"), end=hm("12:00"))
    assert check_roster(problem, roster) == []


def test_max_travel_reads_the_household_area_and_the_travel_sheet() -> None:
    problem = set_volunteer(make_problem(), "T1", home_area="城北", max_travel=20)
    households = (Household("H1", "3栋201", HouseholdCategory.ELDERLY_ALONE, area="城南"),)
    problem = add(problem.replace(households=households), "travel", Travel("城北", "城南", 25))
    violations = check_roster(problem, make_roster())
    # N1 serves household H1 in 城南 (25 minutes); N5 and N6 are at unlisted places (10).
    assert [(v.rule, v.need_id, v.volunteer_id) for v in violations] == [("max-travel", "N1", "T1")]
    assert "at most 20 travel minutes from home (城北)" in violations[0].message
    assert "城南 is 25 minutes away" in violations[0].message
    assert check_roster(set_volunteer(problem, "T1", max_travel=None), make_roster()) == []
    assert check_roster(set_volunteer(problem, "T1", max_travel=25), make_roster()) == []


def test_flexible_need_with_two_starts_names_the_odd_volunteer() -> None:
    problem, roster = _flexible_different_starts(make_problem(), make_roster())
    [violation] = check_roster(problem, roster)
    assert (violation.rule, violation.need_id, violation.volunteer_id) == ("timing", "N2", "F1")
    assert "15:00" in violation.message and "14:00" in violation.message


def test_flexible_need_with_shared_start_is_valid() -> None:
    roster = [*make_roster(), row("N2", "F1", SAT, "14:00", "15:00")]
    assert check_roster(make_problem(), roster) == []


def test_student_on_makeup_day_is_reported_even_when_it_is_a_service_day() -> None:
    problem, roster = _student_on_makeup_day(make_problem(), make_roster())
    [violation] = check_roster(problem, roster)
    assert (violation.need_id, violation.volunteer_id) == ("N5", "S2")
    assert MAKEUP.isoformat() in violation.message


def test_blackout_names_volunteer_and_date() -> None:
    problem, roster = _blackout(make_problem(), make_roster())
    [violation] = check_roster(problem, roster)
    assert (violation.need_id, violation.volunteer_id) == ("N1", "S1")
    assert SAT.isoformat() in violation.message


def test_weekday_window_counts_only_on_service_days() -> None:
    problem, roster = _service_day(make_problem(), make_roster())
    # Without the dated window, F1's weekday windows do not cover a Monday.
    problem = problem.replace(
        availability=tuple(w for w in problem.availability if w.date != MONDAY)
    )
    assert rules_of(check_roster(problem, roster)) == {"service-day", "availability"}


def test_untimed_student_cannot_rely_on_makeup_day_window() -> None:
    problem = make_problem()
    problem = add(problem, "availability", AvailabilityWindow("S2", 540, 720, date=MAKEUP))
    problem = add(problem, "blackouts", Blackout("S2", SAT), Blackout("S2", dt.date(2026, 9, 19)))
    problem = problem.replace(pins=(Pin("S1", "N3"),))
    problem = set_need(problem, "N4", max_volunteers=2)
    roster = [*drop_row(make_roster(), "N2", "S2"), row("N4", "S2")]
    [violation] = check_roster(problem, roster)
    assert (violation.rule, violation.need_id, violation.volunteer_id) == (
        "availability",
        "N4",
        "S2",
    )


def test_max_hours_counts_need_and_household_extra_minutes() -> None:
    problem = set_volunteer(make_problem(), "T1", max_minutes=265)
    assert check_roster(problem, make_roster()) == []
    problem = add(problem, "pairs", Pair("T1", need_id="N1", extra_minutes=10))
    [violation] = check_roster(problem, make_roster())
    assert violation.rule == "max-hours"
    assert "270" in violation.message and "265" in violation.message


def test_must_cover_and_staffing_both_report_a_short_team() -> None:
    problem = set_need(make_problem(), "N1", must_cover=True)
    roster = drop_row(make_roster(), "N1", "S1")
    assert summarize(check_roster(problem, roster)) == {"staffing": 1, "must-cover": 1}


def test_team_rules_ignore_unstaffed_needs() -> None:
    problem = set_need(
        make_problem(),
        "N7",
        lead_required=True,
        joint_departments=("经管学院",),
        required_languages=("壮语",),
    )
    assert check_roster(problem, make_roster()) == []


# --- robustness, ordering, summary -------------------------------------------


def test_odd_rows_never_raise() -> None:
    odd = [
        Assignment("N1", "T1", None, None, None),
        Assignment("N2", "S2", "2026-09-26", "14:00", 900.5),  # type: ignore[arg-type]
        Assignment("N3", "S1", FESTIVAL, 600, 540),
        Assignment("N4", "F1", SAT, 0, None),
        Assignment("NX", "VX", None, None, None, "boss"),  # type: ignore[arg-type]
        Assignment(None, None, None, None, None),  # type: ignore[arg-type]
        Assignment("N6", "T1", dt.datetime(2026, 9, 26, 11, 35), 695, 755),
        Assignment("N1", "T1", SAT, True, False),  # type: ignore[arg-type]
    ]
    violations = check_roster(make_problem(), odd)
    assert {"timing", "unknown-need", "unknown-volunteer", "duplicate-assignment"} <= rules_of(
        violations
    )
    assert rules_of(violations) <= set(RULES)


def test_violations_are_sorted_by_need_volunteer_rule() -> None:
    problem = set_volunteer(make_problem(), "S1", gender=Gender.MALE, department="经管学院")
    problem = set_need(problem, "N7", must_cover=True)
    roster = [*make_roster(), row("NX", "S2")]
    violations = check_roster(problem, roster)
    keys = [(v.need_id or "", v.volunteer_id or "", v.rule) for v in violations]
    assert keys == sorted(keys)
    assert [(v.need_id, v.volunteer_id, v.rule) for v in violations] == [
        ("N1", "S1", "department"),
        ("N3", "S1", "gender"),
        ("N7", None, "must-cover"),
        ("NX", "S2", "unknown-need"),
    ]


def test_summarize_counts_per_rule_in_rule_order() -> None:
    violations = [
        Violation("timing", "N1", "S1", "a"),
        Violation("skill", "N1", "S1", "b"),
        Violation("timing", "N2", "S2", "c"),
    ]
    assert summarize(violations) == {"timing": 2, "skill": 1}
    assert list(summarize(violations)) == ["timing", "skill"]
    assert summarize([]) == {}


def test_violation_str_shows_rule_and_message() -> None:
    assert str(Violation("pin", "N1", "S1", "missing")) == "[pin] missing"


def test_checker_imports_no_solver_code() -> None:
    source = Path(__file__).parents[1] / "matcher" / "check.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.add(node.module or "")
    local = {m for m in modules if m.split(".")[0] == "matcher"}
    # matcher.i18n translates the messages and knows no rule
    assert local <= {"matcher.domain", "matcher.calendar", "matcher.i18n"}
    third_party = {m.split(".")[0] for m in modules} - {"matcher"}
    assert third_party <= set(sys.stdlib_module_names) | {"__future__"}
