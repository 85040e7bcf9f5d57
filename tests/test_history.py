"""History rows of a published roster (matcher.history)."""

from __future__ import annotations

import datetime as dt

from matcher.domain import (
    Assignment,
    Horizon,
    Household,
    HouseholdCategory,
    Membership,
    Need,
    NeedCategory,
    Problem,
    Role,
    Volunteer,
)
from matcher.history import history_of

SATURDAY, SUNDAY = dt.date(2026, 9, 19), dt.date(2026, 9, 20)


def _problem() -> Problem:
    return Problem(
        horizon=Horizon(SATURDAY, SUNDAY, (SATURDAY, SUNDAY)),
        volunteers=(Volunteer("V1", "甲", Role.STUDENT, Membership.LEAGUE, "自动控制学院"),),
        needs=(
            Need("N1", "探访", NeedCategory.ELDERLY_CARE, 90, SATURDAY, 540, 660, "H1"),
            Need("N2", "微心愿", NeedCategory.OTHER, 45),
        ),
        households=(Household("H1", "1栋101", HouseholdCategory.ELDERLY_ALONE),),
    )


def test_history_rows_follow_the_roster_and_date_untimed_needs_on_the_last_day() -> None:
    roster = [
        Assignment("N1", "V1", SATURDAY, 540, 600),  # a flexible need: the assigned span counts
        Assignment("N2", "V1", None, None, None),
    ]
    timed, untimed = history_of(_problem(), roster)
    assert (timed.volunteer_id, timed.date, timed.minutes, timed.attended) == (
        "V1",
        SATURDAY,
        60,
        True,
    )
    assert (timed.need_id, timed.household_id, timed.category) == (
        "N1",
        "H1",
        NeedCategory.ELDERLY_CARE,
    )
    assert (untimed.date, untimed.minutes, untimed.household_id) == (SUNDAY, 45, None)


def test_an_empty_roster_has_no_history() -> None:
    assert history_of(_problem(), []) == []
